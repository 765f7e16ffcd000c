#!/bin/sh
# graftd-requests.sh - graftd grants and refusals, from real namespaces.
# Namespaces A and B have tables, C has none; the host has one endpoint.
. "$(dirname "$0")/../lib/common.sh"
need_netns "graftd requests"
REQ=$GRAFT_BUILD/tests/graft-request
if [ ! -x "$REQ" ] || [ ! -x "$GRAFT_BIN/graftd" ]; then
	fail "graftd requests (graftd or graft-request not built)"
	t_done
fi

mk_netns A && mk_netns B && mk_netns C || { fail "make namespaces"; t_done; }
base=$(port_base 11)
PA=$base PB=$((base + 1)) PH=$((base + 2)) PR=$((base + 10))
STEP=$T_TMP/step
cat >"$T_TMP/graftd.conf" <<EOF
# endpoints for graftd-requests.sh
endpoint ep-a     type ipv4 addr 127.0.0.1 port $PA netns $A
endpoint ep-b     type ipv4 addr 127.0.0.1 port $PB netns $B
endpoint ep-out   type ipv4 addr 127.0.0.1 port dynamic netns $A
endpoint ep-range type ipv4 addr 127.0.0.1 port $PR-$((PR + 9)) netns $A
endpoint ep-u     type unix path $T_TMP/app.sock netns $A
endpoint ep-host  type ipv4 addr 127.0.0.1 port $PH netns host
EOF
start_graftd -f "$T_TMP/graftd.conf" || { fail "graftd starts"; t_done; }

# in_ns NS ARGS...: graft-request in namespace NS ("host": graftd's own)
in_ns() {
	_ns=$1; shift
	if [ "$_ns" = host ]; then
		"$REQ" -s "$GRAFTD_SOCK" "$@"
	else
		ip netns exec "$_ns" "$REQ" -s "$GRAFTD_SOCK" "$@"
	fi
}

# refused WHAT "errno=E reason=N" NS ARGS...: the request is refused so
refused() {
	_what=$1 _want=$2; shift 2
	_out=$(in_ns "$@" 2>&1); _rc=$?
	if [ $_rc -eq 3 ] && [ "$_out" = "refused $_want" ]; then
		pass "$_what"
	else
		fail "$_what (status $_rc: $_out)"
	fi
}

# granted WHAT PATTERN NS ARGS...
granted() {
	_what=$1 _want=$2; shift 2
	_out=$(in_ns "$@" 2>&1); _rc=$?
	if [ $_rc -eq 0 ] && echo "$_out" | grep -q "^granted $_want\$"; then
		pass "$_what"
	else
		fail "$_what (status $_rc: $_out)"
	fi
}

# A listener in A on its endpoint, reached by a client of the host.
touch "$STEP"
bg in_ns "$A" -i -x listen ep-a >"$T_TMP/a.out" 2>&1
if wait_for grep -q listening "$T_TMP/a.out" &&
    grep -q "^granted family=inet addr=127.0.0.1:$PA\$" "$T_TMP/a.out" &&
    "$REQ" -K "127.0.0.1:$PA" "$STEP" >"$T_TMP/k.out" 2>&1 &&
    grep -q "echo2 ok" "$T_TMP/k.out"; then
	pass "A gets A's endpoint: a host client reaches its listener"
else
	fail "A gets A's endpoint: $(cat "$T_TMP/a.out" "$T_TMP/k.out")"
fi

refused "A asks for B's endpoint: ENOENT" "errno=ENOENT reason=6" \
    "$A" -i ep-b
refused "unknown endpoint name: ENOENT" "errno=ENOENT reason=6" \
    "$A" -i no-such-ep
refused "netns with no table: EACCES" "errno=EACCES reason=5" \
    "$C" -i ep-a
refused "A asks for the host's endpoint: ENOENT" "errno=ENOENT reason=6" \
    "$A" -i ep-host
refused "the host asks for A's endpoint: ENOENT" "errno=ENOENT reason=6" \
    host -i ep-a
refused "wrong version: EPROTONOSUPPORT" "errno=EPROTONOSUPPORT reason=2" \
    "$A" -V 2 -i ep-a
refused "truncated record: EBADMSG" "errno=EBADMSG reason=1" \
    "$A" -z 100 -i ep-a
refused "oversized record: EBADMSG" "errno=EBADMSG reason=1" \
    "$A" -z 300 -i ep-a
refused "garbage record: EBADMSG" "errno=EBADMSG reason=1" "$A" -g ep-a
refused "bad magic: EBADMSG" "errno=EBADMSG reason=1" "$A" -M 7 -i ep-a
refused "unknown flags: EBADMSG" "errno=EBADMSG reason=1" "$A" -F 0x80 ep-a
refused "fds attached by the client: EBADMSG" "errno=EBADMSG reason=3" \
    "$A" -r -i ep-a
refused "seqpacket on an ipv4 endpoint: EPROTOTYPE" \
    "errno=EPROTOTYPE reason=7" "$A" -t seqpacket -i ep-out
refused "stream with IPPROTO_UDP: EPROTOTYPE" "errno=EPROTOTYPE reason=7" \
    "$A" -P 17 -e ep-out
refused "SO_BINDTODEVICE not allowed: ENOPROTOOPT" \
    "errno=ENOPROTOOPT reason=8" "$A" -o 1:25:1 -e ep-out
refused "SO_MARK not allowed: ENOPROTOOPT" "errno=ENOPROTOOPT reason=8" \
    "$A" -o 1:36:1 -e ep-out
refused "port outside the range: EACCES" "errno=EACCES reason=9" \
    "$A" -i -p $((PR + 10)) ep-range
granted "port inside the range" "family=inet addr=127.0.0.1:$((PR + 3))" \
    "$A" -i -p $((PR + 3)) ep-range
granted "UDP socket on A's endpoint" "family=inet addr=127.0.0.1:$PA" \
    "$A" -t dgram -P 17 -i ep-a
granted "allowed options applied" "family=inet addr=127.0.0.1:0" \
    "$A" -e -o 6:1:1 -o 1:2:1 -o 1:7:65536 ep-out
granted "B gets B's endpoint" "family=inet addr=127.0.0.1:$PB" \
    "$B" -i ep-b

# Bad records on a connection do not end it: the next request is served.
ok=1
for k in garbage short long version fds; do
	out=$(in_ns "$A" -G "$k" -e ep-out 2>&1) || ok=0
	echo "$out" | grep -q "^granted family=inet addr=127.0.0.1:0\$" ||
	    ok=0
done
check "bad records then a good one on the same connection" [ $ok = 1 ]
out=$(in_ns "$A" -e no-such ep-out ep-out 2>&1)
check "persistent connection: refusal then two grants" \
    [ "$(echo "$out" | grep -c '^granted')" = 2 ]

# Egress: a dynamic TCP socket holds no port until connect.
bg in_ns host -i -x listen ep-host >"$T_TMP/h.out" 2>&1
if wait_for grep -q listening "$T_TMP/h.out" &&
    out=$(in_ns "$A" -e -x "connect:127.0.0.1:$PH" ep-out 2>&1) &&
    echo "$out" | grep -q "^granted family=inet addr=127.0.0.1:0\$" &&
    echo "$out" | grep -q "connected and echoed"; then
	pass "egress from A through a dynamic endpoint to a host listener"
else
	fail "egress from A: $out $(cat "$T_TMP/h.out")"
fi

# A batch (GRAFT_F_EGRESS|GRAFT_F_BATCH = 0xa) of 4, and one that asks for
# the sockets' identities too (|GRAFT_F_INOS = 0x1a): they match fstat().
granted "batch: 4 sockets in one reply" "family=inet addr=127.0.0.1:0 fds=4 nfds=4" \
    "$A" -p 4 -F 0xa ep-out
granted "batch with GRAFT_F_INOS: the reply carries each socket's identity" \
    "family=inet addr=127.0.0.1:0 fds=4 nfds=4 inos=ok" "$A" -p 4 -F 0x1a ep-out
refused "GRAFT_F_INOS without a batch is malformed" "errno=EBADMSG reason=1" \
    "$A" -F 0x12 ep-out

# A unix endpoint: A listens on a host path.
bg in_ns "$A" -f unix -i -x listen ep-u >"$T_TMP/u.out" 2>&1
if wait_for grep -q listening "$T_TMP/u.out" &&
    grep -q "^granted family=unix addr=unix:$T_TMP/app.sock" \
    "$T_TMP/u.out" &&
    "$REQ" -K "unix:$T_TMP/app.sock" "$STEP" >"$T_TMP/k2.out" 2>&1; then
	pass "unix endpoint: A listens on a host path"
else
	fail "unix endpoint: $(cat "$T_TMP/u.out" "$T_TMP/k2.out")"
fi

# A client that never reads its replies neither blocks the others nor
# stays forever.
bg in_ns "$A" -e -w 5000 ep-out >"$T_TMP/w.out" 2>&1
wait_for grep -q flooded "$T_TMP/w.out"
granted "served while another client does not read" \
    "family=inet addr=127.0.0.1:$PB" "$B" -i ep-b
i=0
while [ $i -lt 100 ] && ! grep -q "reply not read in time" "$GRAFTD_LOG"; do
	sleep 0.1; i=$((i + 1))
done
check "a client that does not read is dropped" \
    grep -q "reply not read in time" "$GRAFTD_LOG"

check "one log line per refusal" [ "$(grep -c '^refused pid' \
    "$GRAFTD_LOG")" -ge 17 ]
check "graftd still running" kill -0 "$GRAFTD_PID"

# graftd requires SO_PEERPIDFD where the kernel has it (and says so)
kv=$(uname -r | sed 's/^\([0-9]*\)\.\([0-9]*\).*/\1 \2/')
set -- $kv
if grep -q "identified by SO_PEERPIDFD" "$GRAFTD_LOG"; then
	pass "SO_PEERPIDFD required on this kernel ($(uname -r))"
elif [ "${1:-0}" -gt 6 ] || { [ "${1:-0}" -eq 6 ] && [ "${2:-0}" -ge 5 ]; }; then
	fail "SO_PEERPIDFD: kernel $(uname -r) has it, graftd does not use it ($(grep -m1 PEERPIDFD "$GRAFTD_LOG"))"
else
	skip "SO_PEERPIDFD (kernel $(uname -r) is before 6.5: $(grep -m1 PEERPIDFD "$GRAFTD_LOG"))"
fi
# B's name given to another netns: the table follows the name (one stat()
# per request while it still leads to the netns resolved before); a
# process left in the old netns is refused from then on.
ip netns exec "$B" sleep 30 & OLDB=$!
sleep 0.3
granted "B granted before its name moves" \
    "family=inet addr=127.0.0.1:$PB" "$B" -i ep-b
if ip netns del "$B" && ip netns add "$B" && ip -n "$B" link set lo up; then
	_out=$(nsenter -t "$OLDB" -n "$REQ" -s "$GRAFTD_SOCK" -i ep-b 2>&1)
	if [ "$_out" = "refused errno=EACCES reason=5" ]; then
		pass "the old B is refused once its name is another netns's"
	else
		fail "the old B is refused once its name is another netns's ($_out)"
	fi
	granted "the new netns named B gets B's endpoints" \
	    "family=inet addr=127.0.0.1:$PB" "$B" -i ep-b
else
	fail "move B's name to a new netns"
fi
kill "$OLDB" 2>/dev/null; wait "$OLDB" 2>/dev/null
check "graftd reads no GRAFTD_* variable any more" \
    sh -c "! strings '$GRAFT_BIN/graftd' | grep -q '^GRAFTD_'"
# The peer check without SO_PEERPIDFD (pidfd_open + start time): a test
# build of graftd that takes that way on any kernel.
kill "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null
OLDPEER=$GRAFT_BUILD/tests/graftd-oldpeer
if [ -x "$OLDPEER" ]; then
	GRAFT_BIN_SAVED=$GRAFT_BIN
	mkdir -p "$T_TMP/oldbin"
	ln -sf "$OLDPEER" "$T_TMP/oldbin/graftd"
	GRAFT_BIN=$T_TMP/oldbin
	start_graftd -f "$T_TMP/graftd.conf" || fail "graftd restarts"
	GRAFT_BIN=$GRAFT_BIN_SAVED
	check "the test build says it identifies peers without SO_PEERPIDFD" \
	    grep -q "no SO_PEERPIDFD" "$GRAFTD_LOG"
	granted "fallback peer check: A gets its endpoint" \
	    "family=inet addr=127.0.0.1:0" "$A" -e ep-out
	refused "fallback peer check: C has no table" "errno=EACCES reason=5" \
	    "$C" -e ep-out
else
	fail "fallback peer check: $OLDPEER not built (make)"
fi
t_done
