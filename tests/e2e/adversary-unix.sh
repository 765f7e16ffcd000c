#!/bin/sh
# adversary-unix.sh - a hostile namespace against unix endpoints (issue
# 13, item 1): the socket file swapped for a symlink to graftd's control
# socket or to a root-only service, anything but a socket at the path, the
# identity a host service sees, a listener that never accepts, and
# endpoints for one direction only.  graftd must not follow the symlink,
# connect to nothing but a socket (never its own), connect as the
# endpoint's user (nobody by default), never wait for a full backlog, and
# refuse the other direction with GRAFT_R_DIRECTION.
. "$(dirname "$0")/../lib/common.sh"
need_netns "unix endpoint adversaries"
REQ=$GRAFT_BUILD/tests/graft-request
if [ ! -x "$REQ" ] || [ ! -x "$GRAFT_BIN/graftd" ]; then
	fail "unix endpoint adversaries (graftd or graft-request not built)"
	t_done
fi
mk_netns A && mk_netns B || { fail "make namespaces"; t_done; }
in_ns() { _ns=$1; shift; ip netns exec "$_ns" "$REQ" -s "$GRAFTD_SOCK" "$@"; }
# ms: a monotonic clock in milliseconds
ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
not() { ! "$@"; }
shows() { graftctl show | grep -qx "$1"; }

# SH: a directory the namespace can write (the endpoint's); PRIV: root's
SH=$T_TMP/shared PRIV=$T_TMP/private
mkdir -m 0777 "$SH" && mkdir -m 0700 "$PRIV" || { fail "directories"; t_done; }
chmod 0711 "$T_TMP"		# nobody may reach $SH, not graftd's sockets
cat >"$T_TMP/graftd.conf" <<EOF
endpoint ep-db   type unix path $SH/db.sock netns $A
endpoint ep-full type unix path $SH/full.sock netns $A
endpoint ep-b    type ipv4 addr 127.0.0.1 port dynamic netns $B
EOF
start_graftd -f "$T_TMP/graftd.conf" || { fail "graftd starts"; t_done; }

# listen NAME PATH BACKLOG N: a host service at PATH; its output in NAME.out
listen() {
	bg "$REQ" -U "$2" "$3" "$4" >"$T_TMP/$1.out" 2>&1
	wait_for grep -q listening "$T_TMP/$1.out"
}

# a) the endpoint's socket replaced by a symlink to graftd's control socket:
#    no connection to it, no fd, no control command run through it
ln -s "$GRAFTD_CTL" "$SH/db.sock"
in_ns "$A" -t seqpacket -f unix -e -x ctl:add,evil,type,ipv4,addr,127.0.0.1,port,1 \
    ep-db >"$T_TMP/a.out" 2>&1
check "symlink to graftd's control socket: egress refused with ELOOP ($(head -1 "$T_TMP/a.out"))" \
	grep -q "^refused errno=ELOOP reason=12$" "$T_TMP/a.out"
check "... and no control command went through it" \
	not grep -q "ctl answer" "$T_TMP/a.out"
graftctl show >"$T_TMP/show.out" 2>&1
check "... and the table has no endpoint added through it" \
	not grep -q "^evil " "$T_TMP/show.out"
check "... and graftd logged no control command" \
	not grep -q "control: added endpoint evil" "$GRAFTD_LOG"
# the same through a hard link of the control socket (graftd's own inode)
rm -f "$SH/db.sock"
if ln "$GRAFTD_CTL" "$SH/db.sock" 2>/dev/null; then
	in_ns "$A" -t seqpacket -f unix -e -x ctl:show ep-db >"$T_TMP/a2.out" 2>&1
	check "hard link of graftd's control socket: refused, EACCES ($(head -1 "$T_TMP/a2.out"))" \
		grep -q "^refused errno=EACCES reason=12$" "$T_TMP/a2.out"
	rm -f "$SH/db.sock"
else
	skip "hard link of the control socket (link refused here)"
fi
# ... and to a root-only service socket
{ listen root "$PRIV/root.sock" 8 1 && chmod 0600 "$PRIV/root.sock"; } ||
	fail "the root-only service listens: $(cat "$T_TMP/root.out")"
ln -s "$PRIV/root.sock" "$SH/db.sock"
in_ns "$A" -f unix -e ep-db >"$T_TMP/a3.out" 2>&1
sleep 0.3
check "symlink to a root-only service socket: refused with ELOOP ($(head -1 "$T_TMP/a3.out"))" \
	grep -q "^refused errno=ELOOP reason=12$" "$T_TMP/a3.out"
check "... and the service saw no connection ($(grep peer "$T_TMP/root.out"))" \
	not grep -q peer "$T_TMP/root.out"
rm -f "$SH/db.sock"

# b) anything but a socket at the path: refused without a connect
for kind in file dir fifo; do
	case $kind in
	file) : >"$SH/db.sock" ;;
	dir) mkdir "$SH/db.sock" ;;
	fifo) mkfifo "$SH/db.sock" ;;
	esac
	in_ns "$A" -f unix -e ep-db >"$T_TMP/b.out" 2>&1
	check "a $kind at the path: refused with ENOTSOCK ($(head -1 "$T_TMP/b.out"))" \
		grep -q "^refused errno=ENOTSOCK reason=12$" "$T_TMP/b.out"
	rm -rf "$SH/db.sock"
done

# c) the identity the host service sees: nobody by default, the endpoint's
#    user when it names one, root only when it says so
listen svc "$SH/db.sock" 8 3
in_ns "$A" -f unix -e ep-db >"$T_TMP/c.out" 2>&1
wait_for grep -q peer "$T_TMP/svc.out"
check "default: the service sees uid 65534 gid 65534 ($(grep peer "$T_TMP/svc.out" | head -1))" \
	[ "$(grep peer "$T_TMP/svc.out" | head -1)" = "peer uid=65534 gid=65534" ]
daemon_ids="uid=$(id -u daemon) gid=$(id -g daemon)"
if graftctl add ep-dmn type unix path "$SH/db.sock" netns "$A" user daemon \
    >"$T_TMP/c2.out" 2>&1 &&
    graftctl add ep-root type unix path "$SH/db.sock" netns "$A" user root \
    >>"$T_TMP/c2.out" 2>&1; then
	in_ns "$A" -f unix -e ep-dmn >"$T_TMP/c.out" 2>&1
	in_ns "$A" -f unix -e ep-root >>"$T_TMP/c.out" 2>&1
	wait_for sh -c "[ \$(grep -c peer '$T_TMP/svc.out') -ge 3 ]"
	check "user daemon: the service sees $daemon_ids ($(grep peer "$T_TMP/svc.out" | sed -n 2p))" \
		[ "$(grep peer "$T_TMP/svc.out" | sed -n 2p)" = "peer $daemon_ids" ]
	check "user root: uid 0, as the endpoint says ($(grep peer "$T_TMP/svc.out" | sed -n 3p))" \
		[ "$(grep peer "$T_TMP/svc.out" | sed -n 3p)" = "peer uid=0 gid=0" ]
	check "graftctl show prints the user" \
		shows "ep-dmn type unix path $SH/db.sock netns $A user daemon"
	check "graftctl show of an endpoint without the new keywords is unchanged" \
		shows "ep-db type unix path $SH/db.sock netns $A"
else
	fail "graftctl add ... user NAME: $(cat "$T_TMP/c2.out")"
fi
# the modes of the socket file and of its directories are checked for that
# identity
chmod 0700 "$SH"
in_ns "$A" -f unix -e ep-db >"$T_TMP/c.out" 2>&1
check "a socket in a 0700 root directory is not reachable as nobody ($(head -1 "$T_TMP/c.out"))" \
	grep -q "^refused errno=EACCES reason=12$" "$T_TMP/c.out"
chmod 0777 "$SH"
chmod 0600 "$SH/db.sock"
in_ns "$A" -f unix -e ep-db >"$T_TMP/c.out" 2>&1
check "a 0600 root socket is not reachable as nobody ($(head -1 "$T_TMP/c.out"))" \
	grep -q "^refused errno=EACCES reason=12$" "$T_TMP/c.out"

# e) one direction only
if graftctl add ep-eo type ipv4 addr 127.0.0.1 port dynamic netns "$A" \
    direction egress >"$T_TMP/e.out" 2>&1 &&
    graftctl add ep-io type ipv4 addr 127.0.0.1 port dynamic netns "$A" \
    direction ingress >>"$T_TMP/e.out" 2>&1 &&
    graftctl add ep-ueo type unix path "$SH/e.sock" netns "$A" \
    direction egress >>"$T_TMP/e.out" 2>&1; then
	in_ns "$A" -i ep-eo >"$T_TMP/e.out" 2>&1
	in_ns "$A" -F 0 ep-eo >>"$T_TMP/e.out" 2>&1
	in_ns "$A" -e ep-io >>"$T_TMP/e.out" 2>&1
	in_ns "$A" -f unix -i ep-ueo >>"$T_TMP/e.out" 2>&1
	check "egress-only refuses ingress and a plain bind, ingress-only refuses egress: EACCES, GRAFT_R_DIRECTION" \
		[ "$(grep -c '^refused errno=EACCES reason=15$' "$T_TMP/e.out")" -eq 4 ]
	check "... and neither left a socket file" [ ! -e "$SH/e.sock" ]
	in_ns "$A" -e ep-eo >"$T_TMP/e2.out" 2>&1
	in_ns "$A" -i ep-io >>"$T_TMP/e2.out" 2>&1
	check "each still granted in its own direction" \
		[ "$(grep -c '^granted' "$T_TMP/e2.out")" -eq 2 ]
	check "graftctl show prints the direction" \
		shows "ep-io type ipv4 addr 127.0.0.1 port dynamic netns $A direction ingress"
	graftctl stats >"$T_TMP/stats.out" 2>&1
	check "graftctl stats counts the refusals by reason" \
		grep -qx "refused direction 4" "$T_TMP/stats.out"
else
	fail "graftctl add ... direction: $(cat "$T_TMP/e.out")"
fi

# d) a listener that never accepts, its backlog full: graftd answers EAGAIN
#    at once and keeps serving everyone (last: an old graftd hangs here)
listen full "$SH/full.sock" 0 0
FULLPID=$!
bg in_ns "$A" -f unix -e ep-full ep-full ep-full >"$T_TMP/d.out" 2>&1
DPID=$!
t0=$(ms)
i=0
while [ $i -lt 30 ] && kill -0 $DPID 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
if kill -0 $DPID 2>/dev/null; then
	fail "full backlog: the requests got no answer within 3 s (graftd blocked)"
else
	check "full backlog: the request is refused with EAGAIN in $(($(ms) - t0)) ms ($(tail -1 "$T_TMP/d.out"))" \
		grep -q "^refused errno=EAGAIN reason=12$" "$T_TMP/d.out"
fi
t0=$(ms)
timeout 3 "$GRAFT_BIN/graftctl" -c "$GRAFTD_CTL" show >/dev/null 2>&1; rc=$?
t=$(($(ms) - t0))
check "graftctl show answers meanwhile ($t ms < 1000)" eval '[ $rc -eq 0 ] && [ $t -lt 1000 ]'
t0=$(ms)
ip netns exec "$B" timeout 3 "$REQ" -s "$GRAFTD_SOCK" -e ep-b >"$T_TMP/d2.out" 2>&1; rc=$?
t=$(($(ms) - t0))
check "another namespace is served meanwhile ($t ms < 1000: $(head -1 "$T_TMP/d2.out"))" \
	eval '[ $rc -eq 0 ] && [ $t -lt 1000 ]'
kill $FULLPID 2>/dev/null	# unblocks an old graftd, so that it can exit
wait $DPID 2>/dev/null
check "graftd still running" kill -0 "$GRAFTD_PID"

# f) graftd without CAP_SETGID (not root, or under unshare -r): a unix
#    egress is refused with EPERM and graftd keeps running (an old one
#    failed to restore groups it never changed, and died).  Its client is
#    of its own uid, so that it can identify it; CAP_CHOWN, for the
#    control socket's owner.
kill "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null
NG=$T_TMP/nosetgid U="setpriv --reuid=12345 --regid=12345 --clear-groups"
mkdir -m 0755 "$NG" "$NG/run" "$NG/ctl" && chown 12345:12345 "$NG/run" "$NG/ctl"
bg $U --inh-caps +chown --ambient-caps +chown "$GRAFT_BIN/graftd" -d -s "$NG/run/graftd.sock" -c "$NG/ctl/graftd.ctl" \
    -f "$T_TMP/graftd.conf" 2>"$T_TMP/nosetgid.log"
NGPID=$!
if wait_for test -S "$NG/ctl/graftd.ctl"; then
	rm -f "$SH/db.sock"; listen ng "$SH/db.sock" 8 1
	ip netns exec "$A" $U "$REQ" -s "$NG/run/graftd.sock" -f unix -e ep-db \
	    >"$T_TMP/f.out" 2>&1
	check "without CAP_SETGID: egress refused with EPERM ($(head -1 "$T_TMP/f.out"))" \
		grep -q "^refused errno=EPERM" "$T_TMP/f.out"
	sleep 0.2
	check "... and graftd still running" kill -0 "$NGPID"
	kill "$NGPID" 2>/dev/null
else
	fail "graftd without CAP_SETGID starts: $(cat "$T_TMP/nosetgid.log")"
fi
t_done
