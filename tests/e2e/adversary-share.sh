#!/bin/sh
# adversary-share.sh - one namespace must not starve another (issue 13,
# items 5 and 6; docs/reliability.md).  Namespace A holds every connection
# graftd serves, or asks for batches of host sockets and never reads them;
# a client of namespace B must still get its socket, refused clients must
# read the documented EAGAIN/GRAFT_R_LIMIT record, and A gets sockets again
# once its clients are gone.
. "$(dirname "$0")/../lib/common.sh"
need_netns "graftd shares"
ADV=$GRAFT_BUILD/tests/graft-adversary
if [ ! -x "$ADV" ] || [ ! -x "$GRAFT_BIN/graftd" ]; then
	fail "graftd shares (graftd or graft-adversary not built)"
	t_done
fi
# the kernel refuses to pass more descriptors than the sender's open-files
# limit in flight: a limit of 1 024 for graftd (and so for this shell and
# its helpers) makes 40 clients that never read enough to reach it
ulimit -n 1024 2>/dev/null || { skip "graftd shares (cannot set open files to 1024)"; exit 0; }

mk_netns A && mk_netns B && mk_netns C || { fail "make namespaces"; t_done; }
conf() {
	cat >"$T_TMP/graftd.conf" <<EOF
max-clients $1
$2
endpoint ep-a type ipv4 addr 127.0.0.1 port dynamic netns $A
endpoint ep-b type ipv4 addr 127.0.0.1 port dynamic netns $B
EOF
}
reload() {
	_n=$(grep -c "reloaded" "$GRAFTD_LOG")
	kill -HUP "$GRAFTD_PID"
	# the count is taken anew at each try (a $(...) in wait_for's own
	# arguments would be taken once, before the first: a slow graftd
	# then looked like one that never reloaded)
	wait_for sh -c '[ "$(grep -c reloaded "$1")" -gt "$2" ]' sh "$GRAFTD_LOG" "$_n"
}
in_ns() { _ns=$1; shift; ip netns exec "$_ns" "$ADV" -s "$GRAFTD_SOCK" "$@"; }
# hold NS FILE ARGS...: a holder in the background, once its connections
# are made (its "held=" line in FILE)
hold() {
	_ns=$1 _out=$2; shift 2
	bg in_ns "$_ns" hold "$@" >"$_out" 2>&1
	HOLDER=$!
	wait_for grep -q "^held=" "$_out"
}
# unhold: the holder and its connections gone
unhold() { kill $(tree "$HOLDER") 2>/dev/null; wait "$HOLDER" 2>/dev/null; }
field() { sed -n "s/.*$1=\([-0-9]*\).*/\1/p" "$2" | head -1; }

conf 8 ""
start_graftd -f "$T_TMP/graftd.conf" || { fail "graftd starts"; t_done; }

# 1. A takes every connection graftd serves (max-clients 8)
hold "$A" "$T_TMP/a" 8 ep-a || { fail "A holds 8 connections: $(cat "$T_TMP/a")"; t_done; }
check "A holds max-clients connections ($(cat "$T_TMP/a"))" \
	[ "$(field served "$T_TMP/a")" = 8 ]

# 2. A's next connection is refused, and the client reads why: its send,
#    200 ms after connecting, must not meet a closed socket
in_ns "$A" once ep-a 200 >"$T_TMP/out" 2>&1
check "a refused client sends its request and reads EAGAIN/GRAFT_R_LIMIT ($(cat "$T_TMP/out"))" \
	grep -q "^send=0 (sent) errno=11 reason=13 fds=0" "$T_TMP/out"

# ... and a grafted program is told EAGAIN by its bind, not that graftd
# is unreachable
if NET=$(test_app core_net); then
	printf 'broker %s\ningress 0.0.0.0:8080 ep-a\n' "$GRAFTD_SOCK" >"$T_TMP/graft.conf"
	out=$(ip netns exec "$A" env GRAFT_CONF="$T_TMP/graft.conf" "$NET" bind 0.0.0.0 8080 2>"$T_TMP/err")
	check "a grafted bind() over the limit fails with EAGAIN ($out; $(head -1 "$T_TMP/err"))" \
		[ "$out" = "errno 11" ]
else
	fail "building core_net with graft-cc"
fi

# ... and C, a namespace with no table (never granted anything), evicts
#    nobody: it is refused GRAFT_R_LIMIT and A keeps its clients
in_ns "$C" once ep-a >"$T_TMP/out" 2>&1
check "C, with no table, is refused EAGAIN/GRAFT_R_LIMIT at max-clients ($(cat "$T_TMP/out"))" \
	grep -q "errno=11 reason=13 fds=0" "$T_TMP/out"
in_ns "$A" once ep-a >"$T_TMP/out" 2>&1
check "... and made no room for A ($(cat "$T_TMP/out"))" \
	grep -q "errno=11 reason=13 fds=0" "$T_TMP/out"

# 3. ... but B, holding nothing, gets in: A's idlest client makes room
in_ns "$B" once ep-b >"$T_TMP/out" 2>&1
check "B gets its socket while A holds max-clients ($(cat "$T_TMP/out"))" \
	grep -q "^send=0 (sent) errno=0 reason=0 fds=1" "$T_TMP/out"
unhold

# 4. netns-max-clients: a namespace's own bound, below max-clients
conf 8 "netns-max-clients 3"
reload || fail "reload with netns-max-clients"
hold "$B" "$T_TMP/b" 4 ep-b
check "netns-max-clients 3: 3 of B's 4 connections served, 1 refused ($(cat "$T_TMP/b"))" \
	eval '[ "$(field served "$T_TMP/b")" = 3 ] && [ "$(field limited "$T_TMP/b")" = 1 ]'
in_ns "$A" once ep-a >"$T_TMP/out" 2>&1
check "A still served beside B's 3 ($(cat "$T_TMP/out"))" \
	grep -q "errno=0 reason=0 fds=1" "$T_TMP/out"
unhold

# 5. 40 clients of A ask for batches of 16 sockets and never read them
conf 100 ""
reload || fail "reload with max-clients 100"
hold "$A" "$T_TMP/a" 40 ep-a 16 || { fail "A's 40 batch clients: $(cat "$T_TMP/a")"; t_done; }
sleep 0.5
in_ns "$B" once ep-b >"$T_TMP/out" 2>&1
check "B gets its socket while A's 40 clients leave batches unread ($(cat "$T_TMP/out"))" \
	grep -q "errno=0 reason=0 fds=1" "$T_TMP/out"
in_ns "$A" once ep-a >"$T_TMP/out" 2>&1
check "A itself is refused EAGAIN/GRAFT_R_LIMIT meanwhile ($(cat "$T_TMP/out"))" \
	grep -q "errno=11 reason=13 fds=0" "$T_TMP/out"
check "graftd did not meet ETOOMANYREFS" \
	sh -c "! grep -q 'too many descriptors in flight' '$GRAFTD_LOG'"
unhold
ok=0 i=0
while [ $i -lt 30 ]; do
	in_ns "$A" once ep-a >"$T_TMP/out" 2>&1
	grep -q "errno=0 reason=0 fds=1" "$T_TMP/out" && { ok=1; break; }
	sleep 0.1; i=$((i + 1))
done
check "A gets sockets again once its clients are closed ($(cat "$T_TMP/out"), $((i * 100)) ms)" \
	[ $ok = 1 ]

kill -0 "$GRAFTD_PID" 2>/dev/null && pass "graftd still running" ||
	fail "graftd died: $(tail -5 "$GRAFTD_LOG")"
t_done
