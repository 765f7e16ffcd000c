#!/bin/sh
# nginx.sh - nginx, built from Debian's source with CC=graft-cc and no
# source change (a module set without pcre and zlib), serves files from a
# network namespace that has only lo: master and workers as usual, the
# workers as nobody.  curl and wrk on the host are its clients.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
app_setup nginx nginx
NGINX=$APP_BIN/nginx

check "nginx: a static executable built with graft-cc" is_static "$NGINX"
mk_netns NS || { fail "nginx: creating a namespace"; exit 1; }
check "nginx: the namespace has only lo" only_lo "$NS"

# The workers run as nobody: they must reach the files and graftd's socket.
chmod 755 "$T_TMP"
P=$T_TMP/nginx
mkdir -p "$P/logs" "$P/html" "$P/backend"
echo "hello from nginx in a namespace with only lo" > "$P/html/index.html"
head -c 1048576 /dev/urandom > "$P/html/blob.bin"
echo "from the backend on the host" > "$P/backend/b.txt"
chmod -R a+rX "$P"
cat > "$P/nginx.conf" <<EOF2
daemon off;
master_process on;
worker_processes 2;
user nobody nogroup;
error_log stderr notice;
pid $P/nginx.pid;
events { worker_connections 512; }
http {
    access_log $P/logs/access.log;
    sendfile on;
    default_type application/octet-stream;
    server {
        listen 8080;
        root $P/html;
        location /up/ {
            proxy_pass http://127.0.0.2:$P2/;
            proxy_connect_timeout 2s;
        }
    }
}
EOF2
graftctl add ep-http type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$NS" >/dev/null
conf_file "$T_TMP/graft.conf" "ingress 0.0.0.0:8080 ep-http" "egress 127.0.0.2/32 ep-out"
URL=http://127.0.0.1:$P1

bg_ns "$NS" "$T_TMP/graft.conf" env GRAFT_VERBOSE=1 "$NGINX" -p "$P" -c "$P/nginx.conf" \
	>"$T_TMP/nginx.log" 2>&1
NGINX_PID=$!
if ! wait_tcp 127.0.0.1 "$P1" || ! wait_log "$T_TMP/nginx.log" 'start worker process'; then
	fail "nginx did not start: $(cat "$T_TMP/nginx.log")"; t_done
fi
check "nginx: listen 8080 was grafted onto the host's 127.0.0.1:$P1" \
	grep -q "^graft: ingress 0.0.0.0:8080 -> ep-http: fd [0-9]* grafted, host socket at 127.0.0.1:$P1\$" "$T_TMP/nginx.log"

out=$(curl -sS --max-time 5 "$URL/" 2>&1)
check "nginx: curl from the host gets index.html ($out)" \
	[ "$out" = "hello from nginx in a namespace with only lo" ]
curl -sS --max-time 10 -o "$T_TMP/blob.out" "$URL/blob.bin" 2>"$T_TMP/curl.err"
check "nginx: a 1 MiB file arrives intact (sendfile on the host socket)" \
	cmp -s "$P/html/blob.bin" "$T_TMP/blob.out"
code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$URL/nothing-here")
check "nginx: a missing file is a 404 ($code)" [ "$code" = 404 ]
check "nginx: the access log shows the host client's own address" \
	grep -q '^127\.0\.0\.1 - - .*"GET / HTTP/1.1" 200' "$P/logs/access.log"

# A bounded load: 3 s, 32 connections.
if command -v wrk >/dev/null; then
	wrk -t2 -c32 -d3s "$URL/" >"$T_TMP/wrk.out" 2>&1
	rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$T_TMP/wrk.out")
	n=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$T_TMP/wrk.out")
	if [ -n "$n" ] && [ "$n" -gt 0 ] && ! grep -qE 'Socket errors|Non-2xx' "$T_TMP/wrk.out"; then
		pass "nginx: wrk -t2 -c32 -d3s: $n requests, $rps requests/s, no error"
	else
		fail "nginx: wrk: $(tr '\n' ' ' < "$T_TMP/wrk.out")"
	fi
else
	skip "nginx: wrk (not installed: tests/apps/deps.sh installs it)"
fi

# Reload (SIGHUP): new workers, the same grafted listening socket.
old=$(pgrep -P "$NGINX_PID" | sort | tr '\n' ' ')
kill -HUP "$(cat "$P/nginx.pid")"
wait_for sh -c "[ \"\$(pgrep -P $NGINX_PID | sort | tr '\n' ' ')\" != \"$old\" ] && ! pgrep -P $NGINX_PID -f 'shutting down' >/dev/null"
out=$(curl -sS --max-time 5 "$URL/" 2>&1)
check "nginx: after a reload (SIGHUP) new workers still serve ($out)" \
	[ "$out" = "hello from nginx in a namespace with only lo" ]

# proxy_pass to a server on the host, through the egress rule.
(cd "$P/backend" && exec python3 -m http.server --bind 127.0.0.2 "$P2") >"$T_TMP/backend.log" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_tcp 127.0.0.2 "$P2"
out=$(curl -sS --max-time 8 "$URL/up/b.txt" 2>&1)
# nginx adds the upstream socket to epoll before connect(): the graft must
# register the host socket with that epoll set (musl-patches/0005).
check "nginx: proxy_pass to a host server through an egress rule ($out)" \
	[ "$out" = "from the backend on the host" ]

kill -QUIT "$(cat "$P/nginx.pid")" 2>/dev/null
i=0; while kill -0 "$NGINX_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "nginx: graceful stop (SIGQUIT)" eval '! kill -0 "$NGINX_PID" 2>/dev/null'
t_done
