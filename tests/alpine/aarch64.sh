#!/bin/sh
# aarch64.sh - the aarch64 Alpine root with the aarch64 drop-in, under
# qemu-user (qemu-aarch64 -L ROOT: the loader, its libraries and every
# absolute path the program opens, /etc/graft.conf included, are looked up
# in ROOT first), in a network namespace with only lo, against the native
# graftd: Alpine's busybox nc -l grafted, busybox wget fetching through an
# egress rule, apk and every applet and ELF program as with the stock
# loader.  qemu does not translate AF_UNIX paths: graft.conf's broker
# names graftd's socket by its host path.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/alpine.inc"

XT=aarch64-linux-musl
QEMU=${GRAFT_ALPINE_QEMU:-qemu-aarch64}
command -v "$QEMU" >/dev/null || { skip "alpine-aarch64 ($QEMU is not installed: package qemu-user)"; exit 0; }
alpine_setup "alpine-aarch64" "$XT"
need_netns "alpine-aarch64"
for _c in python3 file; do
	command -v $_c >/dev/null || { skip "alpine-aarch64 ($_c is not installed)"; exit 0; }
done
[ -x "$GRAFT_BIN/graftd" ] || { skip "alpine-aarch64 (graftd not built in $GRAFT_BIN)"; exit 0; }
if [ "$("$QEMU" -L "$STOCK" "$STOCK/bin/busybox" echo qemu-runs 2>&1)" != qemu-runs ]; then
	skip "alpine-aarch64 ($QEMU cannot run the stock root's busybox: $("$QEMU" -L "$STOCK" "$STOCK/bin/busybox" true 2>&1 | head -1))"
	exit 0
fi
mk_netns NS || { fail "alpine-aarch64: creating a netns"; exit 1; }
start_graftd || { fail "alpine-aarch64: starting graftd"; exit 1; }
_b=$(port_base 2)
HP=$_b WP=$((_b + 1))

# q ROOT PROG ARGS...: ROOT/PROG under qemu with ROOT as -L, in the
# namespace, with a clean environment (+ $RENV), bounded by $RTIME s
q() {
	_r=$1 _p=$2; shift 2
	# shellcheck disable=SC2086
	ip netns exec "$NS" timeout -k 2 "${RTIME:-10}" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		${RENV:-} "$QEMU" -L "$_r" "$_r$_p" "$@"
}

# --- 1. the same output: apk, applets, programs, the loader --------------------
# run_list ROOT OUT: each line "NAME PROG ARGS..." of $L, its output and
# status in OUT/NAME, the root's path replaced by ROOT (argv[0] has it)
L=$T_TMP/cmds
{
	echo "apk-version /sbin/apk --version"
	echo "apk-info /sbin/apk info"
	echo "apk-info-L /sbin/apk info -L busybox"
	echo "apk-info-W /sbin/apk info -W /bin/busybox"
	echo "ldso-usage /lib/$LDSO"
	echo "ldso-list /lib/$LDSO --list /sbin/apk"
	echo "getent-passwd /usr/bin/getent passwd root"
	echo "iconv-l /usr/bin/iconv -l"
	echo "scanelf-n /usr/bin/scanelf -n /bin/busybox /sbin/apk"
	for f in sbin/apk usr/bin/getconf usr/bin/getent usr/bin/iconv usr/bin/scanelf usr/bin/ssl_client; do
		[ -f "$STOCK/$f" ] && echo "prog-help-$(echo $f | tr / _) /$f --help"
	done
	# every ELF library, loaded by the loader
	for f in $(cd "$STOCK" && find lib usr/lib -type f -name '*.so*' ! -name "$LDSO" | sort); do
		case $(file -b "$STOCK/$f" 2>/dev/null) in
		ELF*) echo "lib-$(echo $f | tr / _) /lib/$LDSO --list /$f" ;;
		esac
	done
} >"$L"
q "$STOCK" /bin/busybox --list >"$T_TMP/applets" 2>&1
napplet=$(wc -l <"$T_TMP/applets")
while read -r a; do echo "applet-$a /bin/busybox $a --help"; done <"$T_TMP/applets" >>"$L"
run_list() {
	mkdir -p "$2"
	while read -r _n _p _a; do
		# shellcheck disable=SC2086
		q "$1" "$_p" $_a </dev/null >"$2/$_n" 2>&1
		echo "exit $?" >>"$2/$_n"
		sed -i -e "s|$1|ROOT|g" -e 's/(0x[0-9a-f]*)/(ADDR)/' "$2/$_n"
	done <"$L"
}
t0=$(date +%s)
run_list "$STOCK" "$T_TMP/s"
run_list "$DROP" "$T_TMP/d"
echo "  $(wc -l <"$L") commands ($napplet applets) in both roots under $QEMU: $(($(date +%s) - t0)) s"
check "aarch64: the outputs are real ($(head -n 1 "$T_TMP/s/apk-version"))" \
	eval 'grep -q "^apk-tools .* aarch64" "$T_TMP/s/apk-version" && [ "$napplet" -gt 100 ] &&
	grep -q "^Usage: nc " "$T_TMP/s/applet-nc"'
for n in $(cd "$T_TMP/s" && ls apk-* ldso-* getent-* iconv-* scanelf-* prog-* lib-*); do
	check "aarch64: $(sed -n "s/^$n //p" "$L") as stock (exit $(tail -n 1 "$T_TMP/d/$n" | cut -d' ' -f2), $(wc -c <"$T_TMP/d/$n") bytes)" \
		cmp -s "$T_TMP/s/$n" "$T_TMP/d/$n"
done
diffs=
for f in "$T_TMP/s"/applet-*; do
	cmp -s "$f" "$T_TMP/d/${f##*/}" || diffs="$diffs ${f##*/applet-}"
done
check "aarch64: each of the $napplet busybox applets' --help: same output and status as stock${diffs:+ (differ:$diffs)}" \
	[ -z "$diffs" ]

# --- 2. nc -l grafted ------------------------------------------------------------
graftctl add ep6 type ipv6 addr :: port "$HP" netns "$NS" >/dev/null
graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$NS" >/dev/null
for r in "$DROP" "$STOCK"; do
	printf 'broker %s\ningress [::]:8080 ep6\negress 127.0.0.2/32 ep-out\nverbose\n' "$GRAFTD_SOCK" >"$r/etc/graft.conf"
done
TOK=$(token a64)
(echo "$TOK" | RTIME=20 q "$DROP" /bin/busybox nc -l -p 8080 >"$T_TMP/nc.out" 2>"$T_TMP/nc.err") &
S=$!
T_PIDS="$T_PIDS $S"
if up "" "$HP" "$S"; then
	out=$(tcp_talk 127.0.0.1 "$HP" hello-a64)
	check "aarch64: busybox nc -l in the namespace answers a host client through graftd ($out; $(tr '\n' ' ' <"$T_TMP/nc.err"))" \
		[ "$out" = "$TOK" ]
else
	fail "aarch64: busybox nc -l got no host socket on $HP ($(tr '\n' ' ' <"$T_TMP/nc.err"))"
fi
kill $(tree "$S") 2>/dev/null

(echo "$TOK" | RTIME=20 q "$STOCK" /bin/busybox nc -l -p 8080 >/dev/null 2>"$T_TMP/ncs.err") &
S=$!
T_PIDS="$T_PIDS $S"
if up "$NS" 8080 "$S"; then
	out=$(tcp_talk 127.0.0.1 "$HP" hello-a64)
	check "aarch64 control: with the stock loader nc listens in the namespace only ($out)" \
		[ "$out" = "error: Connection refused" ]
else
	fail "aarch64 control: nc -l with the stock loader did not listen ($(tr '\n' ' ' <"$T_TMP/ncs.err"))"
fi
kill $(tree "$S") 2>/dev/null

# --- 3. wget through an egress rule ------------------------------------------------
W=$T_TMP/www
mkdir -p "$W"
WTOK=$(token wget)
echo "$WTOK" >"$W/token"
bg python3 -m http.server --bind 127.0.0.2 --directory "$W" "$WP" >"$T_TMP/http.log" 2>&1
if wait_for listening "" "$WP"; then
	out=$(q "$DROP" /bin/busybox wget -q -T 5 -O - "http://127.0.0.2:$WP/token" 2>"$T_TMP/wget.err")
	check "aarch64: busybox wget fetches from the host's http.server through egress 127.0.0.2/32 ($out; $(tr '\n' ' ' <"$T_TMP/wget.err"))" \
		[ "$out" = "$WTOK" ]
	out=$(q "$STOCK" /bin/busybox wget -q -T 5 -O - "http://127.0.0.2:$WP/token" 2>&1)
	check "aarch64 control: with the stock loader wget reaches nothing ($out)" \
		has_prefix "$out" "wget: can't connect"
else
	fail "aarch64: python3 http.server did not start: $(cat "$T_TMP/http.log")"
fi
t_done
