#!/bin/sh
# core-dns.sh - name resolution from a lo-only namespace (issue 16).  A
# nameserver (Debian's dnsmasq) listens on the host's loopback at $NSIP:53;
# the namespace's resolv.conf names the same address, which inside is its
# own loopback, where nothing answers.  The resolver's queries get there
# only through graft: an egress rule covering the nameserver, or a "dns"
# line.  Without either, resolution fails as with musl-gcc, and graftd
# sees no request; the AI_ADDRCONFIG probe and the address sort never
# reach graftd.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup core-dns
command -v dnsmasq >/dev/null || { fail "dnsmasq is missing (./configure installs dnsmasq-base)"; t_done; }
DNS=$(test_app dns_net) || { fail "building dns_net with graft-cc"; t_done; }

# 127.77.N.53, N from this run's ports: parallel runs do not collide
NSIP=127.77.$((P1 % 250)).53
# ip netns exec bind-mounts /etc/netns/NAME/* over /etc/*
mkdir -p "/etc/netns/$NS"
trap 'rm -rf "/etc/netns/$NS"; t_cleanup' EXIT
printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$NSIP" >"/etc/netns/$NS/resolv.conf"
: >"/etc/netns/$NS/hosts"

# 40 addresses for big.test: an answer over 512 bytes, truncated over UDP
# (musl >= 1.2.4 asks again over TCP); --local: names of test. that are
# not listed get a negative answer, not REFUSED (which makes musl wait);
# -u root: it reads its hosts file in our private directory
i=1
while [ $i -le 40 ]; do echo "192.0.2.$i big.test"; i=$((i + 1)); done >"$T_TMP/big.hosts"
bg dnsmasq -k -u root -C /dev/null --no-resolv --no-hosts --bind-interfaces \
	--listen-address="$NSIP" -p 53 --log-facility=- --log-queries --local=/test/ \
	--pid-file="$T_TMP/dnsmasq.pid" --addn-hosts="$T_TMP/big.hosts" \
	--host-record=web.graft.test,192.0.2.80,2001:db8::80 \
	--host-record=one.graft.test,192.0.2.81 >"$T_TMP/dnsmasq.log" 2>&1
wait_for grep -q 'started, version' "$T_TMP/dnsmasq.log" ||
	{ fail "dnsmasq starts on $NSIP:53: $(tail -3 "$T_TMP/dnsmasq.log")"; t_done; }
graftctl add ep-dns type ipv4 addr 127.0.0.1 port dynamic netns "$NS" >/dev/null ||
	{ fail "graftctl add ep-dns"; t_done; }
requests() { graftctl stats | sed -n 's/^total requests \([0-9]*\) .*/\1/p'; }
queries() { grep -c 'query\[' "$T_TMP/dnsmasq.log"; }
ns() { ip netns exec "$NS" env GRAFT_CONF="$CONF" "$DNS" "$@" 2>>"$T_TMP/err"; }

# --- no rule: stock behaviour, and graftd never asked -----------------------
conf "ingress 0.0.0.0:8080 ep-none"
r0=$(requests) q0=$(queries)
out=$(ns gai web.graft.test)
check "no rule: getaddrinfo fails as the namespace has no nameserver ($out)" has "$out" 'gai-error -3 '
if command -v musl-gcc >/dev/null && musl-gcc -static -O2 -o "$T_TMP/dns_stock" "$GRAFT_TOP/tests/progs/dns_net.c" 2>/dev/null; then
	sout=$(ip netns exec "$NS" "$T_TMP/dns_stock" gai web.graft.test 2>&1)
	check "no rule: the same result as musl-gcc's build ($sout)" [ "$out" = "$sout" ]
else
	skip "the musl-gcc comparison (no musl-gcc)"
fi
conf "egress 10.0.0.0/8 ep-dns"
out=$(ns gai web.graft.test)
check "an egress rule not covering the nameserver: fails the same way ($out)" has "$out" 'gai-error -3 '
check "graftd saw no request, the nameserver no query ($(requests) - $r0, $(queries) - $q0)" \
	[ "$(requests)" = "$r0" -a "$(queries)" = "$q0" ]

# --- an egress rule covering the nameserver ----------------------------------
conf "egress $NSIP/32 ep-dns" verbose
: >"$T_TMP/err"
r0=$(requests)
out=$(ns gai one.graft.test)
check "egress rule: getaddrinfo answers ($out)" [ "$out" = "gai 1 192.0.2.81" ]
check "  in one graftd request (A and AAAA on one socket) ($(requests) - $r0)" \
	[ "$(requests)" = $((r0 + 1)) ]
check "  the verbose line names the rule ($(head -1 "$T_TMP/err"))" \
	grep -q "^graft: egress $NSIP/32 -> ep-dns: fd [0-9]* grafted" "$T_TMP/err"
out=$(ns ghbn one.graft.test)
check "egress rule: gethostbyname answers ($out)" [ "$out" = "ghbn 1 192.0.2.81" ]
out=$(ns resq one.graft.test)
check "egress rule: res_query answers, one A record ($out)" has "$out" 'resq [0-9]* 1$'
# two addresses: the RFC 3484 sort runs; AI_ADDRCONFIG: the probe runs
r0=$(requests)
out=$(ns gai web.graft.test addrconfig)
check "AI_ADDRCONFIG, two families: answered, sorted ($out)" \
	sh -c "[ '$out' = 'gai 1 192.0.2.80' ] || [ '$out' = 'gai 2 2001:db8::80 192.0.2.80' ] || [ '$out' = 'gai 2 192.0.2.80 2001:db8::80' ]"
check "  the probe and the sort never reached graftd: one request ($(requests) - $r0)" \
	[ "$(requests)" = $((r0 + 1)) ]
out=$(ns gai web.graft.test)
check "no AI_ADDRCONFIG: both families, sorted by the resolver ($out)" \
	has "$out" 'gai 2 '
# a long answer: UDP says truncated, musl (>= 1.2.4) asks again over TCP
mv=$(cat "$GRAFT_BUILD/$GRAFT_TARGET/musl/VERSION" 2>/dev/null)
if [ "$mv" = 1.2.3 ]; then
	skip "long answers over TCP (musl $mv has no TCP retry)"
else
	r0=$(requests)
	out=$(ns gai big.test)
	check "a 40-address answer (> 512 bytes) resolves, through the TCP retry ($(echo "$out" | cut -c1-40)...)" \
		has "$out" 'gai 40 '
	check "  graftd: the UDP socket and the TCP one ($(requests) - $r0)" [ "$(requests)" = $((r0 + 2)) ]
	check "  dnsmasq answered over TCP too" grep -q 'query\[A\] big.test from 127\.0\.0\.1' "$T_TMP/dnsmasq.log"
	out=$(ns resq big.test)
	check "res_query of the long answer: 40 records ($out)" has "$out" 'resq [0-9]* 40$'
fi
check "the nameserver saw the queries from the endpoint's address, 127.0.0.1" \
	grep -q "query\[A\] one.graft.test from 127\.0\.0\.1" "$T_TMP/dnsmasq.log"

# --- "dns EP": the nameserver only exists on the host side -------------------
conf "dns ep-dns" verbose
: >"$T_TMP/err"
out=$(ns gai one.graft.test)
check "dns line: getaddrinfo answers, with no egress rule ($out)" [ "$out" = "gai 1 192.0.2.81" ]
check "  the verbose line says dns ($(head -1 "$T_TMP/err"))" \
	grep -q "^graft: dns -> ep-dns: fd [0-9]* grafted" "$T_TMP/err"
out=$(ns ghbn one.graft.test)
check "dns line: gethostbyname answers ($out)" [ "$out" = "ghbn 1 192.0.2.81" ]
# the dns line wins over the rules: "dns local" keeps queries here
conf "egress $NSIP/32 ep-dns" "dns local"
r0=$(requests)
out=$(ns gai one.graft.test)
check "dns local over a covering egress rule: stays in the namespace, fails ($out)" has "$out" 'gai-error -3 '
check "  no graftd request ($(requests) - $r0)" [ "$(requests)" = "$r0" ]
# an endpoint graftd does not give this namespace: refused, said, no answer
conf "dns ep-other" verbose
: >"$T_TMP/err"
out=$(ns gai one.graft.test)
check "dns through an endpoint not in graftd's table: fails ($out)" has "$out" 'gai-error '
check "  and says why ($(head -1 "$T_TMP/err"))" grep -q "^graft: dns -> ep-other: graftd refused" "$T_TMP/err"

# --- IPv6: a resolv.conf naming ::1 and an IPv4 nameserver ---------------------
# musl then asks all of them from one AF_INET6 socket (IPv4 ones
# v4-mapped): an ipv6 endpoint bound to :: carries both
if dnsmasq -k -u root -C /dev/null --no-resolv --no-hosts --bind-interfaces \
	--listen-address=::1 -p 53 --log-facility=- --log-queries --local=/test/ \
	--host-record=one.graft.test,192.0.2.81 --test >/dev/null 2>&1 &&
   ! ss -Hlun 'src = [::1]:53' | grep -q .; then
	bg dnsmasq -k -u root -C /dev/null --no-resolv --no-hosts --bind-interfaces \
		--listen-address=::1 -p 53 --log-facility=- --log-queries --local=/test/ \
		--host-record=one.graft.test,192.0.2.81 >"$T_TMP/dnsmasq6.log" 2>&1
	wait_for grep -q 'started, version' "$T_TMP/dnsmasq6.log"
	graftctl add ep-dns6 type ipv6 addr :: port dynamic netns "$NS" >/dev/null
	printf 'nameserver ::1\nnameserver %s\noptions timeout:1 attempts:1\n' "$NSIP" >"/etc/netns/$NS/resolv.conf"
	conf "dns ep-dns6"
	q4=$(grep -c 'query\[A\] one.graft.test from 127.0.0.1' "$T_TMP/dnsmasq.log")
	out=$(ns gai one.graft.test)
	check "::1 and an IPv4 nameserver, dns through an ipv6 endpoint: answered ($out)" [ "$out" = "gai 1 192.0.2.81" ]
	check "  both were asked: ::1 from the host's ::1, the IPv4 one v4-mapped on the same socket" \
		sh -c "grep -q 'query\[A\] one.graft.test from ::1' '$T_TMP/dnsmasq6.log' &&
			[ \$(grep -c 'query\[A\] one.graft.test from 127.0.0.1' '$T_TMP/dnsmasq.log') -gt $q4 ]"
	printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$NSIP" >"/etc/netns/$NS/resolv.conf"
else
	skip "IPv6 nameserver (something else has [::1]:53, or no IPv6)"
fi

# --- the program's own sockets are not the resolver's --------------------------
# a "dns" line alone grafts nothing of the program's: its TCP connect to
# the nameserver's address stays in the namespace, where nothing listens
# (grafted, it would reach dnsmasq's TCP port on the host)
conf "dns ep-dns"
r0=$(requests)
out=$(in_ns "$NET" connect "$NSIP" 53 2>/dev/null)
check "dns line: the program's own connect to that address is not grafted ($out)" \
	[ "$(requests)" = "$r0" -a "$out" = "errno 111" ]
conf "egress $NSIP/32 ep-dns"
out=$(in_ns "$NET" connect "$NSIP" 53 2>/dev/null)
check "  (the control: with an egress rule it is, and reaches dnsmasq: $out)" [ "$out" = ok ]
t_done
