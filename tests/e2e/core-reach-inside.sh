#!/bin/sh
# core-reach-inside.sh - a listener grafted to the host is reached from its
# own namespace: a graft-cc client's connect() to the namespace's loopback
# or wildcard on a port an ingress rule covers goes, through graftd, to the
# endpoint's host socket (issue 20, part 3).  A port no rule covers stays
# local; a stock client still gets ECONNREFUSED (docs/apps.md says why).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup core-reach-inside

graftctl add ep-http type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-range type ipv4 addr 127.0.0.1 port "$P3-$P4" netns "$NS" >/dev/null
conf "ingress 0.0.0.0:8080 ep-http" "ingress 0.0.0.0:$P3-$P4 ep-range" verbose

# serve OUT N ADDR PORT: a grafted server in NS for N connections
serve() {
	bg in_ns "$NET" serve-tcp "$3" "$4" "$2" >"$T_TMP/$1" 2>"$T_TMP/$1.err"
	ready "$T_TMP/$1" || { fail "server $3:$4 did not start: $(cat "$T_TMP/$1" "$T_TMP/$1.err")"; return 1; }
}

# 1. health check from inside: loopback and the wildcard reach the listener
if serve s1 4 0.0.0.0 8080; then
	out=$(in_ns "$NET" client-tcp 127.0.0.1 8080 2>"$T_TMP/c1.err")
	check "inside -> 127.0.0.1:8080 reaches the grafted listener ($out)" \
		has "$out" 'nodelay=1 so_error=0 reply=hello from'
	check "verbose says where it went ($(grep '^graft:' "$T_TMP/c1.err"))" \
		grep -q "^graft: ingress 0.0.0.0:8080 -> ep-http: fd [0-9]* connect to port 8080 reaches the grafted listener at 127.0.0.1:$P1\$" "$T_TMP/c1.err"
	out=$(in_ns "$NET" client-tcp 0.0.0.0 8080 2>&1)
	check "inside -> 0.0.0.0:8080 reaches it too ($out)" has "$out" '.*reply=hello from'
	out=$(in_ns "$NET" client-tcp 127.0.0.9 8080 2>&1)
	check "inside -> 127.0.0.9:8080 (any of 127/8) reaches it ($out)" has "$out" '.*reply=hello from'
	# a socket bound in the namespace first stays there
	out=$(in_ns "$NET" client-from 127.0.0.1 8080 127.0.0.1 0 2>/dev/null)
	check "bound to the namespace's 127.0.0.1 first: stays local ($out)" [ "$out" = "errno 111" ]
	out=$(in_ns "$NET" client-from 127.0.0.1 8080 0.0.0.0 "$P6" 2>/dev/null)
	check "bound to a port first: stays local ($out)" [ "$out" = "errno 111" ]
	out=$(in_ns "$NET" client-tcp 127.0.0.1 8080 2>/dev/null)
	check "the listener was there all along ($out)" has "$out" '.*reply=hello from'
	# 2. a program not built with graft still meets the namespace's loopback
	out=$(in_ns env GRAFT=off "$NET" connect 127.0.0.1 8080 2>/dev/null)
	check "stock client (GRAFT=off) -> 127.0.0.1:8080: ECONNREFUSED as before ($out)" \
		[ "$out" = "errno 111" ]
else
	fail "core-reach-inside: no server"
fi

# 3. a port no ingress rule covers stays in the namespace
out=$(in_ns "$NET" connect 127.0.0.1 8099 2>/dev/null)
check "inside -> 127.0.0.1:8099 (no rule): ECONNREFUSED, local ($out)" [ "$out" = "errno 111" ]
bg in_ns "$NET" serve-tcp 127.0.0.1 8099 1 >"$T_TMP/s3" 2>&1
ready "$T_TMP/s3"
out=$(in_ns "$NET" client-tcp 127.0.0.1 8099 2>&1)
check "inside -> a local server on a port no rule covers ($out)" has "$out" '.*reply=hello'

# 4. a port range: the port the program asked for, as ingress translates it
if serve s4 1 0.0.0.0 "$P4"; then
	out=$(in_ns "$NET" client-tcp 127.0.0.1 "$P4" 2>&1)
	check "inside -> a port of a range endpoint ($out)" has "$out" '.*reply=hello from'
fi

# 5. no listener on the host endpoint: the connect is refused, with a line
out=$(in_ns "$NET" connect 127.0.0.1 8080 2>"$T_TMP/c5.err")
check "grafted port with nobody listening: ECONNREFUSED ($out)" [ "$out" = "errno 111" ]
check "verbose says the connect to the grafted listener was refused ($(grep '^graft:' "$T_TMP/c5.err"))" \
	grep -q "^graft: .*connect to port 8080, the grafted listener: Connection refused" "$T_TMP/c5.err"
out=$(in_ns "$NET" client-tcp 127.0.0.1 8080 2>/dev/null)
check "non-blocking connect, nobody listening: EINPROGRESS, then SO_ERROR ECONNREFUSED ($out)" \
	[ "$out" = "errno 111" ]

# 6. IPv6: a * rule to a v6 endpoint; ::1 and 127.0.0.1 from inside
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128'; then
	graftctl add ep-six type ipv6 addr ::1 port "$P5" netns "$NS" >/dev/null
	conf "ingress *:8081 ep-six"
	if serve s6 2 :: 8081; then
		out=$(in_ns "$NET" client-tcp ::1 8081 2>&1)
		check "inside -> [::1]:8081 under a * rule ($out)" has "$out" '.*reply=hello from'
		out=$(in_ns "$NET" client-tcp 127.0.0.1 8081 2>&1)
		check "inside -> 127.0.0.1:8081 under a * rule ($out)" has "$out" '.*reply=hello from'
	fi
else
	skip "reach inside over IPv6 (the host has no ::1)"
fi

# 7. an egress-only endpoint named by an ingress rule is not reached
graftctl add ep-out type ipv4 addr 127.0.0.1 port "$P6" direction egress netns "$NS" >/dev/null
conf "ingress 0.0.0.0:8082 ep-out" verbose
out=$(in_ns "$NET" connect 127.0.0.1 8082 2>"$T_TMP/c7.err")
check "egress-only endpoint: graftd refuses, the connect stays local ($out; $(grep '^graft:' "$T_TMP/c7.err"))" \
	grep -q "stays local: graftd: direction not allowed" "$T_TMP/c7.err"

# 9. a socket() answered with an egress spare (egress-batch: after two
# egress grafts to one endpoint) is put back in the namespace, then reaches
graftctl add ep-dyn type ipv4 addr 127.0.0.1 port dynamic direction egress netns "$NS" >/dev/null
conf "ingress 0.0.0.0:8080 ep-http" "egress $HOSTIP/32 ep-dyn" "egress-batch 4" verbose
bg on_host "$NET" serve-tcp "$HOSTIP" "$P2" 3 >"$T_TMP/s9h" 2>&1
if ready "$T_TMP/s9h" && serve s9 1 0.0.0.0 8080; then
	out=$(in_ns "$NET" clients "$HOSTIP" "$P2" "$HOSTIP" "$P2" "$HOSTIP" "$P2" 127.0.0.1 8080 2>"$T_TMP/c9.err" | tr '\n' ' ')
	check "egress spares in play ($(grep -c 'a spare' "$T_TMP/c9.err") used)" grep -q '(a spare)$' "$T_TMP/c9.err"
	check "after egress spares, inside -> 127.0.0.1:8080 still reaches the listener ($out)" \
		has "$out" '\(reply=hello from [0-9]* \)\{4\}$'
	check "... through the endpoint ($(tail -1 "$T_TMP/c9.err"))" \
		grep -q 'reaches the grafted listener at 127.0.0.1:'"$P1"'$' "$T_TMP/c9.err"
fi

# 8. an endpoint not in the namespace's table: refused, the connect stays local
conf "ingress 0.0.0.0:8083 ep-none" verbose
out=$(in_ns "$NET" connect 127.0.0.1 8083 2>"$T_TMP/c8.err")
check "endpoint not in the table: graftd refuses, local ECONNREFUSED ($out; $(grep '^graft:' "$T_TMP/c8.err" | tail -1))" \
	sh -c '[ "$1" = "errno 111" ] && grep -q "stays local: graftd: no such endpoint" "$2"' - "$out" "$T_TMP/c8.err"
t_done
