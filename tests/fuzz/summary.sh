#!/bin/sh
# summary.sh BUILDDIR TARGET... - the figures of the last `make fuzz`.
b=$1; shift
echo "fuzzing summary (figures for docs/reliability.md):"
for t in "$@"; do
	[ -f "$b/stats-$t" ] && sed 's/^/  /' "$b/stats-$t"
done
