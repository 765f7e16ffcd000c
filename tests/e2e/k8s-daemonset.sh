#!/bin/sh
# k8s-daemonset.sh - the graft DaemonSet's two scripts run on this machine
# against a scratch root, as the init container and the main container run
# them on a node: install-cni puts the plugin and the ConfigMap's conflist
# into $ROOT/opt/cni/bin and $ROOT/etc/cni/net.d (and refuses a conflist
# that would not be the runtime's first); graftd-entry starts graftd with
# the graftd-config ConfigMap's file, under exactly the capabilities the
# DaemonSet grants, making the sockets with the documented owners and
# modes; graftctl show (the readiness probe) answers; with attach support,
# a CNI-style netns path is attached through the control socket.
. "$(dirname "$0")/../lib/common.sh"
need_netns "k8s daemonset"
DEP=$GRAFT_TOP/deploy/kubernetes
PY=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then
		PY=$p; break
	fi
done
if [ -z "$PY" ]; then
	skip "k8s daemonset (python3 with PyYAML not installed: apt-get install python3-yaml)"
	exit 0
fi
if [ ! -x "$GRAFT_BIN/graftd" ] || [ ! -x "$GRAFT_BIN/graftctl" ]; then
	fail "k8s daemonset (graftd or graftctl not built)"
	t_done
fi

# cm FILE NAME KEY: a ConfigMap's value, as the kubelet projects it
cm() {
	"$PY" -c 'import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "ConfigMap" and d["metadata"]["name"] == sys.argv[2]:
        sys.stdout.write(d["data"][sys.argv[3]])' "$@"
}
# cfg DIR VARIANT: the graft-cni ConfigMap of cni-VARIANT.yaml in DIR
cfg() {
	mkdir -p "$1" && cm "$DEP/cni-$2.yaml" graft-cni conf-name >"$1/conf-name" &&
	    cm "$DEP/cni-$2.yaml" graft-cni graft.conflist >"$1/graft.conflist"
}
# node DIR: a node's root with the hostPath directories the DaemonSet mounts
node() { mkdir -p "$1/opt/cni/bin" "$1/etc/cni/net.d"; }
install_cni() {
	GRAFT_HOST=$1 GRAFT_CNI_PLUGIN=$PLUGIN GRAFT_CNI_CONFIG=$2 \
	    sh "$DEP/install-cni.sh" >"$T_TMP/inst.out" 2>&1
}

# --- the init container -------------------------------------------------
# the plugin as make builds it (mk/cni.mk), else a stand-in file: the script
# copies bytes, which is what is checked
PLUGIN=
for c in "$GRAFT_BIN/graft-cni" "$GRAFT_BIN/graft" "$GRAFT_BUILD/cni/graft"; do
	[ -x "$c" ] && { PLUGIN=$c; break; }
done
if [ -z "$PLUGIN" ]; then
	PLUGIN=$T_TMP/graft-plugin
	printf '#!/bin/sh\necho graft CNI plugin stand-in\n' >"$PLUGIN"
	chmod 0700 "$PLUGIN"
	echo "k8s-daemonset: no CNI plugin built: installing a stand-in file" >&2
fi
cfg "$T_TMP/primary" primary && cfg "$T_TMP/chained" chained ||
	{ fail "extract the graft-cni ConfigMaps"; t_done; }
PNAME=$(cat "$T_TMP/primary/conf-name") CNAME=$(cat "$T_TMP/chained/conf-name")

R=$T_TMP/node1
node "$R"
install_cni "$R" "$T_TMP/primary"
check "install-cni (primary) succeeds on an empty node" [ $? -eq 0 ]
check "plugin installed as opt/cni/bin/graft, same bytes" cmp -s "$PLUGIN" "$R/opt/cni/bin/graft"
check "plugin mode 0755" [ "$(stat -c %a "$R/opt/cni/bin/graft")" = 755 ]
check "conflist installed as etc/cni/net.d/$PNAME, same bytes" \
    cmp -s "$T_TMP/primary/graft.conflist" "$R/etc/cni/net.d/$PNAME"
check "conflist mode 0644" [ "$(stat -c %a "$R/etc/cni/net.d/$PNAME")" = 644 ]
check "no temporary file left" [ -z "$(ls -A "$R/opt/cni/bin" "$R/etc/cni/net.d" | grep '^\.')" ]
install_cni "$R" "$T_TMP/primary"
check "install-cni again (pod restarted): succeeds, same files" \
    sh -c "[ $? -eq 0 ] && cmp -s '$PLUGIN' '$R/opt/cni/bin/graft'"

# chained: the cluster's own network config is there; ours sorts first
R=$T_TMP/node2
node "$R"
echo '{"cniVersion":"1.0.0","name":"cbr0","plugins":[{"type":"flannel"}]}' \
    >"$R/etc/cni/net.d/10-flannel.conflist"
install_cni "$R" "$T_TMP/chained"
check "install-cni (chained) beside 10-flannel.conflist" [ $? -eq 0 ]
check "chained conflist installed as $CNAME" \
    cmp -s "$T_TMP/chained/graft.conflist" "$R/etc/cni/net.d/$CNAME"
check "the primary's own file left alone" \
    grep -q '"type":"flannel"}]}' "$R/etc/cni/net.d/10-flannel.conflist"

# refused: a configuration that sorts before ours would be the one used
R=$T_TMP/node3
node "$R"
echo '{}' >"$R/etc/cni/net.d/05-calico.conflist"
install_cni "$R" "$T_TMP/primary"
check "install-cni refuses when 05-calico.conflist sorts first" [ $? -eq 1 ]
check "... and names it" grep -q '05-calico.conflist sorts before' "$T_TMP/inst.out"
check "... and installs nothing" [ ! -e "$R/etc/cni/net.d/$PNAME" ] && [ ! -e "$R/opt/cni/bin/graft" ]
R=$T_TMP/node4
mkdir -p "$R/opt/cni/bin"
install_cni "$R" "$T_TMP/primary"
check "install-cni refuses a missing net.d (hostPath not mounted)" [ $? -eq 1 ]
mkdir -p "$T_TMP/badname" && cp "$T_TMP/primary/graft.conflist" "$T_TMP/badname/" &&
    echo '../10-graft.conflist' >"$T_TMP/badname/conf-name"
node "$R"
install_cni "$R" "$T_TMP/badname"
check "install-cni refuses a conf-name with a /" \
    sh -c "[ $? -eq 1 ] && [ ! -e '$R/etc/cni/10-graft.conflist' ]"

# --- the main container -----------------------------------------------------
R=$T_TMP/node5
mkdir -p "$R/etc/graft" "$R/run/graftd" || { fail "scratch root"; t_done; }
chmod 0755 "$R/run/graftd"	# as hostPath DirectoryOrCreate makes it
cm "$DEP/graft.yaml" graftd-config graftd.conf >"$R/etc/graft/graftd.conf"
# the capabilities the DaemonSet adds, and setpriv's words for them
CAPS=$("$PY" -c 'import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "DaemonSet":
        for c in d["spec"]["template"]["spec"]["containers"]:
            if c["name"] == "graftd":
                print(" ".join(c["securityContext"]["capabilities"]["add"]))' "$DEP/graft.yaml")
caps_words() {
	_w=-all
	for _c in $1; do _w="$_w,+$(echo "$_c" | tr 'A-Z' 'a-z')"; done
	echo "$_w"
}
# entry CAPS LOG: the entry script as the container runs it, with exactly
# CAPS (root's permitted set after exec is its bounding set)
entry() {
	bg setpriv --bounding-set "$(caps_words "$1")" --inh-caps -all \
	    env GRAFTD="$GRAFT_BIN/graftd" GRAFTD_CONF="$R/etc/graft/graftd.conf" \
	    GRAFT_RUN="$R/run/graft" GRAFTD_RUN="$R/run/graftd" \
	    sh "$DEP/graftd-entry.sh" 2>"$2"
}
SOCK=$R/run/graft/graftd.sock CTL=$R/run/graftd/graftd.ctl

entry "$CAPS" "$T_TMP/graftd.log"
EPID=$!
if ! wait_for test -S "$CTL"; then
	fail "graftd-entry starts graftd with the DaemonSet's capabilities ($CAPS)"
	sed 's/^/  /' "$T_TMP/graftd.log"
	t_done
fi
pass "graftd-entry starts graftd with the DaemonSet's capabilities ($CAPS)"
check "the entry script became graftd (exec: the container's process)" \
    sh -c "tr '\\0' ' ' </proc/$EPID/cmdline | grep -q '^$GRAFT_BIN/graftd -d '"
check "request socket $SOCK: mode 0660" [ "$(stat -c %a "$SOCK")" = 660 ]
check "request socket owner 0:2000 (graftd-config socket-owner)" \
    [ "$(stat -c %u:%g "$SOCK")" = 0:2000 ]
check "request socket's directory 0755" [ "$(stat -c %a "$R/run/graft")" = 755 ]
check "control socket mode 0600, root's" [ "$(stat -c %a:%u "$CTL")" = 600:0 ]
check "control socket's directory made 0700" [ "$(stat -c %a "$R/run/graftd")" = 700 ]
check "readiness probe: graftctl show answers" \
    "$GRAFT_BIN/graftctl" -c "$CTL" show
check "graftd kept NET_BIND_SERVICE (privileged-ports yes) and dropped the rest" \
    grep -q 'privileges dropped: keeping CAP_SYS_PTRACE CAP_SETUID CAP_SETGID CAP_NET_BIND_SERVICE' \
    "$T_TMP/graftd.log"
check "no warning with these capabilities" sh -c "! grep -qi 'warn\\|cannot' '$T_TMP/graftd.log'"
check "graftd holds only those (CapEff of its process)" \
    [ "$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/$EPID/status)" = 00000000000804c0 ]

# attach a sandbox's netns path, as the plugin does (needs graftctl attach)
"$GRAFT_BIN/graftctl" -c "$CTL" detach k8s-probe/eth0 >/dev/null 2>&1
if [ $? -eq 255 ]; then
	skip "attach of a CNI netns path (this graftctl has no attach)"
else
	NS=cni-k8s-$$
	ip netns add "$NS" && T_NETNS="$T_NETNS $NS"
	PORT=$(port_base 1)
	check "attach ID netns /var/run/netns/$NS (the CNI_NETNS form)" \
	    "$GRAFT_BIN/graftctl" -c "$CTL" attach k8s-test/eth0 netns "/var/run/netns/$NS" \
	    endpoint p0 type ipv4 addr 127.0.0.1 port "$PORT" direction ingress proto tcp \
	    match "*:8080"
	check "check ID netns /run/netns/$NS (same file by the other name)" \
	    "$GRAFT_BIN/graftctl" -c "$CTL" check k8s-test/eth0 netns "/run/netns/$NS"
	check "detach ID" "$GRAFT_BIN/graftctl" -c "$CTL" detach k8s-test/eth0
fi
kill "$EPID" 2>/dev/null; wait "$EPID" 2>/dev/null

# why each capability: without CHOWN the socket cannot get its group
rm -rf "$R/run"
entry "$(echo "$CAPS" | sed 's/CHOWN//')" "$T_TMP/nochown.log"
P2=$!
wait "$P2" 2>/dev/null
check "without CHOWN graftd stops (the request socket's socket-owner)" \
    sh -c "[ ! -S '$CTL' ] && grep -q 'chown .*graftd.sock' '$T_TMP/nochown.log'"
# without SETPCAP it cannot empty its bounding set
rm -rf "$R/run"
entry "$(echo "$CAPS" | sed 's/SETPCAP//')" "$T_TMP/nopcap.log"
P3=$!
wait_for test -S "$CTL"
check "without SETPCAP graftd warns it cannot drop the bounding set" \
    grep -q 'bounding set' "$T_TMP/nopcap.log"
kill "$P3" 2>/dev/null; wait "$P3" 2>/dev/null

# a configuration graftd -n refuses: the entry script stops before graftd
rm -rf "$R/run"
echo 'socket-mode 9999' >"$R/etc/graft/graftd.conf"
GRAFTD="$GRAFT_BIN/graftd" GRAFTD_CONF="$R/etc/graft/graftd.conf" \
    GRAFT_RUN="$R/run/graft" GRAFTD_RUN="$R/run/graftd" \
    timeout 10 sh "$DEP/graftd-entry.sh" >"$T_TMP/bad.log" 2>&1
check "a bad graftd.conf: graftd-entry exits 1" [ $? -eq 1 ]
check "... naming file:line" grep -q 'graftd.conf:1' "$T_TMP/bad.log"
check "... and makes no socket" [ ! -e "$R/run/graft/graftd.sock" ]
t_done
