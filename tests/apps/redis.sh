#!/bin/sh
# redis.sh - redis, built from Debian's source with CC=graft-cc, BUILD_TLS=yes
# against the sysroot's OpenSSL (graft-deps) and no source change, serves a
# plain and a TLS port from a network namespace that has only lo.  On the
# host, the graft-cc-built redis-cli and redis-benchmark (plain musl
# programs there: no graft.conf) and the host's openssl are its clients; the
# certificates are made by the test.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
app_setup redis redis
REDIS=$APP_BIN/redis-server CLI=$APP_BIN/redis-cli BENCH=$APP_BIN/redis-benchmark

for p in "$REDIS" "$CLI" "$BENCH"; do
	check "redis: ${p##*/} is a static executable built with graft-cc" is_static "$p"
done
# the version the default provider reports is the sysroot's OpenSSL's
# (graft-cc never links the host's libssl, whatever its version)
ver=$(sed -n 's/^# *define OPENSSL_VERSION_STR "\(.*\)"$/\1/p' \
	"$("$GRAFT_CC" -print-sysroot)/include/openssl/opensslv.h")
check "redis: linked with the sysroot's OpenSSL ${ver:-(none)} (graft-deps)" \
	eval '[ -n "$ver" ] && strings "$REDIS" | grep -qxF "$ver"'
mk_netns NS || { fail "redis: creating a namespace"; exit 1; }
check "redis: the namespace has only lo" only_lo "$NS"

# A CA, a server certificate it signs (for 127.0.0.1), and a second CA.
P=$T_TMP/redis
mkdir -p "$P"
mk_certs "$P" 2>"$T_TMP/certs.err" || { fail "redis: making certificates: $(cat "$T_TMP/certs.err")"; t_done; }

cat > "$P/redis.conf" <<EOF2
bind 0.0.0.0
port 6379
tls-port 6380
tls-cert-file $P/server.crt
tls-key-file $P/server.key
tls-ca-cert-file $P/ca.crt
tls-auth-clients no
daemonize no
save ""
appendonly no
dir $P
EOF2
graftctl add ep-redis type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-tls type ipv4 addr 127.0.0.1 port "$P2" netns "$NS" >/dev/null
conf_file "$T_TMP/graft.conf" "ingress 0.0.0.0:6379 ep-redis" "ingress 0.0.0.0:6380 ep-tls"

bg_ns "$NS" "$T_TMP/graft.conf" env GRAFT_VERBOSE=1 "$REDIS" "$P/redis.conf" \
	>"$T_TMP/redis.log" 2>&1
REDIS_PID=$!
if ! wait_tcp 127.0.0.1 "$P1" || ! wait_tcp 127.0.0.1 "$P2"; then
	fail "redis did not start: $(cat "$T_TMP/redis.log")"; t_done
fi
check "redis: port 6379 was grafted onto the host's 127.0.0.1:$P1" \
	grep -q "^graft: ingress 0.0.0.0:6379 -> ep-redis: fd [0-9]* grafted, host socket at 127.0.0.1:$P1\$" "$T_TMP/redis.log"
check "redis: tls-port 6380 was grafted onto the host's 127.0.0.1:$P2" \
	grep -q "^graft: ingress 0.0.0.0:6380 -> ep-tls: fd [0-9]* grafted, host socket at 127.0.0.1:$P2\$" "$T_TMP/redis.log"

# The clients run on the host as plain musl programs: no graft.conf.
cli() { (unset GRAFT_CONF; exec timeout 10 "$CLI" -h 127.0.0.1 "$@"); }
tls() { cli -p "$P2" --tls --cacert "$P/ca.crt" "$@"; }

out=$(cli -p "$P1" PING 2>&1)
check "redis: PING on the plain port ($out)" [ "$out" = PONG ]
out=$(tls SET greeting "hello from redis in a namespace with only lo" 2>&1)
check "redis-cli --tls: SET ($out)" [ "$out" = OK ]
out=$(tls GET greeting 2>&1)
check "redis-cli --tls: GET ($out)" [ "$out" = "hello from redis in a namespace with only lo" ]
tls SET counter 41 >/dev/null 2>&1
out=$(tls INCR counter 2>&1)
check "redis-cli --tls: INCR ($out)" [ "$out" = 42 ]
out=$(cli -p "$P1" GET counter 2>&1)
check "redis: the plain port sees the same data ($out)" [ "$out" = 42 ]
out=$(tls CLIENT INFO 2>&1)
check "redis: the client's own address (the socket is the host's): $(echo "$out" | grep -o 'addr=[^ ]*' | head -1)" \
	eval 'echo "$out" | grep -q "^id=.* addr=127\.0\.0\.1:[0-9]* "'

# The host's openssl negotiates TLS 1.3 and verifies the chain.
echo QUIT | timeout 10 openssl s_client -connect "127.0.0.1:$P2" -CAfile "$P/ca.crt" \
	-verify_return_error -servername localhost >"$T_TMP/s_client.out" 2>&1
check "redis: the host's openssl s_client verifies the certificate, TLS 1.3 ($(grep -o 'TLSv1\.[0-9]' "$T_TMP/s_client.out" | head -1))" \
	eval 'grep -q "Verify return code: 0 (ok)" "$T_TMP/s_client.out" && grep -q "TLSv1\.3" "$T_TMP/s_client.out"'

# Refusals: a CA that did not sign the server's certificate; plain text on
# the TLS port.
out=$(cli -p "$P2" --tls --cacert "$P/other-ca.crt" PING 2>&1)
rc=$?
check "redis-cli --tls with a wrong CA is refused (exit $rc: $(echo "$out" | head -1))" \
	eval '[ $rc -ne 0 ] && echo "$out" | grep -qi "certificate verify failed" && ! echo "$out" | grep -q PONG'
out=$(cli -p "$P2" PING 2>&1)
check "redis: plain text on the TLS port gets no answer ($(echo "$out" | head -1))" \
	eval '! echo "$out" | grep -q PONG'

# A bounded load over TLS: 2000 requests each of SET, GET, INCR, 8 clients.
(unset GRAFT_CONF; exec timeout 60 "$BENCH" -h 127.0.0.1 -p "$P2" --tls --cacert "$P/ca.crt" \
	-n 2000 -c 8 -t set,get,incr --csv) >"$T_TMP/bench.out" 2>&1
rc=$?
rows=$(grep -cE '^"(SET|GET|INCR)","[0-9.]+"' "$T_TMP/bench.out")
if [ $rc -eq 0 ] && [ "$rows" = 3 ] && ! grep -qiE 'error|refused|reset' "$T_TMP/bench.out"; then
	pass "redis-benchmark --tls -n 2000 -c 8: $(grep -E '^"(SET|GET|INCR)"' "$T_TMP/bench.out" |
		awk -F'"' '{ printf "%s%s %d/s", s, $2, $4; s = ", " }'), no error"
else
	fail "redis-benchmark --tls (exit $rc): $(tr '\n' ' ' < "$T_TMP/bench.out" | head -c 600)"
fi
out=$(cli -p "$P1" INFO stats 2>&1 | tr -d '\r' | sed -n 's/^total_connections_received://p')
check "redis: INFO stats counts the benchmark's connections (total_connections_received: $out)" \
	[ "${out:-0}" -ge 8 ]

out=$(cli -p "$P1" SHUTDOWN NOSAVE 2>&1)
i=0; while kill -0 "$REDIS_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "redis: SHUTDOWN NOSAVE stops the server" eval '! kill -0 "$REDIS_PID" 2>/dev/null'
t_done
