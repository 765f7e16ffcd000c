#!/bin/sh
# core-fork.sh - fork() while another thread waits in a graftd exchange:
# the child opens its own graftd connection rather than queueing behind
# the parent's request stream or its held locks (src/graft/broker.c,
# hook_fork.c).  tests/progs/fork_net.c plays both the app and a fake
# graftd that never answers the thread's request.
. "$(dirname "$0")/../lib/common.sh"
need_netns "core-fork"
if [ ! -x "$GRAFT_CC" ]; then skip "core-fork (graft-cc not built: $GRAFT_CC)"; exit 0; fi
FORK=$(test_app fork_net) || { fail "core-fork: building fork_net with graft-cc"; t_done; }
mk_netns NS || { fail "core-fork: creating a netns"; t_done; }
printf 'broker %s\negress 192.0.2.0/24 ep-any\n' "$T_TMP/fake.sock" >"$T_TMP/graft.conf"
if out=$(ip netns exec "$NS" env GRAFT_CONF="$T_TMP/graft.conf" timeout 20 "$FORK" "$T_TMP/fake.sock" 2>&1); then
	pass "fork during another thread's graftd exchange: the child grafts ($out)"
else
	fail "fork during another thread's graftd exchange: $out"
fi
t_done
