#!/bin/sh
# adversary-graftd.sh - hostile clients against graftd (docs/reliability.md):
# 100 000 requests from a namespace mixing good ones with every kind of bad
# record, requests from a namespace with no table and for another
# namespace's endpoints, 1 000 clients at once, slow clients that never
# send or never read, a malformed control socket.  graftd must stay up,
# answer each bad request with the documented errno and reason, keep
# answering good clients promptly, and keep its fd count and RSS flat.
# ADVERSARY_REQUESTS (default 100000) and ADVERSARY_CLIENTS (1000) scale it.
. "$(dirname "$0")/../lib/common.sh"
need_netns "graftd adversaries"
ADV=$GRAFT_BUILD/tests/graft-adversary
if [ ! -x "$ADV" ] || [ ! -x "$GRAFT_BIN/graftd" ]; then
	fail "graftd adversaries (graftd or graft-adversary not built)"
	t_done
fi
: "${ADVERSARY_REQUESTS:=100000}" "${ADVERSARY_CLIENTS:=1000}"
# room for 1 000 clients here and in graftd (both raise their soft limit
# to the hard one), and for their 1 000 sockets in flight at once within
# graftd's share of it for A (graftd(8), netns-max-inflight)
[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 8192 ] ||
	ulimit -n 8192 2>/dev/null || { skip "graftd adversaries (open files hard limit $(ulimit -Hn))"; exit 0; }

mk_netns A && mk_netns B && mk_netns C || { fail "make namespaces"; t_done; }
base=$((20000 + $$ % 20000))
cat >"$T_TMP/graftd.conf" <<EOF
idle-timeout 3
# 1 000 clients of A at once, each with its reply unread (section 3)
netns-max-clients 1024
netns-max-inflight 4096
endpoint ep-out   type ipv4 addr 127.0.0.1 port dynamic netns $A
endpoint ep-range type ipv4 addr 127.0.0.1 port $((base + 10))-$((base + 19)) netns $A
endpoint ep-b     type ipv4 addr 127.0.0.1 port $base netns $B
EOF
start_graftd -f "$T_TMP/graftd.conf" || { fail "graftd starts"; t_done; }
fds_start=$(ls /proc/"$GRAFTD_PID"/fd | wc -l)
in_ns() { _ns=$1; shift; ip netns exec "$_ns" "$ADV" -s "$GRAFTD_SOCK" "$@"; }
# result LINE-PREFIX: the helper's line starting so, for the report
result() { grep "^$1" "$T_TMP/out" | head -1; }

# 1. the request mix from A: good, other netns's, and every bad record
if in_ns "$A" -p "$GRAFTD_PID" mix "$ADVERSARY_REQUESTS" ep-out ep-b ep-range \
    >"$T_TMP/out" 2>&1; then
	pass "mix of $ADVERSARY_REQUESTS requests: every one answered as documented ($(result requests=))"
else
	fail "mix of requests: $(grep FAIL "$T_TMP/out" | head -5) $(tail -3 "$T_TMP/out")"
fi
grep '^kind\|^graftd_fds\|^requests' "$T_TMP/out" | sed 's/^/  /'
set -- $(sed -n 's/^graftd_fds before=\([0-9-]*\) after=\([0-9-]*\) rss_kb before=\([0-9-]*\) after=\([0-9-]*\)$/\1 \2 \3 \4/p' "$T_TMP/out")
if [ $# -eq 4 ] && [ "$1" -gt 0 ]; then
	check "graftd's open fds flat across the requests ($1 -> $2)" [ "$1" -eq "$2" ]
	# ASan's allocator and quarantine make RSS move under check-sanitize
	lim=512; [ -n "${GRAFT_SANITIZED:-}" ] && lim=8192
	check "graftd's RSS flat across the requests ($3 -> $4 kB, limit +$lim)" \
		[ "$4" -le $(($3 + lim)) ]
else
	fail "graftd fd/RSS samples missing"
fi
kill -0 "$GRAFTD_PID" 2>/dev/null && pass "graftd still running after the mix" ||
	{ fail "graftd died during the mix: $(tail -5 "$GRAFTD_LOG")"; t_done; }

# 2. the same from a namespace with no table: every good-looking request
#    gets EACCES/GRAFT_R_NONS, the malformed ones their own refusal
if in_ns "$C" -g 13:5 mix 5000 ep-out ep-b ep-range >"$T_TMP/out" 2>&1; then
	pass "unregistered netns: 5000 requests refused as documented ($(result requests=))"
else
	fail "unregistered netns: $(grep FAIL "$T_TMP/out" | head -5)"
fi
# ... and B (whose table has only ep-b) asking for A's endpoints: ENOENT
if in_ns "$B" -g 2:6 mix 5000 ep-out ep-range >"$T_TMP/out" 2>&1; then
	pass "other netns's endpoints: 5000 requests refused with ENOENT ($(result requests=))"
else
	fail "other netns's endpoints: $(grep FAIL "$T_TMP/out" | head -5)"
fi

# 3. 1 000 clients at once, then over max-clients (1024)
if in_ns "$A" many "$ADVERSARY_CLIENTS" ep-out >"$T_TMP/out" 2>&1; then
	pass "$ADVERSARY_CLIENTS clients at once, all answered ($(result clients=); $(result extra=))"
else
	fail "$ADVERSARY_CLIENTS clients at once: $(grep FAIL "$T_TMP/out" | head -5) $(tail -3 "$T_TMP/out")"
fi
set -- $(sed -n 's/.*probe_ms=\([0-9]*\).*/\1/p' "$T_TMP/out" | head -1)
check "a new client answered promptly while $ADVERSARY_CLIENTS are connected (${1:-?} ms < 500)" \
	[ "${1:-9999}" -lt 500 ]
set -- $(sed -n 's/^extra=40 served=\([0-9]*\) refused_limit=\([0-9]*\).*/\1 \2/p' "$T_TMP/out")
check "over max-clients: EAGAIN/GRAFT_R_LIMIT (served ${1:-?}, refused ${2:-?})" \
	[ "${2:-0}" -ge 1 ] && [ $(( ${1:-0} + ${2:-0} )) -eq 40 ]

# 4. slow clients: 100 that never send, 100 that never read; a good client
#    keeps its answers prompt and graftd drops them all in the end
if in_ns "$A" slow 200 4 ep-out >"$T_TMP/out" 2>&1; then
	pass "200 slow clients all dropped ($(result dropped=))"
else
	fail "slow clients: $(grep FAIL "$T_TMP/out" | head -5) $(tail -3 "$T_TMP/out")"
fi
set -- $(sed -n 's/.*probe_ms_max=\([0-9]*\).*/\1/p' "$T_TMP/out")
check "good client prompt among slow ones ($(result probes=); max ${1:-?} ms < 500)" \
	[ "${1:-9999}" -lt 500 ]
check "graftd logs the reply it could not deliver" \
	grep -q "reply not read in time" "$GRAFTD_LOG"

# 5. the control socket: malformed records refused, then it still works
if "$ADV" ctl "$GRAFTD_CTL" >"$T_TMP/out" 2>&1; then
	pass "control socket: $(grep -c '^ctl' "$T_TMP/out") malformed or wrong commands refused as documented"
else
	fail "control socket: $(grep FAIL "$T_TMP/out" | head -5)"
fi
# a non-root peer gets E1 (the socket is 0600 root; opened up for the test)
chmod 0711 "$T_TMP" "${GRAFTD_CTL%/*}"; chmod 0666 "$GRAFTD_CTL"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$GRAFT_BIN/graftctl" -c "$GRAFTD_CTL" show 2>&1)
chmod 0600 "$GRAFTD_CTL"; chmod 0700 "$T_TMP" "${GRAFTD_CTL%/*}"
check "control socket: uid 65534 refused by graftd ($out)" \
	grep -q "control: connection from uid 65534 refused" "$GRAFTD_LOG"

# 6. still up, counters consistent, and nothing left behind
kill -0 "$GRAFTD_PID" 2>/dev/null && pass "graftd survived every adversary" ||
	fail "graftd died: $(tail -5 "$GRAFTD_LOG")"
graftctl stats >"$T_TMP/stats" 2>&1
sed 's/^/  /' "$T_TMP/stats"
check "graftctl stats counts the requests" \
	grep -q "^total requests [1-9][0-9]* grants [1-9][0-9]* refusals [1-9]" "$T_TMP/stats"
# a client dropped with sockets unread is let go within a second of
# closing its end (graftd keeps its own until then)
i=0
while n=$(ls /proc/"$GRAFTD_PID"/fd | wc -l) && [ "$n" -gt "$fds_start" ] &&
    [ $i -lt 30 ]; do
	sleep 0.1; i=$((i + 1))
done
check "graftd's fds back to what it had at start ($fds_start -> $n)" [ "$n" -le "$fds_start" ]
check "refusal log lines rate limited" grep -q "log messages suppressed" "$GRAFTD_LOG"
t_done
