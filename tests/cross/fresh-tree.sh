#!/bin/sh
# fresh-tree.sh MUSL_TREE GRAFT_CORE - remove a target's prepared musl tree
# when its src/graft is not GRAFT_CORE (a tree prepared for an experiment
# with another core): its stamp would not notice, and libc.a would keep the
# other core.  The next make prepares the tree again.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 MUSL_TREE GRAFT_CORE" >&2; exit 2; }
tree=$1 core=$2
[ -d "$tree" ] || exit 0
link=$(readlink "$tree/src/graft" 2>/dev/null) || link=
if [ "$link" != "$core" ]; then
	echo "  CLEAN   $tree (its graft core was ${link:-missing}, not $core)"
	rm -rf "$tree"
fi
