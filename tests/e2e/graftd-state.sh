#!/bin/sh
# graftd-state.sh - attachments survive a restart of graftd (the state
# file): SIGTERM and SIGKILL, a replace, a grant and a graft-cc server's
# bind after the restart, a netns deleted or naming another netns while
# graftd was down, detach, corrupt files kept as .bad, the file's mode,
# a symbolic link refused, state-file none, a write that fails, reloads
# and graftd -n leaving the file alone.
. "$(dirname "$0")/../lib/common.sh"
need_netns "graftd state"
REQ=$GRAFT_BUILD/tests/graft-request
if [ ! -x "$REQ" ] || [ ! -x "$GRAFT_BIN/graftctl" ]; then
	fail "graftd state (graftd, graftctl or graft-request not built)"
	t_done
fi
if ! command -v unshare >/dev/null || ! command -v python3 >/dev/null; then
	skip "graftd state (needs unshare and python3)"
	exit 0
fi

base=$(port_base 4)
P1=$base P2=$((base + 1)) P3=$((base + 2)) PC=$((base + 3))
CONF=$T_TMP/graftd.conf
STATE=$T_TMP/ctl/attachments	# the default: beside the control socket

N1=cnistate-$$-a N2=cnistate-$$-b
for n in "$N1" "$N2"; do
	ip netns add "$n" || { fail "make a namespace"; t_done; }
	T_NETNS="$T_NETNS $n"
	ip -n "$n" link set lo up
done
NS1=/run/netns/$N1 NS2=/run/netns/$N2
# another netns, alive all along (ip netns attach names it later)
bg unshare -n sleep 120
SPID=$!
wait_for sh -c "[ \"\$(readlink /proc/$SPID/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" ||
    { fail "unshare -n"; t_done; }

printf 'endpoint cfg type ipv4 addr 127.0.0.1 port %s netns host direction ingress\n' \
    "$PC" >"$CONF"
# start ARGS: start_graftd, and wait until it answers (after a SIGKILL,
# the old socket file is there before the new one is)
start() {
	start_graftd "$@" && wait_for graftctl show >/dev/null
}
in1() { ip netns exec "$N1" "$REQ" -s "$GRAFTD_SOCK" "$@"; }
# restart SIG [ARGS]: stop graftd with SIG, start it again
restart() {
	kill -"$1" "$GRAFTD_PID"
	wait "$GRAFTD_PID" 2>/dev/null
	shift
	start -f "$CONF" "$@"
}
shown() { graftctl show | grep -q "$1"; }
attached() { graftctl show >"$T_TMP/show"; grep -q "$1" "$T_TMP/show"; }

start -f "$CONF" || { fail "graftd starts"; t_done; }
check "a fresh start writes an empty state file" \
    sh -c "[ \"\$(cat '$STATE')\" = 'graftd-attachments 1' ]"
check "attach s1" graftctl attach s1/eth0 netns "$NS1" endpoint p1 type ipv4 \
    addr 127.0.0.1 port $P1 direction ingress proto tcp match '*:8080'
check "attach s2" graftctl attach s2 netns "$NS2" network net-s endpoint p2 type ipv4 \
    addr 127.0.0.1 port $P2 endpoint e2 type ipv6 addr :: port dynamic \
    direction egress match ::/0
check "the state file's mode is 0600" [ "$(stat -c %a "$STATE")" = 600 ]
check "the state file: the header and two attachments" \
    [ "$(wc -l <"$STATE")" -eq 3 ] && [ "$(head -1 "$STATE")" = "graftd-attachments 1" ]
check "a record: dev ino then the attach words" grep -qx \
    "[0-9]* [0-9]* s1/eth0 netns $NS1 endpoint p1 type ipv4 addr 127.0.0.1 port $P1 direction ingress proto tcp match \*:8080" \
    "$STATE"
check "a record keeps the network tag" grep -q "^[0-9]* [0-9]* s2 netns $NS2 network net-s endpoint p2 " "$STATE"
check "no .tmp left" [ ! -e "$STATE.tmp" ]

# --- SIGHUP keeps the attachments and the file
cp "$STATE" "$T_TMP/before"
sino=$(stat -c %i "$STATE")
kill -HUP "$GRAFTD_PID"
wait_for grep -q reloaded "$GRAFTD_LOG"
check "a reload leaves the state file as it was" cmp -s "$STATE" "$T_TMP/before"
check "a reload does not write the state file again" [ "$(stat -c %i "$STATE")" = "$sino" ]
cp "$CONF" "$T_TMP/conf.saved"
echo "state-file none" >>"$CONF"
kill -HUP "$GRAFTD_PID"
wait_for grep -q "state-file applies at restart only" "$GRAFTD_LOG"
check "a reload: state-file applies at restart only" \
    grep -q "state-file applies at restart only" "$GRAFTD_LOG"
cp "$T_TMP/conf.saved" "$CONF"
check "after that reload, an attach is still written" sh -c \
    "'$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' attach s3 netns /proc/$SPID/ns/net &&
    grep -q ' s3 netns /proc/$SPID/ns/net\$' '$STATE'"
check "... and its detach" sh -c "'$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' detach s3 &&
    cmp -s '$STATE' '$T_TMP/before'"

# --- SIGTERM: both back, grants work again
restart TERM || { fail "graftd starts again"; t_done; }
check "after SIGTERM: s1 back" attached "^p1 .* port $P1 netns $NS1 direction ingress proto tcp match \*:8080"
check "after SIGTERM: s2 back" attached "^e2 .* netns $NS2 direction egress match ::/0"
check "after SIGTERM: check s1" graftctl check s1/eth0 netns "$NS1"
check "after SIGTERM: check s2" graftctl check s2 netns "$NS2"
out=$(graftctl attachments network net-s 2>&1)
check "after SIGTERM: s2's network tag is back ($out)" \
    [ "$out" = "s2 netns $NS2 endpoints 2 network net-s" ]
check "after SIGTERM: logged" grep -q "restored attachment s1/eth0 netns $NS1" "$GRAFTD_LOG"
out=$(in1 -i p1 2>&1)
check "after SIGTERM: a bind from the netns is granted ($out)" \
    [ "$out" = "granted family=inet addr=127.0.0.1:$P1" ]
out=$(in1 -Q 2>&1 | tr '\n' ' ')
check "after SIGTERM: the rules are back ($out)" [ "$out" = "rules 1 rule ingress *:8080-8080 p1 tcp " ]
check "the state file is the same set" cmp -s "$STATE" "$T_TMP/before"

# --- a replace is what is written; SIGKILL
check "replace s1" graftctl attach s1/eth0 netns "$NS1" endpoint p1 type ipv4 \
    addr 127.0.0.1 port $P3 direction ingress match '*:8080'
check "the replace is in the state file" grep -q "s1/eth0 .* port $P3 " "$STATE"
check "a failed attach leaves the state file alone" sh -c "! '$GRAFT_BIN/graftctl' \
    -c '$GRAFTD_CTL' attach s3 netns /run/netns/cnistate-none-$$ 2>/dev/null"
check "... still two attachments" [ "$(wc -l <"$STATE")" -eq 3 ]
restart KILL || { fail "graftd starts after SIGKILL"; t_done; }
check "after SIGKILL: the replaced s1 back" attached "^p1 .* port $P3 netns $NS1 "
check "after SIGKILL: s2 back" attached "^p2 .* netns $NS2"
if [ -x "$GRAFT_CC" ] && NET=$(test_app core_net); then
	printf 'broker %s\ningress 0.0.0.0:8080 p1\n' "$GRAFTD_SOCK" >"$T_TMP/graft.conf"
	bg ip netns exec "$N1" env GRAFT_CONF="$T_TMP/graft.conf" "$NET" \
	    serve-tcp 0.0.0.0 8080 1 >"$T_TMP/srv" 2>&1
	if wait_for grep -q '^ready' "$T_TMP/srv"; then
		out=$(env GRAFT=off "$NET" client-tcp 127.0.0.1 "$P3" 2>&1)
		check "after SIGKILL: a graft-cc server in the netns is reached on the host port ($out)" \
		    sh -c 'expr "$0" : ".*reply=hello from" >/dev/null' "$out"
	else
		fail "a graft-cc server in the restored netns: $(cat "$T_TMP/srv")"
	fi
else
	skip "a graft-cc program in the restored netns (graft-cc or core_net not built)"
fi

# --- netns gone, netns another one while graftd was down
kill "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null
ip netns del "$N2"
ip netns del "$N1"
ip netns attach "$N1" "$SPID" || fail "ip netns attach"
start -f "$CONF" || { fail "graftd starts"; t_done; }
check "a netns deleted meanwhile: dropped" sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q '^p2 '"
check "... logged with its line" grep -q "attachments:3: attachment s2 dropped: netns $NS2: No such file" "$GRAFTD_LOG"
check "a netns path naming another netns: dropped" sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q '^p1 '"
check "... logged" grep -q "attachment s1/eth0 dropped: netns $NS1 is another network namespace now" "$GRAFTD_LOG"
check "the state file is written again without them" \
    [ "$(cat "$STATE")" = "graftd-attachments 1" ]
check "graftd runs" sh -c "'$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show >/dev/null"

# --- detach, then restart: gone
check "attach s1 to the other netns" graftctl attach s1/eth0 netns "$NS1" \
    endpoint p1 type ipv4 addr 127.0.0.1 port $P1
check "detach s1" graftctl detach s1/eth0
check "detach: the state file no longer lists it" \
    [ "$(cat "$STATE")" = "graftd-attachments 1" ]
restart TERM || { fail "graftd starts"; t_done; }
check "detach then restart: gone" sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q '^p1 '"
check "detach then restart: check says not attached" \
    sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' check s1/eth0 netns '$NS1' 2>/dev/null"

# --- corrupt files: kept as .bad, graftd starts with none
# corrupt NAME WANT <FILE: the state file FILE, restart, WANT in the log
# (not in a pipeline: graftd's pid must stay in this shell)
corrupt() {
	kill "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null
	cat >"$STATE"
	cp "$STATE" "$T_TMP/corrupt"
	if ! start -f "$CONF"; then
		fail "corrupt state file, $1: graftd starts"
		return
	fi
	check "corrupt state file, $1: graftd starts, logs \"$2\"" \
	    grep -q "$2" "$GRAFTD_LOG"
	check "corrupt state file, $1: kept as .bad" cmp -s "$STATE.bad" "$T_TMP/corrupt"
	check "corrupt state file, $1: a fresh file" \
	    [ "$(cat "$STATE")" = "graftd-attachments 1" ]
	check "corrupt state file, $1: no attachment" \
	    sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q ' netns /'"
}
R1="1 2 d1 netns $NS1 endpoint x type ipv4 addr 127.0.0.1 port $P1"
echo garbage >"$T_TMP/c"
corrupt garbage "attachments:1: not a state file of this graftd" <"$T_TMP/c"
printf 'graftd-attachments 1\n%s' "$R1" >"$T_TMP/c"
corrupt "a truncated line" "attachments:2: truncated line" <"$T_TMP/c"
printf 'graftd-attachments 2\n' >"$T_TMP/c"
corrupt "another version" "attachments:1: not a state file" <"$T_TMP/c"
printf 'graftd-attachments 1\n1 2 d1 netns /run/netns/../%s\n' "$N1" >"$T_TMP/c"
corrupt "a path with .." "attachments:2: invalid netns path" <"$T_TMP/c"
{ echo "graftd-attachments 1"; python3 -c 'print("1 2 d1 netns /run/netns/" + "x" * 17000)'; } >"$T_TMP/c"
corrupt "an overlong line" "attachments:2: line too long" <"$T_TMP/c"
printf 'graftd-attachments 1\n%s\n1 3 d1 netns %s\n' "$R1" "$NS2" >"$T_TMP/c"
corrupt "a duplicated ID" "attachments:3: an ID attached twice" <"$T_TMP/c"
printf 'graftd-attachments 1\n%s\n1 2 d2 netns %s\n' "$R1" "$NS2" >"$T_TMP/c"
corrupt "a duplicated netns" "attachments:3: a netns attached twice" <"$T_TMP/c"
printf 'graftd-attachments 1\n1 2 d1 netns %s endpoint x type ipv4 addr 127.0.0.1  port 9\n' "$NS1" >"$T_TMP/c"
corrupt "two blanks" "attachments:2: not one blank" <"$T_TMP/c"
printf 'graftd-attachments 1\n%s\n' "$R1" >"$STATE.bad"
echo x >"$T_TMP/c"
corrupt "a .bad already there" "not a state file" <"$T_TMP/c"

# --- graftd -n does not touch the state file
mkdir "$T_TMP/nf"
echo garbage >"$T_TMP/nf/attachments"
printf 'state-file %s/nf/attachments\n' "$T_TMP" >"$T_TMP/n.conf"
"$GRAFT_BIN/graftd" -n -f "$T_TMP/n.conf" >/dev/null 2>&1
check "graftd -n accepts state-file" [ $? -eq 0 ]
check "graftd -n leaves the state file alone" \
    sh -c "[ \"\$(cat '$T_TMP/nf/attachments')\" = garbage ] && [ ! -e '$T_TMP/nf/attachments.bad' ]"
printf 'state-file nf/attachments\n' >"$T_TMP/n.conf"
check "state-file must be absolute" sh -c "! '$GRAFT_BIN/graftd' -n -f '$T_TMP/n.conf' 2>/dev/null"
printf 'state-file /a/../b\n' >"$T_TMP/n.conf"
check "state-file: no .. component" sh -c "! '$GRAFT_BIN/graftd' -n -f '$T_TMP/n.conf' 2>/dev/null"

# --- a symbolic link, a directory others may write: refused
kill "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null
mkdir "$T_TMP/sl"
echo 'graftd-attachments 1' >"$T_TMP/sl/real"
ln -s real "$T_TMP/sl/attachments"
printf 'state-file %s/sl/attachments\n' "$T_TMP" >"$T_TMP/s.conf"
timeout 10 "$GRAFT_BIN/graftd" -d -f "$T_TMP/s.conf" -s "$T_TMP/run/graftd.sock" \
    -c "$T_TMP/ctl/graftd.ctl" 2>"$T_TMP/err"
check "a symbolic link as state file: graftd refuses to start" [ $? -eq 1 ]
check "... and says so" grep -q "is a symbolic link: refused" "$T_TMP/err"
mkdir -m 0777 "$T_TMP/ww"
printf 'state-file %s/ww/attachments\n' "$T_TMP" >"$T_TMP/w.conf"
timeout 10 "$GRAFT_BIN/graftd" -d -f "$T_TMP/w.conf" -s "$T_TMP/run/graftd.sock" \
    -c "$T_TMP/ctl/graftd.ctl" 2>"$T_TMP/err"
check "a state file directory others may write: refused" \
    sh -c "[ $? -eq 1 ] && grep -q 'must be root' '$T_TMP/err'"

# --- state-file none: nothing written
rm -f "$STATE" "$STATE.bad"
printf 'state-file none\n' >"$T_TMP/none.conf"
start -f "$T_TMP/none.conf" || { fail "graftd starts"; t_done; }
ip netns add "$N2" && T_NETNS="$T_NETNS $N2"
check "state-file none: attach" graftctl attach s2 netns "$NS2"
check "state-file none: no file" sh -c "[ -z \"\$(ls '$T_TMP/ctl' | grep -v graftd.ctl)\" ]"
kill "$GRAFTD_PID"; wait "$GRAFTD_PID" 2>/dev/null

# --- a write that fails: the attach fails and changes nothing; a detach
# still detaches
mkdir "$T_TMP/gone"
printf 'state-file %s/gone/attachments\n' "$T_TMP" >"$T_TMP/g.conf"
start -f "$T_TMP/g.conf" || { fail "graftd starts"; t_done; }
check "state-file elsewhere: written" [ -f "$T_TMP/gone/attachments" ]
check "attach s2" graftctl attach s2 netns "$NS2" endpoint p2 type ipv4 \
    addr 127.0.0.1 port $P2
rm -rf "$T_TMP/gone"
graftctl attach s1 netns "$NS1" endpoint p1 type ipv4 addr 127.0.0.1 \
    port $P1 2>"$T_TMP/err"
check "a failed write: the attach fails" [ $? -eq 1 ]
check "... with the errno" grep -q "No such file or directory.*state file" "$T_TMP/err"
check "... nothing attached" sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q '^p1 '"
check "... logged" grep -q "state file $T_TMP/gone/attachments: cannot create" "$GRAFTD_LOG"
graftctl detach s2 2>"$T_TMP/err"
check "a failed write: detach still succeeds" [ $? -eq 0 ]
check "... detached" sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q '^p2 '"
check "... with a warning" grep -q "detach s2: .*still lists it" "$GRAFTD_LOG"
t_done
