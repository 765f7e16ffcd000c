#!/bin/sh
# graftd-control.sh - graftctl add/del/show/stats, the configuration file,
# SIGHUP reloads (a handed-out socket keeps working), the man pages.
. "$(dirname "$0")/../lib/common.sh"
need_netns "graftd control"
REQ=$GRAFT_BUILD/tests/graft-request
if [ ! -x "$REQ" ] || [ ! -x "$GRAFT_BIN/graftctl" ]; then
	fail "graftd control (graftd, graftctl or graft-request not built)"
	t_done
fi

mk_netns A || { fail "make a namespace"; t_done; }
base=$(port_base 3)
PA=$base PN=$((base + 1)) PX=$((base + 2))
CONF=$T_TMP/graftd.conf
STEP=$T_TMP/step
in_a() { ip netns exec "$A" "$REQ" -s "$GRAFTD_SOCK" "$@"; }

# --- command lines
quiet() { "$@" >/dev/null 2>&1; }
check "graftd --help" quiet "$GRAFT_BIN/graftd" --help
check "graftctl --help" quiet "$GRAFT_BIN/graftctl" --help
"$GRAFT_BIN/graftd" -x >/dev/null 2>&1
check "graftd: bad option exits 1" [ $? -eq 1 ]

# --- a bad file at start: exit 1 with FILE:LINE
printf 'endpoint ok type unix path /tmp/x netns host\nendpoint bad type ipv4 addr 1.2.3.4.5 port 1 netns host\n' \
    >"$T_TMP/bad.conf"
out=$("$GRAFT_BIN/graftd" -d -f "$T_TMP/bad.conf" -s "$T_TMP/x.sock" \
    -c "$T_TMP/x.ctl" 2>&1)
rc=$?
check "bad config at start: exit 1" [ $rc -eq 1 ]
check "bad config at start: line-numbered message" \
    sh -c "echo '$out' | grep -q 'bad.conf:2: '"
check "bad config at start: no socket left" [ ! -e "$T_TMP/x.sock" ]
check "graftd -n accepts a good file" quiet "$GRAFT_BIN/graftd" -n \
    -f /dev/null
"$GRAFT_BIN/graftd" -n -f "$T_TMP/bad.conf" 2>/dev/null
check "graftd -n rejects a bad file" [ $? -eq 1 ]

cat >"$CONF" <<EOF
socket-mode 0660
endpoint ep-a type ipv4 addr 127.0.0.1 port $PA netns $A
EOF
start_graftd -f "$CONF" || { fail "graftd starts"; t_done; }
check "socket mode from the file" \
    [ "$(stat -c %a "$GRAFTD_SOCK")" = 660 ]
check "control socket is 0600" [ "$(stat -c %a "$GRAFTD_CTL")" = 600 ]

# --- add / show / del round trip
check "graftctl add" graftctl add ep-x type ipv4 addr 127.0.0.1 \
    port $PX netns "$A"
check "graftctl add unix" graftctl add ep-u type unix path "$T_TMP/u.sock" \
    netns host
graftctl add ep-h type ipv4 addr 127.0.0.1 port $PX 2>"$T_TMP/err"
check "add without netns: usage exit 255 (the host table is never implied)" \
    [ $? -eq 255 ]
check "add without netns: the message names netns host" \
    grep -q '"netns" is required ("netns host"' "$T_TMP/err"
graftctl del ep-u 2>"$T_TMP/err"
check "del without netns: usage exit 255" [ $? -eq 255 ]
graftctl show >"$T_TMP/show" 2>&1
check "graftctl show lists them" \
    grep -qx "ep-x type ipv4 addr 127.0.0.1 port $PX netns $A" "$T_TMP/show"
check "graftctl show says netns host" \
    grep -qx "ep-u type unix path $T_TMP/u.sock netns host" "$T_TMP/show"
check "graftctl show: one line per endpoint" [ "$(wc -l <"$T_TMP/show")" = 3 ]
check "graftctl show -j is valid JSON" \
    sh -c "'$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show -j | python3 -m json.tool >/dev/null"
check "graftctl -j show is valid JSON" \
    sh -c "'$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' -j show | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d) == 3 and d[1][\"name\"] == \"ep-x\" and d[1][\"port\"] == $PX'"
out=$(in_a -i ep-x 2>&1)
check "an endpoint added at run time is served" \
    [ "$out" = "granted family=inet addr=127.0.0.1:$PX" ]
graftctl add ep-x type ipv4 addr 127.0.0.1 port 1 netns "$A" 2>"$T_TMP/err"
check "add a duplicate: exit 1" [ $? -eq 1 ]
check "add a duplicate: message on stderr" grep -q "File exists" "$T_TMP/err"
graftctl add ep-y type ipv4 addr 1.2.3 port 1 netns host 2>"$T_TMP/err"
check "add with a bad address: usage exit 255" [ $? -eq 255 ]
check "add with a bad address: message" grep -q '^Error: argument "1.2.3"' \
    "$T_TMP/err"
graftctl frob 2>/dev/null
check "unknown command: exit 255" [ $? -eq 255 ]
graftctl add ep-p type ipv4 addr 127.0.0.1 port 1 netns 999999 2>/dev/null
check "add for a pid that does not exist: exit 1" [ $? -eq 1 ]
check "graftctl del" graftctl del ep-x netns "$A"
graftctl del ep-x netns "$A" 2>/dev/null
check "del again: exit 1" [ $? -eq 1 ]
check "deleted endpoint is gone from show" \
    sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q ep-x"
out=$(in_a -i ep-x 2>&1)
check "a deleted endpoint is refused" \
    [ "$out" = "refused errno=ENOENT reason=6" ]
graftctl stats >"$T_TMP/stats"
check "graftctl stats counts per endpoint" \
    grep -qx "ep-u netns host requests 0 grants 0 refusals 0" "$T_TMP/stats"
check "graftctl stats counts refusals" \
    grep -qx "refused noent 1" "$T_TMP/stats"
check "graftctl stats -j is valid JSON" \
    sh -c "'$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' stats -j | python3 -m json.tool >/dev/null"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$GRAFT_BIN/graftctl" -c "$GRAFTD_CTL" show 2>&1)
check "graftctl as a non-root user fails" [ $? -eq 1 ]

# --- SIGHUP: the table changes, a handed-out socket keeps flowing
touch "$STEP.unused"
bg in_a -i -x listen ep-a >"$T_TMP/a.out" 2>&1
wait_for grep -q listening "$T_TMP/a.out" || fail "listener in A"
rm -f "$STEP"
bg "$REQ" -K "127.0.0.1:$PA" "$STEP" >"$T_TMP/k.out" 2>&1
KPID=$!
wait_for grep -q "echo1 ok" "$T_TMP/k.out" || fail "first exchange"
cat >"$CONF" <<EOF
socket-mode 0660
endpoint ep-new type ipv4 addr 127.0.0.1 port $PN netns $A
EOF
kill -HUP "$GRAFTD_PID"
check "SIGHUP reloads" wait_for grep -q "reloaded $CONF: 1 endpoints" \
    "$GRAFTD_LOG"
graftctl show >"$T_TMP/show"
check "after reload: the file's table only" \
    [ "$(cat "$T_TMP/show")" = "ep-new type ipv4 addr 127.0.0.1 port $PN netns $A" ]
out=$(in_a -i ep-a 2>&1)
check "after reload: a removed endpoint is refused" \
    [ "$out" = "refused errno=ENOENT reason=6" ]
out=$(in_a -i ep-new 2>&1)
check "after reload: a new endpoint is served" \
    [ "$out" = "granted family=inet addr=127.0.0.1:$PN" ]
touch "$STEP"
wait "$KPID"
check "after reload: the handed-out socket still carries data" \
    grep -q "echo2 ok" "$T_TMP/k.out"

# --- SIGHUP with a bad file: the table stays
echo "endpoint broken type ipv4" >>"$CONF"
kill -HUP "$GRAFTD_PID"
check "bad file at SIGHUP: error logged with its line" \
    wait_for grep -q "reload failed, table unchanged: $CONF:3: " "$GRAFTD_LOG"
check "bad file at SIGHUP: table unchanged" \
    [ "$(graftctl show)" = "ep-new type ipv4 addr 127.0.0.1 port $PN netns $A" ]
check "graftd still running" kill -0 "$GRAFTD_PID"

# --- a second graftd on the same sockets refuses to start
"$GRAFT_BIN/graftd" -d -f /dev/null -s "$GRAFTD_SOCK" -c "$T_TMP/y.ctl" \
    2>/dev/null
check "a second graftd on a live socket exits 1" [ $? -eq 1 ]
kill "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null
check "sockets removed at exit" \
    sh -c "[ ! -e '$GRAFTD_SOCK' ] && [ ! -e '$GRAFTD_CTL' ]"

# --- the man pages
for m in graftd.8 graftctl.8; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$GRAFT_TOP/man/$m" \
	    2>&1 >/dev/null)
	check "man $m renders without warnings" [ -z "$w" ]
done

# an open-files limit too low for a batch in flight per namespace beside
# max-clients: one warning at start (graftd(8), netns-max-inflight)
sh -c 'ulimit -n 512 && exec "$0" -d -s "$1" -c "$2"' "$GRAFT_BIN/graftd" \
	"$T_TMP/lim.sock" "$T_TMP/lim.ctl" 2>"$T_TMP/lim.log" &
lp=$!
wait_for test -S "$T_TMP/lim.ctl"
kill $lp 2>/dev/null; wait $lp 2>/dev/null
check "graftd warns at start when its open-files limit (512) leaves less than a batch in flight per netns" \
	grep -q "open files limit 512 leaves 1 socket in flight per netns" "$T_TMP/lim.log"
t_done
