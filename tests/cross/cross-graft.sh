#!/bin/sh
# cross-graft.sh - grafting on a target under qemu-user: programs built
# with TARGET-graft-cc run in a network namespace that has only lo and get
# their sockets from the native graftd on the host, which serves the host's
# clients (native programs).  Also the 32-bit ABI cases: the refusal reply
# read at the right offsets, SO_RCVTIMEO/SO_SNDTIMEO (time64 on 32-bit)
# and SO_TIMESTAMP set before the graft and carried over, and sendmmsg,
# which musl calls as one syscall on 32-bit.
. "$(dirname "$0")/../lib/common.sh"
: "${GRAFT_TARGET:?}" "${GRAFT_QEMU:?}" "${GRAFT_XB:?}" "${GRAFT_XHB:?}"
need_netns "cross-graft $GRAFT_TARGET"
for f in "$GRAFT_XB/progs/core_net" "$GRAFT_XB/abi_net" "$GRAFT_XHB/core_net" "$GRAFT_XHB/abi_net" \
	"$GRAFT_BIN/graftd" "$GRAFT_BIN/graftctl"; do
	[ -x "$f" ] || { fail "cross-graft: $f not built (make check-cross)"; t_done; }
done
command -v "$GRAFT_QEMU" >/dev/null || { fail "cross-graft: $GRAFT_QEMU not installed"; t_done; }

mk_netns NS || { fail "cross-graft: creating a netns"; t_done; }
start_graftd || { fail "cross-graft: starting graftd"; t_done; }
_b=$(port_base 7)
P1=$_b P2=$((_b + 1)) P3=$((_b + 2)) P4=$((_b + 3)) P5=$((_b + 4)) P6=$((_b + 5)) P7=$((_b + 6))
# a host loopback address the namespace reaches only through an egress rule
HOSTIP=127.0.0.2
CONF=$T_TMP/graft.conf
T=$GRAFT_TARGET

graftctl add ep-tcp type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-udp type ipv4 addr 127.0.0.1 port "$P2" netns "$NS" >/dev/null
graftctl add ep-timeo type ipv4 addr 127.0.0.1 port "$P5" netns "$NS" >/dev/null
graftctl add ep-ts type ipv4 addr 127.0.0.1 port "$P6" netns "$NS" >/dev/null
graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$NS" >/dev/null
{
	echo "broker $GRAFTD_SOCK"
	echo "view host"	# the checks read the host socket's own address
	echo "ingress 0.0.0.0:8080 ep-tcp"
	echo "ingress 0.0.0.0:5353 ep-udp"
	echo "ingress 0.0.0.0:8081 ep-timeo"
	echo "ingress 0.0.0.0:5354 ep-ts"
	echo "ingress 0.0.0.0:7070 ep-none"
	echo "egress $HOSTIP/32 ep-out"
} > "$CONF"

# target programs in the namespace (under qemu), native ones on the host
x_net() { ip netns exec "$NS" env GRAFT_CONF="$CONF" "$GRAFT_QEMU" "$GRAFT_XB/progs/core_net" "$@"; }
x_abi() { ip netns exec "$NS" env GRAFT_CONF="$CONF" "$GRAFT_QEMU" "$GRAFT_XB/abi_net" "$@"; }
h_net() { env GRAFT=off "$GRAFT_XHB/core_net" "$@"; }
h_abi() { env GRAFT=off "$GRAFT_XHB/abi_net" "$@"; }
ready() { wait_for grep -q '^ready' "$1"; }
has() { expr "$1" : "$2" >/dev/null; }

# 1. a TCP server of the target in the namespace, a host client
bg x_net serve-tcp 0.0.0.0 8080 1 >"$T_TMP/s1" 2>&1
if ready "$T_TMP/s1"; then
	check "$T ingress tcp: the server's socket is graftd's host socket (127.0.0.1:$P1)" \
		grep -q "^ready 127.0.0.1:$P1\$" "$T_TMP/s1"
	out=$(h_net client-tcp 127.0.0.1 "$P1" 2>&1)
	check "$T ingress tcp: a host client gets the reply ($out)" has "$out" '.*reply=hello from'
else
	fail "$T ingress tcp: server did not start: $(cat "$T_TMP/s1")"
fi

# 2. a TCP client of the target reaches a host server by an egress rule
bg h_net serve-tcp "$HOSTIP" "$P3" 1 >"$T_TMP/s2" 2>&1
ready "$T_TMP/s2"
out=$(x_net client-tcp "$HOSTIP" "$P3" 2>&1)
check "$T egress tcp: non-blocking connect, poll, SO_ERROR 0 ($out)" \
	has "$out" 'nodelay=1 so_error=0 reply=hello from'

# 3. UDP both ways
bg x_net serve-udp 0.0.0.0 5353 >"$T_TMP/s3" 2>&1
ready "$T_TMP/s3"
out=$(h_net client-udp 127.0.0.1 "$P2" 2>&1)
check "$T ingress udp: a host client gets the answer ($out)" [ "$out" = "reply=pong:ping" ]
bg h_net serve-udp "$HOSTIP" "$P4" >"$T_TMP/s4" 2>&1
ready "$T_TMP/s4"
out=$(x_net client-udp "$HOSTIP" "$P4" 2>&1)
check "$T egress udp: the target client gets the answer ($out)" [ "$out" = "reply=pong:ping" ]

# 4. a refusal: error and reason are read from the reply at their offsets
out=$(x_net bind 0.0.0.0 7070 2>"$T_TMP/e4")
check "$T refusal: bind fails with graftd's errno ENOENT ($out)" [ "$out" = "errno 2" ]
check "$T refusal: graftd's reason is reported ($(head -1 "$T_TMP/e4"))" \
	grep -q 'graftd refused: no such endpoint in this network namespace (No such file or directory)' "$T_TMP/e4"

# 5. receive/send timeouts set before the graft hold on the host socket
out=$(x_abi timeo 0.0.0.0 8081 2>"$T_TMP/e5")
check "$T SO_RCVTIMEO/SO_SNDTIMEO set before the graft read back from the host socket ($out)" \
	[ "$out" = "rcvtimeo=0.400000 sndtimeo=2.500000 accept_timeout=ok" ]
check "$T SO_RCVTIMEO: the socket was grafted ($(grep '^ready' "$T_TMP/e5"))" \
	grep -q "^ready 127.0.0.1:$P5\$" "$T_TMP/e5"

# 6. SO_TIMESTAMP set before the graft: the datagram's SCM_TIMESTAMP
bg x_abi tstamp 0.0.0.0 5354 >"$T_TMP/s6" 2>&1
if ready "$T_TMP/s6"; then
	h_abi send-udp 127.0.0.1 "$P6" >/dev/null 2>&1
	wait_for grep -q '^timestamp=' "$T_TMP/s6"
	check "$T SO_TIMESTAMP carried over: SCM_TIMESTAMP of a host datagram ($(grep -v '^ready' "$T_TMP/s6" | tr '\n' ' '))" \
		grep -q '^timestamp=ok$' "$T_TMP/s6"
else
	fail "$T SO_TIMESTAMP: receiver did not start: $(cat "$T_TMP/s6")"
fi

# 7. sendmmsg as the first use of a UDP socket grafts it (egress)
bg h_abi recv-udp "$HOSTIP" "$P7" 4 >"$T_TMP/s7" 2>&1
ready "$T_TMP/s7"
out=$(x_abi mmsg "$HOSTIP" "$P7" 4 2>&1)
wait_for grep -q 'done$' "$T_TMP/s7"
check "$T sendmmsg of 4 datagrams through an egress graft ($out; host got: $(grep -v '^ready' "$T_TMP/s7"))" \
	grep -q '^m0 m1 m2 m3 done$' "$T_TMP/s7"
t_done
