#!/bin/sh
# adversary-sockets.sh - where graftd's sockets live and who may reach them
# (docs/security.md, "Deployment"): the control socket never shares the
# request socket's directory, socket directories writable by anyone but
# root are refused, modes are set at bind time (never chmod by path), the
# request socket is group-restricted by default, and no endpoint reaches
# the host table by leaving out "netns".
. "$(dirname "$0")/../lib/common.sh"

need_netns "adversary-sockets"
if [ ! -x "$GRAFT_BIN/graftd" ]; then
	skip "adversary-sockets (graftd not built: run make)"; exit 0
fi
GD=$GRAFT_BIN/graftd
REQ=$GRAFT_BUILD/tests/graft-request

# refuses DESC ARGS...: graftd must exit 1 at once, printing a reason.
refuses() {
	_d=$1; shift
	timeout 5 "$GD" -d -f /dev/null "$@" >"$T_TMP/out" 2>&1
	_rc=$?
	if [ $_rc -eq 1 ] && [ -s "$T_TMP/out" ]; then pass "$_d"
	else fail "$_d (exit $_rc: $(head -c 300 "$T_TMP/out"))"; fi
}
# starts DESC SOCK CTL [ARGS]: graftd must come up; it is stopped again.
starts() {
	_d=$1 _s=$2 _c=$3; shift 3
	"$GD" -d -f /dev/null -s "$_s" -c "$_c" "$@" 2>"$T_TMP/log" &
	_p=$!
	if wait_for test -S "$_c"; then pass "$_d"
	else fail "$_d ($(head -c 300 "$T_TMP/log"))"; fi
	kill "$_p" 2>/dev/null; wait "$_p" 2>/dev/null
}

# --- 1. the control socket is never beside the request socket
mkdir -m 0755 "$T_TMP/d"
refuses "control socket in the request socket's directory: refused" \
    -s "$T_TMP/d/graftd.sock" -c "$T_TMP/d/graftd.ctl"
check "refused: the message says why" grep -q "directory of the request socket" "$T_TMP/out"
check "refused: no socket left behind" [ -z "$(ls -A "$T_TMP/d")" ]
starts "--shared-dir allows it explicitly" "$T_TMP/d/graftd.sock" \
    "$T_TMP/d/graftd.ctl" --shared-dir
# ... nor in a directory below it (a container given /run/graft reaches
# /run/graft/ctl/graftd.ctl)
mkdir -m 0755 "$T_TMP/up"
refuses "control socket below the request socket's directory: refused" \
    -s "$T_TMP/up/graftd.sock" -c "$T_TMP/up/sub/c.ctl"
check "refused: the message says why" grep -q "directory of the request socket" "$T_TMP/out"
check "refused: no socket left behind" \
    [ ! -e "$T_TMP/up/graftd.sock" ] && [ ! -e "$T_TMP/up/sub/c.ctl" ]
starts "--shared-dir allows that too" "$T_TMP/up/graftd.sock" \
    "$T_TMP/up/sub/c.ctl" --shared-dir
mkdir -p -m 0755 "$T_TMP/up2/sub"
starts "the request socket below the control socket's directory is fine" \
    "$T_TMP/up2/sub/graftd.sock" "$T_TMP/up2/c.ctl"
"$GD" --help >"$T_TMP/help"
def_sock=$(sed -n 's/.*-s  request socket (default \(.*\))/\1/p' "$T_TMP/help")
def_ctl=$(sed -n 's/.*-c  control socket (default \(.*\))/\1/p' "$T_TMP/help")
check "default sockets in different directories ($def_sock, $def_ctl)" \
    eval '[ -n "$def_sock" ] && [ -n "$def_ctl" ] &&
    [ "$(dirname "$def_sock")" != "$(dirname "$def_ctl")" ]'

# --- 2. socket directories that others could change
mkdir -m 0777 "$T_TMP/ww"
refuses "a world-writable socket directory: refused" \
    -s "$T_TMP/ww/graftd.sock" -c "$T_TMP/c1/graftd.ctl"
mkdir -m 0775 "$T_TMP/gw"
refuses "a group-writable socket directory: refused" \
    -s "$T_TMP/r1/graftd.sock" -c "$T_TMP/gw/graftd.ctl"
mkdir -m 0755 "$T_TMP/nb"; chown 65534:65534 "$T_TMP/nb"
refuses "a socket directory owned by another user: refused" \
    -s "$T_TMP/nb/graftd.sock" -c "$T_TMP/c2/graftd.ctl"
mkdir -m 0755 "$T_TMP/real"; ln -s "$T_TMP/real" "$T_TMP/link"
refuses "a socket directory that is a symlink: refused" \
    -s "$T_TMP/link/graftd.sock" -c "$T_TMP/c3/graftd.ctl"
mkdir -m 0777 "$T_TMP/open"; mkdir -m 0755 "$T_TMP/open/sub"
refuses "a directory above the sockets writable by others: refused" \
    -s "$T_TMP/open/sub/graftd.sock" -c "$T_TMP/c4/graftd.ctl"
mkdir -m 1777 "$T_TMP/sticky"
starts "a sticky world-writable directory above (like /tmp) is fine" \
    "$T_TMP/sticky/r/graftd.sock" "$T_TMP/sticky/c/graftd.ctl"
touch "$T_TMP/real/graftd.sock"
refuses "a file that is not a socket at the path: refused" \
    -s "$T_TMP/real/graftd.sock" -c "$T_TMP/c5/graftd.ctl"
check "... and left alone" [ -f "$T_TMP/real/graftd.sock" ]
check "made directories: the control socket's is 0700" \
    [ "$(stat -c %a "$T_TMP/sticky/c")" = 700 ]
# a symlink in a middle component, in a directory others may write, swapped
# for another between the checks and bind: the socket is still made in the
# directory checked (bind delayed by strace to open the window)
if command -v strace >/dev/null; then
	mkdir -m 0777 "$T_TMP/mid"; mkdir -m 0755 "$T_TMP/safe" "$T_TMP/evil" \
	    "$T_TMP/safe/s" "$T_TMP/evil/s"
	ln -s "$T_TMP/safe" "$T_TMP/mid/lnk"
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
	strace -f -qq -o /dev/null -e trace=bind \
	    -e inject=bind:delay_enter=1000000:when=1 "$GD" -d -f /dev/null \
	    -s "$T_TMP/mid/lnk/s/graftd.sock" -c "$T_TMP/c6/graftd.ctl" \
	    2>"$T_TMP/log" &
	_p=$!
	sleep 0.5
	ln -sfn "$T_TMP/evil" "$T_TMP/mid/lnk"
	wait_for test -S "$T_TMP/c6/graftd.ctl" || fail "graftd under strace: $(cat "$T_TMP/log")"
	check "middle symlink swapped before bind: the socket is in the checked directory" \
	    [ -S "$T_TMP/safe/s/graftd.sock" ] && [ ! -e "$T_TMP/evil/s/graftd.sock" ]
	kill $(pgrep -P $_p) $_p 2>/dev/null; wait $_p 2>/dev/null
else
	skip "middle symlink swapped before bind (strace not installed)"
fi

# --- 3. modes and owners are set at bind time, never by path afterwards
if command -v strace >/dev/null; then
	mkdir -m 0755 "$T_TMP/m"
	printf 'socket-owner :65534\nsocket-mode 0640\n' >"$T_TMP/own.conf"
	# (LeakSanitizer cannot work under ptrace: off for this run)
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
	strace -f -qq -e trace=chmod,fchmodat,chown,lchown,fchownat \
	    -o "$T_TMP/strace" "$GD" -d -f "$T_TMP/own.conf" \
	    -s "$T_TMP/m/r/g.sock" -c "$T_TMP/m/c/g.ctl" 2>"$T_TMP/log" &
	p=$!
	wait_for test -S "$T_TMP/m/c/g.ctl" || fail "graftd under strace: $(cat "$T_TMP/log")"
	check "socket-mode 0640 from the start ($(stat -c %a "$T_TMP/m/r/g.sock"))" \
	    [ "$(stat -c %a "$T_TMP/m/r/g.sock")" = 640 ]
	kill $(pgrep -P $p) $p 2>/dev/null; wait $p 2>/dev/null
	check "no chmod of a socket path (modes come from the umask at bind)" \
	    sh -c "! grep -q 'chmod' '$T_TMP/strace'"
	check "ownership set without following a link" \
	    grep -q 'lchown(\|fchownat(.*AT_SYMLINK_NOFOLLOW' "$T_TMP/strace"
else
	skip "no chmod by path (strace not installed)"
fi

# --- 4. the request socket is group-restricted by default
start_graftd -f /dev/null || { fail "graftd starts"; t_done; }
check "request socket: mode 0660 by default ($(stat -c %a "$GRAFTD_SOCK"))" \
    [ "$(stat -c %a "$GRAFTD_SOCK")" = 660 ]
check "control socket: mode 0600, directory 0700" \
    eval '[ "$(stat -c %a "$GRAFTD_CTL")" = 600 ] &&
    [ "$(stat -c %a "$(dirname "$GRAFTD_CTL")")" = 700 ]'
if [ -x "$REQ" ]; then
	chmod 0755 "$T_TMP"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$REQ" -s "$GRAFTD_SOCK" -e ep 2>&1)
	check "another user, not in the socket's group, cannot connect ($out)" \
	    sh -c 'expr "$1" : "$2" >/dev/null' _ "$out" ".*$GRAFTD_SOCK: Permission denied"
	chmod 0700 "$T_TMP"
else
	skip "another user cannot connect ($REQ not built: make)"
fi
kill "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null
printf 'socket-owner :65534\n' >"$T_TMP/grp.conf"
start_graftd -f "$T_TMP/grp.conf" || { fail "graftd starts"; t_done; }
check "socket-owner :GROUP gives the request socket that group" \
    [ "$(stat -c %g:%a "$GRAFTD_SOCK")" = 65534:660 ]
kill "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null

# --- 5. the host table is named, never implied
printf 'endpoint e type ipv4 addr 127.0.0.1 port 1\n' >"$T_TMP/nons.conf"
"$GD" -n -f "$T_TMP/nons.conf" >"$T_TMP/out" 2>&1
check "an endpoint without netns in graftd.conf: refused with its line" \
    grep -q 'nons.conf:1: .*"netns" is required' "$T_TMP/out"
printf 'endpoint e type ipv4 addr 127.0.0.1 port 1 netns host\n' >"$T_TMP/h.conf"
check "netns host is accepted" sh -c "\"$GD\" -n -f '$T_TMP/h.conf' 2>/dev/null"

t_done
