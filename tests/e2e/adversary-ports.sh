#!/bin/sh
# adversary-ports.sh - a namespace against the host's ports (issue 13,
# items 7 and 8).  graftd runs in a namespace H of its own that plays the
# host, with an ephemeral range of 1300 ports (H's own sysctl), so that
# exhausting it touches nothing outside the test.
#   a. ingress sockets of a dynamic endpoint asked in a loop stop at the
#      default netns-max-ports (1024) with EAGAIN/GRAFT_R_LIMIT, the host
#      can still connect(), and once they are closed the namespace gets
#      ports again; egress sockets that listen() count too;
#   b. SO_REUSEPORT: a root service's listener cannot be joined through an
#      endpoint covering its port, two namespaces' endpoints on one port
#      cannot share it, the sockets of one namespace's endpoint can, and
#      so can those of a "shared" endpoint.
. "$(dirname "$0")/../lib/common.sh"
need_netns "port limits and reuseport owners"
REQ=$GRAFT_BUILD/tests/graft-request
[ -x "$REQ" ] || { fail "graft-request not built"; t_done; }
ulimit -n 4096 2>/dev/null || { skip "port limits (cannot raise open files to 4096)"; exit 0; }

mk_netns H && mk_netns A && mk_netns B || { fail "make namespaces"; t_done; }
ip netns exec "$H" sysctl -qw net.ipv4.ip_local_port_range="40000 41299" ||
	{ fail "set H's ephemeral range"; t_done; }
cat >"$T_TMP/graftd.conf" <<EOF
endpoint dyn type ipv4 addr 127.0.0.1 port dynamic netns $A
endpoint svc type ipv4 addr 127.0.0.1 port 7000-7009 netns $A
endpoint web type ipv4 addr 127.0.0.1 port 7100 netns $A
endpoint web type ipv4 addr 127.0.0.1 port 7100 netns $B
EOF
GRAFTD_SOCK=$T_TMP/run/graftd.sock GRAFTD_CTL=$T_TMP/ctl/graftd.ctl
bg ip netns exec "$H" "$GRAFT_BIN/graftd" -d -s "$GRAFTD_SOCK" \
    -c "$GRAFTD_CTL" -f "$T_TMP/graftd.conf" 2>"$T_TMP/graftd.log"
GRAFTD_PID=$!
wait_for test -S "$GRAFTD_CTL" ||
	{ fail "graftd starts: $(tail -3 "$T_TMP/graftd.log")"; t_done; }

req() { _ns=$1; shift; ip netns exec "$_ns" "$REQ" -s "$GRAFTD_SOCK" "$@"; }
# hold OUT NS ARGS...: a client that keeps its grants until $T_TMP/OUT.go
hold() {
	_o=$1; shift
	bg req "$@" -k -x "hold:$T_TMP/$_o.go" >"$T_TMP/$_o" 2>&1
	wait_for grep -q '^holding' "$T_TMP/$_o"
}
release() { touch "$T_TMP/$1.go"; }
granted() { grep -c '^granted' "$T_TMP/$1"; }
limited() { grep -c '^refused errno=EAGAIN reason=13$' "$T_TMP/$1"; }
repeat() { _i=0; while [ $_i -lt "$1" ]; do echo "$2"; _i=$((_i + 1)); done; }
host_connects() {
	ip netns exec "$H" "$REQ" -C 127.0.0.1:6000 >"$T_TMP/conn" 2>&1
}
bg ip netns exec "$H" "$REQ" -R 127.0.0.1:6000 "$T_TMP/svc.go" >"$T_TMP/svc" 2>&1
wait_for grep -q '^listening' "$T_TMP/svc" || fail "host service listens"

# a. 1400 ingress sockets asked and kept: 1024 granted, the rest refused
hold in1 "$A" -t stream -i $(repeat 1400 dyn) ||
	fail "ingress loop: $(tail -2 "$T_TMP/in1")"
n=$(granted in1) r=$(limited in1)
check "ingress loop stops at netns-max-ports ($n granted, $r EAGAIN/GRAFT_R_LIMIT)" \
	[ "$n" -eq 1024 -a "$r" -eq 376 ]
host_connects
check "the host still connects ($(cat "$T_TMP/conn"))" grep -q '^connected' "$T_TMP/conn"
release in1
ok=
for i in 1 2 3 4 5 6 7 8 9 10; do
	req "$A" -t stream -i dyn >"$T_TMP/again" 2>&1 && { ok=1; break; }
	sleep 0.5
done
check "ports again once the held sockets are closed ($(cat "$T_TMP/again"))" \
	[ -n "$ok" ]
# datagram sockets hold their port at once, and count the same
hold dg "$A" -t dgram -e $(repeat 1100 dyn)
n=$(granted dg) r=$(limited dg)
check "datagram loop stops at netns-max-ports ($n granted, $r refused)" \
	[ "$n" -eq 1024 -a "$r" -eq 76 ]
release dg
sleep 1.1
# egress stream sockets hold no port until they listen(): those that do
# are found at the next check
hold eg "$A" -t stream -e -L $(repeat 1100 dyn)
n=$(granted eg) r=$(limited eg)
check "listening egress sockets stop at netns-max-ports ($n granted, $r refused)" \
	[ "$n" -le 1024 -a "$r" -ge 76 ]
host_connects
check "the host still connects ($(cat "$T_TMP/conn"))" grep -q '^connected' "$T_TMP/conn"
release eg

# b. SO_REUSEPORT (SOL_SOCKET 1, SO_REUSEPORT 15)
RP=-o1:15:1
bg ip netns exec "$H" "$REQ" -R 127.0.0.1:7005 "$T_TMP/root.go" >"$T_TMP/root" 2>&1
wait_for grep -q '^listening' "$T_TMP/root" || fail "root reuseport service listens"
out=$(req "$A" -t stream -i -p 7005 $RP svc 2>&1)
check "a root service's reuseport port cannot be joined ($out)" \
	[ "$out" = "refused errno=EADDRINUSE reason=12" ]
release root
hold w1 "$A" -t stream -i -L $RP web
uid=$(ip netns exec "$H" ss -Htlne 'sport = :7100' 2>/dev/null | sed -n 's/.* uid:\([0-9]*\).*/\1/p')
check "the socket's owner is from socket-uid-base (uid ${uid:-none})" \
	[ "${uid:-0}" -ge 2147483648 ]
out=$(req "$A" -t stream -i -L $RP web 2>&1)
check "two sockets of one namespace's endpoint share the port ($out)" \
	[ "$out" = "granted family=inet addr=127.0.0.1:7100" ]
out=$(req "$B" -t stream -i -L $RP web 2>&1)
check "another namespace's endpoint on the port cannot join ($out)" \
	[ "$out" = "refused errno=EADDRINUSE reason=12" ]
release w1
if "$GRAFT_BIN/graftctl" -c "$GRAFTD_CTL" add pub type ipv4 addr 127.0.0.1 \
    port 7200 netns "$A" shared >/dev/null 2>&1 &&
    "$GRAFT_BIN/graftctl" -c "$GRAFTD_CTL" add pub type ipv4 addr 127.0.0.1 \
    port 7200 netns "$B" shared >/dev/null 2>&1; then
	hold p1 "$A" -t stream -i -L $RP pub
	out=$(req "$B" -t stream -i -L $RP pub 2>&1)
	check "a shared endpoint's sockets of two namespaces share the port ($out)" \
		[ "$out" = "granted family=inet addr=127.0.0.1:7200" ]
	release p1
else
	fail "graftctl add ... shared"
fi

# c. SO_REUSEADDR on datagram sockets (SOL_SOCKET 1, SO_REUSEADDR 2): two
# UDP sockets that both ask it share a port whoever owns them, and the
# later one gets the unicast datagrams; so only within one owner
RA=-o1:2:1
bg ip netns exec "$H" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 7006))
print("bound", flush=True)
time.sleep(30)' >"$T_TMP/udp" 2>&1
wait_for grep -q '^bound' "$T_TMP/udp" || fail "root UDP service binds: $(cat "$T_TMP/udp")"
out=$(req "$A" -t dgram -i -p 7006 $RA svc 2>&1)
check "a root UDP service's SO_REUSEADDR port cannot be shared ($out)" \
	[ "$out" = "refused errno=EADDRINUSE reason=12" ]
out=$(req "$A" -t dgram -i -p 7007 $RA svc 2>&1)
check "a free port with SO_REUSEADDR is granted ($out)" \
	[ "$out" = "granted family=inet addr=127.0.0.1:7007" ]
hold u1 "$A" -t dgram -i $RA web
out=$(req "$A" -t dgram -i $RA web 2>&1)
check "two UDP sockets of one namespace's endpoint share the port ($out)" \
	[ "$out" = "granted family=inet addr=127.0.0.1:7100" ]
out=$(req "$B" -t dgram -i $RA web 2>&1)
check "another namespace's UDP socket on the port cannot join ($out)" \
	[ "$out" = "refused errno=EADDRINUSE reason=12" ]
release u1
kill -0 "$GRAFTD_PID" 2>/dev/null || fail "graftd died: $(tail -3 "$T_TMP/graftd.log")"
t_done
