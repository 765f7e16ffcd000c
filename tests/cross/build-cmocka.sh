#!/bin/sh
# build-cmocka.sh TOOLCHAIN_FILE DL_DIR OUT_DIR - build cmocka's static
# library for a graft target from Debian's source package (libcmocka-dev is
# for glibc): fetched once into DL_DIR (scripts/fetch-debian-source),
# configured with the target's CMake toolchain file (graft-cc), only the
# cmocka-static target built.  Installs OUT_DIR/include/cmocka.h and
# OUT_DIR/lib/libcmocka-static.a.  Users of cmocka.h need
# -D_UINTPTR_T_DEFINED: cmocka guesses uintptr_t from __WORDSIZE, which
# musl does not define.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 TOOLCHAIN_FILE DL_DIR OUT_DIR" >&2; exit 2; }
tc=$1 dl=$2 out=$3
top=$(cd "$(dirname "$0")/../.." && pwd)
orig() { ls "$dl"/cmocka_*.orig.tar.xz "$dl"/cmocka_*.orig.tar.gz 2>/dev/null | tail -1; }
tarball=$(orig) || true
if [ -z "$tarball" ]; then
	echo "  FETCH   cmocka (Debian source package)"
	"$top/scripts/fetch-debian-source" cmocka "$dl" ||
		{ echo "build-cmocka: could not download cmocka's source" >&2; exit 1; }
	tarball=$(orig)
fi
work=$out.build
rm -rf "$work"
mkdir -p "$work"
tar xf "$tarball" -C "$work"
src=$(ls -d "$work"/cmocka-*/ | head -1)
echo "  CMOCKA  $(basename "$src") for $(basename "$tc" .cmake)"
if ! cmake -S "$src" -B "$work/b" -DCMAKE_TOOLCHAIN_FILE="$tc" \
	-DWITH_STATIC_LIB=ON -DBUILD_SHARED_LIBS=OFF -DWITH_EXAMPLES=OFF \
	-DUNIT_TESTING=OFF -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_FLAGS=-D_UINTPTR_T_DEFINED >"$work/build.log" 2>&1 ||
   ! cmake --build "$work/b" --target cmocka-static >>"$work/build.log" 2>&1; then
	tail -30 "$work/build.log"
	echo "build-cmocka: failed, see $work/build.log" >&2
	exit 1
fi
mkdir -p "$out/include" "$out/lib"
cp "$src/include/cmocka.h" "$out/include/"
cp "$work/b/src/libcmocka-static.a" "$out/lib/"
rm -rf "$work"
