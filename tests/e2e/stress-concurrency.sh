#!/bin/sh
# stress-concurrency.sh - a graft-cc program in a lo-only netns grafting
# from many threads and forked children at once, dup/dup2 before and after
# the graft, epoll registration after it, close racing another thread's
# bind (tests/progs/stress_net.c conc; docs/reliability.md).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup stress-concurrency
SN=$(test_app stress_net) || { fail "building stress_net with graft-cc"; t_done; }
# a range below the ephemeral ports (32768-60999), which other tests fill
R=$((21000 + $$ % 100 * 100))
graftctl add ep-range type ipv4 addr 127.0.0.1 port "$R-$((R + 99))" netns "$NS" >/dev/null
graftctl add ep-out type ipv4 addr 127.0.0.1 port dynamic netns "$NS" >/dev/null
# view host: the checks read the host socket's own address (getsockname)
conf "view host" "ingress 0.0.0.0:$R-$((R + 99)) ep-range" "egress 127.0.0.1/32 ep-out"

for run in 1 2; do
	timeout 120 ip netns exec "$NS" env GRAFT_CONF="$CONF" "$SN" conc "$R" 0 \
		>"$T_TMP/conc" 2>"$T_TMP/conc.err"
	rc=$?
	while read -r st what; do
		case $st in
		ok) pass "run $run: $what" ;;
		fail) fail "run $run: $what" ;;
		esac
	done <"$T_TMP/conc"
	# the close-racing-bind check's EBADF lines are expected: show the rest
	[ $rc -eq 0 ] || fail "run $run: stress_net conc exited $rc: $(grep -v 'Bad file descriptor$' "$T_TMP/conc.err" | head -8)"
done
check "graftd still running" kill -0 "$GRAFTD_PID"
n=$(graftctl stats | sed -n 's/^total requests \([0-9]*\) grants \([0-9]*\).*/\1 requests, \2 grants/p')
pass "graftd counted $n"
t_done
