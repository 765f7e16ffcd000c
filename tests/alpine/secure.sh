#!/bin/sh
# secure.sh - a setuid-root copy of Alpine's own busybox (dynamically
# linked: graft's code runs from the drop-in loader), started by nobody,
# ignores every GRAFT* variable of its caller and obeys only the root's
# /etc/graft.conf (graft.conf(5), ENVIRONMENT; tests/e2e/core-secure.sh
# checks the same for static graft-cc programs).
#
# Alpine's busybox drops its privileges itself for applets such as nc
# (FEATURE_SUID): the kernel's AT_SECURE, read once by the loader, is what
# keeps graft in secure mode; the test reads it from /proc/self/auxv.
# Everything runs chrooted in the drop-in root as 65534:65534, in a network
# namespace with only lo, with graftd's socket mounted (its group 65534).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/alpine.inc"

alpine_setup "alpine-secure" "$GRAFT_TARGET"
need_netns "alpine-secure"
command -v python3 >/dev/null || { skip "alpine-secure (python3 is not installed: the host client)"; exit 0; }
[ -x "$GRAFT_BIN/graftd" ] || { skip "alpine-secure (graftd not built in $GRAFT_BIN)"; exit 0; }
case ",$(findmnt -no OPTIONS -T "$T_TMP")," in
*,nosuid,*) skip "alpine-secure ($T_TMP is on a nosuid mount)"; exit 0 ;;
esac
mk_netns NS || { fail "alpine-secure: creating a netns"; exit 1; }
echo "socket-owner :65534" >"$T_TMP/graftd.conf"
start_graftd -f "$T_TMP/graftd.conf" || { fail "alpine-secure: starting graftd"; exit 1; }
SOCKDIR=${GRAFTD_SOCK%/*}
HP=$(port_base 1)
graftctl add ep6 type ipv6 addr :: port "$HP" netns "$NS" >/dev/null

# (named busybox: it takes the applet from argv[0], then argv[1])
mkdir -p "$DROP/opt/plain" "$DROP/opt/suid"
install -o 0 -g 0 -m 0755 "$DROP/bin/busybox" "$DROP/opt/plain/busybox"
install -o 0 -g 0 -m 4755 "$DROP/bin/busybox" "$DROP/opt/suid/busybox"
RUSER=65534:65534
NOCONF='broker /run/graft/graftd.sock'
RULE='ingress [::]:8080 ep6'
# the caller's own file, which nobody can read
printf '%s\n%s\nverbose\n' "$NOCONF" "$RULE" >"$DROP/tmp/caller.conf"
chmod 644 "$DROP/tmp/caller.conf"

# at_secure PID: AT_SECURE of the process's auxiliary vector (read as root
# from the host: the process itself may not, once busybox dropped privileges)
at_secure() {
	python3 -c '
import struct, sys
d = open("/proc/%s/auxv" % sys.argv[1], "rb").read()
for i in range(0, len(d) - 15, 16):
    k, v = struct.unpack("<QQ", d[i:i + 16])
    if k == 23: print(v); break
' "$1" 2>/dev/null
}
# secure_of PID PROG: AT_SECURE of the process running PROG (of DROP)
# under PID, once it runs it (5 s at most)
secure_of() {
	_i=0
	while [ $_i -lt 50 ]; do
		for _q in $(tree "$1"); do
			[ "$(readlink "/proc/$_q/exe" 2>/dev/null)" = "$DROP$2" ] && { at_secure "$_q"; return; }
		done
		sleep 0.1; _i=$((_i + 1))
	done
}
# the kernel must mark the copy AT_SECURE here (no nosuid, no no_new_privs)
for _p in plain suid; do
	RTIME=10 bg in_root "$DROP" /opt/$_p/busybox sleep 5
	eval "s_$_p=\$(secure_of \$! /opt/$_p/busybox)"
	kill $(tree $!) 2>/dev/null
done
if [ "$s_plain" != 0 ] || [ "$s_suid" != 1 ]; then
	skip "alpine-secure (AT_SECURE is '$s_suid' for the setuid copy, '$s_plain' for the plain one: the kernel does not honour the bit here)"
	exit 0
fi
pass "the setuid-root copy of busybox run by nobody has AT_SECURE=1, the plain copy 0"

grants() { graftctl stats | sed -n "s/^ep6 netns $NS requests [0-9]* grants \([0-9]*\).*/\1/p"; }
err() { tr '\n' ' ' <"$T_TMP/$1.err"; }
# nc_case NAME PROG CONF ENV... : /etc/graft.conf = CONF, then PROG nc -l
# as nobody with the VAR=VALUE words ENV; sets OUT (the host client's
# answer), LOCAL (yes when nc listened in the namespace), GRAFTED (the
# grants it caused), SECURE (nc's AT_SECURE)
nc_case() {
	_n=$1 _p=$2
	printf '%s\n' "$3" >"$DROP/etc/graft.conf"
	shift 3
	_g0=$(grants)
	TOK=$(token "$_n")
	RENV="$*" RTIME=15 bg in_root "$DROP" /bin/sh -c 'echo "$1" | exec "$0" nc -l -p 8080' "$_p" "$TOK" \
		>"$T_TMP/$_n.out" 2>"$T_TMP/$_n.err"
	_s=$!
	SECURE=$(secure_of "$_s" "$_p")
	# listening on the host (grafted) or in the namespace, or gone
	LOCAL='' _i=0
	while [ $_i -lt 50 ] && ! listening "" "$HP" && kill -0 "$_s" 2>/dev/null; do
		listening "$NS" 8080 && { LOCAL=yes; break; }
		sleep 0.1; _i=$((_i + 1))
	done
	OUT=$(tcp_talk 127.0.0.1 "$HP" "$_n")
	kill $(tree "$_s") 2>/dev/null; wait "$_s" 2>/dev/null
	GRAFTED=$(($(grants) - _g0))
}

HOSTILE="GRAFT_INGRESS_CONVERT=[::]:8080=ep6 GRAFT_BROKER=/run/graft/graftd.sock GRAFT_VERBOSE=1"

# 1. the control: not setuid, the caller's variables are obeyed
nc_case plain-env /opt/plain/busybox "$NOCONF" $HOSTILE
check "control: plain busybox nc obeys GRAFT_INGRESS_CONVERT+GRAFT_BROKER: grafted, the host client gets its answer ($OUT; $(err plain-env))" \
	[ "$SECURE" = 0 -a "$OUT" = "$TOK" -a "$GRAFTED" = 1 ]
nc_case plain-conf /opt/plain/busybox "$NOCONF" GRAFT_CONF=/tmp/caller.conf
check "control: plain busybox nc obeys GRAFT_CONF: grafted ($OUT; $(err plain-conf))" \
	[ "$OUT" = "$TOK" -a "$GRAFTED" = 1 ]

# 2. setuid: the same variables change nothing; nc listens in the namespace
nc_case suid-env /opt/suid/busybox "$NOCONF" $HOSTILE
check "setuid busybox nc: GRAFT_INGRESS_CONVERT+GRAFT_BROKER+GRAFT_VERBOSE ignored: listens in the namespace, not grafted, no graft line ($OUT; $(err suid-env))" \
	[ "$SECURE" = 1 -a "$LOCAL" = yes -a "$GRAFTED" = 0 -a "$OUT" = "error: Connection refused" ] && ! grep -q graft "$T_TMP/suid-env.err"
nc_case suid-conf /opt/suid/busybox "$NOCONF" GRAFT_CONF=/tmp/caller.conf
check "setuid busybox nc: GRAFT_CONF ignored: listens in the namespace, not grafted ($OUT; $(err suid-conf))" \
	[ "$SECURE" = 1 -a "$LOCAL" = yes -a "$GRAFTED" = 0 -a "$OUT" = "error: Connection refused" ] && ! grep -q graft "$T_TMP/suid-conf.err"

# 3. setuid: the root's /etc/graft.conf is obeyed, and GRAFT=off cannot undo it
nc_case suid-etc /opt/suid/busybox "$NOCONF
$RULE"
check "setuid busybox nc obeys /etc/graft.conf: grafted ($OUT; $(err suid-etc))" \
	[ "$SECURE" = 1 -a "$OUT" = "$TOK" -a "$GRAFTED" = 1 ]
nc_case suid-off /opt/suid/busybox "$NOCONF
$RULE" GRAFT=off
check "setuid busybox nc: GRAFT=off ignored, /etc/graft.conf still applies ($OUT; $(err suid-off))" \
	[ "$SECURE" = 1 -a "$OUT" = "$TOK" -a "$GRAFTED" = 1 ]
nc_case plain-off /opt/plain/busybox "$NOCONF
$RULE" GRAFT=off
check "control: plain busybox nc with GRAFT=off stays in the namespace ($OUT)" \
	[ "$LOCAL" = yes -a "$GRAFTED" = 0 ]
t_done
