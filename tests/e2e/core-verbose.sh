#!/bin/sh
# core-verbose.sh - never silent: with "verbose", every socket a rule could
# have concerned that stays in the namespace is one line saying why
# (src/graft/log_why.c); without it, no line and the same results.  And a
# socket bound to a local port before connect (curl --local-port, socat
# sourceport=) through an egress rule: grafted with that port from a port
# range endpoint, refused with EADDRNOTAVAIL and a line otherwise.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup core-verbose

EADDRNOTAVAIL=99 ECONNREFUSED=111
LO=$((P6 + 1)) HI=$((P6 + 4))	# a range endpoint's ports (port_base gave 20)
graftctl add ep-in type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-out type ipv4 addr 127.0.0.1 port dynamic netns "$NS" >/dev/null
graftctl add ep-range type ipv4 addr 127.0.0.1 port "$LO-$HI" netns "$NS" >/dev/null
graftctl add ep-fixed type ipv4 addr 127.0.0.1 port "$HI" netns "$NS" >/dev/null
graftctl add ep-other type ipv4 addr 127.0.0.1 port "$((HI - 1))" netns "$NS" >/dev/null

# lines FILE: the core's lines in a program's standard error
lines() { grep '^graft:' "$1"; }

# case NAME LINE CMD...: CMD in the namespace under $CONF, first with
# verbose (expects exactly LINE among its lines), then without (expects no
# line at all and the same standard output)
case_() {
	_cn=$1 _l=$2; shift 2
	cp "$CONF" "$T_TMP/quiet.conf"
	echo verbose >>"$CONF"
	_v=$(in_ns "$@" 2>"$T_TMP/v.err")
	check "verbose: $_cn: '$_l' ($(lines "$T_TMP/v.err"); $_v)" \
		grep -qxF "$_l" "$T_TMP/v.err"
	cp "$T_TMP/quiet.conf" "$CONF"
	_q=$(in_ns "$@" 2>"$T_TMP/q.err")
	check "quiet: $_cn: no line, same result ($(lines "$T_TMP/q.err"); $_q)" \
		sh -c "! grep -q '^graft:' '$T_TMP/q.err' && [ '$_q' = '$_v' ]"
}

# 1. binds no ingress rule takes
conf "ingress 0.0.0.0:$P1 ep-in"
case_ "redis's bind 127.0.0.1" "graft: bind 127.0.0.1:$P1 kept local: loopback" \
	"$NET" bind 127.0.0.1 "$P1"
case_ "bind ::1" "graft: bind [::1]:$P1 kept local: loopback" \
	"$NET" bind ::1 "$P1"
case_ "bind [::] with only an 0.0.0.0 rule" \
	"graft: bind [::]:$P1 kept local: ingress 0.0.0.0:$P1 -> ep-in is IPv4 only; ingress *:$P1 -> ep-in takes both" \
	"$NET" bind :: "$P1"
conf "ingress [::]:$P2 ep-in"
case_ "bind 0.0.0.0 with only a [::] rule" \
	"graft: bind 0.0.0.0:$P2 kept local: ingress [::]:$P2 -> ep-in is IPv6 only; ingress *:$P2 -> ep-in takes both" \
	"$NET" bind 0.0.0.0 "$P2"
conf "ingress 192.0.2.1:$P2 ep-in"
case_ "bind 0.0.0.0 with a rule for another address" \
	"graft: bind 0.0.0.0:$P2 kept local: ingress 192.0.2.1:$P2 -> ep-in names another address" \
	"$NET" bind 0.0.0.0 "$P2"
conf "ingress 0.0.0.0:$P1 ep-in" "ingress 0.0.0.0:$P2 local"
case_ "a local ingress rule" "graft: bind 0.0.0.0:$P2 kept local: ingress 0.0.0.0:$P2 -> local" \
	"$NET" bind 0.0.0.0 "$P2"
case_ "no ingress rule for the port" "graft: bind 0.0.0.0:$P3 kept local: no ingress rule for port $P3" \
	"$NET" bind 0.0.0.0 "$P3"

# 2. destinations an egress rule could have taken
conf "egress 127.0.0.0/30 ep-out" "egress 127.0.0.3/32 local"
case_ "a local egress rule" "graft: connect 127.0.0.3:$P3 kept local: egress 127.0.0.3/32 -> local" \
	"$NET" connect 127.0.0.3 "$P3"
conf "egress 0.0.0.0/0 ep-out"
case_ "127/8 stays local under 0.0.0.0/0" \
	"graft: connect 127.0.0.1:$P3 kept local: egress 127.0.0.0/8 -> local (builtin) is longer than egress 0.0.0.0/0 -> ep-out" \
	"$NET" connect 127.0.0.1 "$P3"
conf "egress $HOSTIP/32 ep-out"
case_ "bound to loopback before connect" \
	"graft: connect $HOSTIP:$P3 kept local: fd 3 was bound to loopback 127.0.0.1:$P4 first, not egress $HOSTIP/32 -> ep-out" \
	"$NET" client-from "$HOSTIP" "$P3" 127.0.0.1 "$P4"
check "bound to loopback before connect: the namespace's connect ($_q)" [ "$_q" = "errno $ECONNREFUSED" ]
case_ "an fd closed and reused behind libc's back" \
	"graft: connect $HOSTIP:$P3 kept local: fd 3 no longer holds the socket socket() made, not egress $HOSTIP/32 -> ep-out" \
	"$NET" stale "$HOSTIP" "$P3"

# 3. a local port bound before connect, through an egress rule
# from PORT ENDPOINT: a host listener on $HOSTIP:$P5 and client-from with
# local port PORT through ENDPOINT; sets $out (client) and $peer (server)
from() {
	conf "egress $HOSTIP/32 $2"
	# not on_host: a function's subshell would be killed, not the server
	env GRAFT=off "$NET" serve-peer "$HOSTIP" "$P5" >"$T_TMP/peer" 2>&1 &
	_sp=$!
	ready "$T_TMP/peer" || fail "local port: the host listener did not start"
	out=$(in_ns "$NET" client-from "$HOSTIP" "$P5" 0.0.0.0 "$1" 2>"$T_TMP/from.err")
	# the listener printed its line before it greeted the client
	kill $_sp 2>/dev/null
	wait $_sp 2>/dev/null
	peer=$(sed -n 's/^peer //p' "$T_TMP/peer")
}
from $((LO + 1)) ep-range
check "local port $((LO + 1)) through a range endpoint: the host listener sees 127.0.0.1:$((LO + 1)) ($peer; $out)" \
	[ "$peer" = "127.0.0.1:$((LO + 1))" -a "$out" = "ok from 127.0.0.1:$((LO + 1))" ]
from "$HI" ep-fixed
check "local port $HI through a fixed endpoint of that port: the host listener sees it ($peer; $out)" \
	[ "$peer" = "127.0.0.1:$HI" ]
from 0 ep-out
check "bind(0.0.0.0:0) then connect through a dynamic endpoint: grafted ($peer; $out)" \
	has "$peer" '127\.0\.0\.1:[1-9]' && check "... the client reads the greeting ($out)" has "$out" 'ok from 127\.0\.0\.1:'
from $((LO + 1)) ep-out
check "local port through a dynamic endpoint: EADDRNOTAVAIL ($out)" [ "$out" = "errno $EADDRNOTAVAIL" ]
check "... and one line, without verbose ($(lines "$T_TMP/from.err"))" \
	grep -qxF "graft: egress $HOSTIP/32 -> ep-out: fd 3 was bound to port $((LO + 1)) before, the endpoint gives port 0 (only a port range holding it, or that fixed port, can keep it)" "$T_TMP/from.err"
from $((LO + 1)) ep-other
check "local port through a fixed endpoint of another port: EADDRNOTAVAIL and a line ($out; $(lines "$T_TMP/from.err"))" \
	sh -c "[ '$out' = 'errno $EADDRNOTAVAIL' ] && grep -q 'bound to port $((LO + 1)) before, the endpoint gives port $((HI - 1)) ' '$T_TMP/from.err'"
from $((HI + 1)) ep-range
check "local port outside the range endpoint: graftd refuses, EACCES and a line ($out; $(lines "$T_TMP/from.err"))" \
	sh -c "[ '$out' = 'errno 13' ] && grep -q 'graftd refused: port not allowed by the endpoint' '$T_TMP/from.err'"

# 4. an egress graft's line names its local address, the one the host's
# listener sees (it said 0.0.0.0:0 before the connect; issue 20, part 6)
conf "egress $HOSTIP/32 ep-out" verbose
env GRAFT=off "$NET" serve-peer "$HOSTIP" "$P5" >"$T_TMP/peer" 2>&1 &
_sp=$!
ready "$T_TMP/peer" || fail "verbose egress: the host listener did not start"
out=$(in_ns "$NET" client-from "$HOSTIP" "$P5" 0.0.0.0 0 2>"$T_TMP/v4.err")
kill $_sp 2>/dev/null
wait $_sp 2>/dev/null
peer=$(sed -n 's/^peer //p' "$T_TMP/peer")
check "verbose: an egress graft's line says its local address ($peer; $(lines "$T_TMP/v4.err"); $out)" \
	grep -qx "graft: egress $HOSTIP/32 -> ep-out: fd [0-9]* grafted, host socket at $peer" "$T_TMP/v4.err"
t_done
