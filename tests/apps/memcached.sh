#!/bin/sh
# memcached.sh - memcached, built from Debian's source with CC=graft-cc and
# no source change or --with-libevent (it finds the sysroot's libevent by
# itself, OpenSSL through pkg-config: --enable-tls as Debian builds it),
# runs as nobody in a network namespace that has only lo, with a plain and
# a TLS listener grafted onto host ports.  A python3 client on the host
# speaks the text protocol: set/get/incr/delete, `stats` and `stats conns`
# (the connections, with the clients' own addresses), a wrong CA refused,
# and a bounded load over 8 connections.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
app_setup memcached memcached
MC=$APP_BIN/memcached

check "memcached: a static executable built with graft-cc" is_static "$MC"
# libevent's version string, as the sysroot's headers give it
lev=$(sed -n 's/^#define EVENT__VERSION "\(.*\)"$/\1/p' \
	"$("$GRAFT_CC" -print-sysroot)/include/event2/event-config.h")
check "memcached: linked with the sysroot's libevent ${lev:-(none)} (graft-deps)" \
	eval '[ -n "$lev" ] && strings "$MC" | grep -qxF "$lev"'
mk_netns NS || { fail "memcached: creating a namespace"; exit 1; }
check "memcached: the namespace has only lo" only_lo "$NS"

# memcached drops root (-u nobody) before it binds: nobody must reach
# graftd's socket (group 65534, app_setup) and the graft.conf.
chmod 755 "$T_TMP"
P=$T_TMP/memcached
mkdir -p "$P"
mk_certs "$P" 2>"$T_TMP/certs.err" || { fail "memcached: making certificates: $(cat "$T_TMP/certs.err")"; t_done; }
graftctl add ep-mc type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-mctls type ipv4 addr 127.0.0.1 port "$P2" netns "$NS" >/dev/null
conf_file "$T_TMP/graft.conf" "ingress 0.0.0.0:11211 ep-mc" "ingress 0.0.0.0:11212 ep-mctls"

# -Z: TLS on every listener but the notls: one; the key is read as root.
bg_ns "$NS" "$T_TMP/graft.conf" env GRAFT_VERBOSE=1 "$MC" -u nobody -t 2 -c 256 -m 64 \
	-l notls:0.0.0.0:11211,0.0.0.0:11212 -Z \
	-o "ssl_chain_cert=$P/server.crt,ssl_key=$P/server.key" \
	>"$T_TMP/memcached.log" 2>&1
MC_PID=$!
if ! wait_tcp 127.0.0.1 "$P1" || ! wait_tcp 127.0.0.1 "$P2"; then
	fail "memcached did not start: $(cat "$T_TMP/memcached.log")"; t_done
fi
check "memcached: 11211 was grafted onto the host's 127.0.0.1:$P1" \
	grep -q "^graft: ingress 0.0.0.0:11211 -> ep-mc: fd [0-9]* grafted, host socket at 127.0.0.1:$P1\$" "$T_TMP/memcached.log"
check "memcached: 11212 (TLS) was grafted onto the host's 127.0.0.1:$P2" \
	grep -q "^graft: ingress 0.0.0.0:11212 -> ep-mctls: fd [0-9]* grafted, host socket at 127.0.0.1:$P2\$" "$T_TMP/memcached.log"
uid=$(awk '$1 == "Uid:" { print $2 }' "/proc/$MC_PID/status" 2>/dev/null)
check "memcached: runs as nobody (uid $uid)" [ "$uid" = 65534 ]

cat > "$T_TMP/mc.py" <<'EOF2'
# the memcached text protocol over a plain or TLS connection
import socket, ssl, sys, threading, time

def connect(port, ca=None):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.settimeout(5)
    if ca:
        ctx = ssl.create_default_context(cafile=ca)
        s = ctx.wrap_socket(s, server_hostname="127.0.0.1")
    return Conn(s)

class Conn:
    def __init__(self, s):
        self.s, self.buf = s, b""
    def fill(self, n):
        while len(self.buf) < n:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("connection closed by the server")
            self.buf += d
    def line(self):
        while b"\r\n" not in self.buf:
            self.fill(len(self.buf) + 1)
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l.decode()
    def cmd(self, c, data=None):
        self.s.sendall(c.encode() + b"\r\n" + (data + b"\r\n" if data is not None else b""))
        return self.line()
    def set(self, k, v):
        return self.cmd("set %s 0 0 %d" % (k, len(v)), v)
    def get(self, k):
        self.s.sendall(b"get " + k.encode() + b"\r\n")
        l = self.line()
        if l == "END":
            return None
        n = int(l.split()[3])
        self.fill(n + 2)
        v, self.buf = self.buf[:n], self.buf[n + 2:]
        if self.line() != "END":
            raise ValueError("no END after the value")
        return v.decode()
    def stats(self, what=""):
        self.s.sendall(("stats %s\r\n" % what).encode())
        r = {}
        while True:
            l = self.line()
            if l == "END":
                return r
            _, k, v = l.split(" ", 2)
            r[k] = v
    def close(self):
        self.s.close()

mode, port = sys.argv[1], int(sys.argv[2])
ca = sys.argv[3] if len(sys.argv) > 3 else None
if mode == "basic":		# one line per command: the answer
    c = connect(port, ca)
    print("version:", c.cmd("version"))
    print("set:", c.set("greeting", b"hello from memcached in a namespace with only lo"))
    print("get:", c.get("greeting"))
    c.set("counter", b"41")
    print("incr:", c.cmd("incr counter 1"))
    print("delete:", c.cmd("delete greeting"))
    print("get after delete:", c.get("greeting"))
elif mode == "refused":		# a TLS handshake that must fail
    try:
        connect(port, ca).cmd("version")
        print("accepted")
    except ssl.SSLError as e:
        print("refused:", e.__class__.__name__, getattr(e, "verify_message", e.reason))
elif mode == "stats":		# 3 connections held open, seen by stats conns
    c = connect(port)
    before = int(c.stats()["curr_connections"])
    held = [connect(port) for _ in range(3)]
    for h in held:
        h.cmd("version")
    ports = [h.s.getsockname()[1] for h in held]
    st, conns = c.stats(), c.stats("conns")
    addrs = set(v for k, v in conns.items() if k.endswith(":addr"))
    seen = sum(1 for p in ports if "tcp:127.0.0.1:%d" % p in addrs)
    print("curr_connections %d -> %s, total_connections %s, held %d, in stats conns %d"
          % (before, st["curr_connections"], st["total_connections"], len(held), seen))
    print("ok" if seen == 3 and int(st["curr_connections"]) == before + 3 else "bad")
elif mode == "load":		# N commands over C connections, half of them TLS
    tport, n, nconn = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    res, lock = {"ok": 0, "fail": 0}, threading.Lock()
    def worker(i):
        ok = bad = 0
        try:
            c = connect(tport, ca) if i % 2 else connect(port)
            for j in range(n // nconn // 2):
                k, v = "k%d.%d" % (i, j), b"v%d" % (i * 100000 + j)
                if c.set(k, v) == "STORED": ok += 1
                else: bad += 1
                if c.get(k) == v.decode(): ok += 1
                else: bad += 1
            c.close()
        except Exception as e:
            bad += 1
            print("connection %d: %s" % (i, e), file=sys.stderr)
        with lock:
            res["ok"] += ok; res["fail"] += bad
    t0 = time.monotonic()
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(nconn)]
    for t in ts: t.start()
    for t in ts: t.join()
    print("ok=%d fail=%d %.2fs" % (res["ok"], res["fail"], time.monotonic() - t0))
EOF2
mc() { timeout 20 python3 "$T_TMP/mc.py" "$@" 2>&1; }

mc basic "$P1" >"$T_TMP/basic.out"
a() { sed -n "s/^$1: //p" "$T_TMP/basic.out"; }
check "memcached: version ($(a version))" [ "$(a version)" = "VERSION 1.6.18" ]
check "memcached: set ($(a set))" [ "$(a set)" = STORED ]
check "memcached: get ($(a get))" [ "$(a get)" = "hello from memcached in a namespace with only lo" ]
check "memcached: incr ($(a incr))" [ "$(a incr)" = 42 ]
check "memcached: delete ($(a delete)), then get misses ($(a 'get after delete'))" \
	eval '[ "$(a delete)" = DELETED ] && [ "$(a "get after delete")" = None ]'
grep -q '^delete: DELETED$' "$T_TMP/basic.out" || sed 's/^/  /' "$T_TMP/basic.out"

mc basic "$P2" "$P/ca.crt" >"$T_TMP/basic.out"
check "memcached over TLS (python ssl, the test's CA): set/get/incr/delete" \
	eval '[ "$(a set)" = STORED ] && [ "$(a get)" = "hello from memcached in a namespace with only lo" ] && [ "$(a incr)" = 42 ] && [ "$(a delete)" = DELETED ]'
out=$(mc refused "$P2" "$P/other-ca.crt")
check "memcached: a TLS client with a wrong CA is refused ($out)" \
	eval 'echo "$out" | grep -q "^refused: SSLCertVerificationError"'

out=$(mc stats "$P1")
check "memcached: stats shows the connections, stats conns their own addresses ($(echo "$out" | head -1))" \
	[ "$(echo "$out" | tail -1)" = ok ]

out=$(mc load "$P1" "$P/ca.crt" "$P2" 2000 8)
check "memcached: a bounded load, 2000 commands over 8 connections (4 TLS), every answer right ($out)" \
	eval 'echo "$out" | grep -q "^ok=2000 fail=0 "'
check "memcached: still serves after the load" eval '[ "$(mc basic "$P1" | sed -n "s/^incr: //p")" = 42 ]'
kill_wait "$MC_PID"
t_done
