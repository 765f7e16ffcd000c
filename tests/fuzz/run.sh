#!/bin/sh
# run.sh TARGET BUILDDIR - one libFuzzer target (see mk/fuzz.mk):
#   1. replay tests/fuzz/regress/TARGET and tests/fuzz/corpus/TARGET once;
#   2. fuzz for $FUZZ_TIME seconds from those, new inputs going to
#      BUILDDIR/work/TARGET, crashes to BUILDDIR/artifacts/TARGET/;
#   3. write BUILDDIR/stats-TARGET: seconds, executions, corpus, coverage.
# Exits non-zero on any crash, leak, timeout or broken invariant.
set -u
t=$1 b=$(mkdir -p "$2" && cd "$2" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$b/fuzz_$t
dir=$top/tests/fuzz
: "${FUZZ_TIME:=60}" "${FUZZ_JOBS:=1}" "${FUZZ_MAXLEN:=4096}"
mkdir -p "$b/work/$t" "$b/artifacts/$t" "$dir/regress/$t" "$dir/corpus/$t"
log=$b/fuzz-$t.log
dict=
[ -f "$dir/dict/$t.dict" ] && dict="-dict=$dir/dict/$t.dict"
opts="-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=$FUZZ_MAXLEN"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

echo "  FUZZ    $t: regression inputs and seeds"
if ! "$bin" $opts -runs=0 "$dir/regress/$t" "$dir/corpus/$t" >"$log" 2>&1; then
	tail -40 "$log"
	echo "fuzz $t: a regression or seed input fails (log: $log)" >&2
	exit 1
fi
echo "  FUZZ    $t: ${FUZZ_TIME}s"
start=$(date +%s)
jobs=
[ "$FUZZ_JOBS" -gt 1 ] && jobs="-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS"
# (with -jobs, libFuzzer writes fuzz-N.log in the current directory)
(cd "$b/work" && exec "$bin" $opts $dict $jobs -max_total_time="$FUZZ_TIME" \
    -print_final_stats=1 -artifact_prefix="$b/artifacts/$t/" \
    "$b/work/$t" "$dir/corpus/$t" "$dir/regress/$t") >>"$log" 2>&1
rc=$?
if [ -n "$jobs" ]; then
	cat "$b"/work/fuzz-*.log >>"$log" 2>/dev/null
	rm -f "$b"/work/fuzz-*.log
fi
secs=$(( $(date +%s) - start ))
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | awk '{s+=$1} END {print s+0}')
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | sed 's/ft: //')
units=$(find "$b/work/$t" "$dir/corpus/$t" "$dir/regress/$t" -type f 2>/dev/null | wc -l)
echo "$t seconds=$secs runs=$runs cov=${cov:-?} ft=${ft:-?} corpus=$units exit=$rc" >"$b/stats-$t"
if [ $rc -ne 0 ] || ls "$b/artifacts/$t" | grep -q .; then
	grep -A30 -m1 'ERROR\|invariant broken\|runtime error' "$log" | head -40
	echo "fuzz $t: FAILED (exit $rc); inputs in $b/artifacts/$t/:" >&2
	ls "$b/artifacts/$t" >&2
	echo "fix the bug, then keep the input in tests/fuzz/regress/$t/" >&2
	exit 1
fi
echo "  FUZZ    $(cat "$b/stats-$t")"
