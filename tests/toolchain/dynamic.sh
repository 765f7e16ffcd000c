#!/bin/sh
# dynamic.sh - graft-cc's dynamic mode (issue 20, part 5): a module built
# with graft-cc -shared -fPIC, a program built with graft-cc -dynamic that
# dlopen()s it, on the sysroot's libc.so.  The program's interpreter is the
# sysroot's loader (graft's patched libc), so with no LD_PRELOAD at all its
# sockets, and those the module makes, are grafted: a host client reaches
# the module's listener through an ingress rule.  Also the -dynamic
# wrappers: TARGET-graft-cc-dynamic (the linker libtool is shown),
# TARGET-pkg-config-dynamic (no forced --static).
. "${GRAFT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$GRAFT_TOP/tests/e2e/core-common.inc"
cd "$T_TMP" || exit 2
arch=$(musl_arch "$GRAFT_TARGET") ||
	{ skip "dynamic mode ($GRAFT_TARGET has no loader name here)"; exit 0; }
CC=$GRAFT_CC
SR=$("$CC" -print-sysroot) || { fail "graft-cc -print-sysroot"; exit 1; }
LDSO=$SR/lib/ld-musl-$arch.so.1
SONAME=libc.musl-$arch.so.1
if [ ! -e "$SR/lib/libc.so" ]; then
	fail "the sysroot has libc.so (make check-build builds it: make shared)"
	exit 1
fi
SRC=$GRAFT_TOP/tests/toolchain

# --- building ---------------------------------------------------------------------
"$CC" -O2 -fPIC -c "$SRC/dyn_mod.c" -o dyn_mod.o 2>mod.err &&
	"$CC" -shared -fPIC -o dyn_mod.so dyn_mod.o 2>>mod.err; rc=$?
check "graft-cc -shared -fPIC builds a module (status $rc: $(head -3 mod.err | tr '\n' ' '))" \
	test $rc = 0 -a -f dyn_mod.so
check "the module is a shared object" sh -c "readelf -h dyn_mod.so | grep -q 'Type:.*DYN'"
check "the module needs $SONAME (graft's libc.so by its soname), nothing else" \
	test "$(readelf -d dyn_mod.so | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')" = "$SONAME"
"$CC" -O2 -dynamic -o dyn_prog "$SRC/dyn_prog.c" 2>prog.err; rc=$?
check "graft-cc -dynamic builds a program (status $rc: $(head -3 prog.err | tr '\n' ' '))" \
	test $rc = 0 -a -f dyn_prog
interp=$(readelf -l dyn_prog 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
check "its interpreter is the sysroot's loader, by absolute path ($interp)" test "$interp" = "$LDSO"
check "it needs $SONAME only" \
	test "$(readelf -d dyn_prog | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')" = "$SONAME"
check "the sysroot's loader is its libc.so" cmp -s "$(readlink -f "$LDSO")" "$SR/lib/libc.so"
# the static default is unchanged
"$CC" -O2 -o static_prog "$SRC/dyn_prog.c" 2>/dev/null
check "without -dynamic the program is static (no interpreter, no NEEDED)" \
	sh -c "! readelf -l static_prog | grep -q interpreter && ! readelf -d static_prog | grep -q NEEDED"
"$CC" -O2 -dynamic -static -o static2 "$SRC/dyn_prog.c" 2>/dev/null
check "-static after -dynamic links statically" sh -c "! readelf -l static2 | grep -q interpreter"
"$CC" -O2 -dynamic -Wl,-dynamic-linker,/lib/ld-musl-$arch.so.1 -o img_prog "$SRC/dyn_prog.c" 2>/dev/null
check "-Wl,-dynamic-linker,/lib/ld-musl-$arch.so.1 gives an image's interpreter" \
	sh -c "readelf -l img_prog | grep -q 'interpreter: /lib/ld-musl-$arch.so.1\]'"

# the dynamic wrapper: the mode by name, and the linker libtool should see
DCC=$(dirname "$CC")/$GRAFT_TARGET-graft-cc-dynamic
"$DCC" -O2 -o dyn_prog2 "$SRC/dyn_prog.c" 2>/dev/null
check "$GRAFT_TARGET-graft-cc-dynamic links dynamically by default" \
	sh -c "readelf -l dyn_prog2 | grep -q 'interpreter: $LDSO\]'"
sld=$("$CC" -print-prog-name=ld) dld=$("$DCC" -print-prog-name=ld)
check "static mode: -print-prog-name=ld is $GRAFT_TARGET-graft-ld (libtool: no shared libraries)" \
	test "${sld##*/}" = "$GRAFT_TARGET-graft-ld"
case $dld in /*) ;; *) dld=$(command -v "$dld") ;; esac
check "dynamic mode: -print-prog-name=ld is a linker that lists its supported targets ($dld)" \
	sh -c "'$dld' --help | grep -q 'supported targets:.*elf'"

# pkg-config: --static forced in the static mode only
mkdir pc && cat > pc/dynt.pc <<PC
Name: dynt
Description: dynamic.sh
Version: 1
Libs: -ldynt
Libs.private: -ldyntpriv
PC
PKC=$(dirname "$CC")/$GRAFT_TARGET-pkg-config
if command -v pkg-config >/dev/null && [ -x "$PKC" ]; then
	s=$(PKG_CONFIG_PATH=$PWD/pc "$PKC" --libs dynt) d=$(PKG_CONFIG_PATH=$PWD/pc "$PKC-dynamic" --libs dynt)
	check "$GRAFT_TARGET-pkg-config answers as --static ($s)" has "$s" '.*-ldyntpriv'
	check "$GRAFT_TARGET-pkg-config-dynamic does not ($d)" [ "$(echo $d)" = -ldynt ]
else
	skip "pkg-config wrappers (no pkg-config)"
fi

# CMake: -DGRAFT_DYNAMIC=ON with the toolchain file builds real shared
# libraries and modules (the static default turns them into archives)
TCF=$GRAFT_BUILD/share/graft/cmake/$GRAFT_TARGET.cmake
cm_ok=no
if command -v cmake >/dev/null && [ -f "$TCF" ]; then
	mkdir cmd && cp "$SRC/dyn_mod.c" cmd/ &&
	printf 'int lib(void) { return 7; }\n' > cmd/lib.c &&
	cat > cmd/prog.c <<'EOF'
#include <dlfcn.h>
#include <stdio.h>
int lib(void);
int main(int argc, char **argv)
{
	char b[128];
	void *m = dlopen(argv[1], RTLD_NOW);
	int (*g)(char *, unsigned long) = m ? (int (*)(char *, unsigned long))dlsym(m, "dyn_mod_greet") : 0;
	if (!g || g(b, sizeof b) < 0) return 1;
	printf("lib %d, %s", lib(), b);
	return 0;
}
EOF
	cat > cmd/CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.13)
project(dyn C)
add_library(lib SHARED lib.c)
add_library(plug MODULE dyn_mod.c)
add_executable(prog prog.c)
target_link_libraries(prog lib)
EOF
	if cmake -S cmd -B cmdb -DCMAKE_TOOLCHAIN_FILE="$TCF" -DGRAFT_DYNAMIC=ON >cmd.log 2>&1 &&
	   cmake --build cmdb >>cmd.log 2>&1; then
		cm_ok=yes
		check "CMake GRAFT_DYNAMIC=ON: add_library(SHARED) and (MODULE) are shared objects" \
			sh -c "readelf -h cmdb/liblib.so | grep -q 'Type:.*DYN' && readelf -h cmdb/libplug.so | grep -q 'Type:.*DYN'"
		check "CMake GRAFT_DYNAMIC=ON: the program's interpreter is the sysroot's loader, it needs liblib.so" \
			sh -c "readelf -l cmdb/prog | grep -q 'interpreter: $LDSO\]' && readelf -d cmdb/prog | grep -q 'NEEDED.*liblib.so'"
	else
		fail "CMake with -DGRAFT_DYNAMIC=ON builds a shared library, a module and a program"; tail -20 cmd.log
	fi
else
	skip "CMake GRAFT_DYNAMIC=ON (no cmake, or no toolchain file at $TCF)"
fi

# --- running (native target only) -------------------------------------------------
case $(uname -m) in
x86_64) native=x86_64 ;; aarch64) native=aarch64 ;; armv7l) native=armhf ;; riscv64) native=riscv64 ;; *) native= ;;
esac
if [ "$native" != "$arch" ]; then
	skip "running the dynamic program ($GRAFT_TARGET is not this machine's)"
	exit $T_FAILED
fi
out=$(env -u LD_PRELOAD -u LD_LIBRARY_PATH GRAFT=off ./dyn_prog "$PWD/dyn_mod.so" 2>&1)
check "the program runs, dlopen()s the module and calls it ($out)" has "$out" 'hello from the module, pid [0-9]'
if [ $cm_ok = yes ]; then
	out=$(env -u LD_PRELOAD -u LD_LIBRARY_PATH GRAFT=off cmdb/prog "$PWD/cmdb/libplug.so" 2>&1)
	check "CMake's program runs (its rpath finds liblib.so) and dlopen()s CMake's module ($out)" \
		has "$out" 'lib 7, hello from the module, pid [0-9]'
fi

# --- grafted with no LD_PRELOAD ---------------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
	skip "dynamic: grafting (needs root and ip netns)"
	exit $T_FAILED
fi
core_setup dynamic
graftctl add ep-dyn type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null ||
	{ fail "dynamic: graftctl add ep-dyn"; exit 1; }
conf "ingress 0.0.0.0:8080 ep-dyn" verbose
bg in_ns env -u LD_PRELOAD -u LD_LIBRARY_PATH "$T_TMP/dyn_prog" "$T_TMP/dyn_mod.so" serve 0.0.0.0 8080 \
	>"$T_TMP/s1" 2>"$T_TMP/s1.err"
if ready "$T_TMP/s1"; then
	check "the module's listener: getsockname shows what it bound, 0.0.0.0:8080" \
		grep -q '^ready 0.0.0.0:8080$' "$T_TMP/s1"
	check "the verbose line says it was grafted ($(head -2 "$T_TMP/s1.err" | tr '\n' ' '))" \
		grep -q "^graft: ingress 0.0.0.0:8080 -> ep-dyn: fd [0-9]* grafted" "$T_TMP/s1.err"
	out=$(on_host "$NET" client-tcp 127.0.0.1 "$P1" 2>&1)
	check "a host client reaches it through the ingress rule and gets the module's greeting ($out)" \
		has "$out" '.*reply=hello from the module'
else
	fail "dynamic: the server did not start: $(cat "$T_TMP/s1" "$T_TMP/s1.err")"
fi
t_done
