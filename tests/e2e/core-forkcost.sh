#!/bin/sh
# core-forkcost.sh - a fork costs the child no more with graft than with
# musl (hook_fork.c, docs/performance.md): the minor faults a child takes
# up to its first instruction after fork(), the median of 200 forks (least of 3 runs), against
# the same program built with musl-gcc -static.  Counted, not timed: they
# are the same on every run.  One more is allowed: graft's variables may
# push two that musl's _Fork writes onto two pages.  It was 10 against 3
# with nothing configured and 65 against 3 with a rule and a socket at a
# low fd and its dup at fd 4000, when the child walked graft's fd table
# and wrote every slot's lock (tests/progs/fork_cost.c).
. "$(dirname "$0")/../lib/common.sh"
if [ ! -x "$GRAFT_CC" ]; then skip "core-forkcost (graft-cc not built: $GRAFT_CC)"; exit 0; fi
if ! command -v musl-gcc >/dev/null; then skip "core-forkcost (musl-gcc is missing)"; exit 0; fi
FC=$(test_app fork_cost) || { fail "core-forkcost: building fork_cost with graft-cc"; t_done; }
# check-cross runs the target's program through a qemu-user wrapper: the
# faults would be the emulator's, and musl-gcc's program the host's
if [ "$(head -c 2 "$FC")" = "#!" ]; then
	skip "core-forkcost (fork_cost runs under qemu-user here: its faults are the emulator's)"
	t_done
fi
musl-gcc -O2 -static -o "$T_TMP/fork_cost.musl" "$GRAFT_TOP/tests/progs/fork_cost.c" ||
	{ fail "core-forkcost: building fork_cost with musl-gcc"; t_done; }
# a rule, so that sockets are recorded; graftd is never asked
printf 'broker %s/none.sock\negress 192.0.2.0/24 ep-any\n' "$T_TMP" > "$T_TMP/rule.conf"
# the least of three runs' medians: a busy machine adds a fault now and then
faults() {
	ulimit -n 8192 2>/dev/null
	for _r in 1 2 3; do env GRAFT_CONF="$1" "$2" 200; done | awk 'NR == 1 || $2 < m { m = $2 } END { print m }'
}
for c in /dev/null "$T_TMP/rule.conf"; do
	m=$(faults "$c" "$T_TMP/fork_cost.musl") g=$(faults "$c" "$FC")
	case $c in /dev/null) what="nothing configured" ;; *) what="a rule, a socket at a low fd and its dup at fd 4000" ;; esac
	check "fork, $what: a child's minor faults $g, musl's $m (at most 1 more)" \
		test -n "$m" -a -n "$g" -a "$g" -le "$((m + 1))"
done
t_done
