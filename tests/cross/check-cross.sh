#!/bin/sh
# check-cross.sh TARGET:QEMU... - run the cross tests of each target (built
# by make check-cross) with tests/run-tests.sh:
#   - the core's cmocka unit tests, built for the target, under qemu;
#   - tests/cross/proto-layout.sh: the wire protocol's layout on the target
#     is the host's;
#   - tests/cross/cross-graft.sh: target programs in a lo-only netns get
#     their sockets from the native graftd (ingress, egress, the 32-bit ABI
#     cases);
#   - tests/cross/deps.sh for the targets in GRAFT_XDEPS: graft-deps builds
#     zlib and OpenSSL for the target, a program using both runs;
#   - the e2e tests of graft-cc programs in GRAFT_XE2E (tests/e2e/core-*,
#     afgraft-*) with the target's programs
#     (tests/progs/, run under qemu by wrappers in build/TARGET/cross/e2e;
#     GRAFT_CC is tests/cross/qemu-cc, so programs a test builds itself run
#     under qemu too).
# graftd's unit tests are host programs (graftd runs on the host) and run
# in make check.  Prints a summary per target and the total
# "N passed, N failed"; exits non-zero when anything failed.
# Environment: GRAFT_TOP, GRAFT_BIN (native graftd, graftctl), GRAFT_XHB
# (host-side helpers built with the host cc: layout, abi_net, core_net), GRAFT_XUNITS (the names
# of the unit tests in build/TARGET/cross/run/).
set -u
top=${GRAFT_TOP:?}
summary='' tp=0 tf=0 ts=0
log=$(mktemp) || exit 2
trap 'rm -f "$log" "$log.sid"' EXIT
for tq; do
	t=${tq%%:*} q=${tq#*:}
	xb=$top/build/$t/cross
	echo
	echo "=== $t (with $q)"
	units=
	for u in ${GRAFT_XUNITS:?}; do units="$units -u $xb/run/$u"; done
	e2e="-e $top/tests/cross/proto-layout.sh -e $top/tests/cross/cross-graft.sh -e $top/tests/cross/repro/afgraft-timeo.sh"
	for e in ${GRAFT_XE2E-}; do e2e="$e2e -e $top/$e"; done
	case " ${GRAFT_XDEPS-} " in *" $t "*) e2e="$e2e -e $top/tests/cross/deps.sh" ;; esac
	start=$(date +%s)
	# In a session of its own, so that a server a test left running
	# (under qemu, or an "ip netns exec" whose shell was killed) is ended
	# with the rest of the session when the target's run is over.
	# shellcheck disable=SC2086
	GRAFT_TARGET=$t GRAFT_QEMU=$q GRAFT_XCC=$top/build/bin/$t-graft-cc \
	GRAFT_CC=$top/tests/cross/qemu-cc GRAFT_BUILD=$xb/e2e GRAFT_XB=$xb \
		setsid sh -c 'echo $$ > "$0"; exec "$@"' "$log.sid" \
		"$top/tests/run-tests.sh" $units $e2e 2>&1 | tee "$log"
	sid=$(cat "$log.sid" 2>/dev/null)
	[ -n "$sid" ] && kill -TERM "-$sid" 2>/dev/null
	secs=$(( $(date +%s) - start ))
	last=$(tail -1 "$log")
	p=$(echo "$last" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$last" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	s=$(echo "$last" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
	[ -n "$p" ] || { p=0; f=1; last="no summary (run-tests.sh died?)"; }
	tp=$((tp + p)) tf=$((tf + ${f:-0})) ts=$((ts + ${s:-0}))
	summary="$summary$(printf '%-22s %s (%ss)' "$t" "$last" "$secs")
"
done
echo
echo "=== cross summary"
printf '%s' "$summary"
echo
if [ "$ts" -gt 0 ]; then
	echo "$tp passed, $tf failed, $ts skipped"
else
	echo "$tp passed, $tf failed"
fi
[ "$tf" -eq 0 ]
