# lib.sh - shared by the app scenarios tests/apps/*.sh (sourced after
# tests/lib/common.sh).  POSIX sh.

APPS_DIR=$GRAFT_TOP/tests/apps

# app_setup NAME APP [PKG]: skip (exit 0) without root/ip, graft-cc or graftd;
# build APP from its Debian source (tests/apps/build-app.sh) -- SKIP when
# the Debian archive is unreachable, FAIL when the build fails; then start
# graftd and pick ports $P1..$P8.  Sets APP_BIN (the built programs).
# PKG: the Debian source package, when APP is not its name.
app_setup() {
	need_netns "$1"
	if [ ! -x "$GRAFT_CC" ]; then skip "$1 (graft-cc not built: $GRAFT_CC)"; exit 0; fi
	if [ ! -x "$GRAFT_BIN/graftd" ] || [ ! -x "$GRAFT_BIN/graftctl" ]; then
		skip "$1 (graftd/graftctl not built in $GRAFT_BIN)"; exit 0
	fi
	_t0=$(date +%s)
	APP_BIN=$("$APPS_DIR/build-app.sh" "$2" 2>"$T_TMP/build.err")
	case $? in
	0) ;;
	3) skip "$1 ($(grep -v "^fetch-source:" "$T_TMP/build.err" | head -2 | tr "\n" " "))"; exit 0 ;;
	*) sed 's/^/  /' "$T_TMP/build.err"; fail "$1: building $2 from Debian's source with graft-cc"; exit 1 ;;
	esac
	_src=$(ls "$GRAFT_BUILD/dl/apps/${3:-$2}"_*.orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -1)
	echo "  $2: $(basename "$_src") -> $APP_BIN ($(( $(date +%s) - _t0 )) s)"
	# servers' workers run as nobody:nogroup: the request socket (0660)
	# gets that group, as docs/security.md's deployment rules say
	echo "socket-owner :65534" >"$T_TMP/graftd.conf"
	start_graftd -f "$T_TMP/graftd.conf" || { fail "$1: starting graftd"; exit 1; }
	_b=$(port_base 20)
	P1=$_b P2=$((_b + 1)) P3=$((_b + 2)) P4=$((_b + 3))
	P5=$((_b + 4)) P6=$((_b + 5)) P7=$((_b + 6)) P8=$((_b + 7))
}

# is_static FILE: a static executable (no interpreter, no libraries)
is_static() { file -b "$1" | grep -q 'statically linked'; }

# conf FILE LINE...: a graft.conf naming our graftd
conf_file() { _f=$1; shift; { echo "broker $GRAFTD_SOCK"; for _l in "$@"; do echo "$_l"; done; } >"$_f"; }

# in_netns NS CONF CMD...: a graft-cc program in namespace NS with CONF
in_netns() { _ns=$1 _c=$2; shift 2; ip netns exec "$_ns" env GRAFT_CONF="$_c" "$@"; }
# bg_ns NS CONF CMD...: the same in the background, killed at exit; $! is
# the program itself (ip netns exec and env exec, no shell in between).
bg_ns() { _ns=$1 _c=$2; shift 2; bg ip netns exec "$_ns" env GRAFT_CONF="$_c" "$@"; }

# only_lo NS: the namespace has no interface but lo
only_lo() { [ "$(ip -n "$1" -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" = "lo " ]; }

# wait_log FILE PATTERN: until grep finds PATTERN in FILE (5 s)
wait_log() { wait_for grep -q "$2" "$1"; }

# wait_tcp HOST PORT: until something accepts on HOST:PORT (5 s)
wait_tcp() { wait_for python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1).close()' "$1" "$2"; }

# host_v6: the host has ::1 (else IPv6 scenarios fall back to IPv4)
host_v6() { ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128'; }

# json EXPR FILE: evaluate a Python expression on the JSON document j
json() { python3 -c 'import json,sys; j=json.load(open(sys.argv[2])); print(eval(sys.argv[1]))' "$1" "$2" 2>/dev/null; }

# grants EP: how many sockets graftd granted on endpoint EP
grants() { graftctl stats | awk -v ep="$1" '$1 == ep { for (i = 2; i < NF; i++) if ($i == "grants") print $(i + 1) }'; }

# kill_wait PID...: TERM, then wait (up to 5 s), then KILL
kill_wait() {
	for _p; do kill "$_p" 2>/dev/null; done
	for _p; do
		_i=0
		while kill -0 "$_p" 2>/dev/null && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
		kill -9 "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	return 0
}

# mk_certs DIR: with the host's openssl command, a CA (DIR/ca.crt), a
# server certificate it signs for 127.0.0.1 and localhost (DIR/server.crt,
# DIR/server.key) and a second CA that signed nothing (DIR/other-ca.crt).
# EC P-256 keys, 2 days.  Fails with openssl's messages on stderr.
mk_certs() {
	command -v openssl >/dev/null || { echo "no openssl command on the host" >&2; return 1; }
	(
		cd "$1" || exit 1
		_ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
		openssl req -x509 $_ec -keyout ca.key -out ca.crt -days 2 -subj /CN=graft-test-ca &&
		openssl req -x509 $_ec -keyout other-ca.key -out other-ca.crt -days 2 -subj /CN=graft-other-ca &&
		openssl req $_ec -keyout server.key -out server.csr -subj /CN=localhost &&
		echo "subjectAltName=IP:127.0.0.1,DNS:localhost" > san.ext &&
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-days 2 -extfile san.ext -out server.crt
	) >"$1/openssl.log" 2>&1 || { cat "$1/openssl.log" >&2; return 1; }
}
