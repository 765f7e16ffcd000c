#!/bin/sh
# core-pool.sh - egress sockets from graftd in batches, kept by libc as
# spares (src/graft/pool.c): far fewer graftd requests than
# connections, options in effect on pooled sockets, fork, an app that
# takes over the spares' fd numbers, spares handed out by socket()
# itself, and "egress-batch 0".
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup core-pool

POOL=$(test_app pool_net) || { fail "core-pool: building pool_net with graft-cc"; t_done; }
graftctl add ep-out type ipv4 addr 127.0.0.1 port dynamic netns "$NS" >/dev/null
conf "egress $HOSTIP/32 ep-out"

requests() { graftctl stats | sed -n 's/^total requests \([0-9]*\) .*/\1/p'; }
sockets() { graftctl stats | sed -n 's/^total .* sockets \([0-9]*\).*/\1/p'; }

# run NAME CONNECTIONS ARGS...: a host server greeting CONNECTIONS clients
# then exiting, pool_net ARGS in the namespace; sets $out, $served (1 when
# the server accepted them all) and $req (graftd requests meanwhile)
run() {
	_n=$1 _c=$2; shift 2
	out="(not run: no server)" served=0 req=0
	on_host "$NET" serve-tcp "$HOSTIP" "$P1" "$_c" >"$T_TMP/srv.$_n" 2>&1 &
	_sp=$!
	ready "$T_TMP/srv.$_n" || { fail "$_n: server did not start"; kill $_sp; return 1; }
	_r0=$(requests)
	out=$(in_ns "$POOL" "$@" 2>&1)
	_r1=$(requests)
	req=$((_r1 - _r0))
	wait_for sh -c "! kill -0 $_sp 2>/dev/null"
	kill $_sp 2>/dev/null
	wait $_sp && served=1 || served=0
}


# 1. 50 connections: all answered, a handful of graftd requests
s0=$(sockets)
run crr 50 crr "$HOSTIP" "$P1" 50
s1=$(sockets)
check "pool: 50 connections, each answered by the host server ($out)" \
	[ "$out" = "ok 50" ]
check "pool: the host server accepted all 50" [ "$served" = 1 ]
check "pool: graftd served $req requests for 50 connections (1, then batches of 8)" \
	[ "$req" -ge 2 -a "$req" -le 10 ]
check "pool: graftd handed out $((s1 - s0)) sockets in those requests" \
	[ $((s1 - s0)) -ge 50 -a $((s1 - s0)) -le 64 ]
check "pool: TCP_NODELAY, SO_KEEPALIVE, SO_RCVBUF set before connect in effect on every pooled socket" \
	[ "$out" = "ok 50" ]

# 2. fork: the child holds none of the parent's spares, both connect
run fork 12 fork "$HOSTIP" "$P1" 5
check "pool: fork()ed child holds none of its parent's spares, both connect ($out)" \
	has "$out" 'ok parent had [1-9][0-9]* spares, child none'
check "pool: fork: the host server accepted all 12" [ "$served" = 1 ]

# 3. the app takes over every fd number it did not open, then closes all
run clobber 22 clobber "$HOSTIP" "$P1" 10
check "pool: dup2 over the spares' numbers, then closing all fds >= 3: still connects, nothing of the app's closed ($out)" \
	has "$out" 'ok [1-9][0-9]* fds taken over, all kept'
check "pool: clobber: the host server accepted all 22" [ "$served" = 1 ]

# 4. spares handed out by socket() (pool_spare.c), told from namespace
# sockets by their netns cookie
# spare NAME CONNECTIONS MODE ARG: one case of pool_net's spare modes
spare() { run "$1" "$2" "$3" "$HOSTIP" "$P1" "$4"; }
probe=$(in_ns "$POOL" spare-probe "$HOSTIP" "$P1" 0 2>&1)
case $probe in
"ok probe") ;;
skip*) skip "pool: spares handed out by socket(): ${probe#skip }" ;;
*) fail "pool: spare-probe: $probe" ;;
esac
case $probe in "ok probe"|skip*)
	spare spare 24 spare 4
	check "pool: socket() after two egress grafts returns a spare: 0.0.0.0:0 before connect, used as is by the connect, FD_CLOEXEC and O_NONBLOCK as asked ($out, $req graftd requests)" \
		[ "$out" = "ok 8 spares" -a "$served" = 1 -a "$req" -le 6 ]
	ip netns exec "$NS" env GRAFT=off "$NET" serve-tcp 127.0.0.1 "$P2" 1 >"$T_TMP/lsrv" 2>&1 &
	lsp=$!
	ready "$T_TMP/lsrv" || fail "pool: the namespace's server did not start"
	spare local 2 spare-local "$P2"
	check "pool: a spare connected to the namespace's own 127.0.0.1 becomes a namespace socket, with its options and its dup() ($out)" \
		[ "$out" = "ok local" -a "$served" = 1 ]
	kill $lsp 2>/dev/null; wait $lsp 2>/dev/null
	spare listen 2 spare-listen 0
	check "pool: listen() on a spare without bind listens in the namespace ($out)" \
		[ "$out" = "ok listen" -a "$served" = 1 ]
	spare reuse 3 spare-reuse 0
	check "pool: SO_REUSEADDR on a spare: a namespace socket takes it, grafted at connect with the option ($out)" \
		[ "$out" = "ok reuseaddr" -a "$served" = 1 ]
	spare bind0 3 spare-bind0 0
	check "pool: bind(0.0.0.0:0) on a spare, then connect: grafted ($out)" \
		[ "$out" = "ok bind0" -a "$served" = 1 ]
	if [ -n "${GRAFT_QEMU:-}" ]; then
		# qemu-user checks rt_sigprocmask's how before reading the set:
		# the probe cannot tell a bad page there (docs/core.md)
		skip "pool: bad pointers on a spare (under $GRAFT_QEMU a bad pointer faults before any check)"
	else
		spare efault 3 spare-efault 0
		check "pool: bad pointers on a spare: EFAULT, not SIGSEGV; then connects ($out)" \
			[ "$out" = "ok efault" -a "$served" = 1 ]
	fi
esac

# threads: spares, batches posted and collected by 8 threads at once
run threads 402 threads "$HOSTIP" "$P1" 50
check "pool: 8 threads x 50 connections at once, every one answered, no descriptor left behind ($out)" \
	[ "$out" = "ok 8 threads x 50" -a "$served" = 1 ]

# 5. graftd restarted while the client holds spares, a spare out and
# perhaps a batch posted: the next connections work with the new graftd
mkfifo "$T_TMP/go"
exec 3<>"$T_TMP/go"
on_host "$NET" serve-tcp "$HOSTIP" "$P1" 40 >"$T_TMP/srv.pause" 2>&1 &
sp=$!
if ready "$T_TMP/srv.pause"; then
	in_ns "$POOL" pause "$HOSTIP" "$P1" 20 <&3 >"$T_TMP/pause.out" 2>&1 &
	pp=$!
	wait_for grep -q paused "$T_TMP/pause.out" || fail "pool: pause: $(cat "$T_TMP/pause.out")"
	kill "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null
	rm -f "$GRAFTD_SOCK" "$GRAFTD_CTL"
	start_graftd || fail "pool: graftd restarts"
	graftctl add ep-out type ipv4 addr 127.0.0.1 port dynamic netns "$NS" >/dev/null
	echo go >&3
	wait $pp
	out=$(cat "$T_TMP/pause.out")
	check "pool: graftd restarted between connections: the client goes on with the new one ($(echo $out))" \
		[ "$(tail -n 1 "$T_TMP/pause.out")" = "ok 20 and 20" ]
else
	fail "pool: pause: server did not start"
fi
kill $sp 2>/dev/null; wait $sp 2>/dev/null
exec 3>&-

# 6. "verbose" names the connects that used a spare from socket()
conf "egress $HOSTIP/32 ep-out" verbose
run verbose 5 crr "$HOSTIP" "$P1" 5
n=$(printf '%s\n' "$out" | grep -c 'grafted, host socket at .* (a spare)$')
check "pool: verbose: connects 3 to 5 say they used a spare from socket() ($n lines)" \
	[ "$n" -eq 3 -a "$(printf '%s\n' "$out" | tail -n 1)" = "ok 5" -a "$served" = 1 ]

# 7. egress-batch 0: one request per connection
conf "egress $HOSTIP/32 ep-out" "egress-batch 0"
run off 20 crr "$HOSTIP" "$P1" 20
check "pool: egress-batch 0: one graftd request per connection ($req for 20, $out)" \
	[ "$out" = "ok 20" -a "$req" -eq 20 -a "$served" = 1 ]
t_done
