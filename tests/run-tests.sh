#!/bin/sh
# run-tests.sh - run cmocka unit tests and shell end-to-end tests, count the
# results, print "N passed, N failed" and exit non-zero on any failure.
#
# usage: run-tests.sh [-u UNIT_BINARY]... [-e E2E_SCRIPT]...
#
# A unit binary is counted per test case from cmocka's summary lines.
# An e2e script prints one line per check: "PASS: what", "FAIL: what" or
# "SKIP: what (why)"; its exit status must be 0 unless something FAILed.
set -u
passed=0 failed=0 skipped=0
log=$(mktemp) || exit 2
trap 'rm -f "$log"' EXIT

count() { # $1 = pattern in $log, prints the matched count sum
	sed -n "s/$1/\\1/p" "$log" | awk '{s+=$1} END {print s+0}'
}

run_unit() {
	echo "== unit: $1"
	"$1" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(count '^\[  PASSED  \] \([0-9]*\) test.*')
	f=$(count '^\[  FAILED  \] \([0-9]*\) test.*')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $1 exited with status $rc"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $1 ran no test"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
}

run_e2e() {
	echo "== e2e: $1"
	sh "$1" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	s=$(grep -c '^SKIP: ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $1 exited with status $rc"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
		echo "FAIL: $1 reported nothing"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

while [ $# -gt 0 ]; do
	case $1 in
	-u) run_unit "$2"; shift 2 ;;
	-e) run_e2e "$2"; shift 2 ;;
	*) echo "usage: $0 [-u BINARY]... [-e SCRIPT]..." >&2; exit 2 ;;
	esac
done

echo
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
