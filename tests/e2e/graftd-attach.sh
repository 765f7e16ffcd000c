#!/bin/sh
# graftd-attach.sh - attachments (graftctl attach/detach/check, what a CNI
# plugin sends): netns paths (ip netns and /proc/PID/ns/net), grants from
# inside, replace, EEXIST, EADDRINUSE, all or nothing, check (ENOENT,
# ESTALE), limits, bad IDs and paths, proto tcp|udp, the GRAFT_OP_RULES
# answer, reloads.
. "$(dirname "$0")/../lib/common.sh"
need_netns "graftd attach"
REQ=$GRAFT_BUILD/tests/graft-request
if [ ! -x "$REQ" ] || [ ! -x "$GRAFT_BIN/graftctl" ]; then
	fail "graftd attach (graftd, graftctl or graft-request not built)"
	t_done
fi
if ! command -v python3 >/dev/null || ! command -v unshare >/dev/null ||
    ! command -v nsenter >/dev/null; then
	skip "graftd attach (needs python3, unshare and nsenter)"
	exit 0
fi

base=$(port_base 6)
P1=$base P2=$((base + 1)) P3=$((base + 2)) PC=$((base + 3)) P4=$((base + 4))
CONF=$T_TMP/graftd.conf
quiet() { "$@" >/dev/null 2>&1; }

# two namespaces of the CNI kinds: a bind mount made by ip netns, and a
# process's own (the runtime's /proc/PID/ns/net)
N1=cniattach-$$
ip netns add "$N1" || { fail "make a namespace"; t_done; }
T_NETNS="$T_NETNS $N1"
ip -n "$N1" link set lo up
NS1=/run/netns/$N1
bg unshare -n sleep 60
SPID=$!
wait_for sh -c "[ \"\$(readlink /proc/$SPID/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" ||
    { fail "unshare -n"; t_done; }
NS2=/proc/$SPID/ns/net
mk_netns B || { fail "make a namespace"; t_done; }
NS3=/run/netns/$B

cat >"$CONF" <<EOF
endpoint cfg type ipv4 addr 127.0.0.1 port $PC netns host direction ingress
EOF
start_graftd -f "$CONF" || { fail "graftd starts"; t_done; }
in1() { ip netns exec "$N1" "$REQ" -s "$GRAFTD_SOCK" "$@"; }
in2() { nsenter -t "$SPID" -n "$REQ" -s "$GRAFTD_SOCK" "$@"; }
inB() { ip netns exec "$B" "$REQ" -s "$GRAFTD_SOCK" "$@"; }
# ctl WORD...: one raw control record (no graftctl checks), the answer's
# records on stdout
ctl() {
	python3 - "$GRAFTD_CTL" "$@" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(sys.argv[1])
s.send(b"".join(w.encode() + b"\0" for w in sys.argv[2:]))
while True:
    r = s.recv(20000).decode()
    print(r)
    if not r.startswith("D"):
        break
EOF
}
EP1="endpoint p1 type ipv4 addr 127.0.0.1 port $P1 direction ingress proto tcp match *:8080"
EPE="endpoint e1 type ipv4 addr 0.0.0.0 port dynamic direction egress match 10.0.0.0/8"

# --- attach, show, grants from inside
check "attach an ip netns path" graftctl attach c1/eth0 netns "$NS1" $EP1 $EPE
graftctl show >"$T_TMP/show"
check "show: the endpoint with its netns path, proto and match" grep -qx \
    "p1 type ipv4 addr 127.0.0.1 port $P1 netns $NS1 direction ingress proto tcp match \*:8080" \
    "$T_TMP/show"
check "show: the egress endpoint's match" grep -qx \
    "e1 type ipv4 addr 0.0.0.0 port dynamic netns $NS1 direction egress match 10.0.0.0/8" \
    "$T_TMP/show"
check "show -j: attach, proto, match" sh -c "'$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' -j show | python3 -c '
import json, sys
d = [e for e in json.load(sys.stdin) if e[\"name\"] == \"p1\"][0]
assert d[\"attach\"] == \"c1/eth0\" and d[\"netns\"] == \"$NS1\", d
assert d[\"proto\"] == \"tcp\" and d[\"match\"] == \"*:8080\", d'"
check "stats -j: the attachment's endpoints" sh -c "'$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' -j stats | python3 -c '
import json, sys
d = json.load(sys.stdin)[\"endpoints\"]
assert [e[\"name\"] for e in d if e.get(\"attach\") == \"c1/eth0\"] == [\"p1\", \"e1\"], d'"
out=$(in1 -i p1 2>&1)
check "a bind from inside the attached netns is granted" \
    [ "$out" = "granted family=inet addr=127.0.0.1:$P1" ]
out=$(in1 -t dgram -i p1 2>&1)
check "proto tcp refuses a udp request (GRAFT_R_TYPE)" \
    [ "$out" = "refused errno=EPROTOTYPE reason=7" ]

# --- GRAFT_OP_RULES
in1 -Q >"$T_TMP/rules" 2>&1
printf 'rules 2\nrule ingress *:8080-8080 p1 tcp\nrule egress 10.0.0.0/8 e1 any\n' >"$T_TMP/want"
check "rules: both matches, in attach order, each with its endpoint's proto ($(tr '\n' ' ' <"$T_TMP/rules"))" \
    cmp -s "$T_TMP/rules" "$T_TMP/want"
out=$(inB -Q 2>&1)
check "rules: a netns without table: ENOENT NONS" \
    [ "$out" = "refused errno=ENOENT reason=5" ]
out=$(in1 -F 1 -Q 2>&1)
check "rules: a field not zero is malformed" \
    [ "$out" = "refused errno=EBADMSG reason=1" ]
out=$(in1 -O 2 x 2>&1)
check "rules: op RULES in a graft request's shape is malformed" \
    [ "$out" = "refused errno=EBADMSG reason=1" ]
out=$("$REQ" -s "$GRAFTD_SOCK" -Q 2>&1)
check "rules: a netns with only graftd.conf's table: none" [ "$out" = "rules 0" ]

# --- a graft-cc program's bind in the attached netns, through the libc
if [ -x "$GRAFT_CC" ] && NET=$(test_app core_net); then
	printf 'broker %s\ningress 0.0.0.0:8080 p1\n' "$GRAFTD_SOCK" >"$T_TMP/graft.conf"
	bg ip netns exec "$N1" env GRAFT_CONF="$T_TMP/graft.conf" "$NET" \
	    serve-tcp 0.0.0.0 8080 1 >"$T_TMP/srv" 2>&1
	if wait_for grep -q '^ready' "$T_TMP/srv"; then
		out=$(env GRAFT=off "$NET" client-tcp 127.0.0.1 "$P1" 2>&1)
		check "a graft-cc server in the attached netns is reached on the host port ($out)" \
		    sh -c 'expr "$0" : ".*reply=hello from" >/dev/null' "$out"
	else
		fail "a graft-cc server in the attached netns: $(cat "$T_TMP/srv")"
	fi
else
	skip "a graft-cc program in the attached netns (graft-cc or core_net not built)"
fi

# --- a /proc/PID/ns/net path, traffic through the grafted listener
check "attach a /proc/PID/ns/net path" graftctl attach c2 netns "$NS2" \
    endpoint q1 type ipv4 addr 127.0.0.1 port $P2 direction ingress
bg in2 -i q1 -x listen >"$T_TMP/listen" 2>&1
wait_for grep -q granted "$T_TMP/listen"
check "the grant inside the process's netns" \
    grep -qx "granted family=inet addr=127.0.0.1:$P2" "$T_TMP/listen"
out=""
wait_for sh -c "'$REQ' -C 127.0.0.1:$P2 | grep -qx connected" && out=ok
check "the host connects to the listener bound from inside" [ "$out" = ok ]

# --- a port below 1024 when graftd gave up CAP_NET_BIND_SERVICE (auto:
# no such port in its file) is refused at the attach, not at each bind
graftctl attach low1 netns "$NS3" endpoint p0 type ipv4 addr 127.0.0.1 \
    port 80 direction ingress match '*:80' 2>"$T_TMP/err"
check "a host port below 1024 without the capability: exit 1" [ $? -eq 1 ]
check "a host port below 1024 without the capability: EACCES, says why" \
    grep -q "Permission denied: endpoint \"p0\": port 80 is below 1024.*privileged-ports yes" "$T_TMP/err"
graftctl show >"$T_TMP/show"
check "a host port below 1024 without the capability: nothing attached" \
    sh -c "! grep -q ' netns $NS3 ' '$T_TMP/show'"

# --- EEXIST, EADDRINUSE, all or nothing
graftctl attach c3 netns "$NS2" 2>"$T_TMP/err"
check "the same netns under another ID: exit 1" [ $? -eq 1 ]
check "the same netns under another ID: EEXIST" \
    grep -q "File exists.*already attached as c2" "$T_TMP/err"
graftctl attach c3 netns "$NS3" endpoint x type ipv4 addr 0.0.0.0 \
    port $P1 direction ingress 2>"$T_TMP/err"
check "a host port of another attachment: exit 1" [ $? -eq 1 ]
check "a host port of another attachment: EADDRINUSE, names it" \
    grep -q "Address already in use: host port $P1 already mapped by c1/eth0" \
    "$T_TMP/err"
graftctl attach c3 netns "$NS3" endpoint x type ipv4 addr 127.0.0.1 \
    port $((PC - 1))-$PC direction both 2>"$T_TMP/err"
check "a host port of graftd.conf: EADDRINUSE" \
    grep -q "host port $PC already mapped by endpoint \"cfg\" netns host" \
    "$T_TMP/err"
check "the other proto on the same port is no overlap" graftctl attach c3 \
    netns "$NS3" endpoint x type ipv4 addr 127.0.0.1 port $P1 proto udp
check "other families do not overlap" graftctl attach c3 netns "$NS3" \
    endpoint x type ipv6 addr :: port $P1
graftctl attach c4 netns "$NS3" endpoint ok type ipv4 addr 127.0.0.1 \
    port $P4 endpoint bad type ipv4 addr 127.0.0.1 port $PC 2>/dev/null
check "all or nothing: a bad endpoint, exit 1" [ $? -eq 1 ]
check "all or nothing: its good endpoint is not there" \
    sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q '^ok '"
check "detach c3" graftctl detach c3

# --- replace
check "attach again replaces" graftctl attach c1/eth0 netns "$NS1" \
    endpoint p1 type ipv4 addr 127.0.0.1 port $P3 direction ingress proto udp \
    match '*:9090'
graftctl show >"$T_TMP/show"
check "replace: the new endpoint" grep -q "^p1 .* port $P3 netns $NS1 " \
    "$T_TMP/show"
check "replace: the old ones gone" sh -c "! grep -q ' port $P1 \|^e1 ' '$T_TMP/show'"
out=$(in1 -Q 2>&1 | tr '\n' ' ')
check "replace: the rules follow, proto udp ($out)" \
    [ "$out" = "rules 1 rule ingress *:9090-9090 p1 udp " ]
graftctl attach c1/eth0 netns "$NS1" endpoint p1 type ipv4 addr 127.0.0.1 \
    port $PC 2>/dev/null
check "a failed replace: exit 1" [ $? -eq 1 ]
check "a failed replace leaves the attachment as it was" sh -c "'$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q '^p1 .* port $P3 netns $NS1 '"

# --- reload keeps attachments
kill -HUP "$GRAFTD_PID"
wait_for grep -q reloaded "$GRAFTD_LOG"
check "a reload keeps the attachments" sh -c "'$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q '^q1 .* netns $NS2'"
out=$(in2 -Q 2>&1)
check "after a reload: the attached netns still has its table" [ "$out" = "rules 0" ]

# --- check
check "check: attached, same netns" graftctl check c1/eth0 netns "$NS1"
graftctl check nosuch netns "$NS1" 2>"$T_TMP/err"
check "check: not attached: exit 1, ENOENT" \
    sh -c "[ $? -eq 1 ] && grep -q 'No such file.*nosuch not attached' '$T_TMP/err'"
graftctl check c1/eth0 netns "$NS2" 2>"$T_TMP/err"
check "check: another netns: ESTALE" grep -q "netns of c1/eth0 changed" "$T_TMP/err"
ip netns del "$N1"
graftctl check c1/eth0 netns "$NS1" 2>"$T_TMP/err"
rc=$?
check "check: netns deleted: exit 1, ESTALE" \
    sh -c "[ $rc -eq 1 ] && grep -q 'Stale.*netns of c1/eth0 changed' '$T_TMP/err'"

# --- detach
check "detach" graftctl detach c1/eth0
out=$(graftctl detach c1/eth0 2>&1)
rc=$?
check "detach again: OK, prints nothing" [ $rc -eq 0 ] && [ -z "$out" ] ||
    fail "detach again (rc $rc, \"$out\")"
check "detach: gone from show" sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q '^p1 '"
check "detach: logged" grep -q "control: detached c1/eth0" "$GRAFTD_LOG"
check "attach: logged" grep -q "control: attached c2 netns $NS2: 1 endpoint" "$GRAFTD_LOG"

# --- limits
set --
i=0
while [ $i -lt 33 ]; do
	set -- "$@" endpoint "e$i" type ipv4 addr 127.0.0.2 port dynamic
	i=$((i + 1))
done
graftctl attach c5 netns "$NS3" "$@" 2>/dev/null
check "33 endpoints: graftctl usage exit 255" [ $? -eq 255 ]
out=$(ctl attach c5 netns "$NS3" "$@")
check "33 endpoints: graftd refuses (E2BIG)" \
    sh -c "echo '$out' | grep -q '^E7 too many endpoints'"
shift 8
check "32 endpoints are fine" graftctl attach c5 netns "$NS3" "$@"
check "detach c5" graftctl detach c5
out=$(python3 -c 'print("x" * 16400)')
out=$(ctl attach c6 netns "$NS3" endpoint "$out")
check "an oversize record: malformed" \
    sh -c "echo '$out' | grep -q '^E74 malformed control request'"

# --- bad IDs and paths
touch "$T_TMP/file"
bad_usage() { graftctl "$@" >/dev/null 2>&1; [ $? -eq 255 ]; }
check "ID with a blank-free bad character: usage" bad_usage attach 'a*b' netns "$NS2"
check "ID too long: usage" bad_usage detach "$(python3 -c 'print("a" * 256)')"
check "relative path: usage" bad_usage attach c7 netns run/netns/x
check "path with ..: usage" bad_usage attach c7 netns /run/netns/../x
check "path with //: usage" bad_usage check c7 netns /run//netns/x
out=$(ctl attach c7 netns /run/netns/../x)
check "path with ..: graftd refuses too (EINVAL)" \
    sh -c "echo '$out' | grep -q '^E22 invalid netns path'"
out=$(ctl attach 'a b' netns "$NS2")
check "bad ID: graftd refuses too (EINVAL)" \
    sh -c "echo '$out' | grep -q '^E22 invalid attachment ID'"
graftctl attach c7 netns "$T_TMP/file" 2>"$T_TMP/err"
check "a regular file: not a network namespace" \
    sh -c "[ $? -eq 1 ] && grep -q 'not a network namespace' '$T_TMP/err'"
graftctl attach c7 netns /proc/self/ns/mnt 2>"$T_TMP/err"
check "a mount namespace: not a network namespace" \
    grep -q 'not a network namespace' "$T_TMP/err"
graftctl attach c7 netns /run/netns/cniattach-none-$$ 2>"$T_TMP/err"
check "a missing path: ENOENT" grep -q 'No such file' "$T_TMP/err"
check "add keeps its netns grammar (no path)" bad_usage add z type ipv4 \
    addr 127.0.0.1 port $P4 netns "$NS3"
check "match needs a direction" bad_usage attach c7 netns "$NS3" \
    endpoint m type ipv4 addr 127.0.0.1 port $P4 match '*:80'
check "endpoint words take no netns" bad_usage attach c7 netns "$NS3" \
    endpoint m type ipv4 addr 127.0.0.1 port $P4 netns host
check "a bad network tag: usage" bad_usage attach c7 netns "$NS3" network .x
check "attachments: a bad network tag: usage" bad_usage attachments network a/b
check "attachments: extra words: usage" bad_usage attachments network a b
out=$(ctl attach c7 netns "$NS3" network 'a:b')
check "a bad network tag: graftd refuses too (EINVAL)" \
    sh -c "echo '$out' | grep -q '^E22 invalid network name'"
check "a tagged attach" graftctl attach c7 netns "$NS3" network n-7
out=$(graftctl attachments network n-7 2>&1)
check "graftctl attachments network lists it ($out)" \
    [ "$out" = "c7 netns $NS3 endpoints 0 network n-7" ]
out=$(graftctl attachments 2>&1 | grep -c "^[^ ]* netns [^ ]* endpoints [0-9]*")
check "graftctl attachments: a line each, c7 among them ($out)" \
    sh -c "[ '$out' -ge 2 ] && [ '$out' = \"\$('$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' attachments | wc -l)\" ]"
check "... and detach" graftctl detach c7
out=$(graftctl attachments network n-7 2>&1)
check "... gone from the list" [ -z "$out" ]

# --- proto with add and graftd.conf
check "add with proto udp" graftctl add u1 type ipv4 addr 127.0.0.1 \
    port $P4 netns "$B" proto udp
check "show prints proto" sh -c "'$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -qx 'u1 type ipv4 addr 127.0.0.1 port $P4 netns $B proto udp'"
out=$(inB -i u1 2>&1)
check "proto udp refuses a tcp request" [ "$out" = "refused errno=EPROTOTYPE reason=7" ]
out=$(inB -t dgram -i u1 2>&1)
check "proto udp grants a udp request" [ "$out" = "granted family=inet addr=127.0.0.1:$P4" ]
printf 'endpoint cu type ipv4 addr 127.0.0.1 port %s netns host proto udp\n' \
    "$P4" >"$T_TMP/p.conf"
check "graftd -n accepts proto in graftd.conf" quiet "$GRAFT_BIN/graftd" -n -f "$T_TMP/p.conf"
check "proto is for inet endpoints" bad_usage add u2 type unix path /tmp/u \
    netns host proto tcp
t_done
