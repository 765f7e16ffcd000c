#!/bin/sh
# stress-load.sh - a grafted epoll echo server (graft-cc, lo-only netns)
# holds STRESS_CONNS (default 10 000) concurrent connections from host
# clients, every one answered (tests/progs/stress_net.c;
# docs/reliability.md).  RLIMIT_NOFILE is raised for both sides.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup stress-load
: "${STRESS_CONNS:=10000}"
SN=$(test_app stress_net) || { fail "building stress_net with graft-cc"; t_done; }
need=$((STRESS_CONNS + 1024))
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt $need ]; then
	ulimit -n $need 2>/dev/null || { skip "stress-load (cannot raise RLIMIT_NOFILE to $need)"; t_done; }
fi
ulimit -n $need 2>/dev/null

graftctl add ep-load type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
conf "ingress 0.0.0.0:8080 ep-load"
mkfifo "$T_TMP/cmd"
exec 3<>"$T_TMP/cmd"
bg in_ns env STRESS_CMD="$T_TMP/cmd" "$SN" echo-server 0.0.0.0 8080 >"$T_TMP/srv" 2>&1
ready "$T_TMP/srv" || { fail "server did not start: $(cat "$T_TMP/srv")"; t_done; }
check "the server's listener is grafted: it shows what it bound ($(head -1 "$T_TMP/srv"))" \
	grep -q "^ready 0.0.0.0:8080\$" "$T_TMP/srv"

for run in 1 2; do
	out=$(timeout 90 env GRAFT=off "$SN" clients 127.0.0.1 "$P1" "$STRESS_CONNS" 2>&1)
	check "run $run: $STRESS_CONNS concurrent host connections held and answered ($out)" \
		has "$out" "held $STRESS_CONNS answered $STRESS_CONNS "
	# the clients closed: the server is back to its listener
	i=0
	while [ $i -lt 50 ]; do
		echo stats >&3; sleep 0.1
		st=$(grep '^stats' "$T_TMP/srv" | tail -1)
		has "$st" 'stats conns 0 ' && break
		i=$((i + 1))
	done
	check "run $run: every connection closed on the server too ($st)" has "$st" 'stats conns 0 '
done
check "graftd was asked once (the data path is the host socket)" \
	sh -c "graftctl() { \"$GRAFT_BIN/graftctl\" -c \"$GRAFTD_CTL\" \"\$@\"; }; graftctl stats | grep -q '^total requests 1 grants 1 '"
exec 3>&-
t_done
