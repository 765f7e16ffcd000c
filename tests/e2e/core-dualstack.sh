#!/bin/sh
# core-dualstack.sh - one rule for a port whatever wildcard the program
# binds: "ingress *:P EP" with an ipv6 endpoint at :: (issue 15, part 4).
# graftd runs in a lo-only namespace H of its own that plays the host, so
# its [::] sockets face nothing outside the test; the program runs in NS.
#   1. busybox nc -l's listener (AF_INET6, IPV6_V6ONLY untouched, [::]):
#      one dual-stack host socket, reached over 127.0.0.1 and ::1;
#   2. IPV6_V6ONLY=1 on [::]: IPv6 only, IPv4 refused;
#   3. 0.0.0.0 under the same rule: an IPv4 host socket;
#   4. nginx's "listen P; listen [::]:P" pair: both grafted, each with its
#      own view;
#   5. the converter's variable takes "*:P=EP" too;
#   6. a [::] bind with only an 0.0.0.0 rule stays local, and "verbose"
#      names the "*" rule that would take it;
#   7. graftd alone: a :: endpoint answers an AF_INET request with an
#      AF_INET socket at 0.0.0.0, and counts its ports in that family.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
need_netns core-dualstack
if [ ! -x "$GRAFT_CC" ]; then skip "core-dualstack (graft-cc not built: $GRAFT_CC)"; exit 0; fi
if [ ! -x "$GRAFT_BIN/graftd" ]; then skip "core-dualstack (graftd not built in $GRAFT_BIN)"; exit 0; fi
REQ=$GRAFT_BUILD/tests/graft-request
[ -x "$REQ" ] || { fail "core-dualstack: graft-request not built"; t_done; }
NET=$(test_app core_net) || { fail "building core_net with graft-cc"; t_done; }
DN=$(test_app dual_net) || { fail "building dual_net with graft-cc"; t_done; }
mk_netns H && mk_netns NS || { fail "core-dualstack: making namespaces"; t_done; }
if ! ip -n "$H" -6 addr show dev lo 2>/dev/null | grep -q '::1/128'; then
	skip "core-dualstack (no IPv6 on a new namespace's loopback: net.ipv6.conf.default.disable_ipv6?)"
	t_done
fi

# a host whose sockets are v6-only by default: graftd's [::] socket is
# dual-stack all the same unless the program asks IPV6_V6ONLY
ip netns exec "$H" sysctl -qw net.ipv6.bindv6only=1 ||
	{ fail "core-dualstack: setting H's net.ipv6.bindv6only"; t_done; }

# fixed ports in H, which holds nothing else; one endpoint per case, so
# that no TIME_WAIT of an earlier case holds a later one's port
cat >"$T_TMP/graftd.conf" <<EOF
netns-max-ports 1
endpoint ep1 type ipv6 addr :: port 18081 netns $NS
endpoint ep2 type ipv6 addr :: port 18082 netns $NS
endpoint ep3 type ipv6 addr :: port 18083 netns $NS
endpoint ep4 type ipv6 addr :: port 18084 netns $NS
endpoint ep5 type ipv6 addr :: port 18085 netns $NS
endpoint ep6 type ipv6 addr :: port 18086 netns $NS
endpoint dyn type ipv6 addr :: port dynamic netns $NS
EOF
GRAFTD_SOCK=$T_TMP/run/graftd.sock GRAFTD_CTL=$T_TMP/ctl/graftd.ctl
bg ip netns exec "$H" "$GRAFT_BIN/graftd" -d -s "$GRAFTD_SOCK" \
    -c "$GRAFTD_CTL" -f "$T_TMP/graftd.conf" 2>"$T_TMP/graftd.log"
wait_for test -S "$GRAFTD_CTL" ||
	{ fail "graftd starts: $(tail -3 "$T_TMP/graftd.log")"; t_done; }
CONF=$T_TMP/graft.conf

# host ADDR PORT: a plain client in H: "...reply=hello from dual_net" or
# "errno 111" (refused)
host() { ip netns exec "$H" env GRAFT=off "$NET" client-tcp "$1" "$2" 2>/dev/null; }
# serve OUT ARGS...: dual_net in NS, waited for
serve() {
	_o=$T_TMP/$1; shift
	bg in_ns "$DN" "$@" >"$_o" 2>"$_o.err"
	ready "$_o" || { fail "dual_net $* did not start: $(cat "$_o" "$_o.err")"; return 1; }
}
reached() { has "$1" '.*reply=hello from dual_net'; }
refused() { [ "$1" = "errno 111" ]; }

# 1. busybox nc -l -p 8080: [::], V6ONLY left alone
conf "ingress *:8080 ep1"
if serve s1 serve :: 8080 - 2; then
	check "[::] bind (V6ONLY untouched) under *:8080: the program sees [::]:8080 ($(head -1 "$T_TMP/s1"))" \
		grep -qx 'ready \[::\]:8080' "$T_TMP/s1"
	out=$(host 127.0.0.1 18081)
	check "[::] dual-stack: the host reaches it over 127.0.0.1 ($out)" reached "$out"
	out=$(host ::1 18081)
	check "[::] dual-stack: the host reaches it over ::1 ($out)" reached "$out"
	wait_for grep -c accepted "$T_TMP/s1" >/dev/null
	check "[::] dual-stack: the IPv4 client is v4-mapped, as on a host ($(grep accepted "$T_TMP/s1" | tr '\n' ' '))" \
		grep -q 'accepted local=\[::ffff:127.0.0.1\]:8080 peer=\[::ffff:127.0.0.1\]:' "$T_TMP/s1"
	check "[::] dual-stack: the IPv6 client is ::1" \
		grep -q 'accepted local=\[::1\]:8080 peer=\[::1\]:' "$T_TMP/s1"
fi

# 2. IPV6_V6ONLY=1: the host socket is v6-only
conf "ingress *:8080 ep2"
if serve s2 serve :: 8080 1 1; then
	out=$(host 127.0.0.1 18082)
	check "[::] with IPV6_V6ONLY=1: IPv4 is refused ($out)" refused "$out"
	out=$(host ::1 18082)
	check "[::] with IPV6_V6ONLY=1: IPv6 reaches it ($out)" reached "$out"
fi

# 3. 0.0.0.0 under the same rule: an IPv4 host socket
conf "ingress *:8080 ep3"
if serve s3 serve 0.0.0.0 8080 - 1; then
	check "0.0.0.0 bind under *:8080: the program sees 0.0.0.0:8080 ($(head -1 "$T_TMP/s3"))" \
		grep -qx 'ready 0.0.0.0:8080' "$T_TMP/s3"
	out=$(host ::1 18083)
	check "0.0.0.0 bind: an IPv4 host socket, IPv6 refused ($out)" refused "$out"
	out=$(host 127.0.0.1 18083)
	check "0.0.0.0 bind: IPv4 reaches it ($out)" reached "$out"
	wait_for grep -q accepted "$T_TMP/s3"
	check "0.0.0.0 bind: accept() gives the program IPv4 addresses ($(grep accepted "$T_TMP/s3"))" \
		grep -q 'accepted local=127.0.0.1:8080 peer=127.0.0.1:' "$T_TMP/s3"
fi

# 4. nginx: listen 8080; listen [::]:8080 (ipv6only=on)
conf "ingress *:8080 ep4"
if serve s4 pair 8080 2; then
	check "nginx pair: both grafted, no EADDRINUSE, each its own view ($(head -1 "$T_TMP/s4"))" \
		grep -qx 'ready 0.0.0.0:8080 \[::\]:8080' "$T_TMP/s4"
	out=$(host 127.0.0.1 18084)
	check "nginx pair: IPv4 reaches the 0.0.0.0 listener ($out)" reached "$out"
	out=$(host ::1 18084)
	check "nginx pair: IPv6 reaches the [::] listener ($out)" reached "$out"
	wait_for sh -c "[ \$(grep -c accepted '$T_TMP/s4') -eq 2 ]"
	check "nginx pair: the IPv4 client came to the 0.0.0.0 listener ($(grep accepted "$T_TMP/s4" | tr '\n' ' '))" \
		grep -q 'accepted fam=4 local=127.0.0.1:8080 peer=127.0.0.1:' "$T_TMP/s4"
	check "nginx pair: the IPv6 client to the [::] one" \
		grep -q 'accepted fam=6 local=\[::1\]:8080 peer=\[::1\]:' "$T_TMP/s4"
else
	fail "nginx pair: $(cat "$T_TMP/s4" "$T_TMP/s4.err")"
fi

# 5. the converter's variable
bg ip netns exec "$NS" env GRAFT_CONF=/dev/null GRAFT_BROKER="$GRAFTD_SOCK" \
	GRAFT_INGRESS_CONVERT="*:8080=ep6" "$DN" serve :: 8080 - 2 >"$T_TMP/s5" 2>&1
if ready "$T_TMP/s5"; then
	out=$(host 127.0.0.1 18086)
	check "GRAFT_INGRESS_CONVERT=*:8080=ep6: IPv4 reaches [::] ($out)" reached "$out"
	out=$(host ::1 18086)
	check "GRAFT_INGRESS_CONVERT=*:8080=ep6: IPv6 too ($out)" reached "$out"
else
	fail "GRAFT_INGRESS_CONVERT=*:8080: $(cat "$T_TMP/s5")"
fi

# 6. only an 0.0.0.0 rule: a [::] bind stays local and says what to write
conf "ingress 0.0.0.0:8080 ep5" verbose
if serve s6 serve :: 8080 - 1; then
	line='graft: bind [::]:8080 kept local: ingress 0.0.0.0:8080 -> ep5 is IPv4 only; ingress *:8080 -> ep5 takes both'
	check "[::] with only an 0.0.0.0 rule: verbose names the * rule ($(grep '^graft:' "$T_TMP/s6.err"))" \
		grep -qxF "$line" "$T_TMP/s6.err"
	out=$(host 127.0.0.1 18085)
	check "[::] with only an 0.0.0.0 rule: not on the host ($out)" refused "$out"
	out=$(in_ns env GRAFT=off "$NET" client-tcp ::1 8080 2>&1)
	check "[::] with only an 0.0.0.0 rule: listening in the namespace ($out)" reached "$out"
fi

# 7. graftd alone (graft-request, no libc): family and port accounting
req() { ip netns exec "$NS" "$REQ" -s "$GRAFTD_SOCK" "$@" 2>&1; }
out=$(req -t stream -f inet -i dyn)
check "graftd: a :: endpoint gives an AF_INET request 0.0.0.0 ($out)" \
	has "$out" 'granted family=inet addr=0\.0\.0\.0:[1-9]'
out=$(req -t stream -f inet6 -i dyn)
check "graftd: and an AF_INET6 request [::] ($out)" \
	has "$out" 'granted family=inet6 addr=\[::\]:[1-9]'
# netns-max-ports 1: a kept AF_INET datagram socket of the :: endpoint
# holds the table's one port; the check that a second request makes
# finds it alive only by asking about the family it really has
out=$(req -t dgram -f inet -i -k dyn dyn)
check "graftd: a :: endpoint's AF_INET socket counts against netns-max-ports ($(echo $out))" \
	has "$(echo $out)" 'granted family=inet addr=0\.0\.0\.0:[1-9][0-9]* refused errno=EAGAIN reason=13'
t_done
