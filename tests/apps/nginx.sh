#!/bin/sh
# nginx.sh - nginx, built from Debian's source with CC=graft-cc and no
# source change (ssl, http_v2, gzip with zlib, rewrite and regex locations
# with PCRE2: OpenSSL, zlib and PCRE2 from graft's sysroot), serves HTTP and
# HTTPS from a network namespace that has only lo: master and workers as
# usual, the workers as nobody.  curl and wrk on the host are its clients.
# proxy_pass to a host backend by address, and by name: nginx resolves it
# at start through a nameserver on the host (dnsmasq) that the namespace
# reaches only by graft.conf's "dns" line (issue 16).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null ||
	{ skip "nginx (no openssl command for its certificate: tests/apps/deps.sh installs it)"; exit 0; }
app_setup nginx nginx
NGINX=$APP_BIN/nginx

check "nginx: a static executable built with graft-cc" is_static "$NGINX"
mk_netns NS || { fail "nginx: creating a namespace"; exit 1; }
check "nginx: the namespace has only lo" only_lo "$NS"

# The workers run as nobody: they must reach the files and graftd's socket.
chmod 755 "$T_TMP"

# A nameserver on the host's loopback at $NSIP:53; the namespace's
# resolv.conf (ip netns exec bind-mounts /etc/netns/NS/resolv.conf) names
# the same address, its own loopback inside, where nothing answers.
command -v dnsmasq >/dev/null || { fail "nginx: dnsmasq is missing (./configure installs dnsmasq-base)"; t_done; }
NSIP=127.77.$((P1 % 250)).54
mkdir -p "/etc/netns/$NS"
trap 'rm -rf "/etc/netns/$NS"; t_cleanup' EXIT
printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$NSIP" >"/etc/netns/$NS/resolv.conf"
bg dnsmasq -k -u root -C /dev/null --no-resolv --no-hosts --bind-interfaces \
	--listen-address="$NSIP" -p 53 --log-facility=- --log-queries --local=/test/ \
	--host-record=backend.graft.test,127.0.0.2 >"$T_TMP/dnsmasq.log" 2>&1
wait_log "$T_TMP/dnsmasq.log" 'started, version' ||
	{ fail "nginx: dnsmasq starts on $NSIP:53: $(tail -3 "$T_TMP/dnsmasq.log")"; t_done; }
P=$T_TMP/nginx
mkdir -p "$P/logs" "$P/html/new" "$P/backend" "$P/tls"
echo "hello from nginx in a namespace with only lo" > "$P/html/index.html"
head -c 1048576 /dev/urandom > "$P/html/blob.bin"
echo "the new a.txt" > "$P/html/new/a.txt"
# 64 KiB of text, for gzip
awk 'BEGIN { for (i = 0; i < 1024; i++) printf "line %5d of a text file nginx sends gzip-encoded\n", i }' \
	> "$P/html/text.txt"
echo "from the backend on the host" > "$P/backend/b.txt"
chmod -R a+rX "$P"
# A certificate for 127.0.0.1 (EC P-256), made by the host's openssl; the
# master reads the key before the workers drop to nobody.
if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	-keyout "$P/tls/key.pem" -out "$P/tls/cert.pem" >"$T_TMP/openssl.log" 2>&1; then
	fail "nginx: openssl req: $(cat "$T_TMP/openssl.log")"; t_done
fi
chmod 600 "$P/tls/key.pem"
# The same rules in both servers: a regex rewrite (relative redirects: the
# port nginx knows is 8080, not the host's; as behind any port mapping) and
# regex locations.
# shellcheck disable=SC2016 # nginx variables
RULES='
        absolute_redirect off;
        rewrite ^/old/(.*)$ /new/$1 permanent;
        location ~ \.txt$ { add_header X-Regex-Location txt; }
        location ~ ^/n/([0-9]+)$ { return 200 "number $1\n"; }'
cat > "$P/nginx.conf" <<EOF2
daemon off;
master_process on;
worker_processes 2;
user nobody nogroup;
error_log stderr notice;
pid $P/nginx.pid;
pcre_jit on;
events { worker_connections 512; }
http {
    access_log $P/logs/access.log;
    sendfile on;
    types { text/html html; text/plain txt; }
    default_type application/octet-stream;
    gzip on;
    gzip_types text/plain;
    server {
        listen 8080;
        root $P/html;
        # ^~: the regex locations below must not take /up/b.txt
        location ^~ /up/ {
            proxy_pass http://127.0.0.2:$P2/;
            proxy_connect_timeout 2s;
        }
        # the name is resolved when nginx reads this file
        location ^~ /byname/ {
            proxy_pass http://backend.graft.test:$P2/;
            proxy_connect_timeout 2s;
        }
$RULES
    }
    server {
        listen 8443 ssl http2;
        root $P/html;
        ssl_certificate $P/tls/cert.pem;
        ssl_certificate_key $P/tls/key.pem;
        # 1.22's default lacks TLSv1.3 (added to it in 1.23.4)
        ssl_protocols TLSv1.2 TLSv1.3;
$RULES
    }
}
EOF2
graftctl add ep-http type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-https type ipv4 addr 127.0.0.1 port "$P3" netns "$NS" >/dev/null
graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$NS" >/dev/null
conf_file "$T_TMP/graft.conf" "ingress 0.0.0.0:8080 ep-http" "ingress 0.0.0.0:8443 ep-https" \
	"egress 127.0.0.2/32 ep-out" "dns ep-out"
URL=http://127.0.0.1:$P1
SURL=https://127.0.0.1:$P3
CA="--cacert $P/tls/cert.pem"

bg_ns "$NS" "$T_TMP/graft.conf" env GRAFT_VERBOSE=1 "$NGINX" -p "$P" -c "$P/nginx.conf" \
	>"$T_TMP/nginx.log" 2>&1
NGINX_PID=$!
if ! wait_tcp 127.0.0.1 "$P1" || ! wait_tcp 127.0.0.1 "$P3" ||
	! wait_log "$T_TMP/nginx.log" 'start worker process'; then
	fail "nginx did not start: $(cat "$T_TMP/nginx.log")"; t_done
fi
check "nginx: listen 8080 was grafted onto the host's 127.0.0.1:$P1" \
	grep -q "^graft: ingress 0.0.0.0:8080 -> ep-http: fd [0-9]* grafted, host socket at 127.0.0.1:$P1\$" "$T_TMP/nginx.log"
check "nginx: listen 8443 ssl was grafted onto the host's 127.0.0.1:$P3" \
	grep -q "^graft: ingress 0.0.0.0:8443 -> ep-https: fd [0-9]* grafted, host socket at 127.0.0.1:$P3\$" "$T_TMP/nginx.log"

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

# --- HTTPS: TLS 1.3 with the test's certificate, HTTP/2 by ALPN ----------------
# shellcheck disable=SC2086
out=$(curl -sS -v --max-time 5 $CA --tlsv1.3 -w 'verify=%{ssl_verify_result} http=%{http_version}' \
	-o "$T_TMP/tls.body" "$SURL/" 2>"$T_TMP/tls.err")
check "nginx: curl --tlsv1.3 from the host gets index.html over HTTPS, the certificate verified ($out)" \
	sh -c "[ '$out' = 'verify=0 http=2' ] && cmp -s '$T_TMP/tls.body' '$P/html/index.html'"
proto=$(sed -n 's/^\* SSL connection using \([^ ]*\).*/\1/p' "$T_TMP/tls.err")
check "nginx: the negotiated protocol is TLS 1.3 ($proto), HTTP/2 by ALPN" \
	sh -c "[ '$proto' = TLSv1.3 ] && grep -q '^\* ALPN: server accepted h2' '$T_TMP/tls.err'"
# shellcheck disable=SC2086
curl -sS --max-time 10 $CA --http1.1 -o "$T_TMP/blob.tls" "$SURL/blob.bin" 2>"$T_TMP/curl.err"
check "nginx: a 1 MiB file arrives intact over HTTPS (HTTP/1.1)" cmp -s "$P/html/blob.bin" "$T_TMP/blob.tls"
code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$SURL/" 2>&1)
check "nginx: a client that does not trust the certificate is refused ($code)" [ "$code" = 000 ]
check "nginx: the access log shows the HTTPS client's own address" \
	grep -q '^127\.0\.0\.1 - - .*"GET / HTTP/2.0" 200' "$P/logs/access.log"

# --- gzip (zlib) ---------------------------------------------------------------
for u in "$URL" "$SURL"; do
	# shellcheck disable=SC2086
	curl -sS --max-time 5 $CA -H 'Accept-Encoding: gzip' -D "$T_TMP/gz.hdr" -o "$T_TMP/gz.body" "$u/text.txt"
	sz=$(wc -c < "$T_TMP/gz.body")
	check "nginx: ${u%%:*}: Accept-Encoding: gzip gets Content-Encoding: gzip, $sz bytes for 64 KiB, that gunzip to the file" \
		sh -c "grep -qi '^content-encoding: gzip' '$T_TMP/gz.hdr' && [ $sz -lt 16384 ] &&
			gzip -dc '$T_TMP/gz.body' | cmp -s - '$P/html/text.txt'"
done
curl -sS --max-time 5 -D "$T_TMP/plain.hdr" -o "$T_TMP/plain.body" "$URL/text.txt"
check "nginx: without Accept-Encoding the file is sent as it is" \
	sh -c "! grep -qi '^content-encoding' '$T_TMP/plain.hdr' && cmp -s '$T_TMP/plain.body' '$P/html/text.txt'"

# --- rewrite and regex locations (PCRE2) -----------------------------------------
for u in "$URL" "$SURL"; do
	# shellcheck disable=SC2086
	out=$(curl -s --max-time 5 $CA -o /dev/null -w '%{http_code} %header{location}' "$u/old/a.txt")
	check "nginx: ${u%%:*}: rewrite ^/old/(.*)\$ /new/\$1 permanent: /old/a.txt is a 301 to /new/a.txt ($out)" \
		[ "$out" = "301 /new/a.txt" ]
done
# shellcheck disable=SC2086
out=$(curl -sS -L --max-time 5 $CA -D "$T_TMP/rw.hdr" "$SURL/old/a.txt" 2>&1)
check "nginx: following the redirect gets /new/a.txt, from the regex location ~ \.txt\$ ($out)" \
	sh -c "[ '$out' = 'the new a.txt' ] && grep -qi '^x-regex-location: txt' '$T_TMP/rw.hdr'"
curl -sS --max-time 5 -D "$T_TMP/idx.hdr" -o /dev/null "$URL/index.html"
check "nginx: index.html is not in the regex location" sh -c "! grep -qi '^x-regex-location' '$T_TMP/idx.hdr'"
out=$(curl -sS --max-time 5 "$URL/n/1234" 2>&1)
code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$URL/n/12a")
check "nginx: location ~ ^/n/([0-9]+)\$ captures ($out; /n/12a: $code)" \
	[ "$out/$code" = "number 1234/404" ]
# pcre_jit on: nginx warns when PCRE2 has no JIT, and the JIT's code lives
# in an executable anonymous mapping of the master, which compiled the
# regexes at startup.
check "nginx: pcre_jit on: PCRE2 has a JIT, and the master holds JIT-compiled code" \
	sh -c "! grep -q 'JIT' '$T_TMP/nginx.log' && grep -q '^[0-9a-f-]* r[w-]xp 00000000 00:00 0 *\$' /proc/$NGINX_PID/maps"

# Bounded loads: 3 s, 32 connections over HTTP; 2 s, 16 over HTTPS.
if command -v wrk >/dev/null; then
	for w in "-t2 -c32 -d3s $URL/" "-t2 -c16 -d2s $SURL/"; do
		# shellcheck disable=SC2086
		wrk $w >"$T_TMP/wrk.out" 2>&1
		rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$T_TMP/wrk.out")
		n=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$T_TMP/wrk.out")
		if [ -n "$n" ] && [ "$n" -gt 0 ] && ! grep -qE 'Socket errors|Non-2xx' "$T_TMP/wrk.out"; then
			pass "nginx: wrk $w: $n requests, $rps requests/s, no error"
		else
			fail "nginx: wrk $w: $(tr '\n' ' ' < "$T_TMP/wrk.out")"
		fi
	done
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
# shellcheck disable=SC2086
out=$(curl -sS --max-time 5 $CA --tlsv1.3 "$SURL/" 2>&1)
check "nginx: after the reload HTTPS is served too ($out)" [ "$out" = "hello from nginx in a namespace with only lo" ]

# proxy_pass to a server on the host, through the egress rule.
(cd "$P/backend" && exec python3 -m http.server --bind 127.0.0.2 "$P2") >"$T_TMP/backend.log" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_tcp 127.0.0.2 "$P2"
out=$(curl -sS --max-time 8 "$URL/up/b.txt" 2>&1)
# nginx adds the upstream socket to epoll before connect(): the graft must
# register the host socket with that epoll set (musl-patches/0005).
check "nginx: proxy_pass to a host server through an egress rule ($out)" \
	[ "$out" = "from the backend on the host" ]
check "nginx: it resolved backend.graft.test at start through the dns line ($(grep '^graft: dns' "$T_TMP/nginx.log" | head -1))" \
	sh -c "grep -q '^graft: dns -> ep-out: fd [0-9]* grafted' '$T_TMP/nginx.log' && grep -q 'query\[A\] backend.graft.test' '$T_TMP/dnsmasq.log'"
out=$(curl -sS --max-time 8 "$URL/byname/b.txt" 2>&1)
check "nginx: proxy_pass http://backend.graft.test:$P2/ reaches the host backend ($out)" \
	[ "$out" = "from the backend on the host" ]

kill -QUIT "$(cat "$P/nginx.pid")" 2>/dev/null
i=0; while kill -0 "$NGINX_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "nginx: graceful stop (SIGQUIT)" eval '! kill -0 "$NGINX_PID" 2>/dev/null'
t_done
