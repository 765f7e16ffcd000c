#!/bin/sh
# core-options.sh - state carried over to the host socket (SO_REUSEPORT
# before bind), fork after grafting, and many threads grafting at once.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup core-options

graftctl add ep-http type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$NS" >/dev/null
conf "ingress 0.0.0.0:8080 ep-http" "egress $HOSTIP/32 ep-out"

# 1. SO_REUSEPORT set before bind: two grafted servers share the port
bg in_ns "$NET" serve-tcp 0.0.0.0 8080 1 reuseport >"$T_TMP/a" 2>&1
A=$!
ready "$T_TMP/a"
bg in_ns "$NET" serve-tcp 0.0.0.0 8080 1 reuseport >"$T_TMP/b" 2>&1
B=$!
if ready "$T_TMP/b"; then
	pass "SO_REUSEPORT: a second grafted server binds the same endpoint port"
	i=0
	while [ $i -lt 20 ] && { kill -0 $A 2>/dev/null || kill -0 $B 2>/dev/null; }; do
		on_host "$NET" client-tcp 127.0.0.1 "$P1" >/dev/null 2>&1
		i=$((i + 1))
	done
	check "SO_REUSEPORT: both servers answered" \
		sh -c "! kill -0 $A 2>/dev/null && ! kill -0 $B 2>/dev/null"
else
	fail "SO_REUSEPORT: second server: $(cat "$T_TMP/b")"
fi

# 2. fork after grafting: parent keeps its socket, child grafts its own
bg on_host "$NET" serve-tcp "$HOSTIP" "$P2" 2 >"$T_TMP/c" 2>&1
ready "$T_TMP/c"
out=$(in_ns "$NET" fork-client "$HOSTIP" "$P2" 2>&1)
check "fork after grafting works in parent and child ($out)" [ "$out" = "parent and child ok" ]

# 3. 8 threads grafting concurrently
bg on_host "$NET" serve-tcp "$HOSTIP" "$P3" 8 >"$T_TMP/d" 2>&1
S=$!
ready "$T_TMP/d"
out=$(in_ns "$NET" threads "$HOSTIP" "$P3" 8 2>&1)
wait_for sh -c "! kill -0 $S"
check "8 threads graft concurrently ($out)" sh -c "[ '$out' = 'threads ok 8' ] && ! kill -0 $S 2>/dev/null"
t_done
