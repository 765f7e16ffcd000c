#!/bin/sh
# egress.sh - Alpine's own busybox wget, unmodified, chrooted in the Alpine
# root with graft's drop-in, in a network namespace with only lo, fetches
# from servers on the host's 127.0.0.2 through an egress rule: HTTP from
# python3's http.server, and HTTPS from openssl s_server, for which wget
# runs Alpine's ssl_client (libssl, libcrypto) on the grafted socket.
# The namespace has its own 127/8: without the rule nothing answers there.
# 3: wget of a name, resolved by Alpine's libc (graft's drop-in) through a
# "dns" line from a nameserver (Debian's dnsmasq) on the host's loopback.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/alpine.inc"

alpine_setup "alpine-egress" "$GRAFT_TARGET"
need_netns "alpine-egress"
command -v python3 >/dev/null || { skip "alpine-egress (python3 is not installed: the host's HTTP server)"; exit 0; }
[ -x "$GRAFT_BIN/graftd" ] || { skip "alpine-egress (graftd not built in $GRAFT_BIN)"; exit 0; }
mk_netns NS || { fail "alpine-egress: creating a netns"; exit 1; }
start_graftd || { fail "alpine-egress: starting graftd"; exit 1; }
SOCKDIR=${GRAFTD_SOCK%/*}
_b=$(port_base 2)
HP=$_b HPS=$((_b + 1))
HOSTIP=127.0.0.2
graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$NS" >/dev/null
printf 'broker /run/graft/graftd.sock\negress %s/32 ep-out\nverbose\n' "$HOSTIP" >"$DROP/etc/graft.conf"
cp "$DROP/etc/graft.conf" "$STOCK/etc/graft.conf"

W=$T_TMP/www
mkdir -p "$W"
TOK=$(token http)
echo "$TOK" >"$W/token"
bg python3 -m http.server --bind "$HOSTIP" --directory "$W" "$HP" >"$T_TMP/http.log" 2>&1
wait_for listening "" "$HP" || { fail "alpine-egress: python3 http.server did not start: $(cat "$T_TMP/http.log")"; t_done; }

# wget ROOT NAME URL [OPTION]...: busybox wget in ROOT, stdout to NAME.out
wget_in() {
	_r=$1 _n=$2 _u=$3; shift 3
	in_root "$_r" wget -q -T 5 "$@" -O - "$_u" >"$T_TMP/$_n.out" 2>"$T_TMP/$_n.err"
}
err() { tr '\n' ' ' <"$T_TMP/$1.err"; }

# 1. HTTP
wget_in "$DROP" http "http://$HOSTIP:$HP/token"
check "egress $HOSTIP/32: busybox wget in the namespace fetches from the host's http.server ($(cat "$T_TMP/http.out"))" \
	[ "$(cat "$T_TMP/http.out")" = "$TOK" ]
check "egress $HOSTIP/32: wget's connect was grafted ($(err http))" \
	grep -q "^graft: egress $HOSTIP/32 -> ep-out: fd [0-9]* grafted" "$T_TMP/http.err"
check "egress $HOSTIP/32: the host's server logged the GET" grep -q '"GET /token HTTP/1.1" 200' "$T_TMP/http.log"

# the control: Alpine's stock loader, same root, same graft.conf
wget_in "$STOCK" stock "http://$HOSTIP:$HP/token"
rc=$?
check "control: with Alpine's stock loader wget reaches nothing (exit $rc: $(err stock))" \
	[ $rc -ne 0 -a ! -s "$T_TMP/stock.out" ]

# 2. HTTPS: wget hands the grafted socket to ssl_client (libssl)
if ! command -v openssl >/dev/null; then
	skip "egress HTTPS (no openssl command on the host for s_server)"
elif [ ! -x "$DROP/usr/bin/ssl_client" ]; then
	skip "egress HTTPS (this root has no /usr/bin/ssl_client)"
elif ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=$HOSTIP -keyout "$T_TMP/key.pem" -out "$T_TMP/cert.pem" >"$T_TMP/req.log" 2>&1; then
	fail "egress HTTPS: openssl req: $(cat "$T_TMP/req.log")"
else
	STOK=$(token https)
	echo "$STOK" >"$W/stoken"
	(cd "$W" && exec openssl s_server -quiet -WWW -accept "$HOSTIP:$HPS" \
		-cert "$T_TMP/cert.pem" -key "$T_TMP/key.pem") >"$T_TMP/tls.log" 2>&1 &
	T_PIDS="$T_PIDS $!"
	if wait_for listening "" "$HPS"; then
		wget_in "$DROP" https "https://$HOSTIP:$HPS/stoken" --no-check-certificate
		check "egress HTTPS: busybox wget + ssl_client (libssl) fetch from the host's openssl s_server ($(cat "$T_TMP/https.out"); $(err https))" \
			[ "$(cat "$T_TMP/https.out")" = "$STOK" ]
		# without --no-check-certificate ssl_client checks the certificate
		# (a self-signed one): the handshake happens and is refused by it
		wget_in "$DROP" httpsv "https://$HOSTIP:$HPS/stoken"
		rc=$?
		check "egress HTTPS: ssl_client verifies: a self-signed certificate is refused (exit $rc)" \
			eval '[ $rc -ne 0 ] && [ ! -s "$T_TMP/httpsv.out" ] && grep -q "certificate verify failed" "$T_TMP/httpsv.err"'
	else
		fail "egress HTTPS: openssl s_server did not start: $(cat "$T_TMP/tls.log")"
	fi
fi

# 3. A name: the image's resolv.conf names $NSIP, only the host's loopback
# has a nameserver there; "dns ep-out" grafts the resolver's queries
if ! command -v dnsmasq >/dev/null; then
	fail "egress by name: dnsmasq is missing (./configure installs dnsmasq-base)"
else
	NSIP=127.77.$((HP % 250)).55
	bg dnsmasq -k -u root -C /dev/null --no-resolv --no-hosts --bind-interfaces \
		--listen-address="$NSIP" -p 53 --log-facility=- --log-queries --local=/test/ \
		--host-record=web.graft.test,$HOSTIP >"$T_TMP/dnsmasq.log" 2>&1
	if wait_for grep -q 'started, version' "$T_TMP/dnsmasq.log"; then
		for r in "$DROP" "$STOCK"; do
			printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$NSIP" >"$r/etc/resolv.conf"
			printf 'broker /run/graft/graftd.sock\negress %s/32 ep-out\ndns ep-out\nverbose\n' \
				"$HOSTIP" >"$r/etc/graft.conf"
		done
		wget_in "$DROP" byname "http://web.graft.test:$HP/token"
		check "dns ep-out: busybox wget fetches http://web.graft.test:$HP/ ($(cat "$T_TMP/byname.out"); $(err byname))" \
			[ "$(cat "$T_TMP/byname.out")" = "$TOK" ]
		check "dns ep-out: the resolver's query was grafted, then the connect" \
			sh -c "grep -q '^graft: dns -> ep-out: fd [0-9]* grafted' '$T_TMP/byname.err' &&
				grep -q '^graft: egress $HOSTIP/32 -> ep-out: fd [0-9]* grafted' '$T_TMP/byname.err' &&
				grep -q 'query\[A\] web.graft.test' '$T_TMP/dnsmasq.log'"
		wget_in "$STOCK" byname-stock "http://web.graft.test:$HP/token"
		rc=$?
		check "control: with Alpine's stock loader the name does not resolve (exit $rc: $(err byname-stock))" \
			[ $rc -ne 0 -a ! -s "$T_TMP/byname-stock.out" ]
	else
		fail "egress by name: dnsmasq did not start on $NSIP:53: $(tail -3 "$T_TMP/dnsmasq.log")"
	fi
fi
t_done
