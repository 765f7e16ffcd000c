#!/bin/sh
# core-unix-egress.sh - egress onto a unix endpoint (issue 20, parts 1, 2
# and 6): graftd(8)'s "database on a host unix socket" example with a
# client written as libpq writes it.  socket(AF_INET, SOCK_STREAM,
# IPPROTO_TCP) (graftd takes IPPROTO_TCP on a unix endpoint), TCP_NODELAY
# before connect (not replayed on the unix socket), connect() succeeding
# blocking and non-blocking (poll writable, SO_ERROR 0), TCP options after
# it accepted and ignored, the names graft.conf(5) documents (the kernel's
# AF_UNIX ones), data both ways with a unix-socket server on the host, and
# a "verbose" line naming the path.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
need_netns "core-unix-egress"
if [ ! -x "$GRAFT_CC" ] || [ ! -x "$GRAFT_BIN/graftd" ]; then
	skip "core-unix-egress (graft-cc or graftd not built)"; exit 0
fi
if ! command -v python3 >/dev/null; then skip "core-unix-egress (no python3)"; exit 0; fi
UN=$(test_app unix_net) || { fail "core-unix-egress: building unix_net with graft-cc"; t_done; }
not_grep() { ! grep -q "$1" "$2"; }
mk_netns NS || { fail "core-unix-egress: creating a netns"; t_done; }

# the endpoint's directory, reachable by nobody (graftd connects as the
# endpoint's user, nobody by default)
SH=$T_TMP/shared
mkdir -m 0777 "$SH" && chmod 0711 "$T_TMP" || { fail "directories"; t_done; }
cat >"$T_TMP/graftd.conf" <<EOF
endpoint ep-db type unix path $SH/db.sock netns $NS direction egress
EOF
start_graftd -f "$T_TMP/graftd.conf" || { fail "graftd starts"; t_done; }

# the host's service: answers each line with "pong <line>"
cat >"$T_TMP/srv.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
s.listen(8)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    c.settimeout(5)
    try:
        d = c.recv(64)
        c.sendall(b"pong " + d)
    except OSError:
        pass
    c.close()
EOF
bg python3 "$T_TMP/srv.py" "$SH/db.sock" >"$T_TMP/srv.out" 2>&1
ready "$T_TMP/srv.out" || { fail "the unix-socket server starts: $(cat "$T_TMP/srv.out")"; t_done; }

# 10.9.9.9 is nowhere: the namespace has lo only, the rule takes it
CONF=$T_TMP/graft.conf
conf "egress 10.9.9.9/32 ep-db" verbose

# blocking with getaddrinfo's IPPROTO_TCP, non-blocking with protocol 0
for mode in block nonblock; do
	proto=tcp
	[ $mode = block ] || proto=0
	in_ns "$UN" 10.9.9.9 5432 $mode $proto >"$T_TMP/$mode.out" 2>"$T_TMP/$mode.err"
	rc=$?
	out="$(tr '\n' ';' <"$T_TMP/$mode.out") $(grep '^graft:' "$T_TMP/$mode.err" | tr '\n' ';')"
	check "$mode: the program runs to the end ($out)" [ $rc -eq 0 ]
	if [ $mode = block ]; then
		check "block: connect() returns 0" grep -qx "connect: 0" "$T_TMP/$mode.out"
	else
		check "nonblock: connect() returns 0 or EINPROGRESS" \
			grep -qxE "connect: (0|EINPROGRESS)" "$T_TMP/$mode.out"
		check "nonblock: poll says writable, SO_ERROR 0" \
			grep -qx "poll: writable, SO_ERROR 0" "$T_TMP/$mode.out"
	fi
	check "$mode: a second connect fails with EISCONN, as on TCP (graft.conf(5))" \
		grep -qx "second connect: EISCONN" "$T_TMP/$mode.out"
	check "$mode: connect with an unreadable address and a length over any address's: an error, no fault" \
		grep -qxE "bad connect: (EINVAL|EFAULT)" "$T_TMP/$mode.out"
	check "$mode: TCP_NODELAY before connect is not replayed on the unix socket" \
		not_grep "replaying socket option" "$T_TMP/$mode.err"
	check "$mode: TCP options after connect are accepted (ignored)" \
		grep -qx "tcp options: accepted" "$T_TMP/$mode.out"
	check "$mode: getsockopt TCP_NODELAY reads 1 (a unix socket never delays)" \
		grep -qx "nodelay: 1 len 4" "$T_TMP/$mode.out"
	check "$mode: getsockopt of another TCP option fails with EOPNOTSUPP (graft.conf(5))" \
		grep -qx "keepidle: EOPNOTSUPP" "$T_TMP/$mode.out"
	check "$mode: getpeername is the service's unix path (graft.conf(5))" \
		grep -qx "peer family=1 path=$SH/db.sock" "$T_TMP/$mode.out"
	check "$mode: getsockname is an unnamed unix socket (graft.conf(5))" \
		grep -qx "sock family=1 path=" "$T_TMP/$mode.out"
	check "$mode: data both ways with the host's service" \
		grep -qx "answer: pong ping" "$T_TMP/$mode.out"
	check "$mode: the verbose line names the path" \
		grep -qx "graft: egress 10.9.9.9/32 -> ep-db: fd [0-9]* grafted, host socket at $SH/db.sock" \
		"$T_TMP/$mode.err"
done
check "graftd granted with the app's IPPROTO_TCP (no EPROTOTYPE)" \
	not_grep "EPROTOTYPE\|refused" "$T_TMP/block.err"
t_done
