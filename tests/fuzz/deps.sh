#!/bin/sh
# deps.sh - make sure $FUZZ_CC (default clang-14) can build libFuzzer
# targets with ASan and UBSan; on Debian, as root, install what is missing
# (clang-14, libclang-rt-14-dev: the fuzzer and sanitizer runtimes).
# Used by mk/fuzz.mk and mk/sanitize.mk.  Quiet when all is there.
set -eu
CC=${FUZZ_CC:-clang-14}
probe() {
	_d=$(mktemp -d) || return 1
	printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; return (int)n & 0; }\n' >"$_d/p.c"
	"$CC" -fsanitize=fuzzer,address,undefined -o "$_d/p" "$_d/p.c" >/dev/null 2>&1
	_rc=$?
	rm -rf "$_d"
	return $_rc
}
probe && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
	echo "  DEPS    installing clang-14 libclang-rt-14-dev (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q clang-14 libclang-rt-14-dev >/dev/null ||
	    { apt-get update -q >/dev/null && \
	      apt-get install -y -q clang-14 libclang-rt-14-dev >/dev/null; }
	probe && exit 0
fi
echo "tests/fuzz/deps.sh: $CC cannot build -fsanitize=fuzzer,address,undefined;" >&2
echo "  install clang-14 and libclang-rt-14-dev (Debian), or set FUZZ_CC" >&2
exit 1
