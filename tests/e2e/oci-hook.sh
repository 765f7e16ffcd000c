#!/bin/sh
# oci-hook.sh - examples/oci/graft-oci-hook run by runc itself as the
# container's createRuntime and poststop hooks, and the same hook through
# examples/oci/graft-runc (the runc wrapper for dockerd) on a bundle with
# no hook: the annotation org.graft.ports (or the file DIR/ID.ports) names
# the mappings, org.graft.egress the egress prefixes, the hook
# attaches the container's netns (/proc/PID/ns/net) to graftd, the static
# httpd in it (graft.conf: `rules broker`) serves a host client, delete
# detaches it.  Refusals: a bad annotation, a host port already mapped.
# A bundle of examples/oci/mkbundle.sh (uid 65534, only lo); runc's state
# in the scratch directory.
. "$(dirname "$0")/../lib/common.sh"

cd "$T_TMP" || exit 2
N=oci-hook
need_netns "$N"
for _t in runc python3 curl; do
	command -v $_t >/dev/null || { skip "$N ($_t is not installed: tests/apps/deps.sh installs it)"; exit 0; }
done
for _f in "$GRAFT_CC" "$GRAFT_BIN/graftd" "$GRAFT_BIN/graftctl"; do
	[ -x "$_f" ] || { skip "$N ($_f is not built)"; exit 0; }
done
HOOK=$GRAFT_TOP/examples/oci/graft-oci-hook
WRAP=$GRAFT_TOP/examples/oci/graft-runc
RROOT=$T_TMP/runc
rt() { timeout 30 runc --root "$RROOT" "$@"; }
IDS=
rt_cleanup() {
	for _c in $IDS; do
		rt kill "$_c" KILL >/dev/null 2>&1
		rt delete -f "$_c" >/dev/null 2>&1
	done
	t_cleanup
}
trap 'rt_cleanup' EXIT

mkdir -p "$T_TMP/run"
chmod 755 "$T_TMP/run"
# the container runs as 65534:65534: the request socket's group (0660)
echo "socket-owner :65534" >"$T_TMP/graftd.conf"
start_graftd -f "$T_TMP/graftd.conf" || { fail "$N: graftd did not start: $(cat "$GRAFTD_LOG")"; exit 1; }
"$GRAFT_CC" -O2 -o "$T_TMP/httpd" "$GRAFT_TOP/examples/httpd.c" ||
	{ fail "$N: building examples/httpd.c with graft-cc"; exit 1; }
printf 'broker /run/graft/graftd.sock\nrules broker\n' > "$T_TMP/graft.conf"
_b=$(port_base 3)
P1=$_b P2=$((_b + 1)) P3=$((_b + 2))

# bundle DIR PORTS [hooks [EGRESS]]: a bundle whose annotation
# org.graft.ports is PORTS (none when empty), org.graft.egress EGRESS when
# given, with the hook as createRuntime and poststop hook when "hooks"
# (its per-container files in $T_TMP/ocid)
bundle() {
	"$GRAFT_TOP/examples/oci/mkbundle.sh" -c "$T_TMP/graft.conf" -s "$T_TMP/run" \
		"$1" "$T_TMP/httpd" -p 8080 >/dev/null || return 1
	python3 - "$1/config.json" "$2" "${3:-}" "${4:-}" "$HOOK" "$GRAFTD_CTL" "$GRAFT_BIN/graftctl" "$T_TMP/ocid" <<'PY'
import json, sys
path, ports, hooks, egress, hook, ctl, graftctl, d = sys.argv[1:]
c = json.load(open(path))
c["annotations"] = {}
if ports:
    c["annotations"]["org.graft.ports"] = ports
if egress:
    c["annotations"]["org.graft.egress"] = egress
if hooks:
    h = lambda stage: [{"path": hook, "args": ["graft-oci-hook", "-c", ctl, "-g", graftctl, "-d", d, stage],
                        "timeout": 10}]
    c["hooks"] = {"createRuntime": h("createRuntime"), "poststop": h("poststop")}
json.dump(c, open(path, "w"), indent=2)
PY
}
cpid() { rt state "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])'; }
page() { curl -sS --max-time 5 "http://127.0.0.1:$1/" 2>&1; }
waitpage() { wait_for curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$1/"; }
stop_ctr() {	# (httpd is the container's init: only SIGKILL ends it)
	rt kill "$1" KILL >/dev/null 2>&1
	_i=0
	while [ $_i -lt 50 ] && rt state "$1" 2>/dev/null | grep -q '"running"'; do sleep 0.1; _i=$((_i + 1)); done
}

# --- runc runs the hook ----------------------------------------------------------------
A=graft-hook-a-$$
IDS="$IDS $A"
bundle "$T_TMP/a" "127.0.0.1:$P1:8080" hooks || { fail "$N: making the bundle"; exit 1; }
if ! rt create -b "$T_TMP/a" "$A" </dev/null >"$T_TMP/a.out" 2>&1; then
	fail "$N: runc create with the createRuntime hook: $(tail -n 3 "$T_TMP/a.out")"; exit 1
fi
PA=$(cpid "$A")
graftctl show > show.a 2>&1
check "$N: createRuntime: the hook attached $A's netns (/proc/$PA/ns/net): $(cat show.a)" \
	eval '[ "$(grep -c . show.a)" = 1 ] &&
	      grep -q "^p0 type ipv4 addr 127.0.0.1 port $P1 netns /proc/$PA/ns/net .*direction ingress.*match \*:8080" show.a'
rt start "$A" >>"$T_TMP/a.out" 2>&1
waitpage "$P1"
out=$(page "$P1")
check "$N: curl on the host reaches the container's httpd through its rules from graftd ($out)" \
	eval 'case $out in "hello from httpd: listening on 0.0.0.0:8080, you are 127.0.0.1:"*) true ;; *) false ;; esac'

# the same host port for another container: refused at create, nothing left
B=graft-hook-b-$$
IDS="$IDS $B"
bundle "$T_TMP/b" "$P1:8080" hooks
rt create -b "$T_TMP/b" "$B" </dev/null >"$T_TMP/b.out" 2>&1; rc=$?
sed 's/^/# create: /' "$T_TMP/b.out" | tail -n 2
check "$N: a second container mapping host port $P1 fails to create, saying why" \
	eval '[ $rc != 0 ] && grep -q "already mapped by $A" "$T_TMP/b.out" && ! rt state "$B" >/dev/null 2>&1'
check "$N: and graftd still holds only $A's endpoint" eval '[ "$(graftctl show | grep -c .)" = 1 ]'

# a bad annotation: the hook refuses it before graftctl runs
C=graft-hook-c-$$
IDS="$IDS $C"
bundle "$T_TMP/c" "$P2:8080;touch /tmp/x" hooks
rt create -b "$T_TMP/c" "$C" </dev/null >"$T_TMP/c.out" 2>&1; rc=$?
check "$N: an annotation that is not a mapping list fails the create ($(grep -o 'graft-oci-hook: mapping .*: \[HOSTIP' "$T_TMP/c.out" | head -n 1 | sed 's/: \[HOSTIP$//' | tr -d '\\'))" \
	eval '[ $rc != 0 ] && grep -q "graft-oci-hook: mapping" "$T_TMP/c.out" && ! rt state "$C" >/dev/null 2>&1 &&
	      [ "$(graftctl show | grep -c .)" = 1 ]'

stop_ctr "$A"
rt delete "$A" >>"$T_TMP/a.out" 2>&1
check "$N: runc delete runs the poststop hook: graftd holds nothing, $P1 is closed" \
	eval '[ -z "$(graftctl show)" ] && ! curl -s --max-time 3 -o /dev/null "http://127.0.0.1:$P1/"'

# no annotation: the per-container file names the mappings, and egress
E=graft-hook-e-$$
IDS="$IDS $E"
mkdir -p "$T_TMP/ocid"
printf '127.0.0.1:%s:8080\n' "$P2" > "$T_TMP/ocid/$E.ports"
bundle "$T_TMP/e" "" hooks "10.99.0.0/16, fd00::/8"
if rt create -b "$T_TMP/e" "$E" </dev/null >"$T_TMP/e.out" 2>&1; then
	PE=$(cpid "$E")
	graftctl show > show.e 2>&1
	check "$N: from $E.ports and org.graft.egress: $(tr '\n' ';' < show.e)" \
		eval '[ "$(grep -c " netns /proc/$PE/ns/net " show.e)" = 3 ] &&
		      grep -q "^p0 type ipv4 addr 127.0.0.1 port $P2 .*match \*:8080" show.e &&
		      grep -q "^e0 type ipv4 addr 0.0.0.0 port dynamic .*direction egress match 10.99.0.0/16" show.e &&
		      grep -q "^e1 type ipv6 addr :: port dynamic .*direction egress match fd00::/8" show.e'
else
	fail "$N: runc create with $E.ports: $(tail -n 3 "$T_TMP/e.out")"
fi
rt delete -f "$E" >/dev/null 2>&1
check "$N: runc delete -f of a created container runs poststop too" eval '[ -z "$(graftctl show)" ]'

# --- the runc wrapper, on a bundle without hooks ---------------------------------------------
D=graft-hook-d-$$
IDS="$IDS $D"
bundle "$T_TMP/d" "127.0.0.1:$P3:8080,127.0.0.1:$P2:9090/udp"
wrap() {
	GRAFT_RUNC=runc GRAFT_OCI_HOOK=$HOOK GRAFT_OCI_HOOK_OPTS="-c $GRAFTD_CTL -g $GRAFT_BIN/graftctl" \
		timeout 30 "$WRAP" --root "$RROOT" --log "$T_TMP/runc.log" --log-format json "$@"
}
if ! wrap create --bundle "$T_TMP/d" "$D" </dev/null >"$T_TMP/d.out" 2>&1; then
	fail "$N: graft-runc create: $(tail -n 3 "$T_TMP/d.out")"; exit 1
fi
PD=$(cpid "$D")
graftctl show > show.d 2>&1
check "$N: graft-runc create attached $D: $(tr '\n' ';' < show.d)" \
	eval '[ "$(grep -c " netns /proc/$PD/ns/net " show.d)" = 2 ] &&
	      grep -q "^p1 type ipv4 addr 127.0.0.1 port $P2 .*proto udp" show.d'
wrap start "$D" >>"$T_TMP/d.out" 2>&1
waitpage "$P3"
out=$(page "$P3")
check "$N: curl reaches the container started through graft-runc ($out)" \
	eval 'case $out in "hello from httpd: listening on 0.0.0.0:8080, "*) true ;; *) false ;; esac'
stop_ctr "$D"
wrap delete "$D" >>"$T_TMP/d.out" 2>&1
check "$N: graft-runc delete detached it" eval '[ -z "$(graftctl show)" ] && ! rt state "$D" >/dev/null 2>&1'
t_done
