#!/bin/sh
# afgraft-broker.sh - AF_GRAFT-native programs (socket(AF_GRAFT),
# bind(sockaddr_gr), getaddrinfo with the AF_GRAFT hint) built with graft-cc
# in a lo-only namespace, served by graftd: the kernel has no AF_GRAFT.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
. "$(dirname "$0")/afgraft-common.inc"
afg_setup afgraft-broker

ENOENT=2 EINVAL=22 ENOTRECOVERABLE=131
graftctl add ep-http type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-udp type ipv4 addr 127.0.0.1 port "$P2" netns "$NS" >/dev/null
graftctl add ep-opt type ipv4 addr 127.0.0.1 port "$P3" netns "$NS" >/dev/null
graftctl add default-source type ipv4 addr 0.0.0.0 port dynamic netns "$NS" >/dev/null
conf "endpoint ep-http ep-udp ep-opt"

# 1. the acceptance case: socket(AF_GRAFT) + bind(sockaddr_gr) + listen/accept
bg in_ns "$AFG" serve ep-http 2 >"$T_TMP/s1" 2>&1
if ready "$T_TMP/s1"; then
	check "getsockname: sockaddr_gr, then the host address with GRAFT_NAME_TRANSPARENT ($(cat "$T_TMP/s1"))" \
		grep -q "^ready graft:ep-http/18 127.0.0.1:$P1\$" "$T_TMP/s1"
	out=$(on_host "$NET" client-tcp 127.0.0.1 "$P1" 2>&1)
	check "AF_GRAFT server in the namespace serves a host client ($out)" \
		has "$out" '.*reply=hello from AF_GRAFT'
	# 2. an AF_GRAFT client that connects without bind: default-source
	out=$(in_ns "$AFG" client 127.0.0.1 "$P1" 2>&1)
	check "unbound AF_GRAFT connect uses default-source ($out)" \
		has "$out" 'name=graft:default-source/18 reply=hello from AF_GRAFT'
else
	fail "AF_GRAFT server did not start: $(cat "$T_TMP/s1")"
fi

# 3. datagrams
bg in_ns "$AFG" serve ep-udp 1 udp >"$T_TMP/s2" 2>&1
ready "$T_TMP/s2"
out=$(on_host "$NET" client-udp 127.0.0.1 "$P2" 2>&1)
check "AF_GRAFT SOCK_DGRAM server answers a host client ($out)" [ "$out" = "reply=pong:ping" ]

# 4. errors as the module: unknown name ENOENT, short address EINVAL
out=$(in_ns "$AFG" bind ep-nope 2>/dev/null)
check "unknown endpoint: ENOENT at bind ($out)" [ "$out" = "errno $ENOENT" ]
out=$(in_ns "$AFG" bind ep-http 17 2>/dev/null)
check "addrlen 17: EINVAL ($out)" [ "$out" = "errno $EINVAL" ]
# a dup() made before the bind follows the graft, and is known as AF_GRAFT
out=$(in_ns "$AFG" dupbind ep-opt 2>&1)
check "dup() before bind: both fds the host socket, both named ep-opt ($out)" \
	[ "$out" = "ok graft:ep-opt/18 graft:ep-opt/18 same" ]

# 5. options: IPPROTO_GRAFT handled in libc
out=$(in_ns "$AFG" options ep-opt 2>&1)
check "SO_DOMAIN/SO_TYPE/name before bind ($out)" has "$out" 'before: domain=4 type=1 name=graft:/18 '
check "undelayed option and early EXECUTE: EADDRNOTAVAIL; bad GRAFT_SO_TRANSPARENT: EINVAL" \
	has "$out" '.* undelayed=99 execute=99 badtrans=22 '
check "GRAFT_SO_DELAYED queue runs at bind, results read once" \
	has "$out" '.*| results=2 6/1=0 1/2=0 again=0 '
check "after bind: queued options on the host socket, sockaddr_gr, host name when transparent" \
	has "$out" ".*| after: nodelay=1 reuseaddr=1 domain=2 name=graft:ep-opt/18 transparent=127.0.0.1:$P3\$"

# 6. getaddrinfo / getnameinfo
out=$(in_ns "$AFG" gai ep-http graft 2>&1)
check "getaddrinfo(ep-http, AF_GRAFT): one sockaddr_gr ($out)" \
	[ "$out" = "graft:ep-http/18 fam=4 len=18 canon=ep-http" ]
out=$(in_ns "$AFG" gai ep-other graft 2>&1)
check "getaddrinfo(AF_GRAFT) of a name not in the endpoint list: EAI_NONAME ($out)" [ "$out" = "gai -2" ]
out=$(in_ns "$AFG" gni ep-http 2>&1)
check "getnameinfo(sockaddr_gr) ($out)" [ "$out" = "host=ep-http serv=[]" ]
if command -v musl-gcc >/dev/null; then
	musl-gcc -O2 -I"$GRAFT_TOP/include" -o "$T_TMP/afg_stock" "$GRAFT_TOP/tests/progs/afgraft_net.c" 2>/dev/null
	mkdir -p "/etc/netns/$NS"
	trap 'rm -rf "/etc/netns/$NS"; t_cleanup' EXIT
	printf '127.0.0.1 localhost\n10.9.8.7 ep-http\n' >"/etc/netns/$NS/hosts"
	echo "nameserver 127.0.0.1" >"/etc/netns/$NS/resolv.conf"
	for n in ep-http localhost ep-none.invalid; do
		for f in unspec inet; do
			a=$(in_ns "$AFG" gai $n $f 2>&1); b=$(in_ns "$T_TMP/afg_stock" gai $n $f 2>&1)
			check "getaddrinfo($n, $f) as stock musl ($a)" [ "$a" = "$b" ]
		done
	done
	a=$(ip netns exec "$NS" env GRAFT=off "$AFG" gai ep-http graft 2>&1)
	b=$(in_ns "$T_TMP/afg_stock" gai ep-http graft 2>&1)
	check "GRAFT=off: getaddrinfo(AF_GRAFT) as stock musl ($a)" [ "$a" = "$b" ]
else
	skip "getaddrinfo(AF_UNSPEC) against stock musl (musl-gcc not installed)"
fi

# 7. without graft.conf at all (no endpoint list): any well-formed name
out=$(ip netns exec "$NS" env GRAFT_CONF=/dev/null "$AFG" gai ep-other graft 2>&1)
check "no endpoint list: any well-formed name resolves ($out)" has "$out" 'graft:ep-other/18 fam=4'

# 8. the examples: an AF_GRAFT server and client, both in the namespace
graftctl add ep-ex type ipv4 addr 127.0.0.1 port "$P6" netns "$NS" >/dev/null
if "$GRAFT_CC" -O2 -o "$T_TMP/exs" "$GRAFT_TOP/examples/afgraft-server.c" &&
   "$GRAFT_CC" -O2 -o "$T_TMP/exc" "$GRAFT_TOP/examples/afgraft-client.c"; then
	conf
	bg in_ns "$T_TMP/exs" ep-ex >"$T_TMP/s9" 2>&1
	if wait_for grep -q '^serving' "$T_TMP/s9"; then
		check "examples/afgraft-server: $(cat "$T_TMP/s9")" \
			grep -q "^serving endpoint ep-ex (host 127.0.0.1 port $P6)\$" "$T_TMP/s9"
		out=$(in_ns "$T_TMP/exc" 127.0.0.1 "$P6" 2>&1 | tr '\r\n' '  ')
		check "examples/afgraft-client reaches it from default-source ($out)" \
			has "$out" 'connected from endpoint default-source HTTP/1.0 200 OK.*hello from AF_GRAFT'
	else
		fail "examples/afgraft-server did not start: $(cat "$T_TMP/s9")"
	fi
else
	fail "building examples/afgraft-*.c with graft-cc"
fi

# 9. a broken graft.conf fails AF_GRAFT binds closed
printf 'broker %s\nprovider sometimes\n' "$GRAFTD_SOCK" >"$CONF"
out=$(in_ns "$AFG" bind ep-http 2>/dev/null)
check "broken graft.conf: AF_GRAFT bind refused with ENOTRECOVERABLE ($out)" [ "$out" = "errno $ENOTRECOVERABLE" ]
t_done
