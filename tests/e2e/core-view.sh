#!/bin/sh
# core-view.sh - the program's address view (graft.conf "view"): a grafted
# listener and the sockets accepted from it report what the program bound,
# also in another process the listener is handed to (haproxy -x in small,
# tests/progs/view_net.c); getpeername is the real peer; "view host"
# shows the host socket as before.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup core-view
# qemu-user has no SO_NETNS_COOKIE: accepted and handed-over sockets,
# told apart by it, keep the host view there (docs/core.md)
vcheck() {
	if [ -n "${GRAFT_QEMU:-}" ]; then
		skip "$1 (under $GRAFT_QEMU: no SO_NETNS_COOKIE)"
	else
		check "$@"
	fi
}
VN=$(test_app view_net) || { fail "building view_net with graft-cc"; t_done; }

graftctl add ep-fix type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-dyn type ipv4 addr 127.0.0.1 port dynamic netns "$NS" >/dev/null
graftctl add ep-x type ipv4 addr 127.0.0.1 port "$P2" netns "$NS" >/dev/null
graftctl add ep-host type ipv4 addr 127.0.0.1 port "$P3" netns "$NS" >/dev/null

# grants EP: how many sockets graftd granted on endpoint EP
grants() { graftctl stats | awk -v ep="$1" '$1 == ep { for (i = 2; i < NF; i++) if ($i == "grants") print $(i + 1) }'; }

# serve OUT ADDR PORT HOSTPORT: the server, one host client at HOSTPORT
serve() {
	bg in_ns "$VN" serve "$2" "$3" >"$1" 2>&1
	ready "$1" || { fail "view: server $2:$3 did not start: $(cat "$1")"; return 1; }
	_hp=$4
	[ -n "$_hp" ] || _hp=$(sed -n 's/^ready .*:\([0-9]*\)$/\1/p' "$1")
	_r=$(python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2); print(s.getsockname()[1], s.recv(16).decode().strip())' "$_hp" 2>&1)
	CLIENT_PORT=${_r%% *}
	wait_for grep -q "^accepted" "$1" ||
		{ fail "view: server $2:$3 accepted nothing: $(cat "$1")"; return 1; }
}

# 1. a fixed port: the listener and an accepted socket show 0.0.0.0:8080
#    and 127.0.0.1:8080; the peer is the host client
conf "ingress 0.0.0.0:8080 ep-fix"
if serve "$T_TMP/s1" 0.0.0.0 8080 "$P1"; then
	check "view: getsockname of the grafted listener is 0.0.0.0:8080 ($(head -1 "$T_TMP/s1"))" \
		grep -q '^ready 0.0.0.0:8080$' "$T_TMP/s1"
	vcheck "view: an accepted socket's local address has the program's port ($(tail -1 "$T_TMP/s1"))" \
		grep -q '^accepted local=127.0.0.1:8080 ' "$T_TMP/s1"
	check "view: getpeername is the real host client (port $CLIENT_PORT)" \
		grep -q "peer=127.0.0.1:$CLIENT_PORT\$" "$T_TMP/s1"
fi

# 2. port 0: the view has the endpoint's real port
conf "ingress 0.0.0.0:0 ep-dyn"
if serve "$T_TMP/s2" 0.0.0.0 0 ""; then
	hp=$(sed -n 's/^ready 0\.0\.0\.0:\([0-9]*\)$/\1/p' "$T_TMP/s2")
	check "view: a port-0 bind shows 0.0.0.0 and the real port ($(head -1 "$T_TMP/s2"))" \
		eval '[ -n "$hp" ] && [ "$hp" != 0 ]'
	vcheck "view: its accepted socket has that port too ($(tail -1 "$T_TMP/s2"))" \
		grep -q "^accepted local=127.0.0.1:$hp peer=127.0.0.1:$CLIENT_PORT\$" "$T_TMP/s2"
fi

# 3. "view host", globally and per rule: the host socket, as before
for v in "view host|ingress 0.0.0.0:8081 ep-host" "ingress 0.0.0.0:8081 ep-host view host"; do
	old_ifs=$IFS; IFS='|'; set -- $v; IFS=$old_ifs
	conf "$@"
	if serve "$T_TMP/s3" 0.0.0.0 8081 "$P3"; then
		check "view host ($v): the listener shows the host socket ($(head -1 "$T_TMP/s3"))" \
			grep -q "^ready 127.0.0.1:$P3\$" "$T_TMP/s3"
		check "view host ($v): so does the accepted socket ($(tail -1 "$T_TMP/s3"))" \
			grep -q "^accepted local=127.0.0.1:$P3 peer=127.0.0.1:$CLIENT_PORT\$" "$T_TMP/s3"
	fi
done

# 3b. a "view host" listener next to a "view program" rule keeps the host view
conf "ingress 0.0.0.0:8080 ep-fix" "ingress 0.0.0.0:8081 ep-host view host"
if serve "$T_TMP/s3b" 0.0.0.0 8081 "$P3"; then
	check "view host next to view program: the listener shows the host socket ($(head -1 "$T_TMP/s3b"))" \
		grep -q "^ready 127.0.0.1:$P3\$" "$T_TMP/s3b"
fi

# 3c. an IPv6 program: its own family, on an IPv6 and on an IPv4 endpoint
conf "ingress [::]:8080 ep-fix"
if serve "$T_TMP/s3c" :: 8080 "$P1"; then
	check "view: an IPv6 program on an IPv4 endpoint sees [::]:8080 ($(head -1 "$T_TMP/s3c"))" \
		grep -q '^ready \[::\]:8080$' "$T_TMP/s3c"
	# a length larger than the buffer, which ends a mapping: the 16 bytes
	# the kernel wrote, truncated, no SIGSEGV (stock succeeds too)
	if [ -n "${GRAFT_QEMU:-}" ]; then
		# qemu-user's getsockname copies len bytes out: EFAULT there
		skip "view: getsockname into 16 bytes at a mapping's end (under $GRAFT_QEMU: $(sed -n 2p "$T_TMP/s3c"), qemu copies the whole length)"
	else
		check "view: getsockname into 16 bytes at a mapping's end, len 28 ($(sed -n 2p "$T_TMP/s3c"))" \
			grep -q "^edge len=28 family=10 port=8080\$" "$T_TMP/s3c"
	fi
	# getpeername is untouched: the IPv4 host socket's sockaddr_in
	vcheck "view: its accepted socket is v4-mapped, with the program's port ($(tail -1 "$T_TMP/s3c"))" \
		grep -q "^accepted local=\[::ffff:127.0.0.1\]:8080 peer=127.0.0.1:$CLIENT_PORT\$" "$T_TMP/s3c"
fi
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128'; then
	graftctl add ep-six type ipv6 addr ::1 port "$P4" netns "$NS" >/dev/null
	conf "ingress [::]:8080 ep-six"
	bg in_ns "$VN" serve :: 8080 >"$T_TMP/s3d" 2>&1
	if ready "$T_TMP/s3d"; then
		r=$(python3 -c 'import socket,sys; s=socket.create_connection(("::1", int(sys.argv[1])), 2); print(s.getsockname()[1]); s.recv(16)' "$P4" 2>&1)
		wait_for grep -q '^accepted' "$T_TMP/s3d"
		check "view: an IPv6 listener on an IPv6 endpoint sees [::]:8080 ($(head -1 "$T_TMP/s3d"))" \
			grep -q '^ready \[::\]:8080$' "$T_TMP/s3d"
		vcheck "view: its accepted socket shows [::1]:8080 and the real peer ($(tail -1 "$T_TMP/s3d"))" \
			grep -q "^accepted local=\[::1\]:8080 peer=\[::1\]:$r\$" "$T_TMP/s3d"
	else
		fail "view: IPv6 server did not start: $(cat "$T_TMP/s3d")"
	fi
else
	skip "view: IPv6 endpoint (the host has no ::1)"
fi

# 4. a namespace socket at the endpoint's own address is left alone
conf "ingress 0.0.0.0:8080 ep-fix"
bg in_ns "$VN" serve 127.0.0.1 "$P1" >"$T_TMP/s4" 2>&1
ready "$T_TMP/s4"
check "view: a local listener at 127.0.0.1:$P1 shows its own name ($(head -1 "$T_TMP/s4"))" \
	grep -q "^ready 127.0.0.1:$P1\$" "$T_TMP/s4"

# 5. haproxy -x in small: the listener handed to a new process, which
#    finds it by getsockname and reuses it; no new graft, no failed client
conf "ingress 0.0.0.0:8082 ep-x"
bg in_ns "$VN" xfer-old 0.0.0.0 8082 "$T_TMP/x.sock" >"$T_TMP/old" 2>&1
if ready "$T_TMP/old"; then
	g0=$(grants ep-x)
	on_host "$VN" load 127.0.0.1 "$P2" 2500 >"$T_TMP/load" 2>&1 &
	lp=$!
	sleep 0.7
	bg in_ns "$VN" xfer-new 0.0.0.0 8082 "$T_TMP/x.sock" >"$T_TMP/new" 2>&1
	wait "$lp"
	vcheck "reload: the new process reused the listener ($(head -1 "$T_TMP/new"))" \
		grep -q '^reused 0.0.0.0:8082$' "$T_TMP/new"
	vcheck "reload: no new graft (grants of ep-x: $g0 -> $(grants ep-x))" \
		[ "$(grants ep-x)" = "$g0" ]
	l=$(cat "$T_TMP/load")
	vcheck "reload: zero failed requests, both processes served ($l)" \
		has "$l" 'ok=[1-9][0-9]* fail=0 old=[1-9][0-9]* new=[1-9][0-9]*$'
else
	fail "reload: old server did not start: $(cat "$T_TMP/old")"
fi
t_done
