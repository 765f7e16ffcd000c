#!/bin/sh
# pgbouncer.sh - PgBouncer, built from Debian's source with CC=graft-cc and
# no source change or --with-libevent: its configure asks pkg-config for
# libevent (PKG_CHECK_MODULES) and graft's pkg-config answers with the
# sysroot's.  Two pgbouncers run as nobody in a network namespace that has
# only lo, one plain and one with client_tls_sslmode=require, their
# listeners grafted onto host ports; their pool's server connections go out
# through an egress rule to a stand-in PostgreSQL server on the host (a
# python3 script that speaks enough of the protocol).  A python3 client on
# the host speaks the PostgreSQL v3 protocol: the admin console (SHOW
# VERSION, SHOW CLIENTS with the client's own address, SHOW SERVERS),
# queries through the pool, TLS (SSLRequest, the test's CA; a wrong CA and
# a plain client refused), a bounded load, and an online restart (-R) that
# hands the grafted listener to a new process over the unix socket.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
app_setup pgbouncer pgbouncer
PGB=$APP_BIN/pgbouncer
SYSROOT=$("$GRAFT_CC" -print-sysroot)

check "pgbouncer: a static executable built with graft-cc" is_static "$PGB"
# How configure found libevent: its config.log records the PKG_CHECK_MODULES
# answer (pkg_cv_*, from $PKG_CONFIG) and that the caller set no
# LIBEVENT_CFLAGS/LIBEVENT_LIBS; config.mak (the Makefile's) has the same.
clog=$GRAFT_BUILD/apps/pgbouncer/src/config.log
pkgconf=${GRAFT_CC%/*}/$("$GRAFT_CC" -dumpmachine)-pkg-config
pcflags=$(sed -n "s/^pkg_cv_LIBEVENT_CFLAGS='\(.*\)'\$/\1/p" "$clog" 2>/dev/null)
pclibs=$(sed -n "s/^pkg_cv_LIBEVENT_LIBS='\(.*\)'\$/\1/p" "$clog" 2>/dev/null)
check "pgbouncer: configure found libevent through graft's pkg-config: $pclibs" eval '
	grep -qxF "PKG_CONFIG='\''$pkgconf'\''" "$clog" &&
	[ "$(awk "/checking for LIBEVENT\$/ { f = 1 } f && / result: / { print \$NF; exit }" "$clog")" = yes ] &&
	grep -qx "ac_cv_env_LIBEVENT_LIBS_set=" "$clog" && grep -qx "ac_cv_env_LIBEVENT_CFLAGS_set=" "$clog" &&
	case "$pcflags" in "-I$SYSROOT/"*) ;; *) false ;; esac &&
	case "$pclibs" in "-L$SYSROOT/"*" -levent"*) ;; *) false ;; esac &&
	grep -qF "LIBEVENT_LIBS = $pclibs" "${clog%/*}/config.mak"'
# pgbouncer -V names the libraries it runs with: the sysroot's libevent
# (its version from the sysroot's header), evdns, the sysroot's OpenSSL.
lev=$(sed -n 's/^#define EVENT__VERSION "\(.*\)"$/\1/p' "$SYSROOT/include/event2/event-config.h")
ossl=$(sed -n 's/^# *define OPENSSL_VERSION_TEXT *"\(.*\)"$/\1/p' "$SYSROOT/include/openssl/opensslv.h")
GRAFT=off "$PGB" -V >"$T_TMP/V.out" 2>&1
check "pgbouncer -V: libevent ${lev:-(none)}, adns evdns2, tls ${ossl:-(none)} (graft-deps')" eval '
	[ -n "$lev" ] && [ -n "$ossl" ] && grep -qx "PgBouncer 1.18.0" "$T_TMP/V.out" &&
	grep -qxF "libevent $lev" "$T_TMP/V.out" && grep -qx "adns: evdns2" "$T_TMP/V.out" &&
	grep -qxF "tls: $ossl" "$T_TMP/V.out"'
grep -qxF "libevent $lev" "$T_TMP/V.out" || sed 's/^/  /' "$T_TMP/V.out"

mk_netns NS || { fail "pgbouncer: creating a namespace"; exit 1; }
check "pgbouncer: the namespace has only lo" only_lo "$NS"

# pgbouncer refuses to run as root: -u nobody, after it read its
# configuration and TLS key; it binds as nobody, which must reach graftd's
# socket (group 65534, app_setup) and the graft.conf.
chmod 755 "$T_TMP"
P=$T_TMP/pgb
mkdir -p "$P"
chmod 755 "$P"
mk_certs "$P" 2>"$T_TMP/certs.err" || { fail "pgbouncer: making certificates: $(cat "$T_TMP/certs.err")"; t_done; }
graftctl add ep-pg type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-pgtls type ipv4 addr 127.0.0.1 port "$P2" netns "$NS" >/dev/null
graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$NS" >/dev/null
# 127.0.0.2 is the host's (the /32 rule overrides 127.0.0.0/8 local).  One
# graft.conf per pgbouncer, one ingress rule each: a process handed the
# listener (the online restart below) derives its address view from it.
conf_file "$T_TMP/graft-plain.conf" "ingress 0.0.0.0:6432 ep-pg" "egress 127.0.0.2/32 ep-out"
conf_file "$T_TMP/graft-tls.conf" "ingress 0.0.0.0:6433 ep-pgtls" "egress 127.0.0.2/32 ep-out"

# The stand-in server on the host, at 127.0.0.2:$P3: trust authentication,
# answers `select whoami` with its connection's number, the login it got
# and the peer address; any other statement with its command tag.
cat > "$T_TMP/fakepg.py" <<'EOF2'
import socket, struct, sys, threading

host, port, log = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], "a", buffering=1)
count, lock = [0], threading.Lock()

def msg(t, body):
    return t + struct.pack("!i", len(body) + 4) + body

def recvn(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b

def serve(c, peer):
    with lock:
        count[0] += 1
        n = count[0]
    try:
        while True:
            ln, code = struct.unpack("!ii", recvn(c, 8))
            body = recvn(c, ln - 8)
            if code == 80877103:		# SSLRequest: no TLS here
                c.sendall(b"N")
                continue
            break
        kv = body.split(b"\0")
        params = dict(zip(kv[0::2], kv[1::2]))
        user, db = params.get(b"user", b"").decode(), params.get(b"database", b"").decode()
        log.write("conn %d from %s:%d user=%s database=%s\n" % (n, peer[0], peer[1], user, db))
        out = msg(b"R", struct.pack("!i", 0))
        for k, v in (("server_version", "15.0"), ("server_encoding", "UTF8"),
                     ("client_encoding", "UTF8"), ("DateStyle", "ISO, MDY"),
                     ("TimeZone", "UTC"), ("integer_datetimes", "on"),
                     ("standard_conforming_strings", "on")):
            out += msg(b"S", k.encode() + b"\0" + v.encode() + b"\0")
        c.sendall(out + msg(b"K", struct.pack("!ii", 4000 + n, n)) + msg(b"Z", b"I"))
        while True:
            t = recvn(c, 1)
            body = recvn(c, struct.unpack("!i", recvn(c, 4))[0] - 4)
            if t == b"X":
                break
            if t != b"Q":
                c.sendall(msg(b"E", b"SERROR\0C0A000\0Mfakepg: simple queries only\0\0") + msg(b"Z", b"I"))
                continue
            sql = body.rstrip(b"\0").decode()
            log.write("conn %d: %s\n" % (n, sql))
            out = b""
            for st in [s.strip() for s in sql.split(";") if s.strip()]:
                if st.lower() == "select whoami":
                    val = ("conn=%d user=%s database=%s peer=%s" % (n, user, db, peer[0])).encode()
                    out += msg(b"T", struct.pack("!h", 1) + b"whoami\0" + struct.pack("!ihihih", 0, 0, 25, -1, -1, 0))
                    out += msg(b"D", struct.pack("!hi", 1, len(val)) + val) + msg(b"C", b"SELECT 1\0")
                elif st.lower().startswith("select"):
                    out += msg(b"T", struct.pack("!h", 1) + b"?column?\0" + struct.pack("!ihihih", 0, 0, 23, 4, -1, 0))
                    out += msg(b"D", struct.pack("!hi", 1, 1) + b"1") + msg(b"C", b"SELECT 1\0")
                else:
                    out += msg(b"C", " ".join(st.split()[:2]).upper().encode() + b"\0")
            c.sendall((out or msg(b"I", b"")) + msg(b"Z", b"I"))
    except (EOFError, OSError):
        pass
    c.close()

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((host, port))
s.listen(64)
while True:
    c, peer = s.accept()
    threading.Thread(target=serve, args=(c, peer), daemon=True).start()
EOF2
bg python3 "$T_TMP/fakepg.py" 127.0.0.2 "$P3" "$T_TMP/fakepg.log"

# pgbouncer.ini: auth_type any (the user name is taken as given; the
# database entry names the server's login), graft an admin; the unix
# socket (in a directory of nobody's) is what an online restart uses.
ini() {
	cat <<EOF2
[databases]
fake = host=127.0.0.2 port=$P3 dbname=fakedb user=graft
[pgbouncer]
listen_addr = 0.0.0.0
listen_port = $1
unix_socket_dir = $P/sock
auth_type = any
admin_users = graft
pool_mode = session
max_client_conn = 64
default_pool_size = 8
logfile =
pidfile =
EOF2
	[ "$2" = tls ] || return 0
	cat <<EOF2
client_tls_sslmode = require
client_tls_cert_file = $P/server.crt
client_tls_key_file = $P/server.key
EOF2
}
mkdir -p "$P/sock" && chown nobody "$P/sock"
ini 6432 plain >"$P/plain.ini"
ini 6433 tls >"$P/tls.ini"
bg_ns "$NS" "$T_TMP/graft-plain.conf" env GRAFT_VERBOSE=1 "$PGB" -u nobody "$P/plain.ini" \
	>"$T_TMP/pgb-plain.log" 2>&1
PID_plain=$!
bg_ns "$NS" "$T_TMP/graft-tls.conf" env GRAFT_VERBOSE=1 "$PGB" -u nobody "$P/tls.ini" \
	>"$T_TMP/pgb-tls.log" 2>&1
PID_tls=$!
if ! wait_tcp 127.0.0.1 "$P1" || ! wait_tcp 127.0.0.1 "$P2" || ! wait_tcp 127.0.0.2 "$P3"; then
	fail "pgbouncer did not start: $(cat "$T_TMP/pgb-plain.log" "$T_TMP/pgb-tls.log")"; t_done
fi
check "pgbouncer: 6432 was grafted onto the host's 127.0.0.1:$P1" \
	grep -q "^graft: ingress 0.0.0.0:6432 -> ep-pg: fd [0-9]* grafted, host socket at 127.0.0.1:$P1\$" "$T_TMP/pgb-plain.log"
check "pgbouncer (client_tls_sslmode=require): 6433 was grafted onto the host's 127.0.0.1:$P2" \
	grep -q "^graft: ingress 0.0.0.0:6433 -> ep-pgtls: fd [0-9]* grafted, host socket at 127.0.0.1:$P2\$" "$T_TMP/pgb-tls.log"
check "pgbouncer: its log names libevent $lev, epoll" \
	grep -qF "process up: PgBouncer 1.18.0, libevent $lev (epoll), adns: evdns2" "$T_TMP/pgb-plain.log"
uid=$(awk '$1 == "Uid:" { print $2 }' "/proc/$PID_plain/status" 2>/dev/null)
check "pgbouncer: runs as nobody (uid $uid)" [ "$uid" = 65534 ]

cat > "$T_TMP/pg.py" <<'EOF2'
# a PostgreSQL v3 protocol client: startup, simple queries, SSLRequest
import socket, ssl, struct, sys, threading, time

class PgError(Exception):
    pass

def fields(body):		# ErrorResponse/NoticeResponse: code -> text
    r = {}
    for f in body.split(b"\0"):
        if f:
            r[f[:1].decode()] = f[1:].decode()
    return r

class Conn:
    def __init__(self, port, user, db, ca=None):
        self.s = socket.create_connection(("127.0.0.1", port), 5)
        self.s.settimeout(5)
        self.local = self.s.getsockname()
        self.tls = None
        if ca:
            self.s.sendall(struct.pack("!ii", 8, 80877103))
            a = self.s.recv(1)
            if a != b"S":
                raise PgError("SSLRequest answered %r" % a)
            ctx = ssl.create_default_context(cafile=ca)
            self.s = ctx.wrap_socket(self.s, server_hostname="127.0.0.1")
            self.tls = self.s.version()
        self.buf = b""
        body = struct.pack("!i", 196608) + b"user\0" + user.encode() + b"\0database\0" + db.encode() + b"\0\0"
        self.s.sendall(struct.pack("!i", len(body) + 4) + body)
        self.params = {}
        while True:
            t, b = self.read()
            if t == b"R" and struct.unpack("!i", b[:4])[0] != 0:
                raise PgError("authentication %d asked" % struct.unpack("!i", b[:4])[0])
            if t == b"S":
                k, v = b.split(b"\0")[:2]
                self.params[k.decode()] = v.decode()
            if t == b"E":
                raise PgError(fields(b).get("M"))
            if t == b"Z":
                return
    def fill(self, n):
        while len(self.buf) < n:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("connection closed by the server")
            self.buf += d
    def read(self):
        self.fill(5)
        n = struct.unpack("!i", self.buf[1:5])[0]
        self.fill(1 + n)
        t, b, self.buf = self.buf[:1], self.buf[5:1 + n], self.buf[1 + n:]
        return t, b
    def query(self, sql):		# rows as dicts; an ErrorResponse raises
        body = sql.encode() + b"\0"
        self.s.sendall(b"Q" + struct.pack("!i", len(body) + 4) + body)
        cols, rows, err = [], [], None
        while True:
            t, b = self.read()
            if t == b"T":
                n, p = struct.unpack("!h", b[:2])[0], 2
                cols = []
                for _ in range(n):
                    e = b.index(b"\0", p)
                    cols.append(b[p:e].decode())
                    p = e + 1 + 18
            elif t == b"D":
                n, p, row = struct.unpack("!h", b[:2])[0], 2, []
                for _ in range(n):
                    ln = struct.unpack("!i", b[p:p + 4])[0]
                    p += 4
                    row.append(None if ln < 0 else b[p:p + ln].decode())
                    p += max(ln, 0)
                rows.append(dict(zip(cols, row)))
            elif t == b"E":
                err = fields(b).get("M")
            elif t == b"Z":
                if err:
                    raise PgError(err)
                return rows
    def close(self):
        self.s.sendall(b"X" + struct.pack("!i", 4))
        self.s.close()

mode, port = sys.argv[1], int(sys.argv[2])
ca = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] != "-" else None
if mode == "admin":		# the admin console, one line per answer
    c = Conn(port, "graft", "pgbouncer", ca)
    print("tls:", c.tls)
    print("version:", c.query("SHOW VERSION;")[0]["version"])
    me = [r for r in c.query("SHOW CLIENTS;") if r["port"] == str(c.local[1])]
    print("clients:", " ".join("%s=%s" % (k, me[0][k]) for k in
          ("user", "database", "state", "addr", "port", "local_addr", "local_port", "tls")) if me else "not listed")
    c.close()
elif mode == "query":		# SESSIONS sessions one after another, select whoami in each
    for i in range(int(sys.argv[4])):
        c = Conn(port, "app%d" % i, "fake", ca)
        print("whoami:", c.query("select whoami")[0]["whoami"])
        c.close()
elif mode == "servers":
    c = Conn(port, "graft", "pgbouncer", ca)
    for r in c.query("SHOW SERVERS;"):
        print("server:", " ".join("%s=%s" % (k, r[k]) for k in
              ("user", "database", "state", "addr", "port", "local_addr", "local_port")))
    c.close()
elif mode == "notadmin":	# a user not in admin_users
    c = Conn(port, "mallory", "pgbouncer", ca)
    try:
        c.query("RELOAD;")
        print("allowed")
    except PgError as e:
        print("error:", e)
elif mode == "refused":		# must fail: the TLS handshake, or the startup
    try:
        c = Conn(port, "graft", "pgbouncer", ca)
        print("accepted:", c.query("SHOW VERSION;")[0]["version"])
    except ssl.SSLError as e:
        print("refused:", e.__class__.__name__, getattr(e, "verify_message", e.reason))
    except (PgError, EOFError) as e:
        print("refused:", e)
elif mode == "load":		# N sessions over C threads, half TLS
    tport, n, nconn = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    res, lock = {"ok": 0, "fail": 0}, threading.Lock()
    def worker(i):
        ok = bad = 0
        for j in range(n // nconn):
            try:
                c = Conn(tport, "graft", "fake", ca) if i % 2 else Conn(port, "graft", "fake")
                if c.query("select whoami")[0]["whoami"].startswith("conn="): ok += 1
                else: bad += 1
                c.close()
            except Exception as e:
                bad += 1
                print("session %d.%d: %r" % (i, j, e), file=sys.stderr)
        with lock:
            res["ok"] += ok; res["fail"] += bad
    t0 = time.monotonic()
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(nconn)]
    for t in ts: t.start()
    for t in ts: t.join()
    print("ok=%d fail=%d %.2fs" % (res["ok"], res["fail"], time.monotonic() - t0))
EOF2
pg() { timeout 30 python3 "$T_TMP/pg.py" "$@" 2>&1; }

pg admin "$P1" >"$T_TMP/admin.out"
a() { sed -n "s/^$1: //p" "$T_TMP/admin.out"; }
check "pgbouncer: SHOW VERSION on the admin console ($(a version))" [ "$(a version)" = "PgBouncer 1.18.0" ]
# (auth_type any logs admin_users into the console as its user pgbouncer;
# the local address is the endpoint's, the port the one pgbouncer bound)
check "pgbouncer: SHOW CLIENTS lists the host client's own address and port ($(a clients))" \
	eval 'a clients | grep -q "^user=pgbouncer database=pgbouncer state=active addr=127\.0\.0\.1 port=[0-9]* local_addr=127\.0\.0\.1 local_port=6432 "'
a clients | grep -q "addr=127" || sed 's/^/  /' "$T_TMP/admin.out"
out=$(pg notadmin "$P1")
check "pgbouncer: a user not in admin_users is refused RELOAD ($out)" \
	eval 'echo "$out" | grep -q "^error: admin access needed"'

# Through the pool: three sessions one after another share one server
# connection, which graftd granted through the egress rule.
g0=$(grants ep-out)
pg query "$P1" - 3 >"$T_TMP/query.out"
g=$(( $(grants ep-out) - g0 ))
w=$(sed -n 's/^whoami: //p' "$T_TMP/query.out")
check "pgbouncer: a query through the pool reaches the host's server through the egress rule ($(echo "$w" | head -1))" \
	eval 'echo "$w" | head -1 | grep -q "^conn=[0-9]* user=graft database=fakedb peer=127\.0\.0\.[0-9]*$"'
check "pgbouncer: 3 sessions in a row, one pooled server connection (servers seen: $(echo "$w" | cut -d' ' -f1 | sort -u | tr '\n' ' ')$g host socket)" \
	eval '[ "$(echo "$w" | wc -l)" = 3 ] && [ "$(echo "$w" | cut -d" " -f1 | sort -u | wc -l)" = 1 ] && [ "$g" = 1 ]'
echo "$w" | grep -q "^conn=" || sed 's/^/  /' "$T_TMP/query.out"
out=$(pg servers "$P1")
check "pgbouncer: SHOW SERVERS lists that connection to the host ($out)" \
	eval 'echo "$out" | grep -q "^server: user=graft database=fake state=idle addr=127\.0\.0\.2 port=$P3 "'
check "pgbouncer: the server was reset between sessions (DISCARD ALL)" \
	grep -q "^conn [0-9]*: DISCARD ALL$" "$T_TMP/fakepg.log"

# TLS: SSLRequest, 'S', the handshake with the test's CA
pg admin "$P2" "$P/ca.crt" >"$T_TMP/admin.out"
check "pgbouncer over TLS ($(a tls), the test's CA): SHOW VERSION ($(a version))" \
	eval '[ "$(a version)" = "PgBouncer 1.18.0" ] && [ -n "$(a tls)" ] && [ "$(a tls)" != None ]'
check "pgbouncer over TLS: SHOW CLIENTS shows the client's TLS ($(a clients))" \
	eval 'a clients | grep -q "addr=127\.0\.0\.1 port=[0-9]* .*tls=TLSv1\.[23]/"'
out=$(pg query "$P2" "$P/ca.crt" 1)
check "pgbouncer over TLS: a query through the pool ($out)" \
	eval 'echo "$out" | grep -q "^whoami: conn=[0-9]* user=graft database=fakedb "'
out=$(pg refused "$P2" "$P/other-ca.crt")
check "pgbouncer: a TLS client with a wrong CA is refused ($out)" \
	eval 'echo "$out" | grep -q "^refused: SSLCertVerificationError"'
out=$(pg refused "$P2" -)
check "pgbouncer: client_tls_sslmode=require refuses a plain client ($out)" \
	eval 'echo "$out" | grep -q "^refused: SSL required"'

out=$(pg load "$P1" "$P/ca.crt" "$P2" 200 8)
check "pgbouncer: a bounded load, 200 sessions over 8 threads (half TLS), a query each, no error ($out)" \
	eval 'echo "$out" | grep -q "^ok=200 fail=0 "'
echo "$out" | grep -q "^ok=200 fail=0 " || echo "$out" | head -5 | sed 's/^/  /'
pg admin "$P1" >"$T_TMP/admin.out"
check "pgbouncer: still serves after the load" [ "$(a version)" = "PgBouncer 1.18.0" ]

# Online restart: a new pgbouncer -R asks the old one over the unix socket
# for its sockets (SHOW FDS, SCM_RIGHTS), the grafted listener among them,
# and tells it to shut down.  The host socket is handed on: no new graft,
# and the new process's getsockname shows what was bound (its view derived
# from its graft.conf's ingress rule).
g0=$(grants ep-pg)
bg_ns "$NS" "$T_TMP/graft-plain.conf" env GRAFT_VERBOSE=1 "$PGB" -R -u nobody "$P/plain.ini" \
	>"$T_TMP/pgb-new.log" 2>&1
PID_new=$!
wait_log "$T_TMP/pgb-new.log" 'process up: '
wait_for eval '! kill -0 "$PID_plain" 2>/dev/null'
pg admin "$P1" >"$T_TMP/admin.out"
out=$(pg query "$P1" - 1)
g=$(( $(grants ep-pg) - g0 ))
check "pgbouncer -R: the new process took the listener over ($(sed -n 's/.*\(got pooler socket: [0-9.:]*\)$/\1/p' "$T_TMP/pgb-new.log")), the old one exited, no new graft ($g)" \
	eval 'grep -q "got pooler socket: 0\.0\.0\.0:6432\$" "$T_TMP/pgb-new.log" && ! kill -0 "$PID_plain" 2>/dev/null &&
		[ "$g" = 0 ] && ! grep -q "^graft: ingress" "$T_TMP/pgb-new.log"'
check "pgbouncer -R: the new process serves the host's clients ($(a clients); $out)" \
	eval 'a clients | grep -q "addr=127\.0\.0\.1 port=[0-9]* local_addr=127\.0\.0\.1 local_port=6432 " &&
		echo "$out" | grep -q "^whoami: conn=[0-9]* user=graft database=fakedb "'
grep -q "got pooler socket: 0\.0\.0\.0:6432\$" "$T_TMP/pgb-new.log" || sed 's/^/  /' "$T_TMP/pgb-new.log"
kill_wait "$PID_new" "$PID_plain" "$PID_tls"
t_done
