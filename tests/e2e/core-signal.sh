#!/bin/sh
# core-signal.sh - the lazy load of graft.conf: a descriptor table full at
# the first socket() is not a broken config (the load is tried again), and
# socket()/bind()/close() in a signal handler during the load neither hang
# nor corrupt the config being parsed (tests/progs/core_signal.c); a
# handler that grafts while its thread is inside a graft neither hangs nor
# corrupts the exchange in progress.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup core-signal

SIG=$(test_app core_signal) || { fail "core-signal: building core_signal with graft-cc"; exit 1; }
ENOTRECOVERABLE=131
graftctl add ep-http type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
GRAFTED="grafted, host socket at 127.0.0.1:$P1"

# 1. EMFILE at the first socket(): stock bind, then a retry that grafts
conf verbose "ingress 0.0.0.0:8080 ep-http"
out=$(in_ns timeout 10 "$SIG" emfile 0.0.0.0 8080 2>"$T_TMP/e1")
check "emfile: loopback bind at the limit works as in stock musl ($(echo $out))" \
	has "$out" 'first ok'
check "emfile: loopback bind with fds free again works ($(echo $out))" \
	has "$out" '.*again ok'
check "emfile: an AF_GRAFT call before the retry asks no abstract-named broker ($(echo $out))" \
	has "$out" '.*abstract ok'
check "emfile: one line says the config will be read later ($(grep -c '^graft:' "$T_TMP/e1") lines)" \
	sh -c "[ \$(grep -c 'not read now' '$T_TMP/e1') -eq 1 ] && ! grep -q 'nothing will be grafted' '$T_TMP/e1'"
check "emfile: a later bind a rule matches is grafted ($(echo $out); $(grep "$GRAFTED" "$T_TMP/e1"))" \
	sh -c "expr '$(echo $out)' : '.*rule ok' >/dev/null && grep -q '$GRAFTED' '$T_TMP/e1'"

# ... and a config that is wrong is still broken, reported once
conf "ingress 0.0.0.0:8080 ep-http" "egress 10.0.0.0/40 ep-out"
out=$(in_ns timeout 10 "$SIG" emfile 0.0.0.0 8080 2>"$T_TMP/e2")
check "emfile, bad config: broken once read ($(echo $out))" \
	has "$out" "first ok.*rule errno $ENOTRECOVERABLE"
check "emfile, bad config: one 'nothing will be grafted' line" \
	[ "$(grep -c 'nothing will be grafted' "$T_TMP/e2")" -eq 1 ]

# 2, 3. handlers calling socket() during the load of a slow (large) config
{
	echo "broker $GRAFTD_SOCK"
	echo verbose
	awk 'BEGIN { for (i = 0; i < 8000; i++) printf "# padding line %d: the load takes a while %s\n", i, "..................................................................." }'
	echo "ingress 0.0.0.0:8080 ep-http"
	echo "ingress 0.0.0.0:8081 ep-b"
	echo "ingress 0.0.0.0:9000-9010 ep-c"
	echo "egress 10.0.0.0/8 ep-out"
	echo "egress 192.168.0.0/16 ep-out"
	echo "host db.example 10.1.2.3"
} >"$CONF"

# signal_runs MODE: up to 40 runs (sigalrm: the signal 60, 75 ... 645 us
# into the load), stopping at the first one that hangs or does not graft;
# prints "N runs ok" or what went wrong
signal_runs() {
	_i=0
	while [ $_i -lt 40 ]; do
		_o=$(in_ns timeout 3 "$SIG" "$1" 0.0.0.0 8080 $((60 + 15 * _i)) 2>"$T_TMP/sig.err"); _rc=$?
		if [ $_rc -ne 0 ]; then echo "run $_i: exit $_rc (124: hung) $_o"; return; fi
		if [ "$_o" != "rule ok" ] || ! grep -q "$GRAFTED" "$T_TMP/sig.err" ||
		   grep -q 'nothing will be grafted' "$T_TMP/sig.err"; then
			echo "run $_i: $_o $(grep '^graft:' "$T_TMP/sig.err" | head -n 1)"; return
		fi
		_i=$((_i + 1))
	done
	echo "$_i runs ok"
}
out=$(signal_runs sigthread)
check "handler on the loading thread (multi-threaded): no hang, config intact ($out)" \
	[ "$out" = "40 runs ok" ]
out=$(signal_runs sigalrm)
check "SIGALRM handler during the load (single-threaded): config intact ($out)" \
	[ "$out" = "40 runs ok" ]

# 4. a handler that grafts while this thread is inside a graft (a graftd
# exchange, a locked fd slot or pool): it never waits for its own thread
# and never interleaves a second exchange; its graft is made or refused
# with EAGAIN, and every graft of the interrupted code is made, each with
# its own endpoint's socket
graftctl add ep-b type ipv4 addr 127.0.0.1 port "$P2" netns "$NS" >/dev/null
# (view host: each bind must see its own endpoint's host port)
conf "view host" "ingress 0.0.0.0:8080 ep-http" "ingress 0.0.0.0:8081 ep-b"
for mode in single threads; do
	extra=; [ $mode = threads ] && extra=threads
	out=$(in_ns timeout 20 "$SIG" regraft 0.0.0.0 8080 2000 0.0.0.0 8081 "$P1" "$P2" $extra 2>"$T_TMP/re.err"); rc=$?
	check "handler grafting during grafts ($mode): no hang, nothing corrupted (exit $rc: $out)" \
		sh -c "[ $rc -eq 0 ] && expr '$out' : 'main 2000 ok 0 bad.* 0 bad' >/dev/null"
	check "handler grafting during grafts ($mode): the handler ran and grafted ($out)" \
		sh -c "expr '$out' : '.*handler [1-9][0-9]* ok' >/dev/null"
done
# ... and egress: connects (refused: nothing listens, the graft is made)
# through the egress pool's spares and batches (one key: a reply paired
# with the wrong request is not seen there; the threaded run hung before)
graftctl add ep-out type ipv4 addr 127.0.0.1 port dynamic netns "$NS" >/dev/null
conf "egress $HOSTIP/32 ep-out"
for mode in single threads; do
	extra=; [ $mode = threads ] && extra=threads
	out=$(in_ns timeout 20 "$SIG" reconnect "$HOSTIP" "$P3" 2000 $extra 2>"$T_TMP/rc.err"); rc=$?
	check "handler connecting during egress grafts ($mode): no hang, nothing corrupted (exit $rc: $out)" \
		sh -c "[ $rc -eq 0 ] && expr '$out' : 'main 2000 ok 0 bad.* 0 bad' >/dev/null"
	check "handler connecting during egress grafts ($mode): the handler ran and grafted ($out)" \
		sh -c "expr '$out' : '.*handler [1-9][0-9]* ok' >/dev/null"
done
t_done
