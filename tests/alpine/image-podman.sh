#!/bin/sh
# image-podman.sh - examples/alpine/Dockerfile.dropin with podman, on the
# real Alpine minirootfs ($GRAFT_ALPINE, default ../shared/alpine) imported
# as a local image, no registry and no network: the image built from the
# drop-in `make dropin` made runs Alpine's own apk on the patched loader
# (which is the file in the image), prints what the stock image prints, and
# a drop-in of another musl version is refused.  Then what apk does to the
# swapped loader (docs/apps.md): an upgrade of musl from a repository puts
# the package's loader back, a world pin (musl=VERSION) keeps the swap.
# Skips with the reason when podman is missing or cannot run containers.
. "${GRAFT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
cd "$T_TMP" || exit 2

: "${GRAFT_ALPINE:=$GRAFT_TOP/../shared/alpine}"
m=$(uname -m)
case $m in x86_64|aarch64) ;; *) skip "Alpine image ($m: no drop-in here)"; exit 0 ;; esac
case $GRAFT_TARGET in
"$m"-linux-musl) ;;
*) skip "Alpine image (the build's target $GRAFT_TARGET is not this machine's)"; exit 0 ;;
esac
rootfs=$(ls "$GRAFT_ALPINE"/alpine-minirootfs-*-"$m".tar.gz 2>/dev/null | tail -n 1)
[ -n "$rootfs" ] || { skip "Alpine image (no minirootfs in $GRAFT_ALPINE: set GRAFT_ALPINE)"; exit 0; }
command -v podman >/dev/null || { skip "Alpine image (podman is not installed: apt-get install podman)"; exit 0; }
[ "$(id -u)" -eq 0 ] || { skip "Alpine image (needs root: rootful podman storage)"; exit 0; }
ver=$(cat "$GRAFT_BUILD/$GRAFT_TARGET/musl/VERSION")
tgz=$GRAFT_BUILD/graft-dropin-$GRAFT_TARGET-musl$ver.tar.gz
LDSO=$GRAFT_BUILD/$GRAFT_TARGET/dropin/lib/ld-musl-$m.so.1
[ -f "$tgz" ] && [ -f "$LDSO" ] || { fail "the drop-in $tgz exists (make check-build makes it)"; exit 1; }

# our images only, removed at exit (a tag another image shares is only untagged)
BASE=localhost/graft-test-alpine-$$:base
IMG=localhost/graft-test-image-$$
img_cleanup() {
	podman rm -f -a --filter "ancestor=$IMG" >/dev/null 2>&1
	podman rmi -f "$IMG" "$IMG-other" "$IMG-ctx" "$IMG-ver" "$BASE" >/dev/null 2>&1
	t_cleanup
}
trap 'img_cleanup' EXIT
if ! podman import "$rootfs" "$BASE" >import.log 2>&1; then
	skip "Alpine image (podman import fails here: $(tail -n 1 import.log))"; exit 0
fi
# podman's defaults need what a sandbox may lack (crun: a pure cgroup v2
# or v1 layout; raising RLIMIT_NOFILE/NPROC: CAP_SYS_RESOURCE): the first
# of these that runs a container is used for run and build alike
# (at most 1024, at most what this shell has)
lim() { awk -v k="$1" '$0 ~ "^Max " k {v = $(NF - 2); print (v == "unlimited" || v > 1024) ? 1024 : v}' /proc/self/limits; }
n=$(lim "open files") p=$(lim processes)
R= U=
for o in "|" "--runtime runc|" "|--ulimit nofile=$n:$n --ulimit nproc=$p:$p" \
	 "--runtime runc|--ulimit nofile=$n:$n --ulimit nproc=$p:$p"; do
	R=${o%%|*} U=${o#*|}
	# shellcheck disable=SC2086
	timeout 60 podman $R run --rm --network none $U "$BASE" true >run.log 2>&1 && { ok=1; break; }
	ok=0
done
if [ $ok = 0 ]; then
	skip "Alpine image (podman cannot run a container here: $(tail -n 1 run.log))"; exit 0
fi
# shellcheck disable=SC2086
prun() { timeout 60 podman $R run --rm --network none $U "$@"; }
# shellcheck disable=SC2086
pbuild() { timeout 300 podman build $R $U --network none --build-arg ALPINE="$BASE" "$@"; }
echo "# podman $(podman --version | sed 's/.* //') ${R:-(default runtime)} $U"

aver=$(prun "$BASE" sh -c '/lib/ld-musl-$(uname -m).so.1 2>&1' | sed -n 's/^Version //p')
if [ "$aver" != "$ver" ]; then
	skip "Dockerfile.dropin (${rootfs##*/} has musl $aver, the build is musl $ver)"; exit 0
fi

# the build context: graft's tree (its .dockerignore leaves out all of
# build/ but the drop-in tarballs) when the tarball is in its build/
if [ "$(cd "$(dirname "$tgz")" && pwd -P)" = "$(cd "$GRAFT_TOP/build" 2>/dev/null && pwd -P)" ]; then
	ctx=$GRAFT_TOP
else
	ctx=$T_TMP/ctx
	mkdir -p "$ctx/build" "$ctx/examples" && cp -R "$GRAFT_TOP/examples/alpine" "$ctx/examples/" &&
	cp "$tgz" "$ctx/build/"
fi
DF=$GRAFT_TOP/examples/alpine/Dockerfile.dropin
pbuild -f "$DF" --build-arg MUSL="$ver" --build-arg TARGET="$GRAFT_TARGET" -t "$IMG" "$ctx" >build.log 2>&1
rc=$?
check "podman build -f examples/alpine/Dockerfile.dropin (the make dropin tarball, no network)" test $rc = 0
[ $rc = 0 ] || { tail -n 15 build.log | sed 's/^/# /'; exit 1; }
if [ "$ctx" = "$GRAFT_TOP" ]; then	# what .dockerignore lets through of build/
	printf 'FROM %s\nCOPY . /ctx\n' "$BASE" > ctx.df
	pbuild -f ctx.df -t "$IMG-ctx" "$ctx" >ctx.log 2>&1 &&
	prun "$IMG-ctx" sh -c 'cd /ctx && find build config.mk .git 2>/dev/null' > ctx.out
	check "the build context holds nothing of build/ but drop-in tarballs: $(grep -c . ctx.out) entries" \
		sh -c "grep -qx 'build/${tgz##*/}' ctx.out && ! grep -v -x 'build\|build/graft-dropin-[^/]*\.tar\.gz' ctx.out"
	grep -v -x 'build\|build/graft-dropin-[^/]*\.tar\.gz' ctx.out | head -5 | sed 's/^/# in the context: /'
fi

c=$(podman create "$IMG" true) && podman cp "$c:/lib/ld-musl-$m.so.1" ldso.img >/dev/null 2>&1
podman rm -f "$c" >/dev/null 2>&1
check "/lib/ld-musl-$m.so.1 in the image is the patched loader" cmp -s ldso.img "$LDSO"
check "/lib/libc.musl-$m.so.1 is the link to it" \
	test "$(prun "$IMG" readlink /lib/libc.musl-$m.so.1)" = "ld-musl-$m.so.1"

prun "$IMG" apk --version >apk.graft 2>&1; rg=$?
prun "$BASE" apk --version >apk.stock 2>&1
check "podman run --network none IMAGE apk --version (status $rg): $(head -n 1 apk.graft)" \
	sh -c "[ $rg = 0 ] && grep -q '^apk-tools ' apk.graft"
check "apk --version prints what it prints on Alpine's loader" cmp -s apk.stock apk.graft
prun "$IMG" apk info -v >info.graft 2>/dev/null
prun "$BASE" apk info -v >info.stock 2>/dev/null
check "apk info -v lists what it lists in the stock image ($(wc -l < info.stock) packages)" \
	sh -c "test -s info.stock && cmp -s info.stock info.graft"
prun "$IMG" apk audit --system >audit.out 2>/dev/null
check "apk audit --system names the swapped loader as changed" grep -qx "U lib/ld-musl-$m.so.1" audit.out

# another musl version than the image's: refused before anything is copied
other=1.2.3; [ "$ver" = 1.2.3 ] && other=1.2.5
pbuild -f "$DF" --build-arg MUSL=$other --build-arg TARGET="$GRAFT_TARGET" -t "$IMG-other" "$ctx" >other.log 2>&1
rc=$?
check "ARG MUSL=$other on a musl $ver image is refused" \
	sh -c "[ $rc != 0 ] && grep -q 'the image has musl $ver, the drop-in is musl $other' other.log"

# way 2's builder takes the version its first stage reads from the image
# (the builder itself needs Debian's packages: not built here)
pbuild -f "$DF" --target musl-version -t "$IMG-ver" "$ctx" >ver.log 2>&1 &&
prun "$IMG-ver" cat /musl-version >ver.out 2>&1
check "--target musl-version reads musl $aver from the base image" test "$(cat ver.out)" = "$aver"

# --- what apk does to the swap --------------------------------------------------------
# A local repository with a musl package one release newer, holding
# Alpine's own loader (taken from the minirootfs).
if ! command -v python3 >/dev/null; then
	skip "apk upgrade of musl (python3 missing: it writes the stand-in package)"; exit $T_FAILED
fi
mkdir -p stock repo/$m
tar xzf "$rootfs" -C stock ./lib/ld-musl-$m.so.1 ./lib/libc.musl-$m.so.1 ./lib/apk/db/installed 2>/dev/null
rel=$(awk '/^P:musl$/ {p=1; next} p && /^V:/ {print substr($0, 3); exit}' stock/lib/apk/db/installed)
next=${rel%-r*}-r$((${rel##*-r} + 1))
"$GRAFT_TOP/tests/alpine/image-mkapk.py" stock "repo/$m/musl-$next.apk" "$next" &&
prun -v "$T_TMP/repo:/repo" "$IMG" sh -c "cd /repo/$m && apk index --allow-untrusted -o APKINDEX.tar.gz *.apk" >index.log 2>&1
check "a local repository with musl $next (Alpine's loader) made" test -s "repo/$m/APKINDEX.tar.gz"
prun "$IMG" cat /etc/apk/world >world.out 2>&1
check "the image pins musl=$rel in /etc/apk/world" grep -qx "musl=$rel" world.out
# up PIN: apk upgrade from that repository only (PIN empty: without the
# image's pin), then whether the loader is Alpine's again
up() {
	prun -v "$T_TMP/repo:/repo:ro" -v "$T_TMP/stock:/stock:ro" "$IMG" sh -c "
		[ -n '$1' ] || sed -i '/^musl=/d' /etc/apk/world
		: > /etc/apk/repositories
		apk upgrade --allow-untrusted -X /repo 2>&1 | grep -v '^WARNING'
		apk info -v 2>/dev/null | grep '^musl-[0-9]'
		if cmp -s /lib/ld-musl-$m.so.1 /stock/lib/ld-musl-$m.so.1; then echo loader=alpine; else echo loader=graft; fi"
}
up "" >up.out 2>&1
check "without the pin, apk upgrade of musl ($rel -> $next) puts Alpine's loader back, silently" \
	sh -c "grep -q 'Upgrading musl ($rel -> $next)' up.out && grep -qx loader=alpine up.out"
up pin >pin.out 2>&1
check "with the image's pin, apk upgrade keeps musl $rel and the patched loader" \
	sh -c "grep -qx 'musl-$rel' pin.out && grep -qx loader=graft pin.out"
[ $T_FAILED = 0 ] || { sed 's/^/# up: /' up.out; sed 's/^/# pin: /' pin.out; }
exit $T_FAILED
