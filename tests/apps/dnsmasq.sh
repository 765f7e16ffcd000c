#!/bin/sh
# dnsmasq.sh - dnsmasq, built from Debian's source with CC=graft-cc and no
# source change (upstream's default build: no library needed), answers DNS
# over UDP and TCP from a network namespace that has only lo, and forwards
# a domain to an upstream server on the host through an egress rule.  dig
# on the host is the client.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
app_setup dnsmasq dnsmasq
DNSMASQ=$APP_BIN/dnsmasq

check "dnsmasq: a static executable built with graft-cc" is_static "$DNSMASQ"
if ! command -v dig >/dev/null; then
	skip "dnsmasq host side (dig is not installed: tests/apps/deps.sh installs bind9-dnsutils)"; exit 0
fi
mk_netns NS || { fail "dnsmasq: creating a namespace"; exit 1; }
check "dnsmasq: the namespace has only lo" only_lo "$NS"

# dnsmasq listens on the wildcard address, UDP and TCP, on port $P1; graft
# hands it host sockets bound to 127.0.0.1:$P1.  (For TCP, dnsmasq checks
# that the local address *and port* of each connection is one of its
# interfaces' -- graft shows the real host socket, so the endpoint's port
# must be the one dnsmasq is told with -p; see docs/apps.md.)
graftctl add ep-dns type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$NS" >/dev/null
conf_file "$T_TMP/graft.conf" "ingress 0.0.0.0:$P1 ep-dns" "egress 127.0.0.2/32 ep-out"

# The upstream for up.graft.test: the same dnsmasq on the host, graft off.
bg env GRAFT=off "$DNSMASQ" -k -C /dev/null --no-resolv --no-hosts -u root --bind-interfaces \
	--listen-address=127.0.0.2 -p "$P2" --address=/up.graft.test/192.0.2.77 \
	--log-facility=- >"$T_TMP/upstream.log" 2>&1

bg_ns "$NS" "$T_TMP/graft.conf" env GRAFT_VERBOSE=1 "$DNSMASQ" -k -C /dev/null \
	--no-resolv --no-hosts -p "$P1" --log-queries --log-facility=- \
	--host-record=web.graft.test,192.0.2.80 --txt-record=graft.test,"grafted dnsmasq" \
	--server=/up.graft.test/127.0.0.2#"$P2" >"$T_TMP/dnsmasq.log" 2>&1
if ! wait_log "$T_TMP/dnsmasq.log" 'started, version'; then
	fail "dnsmasq did not start: $(cat "$T_TMP/dnsmasq.log")"; t_done
fi
check "dnsmasq: its UDP and TCP binds of port $P1 were grafted onto the host's 127.0.0.1:$P1" \
	[ "$(grep -c "^graft: ingress 0.0.0.0:$P1 -> ep-dns: fd [0-9]* grafted, host socket at 127.0.0.1:$P1\$" "$T_TMP/dnsmasq.log")" = 2 ]

DIG="dig @127.0.0.1 -p $P1 +time=2 +tries=2"
out=$($DIG web.graft.test A +short 2>&1)
check "dnsmasq: dig over UDP from the host: web.graft.test A ($out)" [ "$out" = 192.0.2.80 ]
out=$($DIG +tcp web.graft.test A +short 2>&1)
check "dnsmasq: dig over TCP from the host: web.graft.test A ($out)" [ "$out" = 192.0.2.80 ]
out=$($DIG -x 192.0.2.80 +short 2>&1)
check "dnsmasq: dig reverse lookup: 192.0.2.80 PTR ($out)" [ "$out" = web.graft.test. ]
out=$($DIG graft.test TXT +short 2>&1)
check "dnsmasq: dig TXT ($out)" [ "$out" = '"grafted dnsmasq"' ]
$DIG nowhere.graft.test A >"$T_TMP/nx.out" 2>&1
check "dnsmasq: an unknown name is answered (no upstream for it): $(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$T_TMP/nx.out")" \
	grep -qE 'status: (REFUSED|NXDOMAIN|SERVFAIL)' "$T_TMP/nx.out"
g0=$(grants ep-out)
out=$($DIG up.graft.test A +short 2>&1)
g=$(( $(grants ep-out) - g0 ))
check "dnsmasq: a query forwarded over UDP to the host's upstream through an egress rule ($out, $g host socket)" \
	eval '[ "$out" = 192.0.2.77 ] && [ "$g" -ge 1 ]'
check "dnsmasq: the query log names the host client's address" \
	grep -q 'query\[A\] web.graft.test from 127.0.0.1$' "$T_TMP/dnsmasq.log"
# 20 queries in a row over UDP, each answered.
n=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	[ "$($DIG web.graft.test A +short 2>/dev/null)" = 192.0.2.80 ] && n=$((n + 1))
done
check "dnsmasq: 20 UDP queries, $n answered" [ "$n" = 20 ]

# The address view: dnsmasq told -p 53, its endpoint at host port $P3.  It
# drops a TCP connection whose local port (getsockname) is not 53; graft
# answers what it bound (docs/core.md, "Address views").
graftctl add ep-dns53 type ipv4 addr 127.0.0.1 port "$P3" netns "$NS" >/dev/null
conf_file "$T_TMP/graft53.conf" "ingress 0.0.0.0:53 ep-dns53"
bg_ns "$NS" "$T_TMP/graft53.conf" "$DNSMASQ" -k -C /dev/null --no-resolv --no-hosts \
	-p 53 --log-facility=- --pid-file="$T_TMP/dnsmasq53.pid" \
	--host-record=web.graft.test,192.0.2.80 >"$T_TMP/dnsmasq53.log" 2>&1
if wait_log "$T_TMP/dnsmasq53.log" 'started, version'; then
	out=$(dig @127.0.0.1 -p "$P3" +time=2 +tries=1 +tcp web.graft.test A +short 2>&1)
	check "dnsmasq -p 53 on host port $P3: a TCP query is answered ($out)" [ "$out" = 192.0.2.80 ]
	out=$(dig @127.0.0.1 -p "$P3" +time=2 +tries=1 web.graft.test A +short 2>&1)
	check "dnsmasq -p 53 on host port $P3: a UDP query is answered ($out)" [ "$out" = 192.0.2.80 ]
else
	fail "dnsmasq -p 53 did not start: $(cat "$T_TMP/dnsmasq53.log")"
fi
t_done
