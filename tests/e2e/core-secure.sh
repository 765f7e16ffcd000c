#!/bin/sh
# core-secure.sh - a setuid, setgid or file-capability program (AT_SECURE)
# ignores every GRAFT* variable of its caller and reads only the default
# config; a config that is not a regular file is refused without blocking;
# errors never quote a file the caller could not read.
#
# Copies of core_net run as nobody (65534) with the hostile variables; a
# fake broker (a listening SOCK_SEQPACKET socket) counts who connects.
# Everything happens on the host's loopback (127.0.0.2 port 9: refused).
. "$(dirname "$0")/../lib/common.sh"

ECONNREFUSED=111 ENOTRECOVERABLE=131
DEFAULT_CONF=/etc/graft.conf	# GRAFT_DEFAULT_CONF, src/graft/graft_conf.h

if [ "$(id -u)" -ne 0 ]; then skip "core-secure (needs root)"; exit 0; fi
# make check-cross runs target programs through qemu-user wrappers: the
# kernel never runs those setuid, so no AT_SECURE to test there
if [ -n "${GRAFT_QEMU:-}" ]; then
	skip "core-secure (${GRAFT_TARGET:-cross} programs run under $GRAFT_QEMU: never setuid)"; exit 0
fi
for _c in setpriv unshare timeout mkfifo; do
	command -v $_c >/dev/null || { skip "core-secure ($_c not installed)"; exit 0; }
done
if [ ! -x "$GRAFT_CC" ]; then skip "core-secure (graft-cc not built: $GRAFT_CC)"; exit 0; fi
if [ -e "$DEFAULT_CONF" ]; then skip "core-secure (this host has $DEFAULT_CONF)"; exit 0; fi
case ",$(findmnt -no OPTIONS -T "$T_TMP")," in
*,nosuid,*) skip "core-secure ($T_TMP is on a nosuid mount)"; exit 0 ;;
esac
NET=$(test_app core_net) || { fail "core-secure: building core_net with graft-cc"; exit 1; }

# nobody traverses T_TMP (and nothing more): the programs, the sockets
chmod 0711 "$T_TMP"
D=$T_TMP
install -o root -g root -m 0755 "$NET" "$D/net-plain"
install -o root -g root -m 4755 "$NET" "$D/net-suid"
install -o root -g root -m 2755 "$NET" "$D/net-sgid"

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
# run PROG ARGS... with VAR=VALUE words in $ENVS: as nobody, bounded;
# prints the program's stdout, its stderr goes to $ERR
ERR=$T_TMP/stderr
run() { as_nobody env -i PATH=/usr/bin:/bin $ENVS timeout 5 "$@" 2>"$ERR"; }
# glines: the graft lines of the last run, with the count first
glines() { echo "$(grep -c '^graft' "$ERR") $(grep '^graft' "$ERR")"; }
has() { expr "$1" : "$2" >/dev/null; }

if ! as_nobody test -x "$D/net-plain"; then
	skip "core-secure (nobody cannot reach $D)"; exit 0
fi
# the kernel must honour the bits here (no no_new_privs, no nosuid)
install -o root -g root -m 4755 "$(command -v id)" "$D/id-suid"
if [ "$(as_nobody "$D/id-suid" -u)" != 0 ]; then
	skip "core-secure (a setuid-root program does not get euid 0 here)"; exit 0
fi

SECRET=SECRET-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
# like /etc/shadow: the setgid-root and the capability copy can read it
printf 'root:%s:19000:0:99999:7:::\n' "$SECRET" >"$T_TMP/shadow"
chmod 0640 "$T_TMP/shadow"

# the caller's fake broker: logs one line per connection, at most 2 min
FAKE=$T_TMP/fake.sock
PY=$(command -v python3)
if [ -n "$PY" ]; then
	bg "$PY" -c '
import os, select, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666); s.listen(64)
print("ready", flush=True)
end = time.time() + 120
while time.time() < end:
    if select.select([s], [], [], 0.2)[0]:
        c, _ = s.accept(); print("connection", flush=True); c.close()
' "$FAKE" >"$T_TMP/fake.log"
	wait_for grep -q ready "$T_TMP/fake.log" || { fail "core-secure: fake broker did not start"; PY=; }
fi
lacks() { case $1 in *"$2"*) return 1 ;; esac; }
conns() { grep -c '^connection' "$T_TMP/fake.log"; }
printf 'broker %s\negress 127.0.0.2/32 ep-x\n' "$FAKE" >"$T_TMP/root.conf"
chmod 0640 "$T_TMP/root.conf"
PORT=$(port_base 1)

# secure KIND PROG: every hostile variable is ignored
secure() {
	ENVS="GRAFT_CONF=$T_TMP/shadow"
	out=$(run "$2" connect 127.0.0.2 9)
	check "$1: GRAFT_CONF=root-only file: no byte of it in the output ($(glines))" \
		lacks "$out $(cat "$ERR")" "$SECRET"
	check "$1: GRAFT_CONF=root-only file: not used, plain connect ($out; $(glines))" \
		[ "$out" = "errno $ECONNREFUSED" -a "$(glines)" = "0 " ]
	[ -n "$PY" ] || { skip "$1: fake broker cases (python3 not installed)"; return; }
	n0=$(conns)
	ENVS="GRAFT_CONF=$T_TMP/root.conf GRAFT_VERBOSE=1"
	out=$(run "$2" connect 127.0.0.2 9)
	check "$1: GRAFT_CONF naming the caller's broker: not used ($out; $(glines))" \
		[ "$out" = "errno $ECONNREFUSED" -a "$(glines)" = "0 " ]
	ENVS="GRAFT_BROKER=$FAKE GRAFT_EGRESS_CONVERT=127.0.0.2/32=ep-x GRAFT_VERBOSE=1"
	out=$(run "$2" connect 127.0.0.2 9)
	check "$1: GRAFT_BROKER+GRAFT_EGRESS_CONVERT+GRAFT_VERBOSE: plain connect, no graft line ($out; $(glines))" \
		[ "$out" = "errno $ECONNREFUSED" -a "$(glines)" = "0 " ]
	ENVS="GRAFT_BROKER=$FAKE GRAFT_INGRESS_CONVERT=127.0.0.1:$PORT=ep-x GRAFT_VERBOSE=1"
	out=$(run "$2" bind 127.0.0.1 "$PORT")
	check "$1: GRAFT_BROKER+GRAFT_INGRESS_CONVERT: plain bind, no graft line ($out; $(glines))" \
		[ "$out" = "ok 127.0.0.1:$PORT" -a "$(glines)" = "0 " ]
	sleep 0.5
	check "$1: the caller's fake broker got no connection ($(($(conns) - n0)))" [ "$(conns)" = "$n0" ]
}

# 1. the control: the same program, not secure, obeys its environment
cp "$T_TMP/shadow" "$T_TMP/own"
chown 65534 "$T_TMP/own"
ENVS="GRAFT_CONF=$T_TMP/own"
out=$(run "$D/net-plain" connect 127.0.0.2 9)
check "control: a plain program quotes its own file's token ($(glines))" \
	grep -q "unknown keyword 'root:$SECRET" "$ERR"
if [ -n "$PY" ]; then
	n0=$(conns)
	ENVS="GRAFT_BROKER=$FAKE GRAFT_EGRESS_CONVERT=127.0.0.2/32=ep-x GRAFT_VERBOSE=1"
	out=$(run "$D/net-plain" connect 127.0.0.2 9)
	check "control: a plain program asks GRAFT_BROKER ($(glines))" \
		wait_for sh -c "[ \$(grep -c '^connection' '$T_TMP/fake.log') -gt $n0 ]"
fi

# 2. setuid root, setgid root, file capabilities
secure setuid "$D/net-suid"
secure setgid "$D/net-sgid"
if command -v setcap >/dev/null; then
	install -o root -g root -m 0755 "$NET" "$D/net-cap"
	if setcap cap_dac_read_search=ep "$D/net-cap"; then
		secure file-capability "$D/net-cap"
	else
		skip "file-capability (setcap failed on $D)"
	fi
else
	skip "file-capability (setcap not installed: package libcap2-bin)"
fi

# 3. a config that is not a regular file: refused at once, one line
mkfifo "$T_TMP/fifo"
out=$(env GRAFT_CONF="$T_TMP/fifo" timeout 5 "$NET" connect 127.0.0.2 9 2>"$T_TMP/e3")
rc=$?
check "GRAFT_CONF=FIFO: does not block (exit $rc, $out)" [ $rc -ne 124 ]
check "GRAFT_CONF=FIFO: one line, then refusal ($(cat "$T_TMP/e3"))" \
	sh -c "[ '$out' = 'errno $ENOTRECOVERABLE' ] && [ \$(grep -c graft '$T_TMP/e3') -eq 1 ] &&
	grep -q '^graft: $T_TMP/fifo: not a regular file; nothing will be grafted\$' '$T_TMP/e3'"
out=$(env GRAFT_CONF=/dev/zero timeout 5 "$NET" connect 127.0.0.2 9 2>"$T_TMP/e4")
check "GRAFT_CONF=/dev/zero: refused ($(cat "$T_TMP/e4"))" \
	sh -c "[ '$out' = 'errno $ENOTRECOVERABLE' ] &&
	grep -q '^graft: /dev/zero: not a regular file; nothing will be grafted\$' '$T_TMP/e4'"
out=$(env GRAFT_CONF=/dev/null GRAFT_EGRESS_CONVERT=127.0.0.2/32=local timeout 5 "$NET" connect 127.0.0.2 9 2>/dev/null)
check "GRAFT_CONF=/dev/null: an empty config ($out)" [ "$out" = "errno $ECONNREFUSED" ]

# 4. the default path in a private mount namespace: a FIFO there must not
# hold a setuid program; a regular file there is what it obeys
# etc_as DIR CMD...: CMD with DIR laid over /etc (overlayfs), bounded
etc_as() {
	_u=$1; shift
	mkdir -p "$_u.work"
	timeout 10 unshare -m sh -c 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$1.work" /etc ||
		exit 99; shift; exec "$@"' sh "$_u" "$@"
}
mkdir "$T_TMP/etc-fifo" && mkfifo -m 0644 "$T_TMP/etc-fifo/graft.conf"
out=$(etc_as "$T_TMP/etc-fifo" sh -c "$(command -v setpriv) --reuid=65534 --regid=65534 --clear-groups -- \
	env -i PATH=/usr/bin:/bin timeout 5 '$D/net-suid' connect 127.0.0.2 9 2>&1")
rc=$?
out=$(echo "$out" | grep -v '^core_net')
if [ $rc -eq 99 ]; then
	skip "default path cases (cannot mount an overlay on /etc: $out)"
else
	check "setuid, FIFO at $DEFAULT_CONF: does not block (exit $rc)" [ $rc -ne 124 ]
	check "setuid, FIFO at $DEFAULT_CONF: one line naming it, then refusal ($out)" \
		[ "$out" = "graft: $DEFAULT_CONF: not a regular file; nothing will be grafted
errno $ENOTRECOVERABLE" ]
	if [ -n "$PY" ]; then
		mkdir "$T_TMP/etc-conf" && cp "$T_TMP/root.conf" "$T_TMP/etc-conf/graft.conf"
		n0=$(conns)
		out=$(etc_as "$T_TMP/etc-conf" sh -c "$(command -v setpriv) --reuid=65534 --regid=65534 --clear-groups -- \
			env -i PATH=/usr/bin:/bin timeout 5 '$D/net-suid' connect 127.0.0.2 9 2>&1")
		check "setuid: obeys $DEFAULT_CONF ($out)" \
			wait_for sh -c "[ \$(grep -c '^connection' '$T_TMP/fake.log') -gt $n0 ]"
	fi
fi
t_done
