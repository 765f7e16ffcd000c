#!/bin/sh
# podman-cni.sh - podman's CNI backend with graft-cni as the network of
# type "graft" (examples/cni/, docs/containers.md), all of it private to
# the test: a containers.conf naming a plugin directory that holds
# build/bin/graft-cni as `graft` and a config directory with one `graft`
# conflist whose control socket is a graftd this test starts; podman
# storage (vfs), run root and tmpdir in the scratch directory; runc.
#
# The image is the Alpine minirootfs ($GRAFT_ALPINE) imported with the
# static examples/httpd.c (graft-cc) as /httpd and an /etc/graft.conf of
# `broker /run/graft/graftd.sock` + `rules broker`: the container's ingress
# rules are the `-p` mappings graftd holds for its netns.  graftd's request
# socket directory is mounted read-only on /run/graft, as in a deployment.
#
#   A: -p P1:80 -p P3:8080        curl from the host gets A's page on P1
#   B: -p 127.0.0.1:P2:81         its netns holds its own endpoint only;
#                                 its bind of port 80 stays in its netns; a
#                                 request for A's endpoints is refused
#   C: -p P1:80                   refused at start: P1 is A's
#   podman stop/start/restart     endpoints go and come back, curl again
#   graftd restart                granted listeners keep serving; the
#                                 attachments come back with podman network
#                                 reload or restart (or a state file: cni-state)
#   H: --network none, annotation org.graft.ports, examples/oci/hooks.d:
#                                 graft-oci-hook attaches and detaches it
#   podman rm                     nothing left in graftd, /run/netns, CNI
# Skips (saying why) without root, podman, runc, curl, nsenter, python3 or
# the Alpine minirootfs.
. "$(dirname "$0")/../lib/common.sh"
. "$GRAFT_TOP/tests/apps/lib.sh"
cd "$T_TMP" || exit 2

N=podman-cni
need_netns "$N"
for _t in podman runc curl nsenter python3; do
	command -v $_t >/dev/null || { skip "$N ($_t is not installed: tests/apps/deps.sh installs it)"; exit 0; }
done
: "${GRAFT_ALPINE:=$GRAFT_TOP/../shared/alpine}"
case $GRAFT_TARGET in
"$(uname -m)"-linux-musl*) ;;
*) skip "$N (the build's target $GRAFT_TARGET is not this machine's)"; exit 0 ;;
esac
ROOTFS_TGZ=$(ls "$GRAFT_ALPINE"/alpine-minirootfs-*-"$(uname -m)".tar.gz 2>/dev/null | sort | tail -n 1)
[ -n "$ROOTFS_TGZ" ] || { skip "$N (no Alpine minirootfs in GRAFT_ALPINE=$GRAFT_ALPINE)"; exit 0; }
REQ=$GRAFT_BUILD/tests/graft-request
for _f in "$GRAFT_CC" "$GRAFT_BIN/graftd" "$GRAFT_BIN/graftctl" "$GRAFT_BIN/graft-cni" "$REQ"; do
	[ -x "$_f" ] || { fail "$N: $_f is built (make all, make check-build)"; exit 1; }
done

# --- podman, private to this test -------------------------------------------------
mkdir -p cni/bin cni/net pm/root pm/runroot pm/tmp run ctl img/rootfs
chmod 755 run
cp "$GRAFT_BIN/graft-cni" cni/bin/graft
start_graftd || { fail "$N: graftd did not start: $(cat "$GRAFTD_LOG")"; exit 1; }
# examples/cni/graft.conflist with the test's control socket, and mappings
# without a host address on the host's loopback only (the plugin's
# "hostIP"; the example leaves it out: 0.0.0.0)
python3 - "$GRAFT_TOP/examples/cni/graft.conflist" "$GRAFTD_CTL" > cni/net/graft.conflist <<'PY' ||
import json, sys
c = json.load(open(sys.argv[1]))
g = [p for p in c["plugins"] if p["type"] == "graft"][0]
g["control"], g["hostIP"] = sys.argv[2], "127.0.0.1"
json.dump(c, sys.stdout, indent=2)
PY
	{ fail "$N: examples/cni/graft.conflist is not a conflist with a graft plugin"; exit 1; }
# examples/cni/containers.conf with our directories (its
# enable_port_reservation = false: else podman binds every -p host port
# itself and holds it in conmon, where graftd must bind it)
sed -e "s|^cni_plugin_dirs = .*|cni_plugin_dirs = [\"$T_TMP/cni/bin\", \"/usr/lib/cni\"]|" \
    -e "s|^network_config_dir = .*|network_config_dir = \"$T_TMP/cni/net\"|" \
    -e 's|^\[engine\]$|&\nruntime = "runc"\nevents_logger = "file"|' \
    "$GRAFT_TOP/examples/cni/containers.conf" > containers.conf
export CONTAINERS_CONF=$T_TMP/containers.conf
pm() {
	timeout 60 podman --root "$T_TMP/pm/root" --runroot "$T_TMP/pm/runroot" \
		--storage-driver vfs --tmpdir "$T_TMP/pm/tmp" "$@"
}
pm_cleanup() {
	pm rm -f -a -t 0 >/dev/null 2>&1
	pm rmi -f -a >/dev/null 2>&1
	# anything podman left mounted under the scratch directory
	awk -v t="$T_TMP/" 'index($2, t) == 1 {print $2}' /proc/self/mounts | sort -r |
		while read -r _m; do umount -l "$_m" 2>/dev/null; done
	t_cleanup
}
trap 'pm_cleanup' EXIT

# the image: Alpine + the static httpd + graft.conf asking graftd for rules
"$GRAFT_CC" -O2 -o img/httpd "$GRAFT_TOP/examples/httpd.c" ||
	{ fail "$N: building examples/httpd.c with graft-cc"; exit 1; }
tar -xzf "$ROOTFS_TGZ" -C img/rootfs || { fail "$N: unpacking $ROOTFS_TGZ"; exit 1; }
cp img/httpd img/rootfs/httpd && mkdir -p img/rootfs/run/graft &&
printf 'broker /run/graft/graftd.sock\nrules broker\n' > img/rootfs/etc/graft.conf &&
tar -C img/rootfs -cf img/image.tar . || { fail "$N: making the image's root"; exit 1; }
IMG=localhost/graft-podman-cni-$$:1
if ! pm import img/image.tar "$IMG" >import.log 2>&1; then
	fail "$N: podman import: $(tail -n 3 import.log)"; exit 1
fi
# (at most 1024, at most what this shell has: podman's defaults exceed the
# hard limits here)
lim() { awk -v k="$1" '$0 ~ "^Max " k {v = $(NF - 2); print (v == "unlimited" || v > 1024) ? 1024 : v}' /proc/self/limits; }
U="--ulimit nofile=$(lim "open files"):$(lim "open files") --ulimit nproc=$(lim processes):$(lim processes)"
echo "# podman $(podman --version | sed 's/.* //'), runc $(runc --version | sed -n '1s/.* //p'), ${ROOTFS_TGZ##*/}"
check "$N: podman lists the network graft (CNI backend, our conflist)" \
	eval 'pm network ls --format "{{.Name}} {{.Driver}}" 2>/dev/null | grep -qx "graft graft"'

# prun NAME ARGS... -- CMD...: a detached container on the graft network
prun() {
	_n=$1; shift
	# shellcheck disable=SC2086
	pm run -d --name "$_n" --network graft $U -v "$T_TMP/run:/run/graft:ro" "$@"
}
nspath() { pm inspect "$1" --format '{{.NetworkSettings.SandboxKey}}' 2>/dev/null; }
cpid() { pm inspect "$1" --format '{{.State.Pid}}' 2>/dev/null; }
# eps NSPATH: graftctl show's endpoints in that netns
eps() { graftctl show 2>/dev/null | awk -v p="$1" '{ for (i = 1; i < NF; i++) if ($i == "netns" && $(i + 1) == p) print }'; }
neps() { eps "$1" | grep -c " direction ingress "; }
page() { curl -sS --max-time 5 "http://127.0.0.1:$1/" 2>&1; }
waitpage() { wait_for curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$1/"; }
show_all() { graftctl show 2>&1 | sed 's/^/# graftctl show: /'; sed 's/^/# graftd: /' "$GRAFTD_LOG" | tail -n 5; }

_b=$(port_base 4)
P1=$_b P2=$((_b + 1)) P3=$((_b + 2)) P4=$((_b + 3))

# --- A: podman run -p ---------------------------------------------------------------
if ! prun A -p "$P1:80" -p "$P3:8080" "$IMG" /httpd -p 80 >runA.log 2>&1; then
	fail "$N: podman run --network graft -p $P1:80 -p $P3:8080: $(tail -n 3 runA.log)"; show_all; exit 1
fi
NSA=$(nspath A)
links=$(nsenter --net="$NSA" ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | tr '\n' ' ')
check "$N: A's netns ($NSA) has only lo ($links)" [ "$links" = "lo " ]
eps "$NSA" > epsA
check "$N: graftctl show: A's netns has its two mappings and the two egress endpoints ($(tr '\n' ';' < epsA))" \
	eval '[ "$(grep -c . epsA)" = 4 ] && [ "$(neps "$NSA")" = 2 ] &&
	      grep -q "^e0 type ipv4 addr 0.0.0.0 port dynamic .*direction egress .*match 0.0.0.0/0" epsA &&
	      grep -q "^e1 type ipv6 addr :: port dynamic .*direction egress .*match ::/0" epsA && grep -q " port $P1 " epsA && grep -q " port $P3 " epsA &&
	      grep " port $P1 " epsA | grep -q "addr 127.0.0.1 " && grep " port $P1 " epsA | grep -q "direction ingress"'
waitpage "$P1"
out=$(page "$P1")
case $out in
"hello from httpd: listening on 0.0.0.0:80, you are 127.0.0.1:"*)
	pass "$N: curl http://127.0.0.1:$P1/ on the host reaches A's httpd on port 80 ($out)" ;;
*)	fail "$N: curl http://127.0.0.1:$P1/ on the host reaches A's httpd ($out)"
	pm logs A 2>&1 | tail -n 5 | sed 's/^/# A: /'; show_all ;;
esac
check "$N: the host port is graftd's socket, held by A's httpd (no proxy)" \
	eval 'ss -Htlnp "sport = :$P1" | grep -q "\"httpd\",pid=$(cpid A),"'

# --- B: another mapping, another table -------------------------------------------------
if ! prun B -p "127.0.0.1:$P2:81" "$IMG" /httpd -p 81 >runB.log 2>&1; then
	fail "$N: podman run -p 127.0.0.1:$P2:81: $(tail -n 3 runB.log)"; show_all; exit 1
fi
NSB=$(nspath B)
eps "$NSB" > epsB
check "$N: graftctl show: B's netns has only its own mapping ($(tr '\n' ';' < epsB))" \
	eval '[ "$(neps "$NSB")" = 1 ] && grep -q " port $P2 " epsB && ! grep -q " port \($P1\|$P3\) " epsB'
idA=$(pm inspect A --format '{{.Id}}' 2>/dev/null) idB=$(pm inspect B --format '{{.Id}}' 2>/dev/null)
out=$(graftctl attachments network graft 2>&1)
check "$N: graftctl attachments network graft: A's and B's, CONTAINERID/eth0 tagged with the network ($(echo "$out" | tr '\n' ';'))" \
	[ "$out" = "$(printf '%s/eth0 netns %s endpoints 4 network graft\n%s/eth0 netns %s endpoints 3 network graft' "$idA" "$NSA" "$idB" "$NSB")" ]
waitpage "$P2"
out=$(page "$P2")
check "$N: curl http://127.0.0.1:$P2/ reaches B ($out)" \
	eval 'case $out in "hello from httpd: listening on 0.0.0.0:81, "*) true ;; *) false ;; esac'
# B binds A's container port: not one of its rules, so a socket of B's own netns
out=$(pm exec B sh -c '/httpd -p 80 -n 1 2>/dev/null & sleep 0.5; wget -q -T 3 -O - http://127.0.0.1:80/' 2>&1)
check "$N: B's bind of port 80 (A's, not B's mapping) stays in B's netns ($out)" \
	eval 'case $out in "hello from httpd: listening on 0.0.0.0:80, you are 127.0.0.1:"*) true ;; *) false ;; esac'
out=$(page "$P1")
check "$N: and $P1 still reaches A ($out)" \
	eval 'ss -Htlnp "sport = :$P1" | grep -q "\"httpd\",pid=$(cpid A)," && case $out in "hello from httpd: listening on 0.0.0.0:80, "*) true ;; *) false ;; esac'
# raw requests from B's netns (graft-request on the host, in B's netns only)
breq() { timeout 10 nsenter --net="$NSB" "$REQ" -s "$GRAFTD_SOCK" "$@" 2>&1; }
out=$(breq -i p1); rc=$?
check "$N: from B's netns, a request for endpoint p1 (A's $P3) is refused ($out)" \
	eval '[ $rc = 3 ] && echo "$out" | grep -q "^refused errno=ENOENT reason=6"'
# B's p0 is B's own mapping: asking it for A's port binds B's port at most
# (held by B's httpd here), never A's
out=$(breq -i -p "$P1" p0); rc=$?
check "$N: from B's netns, p0 with A's port $P1 gets no socket on $P1 ($out)" \
	eval '[ $rc = 3 ] && echo "$out" | grep -q "^refused " &&
	      [ "$(ss -Htlnp "sport = :$P1" | grep -c "\"httpd\",pid=$(cpid A),")" = 1 ] &&
	      [ "$(ss -Htln "sport = :$P1" | grep -c .)" = 1 ]'
areq() { timeout 10 nsenter --net="$NSA" "$REQ" -s "$GRAFTD_SOCK" "$@" 2>&1; }
out=$(areq -i p1); rc=$?
check "$N: the same request from A's netns is granted ($out)" \
	eval '[ $rc = 0 ] && echo "$out" | grep -q "^granted family=inet addr=127.0.0.1:$P3"'

# --- C: A's host port again ----------------------------------------------------------
prun C -p "$P1:80" "$IMG" /httpd -p 80 >runC.log 2>&1; rc=$?
sed 's/^/# C: /' runC.log | tail -n 3
check "$N: a third container asking for $P1 fails to start, saying why" \
	eval '[ $rc != 0 ] && grep -q "already mapped" runC.log && grep -q "$P1" runC.log'
check "$N: nothing of C is in graftd, A is intact" \
	eval '[ "$(graftctl show | grep -c " direction ingress ")" = 3 ] && [ "$(neps "$NSA")" = 2 ] && page "$P1" | grep -q "^hello"'
pm rm -f -t 0 C >/dev/null 2>&1

# --- stop, start, restart ---------------------------------------------------------------
pm stop -t 1 A >/dev/null 2>&1
check "$N: podman stop A removes its endpoints (graftctl show)" eval '[ "$(neps "$NSA")" = 0 ] && [ "$(neps "$NSB")" = 1 ]'
check "$N: and $P1 is closed" eval '! curl -s --max-time 3 -o /dev/null "http://127.0.0.1:$P1/"'
pm start A >start.log 2>&1 || sed 's/^/# start: /' start.log
NSA=$(nspath A)
waitpage "$P1"
check "$N: podman start A: its endpoints are back ($NSA) and curl works" \
	eval '[ "$(neps "$NSA")" = 2 ] && page "$P1" | grep -q "^hello from httpd: listening on 0.0.0.0:80, "'
pm restart -t 1 A >restart.log 2>&1 || sed 's/^/# restart: /' restart.log
NSA=$(nspath A)
waitpage "$P1"
check "$N: podman restart A: endpoints on its new netns ($NSA), curl works" \
	eval '[ "$(neps "$NSA")" = 2 ] && [ "$(graftctl show | grep -c " direction ingress ")" = 3 ] &&
	      page "$P1" | grep -q "^hello from httpd: listening on 0.0.0.0:80, "'

# --- graftd restart ---------------------------------------------------------------------
kill_wait "$GRAFTD_PID"
start_graftd || { fail "$N: graftd did not start again: $(cat "$GRAFTD_LOG")"; exit 1; }
out=$(page "$P1")
check "$N: after a graftd restart, A's granted listener still serves ($out)" \
	eval 'case $out in "hello from httpd: listening on 0.0.0.0:80, "*) true ;; *) false ;; esac'
# graftd's state file (default: beside its control socket) brings the
# attachments back by themselves: A's netns is attached again, and new
# requests from A are granted without any help from podman
out=$(areq -i p1)
check "$N: after its restart graftd holds A's and B's attachments again (state file): A's new requests are granted ($out)" \
	eval '[ "$(neps "$NSA")" = 2 ] && [ "$(neps "$NSB")" = 1 ] && echo "$out" | grep -q "^granted family=inet addr=127.0.0.1:$P3"'
# podman network reload runs the CNI ADD again for a running container:
# the same netns attached to the new graftd, the process untouched
pid=$(cpid A)
pm network reload A >reload.log 2>&1 || sed 's/^/# reload: /' reload.log
out=$(areq -i p1)
check "$N: podman network reload A (CNI ADD again) replaces its attachment: same process, curl works, new requests granted" \
	eval '[ "$(neps "$NSA")" = 2 ] && [ "$(cpid A)" = "$pid" ] && page "$P1" | grep -q "^hello from httpd: listening on 0.0.0.0:80, " &&
	      echo "$out" | grep -q "^granted family=inet addr=127.0.0.1:$P3"'
pm restart -t 1 B >restart2.log 2>&1 || sed 's/^/# restart: /' restart2.log
NSB=$(nspath B)
waitpage "$P2"
check "$N: podman restart B attaches it again too, curl works" \
	eval '[ "$(neps "$NSB")" = 1 ] && page "$P2" | grep -q "^hello from httpd: listening on 0.0.0.0:81, "'

# --- no CNI: examples/oci/hooks.d and graft-oci-hook, --network none -----------------------
mkdir -p hooks
for _h in attach detach; do
	python3 - "$GRAFT_TOP/examples/oci/hooks.d/graft-$_h.json" "$GRAFT_TOP/examples/oci/graft-oci-hook" \
		"$GRAFTD_CTL" "$GRAFT_BIN/graftctl" > "hooks/graft-$_h.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
h["hook"]["path"] = sys.argv[2]
a = h["hook"]["args"]
h["hook"]["args"] = [a[0], "-c", sys.argv[3], "-g", sys.argv[4], a[-1]]
json.dump(h, sys.stdout)
PY
done
# shellcheck disable=SC2086
pm --hooks-dir "$T_TMP/hooks" run -d --name H --network none $U -v "$T_TMP/run:/run/graft:ro" \
	--annotation "org.graft.ports=127.0.0.1:$P4:80" "$IMG" /httpd -p 80 >runH.log 2>&1 ||
	sed 's/^/# H: /' runH.log
IDH=$(pm inspect H --format '{{.Id}}' 2>/dev/null)
graftctl show > showH 2>&1
check "$N: podman --network none with the hooks.d hook: $IDH attached by its annotation ($(grep "port $P4 " showH))" \
	eval 'grep -q "^p0 type ipv4 addr 127.0.0.1 port $P4 netns /proc/$(cpid H)/ns/net .*match \*:80" showH'
waitpage "$P4"
out=$(page "$P4")
check "$N: curl reaches it ($out)" \
	eval 'case $out in "hello from httpd: listening on 0.0.0.0:80, "*) true ;; *) false ;; esac'
pm --hooks-dir "$T_TMP/hooks" rm -f -t 1 H >/dev/null 2>&1
check "$N: podman rm runs the poststop hook: H's endpoint is gone" eval '! graftctl show | grep -q " port $P4 "'

# --- rm ----------------------------------------------------------------------------------
IDA=$(pm inspect A --format '{{.Id}}') IDB=$(pm inspect B --format '{{.Id}}')
pm rm -f -t 1 A B >/dev/null 2>&1
check "$N: podman rm leaves nothing: no container, no attachment, no netns, no CNI cache" \
	eval '[ -z "$(pm ps -a -q)" ] && [ -z "$(graftctl show)" ] && [ ! -e "$NSA" ] && [ ! -e "$NSB" ] &&
	      ! ls /var/lib/cni/results 2>/dev/null | grep -q "$IDA\|$IDB"'
check "$N: and the host ports are free" eval '! ss -Htln | grep -q ":\($P1\|$P2\|$P3\) "'
t_done
