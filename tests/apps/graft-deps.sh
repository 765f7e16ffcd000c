#!/bin/sh
# graft-deps.sh - graft-deps builds zlib, OpenSSL, PCRE2 and libevent from
# Debian's sources into the sysroot (as `make deps` does: the same cache and
# build directories, so the other app tests find them), running their own
# tests first (--check), and graft-cc,
# TARGET-pkg-config and the CMake toolchain file find them there and
# nowhere else.  A program using all four runs (the apps that serve TLS
# from a namespace are tests/apps/nginx.sh, redis.sh, memcached.sh ...).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
cd "$T_TMP" || exit 2
[ -x "$GRAFT_CC" ] || { skip "graft-deps (graft-cc not built: $GRAFT_CC)"; exit 0; }
DEPS=$GRAFT_BIN/graft-deps
PC=$GRAFT_BIN/$GRAFT_TARGET-pkg-config
SR=$("$GRAFT_CC" -print-sysroot)
CACHE=$GRAFT_BUILD/dl/deps
WORK=$GRAFT_BUILD/$GRAFT_TARGET/deps
gd() { "$DEPS" --cc "$GRAFT_CC" --cache "$CACHE" --work "$WORK" "$@"; }

t0=$(date +%s)
gd --check all 2>gd.err
rc=$?
sed 's/^/  /' gd.err
case $rc in
0) pass "graft-deps --check all: zlib, openssl, pcre2, libevent installed ($(( $(date +%s) - t0 )) s)" ;;
3) skip "graft-deps ($(head -2 gd.err | tr '\n' ' '))"; exit 0 ;;
*) fail "graft-deps --check all (exit $rc)"; t_done ;;
esac
for n in zlib openssl pcre2 libevent; do
	check "graft-deps: $n's own tests passed, built with graft-cc (--check)" \
		grep -qx 'checked yes' "$SR/share/graft-deps/$n.installed"
done
for f in lib/libz.a lib/libssl.a lib/libcrypto.a lib/libpcre2-8.a lib/libevent.a \
	lib/libevent_openssl.a include/zlib.h include/openssl/ssl.h include/pcre2.h \
	include/event2/event.h lib/pkgconfig/zlib.pc lib/pkgconfig/openssl.pc \
	lib/pkgconfig/libpcre2-8.pc lib/pkgconfig/libevent.pc; do
	[ -f "$SR/$f" ] || fail "graft-deps: $f is not in the sysroot"
done
check "graft-deps: the .pc files are relocatable (no absolute build path)" \
	sh -c "! grep -l '$SR\|/usr/lib\|^prefix=/' '$SR'/lib/pkgconfig/*.pc"

# Idempotent: a second run builds nothing.
gd zlib openssl pcre2 libevent 2>gd2.err
check "graft-deps: a second run finds all four installed and builds nothing" \
	sh -c "[ \$(grep -c 'is installed' gd2.err) = 4 ] && ! grep -q building gd2.err"
check "graft-deps --list shows the installed versions" \
	sh -c "'$DEPS' --cc '$GRAFT_CC' --list | grep -q '^openssl *3\.0\.[0-9]*-[^ ]* *3\.0\.'"

# --- pkg-config: the sysroot, the caller's PKG_CONFIG_PATH, never the host ---
for m in zlib openssl libpcre2-8 libevent; do
	out=$("$PC" --cflags --libs "$m" 2>&1)
	case $out in
	*"$SR/lib/pkgconfig/../../include"*"$SR/lib/pkgconfig/../../lib"*)
		pass "pkg-config $m: sysroot paths ($(echo "$out" | sed "s|$SR/lib/pkgconfig/../..|SR|g"))" ;;
	*) fail "pkg-config $m: $out" ;;
	esac
done
check "pkg-config openssl: the private libraries too (static only)" \
	sh -c "'$PC' --libs openssl | grep -q -- '-pthread\|-ldl'"
# a host library's .pc is not found (its file is in the host's pkgconfig dir)
if pkg-config --exists libcrypt 2>/dev/null || pkg-config --exists zlib 2>/dev/null; then
	check "pkg-config: the host's own .pc files are not searched" \
		sh -c "! '$PC' --exists libcrypt"
fi
mkdir -p mypc/include mypc/lib/pkgconfig
cat > mypc/lib/pkgconfig/mine.pc <<EOF
prefix=$PWD/mypc
Name: mine
Description: a library the user installed elsewhere
Version: 1.0
Cflags: -I\${prefix}/include
Libs: -L\${prefix}/lib -lmine
EOF
out=$(PKG_CONFIG_PATH=$PWD/mypc/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=/wrong "$PC" --cflags --libs mine 2>&1)
out=$(echo $out)
check "pkg-config: a PKG_CONFIG_PATH entry is searched, its paths untouched ($out)" \
	[ "$out" = "-I$PWD/mypc/include -L$PWD/mypc/lib -lmine" ]

# --- graft-cc: -lz is the sysroot's zlib ----------------------------------------
printf '#include <zlib.h>\n#include <stdio.h>\nint main(void) { puts(zlibVersion()); return 0; }\n' > z.c
"$GRAFT_CC" -o z z.c -lz -Wl,--trace > z.trace 2>&1
check "graft-cc -lz links the sysroot's musl zlib (-Wl,--trace)" \
	sh -c "grep -qx '$SR/lib/libz.a' z.trace && ! grep -qE '^(/usr)?/lib/[^/]*-linux-gnu[^/]*/' z.trace && ./z | grep -q '^1\.2\.'"

# --- a program using all four, built with pkg-config, run grafted --------------
ST=$GRAFT_TOP/tests/apps/deps_selftest.c
if "$GRAFT_CC" -O2 -Wall -o selftest "$ST" -DWITH_ZLIB -DWITH_OPENSSL -DWITH_PCRE2 -DWITH_LIBEVENT \
	$("$PC" --cflags --libs zlib openssl libpcre2-8 libevent) 2>cc.err; then
	pass "graft-cc builds a program with zlib, openssl, pcre2, libevent from pkg-config"
	check "it is static" is_static selftest
	./selftest > st.out 2>&1; rc=$?
	sed 's/^/  /' st.out
	check "zlib, SHA-256, a TLS 1.3 handshake, PCRE2 (JIT), libevent all work" \
		sh -c "[ $rc = 0 ] && ! grep -q FAIL st.out && grep -q 'TLS 1.3' st.out && grep -q 'JIT' st.out"
else
	sed 's/^/  /' cc.err; fail "graft-cc builds a program with the four libraries"
fi

# --- the dynamic mode: the same archives inside a module ----------------------
# graft-deps builds position-independent archives, so a module (-shared)
# links them; a -dynamic program dlopen()s it and runs the same self-test.
# (Before, zlib's and libevent's archives failed: "recompile with -fPIC".)
if [ -e "$SR/lib/libc.so" ]; then
	cat > load.c <<'EOF'
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	void *h = dlopen(argv[1], RTLD_NOW);
	int (*f)(void);
	if (!h) { printf("FAIL dlopen: %s\n", dlerror()); return 1; }
	f = (int (*)(void))dlsym(h, "deps_selftest");
	return f ? f() : 1;
}
EOF
	if "$GRAFT_CC" -shared -fPIC -O2 -o selftest.so "$ST" -Dmain=deps_selftest \
		-DWITH_ZLIB -DWITH_OPENSSL -DWITH_PCRE2 -DWITH_LIBEVENT \
		$("$PC-dynamic" --static --cflags --libs zlib openssl libpcre2-8 libevent) 2>so.err &&
		"$GRAFT_CC" -dynamic -O2 -o load load.c 2>>so.err; then
		pass "dynamic mode: a module links the four static archives (pkg-config-dynamic --static)"
		./load "$PWD/selftest.so" > so.out 2>&1; rc=$?
		check "a -dynamic program dlopen()s it: zlib, TLS 1.3, PCRE2 (JIT), libevent work (exit $rc)" \
			sh -c "[ $rc = 0 ] && ! grep -q FAIL so.out && grep -q 'TLS 1.3' so.out && grep -q 'JIT' so.out"
		[ $rc = 0 ] || sed 's/^/  /' so.out
	else
		sed 's/^/  /' so.err | tail -8; fail "dynamic mode: a module links the four static archives"
	fi
else
	skip "dynamic mode (the sysroot has no libc.so: make shared)"
fi

# --- CMake: find_package and pkg_check_modules through the toolchain file ------
if command -v cmake >/dev/null; then
	mkdir -p cm && cat > cm/CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.13)
project(depstest C)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
add_executable(selftest selftest.c)
target_compile_definitions(selftest PRIVATE WITH_ZLIB WITH_OPENSSL WITH_PCRE2)
target_link_libraries(selftest ZLIB::ZLIB OpenSSL::SSL PkgConfig::PCRE2)
EOF
	cp "$ST" cm/selftest.c
	if cmake -S cm -B cm/b -DCMAKE_TOOLCHAIN_FILE="$GRAFT_BUILD/share/graft/cmake/$GRAFT_TARGET.cmake" \
		>cm.log 2>&1 && cmake --build cm/b >>cm.log 2>&1; then
		check "CMake: find_package(ZLIB, OpenSSL) find the sysroot's libraries" \
			sh -c "grep -q 'Found ZLIB: $SR/lib/libz.a' cm.log && grep -q 'Found OpenSSL: $SR/lib/libcrypto.a' cm.log"
		check "CMake: the program runs" sh -c "cm/b/selftest >/dev/null"
	else
		sed 's/^/  /' cm.log | tail -20; fail "CMake builds with the four libraries"
	fi
else
	skip "CMake (cmake is not installed)"
fi

# --- --remove and a tampered download, on a copy of the toolchain -------------
# (the shared sysroot stays as the other app tests need it)
mkdir -p iso/bin iso/$GRAFT_TARGET
cp -R "$SR" "iso/$GRAFT_TARGET/sysroot"
# graft-cc and pkg-config find the sysroot relative to themselves
RCC=$(readlink -f "$GRAFT_CC")
cp -p "$RCC" "$PC" iso/bin/
[ ! -f "$RCC.specs" ] || cp -p "$RCC.specs" iso/bin/
ICC=$PWD/iso/bin/$GRAFT_TARGET-graft-cc
ISR=$PWD/iso/$GRAFT_TARGET/sysroot
igd() { "$DEPS" --cc "$ICC" --cache "$CACHE" --work "$PWD/iso/w" "$@"; }
igd --remove pcre2 2>/dev/null
check "graft-deps --remove pcre2 deletes its files, nothing else" \
	sh -c "[ ! -e '$ISR/lib/libpcre2-8.a' ] && [ ! -e '$ISR/include/pcre2.h' ] && [ ! -e '$ISR/lib/pkgconfig/libpcre2-8.pc' ] && [ -e '$ISR/lib/libz.a' ] && [ -e '$SR/lib/libpcre2-8.a' ]"
check "graft-deps --list says pcre2 is not installed" \
	sh -c "'$DEPS' --cc '$ICC' --list | grep -q '^pcre2 .* -\$'"
# a tampered download is refused before anything is built
mkdir -p bad/dl && cp -R "$CACHE/dl/pcre2" bad/dl/
f=$(ls bad/dl/pcre2/*/pcre2_*.orig.tar.gz | head -1)
printf 'x' | dd of="$f" bs=1 seek=1000 conv=notrunc 2>/dev/null
"$DEPS" --cc "$ICC" --cache "$PWD/bad" --work "$PWD/bad/w" pcre2 >bad.out 2>&1; rc=$?
check "graft-deps refuses a download whose checksum is not the .dsc's (exit $rc)" \
	sh -c "[ $rc = 1 ] && grep -q 'checksum' bad.out && [ ! -e '$ISR/lib/libpcre2-8.a' ]"
igd pcre2 2>gd3.err
check "graft-deps pcre2 installs it again" sh -c "[ -e '$ISR/lib/libpcre2-8.a' ] && grep -q 'installed into' gd3.err"
# A pin the archive no longer serves: --strict refuses, otherwise the
# newest version of the same upstream series is taken, with a warning.
sed 's/^zlib zlib 1:1\.2\.13\.dfsg-1 /zlib zlib 1:1.2.13.dfsg-0 /' "$DEPS" > gone-pin
chmod 755 gone-pin
if grep -q '^zlib zlib 1:1.2.13.dfsg-0 ' gone-pin; then
	igd --remove zlib 2>/dev/null
	./gone-pin --cc "$ICC" --cache "$PWD/fb" --work "$PWD/fb/w" --strict zlib >strict.out 2>&1; rc=$?
	check "a pinned version the archive lacks: --strict refuses it (exit $rc)" \
		sh -c "[ $rc = 1 ] && grep -q 'is not served' strict.out && [ ! -e '$ISR/lib/libz.a' ]"
	# no musl zlib in this sysroot: -lz fails, as with musl-gcc, even
	# though the host has glibc's libz.a (tests/apps/deps.sh installs it)
	hz=$(ls /usr/lib/*/libz.a 2>/dev/null | head -1)
	# (z0.c declares what it uses: zlib.h went with the library)
	printf 'const char *zlibVersion(void);\nint main(void) { return !zlibVersion(); }\n' > z0.c
	"$ICC" -o z2 z0.c -lz >lz.out 2>&1; rc=$?
	check "-lz with no musl zlib in the sysroot fails (exit $rc), the host's ${hz:-libz.a} notwithstanding" \
		sh -c "[ $rc != 0 ] && grep -q 'cannot find -lz' lz.out"
	if command -v musl-gcc >/dev/null; then
		check "musl-gcc fails the same way" sh -c "! musl-gcc -static -o z3 z0.c -lz 2>/dev/null"
	fi
	./gone-pin --cc "$ICC" --cache "$PWD/fb" --work "$PWD/fb/w" zlib >fb.out 2>&1; rc=$?
	check "without --strict the same series' version is taken, with a warning (exit $rc)" \
		sh -c "[ $rc = 0 ] && grep -q 'warning: zlib: pinned zlib 1:1.2.13.dfsg-0 is not served; taking 1:1.2.13.dfsg-1' fb.out && [ -e '$ISR/lib/libz.a' ]"
	"$ICC" -o z2 z.c -lz -Wl,--trace >z2.trace 2>&1
	check "with graft-deps' zlib, -lz links it (-Wl,--trace)" grep -qx "$ISR/lib/libz.a" z2.trace
	./gone-pin --cc "$ICC" --cache "$PWD/fb" --work "$PWD/fb/w" zlib >fb2.out 2>&1
	check "and the next run finds it installed" grep -q 'zlib 1:1.2.13.dfsg-1 is installed' fb2.out
else
	fail "the zlib pin line is not where the test expects it"
fi

# libtool with no --disable-shared: graft-cc -print-prog-name=ld names a
# linker that makes libtool's probe say no, so make builds static only
if [ -f iso/w/pcre2/configure ]; then
	cp -Rp iso/w/pcre2 lt && (cd lt && make distclean) >/dev/null 2>&1
	(cd lt && ./configure CC="$GRAFT_CC" && make -j2) >lt.log 2>&1; rc=$?
	check "libtool (pcre2's configure, no --disable-shared) decides: no shared libraries" \
		grep -q 'whether to build shared libraries\.\.\. no' lt.log
	check "make then builds pcre2's static libraries and programs (exit $rc)" \
		sh -c "[ $rc = 0 ] && [ -f lt/.libs/libpcre2-8.a ] && ! ls lt/.libs/*.so* 2>/dev/null && file lt/pcre2grep | grep -q 'statically linked'"
	[ $rc = 0 ] || tail -15 lt.log | sed 's/^/  /'
	# the dynamic mode: TARGET-graft-cc-dynamic names the plain linker,
	# so libtool builds shared libraries, and programs that use them
	if [ -e "$("$GRAFT_CC" -print-sysroot)/lib/libc.so" ]; then
		cp -Rp iso/w/pcre2 ltd && (cd ltd && make distclean) >/dev/null 2>&1
		(cd ltd && ./configure CC="$GRAFT_CC-dynamic" && make -j2) >ltd.log 2>&1; rc=$?
		check "dynamic mode: libtool (pcre2's configure) decides: shared libraries" \
			grep -q 'whether to build shared libraries\.\.\. yes' ltd.log
		out=$(echo hello | ltd/pcre2grep -o 'l+' 2>&1)
		check "make builds libpcre2-8.so and a pcre2grep that runs on it (exit $rc; $out)" \
			sh -c "[ $rc = 0 ] && [ -f ltd/.libs/libpcre2-8.so.0 ] && [ '$out' = ll ] &&
			readelf -d ltd/.libs/pcre2grep | grep -q 'NEEDED.*libpcre2-8.so.0'"
		[ $rc = 0 ] || tail -15 ltd.log | sed 's/^/  /'
	else
		fail "dynamic mode libtool check: the sysroot has no libc.so (make shared)"
	fi
else
	fail "libtool check: graft-deps left no pcre2 tree in iso/w"
fi
check "usage errors exit 2" sh -c "'$DEPS' --cc '$GRAFT_CC' nosuchlib 2>/dev/null; [ \$? = 2 ]"
t_done
