#!/bin/sh
# core-rules-broker.sh - graft.conf's "rules broker": the rules graftd
# gives the program's network namespace (GRAFT_OP_RULES), asked once when
# the configuration is loaded, added after the file's own, which win.
#
# 1-5 against tests/helpers/graft-fake-rules (a stand-in answering the
# rules request with canned or broken replies, and grafts with loopback
# host sockets): a container-side graft.conf of "broker" + "rules broker"
# only grafts a bind and a connect; a "local" line and a wider file rule
# win; every broken reply, an older graftd, no table and an unreachable
# broker leave no broker rule and one "verbose" line; a setuid program
# asks the broker of /etc/graft.conf only.
# 6 against the real graftd: "graftctl attach ... match" (issue 17): a
# bind, a connect, a port mapped for tcp and udp (one rule each), a udp
# bind on a tcp-only port (local), a local line, detach (no table);
# skipped with the reason where graftctl does not know "attach".
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup core-rules-broker

FAKEBIN=$GRAFT_BUILD/tests/graft-fake-rules
if [ ! -x "$FAKEBIN" ]; then skip "core-rules-broker (not built: $FAKEBIN)"; exit 0; fi
ECONNREFUSED=111
# ports: P1..P6 from core_setup; host ports of the fake's endpoints after them
HP1=$((P6 + 1)) HP2=$((P6 + 2)) HP3=$((P6 + 3))
mkdir -p "$T_TMP/fake"
FAKE=$T_TMP/fake/rules.sock
FAKELOG=$T_TMP/fake.log

# fake [-m MODE] RULE...: (re)starts the stand-in broker at $FAKE
FAKEPID=
fake() {
	[ -n "$FAKEPID" ] && kill "$FAKEPID" 2>/dev/null && wait "$FAKEPID" 2>/dev/null
	rm -f "$FAKE"
	: >"$FAKELOG"
	bg "$FAKEBIN" "$@" >>"$FAKELOG" 2>&1
	FAKEPID=$!
	wait_for grep -q '^ready' "$FAKELOG" || fail "fake broker did not start: $(cat "$FAKELOG")"
}
# fake's argument order: the socket after the mode
fake_rules() { fake "$FAKE" "$@"; }
fake_mode() { _m=$1; shift; fake -m "$_m" "$FAKE" "$@"; }

# rconf LINE...: a graft.conf naming the fake broker
rconf() { { echo "broker $FAKE"; for _l in "$@"; do echo "$_l"; done; } >"$CONF"; }
lines() { grep '^graft:' "$1"; }
nlines() { grep -c '^graft:' "$1"; }

# 1. "broker" + "rules broker" only: the rules come from the broker
fake_rules in 0 - "$P1" "$P1" p-in "$HP1" in 0 - "$P2" "$P2" p-shadow "$HP2" \
	eg 4 "$HOSTIP" 32 e-out
rconf "rules broker" verbose
bg in_ns "$NET" serve-tcp 0.0.0.0 "$P1" 1 >"$T_TMP/s1" 2>"$T_TMP/s1.err"
if ready "$T_TMP/s1"; then
	out=$(on_host "$NET" client-tcp 127.0.0.1 "$HP1" 2>&1)
	check "rules broker alone: a bind to 0.0.0.0:$P1 is grafted by the broker's *:$P1, a host client at 127.0.0.1:$HP1 gets the reply ($out)" \
		has "$out" '.*reply=hello from'
else
	fail "rules broker alone: server did not start: $(cat "$T_TMP/s1" "$T_TMP/s1.err")"
fi
wait_for sh -c "! kill -0 $! 2>/dev/null"
check "verbose: the rules and where they came from ($(lines "$T_TMP/s1.err"))" sh -c "
	grep -qxF 'graft: rules broker: broker $FAKE: 3 rules' '$T_TMP/s1.err' &&
	grep -qxF 'graft: broker rule 1: ingress *:$P1 -> p-in' '$T_TMP/s1.err' &&
	grep -qxF 'graft: broker rule 2: ingress *:$P2 -> p-shadow' '$T_TMP/s1.err' &&
	grep -qxF 'graft: broker rule 3: egress $HOSTIP/32 -> e-out' '$T_TMP/s1.err'"
check "the broker was asked for p-in ($(tr '\n' ' ' <"$FAKELOG"))" grep -qx "graft p-in in $P1" "$FAKELOG"

bg on_host "$NET" serve-tcp "$HOSTIP" "$P4" 1 >"$T_TMP/s2" 2>&1
ready "$T_TMP/s2"
out=$(in_ns "$NET" client-tcp "$HOSTIP" "$P4" 2>"$T_TMP/c2.err")
check "egress by the broker's $HOSTIP/32: the client reaches the host server ($out)" \
	has "$out" 'nodelay=1 so_error=0 reply=hello from'
check "the broker was asked for e-out" grep -qx "graft e-out eg 0" "$FAKELOG"

rconf "rules broker"
n0=$(grep -c '^rules' "$FAKELOG")
out=$(in_ns "$NET" bind 0.0.0.0 "$P1" 2>"$T_TMP/q.err")
check "without verbose: grafted, no line ($out; $(lines "$T_TMP/q.err"))" \
	sh -c "[ '$out' = 'ok 0.0.0.0:$P1' ] && [ $(nlines "$T_TMP/q.err") = 0 ]"
check "each process asks once ($(grep -c '^rules' "$FAKELOG") after $n0)" \
	[ "$(grep -c '^rules' "$FAKELOG")" = $((n0 + 1)) ]
# a forked child keeps its parent's rules and asks nothing more
bg on_host "$NET" serve-tcp "$HOSTIP" "$P5" 3 >"$T_TMP/s3" 2>&1
if ready "$T_TMP/s3"; then
	n0=$(grep -c '^rules' "$FAKELOG") e0=$(grep -c '^graft e-out' "$FAKELOG")
	out=$(in_ns "$NET" fork-client "$HOSTIP" "$P5" 2>&1)
	check "fork: parent and child reach the host server by the broker's egress rule ($out)" \
		[ "$out" = "parent and child ok" ]
	check "fork: one rules request for parent and child, three grafts ($(grep -c '^graft e-out' "$FAKELOG") after $e0)" \
		sh -c "[ $(grep -c '^rules' "$FAKELOG") = $((n0 + 1)) ] &&
		[ $(grep -c '^graft e-out eg' "$FAKELOG") -ge $((e0 + 3)) ]"
else
	fail "fork: host server did not start: $(cat "$T_TMP/s3")"
fi

# a port mapped for tcp and for udp comes as one rule each, with its
# protocol: each socket type is grafted by its own at once
fake_rules in 0 - "$P3" "$P3" t-dns "$HP3" tcp in 0 - "$P3" "$P3" u-dns "$HP3" udp
rconf "rules broker" verbose
bg in_ns "$NET" serve-udp 0.0.0.0 "$P3" >"$T_TMP/u1" 2>"$T_TMP/u1.err"
if ready "$T_TMP/u1"; then
	out=$(on_host "$NET" client-udp 127.0.0.1 "$HP3" 2>&1)
	check "tcp and udp rules: a udp bind is grafted by u-dns, t-dns never asked ($out; $(tr '\n' ' ' <"$FAKELOG"))" sh -c "
		[ '$out' = 'reply=pong:ping' ] && ! grep -q 't-dns' '$FAKELOG' &&
		grep -qx 'graft u-dns in $P3' '$FAKELOG' &&
		grep -qxF 'graft: ingress *:$P3 udp -> u-dns: fd 3 grafted, host socket at 127.0.0.1:$HP3' '$T_TMP/u1.err'"
	check "tcp and udp rules: verbose says each rule's protocol ($(lines "$T_TMP/u1.err"))" sh -c "
		grep -qxF 'graft: broker rule 1: ingress *:$P3 tcp -> t-dns' '$T_TMP/u1.err' &&
		grep -qxF 'graft: broker rule 2: ingress *:$P3 udp -> u-dns' '$T_TMP/u1.err'"
else
	fail "tcp and udp rules: udp server did not start: $(cat "$T_TMP/u1" "$T_TMP/u1.err")"
fi
: >"$FAKELOG"
out=$(in_ns "$NET" bind 0.0.0.0 "$P3" 2>/dev/null)
check "tcp and udp rules: a tcp bind gets t-dns, u-dns never asked ($out; $(tr '\n' ' ' <"$FAKELOG"))" sh -c "
	[ '$out' = 'ok 0.0.0.0:$P3' ] &&
	grep -qx 'graft t-dns in $P3' '$FAKELOG' && ! grep -q 'u-dns' '$FAKELOG'"
# a port mapped for tcp alone: a udp bind stays in the namespace (no
# mapping for udp, as docker's and podman's), the tcp bind is grafted
fake_rules in 0 - "$P3" "$P3" t-only "$HP3" tcp
rconf "rules broker" verbose
bg in_ns "$NET" serve-udp 0.0.0.0 "$P3" >"$T_TMP/u2" 2>"$T_TMP/u2.err"
if ready "$T_TMP/u2"; then
	out=$(in_ns "$NET" client-udp 127.0.0.1 "$P3" 2>/dev/null)
	check "tcp-only rule: a udp server on *:$P3 stays local, a client inside reaches it, the broker is not asked ($out; $(lines "$T_TMP/u2.err"); $(tr '\n' ' ' <"$FAKELOG"))" sh -c "
		[ '$out' = 'reply=pong:ping' ] && ! grep -q '^graft ' '$FAKELOG' &&
		grep -qxF 'graft: bind 0.0.0.0:$P3 kept local: ingress *:$P3 tcp -> t-only is tcp only' '$T_TMP/u2.err'"
else
	fail "tcp-only rule: udp server did not start: $(cat "$T_TMP/u2" "$T_TMP/u2.err")"
fi
out=$(in_ns "$NET" bind 0.0.0.0 "$P3" 2>"$T_TMP/u3.err")
check "tcp-only rule: the tcp bind to *:$P3 is grafted by t-only ($out; $(lines "$T_TMP/u3.err"); $(tr '\n' ' ' <"$FAKELOG"))" sh -c "
	[ '$out' = 'ok 0.0.0.0:$P3' ] && grep -qx 'graft t-only in $P3' '$FAKELOG' &&
	grep -qxF 'graft: ingress *:$P3 tcp -> t-only: fd 3 grafted, host socket at 127.0.0.1:$HP3' '$T_TMP/u3.err'"
fake_rules in 0 - "$P1" "$P1" p-in "$HP1" in 0 - "$P2" "$P2" p-shadow "$HP2" \
	eg 4 "$HOSTIP" 32 e-out

# 2. the file's rules win
rconf "rules broker" verbose "ingress *:$P2 local"
out=$(in_ns "$NET" bind 0.0.0.0 "$P2" 2>"$T_TMP/v.err")
check "a local line wins over the broker's *:$P2 ($out; $(lines "$T_TMP/v.err"))" sh -c "
	[ '$out' = 'ok 0.0.0.0:$P2' ] &&
	grep -qxF 'graft: bind 0.0.0.0:$P2 kept local: ingress *:$P2 -> local' '$T_TMP/v.err'"
check "the broker was never asked for p-shadow" sh -c "! grep -q 'p-shadow' '$FAKELOG'"
rconf "rules broker" verbose "ingress 0.0.0.0:$P1-$P3 local"
out=$(in_ns "$NET" bind 0.0.0.0 "$P1" 2>"$T_TMP/v.err")
check "a wider local range shadows the broker's narrower *:$P1 ($(lines "$T_TMP/v.err"))" \
	grep -qxF "graft: bind 0.0.0.0:$P1 kept local: ingress 0.0.0.0:$P1-$P3 -> local" "$T_TMP/v.err"
n0=$(grep -c "^graft p-in in $P1" "$FAKELOG")
out=$(in_ns "$NET" bind :: "$P1" 2>"$T_TMP/v.err")
check "... but not [::]:$P1, which the 0.0.0.0 rule does not match: the broker's * rule grafts it ($out)" \
	sh -c "[ '$out' = 'ok [::]:$P1' ] && [ $(grep -c "^graft p-in in $P1" "$FAKELOG") = $((n0 + 1)) ]"
rconf "rules broker" verbose "egress $HOSTIP/32 local"
out=$(in_ns "$NET" connect "$HOSTIP" "$P4" 2>"$T_TMP/v.err")
check "a local egress line wins over the broker's $HOSTIP/32 ($out; $(lines "$T_TMP/v.err"))" sh -c "
	[ '$out' = 'errno $ECONNREFUSED' ] &&
	grep -qxF 'graft: connect $HOSTIP:$P4 kept local: egress $HOSTIP/32 -> local' '$T_TMP/v.err'"

# 3. no broker rules, one line: replies graftd may send, broken ones, and
# no broker at all; the program's bind then stays in the namespace
# bad MODE WHY: the fake in MODE, the line ends with WHY
bad() {
	fake_mode "$1" in 0 - "$P1" "$P1" p-in "$HP1" eg 4 "$HOSTIP" 32 e-out
	rconf "rules broker" verbose
	_o=$(in_ns "$NET" bind 0.0.0.0 "$P1" 2>"$T_TMP/b.err"); _rc=$?
	check "$1: no broker rules, the bind stays local, one line ($_o; rc $_rc; $(lines "$T_TMP/b.err"))" sh -c "
		[ '$_o' = 'ok 0.0.0.0:$P1' ] && [ $(nlines "$T_TMP/b.err") = 1 ] &&
		grep -qxF 'graft: rules broker: broker $FAKE: $2; no broker rules' '$T_TMP/b.err'"
}
bad nons "no endpoint table for this network namespace"
bad malformed "graftd refused the request as malformed (one older than GRAFT_OP_RULES)"
bad short "bad reply: 147 bytes"
bad odd "bad reply: 41 bytes of rules"
bad badrule "bad reply: rule 2: bad protocol"
bad many "Protocol error"	# 33 rules: longer than any reply may be
bad fd "Protocol error"
rconf "rules broker" verbose
echo "broker $T_TMP/fake/none.sock" >>"$CONF"
out=$(in_ns "$NET" bind 0.0.0.0 "$P1" 2>"$T_TMP/b.err")
check "no broker: one line, the bind stays local ($out; $(lines "$T_TMP/b.err"))" sh -c "
	[ '$out' = 'ok 0.0.0.0:$P1' ] && [ $(nlines "$T_TMP/b.err") = 1 ] &&
	grep -qxF 'graft: rules broker: broker $T_TMP/fake/none.sock: connect: No such file or directory; no broker rules' '$T_TMP/b.err'"
# the file's rules still work without the broker's
rconf "rules broker" "ingress 0.0.0.0:$P1 ep-in"
echo "broker $T_TMP/fake/none.sock" >>"$CONF"
out=$(in_ns "$NET" bind 0.0.0.0 "$P1" 2>"$T_TMP/b.err")
check "no broker, no verbose: no line; the file's rule still applies (graftd unreachable: ENETUNREACH) ($out)" \
	sh -c "[ '$out' = 'errno 101' ] && grep -c '^graft:' '$T_TMP/b.err' | grep -qx 1 &&
	grep -q '^graft: ingress 0.0.0.0:$P1 -> ep-in: broker' '$T_TMP/b.err'"
rconf "rules broker"
echo "rules broker" >>"$CONF"
out=$(in_ns "$NET" bind 0.0.0.0 "$P1" 2>"$T_TMP/b.err")
check "'rules' twice: a broken configuration ($(lines "$T_TMP/b.err"))" \
	grep -qxF "graft: $CONF:3: 'rules' given twice; nothing will be grafted" "$T_TMP/b.err"

# 4. GRAFT_BROKER (not secure) names the broker of the rules too
fake_rules in 0 - "$P1" "$P1" p-in "$HP1"
{ echo "broker $T_TMP/fake/none.sock"; echo "rules broker"; echo verbose; } >"$CONF"
out=$(ip netns exec "$NS" env GRAFT_CONF="$CONF" GRAFT_BROKER="$FAKE" "$NET" bind 0.0.0.0 "$P1" 2>"$T_TMP/e.err")
check "GRAFT_BROKER: the rules come from it ($(lines "$T_TMP/e.err"))" \
	grep -qxF "graft: rules broker: broker $FAKE: 1 rule" "$T_TMP/e.err"

# 5. secure execution: a setuid program asks the broker /etc/graft.conf
# names, never one of its caller's variables (core-secure.sh's setup)
secure() {
	for _c in setpriv unshare timeout; do
		command -v $_c >/dev/null || { skip "secure: $_c not installed"; return; }
	done
	[ -n "${GRAFT_QEMU:-}" ] && { skip "secure: programs run under $GRAFT_QEMU, never setuid"; return; }
	[ -e /etc/graft.conf ] && { skip "secure: this host has /etc/graft.conf"; return; }
	case ",$(findmnt -no OPTIONS -T "$T_TMP")," in
	*,nosuid,*) skip "secure: $T_TMP is on a nosuid mount"; return ;;
	esac
	chmod 0711 "$T_TMP"
	install -o root -g root -m 4755 "$NET" "$T_TMP/net-suid"
	mkdir -p "$T_TMP/etc" "$T_TMP/etc.work"
	{ echo "broker $FAKE"; echo "rules broker"; echo verbose; } >"$T_TMP/etc/graft.conf"
	{ echo "broker $T_TMP/fake/evil.sock"; echo "rules broker"; } >"$T_TMP/evil.conf"
	"$FAKEBIN" "$T_TMP/fake/evil.sock" in 0 - "$P1" "$P1" evil "$HP3" >"$T_TMP/evil.log" 2>&1 &
	_ev=$!
	T_PIDS="$T_PIDS $_ev"
	wait_for grep -q '^ready' "$T_TMP/evil.log"
	n0=$(grep -c '^rules' "$FAKELOG")
	_o=$(timeout 10 unshare -m sh -c 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$1.work" /etc ||
		exit 99; shift; exec "$@"' sh "$T_TMP/etc" setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		env -i PATH=/usr/bin:/bin GRAFT_CONF="$T_TMP/evil.conf" GRAFT_BROKER="$T_TMP/fake/evil.sock" \
		"$T_TMP/net-suid" bind 0.0.0.0 "$P1" 2>"$T_TMP/s.err")
	if [ $? -eq 99 ]; then skip "secure: cannot mount an overlay on /etc"; return; fi
	check "setuid: the rules of /etc/graft.conf's broker, not the caller's ($_o; $(lines "$T_TMP/s.err"))" sh -c "
		grep -qxF 'graft: rules broker: broker $FAKE: 1 rule' '$T_TMP/s.err' &&
		[ \$(grep -c '^rules' '$FAKELOG') = $((n0 + 1)) ] &&
		[ \$(grep -c '^rules' '$T_TMP/evil.log') = 0 ]"
}
secure

# 6. the real graftd: an attachment's "match" rules (graftctl attach)
out=$(graftctl attach "rb-$$/eth0" netns "/run/netns/$NS" \
	endpoint p0 type ipv4 addr 127.0.0.1 port "$HP2" direction ingress proto tcp match "*:$P1" \
	endpoint e0 type ipv4 addr 127.0.0.1 port dynamic direction egress match "$HOSTIP/32" \
	endpoint pt type ipv4 addr 127.0.0.1 port "$HP3" direction ingress proto tcp match "*:$P3" \
	endpoint pu type ipv4 addr 127.0.0.1 port "$HP3" direction ingress proto udp match "*:$P3" 2>&1)
rc=$?
if [ $rc -ne 0 ] && has "$out" '.*"attach" is unknown'; then
	skip "graftd: graftctl has no 'attach' yet (issue 17, branch cni-attach): $out"
elif [ $rc -ne 0 ]; then
	fail "graftd: attach refused (rc $rc): $out"
else
	{ echo "broker $GRAFTD_SOCK"; echo "rules broker"; } >"$CONF"
	bg in_ns "$NET" serve-tcp 0.0.0.0 "$P1" 1 >"$T_TMP/g1" 2>"$T_TMP/g1.err"
	if ready "$T_TMP/g1"; then
		out=$(on_host "$NET" client-tcp 127.0.0.1 "$HP2" 2>&1)
		check "graftd: bind *:$P1 grafted by the attachment's match, host client at 127.0.0.1:$HP2 ($out)" \
			has "$out" '.*reply=hello from'
	else
		fail "graftd: server did not start: $(cat "$T_TMP/g1" "$T_TMP/g1.err")"
	fi
	bg on_host "$NET" serve-tcp "$HOSTIP" "$P5" 1 >"$T_TMP/g2" 2>&1
	ready "$T_TMP/g2"
	out=$(in_ns "$NET" client-tcp "$HOSTIP" "$P5" 2>&1)
	check "graftd: egress by the attachment's $HOSTIP/32 ($out)" \
		has "$out" 'nodelay=1 so_error=0 reply=hello from'
	# a port mapped for tcp and udp: one rule each, the udp bind gets
	# pu's host socket, the tcp one pt's
	{ echo "broker $GRAFTD_SOCK"; echo "rules broker"; echo verbose; } >"$CONF"
	bg in_ns "$NET" serve-udp 0.0.0.0 "$P3" >"$T_TMP/g5" 2>"$T_TMP/g5.err"
	if ready "$T_TMP/g5"; then
		out=$(on_host "$NET" client-udp 127.0.0.1 "$HP3" 2>&1)
		check "graftd: tcp and udp rules: a udp server on *:$P3 gets pu's host socket ($out; $(lines "$T_TMP/g5.err"))" sh -c "
			[ '$out' = 'reply=pong:ping' ] &&
			grep -qxF 'graft: broker rule 3: ingress *:$P3 tcp -> pt' '$T_TMP/g5.err' &&
			grep -qxF 'graft: broker rule 4: ingress *:$P3 udp -> pu' '$T_TMP/g5.err' &&
			grep -qxF 'graft: ingress *:$P3 udp -> pu: fd 3 grafted, host socket at 127.0.0.1:$HP3' '$T_TMP/g5.err'"
	else
		fail "graftd: tcp and udp rules: udp server did not start: $(cat "$T_TMP/g5" "$T_TMP/g5.err")"
	fi
	bg in_ns "$NET" serve-tcp 0.0.0.0 "$P3" 1 >"$T_TMP/g6" 2>&1
	if ready "$T_TMP/g6"; then
		out=$(on_host "$NET" client-tcp 127.0.0.1 "$HP3" 2>&1)
		check "graftd: tcp and udp rules: a tcp server on *:$P3 gets pt's ($out)" has "$out" '.*reply=hello from'
	else
		fail "graftd: tcp and udp rules: tcp server did not start: $(cat "$T_TMP/g6")"
	fi
	# p0 maps *:$P1 for tcp alone: a udp server there stays local
	bg in_ns "$NET" serve-udp 0.0.0.0 "$P1" >"$T_TMP/g7" 2>"$T_TMP/g7.err"
	if ready "$T_TMP/g7"; then
		out=$(in_ns "$NET" client-udp 127.0.0.1 "$P1" 2>/dev/null)
		check "graftd: tcp-only p0: a udp server on *:$P1 stays local, a client inside reaches it ($out; $(lines "$T_TMP/g7.err"))" sh -c "
			[ '$out' = 'reply=pong:ping' ] &&
			grep -qxF 'graft: bind 0.0.0.0:$P1 kept local: ingress *:$P1 tcp -> p0 is tcp only' '$T_TMP/g7.err'"
	else
		fail "graftd: tcp-only p0: udp server did not start: $(cat "$T_TMP/g7" "$T_TMP/g7.err")"
	fi
	{ echo "broker $GRAFTD_SOCK"; echo "rules broker"; echo verbose; echo "ingress *:$P1 local"; } >"$CONF"
	out=$(in_ns "$NET" bind 0.0.0.0 "$P1" 2>"$T_TMP/g3.err")
	check "graftd: a local line wins ($out; $(lines "$T_TMP/g3.err"))" sh -c "
		[ '$out' = 'ok 0.0.0.0:$P1' ] &&
		grep -qxF 'graft: bind 0.0.0.0:$P1 kept local: ingress *:$P1 -> local' '$T_TMP/g3.err' &&
		grep -qxF 'graft: rules broker: broker $GRAFTD_SOCK: 4 rules' '$T_TMP/g3.err'"
	graftctl detach "rb-$$/eth0" >/dev/null
	{ echo "broker $GRAFTD_SOCK"; echo "rules broker"; echo verbose; } >"$CONF"
	out=$(in_ns "$NET" bind 0.0.0.0 "$P1" 2>"$T_TMP/g4.err")
	check "graftd: after detach, no table: one line, the bind stays local ($out; $(lines "$T_TMP/g4.err"))" sh -c "
		[ '$out' = 'ok 0.0.0.0:$P1' ] &&
		grep -qxF 'graft: rules broker: broker $GRAFTD_SOCK: no endpoint table for this network namespace; no broker rules' '$T_TMP/g4.err'"
fi
t_done
