#!/bin/sh
# stock.sh - the drop-in changes nothing a program can see but grafting:
# Alpine's own apk, busybox applets, ELF programs, libraries and the loader
# itself give byte for byte the output and exit status they give with
# Alpine's stock loader; first with no /etc/graft.conf and no broker socket,
# then with a graft.conf whose rules none of them matches and graftd's
# socket mounted.  All of it in a network namespace with only lo.
#
# Each command runs in the root (chroot) from a list, its stdout, stderr
# and status into a file; the stock root runs the list twice, so that a
# command whose output changes from run to run (none is known) is compared
# by its status only, and said so.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/alpine.inc"

alpine_setup "alpine-stock" "$GRAFT_TARGET"
need_netns "alpine-stock"
command -v file >/dev/null || { skip "alpine-stock (file(1) is not installed)"; exit 0; }
mk_netns NS || { fail "alpine-stock: creating a netns"; exit 1; }

check "drop-in: lib/$LDSO is graft's ($(cmp "$STOCK/lib/$LDSO" "$DROP/lib/$LDSO" >/dev/null && echo same || echo differs))" \
	eval '! cmp -s "$STOCK/lib/$LDSO" "$DROP/lib/$LDSO" && cmp -s "$DROPIN_DIR/$LDSO" "$DROP/lib/$LDSO"'
check "drop-in: lib/$LIBC is still the link to $LDSO ($(readlink "$DROP/lib/$LIBC"))" \
	[ "$(readlink "$DROP/lib/$LIBC")" = "$LDSO" ]

# --- the list: NAME COMMAND... per line ------------------------------------
L=$T_TMP/cmds
{
	# apk: read-only commands (no repository here: nothing is fetched)
	echo "apk-version apk --version"
	echo "apk-info apk info"
	echo "apk-info-L apk info -L busybox"
	echo "apk-info-a apk info -a musl"
	echo "apk-info-W apk info -W /bin/busybox"
	echo "apk-list apk list --installed"
	echo "apk-policy apk policy busybox"
	echo "apk-stats apk stats"
	echo "apk-audit apk audit"
	# the loader as a command, and running a program, and listing one
	echo "ldso-usage /lib/$LDSO"
	echo "ldso-run /lib/$LDSO /bin/busybox echo run by the loader"
	echo "ldso-list /lib/$LDSO --list /sbin/apk"
	echo "ldd-apk ldd /sbin/apk"
	echo "ldconfig ldconfig"
	# a few programs doing real work
	echo "getconf-a getconf -a"
	echo "getent-passwd getent passwd root"
	echo "getent-hosts getent hosts localhost"
	echo "iconv-l iconv -l"
	echo "scanelf-n scanelf -n /bin/busybox /sbin/apk"
} >"$L"
# every executable ELF file: a program (it has an interpreter) runs with
# --help and with no argument; a library is loaded with the loader's --list
ELFS=
for d in bin sbin usr/bin usr/sbin lib usr/lib; do
	ELFS="$ELFS $(cd "$STOCK" && find "$d" -type f -perm -u+x 2>/dev/null | sort)"
done
nprog=0 nlib=0
for f in $ELFS; do
	desc=$(file -b "$STOCK/$f")
	case $desc in ELF*) ;; *) continue ;; esac
	n=$(echo "$f" | tr / _)
	case $desc in
	*interpreter*)
		nprog=$((nprog + 1))
		echo "prog-help-$n /$f --help" >>"$L"
		# ssl_client with no argument speaks TLS on its stdout (a random
		# ClientHello): egress.sh runs it for real, through busybox wget
		[ "${f##*/}" = ssl_client ] || echo "prog-noargs-$n /$f" >>"$L" ;;
	*)	nlib=$((nlib + 1))
		echo "lib-$n /lib/$LDSO --list /$f" >>"$L" ;;
	esac
done
# every busybox applet by the path Alpine installs it at
in_root "$STOCK" /bin/busybox --list-full >"$T_TMP/applets.stock" 2>&1
in_root "$DROP" /bin/busybox --list-full >"$T_TMP/applets.drop" 2>&1
napplet=$(wc -l <"$T_TMP/applets.stock")
check "busybox --list-full: the same $napplet applets" \
	eval '[ "$napplet" -gt 100 ] && cmp -s "$T_TMP/applets.stock" "$T_TMP/applets.drop"'
while read -r p; do
	echo "applet-$(echo "$p" | tr / _) /$p --help"
done <"$T_TMP/applets.stock" >>"$L"
echo "  $(wc -l <"$L") commands: $nprog ELF programs, $nlib ELF libraries, $napplet applets"

# --- run it ------------------------------------------------------------------
# the runner, in the root: busybox sh, each command bounded by busybox timeout
cat >"$T_TMP/run.sh" <<'EOF'
rm -rf /tmp/out; mkdir -p /tmp/out
while read -r name cmd; do
	timeout 10 sh -c "exec $cmd" </dev/null >/tmp/out/$name 2>&1
	echo "exit $?" >>/tmp/out/$name
done </tmp/cmds
EOF
# run ROOT OUTDIR: the list in ROOT, the results moved to OUTDIR
run_list() {
	cp "$L" "$1/tmp/cmds" && cp "$T_TMP/run.sh" "$1/tmp/run.sh" || return 1
	RTIME=240 in_root "$1" /bin/sh /tmp/run.sh >"$2.log" 2>&1
	_rc=$?
	rm -rf "$2" && mv "$1/tmp/out" "$2" || return 1
	# loading addresses differ from run to run (ASLR)
	for _f in "$2"/*; do sed -i 's/(0x[0-9a-f]*)/(ADDR)/' "$_f"; done
	return $_rc
}
t0=$(date +%s)
run_list "$STOCK" "$T_TMP/s1" || fail "the list in the stock root: $(cat "$T_TMP/s1.log")"
run_list "$STOCK" "$T_TMP/s2" || fail "the list in the stock root, again: $(cat "$T_TMP/s2.log")"
run_list "$DROP" "$T_TMP/d" || fail "the list in the drop-in root: $(cat "$T_TMP/d.log")"
echo "  three runs of the list: $(($(date +%s) - t0)) s"

# same NAME DIR: DIR/NAME is what the stock root gave (its status only when
# the stock root's two runs differ)
NONDET=
same() {
	[ -f "$T_TMP/s1/$1" ] || return 1
	if cmp -s "$T_TMP/s1/$1" "$T_TMP/s2/$1"; then
		cmp -s "$T_TMP/s1/$1" "$2/$1"
	else
		case " $NONDET " in *" $1 "*) ;; *) NONDET="$NONDET $1" ;; esac
		[ "$(tail -n 1 "$T_TMP/s1/$1")" = "$(tail -n 1 "$2/$1")" ]
	fi
}
# differing PREFIX DIR: the names of PREFIX* whose results differ
differing() {
	_o=
	for _f in "$T_TMP/s1/$1"*; do
		_n=${_f##*/}
		same "$_n" "$2" || _o="$_o $_n"
	done
	echo "${_o# }"
}
show() { head -c 300 "$1/$2" | tr '\n' '|'; }
stat_of() { tail -n 1 "$1" | sed 's/exit //'; }

# compare DIR WHAT: the checks of one run against the stock root's
compare() {
	_d=$1 _w=$2
	for _n in $(cd "$T_TMP/s1" && ls apk-* ldso-* ldd-* ldconfig getconf-* getent-* iconv-* scanelf-* prog-* lib-*); do
		[ "$_n" = apk-audit ] && [ -n "${3:-}" ] && continue
		if same "$_n" "$_d"; then
			pass "$_w: $(sed -n "s/^$_n //p" "$L") (exit $(stat_of "$_d/$_n"), $(wc -c <"$_d/$_n") bytes) as stock"
		else
			fail "$_w: $(sed -n "s/^$_n //p" "$L"): stock [$(show "$T_TMP/s1" "$_n")] graft [$(show "$_d" "$_n")]"
		fi
	done
	_diff=$(differing applet- "$_d")
	check "$_w: each of the $napplet busybox applets' --help: same output and status as stock${_diff:+ (differ: $_diff)}" \
		[ -z "$_diff" ]
}

# what the list printed is real: a usage text, apk's version, a library
check "the list's outputs are real (apk $(head -n 1 "$T_TMP/s1/apk-version"); nc: $(sed -n 3p "$T_TMP/s1/applet-usr_bin_nc"))" \
	eval 'grep -q "^apk-tools " "$T_TMP/s1/apk-version" && grep -q "^Usage: nc " "$T_TMP/s1/applet-usr_bin_nc" &&
	grep -q "libcrypto.so.3 => /lib/libcrypto.so.3" "$T_TMP/s1/ldd-apk" &&
	grep -q "^run by the loader" "$T_TMP/s1/ldso-run"'

# 1. no /etc/graft.conf, no socket
compare "$T_TMP/d" "no graft.conf"

# apk's own checksums (libcrypto's) see the one file the drop-in changed
# (without /proc: /proc is a package's directory, and apk would walk the
# processes, coming and going, in it)
a_s=$(RPROC=no in_root "$STOCK" apk audit --system 2>&1) a_d=$(RPROC=no in_root "$DROP" apk audit --system 2>&1)
check "apk audit --system: stock root clean ($a_s), drop-in root: exactly U lib/$LDSO ($a_d)" \
	[ -z "$a_s" -a "$a_d" = "U lib/$LDSO" ]

# 2. with a graft.conf and graftd's socket: nothing of the list matches a
# rule, so nothing changes (apk audit now lists the new file: checked apart)
start_graftd || { fail "alpine-stock: starting graftd"; t_done; }
SOCKDIR=${GRAFTD_SOCK%/*}
graftctl add ep-in type ipv6 addr ::1 port "$(port_base 1)" netns "$NS" >/dev/null
graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$NS" >/dev/null
printf 'broker /run/graft/graftd.sock\ningress [::]:8080 ep-in\ningress 0.0.0.0:8080 ep-in\negress 127.0.0.2/32 ep-out\n' \
	>"$DROP/etc/graft.conf"
run_list "$DROP" "$T_TMP/dc" || fail "the list in the drop-in root with graft.conf: $(cat "$T_TMP/dc.log")"
compare "$T_TMP/dc" "graft.conf, no rule matches" skip-audit
a_d=$(diff "$T_TMP/s1/apk-audit" "$T_TMP/dc/apk-audit" | sed -n 's/^> //p')
check "graft.conf: apk audit lists it as added, nothing else changes ($a_d)" [ "$a_d" = "A etc/graft.conf" ]

# a server and a client on ports and addresses no rule names stay in the
# namespace and talk as in the stock root
tok=$(token local)
talk='nc -l -p 9999 -e /bin/echo "$0" & sleep 0.5; nc -w 3 127.0.0.1 9999; wait'
o_s=$(SOCKDIR=$SOCKDIR in_root "$STOCK" /bin/sh -c "$talk" "$tok" 2>&1)
o_d=$(SOCKDIR=$SOCKDIR in_root "$DROP" /bin/sh -c "$talk" "$tok" 2>&1)
check "graft.conf: nc -l -p 9999 and nc 127.0.0.1 9999 talk in the namespace as in the stock root ($o_d)" \
	[ "$o_s" = "$tok" -a "$o_d" = "$tok" ]
check "graft.conf: graftd got no request ($(graftctl stats | grep '^total' | cut -d' ' -f1-7))" \
	eval '! graftctl stats | grep -q "requests [1-9]"'
[ -z "$NONDET" ] || echo "  (compared by exit status only: their output changes between two stock runs:$NONDET)"
t_done
