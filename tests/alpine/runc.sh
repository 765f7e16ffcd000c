#!/bin/sh
# runc.sh - the Alpine root as an OCI container's root filesystem under
# runc: a network namespace of its own with only lo, graftd's request
# socket directory mounted read-only on /run/graft, uid 65534, no
# capability (examples/oci/mkbundle.sh's config), served to host clients:
#   - with the drop-in loader, Alpine's own busybox `nc -lk -e` (a
#     persistent server forking a program per connection): IPv4 and IPv6;
#     busybox wget fetching from a host server through an egress rule; apk
#     printing what it prints in the stock root;
#   - in the stock Alpine root, static graft-cc programs: examples/httpd.c,
#     and nginx when tests/apps/build-app.sh has built it (make check-apps)
#     in this build tree.
# The container is created, its pid keys graftd's endpoint, then started
# (as tests/apps/oci-test.inc does).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/alpine.inc"

alpine_setup "alpine-runc" "$GRAFT_TARGET"
need_netns "alpine-runc"
command -v runc >/dev/null || { skip "alpine-runc (runc is not installed: tests/apps/deps.sh installs it)"; exit 0; }
for _t in python3 curl; do
	command -v $_t >/dev/null || { skip "alpine-runc ($_t is not installed)"; exit 0; }
done
if [ ! -x "$GRAFT_CC" ] || [ ! -x "$GRAFT_BIN/graftd" ]; then
	skip "alpine-runc (graft-cc/graftd not built)"; exit 0
fi

CTRS=
rt_cleanup() {
	for _c in $CTRS; do runc kill "$_c" KILL >/dev/null 2>&1; done
	for _c in $CTRS; do
		_i=0
		while [ $_i -lt 30 ] && runc state "$_c" 2>/dev/null | grep -q '"running"'; do
			sleep 0.1; _i=$((_i + 1))
		done
		runc delete -f "$_c" >/dev/null 2>&1
	done
	t_cleanup
}
trap 'rt_cleanup' EXIT

echo "socket-owner :65534" >"$T_TMP/graftd.conf"
start_graftd -f "$T_TMP/graftd.conf" || { fail "alpine-runc: starting graftd"; exit 1; }
SOCKDIR=${GRAFTD_SOCK%/*}
_b=$(port_base 5)
P1=$_b P2=$((_b + 1)) P3=$((_b + 2)) P4=$((_b + 3)) P5=$((_b + 4))
"$GRAFT_CC" -O2 -o "$T_TMP/httpd" "$GRAFT_TOP/examples/httpd.c" ||
	{ fail "alpine-runc: building examples/httpd.c with graft-cc"; exit 1; }
printf 'broker /run/graft/graftd.sock\ningress [::]:8080 ep6\ningress 0.0.0.0:8080 ep4\n' >"$T_TMP/graft.conf"

# container NAME ROOT ARGS...: a bundle with ROOT's files, /httpd and
# /etc/graft.conf ($CONF, default $T_TMP/graft.conf), running ARGS;
# created (not started): sets PID
container() {
	_n=$1 _r=$2; shift 2
	_B=$T_TMP/bundle-$_n
	"$GRAFT_TOP/examples/oci/mkbundle.sh" -c "${CONF:-$T_TMP/graft.conf}" -s "$SOCKDIR" -u 65534:65534 \
		"$_B" "$T_TMP/httpd" >"$T_TMP/$_n.mk" 2>&1 || { echo "mkbundle: $(cat "$T_TMP/$_n.mk")"; return 1; }
	cp -a "$_r/." "$_B/rootfs/" || return 1
	python3 - "$_B/config.json" "$@" <<'PY' || return 1
import json, sys
f, args = sys.argv[1], sys.argv[2:]
c = json.load(open(f))
c["process"]["args"] = args
c["process"]["env"] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp"]
json.dump(c, open(f, "w"), indent=2)
PY
	CID=graft-alpine-$$-$_n
	CTRS="$CTRS $CID"
	runc create -b "$_B" "$CID" </dev/null >"$T_TMP/$_n.ctr" 2>&1 || { echo "runc create: $(cat "$T_TMP/$_n.ctr")"; return 1; }
	PID=$(runc state "$CID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
}
start() { runc start "$CID" >>"$T_TMP/$1.ctr" 2>&1; }
# stopped: the container's process has exited (at most 10 s)
stopped() { wait_for sh -c "runc state $CID 2>/dev/null | grep -q '\"stopped\"'"; }
only_lo() {
	[ "$(nsenter -t "$1" -n ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" = "lo " ] &&
		[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}
grants() { graftctl stats | sed -n "s/^$1 netns $2 requests [0-9]* grants \([0-9]*\).*/\1/p"; }

# 1. busybox nc -lk, Alpine's, on the drop-in loader: each connection runs sh
TOK=$(token nc)
# (the program reads the client's line: unread data at close would be a reset)
if container nc "$DROP" /usr/bin/nc -lk -p 8080 -e /bin/sh -c "read l; echo $TOK \$l" >"$T_TMP/err" 2>&1; then
	check "runc: the container has only lo, in a namespace of its own" only_lo "$PID"
	graftctl add ep6 type ipv6 addr :: port "$P1" netns "$PID" >/dev/null
	start nc
	if up "" "$P1" "$PID"; then
		out=$(tcp_talk 127.0.0.1 "$P1" hello-v4)
		check "runc, drop-in root: Alpine's busybox nc -lk -e answers a host IPv4 client ($out)" [ "$out" = "$TOK hello-v4" ]
		out=$(tcp_talk ::1 "$P1" hello-v6)
		check "runc, drop-in root: ... and a host IPv6 client, the next connection ($out)" [ "$out" = "$TOK hello-v6" ]
		check "runc, drop-in root: one grant for the container's netns ($(grants ep6 "$PID"))" \
			[ "$(grants ep6 "$PID")" = 1 ]
		uid=$(awk '/^Uid:/ {print $2}' "/proc/$PID/status" 2>/dev/null)
		check "runc, drop-in root: nc runs as uid 65534 ($uid)" [ "$uid" = 65534 ]
	else
		fail "runc, drop-in root: busybox nc got no host socket on $P1 ($(cat "$T_TMP/nc.ctr"))"
	fi
else
	fail "runc, drop-in root: the nc container: $(cat "$T_TMP/err")"
fi

# 1b. the same with the dual-stack rule `ingress *:PORT EP`.
DS="rule 'ingress *:8080':"
printf 'broker /run/graft/graftd.sock\ningress *:8080 ep6\n' >"$T_TMP/star.conf"
TOK=$(token star)
if CONF=$T_TMP/star.conf container star "$DROP" /usr/bin/nc -lk -p 8080 -e /bin/sh -c "read l; echo $TOK \$l" >"$T_TMP/err" 2>&1; then
	graftctl add ep6 type ipv6 addr :: port "$P4" netns "$PID" >/dev/null
	start star
	if up "" "$P4" "$PID"; then
		out=$(tcp_talk 127.0.0.1 "$P4" hello-v4)
		check "$DS runc, drop-in root: busybox nc -lk answers a host IPv4 client ($out)" [ "$out" = "$TOK hello-v4" ]
		out=$(tcp_talk ::1 "$P4" hello-v6)
		check "$DS runc, drop-in root: ... and a host IPv6 client ($out)" [ "$out" = "$TOK hello-v6" ]
	else
		fail "$DS runc, drop-in root: busybox nc got no host socket on $P4 ($(tr '\n' ' ' <"$T_TMP/star.ctr"))"
	fi
else
	fail "$DS runc, drop-in root: the container: $(cat "$T_TMP/err")"
fi

# 1c. busybox wget on the drop-in loader, egress to a server on the host's
#     127.0.0.2; the same in the stock root reaches nothing
W=$T_TMP/www
mkdir -p "$W"
WTOK=$(token wget)
echo "$WTOK" >"$W/token"
bg python3 -m http.server --bind 127.0.0.2 --directory "$W" "$P5" >"$T_TMP/http.log" 2>&1
printf 'broker /run/graft/graftd.sock\negress 127.0.0.2/32 ep-out\n' >"$T_TMP/egress.conf"
if ! wait_for listening "" "$P5"; then
	fail "runc: python3 http.server did not start: $(cat "$T_TMP/http.log")"
else
	for r in drop stock; do
		[ $r = drop ] && root=$DROP || root=$STOCK
		if CONF=$T_TMP/egress.conf container wget-$r "$root" /usr/bin/wget -q -T 5 -O - "http://127.0.0.2:$P5/token" >"$T_TMP/err" 2>&1; then
			graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$PID" >/dev/null
			start wget-$r
			stopped
		else
			fail "runc: the wget container ($r): $(cat "$T_TMP/err")"
		fi
	done
	out=$(grep -v '^$' "$T_TMP/wget-drop.ctr" | tr '\n' ' ')
	check "runc, drop-in root: busybox wget fetches from the host's server through 'egress 127.0.0.2/32' ($out)" \
		[ "$out" = "$WTOK " ]
	check "runc, stock root: the same wget reaches nothing ($(tr '\n' ' ' <"$T_TMP/wget-stock.ctr"))" \
		test -z "$(grep -x "$WTOK" "$T_TMP/wget-stock.ctr")"
fi

# 1d. apk in the container prints what it prints on Alpine's own loader
for r in drop stock; do
	[ $r = drop ] && root=$DROP || root=$STOCK
	if container apk-$r "$root" /bin/sh -c 'apk --version; apk info -v; apk info -L busybox' >"$T_TMP/err" 2>&1; then
		start apk-$r
		stopped
	else
		fail "runc: the apk container ($r): $(cat "$T_TMP/err")"
	fi
done
check "runc: apk --version, apk info -v, apk info -L busybox: the same on both loaders ($(wc -l <"$T_TMP/apk-drop.ctr") lines)" \
	cmp -s "$T_TMP/apk-drop.ctr" "$T_TMP/apk-stock.ctr"
check "runc: ... and apk did print its version" grep -q '^apk-tools ' "$T_TMP/apk-drop.ctr"
cmp -s "$T_TMP/apk-drop.ctr" "$T_TMP/apk-stock.ctr" || diff "$T_TMP/apk-stock.ctr" "$T_TMP/apk-drop.ctr" | head -10 | sed 's/^/# /'

# 2. a static graft-cc httpd in the stock Alpine root (no drop-in needed)
if container httpd "$STOCK" /httpd -p 8080 >"$T_TMP/err" 2>&1; then
	graftctl add ep4 type ipv4 addr 127.0.0.1 port "$P2" netns "$PID" >/dev/null
	start httpd
	out=
	wait_for curl -sSf --max-time 2 -o /dev/null "http://127.0.0.1:$P2/" &&
		out=$(curl -sS --max-time 5 "http://127.0.0.1:$P2/" 2>&1)
	check "runc, stock Alpine root: the static graft-cc httpd serves curl on the host ($out)" \
		has_prefix "$out" "hello from httpd: listening on 0.0.0.0:8080, you are 127.0.0.1:"
else
	fail "runc, stock Alpine root: the httpd container: $(cat "$T_TMP/err")"
fi

# 3. nginx (graft-cc, static) in the stock Alpine root, when built here
NGINX_BUILD=$GRAFT_BUILD/apps/nginx
if [ ! -d "$NGINX_BUILD/src" ]; then
	skip "runc: nginx in the Alpine root (not built in $NGINX_BUILD: make check-apps, or tests/apps/build-app.sh nginx, builds it with OpenSSL, PCRE2 and zlib, several minutes; not done here to keep this suite short)"
elif ! NB=$("$GRAFT_TOP/tests/apps/build-app.sh" nginx 2>"$T_TMP/nginx.build"); then
	fail "runc: nginx: tests/apps/build-app.sh nginx (relink): $(tail -5 "$T_TMP/nginx.build")"
else
	NTOK=$(token nginx)
	mkdir -p "$T_TMP/nroot/www"
	cp -a "$STOCK/." "$T_TMP/nroot/"
	mkdir -p "$T_TMP/nroot/www"
	echo "$NTOK" >"$T_TMP/nroot/www/index.html"
	cp "$NB/nginx" "$T_TMP/nroot/nginx"
	cat >"$T_TMP/nroot/etc/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
error_log stderr notice;
pid /tmp/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    server {
        listen 8080;
        root /www;
    }
}
EOF
	if container nginx "$T_TMP/nroot" /nginx -p /tmp/ -e stderr -c /etc/nginx.conf >"$T_TMP/err" 2>&1; then
		graftctl add ep4 type ipv4 addr 127.0.0.1 port "$P3" netns "$PID" >/dev/null
		start nginx
		out=
		wait_for curl -sSf --max-time 2 -o /dev/null "http://127.0.0.1:$P3/" &&
			out=$(curl -sS --max-time 5 "http://127.0.0.1:$P3/" 2>&1)
		check "runc, stock Alpine root: the static graft-cc nginx serves curl on the host ($out)" \
			[ "$out" = "$NTOK" ]
	else
		fail "runc, stock Alpine root: the nginx container: $(cat "$T_TMP/err")"
	fi
fi
t_done
