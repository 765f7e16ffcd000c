#!/bin/sh
# iperf3.sh - iperf3, built from Debian's source with CC=graft-cc and no
# source change, runs as a server in a network namespace that has only lo
# and as a client in another one; Debian's own iperf3 drives the server
# from the host and serves the grafted client.  Every check reads the
# client's JSON report (-J).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
app_setup iperf3 iperf3
IPERF=$APP_BIN/iperf3
SECS=2

check "iperf3: a static executable built with graft-cc" is_static "$IPERF"
if ! command -v iperf3 >/dev/null; then
	skip "iperf3 host side (Debian's iperf3 is not installed: tests/apps/deps.sh installs it)"; exit 0
fi

mk_netns NS1 && mk_netns NS2 || { fail "iperf3: creating namespaces"; exit 1; }
check "iperf3: the namespaces have only lo" eval 'only_lo "$NS1" && only_lo "$NS2"'

# The server binds [::]:5201 (dual stack): grafted onto the host's ::1,
# or 127.0.0.1 where the host has no IPv6 (then iperf3 -s -4).
if host_v6; then
	SADDR=::1 SFLAGS=
	graftctl add ep-iperf type ipv6 addr ::1 port "$P1" netns "$NS1" >/dev/null
	graftctl add ep-back type ipv6 addr :: port dynamic netns "$NS2" >/dev/null
	BACK="egress ::1/128 ep-back"
else
	SADDR=127.0.0.1 SFLAGS=-4
	graftctl add ep-iperf type ipv4 addr 127.0.0.1 port "$P1" netns "$NS1" >/dev/null
	graftctl add ep-back type ipv4 addr 0.0.0.0 port dynamic netns "$NS2" >/dev/null
	BACK="egress 127.0.0.1/32 ep-back"
fi
# The client's egress: 127.0.0.2 is the host's (its loopback range), where
# Debian's iperf3 listens; this /32 overrides the builtin "127/8 local".
graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$NS2" >/dev/null
conf_file "$T_TMP/server.conf" "ingress [::]:5201 ep-iperf" "ingress 0.0.0.0:5201 ep-iperf"
conf_file "$T_TMP/client.conf" "egress 127.0.0.2/32 ep-out" "$BACK"

bg_ns "$NS1" "$T_TMP/server.conf" env GRAFT_VERBOSE=1 "$IPERF" -s $SFLAGS >"$T_TMP/server.log" 2>&1
if ! wait_tcp "$SADDR" "$P1"; then
	fail "iperf3 server in the namespace did not start: $(cat "$T_TMP/server.log")"; t_done
fi
check "iperf3 server: its bind of port 5201 was grafted onto the host's $SADDR:$P1" \
	grep -q "^graft: ingress .*:5201 -> ep-iperf: fd [0-9]* grafted, host socket at \[*$SADDR\]*:$P1\$" "$T_TMP/server.log"

# run_client NAME OUT CMD...: runs an iperf3 client (-J), retrying once when
# the server is still busy with the previous test; fails unless its JSON
# report shows bytes received.
rate() { json "'%.2f Gbit/s' % (j['end']['$2']['bits_per_second'] / 1e9)" "$1"; }
run_client() {
	_n=$1 _o=$2; shift 2
	for _try in 1 2 3; do
		timeout 30 "$@" >"$_o" 2>"$_o.err"
		grep -q 'busy' "$_o" "$_o.err" 2>/dev/null || break
		sleep 1
	done
	_err=$(json "j.get('error', '')" "$_o")
	if [ -n "$_err" ] || ! [ "$(json "j['end']['sum_received']['bytes'] > 0" "$_o")" = True ]; then
		fail "$_n: ${_err:-no report} $(head -c 300 "$_o.err")"
		return 1
	fi
}

# 1. Debian's iperf3 on the host -> the grafted server
if run_client "iperf3 TCP, host client -> server in the namespace" "$T_TMP/c1.json" \
	iperf3 -c "$SADDR" -p "$P1" -t $SECS -J; then
	pass "iperf3 TCP, host client -> server in the namespace: $(rate "$T_TMP/c1.json" sum_received)"
fi
if run_client "iperf3 TCP reverse (-R), server in the namespace sends" "$T_TMP/c2.json" \
	iperf3 -c "$SADDR" -p "$P1" -t $SECS -R -J; then
	pass "iperf3 TCP reverse (-R), server in the namespace sends: $(rate "$T_TMP/c2.json" sum_received)"
fi
if run_client "iperf3 TCP, 4 parallel streams (-P 4)" "$T_TMP/c3.json" \
	iperf3 -c "$SADDR" -p "$P1" -t $SECS -P 4 -J; then
	n=$(json "len(j['end']['streams'])" "$T_TMP/c3.json")
	check "iperf3 TCP, 4 parallel streams (-P 4): $n streams, $(rate "$T_TMP/c3.json" sum_received)" [ "$n" = 4 ]
fi
timeout 30 iperf3 -c "$SADDR" -p "$P1" -t $SECS -u -b 20M -J >"$T_TMP/c4.json" 2>"$T_TMP/c4.err"
pk=$(json "j['end']['sum']['packets']" "$T_TMP/c4.json")
lost=$(json "j['end']['sum']['lost_packets']" "$T_TMP/c4.json")
if [ -n "$pk" ] && [ "$pk" -gt 0 ] && [ "$lost" -lt "$pk" ]; then
	pass "iperf3 UDP (-u -b 20M), host client -> server in the namespace: $pk datagrams, $lost lost"
else
	fail "iperf3 UDP, host client -> server in the namespace: $(json "j.get('error')" "$T_TMP/c4.json") $(head -c 300 "$T_TMP/c4.err")"
fi

# 2. the grafted client in the second namespace -> Debian's iperf3 on the host
bg iperf3 -s -B 127.0.0.2 -p "$P2" >"$T_TMP/hostsrv.log" 2>&1
wait_tcp 127.0.0.2 "$P2" || { fail "iperf3 server on the host did not start: $(cat "$T_TMP/hostsrv.log")"; t_done; }
g0=$(grants ep-out)
if run_client "iperf3 TCP, client in a namespace (egress rule) -> host server" "$T_TMP/c5.json" \
	ip netns exec "$NS2" env GRAFT_CONF="$T_TMP/client.conf" "$IPERF" -c 127.0.0.2 -p "$P2" -t $SECS -J; then
	g=$(( $(grants ep-out) - g0 ))
	check "iperf3 TCP, client in a namespace (egress rule) -> host server: $(rate "$T_TMP/c5.json" sum_received), $g host sockets from graftd" \
		[ "$g" -ge 2 ]
fi
if run_client "iperf3 TCP reverse, client in a namespace receives from the host" "$T_TMP/c6.json" \
	ip netns exec "$NS2" env GRAFT_CONF="$T_TMP/client.conf" "$IPERF" -c 127.0.0.2 -p "$P2" -t $SECS -R -J; then
	pass "iperf3 TCP reverse, client in a namespace receives from the host: $(rate "$T_TMP/c6.json" sum_received)"
fi
timeout 30 ip netns exec "$NS2" env GRAFT_CONF="$T_TMP/client.conf" "$IPERF" -c 127.0.0.2 -p "$P2" -t $SECS -u -b 20M -J \
	>"$T_TMP/c7.json" 2>"$T_TMP/c7.err"
pk=$(json "j['end']['sum']['packets']" "$T_TMP/c7.json")
if [ -n "$pk" ] && [ "$pk" -gt 0 ]; then
	pass "iperf3 UDP, client in a namespace -> host server: $pk datagrams"
else
	fail "iperf3 UDP, client in a namespace -> host server: $(json "j.get('error')" "$T_TMP/c7.json") $(head -c 300 "$T_TMP/c7.err")"
fi

# 3. both ends grafted: two lo-only namespaces meet on host sockets
if run_client "iperf3 TCP, namespace client -> namespace server" "$T_TMP/c8.json" \
	ip netns exec "$NS2" env GRAFT_CONF="$T_TMP/client.conf" "$IPERF" -c "$SADDR" -p "$P1" -t $SECS -J; then
	pass "iperf3 TCP, namespace client -> namespace server, both grafted: $(rate "$T_TMP/c8.json" sum_received)"
fi
t_done
