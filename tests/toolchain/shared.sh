#!/bin/sh
# shared.sh - the patched libc.so (make shared / make dropin) against stock
# musl of the same version built here: the same exported symbols (nothing
# of the graft core leaks into the ABI), Alpine's soname, the loader runs
# as a command and runs a dynamically linked program whose socket calls
# work when nothing is configured.  Alpine's own loader, where the
# minirootfs is at hand ($GRAFT_ALPINE, default ../shared/alpine), is
# compared for information, and every libc symbol its programs import
# must be in ours.
. "${GRAFT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
cd "$T_TMP" || exit 2

arch=$(musl_arch "$GRAFT_TARGET") ||
	{ skip "shared libc.so ($GRAFT_TARGET has no loader name here)"; exit 0; }
TB=$GRAFT_BUILD/$GRAFT_TARGET
LDSO=$TB/dropin/lib/ld-musl-$arch.so.1
SO=$TB/sysroot/lib/libc.so
if [ ! -x "$LDSO" ]; then
	fail "the drop-in loader $LDSO exists (make check-build builds it)"
	exit 1
fi
check "the sysroot's libc.so is the drop-in's loader" cmp -s "$SO" "$LDSO"
check "the drop-in's libc.musl-$arch.so.1 links to ld-musl-$arch.so.1" \
	test "$(readlink "$TB/dropin/lib/libc.musl-$arch.so.1")" = "ld-musl-$arch.so.1"

# --- stock musl of the same version (built once, cached by its sha256) --------
conf() { sed -n "s/^$1 = //p" "$GRAFT_TOP/config.mk"; }
ver=$(cat "$TB/musl/VERSION")
src=$GRAFT_TOP/build/dl/musl_$ver.orig.tar.gz
[ "$(conf CONF_MUSL_VERSION)" = "$ver" ] && [ -e "$(conf MUSL_SRC)" ] && src=$(conf MUSL_SRC)
# the compiler the patched one was built with (mk: TARGET_CC)
cc=$(echo "$GRAFT_TARGET" | sed 's/-musl/-gnu/')-gcc
[ "$(conf CONF_TARGET)" = "$GRAFT_TARGET" ] && cc=$(conf CONF_CC)
if ! STOCK=$("$GRAFT_TOP/tests/lib/stock-musl" "$src" "$TB/stock-musl" "$cc"); then
	fail "stock musl $ver libc.so builds from $src"
	exit 1
fi
pass "stock musl $ver libc.so ($STOCK)"

# exported: defined dynamic symbols, "TYPE NAME[@VERSION]"
exports() { nm -D --defined-only "$1" | awk '{print $2, $3}' | LC_ALL=C sort; }
exports "$STOCK" > stock.syms
exports "$LDSO" > graft.syms
check "stock musl $ver exports symbols ($(wc -l < stock.syms))" test "$(wc -l < stock.syms)" -gt 1000
check "the patched libc.so exports exactly stock musl $ver's symbols (names, types, versions)" \
	cmp -s stock.syms graft.syms
cmp -s stock.syms graft.syms || diff stock.syms graft.syms | sed 's/^/# /' | head -40
nm -D "$LDSO" | grep -i graft > graft.leak
check "no dynamic symbol (defined or not) has 'graft' in its name" test ! -s graft.leak
sed 's/^/# /' graft.leak | head -10
check "soname is libc.musl-$arch.so.1" \
	sh -c "readelf -d '$LDSO' | grep -q 'Library soname: \[libc.musl-$arch.so.1\]'"
check "no DT_NEEDED: loader and libc in one file" sh -c "! readelf -d '$LDSO' | grep -q NEEDED"

# --- running it (native target only) --------------------------------------------
case $(uname -m) in
x86_64) native=x86_64 ;; aarch64) native=aarch64 ;; armv7l) native=armhf ;; riscv64) native=riscv64 ;; *) native= ;;
esac
if [ "$native" != "$arch" ]; then
	skip "running the loader ($GRAFT_TARGET is not this machine's)"
	exit $T_FAILED
fi
# as a command: usage on stderr, exit status 1, as stock's (but for its path)
"$STOCK" >stock.usage 2>&1; rs=$?
"$LDSO" >graft.usage 2>&1; rg=$?
sed "s|$STOCK|LOADER|" stock.usage > stock.u
sed "s|$LDSO|LOADER|" graft.usage > graft.u
check "the loader run alone prints stock's usage and exits $rs, as stock's" \
	sh -c "[ $rg = $rs ] && cmp -s stock.u graft.u && grep -q 'Dynamic Program Loader' graft.u"
[ $rg = $rs ] && cmp -s stock.u graft.u || { echo "# status $rg (stock $rs)"; diff stock.u graft.u | sed 's/^/# /'; }

if ! command -v musl-gcc >/dev/null; then
	fail "musl-gcc is missing (./configure installs musl-tools)"
	exit 1
fi
musl-gcc -o np "$GRAFT_TOP/tests/toolchain/netprobe.c"
check "musl-gcc's netprobe is dynamically linked (interpreter /lib/ld-musl-$arch.so.1)" \
	sh -c "readelf -l np | grep -q 'interpreter: /lib/ld-musl-$arch.so.1'"
if [ -e /etc/graft.conf ]; then
	skip "a dynamically linked program with nothing configured (/etc/graft.conf exists on this machine)"
else
	probe() { env -u GRAFT_CONF -u GRAFT -u GRAFT_INGRESS_CONVERT -u GRAFT_EGRESS_CONVERT "$@"; }
	probe timeout 20 "$STOCK" ./np > stock.out 2>&1
	probe timeout 20 "$LDSO" ./np > graft.out 2>&1; rc=$?
	check "a dynamically linked program runs on the patched loader (status $rc)" test $rc = 0
	check "no graft.conf: its socket/bind/connect/getaddrinfo as on stock's loader" cmp -s stock.out graft.out
	check "the probe did real work (a ping over loopback)" grep -q '^got: ping' graft.out
	cmp -s stock.out graft.out || diff stock.out graft.out | sed 's/^/# /' | head -20
fi
# What the core adds to a process that makes one socket call, nothing
# configured: user-space instructions (callgrind counts are repeatable).
# About 700 over stock musl 1.2.5 (reading no graft.conf, a few
# relocations).  It was 8 900 when the 21 KiB configuration structs, zero
# already, were cleared (and 9 more pages faulted in), 3 700 with the
# refusal reasons as a table of pointers (32 relocations) and a getenv()
# scan of the environment per GRAFT* name (docs/performance.md).
if command -v valgrind >/dev/null; then
	printf '#include <sys/socket.h>\nint main(void) { return socket(AF_INET, SOCK_STREAM, 0) < 0; }\n' > one.c
	musl-gcc -O2 -o one one.c
	ir() { env -i valgrind --tool=callgrind --callgrind-out-file="$1.cg" "$2" ./one >/dev/null 2>&1 &&
		awk '/^(summary|totals):/ {print $2; exit}' "$1.cg"; }
	is=$(ir stock "$STOCK") ig=$(ir graft "$LDSO")
	check "start to first socket: at most 1500 instructions more than stock's loader ($ig against $is)" \
		test -n "$is" -a -n "$ig" -a "$((ig - is))" -le 1500
else
	skip "start to first socket, instructions (valgrind is not installed)"
fi

# --- Alpine's loader, for information ---------------------------------------------
: "${GRAFT_ALPINE:=$GRAFT_TOP/../shared/alpine}"
rootfs=$(ls "$GRAFT_ALPINE"/alpine-minirootfs-*-"$(uname -m)".tar.gz 2>/dev/null | tail -n 1)
if [ -z "$rootfs" ]; then
	skip "Alpine's loader (no minirootfs in $GRAFT_ALPINE: set GRAFT_ALPINE)"
	exit $T_FAILED
fi
mkdir alp && tar xzf "$rootfs" -C alp 2>/dev/null
ALP=alp/lib/ld-musl-$arch.so.1
aver=$("$ALP" 2>&1 | sed -n 's/^Version //p')
exports "$ALP" > alpine.syms
if cmp -s alpine.syms graft.syms; then
	echo "# Alpine's loader (musl $aver, ${rootfs##*/}) exports the same $(wc -l < alpine.syms) symbols"
else
	echo "# exports: Alpine's loader (musl $aver, <) against the patched one (>):"
	diff alpine.syms graft.syms | grep '^[<>]' | sed 's/^/# /' | head -40
fi
# what Alpine's programs and libraries import from libc
find alp -type f | while read -r f; do
	readelf -h "$f" >/dev/null 2>&1 && nm -D --undefined-only "$f" 2>/dev/null
done | awk '$1 == "U" {print $2}' | sed 's/@.*//' | LC_ALL=C sort -u > imports
awk '{print $2}' alpine.syms | LC_ALL=C sort -u > alpine.names
awk '{print $2}' graft.syms | LC_ALL=C sort -u > graft.names
LC_ALL=C comm -12 imports alpine.names > needed
LC_ALL=C comm -23 needed graft.names > lacking
if [ "$aver" = "$ver" ]; then
	check "every libc symbol Alpine's programs import ($(wc -l < needed)) is exported by the patched loader" \
		test -s needed -a ! -s lacking
else	# a drop-in is for the image's version only (docs/apps.md)
	skip "Alpine's programs' imports (its musl is $aver, this build's $ver: $(wc -l < lacking) lacking)"
fi
sed 's/^/# lacking: /' lacking | head -20
exit $T_FAILED
