# common.sh - helpers for the end-to-end tests (sourced, POSIX sh).
#
# Environment (set by the Makefile): GRAFT_TOP (source tree), GRAFT_BUILD
# (build dir), GRAFT_CC (the graft-cc to use), GRAFT_BIN (graftd, graftctl),
# GRAFT_TARGET (the musl triple); run alone, a script defaults them to
# this tree's build.
# Each check prints exactly one line: PASS:, FAIL: or SKIP: (reason).

: "${GRAFT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${GRAFT_BUILD:=$GRAFT_TOP/build}"
: "${GRAFT_BIN:=$GRAFT_BUILD/bin}"
: "${GRAFT_CC:=$GRAFT_BIN/graft-cc}"
# the target ./configure chose (config.mk), as make passes it
: "${GRAFT_TARGET:=$(sed -n 's/^CONF_TARGET = //p' "$GRAFT_TOP/config.mk" 2>/dev/null)}"
export GRAFT_TOP GRAFT_BUILD GRAFT_BIN GRAFT_CC GRAFT_TARGET

T_FAILED=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; T_FAILED=1; }
skip() { echo "SKIP: $*"; }
# check NAME CMD... : PASS if CMD succeeds
check() { _n=$1; shift; if "$@"; then pass "$_n"; else fail "$_n"; fi; }

# A private scratch directory, removed at exit with everything in it.
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/graft-test.XXXXXX") || exit 2
T_NETNS=""
T_PIDS=""
# tree PID: PID and all its descendants (a bg'ed shell function's children
# outlive a kill of the subshell alone).
tree() {
	echo "$1"
	for _c in $(pgrep -P "$1" 2>/dev/null); do tree "$_c"; done
}
t_cleanup() {
	_all=
	for _p in $T_PIDS; do _all="$_all $(tree "$_p")"; done
	[ -n "$_all" ] && kill $_all 2>/dev/null
	for _p in $T_PIDS; do wait "$_p" 2>/dev/null; done
	for _n in $T_NETNS; do ip netns del "$_n" 2>/dev/null; done
	rm -rf "$T_TMP"
}
trap 't_cleanup' EXIT
trap 'exit 130' INT TERM

# bg CMD...: start CMD in the background; it is killed at exit. Sets $!.
bg() { "$@" & T_PIDS="$T_PIDS $!"; }

# need_root: prints SKIP and exits when namespaces cannot be made here.
need_netns() {
	if [ "$(id -u)" -ne 0 ]; then skip "$1 (needs root for ip netns)"; exit 0; fi
	if ! command -v ip >/dev/null; then skip "$1 (iproute2 not installed)"; exit 0; fi
}

# mk_netns VAR: creates a namespace with only lo (up), stores its name in VAR.
mk_netns() {
	_ns="gt$$-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
	ip netns add "$_ns" || return 1
	T_NETNS="$T_NETNS $_ns"
	ip -n "$_ns" link set lo up || return 1
	eval "$1=\$_ns"
}

# port_base N: the first of N consecutive ports that nothing on the host
# uses, below the kernel's ephemeral range (so no client socket of another
# test or program can be holding one when the test binds it).
port_base() {
	_lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null) || _lo=32768
	[ "$_lo" -gt $((12000 + $1)) ] || _lo=32768
	_i=0
	while :; do
		_b=$((10000 + $(od -An -N2 -tu2 /dev/urandom) % (_lo - 10000 - $1)))
		_used=$(ss -Htuan 2>/dev/null | awk '{print $5}' | sed 's/.*://' |
			awk -v b=$_b -v n="$1" '$1 >= b && $1 < b + n' | head -n 1)
		if [ -z "$_used" ] || [ $_i -ge 50 ]; then echo $_b; return 0; fi
		_i=$((_i + 1))
	done
}

# wait_for COND... : retry a command for up to 5 s.
wait_for() {
	_i=0
	while [ $_i -lt 50 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

# start_graftd: graftd in the foreground mode on private sockets, each in
# its own directory as in a deployment (docs/security.md).
# Sets GRAFTD_SOCK, GRAFTD_CTL, GRAFTD_LOG; extra args are passed on.
start_graftd() {
	GRAFTD_SOCK=$T_TMP/run/graftd.sock
	GRAFTD_CTL=$T_TMP/ctl/graftd.ctl
	GRAFTD_LOG=$T_TMP/graftd.log
	bg "$GRAFT_BIN/graftd" -d -s "$GRAFTD_SOCK" -c "$GRAFTD_CTL" "$@" 2>"$GRAFTD_LOG"
	GRAFTD_PID=$!
	wait_for test -S "$GRAFTD_CTL" || { cat "$GRAFTD_LOG" >&2; return 1; }
}
graftctl() { "$GRAFT_BIN/graftctl" -c "$GRAFTD_CTL" "$@"; }

t_done() { exit $T_FAILED; }

# musl_arch TARGET: musl's loader name for TARGET (ld-musl-ARCH.so.1), or
# status 1 for a target this project has none for
musl_arch() {
	case $1 in
	x86_64-*) echo x86_64 ;; aarch64-*) echo aarch64 ;;
	arm-*hf) echo armhf ;; riscv64-*) echo riscv64 ;;
	*) return 1 ;;
	esac
}

# test_app NAME: prints the path of tests/progs/NAME.c built with
# graft-cc: make's build/tests/progs/NAME when it is current, else a fresh
# build in $T_TMP (graft-cc's errors go to stderr; returns 1 on failure).
test_app() {
	_a=$GRAFT_BUILD/tests/progs/$1 _s=$GRAFT_TOP/tests/progs/$1.c
	if [ ! -x "$_a" ] || [ "$_s" -nt "$_a" ]; then
		_a=$T_TMP/$1
		"$GRAFT_CC" -O2 -o "$_a" "$_s" >&2 || return 1
	fi
	echo "$_a"
}
