#!/bin/sh
# build-app.sh APP - fetch a Debian source package and build it with
# CC=graft-cc, with no change to its source.
#
#   APP: iperf3 | nginx | dnsmasq | haproxy | redis | memcached | pgbouncer
#        | postgresql-15 | postgresql-15-server | mosquitto
#
# The upstream tarball (PKG_VERSION.orig.tar.*) of Debian's source package
# is downloaded once into $GRAFT_BUILD/dl/apps (tests/apps/fetch-source),
# unpacked into $GRAFT_BUILD/apps/APP/src and built there; the programs are
# copied to $GRAFT_BUILD/apps/APP/bin.  The libraries an app links (deps=)
# come from graft's sysroot: graft-deps installs them first when they are
# missing (need_deps; downloads in $GRAFT_BUILD/dl/deps).  A
# second run does nothing when the tarball, the recipe, the libraries and
# graft's libc are unchanged, and only relinks when only libc changed.
# Prints the bin directory on stdout, the build's log on failure.
#
# Exit status: 0 built; 3 the Debian archive is unreachable (message on
# stderr); 1 the build failed.
set -u
# Each app is built as a user builds it, from a shell: under `make
# check-apps` the environment says otherwise, and PostgreSQL's Makefiles
# generate their headers only when MAKELEVEL is 0 (src/common then
# compiles before utils/errcodes.h exists, in a -j build).
unset MAKELEVEL MAKEFLAGS MFLAGS
[ $# -eq 1 ] || { echo "usage: $0 iperf3|nginx|dnsmasq|haproxy|redis|memcached|pgbouncer|postgresql-15|postgresql-15-server|mosquitto" >&2; exit 2; }
app=$1
here=$(cd "$(dirname "$0")" && pwd)
: "${GRAFT_TOP:=$(cd "$here/../.." && pwd)}"
: "${GRAFT_BUILD:=$GRAFT_TOP/build}"
: "${GRAFT_BIN:=$GRAFT_BUILD/bin}"
: "${GRAFT_CC:=$GRAFT_BIN/graft-cc}"
# TARGET-pkg-config beside graft-cc: the sysroot's .pc files only
pkgconf=${GRAFT_CC%/*}/$("$GRAFT_CC" -dumpmachine 2>/dev/null)-pkg-config
jobs=$(nproc 2>/dev/null || echo 2)

# need_deps LIB...: graft-deps installs the libraries into graft-cc's
# sysroot (nothing to do when they are there; its log in
# $GRAFT_BUILD/TARGET/deps/build-app.log).  Exits 3 when the Debian archive
# is unreachable, 1 when a library does not build.
need_deps() {
	_gd=$GRAFT_BIN/graft-deps
	[ -x "$_gd" ] || _gd=$GRAFT_TOP/scripts/graft-deps	# not built by make yet
	_t=$("$GRAFT_CC" -dumpmachine) || exit 1
	mkdir -p "$GRAFT_BUILD/$_t/deps"
	_l=$GRAFT_BUILD/$_t/deps/build-app.log
	"$_gd" --cc "$GRAFT_CC" --cache "$GRAFT_BUILD/dl/deps" --work "$GRAFT_BUILD/$_t/deps" \
		"$@" >"$_l" 2>&1
	_rc=$?
	grep -v 'is installed\|reading the' "$_l" | tail -30 >&2
	[ $_rc -eq 0 ] && return 0
	[ $_rc -eq 3 ] && exit 3
	echo "build-app: graft-deps $* failed" >&2; exit 1
}

# --- the recipes: configure and make flags only, no source change -----------
# (keep docs/apps.md in sync); deps: what graft-deps puts into the sysroot;
# relink: what makes progs again after a libc change
mkargs= deps=
relink() { make -j"$jobs" CC="$GRAFT_CC" $mkargs; }
case $app in
iperf3)
	pkg=iperf3 progs="src/iperf3"
	recipe() {
		./configure CC="$GRAFT_CC" --disable-shared --enable-static \
			--without-openssl --without-sctp && make -j"$jobs"
	} ;;
nginx)
	# The libraries are the sysroot's: nginx's configure finds them
	# with plain -lssl -lcrypto, -lpcre2-8 and -lz, which graft-cc
	# resolves there (never in the host's directories).
	pkg=nginx progs="objs/nginx" deps="zlib openssl pcre2"
	recipe() {
		./configure --with-cc="$GRAFT_CC" --prefix=/var/lib/nginx \
			--with-http_ssl_module --with-http_v2_module \
			--with-pcre --with-pcre-jit && make -j"$jobs"
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
pgbouncer)
	# libevent through pkg-config: configure has PKG_CHECK_MODULES(LIBEVENT,
	# libevent) and no other way, so graft's pkg-config gives the sysroot's
	# (no --with-libevent; evdns from it resolves names).  The same
	# pkg-config finds no libcares (c-ares is optional: auto).  OpenSSL:
	# configure links plain -lssl -lcrypto, the sysroot's.  The man pages
	# are in the tarball: make needs no pandoc.
	pkg=pgbouncer progs="pgbouncer"
	deps="libevent openssl"
	recipe() {
		./configure CC="$GRAFT_CC" PKG_CONFIG="$pkgconf" && make -j"$jobs"
	} ;;
postgresql-15)
	# The client side only, libpq and psql (the server is Debian's binary
	# package, started by tests/apps/postgresql.sh).  graft-cc links
	# statically: libpq's static archive (all-static-lib), and make -o
	# keeps psql's Makefile from building the shared one (submake-libpq).
	# No readline, zlib, ICU, OpenSSL, LLVM: psql -c needs none.
	pkg=postgresql-15 progs="src/bin/psql/psql"
	pgmake() {
		make -j"$jobs" -C src/backend generated-headers &&
		make -j"$jobs" -C src/common && make -j"$jobs" -C src/port &&
		make -j"$jobs" -C src/interfaces/libpq all-static-lib &&
		make -j"$jobs" -C src/fe_utils &&
		make -j"$jobs" -C src/bin/psql -o submake-libpq -o submake-libpgport \
			-o submake-libpgfeutils -o submake-generated-headers psql
	}
	recipe() {
		./configure CC="$GRAFT_CC" --without-readline --without-zlib \
			--without-icu --without-openssl --without-llvm && pgmake
	}
	relink() { pgmake; } ;;
postgresql-15-server)
	# The whole of PostgreSQL in graft-cc's dynamic mode (CC=TARGET-
	# graft-cc-dynamic): the server loads its modules (plpgsql,
	# dict_snowball ...) with dlopen, libpq is a shared library, and
	# libtool-free Makefile.shlib links them with -shared.  Installed
	# into $work/inst (PostgreSQL finds its share/ and lib/ relative to
	# its binaries; the binaries find libpq by their rpath); progs is
	# what says the build is there.  The programs' interpreter is the
	# sysroot's loader: libc.so is read at run time, no relink needed.
	pkg=postgresql-15 progs="src/bin/psql/psql src/backend/postgres"
	recipe() {
		rm -rf "$work/inst"
		./configure CC="$GRAFT_CC-dynamic" --prefix="$work/inst" \
			--without-readline --without-zlib --without-icu \
			--without-openssl --without-llvm &&
			make -j"$jobs" && make install
	}
	relink() { make -j"$jobs" && make install; } ;;
mosquitto)
	# graft-cc's dynamic mode: the broker loads plugins with dlopen.  The
	# broker, libmosquitto.so and its clients, and upstream's example
	# plugin payload-modification (prefixes "hello " to every payload),
	# linked with -shared by its Makefile.  No TLS, cJSON (mosquitto_ctrl,
	# dynamic-security), docs.  The clients find libmosquitto.so.1 in
	# bin/ by their rpath (LDFLAGS from the environment: config.mk
	# appends to it).
	pkg=mosquitto
	progs="src/mosquitto client/mosquitto_pub client/mosquitto_sub lib/libmosquitto.so.1
		plugins/payload-modification/mosquitto_payload_modification.so"
	mkargs="CC=$GRAFT_CC-dynamic WITH_TLS=no WITH_TLS_PSK=no WITH_CJSON=no WITH_DOCS=no WITH_SRV=no WITH_WEBSOCKETS=no"
	recipe() {
		for d in lib client src plugins/payload-modification; do
			LDFLAGS="-Wl,-rpath,$work/bin" make -j"$jobs" -C $d $mkargs || return 1
		done
	}
	relink() { recipe; } ;;
*) echo "$0: unknown app '$app' (iperf3, nginx, dnsmasq, haproxy, redis, memcached, pgbouncer, postgresql-15, postgresql-15-server, mosquitto)" >&2; exit 2 ;;
esac

[ -x "$GRAFT_CC" ] || { echo "$0: $GRAFT_CC is missing: run make first" >&2; exit 1; }
sysroot=$("$GRAFT_CC" -print-sysroot) || exit 1
[ -z "$deps" ] || need_deps $deps
dl=$GRAFT_BUILD/dl/apps
work=$GRAFT_BUILD/apps/$app
orig=$("$here/fetch-source" "$pkg" "$dl")
rc=$?
[ $rc -eq 0 ] || exit $rc

# What the tree was configured from (a change means a full rebuild; a
# library's version too: its headers are compiled in), and the libc and
# library archives it was linked with (a change means a relink).
st=$sysroot/share/graft-deps
libs_ver= libs_a=
for d in $deps; do
	libs_ver="$libs_ver $d:$(sed -n 's/^version //p' "$st/$d.installed")"
	libs_a="$libs_a $(sed -n "s|^lib/.*\.a\$|$sysroot/&|p" "$st/$d.files")"
done
tree_id="$(basename "$orig") $(cksum < "$0" | cut -d' ' -f1) $(readlink -f "$GRAFT_CC")$libs_ver"
# shellcheck disable=SC2086
libc_id=$(cat "$sysroot/lib/libc.a" "$sysroot/lib/crt1.o" "$sysroot/include/graft.h" $libs_a 2>/dev/null | cksum)
log=$work/build.log
have_bins() { for p in $progs; do [ -x "$work/bin/${p##*/}" ] || return 1; done; }

mkdir -p "$work"
if [ "$(cat "$work/.tree" 2>/dev/null)" = "$tree_id" ] && [ -d "$work/src" ]; then
	if [ "$(cat "$work/.libc" 2>/dev/null)" = "$libc_id" ] && have_bins; then
		echo "$work/bin"; exit 0
	fi
	echo "build-app: relinking $app against the current libc" >&2
	(cd "$work/src" && rm -f $progs && relink) >"$log" 2>&1 || {
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
