#!/bin/sh
# build-app.sh APP - fetch a Debian source package and build it with
# CC=graft-cc, with no change to its source.
#
#   APP: iperf3 | nginx | dnsmasq | haproxy | redis | memcached
#
# The upstream tarball (PKG_VERSION.orig.tar.*) of Debian's source package
# is downloaded once into $GRAFT_BUILD/dl/apps (tests/apps/fetch-source),
# unpacked into $GRAFT_BUILD/apps/APP/src and built there; the programs are
# copied to $GRAFT_BUILD/apps/APP/bin.  Libraries an app links are built
# into the sysroot by graft-deps first (need_deps).  A second run does
# nothing when the tarball, the recipe, the sysroot's libraries and graft's
# libc are unchanged, and only relinks when only libc changed.  Prints the
# bin directory on stdout, the build's log on failure.
#
# Exit status: 0 built; 3 the Debian archive is unreachable (message on
# stderr); 1 the build failed.
set -u
[ $# -eq 1 ] || { echo "usage: $0 iperf3|nginx|dnsmasq|haproxy|redis|memcached" >&2; exit 2; }
app=$1
here=$(cd "$(dirname "$0")" && pwd)
: "${GRAFT_TOP:=$(cd "$here/../.." && pwd)}"
: "${GRAFT_BUILD:=$GRAFT_TOP/build}"
: "${GRAFT_CC:=$GRAFT_BUILD/bin/graft-cc}"
: "${GRAFT_BIN:=$GRAFT_BUILD/bin}"
# TARGET-pkg-config beside graft-cc: the sysroot's .pc files only
pkgconf=${GRAFT_CC%/*}/$("$GRAFT_CC" -dumpmachine 2>/dev/null)-pkg-config
jobs=$(nproc 2>/dev/null || echo 2)

# need_deps LIB...: graft-deps installs the libraries into graft-cc's
# sysroot (nothing to do when they are there; its log in $GRAFT_BUILD/
# TARGET/deps), and deps_id, part of the tree's identity, becomes what the
# sysroot holds: a library added or changed means a new configure (which
# may detect it) and a rebuild.  Exits 3 when the Debian archive is
# unreachable, 1 when a library does not build.
deps_id=
need_deps() {
	_gd=$GRAFT_BIN/graft-deps
	[ -x "$_gd" ] || _gd=$GRAFT_TOP/scripts/graft-deps	# not built by make yet
	_t=$("$GRAFT_CC" -dumpmachine) && _sr=$("$GRAFT_CC" -print-sysroot) || exit 1
	mkdir -p "$GRAFT_BUILD/$_t/deps"
	_l=$GRAFT_BUILD/$_t/deps/build-app.log
	"$_gd" --cc "$GRAFT_CC" --cache "$GRAFT_BUILD/dl/deps" --work "$GRAFT_BUILD/$_t/deps" \
		"$@" >"$_l" 2>&1
	_rc=$?
	if [ $_rc -ne 0 ]; then
		grep -v 'is installed\|reading the' "$_l" | tail -30 >&2
		[ $_rc -eq 3 ] && exit 3
		echo "build-app: graft-deps $* failed" >&2; exit 1
	fi
	deps_id=$(cat "$_sr"/share/graft-deps/*.installed | cksum | cut -d' ' -f1)
}

# --- the recipes: configure flags only drop optional libraries -------------
# (keep docs/apps.md in sync)
mkargs= deps=
case $app in
iperf3)
	pkg=iperf3 progs="src/iperf3"
	recipe() {
		./configure CC="$GRAFT_CC" --disable-shared --enable-static \
			--without-openssl --without-sctp && make -j"$jobs"
	} ;;
nginx)
	pkg=nginx progs="objs/nginx"
	recipe() {
		# pcre (regex locations, rewrite) and zlib (gzip) are optional;
		# no OpenSSL module is enabled by default.
		./configure --with-cc="$GRAFT_CC" --prefix=/var/lib/nginx \
			--without-pcre --without-http_rewrite_module \
			--without-http_gzip_module && make -j"$jobs"
	} ;;
dnsmasq)
	pkg=dnsmasq progs="src/dnsmasq"
	recipe() {
		# upstream's default build needs no library at all
		make -j"$jobs" CC="$GRAFT_CC"
	} ;;
haproxy)
	# TARGET and the USE_* set are make variables: the relink needs them
	# too.  No OpenSSL, PCRE, zlib, Lua: all optional.
	pkg=haproxy progs="haproxy"
	mkargs="TARGET=linux-musl USE_OPENSSL= USE_PCRE= USE_ZLIB= USE_LUA= USE_SYSTEMD="
	recipe() { make -j"$jobs" CC="$GRAFT_CC" $mkargs; } ;;
redis)
	# TLS against the sysroot's OpenSSL: redis's Makefile asks $(PKG_CONFIG)
	# for libssl and libcrypto (plain -lssl -lcrypto when it says no), so
	# graft's pkg-config gives the sysroot's, with -pthread -ldl.  The same
	# pkg-config finds no libsystemd (the host's might: redis would then
	# link it).  jemalloc, redis's default allocator on Linux (in deps/),
	# builds with graft-cc as it is.  Make variables only: the relink
	# needs them too.
	pkg=redis progs="src/redis-server src/redis-cli src/redis-benchmark"
	deps=openssl
	mkargs="BUILD_TLS=yes PKG_CONFIG=$pkgconf"
	recipe() { make -j"$jobs" CC="$GRAFT_CC" $mkargs; } ;;
memcached)
	# libevent: memcached's configure does not ask pkg-config for it; it
	# links a test program with plain -levent first, which graft-cc finds
	# in the sysroot (no --with-libevent).  --enable-tls (as Debian builds
	# it): OpenSSL through pkg-config (PKG_CHECK_MODULES), graft's.
	pkg=memcached progs="memcached"
	deps="libevent openssl"
	recipe() {
		./configure CC="$GRAFT_CC" PKG_CONFIG="$pkgconf" \
			--enable-tls && make -j"$jobs"
	} ;;
*) echo "$0: unknown app '$app' (iperf3, nginx, dnsmasq, haproxy, redis, memcached)" >&2; exit 2 ;;
esac

[ -x "$GRAFT_CC" ] || { echo "$0: $GRAFT_CC is missing: run make first" >&2; exit 1; }
sysroot=$("$GRAFT_CC" -print-sysroot) || exit 1
[ -z "$deps" ] || need_deps $deps
dl=$GRAFT_BUILD/dl/apps
work=$GRAFT_BUILD/apps/$app
orig=$("$here/fetch-source" "$pkg" "$dl")
rc=$?
[ $rc -eq 0 ] || exit $rc

# What the tree was configured from (a change means a full rebuild), and
# the libc it was linked with (a change means a relink).
tree_id="$(basename "$orig") $(cksum < "$0" | cut -d' ' -f1) $(readlink -f "$GRAFT_CC")${deps_id:+ deps $deps_id}"
libc_id=$(cat "$sysroot/lib/libc.a" "$sysroot/lib/crt1.o" "$sysroot/include/graft.h" 2>/dev/null | cksum)
log=$work/build.log
have_bins() { for p in $progs; do [ -x "$work/bin/${p##*/}" ] || return 1; done; }

mkdir -p "$work"
if [ "$(cat "$work/.tree" 2>/dev/null)" = "$tree_id" ] && [ -d "$work/src" ]; then
	if [ "$(cat "$work/.libc" 2>/dev/null)" = "$libc_id" ] && have_bins; then
		echo "$work/bin"; exit 0
	fi
	echo "build-app: relinking $app against the current libc" >&2
	(cd "$work/src" && rm -f $progs && make -j"$jobs" CC="$GRAFT_CC" $mkargs) >"$log" 2>&1 || {
		tail -30 "$log" >&2; echo "build-app: $app: relink failed (log: $log)" >&2; exit 1; }
else
	echo "build-app: building $app from $(basename "$orig") with graft-cc" >&2
	rm -rf "$work/src" "$work/bin" "$work/.tree" "$work/.libc"
	mkdir -p "$work/src"
	tar -xf "$orig" -C "$work/src" --strip-components=1 || {
		echo "build-app: cannot unpack $orig" >&2; exit 1; }
	(cd "$work/src" && recipe) >"$log" 2>&1 || {
		tail -30 "$log" >&2; echo "build-app: $app: build failed (log: $log)" >&2; exit 1; }
	echo "$tree_id" > "$work/.tree"
fi
mkdir -p "$work/bin"
for p in $progs; do
	cp "$work/src/$p" "$work/bin/" || exit 1
done
echo "$libc_id" > "$work/.libc"
echo "$work/bin"
