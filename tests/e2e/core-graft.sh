#!/bin/sh
# core-graft.sh - ingress and egress, TCP and UDP, through graftd, for a
# graft-cc program in a namespace that has only lo.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup core-graft

graftctl add ep-http type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-udp type ipv4 addr 127.0.0.1 port "$P2" netns "$NS" >/dev/null
graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$NS" >/dev/null
conf "ingress 0.0.0.0:8080 ep-http" "ingress 0.0.0.0:5353 ep-udp" \
	"egress $HOSTIP/32 ep-out"

# 1. a TCP server in the namespace, a client on the host
bg in_ns "$NET" serve-tcp 0.0.0.0 8080 1 >"$T_TMP/s1" 2>&1
if ready "$T_TMP/s1"; then
	check "ingress tcp: getsockname shows what the program bound, 0.0.0.0:8080 (view program)" \
		grep -q "^ready 0.0.0.0:8080\$" "$T_TMP/s1"
	out=$(on_host "$NET" client-tcp 127.0.0.1 "$P1" 2>&1)
	check "ingress tcp: host client gets the reply ($out)" \
		has "$out" '.*reply=hello from'
else
	fail "ingress tcp: server did not start: $(cat "$T_TMP/s1")"
fi

# 2. a TCP client in the namespace reaches a host server by an egress rule
bg on_host "$NET" serve-tcp "$HOSTIP" "$P3" 1 >"$T_TMP/s2" 2>&1
ready "$T_TMP/s2"
out=$(in_ns "$NET" client-tcp "$HOSTIP" "$P3" 2>&1)
check "egress tcp: TCP_NODELAY before connect, EINPROGRESS/poll/SO_ERROR 0 ($out)" \
	has "$out" 'nodelay=1 so_error=0 reply=hello from'

# 3. UDP both ways
bg in_ns "$NET" serve-udp 0.0.0.0 5353 >"$T_TMP/s3" 2>&1
ready "$T_TMP/s3"
out=$(on_host "$NET" client-udp 127.0.0.1 "$P2" 2>&1)
check "ingress udp: host client gets the answer ($out)" [ "$out" = "reply=pong:ping" ]
bg on_host "$NET" serve-udp "$HOSTIP" "$P4" >"$T_TMP/s4" 2>&1
ready "$T_TMP/s4"
out=$(in_ns "$NET" client-udp "$HOSTIP" "$P4" 2>&1)
check "egress udp: namespace client gets the answer ($out)" [ "$out" = "reply=pong:ping" ]

# 4. an unmatched bind stays in the namespace; its loopback stays local
bg in_ns "$NET" serve-tcp 0.0.0.0 9999 1 >"$T_TMP/s5" 2>&1
ready "$T_TMP/s5"
check "unmatched bind stays local (0.0.0.0:9999)" grep -q '^ready 0.0.0.0:9999$' "$T_TMP/s5"
out=$(in_ns "$NET" client-tcp 127.0.0.1 9999 2>&1)
check "namespace loopback stays local ($out)" has "$out" '.*reply=hello'

# 5. the original converter's variables instead of graft.conf
bg ip netns exec "$NS" env GRAFT_CONF=/dev/null GRAFT_BROKER="$GRAFTD_SOCK" \
	GRAFT_INGRESS_CONVERT="0.0.0.0:8080=ep-http" "$NET" serve-tcp 0.0.0.0 8080 1 >"$T_TMP/s6" 2>&1
if ready "$T_TMP/s6"; then
	out=$(on_host "$NET" client-tcp 127.0.0.1 "$P1" 2>&1)
	check "GRAFT_INGRESS_CONVERT grafts like graft.conf ($out)" has "$out" '.*reply=hello'
else
	fail "GRAFT_INGRESS_CONVERT: server did not start: $(cat "$T_TMP/s6")"
fi

# 6. IPv6, where the host has ::1
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128'; then
	graftctl add ep-six type ipv6 addr ::1 port "$P5" netns "$NS" >/dev/null
	conf "ingress [::]:8080 ep-six"
	bg in_ns "$NET" serve-tcp :: 8080 1 >"$T_TMP/s7" 2>&1
	ready "$T_TMP/s7"
	out=$(on_host "$NET" client-tcp ::1 "$P5" 2>&1)
	check "ingress tcp over IPv6 ($out)" has "$out" '.*reply=hello'
else
	skip "ingress tcp over IPv6 (the host has no ::1)"
fi
t_done
