#!/bin/sh
# core-stock.sh - where no rule applies, a graft-cc program behaves as the
# same program built with Debian's musl-gcc.  tests/progs/stock_net.c
# (bad fds, non-sockets, bad families and lengths, SOCK_NONBLOCK and
# SOCK_CLOEXEC, pthread_cancel and EINTR in accept/recv/connect, fds at
# RLIMIT_NOFILE, bad pointers) is built both ways and run in a lo-only
# namespace: without graft.conf, with rules none of its addresses match,
# and, for the bad pointers, with rules that do match (the hooks must not
# fault where the kernel answers EFAULT).  One exception remains without a
# config, by design (docs/afgraft.md): AF_GRAFT (4) exists.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup core-stock
# the comparison is with the host's musl-gcc: under check-cross's qemu-user
# the target's errno and bad-pointer behaviour are qemu's, not the kernel's
if [ -n "${GRAFT_QEMU:-}" ]; then
	skip "core-stock (${GRAFT_TARGET:-cross} programs run under $GRAFT_QEMU: compared with native musl-gcc only)"
	exit 0
fi

if ! command -v musl-gcc >/dev/null; then
	fail "musl-gcc is missing (./configure installs musl-tools)"
	t_done
fi
PROBE=$(test_app stock_net) || { fail "building stock_net with graft-cc"; t_done; }
STOCK=$T_TMP/stock_net.stock
musl-gcc -static -O2 -o "$STOCK" "$GRAFT_TOP/tests/progs/stock_net.c" 2>/dev/null ||
	{ fail "building stock_net with musl-gcc"; t_done; }
graftctl add ep-http type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null
graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$NS" >/dev/null
PORT=$(port_base 8)

# run TAG CONF MODE: both builds in the namespace (CONF empty: no config);
# the outputs are $T_TMP/TAG.stock and $T_TMP/TAG.graft
run() {
	for _v in stock graft; do
		_b=$PROBE
		[ $_v = stock ] && _b=$STOCK
		if [ -n "$2" ]; then
			ip netns exec "$NS" env GRAFT_CONF="$2" timeout 60 "$_b" "$3" "$PORT" \
				>"$T_TMP/$1.$_v" 2>"$T_TMP/$1.$_v.err"
		else
			ip netns exec "$NS" env -u GRAFT_CONF -u GRAFT timeout 60 "$_b" "$3" "$PORT" \
				>"$T_TMP/$1.$_v" 2>"$T_TMP/$1.$_v.err"
		fi
		echo "exit $?" >>"$T_TMP/$1.$_v"
	done
}

# same TAG TEXT: the outputs are identical (the first differences shown)
same() {
	if cmp -s "$T_TMP/$1.stock" "$T_TMP/$1.graft"; then
		pass "$2 ($(wc -l <"$T_TMP/$1.stock") lines)"
	else
		fail "$2"
		diff "$T_TMP/$1.stock" "$T_TMP/$1.graft" | head -n 20
	fi
}

MODES="errno flags limit block efault"
conf "ingress 0.0.0.0:$P6 ep-http" "egress 10.99.0.0/16 ep-out" "egress fd00:99::/32 ep-out"
cp "$CONF" "$T_TMP/nomatch.conf"
conf "ingress 0.0.0.0:$((PORT + 6)) ep-http" "ingress [::]:$((PORT + 6)) ep-http" \
	"egress 0.0.0.0/0 ep-out" "egress ::/0 ep-out"
cp "$CONF" "$T_TMP/match.conf"

# 1. no graft.conf
if [ -e /etc/graft.conf ]; then
	skip "no graft.conf: as musl-gcc (this host has /etc/graft.conf)"
else
	for m in $MODES; do
		run "none-$m" "" "$m"
		same "none-$m" "no graft.conf, $m: as musl-gcc"
	done
	# the exception: AF_GRAFT without a config (docs/afgraft.md)
	run none-afg "" afgraft
	check "no graft.conf: socket(4) and getaddrinfo(ai_family 4) work, unlike stock musl (the AF_GRAFT exception)" \
		sh -c "grep -q '^socket(4, SOCK_STREAM, 0): ok' '$T_TMP/none-afg.graft' &&
			grep -q '^getaddrinfo(ep-http, ai_family 4): 0' '$T_TMP/none-afg.graft' &&
			grep -q '^socket(4, SOCK_STREAM, 0): -1 e=97' '$T_TMP/none-afg.stock' &&
			grep -q '^getaddrinfo(ep-http, ai_family 4): -6' '$T_TMP/none-afg.stock'"
	grep -q '^rlimit raised to 1048576: yes' "$T_TMP/none-limit.stock" ||
		skip "fd 1048575: RLIMIT_NOFILE cannot be raised here (no CAP_SYS_RESOURCE), $(cat "$T_TMP/none-limit.stock.err") used"
fi
run off-afg "" afgraft
ip netns exec "$NS" env GRAFT=off GRAFT_CONF="$T_TMP/match.conf" "$PROBE" afgraft >"$T_TMP/off-afg.graft" 2>&1
echo "exit $?" >>"$T_TMP/off-afg.graft"
check "GRAFT=off: no AF_GRAFT either, as musl-gcc" \
	cmp -s "$T_TMP/off-afg.stock" "$T_TMP/off-afg.graft"

# 2. rules that match none of the probe's addresses: the core is invisible
for m in $MODES; do
	run "nomatch-$m" "$T_TMP/nomatch.conf" "$m"
	same "nomatch-$m" "rules matching nothing, $m: as musl-gcc"
done

# 3. rules matching everything: bad pointers are EFAULT, not SIGSEGV
run match-efault "$T_TMP/match.conf" efault
same match-efault "rules matching every address, bad pointers: as musl-gcc"
check "no hook crashed (stock musl's own crashes aside)" \
	sh -c "[ \$(grep -c 'signal' '$T_TMP/match-efault.graft') = \$(grep -c 'signal' '$T_TMP/match-efault.stock') ]"

# 4. the AF_GRAFT emulation (no stock counterpart): EFAULT, never a crash
"$PROBE" afgraft-efault >"$T_TMP/afg-efault" 2>&1
check "AF_GRAFT calls with bad pointers: EFAULT ($(grep -vc 'e=14$' "$T_TMP/afg-efault") other)" \
	sh -c "[ \$(grep -c ': -1 e=14\$' '$T_TMP/afg-efault') = 9 ]"
grep -v 'e=14$' "$T_TMP/afg-efault"
t_done
