#!/bin/sh
# ingress.sh - Alpine's own busybox `nc -l -p 8080`, unmodified, chrooted
# in the Alpine root with graft's drop-in, in a network namespace with only
# lo, serves a host client through graftd: IPv4 and IPv6 clients.
#
# busybox nc binds [::]:8080 with IPV6_V6ONLY off (a dual-stack wildcard
# bind, as nginx `listen [::]:80`).  An [::] rule on an ipv6 endpoint at ::
# grafts it (graftd makes that socket dual-stack); so does the documented
# rule for any wildcard, `ingress *:8080 EP` (graft.conf(5), "Dual-stack
# wildcard binds").
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/alpine.inc"

alpine_setup "alpine-ingress" "$GRAFT_TARGET"
need_netns "alpine-ingress"
command -v python3 >/dev/null || { skip "alpine-ingress (python3 is not installed: the host client)"; exit 0; }
[ -x "$GRAFT_BIN/graftd" ] || { skip "alpine-ingress (graftd not built in $GRAFT_BIN)"; exit 0; }
mk_netns NS || { fail "alpine-ingress: creating a netns"; exit 1; }
start_graftd || { fail "alpine-ingress: starting graftd"; exit 1; }
SOCKDIR=${GRAFTD_SOCK%/*}
HP=$(port_base 2)
graftctl add ep6 type ipv6 addr :: port "$HP" netns "$NS" >/dev/null
V6=yes
[ "$(cat /proc/sys/net/ipv6/bindv6only 2>/dev/null)" = 0 ] || V6=
ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128' || V6=

# serve ROOT NAME RULE: graft.conf with RULE in ROOT, then busybox nc -l
# there answering one connection with a token ($TOK); its stdout (what
# the client sent) and stderr in $T_TMP/NAME.out / .err
serve() {
	printf 'broker /run/graft/graftd.sock\n%s\nverbose\n' "$3" >"$1/etc/graft.conf"
	TOK=$(token "$2")
	RTIME=15 bg in_root "$1" /bin/sh -c 'echo "$0" | exec nc -l -p 8080' "$TOK" \
		>"$T_TMP/$2.out" 2>"$T_TMP/$2.err"
	SERVER=$!
}
stop() { kill $(tree "$SERVER") 2>/dev/null; wait "$SERVER" 2>/dev/null; }
grants() { graftctl stats | sed -n "s/^ep6 netns $NS requests [0-9]* grants \([0-9]*\).*/\1/p"; }
err() { tr '\n' ' ' <"$T_TMP/$1.err"; }

# 1. the rule of today, an IPv4 client, then an IPv6 one
g0=$(grants)
serve "$DROP" v4 "ingress [::]:8080 ep6"
if up "" "$HP" "$SERVER"; then
	out=$(tcp_talk 127.0.0.1 "$HP" "hello-v4")
	check "ingress [::]:8080: busybox nc -l in the namespace answers a host IPv4 client on 127.0.0.1:$HP ($out)" \
		[ "$out" = "$TOK" ]
	wait_for grep -q hello-v4 "$T_TMP/v4.out"
	check "ingress [::]:8080: nc got the host client's line ($(cat "$T_TMP/v4.out"))" \
		[ "$(cat "$T_TMP/v4.out")" = hello-v4 ]
	check "ingress [::]:8080: nc's bind was grafted onto graftd's host socket ($(err v4))" \
		grep -q "^graft: ingress \[::\]:8080 -> ep6: fd [0-9]* grafted, host socket at \[::\]:$HP\$" "$T_TMP/v4.err"
	check "ingress [::]:8080: graftd granted it ($(grants) grants)" [ "$(grants)" = $((g0 + 1)) ]
else
	fail "ingress [::]:8080: nc -l in the drop-in root: no host socket on port $HP ($(err v4))"
fi
stop

if [ -n "$V6" ]; then
	serve "$DROP" v6 "ingress [::]:8080 ep6"
	if up "" "$HP" "$SERVER"; then
		out=$(tcp_talk ::1 "$HP" "hello-v6")
		check "ingress [::]:8080: busybox nc -l answers a host IPv6 client on [::1]:$HP ($out)" \
			[ "$out" = "$TOK" ]
	else
		fail "ingress [::]:8080: nc -l in the drop-in root: no host socket on port $HP ($(err v6))"
	fi
	stop
else
	skip "ingress [::]:8080 with an IPv6 client (no ::1 on the host's lo, or net.ipv6.bindv6only=1)"
fi

# 2. the control: the same nc with Alpine's own loader stays in the namespace
serve "$STOCK" stock "ingress [::]:8080 ep6"
if up "$NS" 8080 "$SERVER"; then
	out=$(tcp_talk 127.0.0.1 "$HP" "hello-stock")
	check "control: with Alpine's stock loader nc listens in the namespace only; the host client is refused ($out)" \
		eval 'case $out in "error: Connection refused") true ;; *) false ;; esac && ! grep -q "^graft" "$T_TMP/stock.err"'
else
	fail "control: nc -l in the stock root did not listen ($(err stock))"
fi
stop

# 3. the dual-stack rule: one rule for whatever wildcard the program binds.
DS="rule 'ingress *:8080':"
for fam in 4 6; do
	[ $fam = 6 ] && [ -z "$V6" ] && { skip "$DS IPv6 client (no ::1 / bindv6only)"; continue; }
	serve "$DROP" star$fam "ingress *:8080 ep6"
	addr=127.0.0.1; [ $fam = 6 ] && addr=::1
	if up "" "$HP" "$SERVER"; then
		out=$(tcp_talk $addr "$HP" "hello-star")
		check "$DS busybox nc -l answers a host IPv$fam client ($out)" [ "$out" = "$TOK" ]
	else
		fail "$DS busybox nc -l, host IPv$fam client: no host socket on port $HP ($(err star$fam))"
	fi
	stop
done
t_done
