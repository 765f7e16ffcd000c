#!/bin/sh
# regress.sh - part of `make check`: every fuzz target, compiled with the
# host compiler and tests/fuzz/replay.c, runs once over its seed corpus
# and its regression inputs (tests/fuzz/regress/TARGET: inputs that once
# crashed it).  No clang needed.
. "$(dirname "$0")/../lib/common.sh"
dir=$GRAFT_TOP/tests/fuzz
for t in graft_conf graft_env graft_wrules graftd_request graftd_config graftd_control cni_conf graftd_state; do
	bin=$GRAFT_BUILD/fuzz/replay_$t
	if [ ! -x "$bin" ]; then
		fail "fuzz replay $t (not built: $bin)"
		continue
	fi
	# git keeps no empty directories: a target with no regression
	# inputs yet has no regress/TARGET in a fresh clone.
	set -- "$dir/corpus/$t"
	[ -d "$dir/regress/$t" ] && set -- "$@" "$dir/regress/$t"
	n=$(find "$@" -type f | wc -l)
	if out=$("$bin" "$@" 2>&1); then
		pass "fuzz replay $t: $n inputs"
	else
		fail "fuzz replay $t: $out"
	fi
done
t_done
