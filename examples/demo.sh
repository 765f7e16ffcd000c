#!/bin/sh
# demo.sh - what `make demo` runs.  Until graftd and the in-libc grafting
# land, it builds examples/hello.c with graft-cc and shows what it made.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cc=$top/build/bin/graft-cc
out=$(mktemp -d "${TMPDIR:-/tmp}/graft-demo.XXXXXX")
trap 'rm -rf "$out"' EXIT INT TERM
echo "graft demo: $cc -o hello examples/hello.c"
"$cc" -o "$out/hello" "$top/examples/hello.c"
echo "graft demo: file hello: $(file -b "$out/hello" | cut -d, -f1-4)"
echo "graft demo: size: $(wc -c < "$out/hello") bytes"
echo "graft demo: running it:"
"$out/hello"
