#!/bin/sh
# haproxy.sh - haproxy, built from Debian's source with CC=graft-cc and no
# source change (no OpenSSL, PCRE, zlib or Lua), serves HTTP from a network
# namespace that has only lo, and reloads seamlessly (-x): the new process
# takes the old one's listener over the stats socket (SCM_RIGHTS) and
# finds it by getsockname() against its "bind :8080" -- the address view
# (graft.conf "view", docs/core.md).  Under a bounded load from the host
# during the reload: no new graft and no failed request.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
app_setup haproxy haproxy
HAPROXY=$APP_BIN/haproxy

check "haproxy: a static executable built with graft-cc" is_static "$HAPROXY"
mk_netns NS || { fail "haproxy: creating a namespace"; exit 1; }
check "haproxy: the namespace has only lo" only_lo "$NS"

P=$T_TMP/haproxy
mkdir -p "$P"
cat > "$P/haproxy.cfg" <<EOF2
global
    stats socket $P/admin.sock mode 600 level admin expose-fd listeners
    nbthread 2
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind :8080
    http-request return status 200 content-type text/plain string "hello from haproxy"
EOF2
graftctl add ep-http type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
conf_file "$T_TMP/graft.conf" "ingress 0.0.0.0:8080 ep-http"
URL=http://127.0.0.1:$P1

# -db: in the foreground; -sf: the old process stops once the new one runs
bg_ns "$NS" "$T_TMP/graft.conf" env GRAFT_VERBOSE=1 "$HAPROXY" -db -f "$P/haproxy.cfg" \
	>"$T_TMP/old.log" 2>&1
OLD=$!
if ! wait_tcp 127.0.0.1 "$P1" || ! wait_for [ -S "$P/admin.sock" ]; then
	fail "haproxy did not start: $(cat "$T_TMP/old.log")"; t_done
fi
check "haproxy: bind :8080 was grafted onto the host's 127.0.0.1:$P1" \
	grep -q "^graft: ingress 0.0.0.0:8080 -> ep-http: fd [0-9]* grafted, host socket at 127.0.0.1:$P1\$" "$T_TMP/old.log"
out=$(curl -sS --max-time 5 "$URL/" 2>&1)
check "haproxy: curl from the host ($out)" [ "$out" = "hello from haproxy" ]

# A bounded load (3 s, one client after another) across the reload.
cat > "$T_TMP/load.py" <<'EOF2'
import socket, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
ok = bad = 0
end = time.monotonic() + secs
while time.monotonic() < end:
    try:
        s = socket.create_connection(("127.0.0.1", port), 2)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        r = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            r += b
        s.close()
        if r.split(b"\r\n", 1)[0].endswith(b" 200 OK") and r.endswith(b"hello from haproxy"):
            ok += 1
        else:
            bad += 1
            if bad == 1:
                print("first bad answer: %r" % r[:200], file=sys.stderr)
    except OSError as e:
        bad += 1
        if bad == 1:
            print("first error: %s" % e, file=sys.stderr)
print("ok=%d fail=%d" % (ok, bad))
EOF2
g0=$(grants ep-http)
python3 "$T_TMP/load.py" "$P1" 3 >"$T_TMP/load.out" 2>&1 &
LOAD=$!
sleep 1
bg_ns "$NS" "$T_TMP/graft.conf" env GRAFT_VERBOSE=1 "$HAPROXY" -db -f "$P/haproxy.cfg" \
	-x "$P/admin.sock" -sf "$OLD" \
	>"$T_TMP/new.log" 2>&1
NEW=$!
wait "$LOAD"
i=0; while kill -0 "$OLD" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "haproxy -x: the old process stopped" eval '! kill -0 "$OLD" 2>/dev/null'
check "haproxy -x: the new process runs" kill -0 "$NEW"
check "haproxy -x: the new process reused the listener: no graft of its own" \
	eval '! grep -q "^graft: .*grafted" "$T_TMP/new.log"'
check "haproxy -x: graftd granted nothing new (ep-http grants: $g0 -> $(grants ep-http))" \
	[ "$(grants ep-http)" = "$g0" ]
l=$(cat "$T_TMP/load.out")
check "haproxy -x: no failed request during the reload ($l)" \
	eval 'expr "$l" : "ok=[1-9][0-9]* fail=0\$" >/dev/null'
out=$(curl -sS --max-time 5 "$URL/" 2>&1)
check "haproxy -x: the new process serves ($out)" [ "$out" = "hello from haproxy" ]
kill_wait "$NEW"
t_done
