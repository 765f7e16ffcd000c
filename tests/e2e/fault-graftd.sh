#!/bin/sh
# fault-graftd.sh - faults around a grafted server (docs/reliability.md):
# graftd restarted, killed, stopped while the server holds connections;
# graftd.conf corrupted, deleted and changed under SIGHUP; graft.conf
# corrupted while the server runs.  Established connections must keep
# flowing throughout, new binds must fail with ENETUNREACH and one log line
# while graftd is away and succeed once it is back.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup fault-graftd
SN=$(test_app stress_net) || { fail "building stress_net with graft-cc"; t_done; }
ENETUNREACH=101 ENOTRECOVERABLE=131 ENOENT=2
# graftd with a configuration file (core_setup's one has none)
kill "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null
GCONF=$T_TMP/graftd.conf
write_gconf() {
	{
		echo "endpoint ep-srv type ipv4 addr 127.0.0.1 port $P1 netns $NS"
		echo "endpoint ep-b2 type ipv4 addr 127.0.0.1 port $P2 netns $NS"
		echo "endpoint ep-b3 type ipv4 addr 127.0.0.1 port $P3 netns $NS"
		echo "endpoint ep-b4 type ipv4 addr 127.0.0.1 port $P4 netns $NS"
		echo "endpoint ep-b5 type ipv4 addr 127.0.0.1 port $P5 netns $NS"
		[ "${1:-}" = without-b6 ] ||
		echo "endpoint ep-b6 type ipv4 addr 127.0.0.1 port $P6 netns $NS"
	} >"$GCONF"
}
write_gconf
# (a killed graftd leaves its socket files: remove them, so that "ready"
# means this graftd's; it is ready when it logs "started")
restart_graftd() {
	rm -f "$T_TMP/run/graftd.sock" "$T_TMP/ctl/graftd.ctl"
	start_graftd -f "$GCONF" && wait_for grep -q '^started' "$GRAFTD_LOG" ||
		{ fail "graftd starts: $(cat "$GRAFTD_LOG")"; t_done; }
}
restart_graftd
# view host: the checks read the host address (getsockname)
conf "view host" "ingress 0.0.0.0:8080 ep-srv" "ingress 0.0.0.0:8081 ep-b2" "ingress 0.0.0.0:8082 ep-b3" \
	"ingress 0.0.0.0:8083 ep-b4" "ingress 0.0.0.0:8084 ep-b5" "ingress 0.0.0.0:8085 ep-b6"

mkfifo "$T_TMP/cmd"
exec 3<>"$T_TMP/cmd"
bg in_ns env STRESS_CMD="$T_TMP/cmd" "$SN" echo-server 0.0.0.0 8080 >"$T_TMP/srv" 2>"$T_TMP/srv.err"
ready "$T_TMP/srv" || { fail "server did not start: $(cat "$T_TMP/srv" "$T_TMP/srv.err")"; t_done; }
bg env GRAFT=off "$SN" hold 127.0.0.1 "$P1" 50 "$T_TMP/step1" "$T_TMP/step2" "$T_TMP/step3" "$T_TMP/step4" \
	>"$T_TMP/hold" 2>&1
HOLD=$!
wait_for grep -q "^round 1 ok 50" "$T_TMP/hold"
check "50 host connections to the grafted server ($(head -1 "$T_TMP/hold"))" \
	grep -q "^round 1 ok 50" "$T_TMP/hold"

# cmd LINE: a server command; prints its answer, the next "bind" line
cmd() {
	_n=$(($(grep -c '^bind' "$T_TMP/srv") + 1))
	echo "$1" >&3
	wait_for sh -c "[ \$(grep -c '^bind' '$T_TMP/srv') -ge $_n ]"
	grep '^bind' "$T_TMP/srv" | sed -n "${_n}p"
}
lines() { grep -c '^graft:' "$T_TMP/srv.err"; }

# 1. graftd restarted (SIGTERM, started again): the server's kept broker
#    connection is dead; the next bind retries once on a new one
kill "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null
restart_graftd
out=$(cmd "bind 0.0.0.0 8081")
check "graftd restarted: a new bind succeeds at once ($out)" [ "$out" = "bind ok 127.0.0.1:$P2" ]
touch "$T_TMP/step1"
wait_for grep -q "^round 2 ok 50" "$T_TMP/hold"
check "graftd restarted: the 50 established connections still flow" grep -q "^round 2 ok 50" "$T_TMP/hold"

# 2. graftd killed (SIGKILL: its socket file stays): ECONNREFUSED
kill -9 "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null
n0=$(lines)
out=$(cmd "bind 0.0.0.0 8082")
check "graftd killed: bind fails with ENETUNREACH ($out)" [ "$out" = "bind errno $ENETUNREACH" ]
check "graftd killed: one log line ($(tail -1 "$T_TMP/srv.err"))" sh -c "[ $(lines) -eq $((n0 + 1)) ] &&
	grep -q 'ingress 0.0.0.0:8082 -> ep-b3: broker $GRAFTD_SOCK: connect: Connection refused\$' '$T_TMP/srv.err'"
touch "$T_TMP/step2"
wait_for grep -q "^round 3 ok 50" "$T_TMP/hold"
check "graftd down: the established connections still flow" grep -q "^round 3 ok 50" "$T_TMP/hold"

# 3. graftd stopped (SIGTERM removes the socket): ENOENT, one line
restart_graftd
kill "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null
n0=$(lines)
out=$(cmd "rebind")
check "broker socket missing: the same socket's bind fails with ENETUNREACH ($out)" \
	[ "$out" = "bind errno $ENETUNREACH" ]
check "broker socket missing: one log line ($(tail -1 "$T_TMP/srv.err"))" sh -c "[ $(lines) -eq $((n0 + 1)) ] &&
	grep -q 'ingress 0.0.0.0:8082 -> ep-b3: broker $GRAFTD_SOCK: connect: No such file or directory\$' '$T_TMP/srv.err'"
# ... and once graftd is back, bind() on that same socket grafts it
restart_graftd
out=$(cmd "rebind")
check "graftd back: bind on the socket that failed now succeeds ($out)" [ "$out" = "bind ok 127.0.0.1:$P3" ]

# 4. graft.conf corrupted while the server runs: the server keeps the
#    configuration it read; a new program reports the file and refuses
echo "ingress 0.0.0.0:99999 broken" >>"$CONF"
out=$(cmd "bind 0.0.0.0 8083")
check "graft.conf corrupted: the running server still grafts ($out)" [ "$out" = "bind ok 127.0.0.1:$P4" ]
out=$(in_ns "$NET" bind 0.0.0.0 8085 2>"$T_TMP/new.err")
check "graft.conf corrupted: a new program gets ENOTRECOVERABLE ($out) and one line ($(grep "^graft:" "$T_TMP/new.err"))" \
	sh -c "[ '$out' = 'errno $ENOTRECOVERABLE' ] && [ \$(grep -c '^graft:' '$T_TMP/new.err') -eq 1 ] &&
	grep -q '^graft: $CONF:9: bad port' '$T_TMP/new.err'"

# 5. graftd.conf corrupted, then deleted, each with SIGHUP: the table stays
cp "$GCONF" "$T_TMP/graftd.conf.good"
printf 'endpoint ep-x type ipv9 addr 1.2.3.4 port 1\n' >>"$GCONF"
kill -HUP "$GRAFTD_PID"
wait_for grep -q "reload failed, table unchanged" "$GRAFTD_LOG"
check "graftd.conf corrupted + SIGHUP: reload refused, one line ($(grep 'reload failed' "$GRAFTD_LOG"))" \
	sh -c "[ \$(grep -c 'reload failed' '$GRAFTD_LOG') -eq 1 ]"
rm -f "$GCONF"
kill -HUP "$GRAFTD_PID"
wait_for sh -c "[ \$(grep -c 'reload failed' '$GRAFTD_LOG') -eq 2 ]"
check "graftd.conf deleted + SIGHUP: reload refused ($(grep 'reload failed' "$GRAFTD_LOG" | tail -1))" \
	sh -c "[ \$(grep -c 'reload failed' '$GRAFTD_LOG') -eq 2 ]"
out=$(cmd "bind 0.0.0.0 8084")
check "graftd keeps its table: a new bind succeeds ($out)" [ "$out" = "bind ok 127.0.0.1:$P5" ]

# 6. graftd.conf changed (ep-b6 removed) + SIGHUP: refused from now on,
#    established connections untouched
write_gconf without-b6
kill -HUP "$GRAFTD_PID"
wait_for grep -q "reloaded $GCONF: 5 endpoints" "$GRAFTD_LOG"
out=$(cmd "bind 0.0.0.0 8085")
check "graftd.conf changed + SIGHUP: the removed endpoint is refused ($out)" [ "$out" = "bind errno $ENOENT" ]
touch "$T_TMP/step3" "$T_TMP/step4"
wait_for grep -q "^round 5 ok 50" "$T_TMP/hold"
check "after every fault: the first connections still flow ($(tail -1 "$T_TMP/hold"))" \
	grep -q "^round 5 ok 50" "$T_TMP/hold"
check "graftd still running" kill -0 "$GRAFTD_PID"
exec 3>&-
t_done
