#!/bin/sh
# deps.sh - graft-deps for a cross target: zlib and OpenSSL built with
# TARGET-graft-cc from Debian's sources into the target's sysroot, and a
# program of the target using both (a zlib round trip, SHA-256, a TLS 1.3
# handshake in memory) runs under qemu-user.  make check-cross runs it for
# CROSS_DEPS_TARGETS (aarch64-linux-musl).
. "$(dirname "$0")/../lib/common.sh"
: "${GRAFT_TARGET:?}" "${GRAFT_QEMU:?}" "${GRAFT_XCC:?}"
cd "$T_TMP" || exit 2
T=$GRAFT_TARGET
DEPS=$GRAFT_TOP/build/bin/graft-deps
PC=$GRAFT_TOP/build/bin/$T-pkg-config
[ -x "$DEPS" ] && [ -x "$PC" ] || { fail "deps $T: graft-deps or $T-pkg-config not built"; t_done; }
SR=$("$GRAFT_XCC" -print-sysroot)
t0=$(date +%s)
"$DEPS" --target "$T" --cache "$GRAFT_TOP/build/dl/deps" --work "$GRAFT_TOP/build/$T/deps" \
	zlib openssl 2>gd.err
rc=$?
sed 's/^/  /' gd.err
case $rc in
0) pass "graft-deps --target $T zlib openssl ($(( $(date +%s) - t0 )) s)" ;;
3) skip "graft-deps $T ($(head -2 gd.err | tr '\n' ' '))"; exit 0 ;;
*) fail "graft-deps --target $T zlib openssl (exit $rc)"; t_done ;;
esac
case $T in
aarch64-*) elf='ARM aarch64' ;; arm-*) elf='ARM, EABI5' ;; riscv64-*) elf='RISC-V' ;; *) elf=$T ;;
esac
check "$T: libz.a holds $elf objects" \
	sh -c "ar x '$SR/lib/libz.a' deflate.o && file deflate.o | grep -q '$elf'"
"$GRAFT_XCC" -O2 -Wall -o selftest "$GRAFT_TOP/tests/apps/deps_selftest.c" -DWITH_ZLIB -DWITH_OPENSSL \
	$("$PC" --cflags --libs zlib openssl) -Wl,--trace > trace.out 2>cc.err
rc=$?
check "$T-graft-cc builds a program with zlib and openssl from $T-pkg-config" [ $rc = 0 ]
[ $rc = 0 ] || { sed 's/^/  /' cc.err; t_done; }
check "$T: it links the sysroot's libz.a, libssl.a, libcrypto.a, nothing of the host" \
	sh -c "grep -qx '$SR/lib/libz.a' trace.out && grep -qx '$SR/lib/libssl.a' trace.out && grep -qx '$SR/lib/libcrypto.a' trace.out && ! grep -qE '^(/usr)?/lib/[^/]*-linux-gnu[^/]*/' trace.out"
"$GRAFT_QEMU" ./selftest > st.out 2>&1; rc=$?
sed 's/^/  /' st.out
check "$T under $GRAFT_QEMU: zlib, SHA-256 and a TLS 1.3 handshake work" \
	sh -c "[ $rc = 0 ] && grep -q 'ok   openssl: TLS 1.3' st.out && grep -q 'ok   zlib: uncompress' st.out && ! grep -q FAIL st.out"
t_done
