#!/bin/sh
# cni-driver.sh - graft-cni run as libcni runs it (CNI_* in the
# environment, the network configuration on stdin) against a real graftd:
# VERSION; ADD, CHECK, DEL standalone and chained (prevResult); bad
# configurations and bad runtime data (the error JSON, exit 1); DEL twice,
# DEL with the netns gone, ADD of a netns that is gone; graftd down, and
# DEL after a graftd restart; a grafted bind from inside the netns after
# ADD reaches the mapped host port.  CNI 1.1: ADD tags the attachment with
# the network's name; STATUS; GC detaches exactly the network's
# attachments the runtime does not list as valid.
. "$(dirname "$0")/../lib/common.sh"
need_netns "graft-cni driver"
PLUGIN=$GRAFT_BIN/graft-cni
if [ ! -x "$PLUGIN" ] || [ ! -x "$GRAFT_BIN/graftd" ] || [ ! -x "$GRAFT_BIN/graftctl" ]; then
	fail "graft-cni driver (graft-cni, graftd or graftctl not built)"
	t_done
fi
if ! command -v python3 >/dev/null; then
	skip "graft-cni driver (needs python3 to read the JSON)"
	exit 0
fi

base=$(port_base 4)
P1=$base P2=$((base + 1)) P3=$((base + 2)) P4=$((base + 3))
OUT=$T_TMP/out ERR=$T_TMP/err

# namespaces named after this test, as a runtime's: /run/netns/NAME
ns_add() {
	ip netns add "$1" || return 1
	T_NETNS="$T_NETNS $1"
	ip -n "$1" link set lo up
}
NA=cniplugin-$$-a NB=cniplugin-$$-b NC=cniplugin-$$-c
N1=cniplugin-$$-1 N2=cniplugin-$$-2 N3=cniplugin-$$-3 N4=cniplugin-$$-4
for n in $NA $NB $NC $N1 $N2 $N3 $N4; do ns_add "$n" || { fail "make namespace $n"; t_done; }; done

start_graftd || { fail "graftd starts"; t_done; }
# graftd from before attachments (issue 17) answers "unknown command"
if graftctl detach probe/eth0 2>&1 | grep -qi 'unknown\|usage'; then
	skip "graft-cni driver (this graftd has no attach/detach/check)"
	exit 0
fi
# graft-cni tags attachments with the network's name: graftd from before
# (notes/cni11-spec.md) has no "attachments" and refuses ADD
if graftctl attachments 2>&1 | grep -qi 'unknown'; then
	skip "graft-cni driver (this graftd has no network tags, \"attachments\")"
	exit 0
fi

# cni COMMAND CONTAINERID NETNS CONFIG: the plugin as libcni runs it;
# stdout in $OUT, stderr in $ERR, exit status in $rc.  NETNS "-": unset.
cni() {
	if [ "$3" = - ]; then
		printf '%s' "$4" | env -u CNI_NETNS CNI_COMMAND="$1" \
		    CNI_CONTAINERID="$2" CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin \
		    CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=x" "$PLUGIN" >"$OUT" 2>"$ERR"
	else
		printf '%s' "$4" | env CNI_COMMAND="$1" CNI_CONTAINERID="$2" \
		    CNI_NETNS="$3" CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin \
		    CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=x" "$PLUGIN" >"$OUT" 2>"$ERR"
	fi
	rc=$?
}
# jtrue EXPR: a Python expression on j, the JSON of $OUT; true if it holds
jtrue() {
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$OUT" "$1" 2>/dev/null
}
# is_error CODE: exit 1 and {"cniVersion","code":CODE,"msg"} on stdout
is_error() {
	[ $rc -eq 1 ] && jtrue "j['code'] == $1 and len(j['msg']) > 0 and isinstance(j['cniVersion'], str) and set(j) <= {'cniVersion','code','msg','details'}"
}
# check_err NAME CODE [PYEXPR]: is_error CODE and PYEXPR holds on the JSON
check_err() {
	if is_error "$2" && jtrue "${3:-True}"; then
		pass "$1"
	else
		fail "$1: rc $rc: $(cat "$OUT")"
	fi
}
# conf EXTRA: a plugin entry on our graftd, plus EXTRA members; V: its
# cniVersion, NETNAME: its network name
conf() {
	printf '{"cniVersion":"%s","name":"%s","type":"graft","control":"%s"%s}' \
	    "${V:-1.0.0}" "${NETNAME:-cnitest}" "$GRAFTD_CTL" "$1"
}
pm() {
	printf ',"runtimeConfig":{"portMappings":[%s]}' "$1"
}
shown() { graftctl show | grep -q "$1"; }

# --- VERSION, command line
cni VERSION "" - '{"cniVersion":"1.0.0"}'
check "VERSION: exit 0, supportedVersions 0.3.1 0.4.0 1.0.0 1.1.0" sh -c "[ $rc -eq 0 ] && python3 -c '
import json; j = json.load(open(\"$OUT\"))
assert j == {\"cniVersion\": \"1.1.0\", \"supportedVersions\": [\"0.3.1\", \"0.4.0\", \"1.0.0\", \"1.1.0\"]}, j'"
check "--help: exit 0, names STATUS and GC" sh -c "'$PLUGIN' --help | grep -q 'CHECK, STATUS, GC'"
check "--version: the CNI versions" sh -c "'$PLUGIN' --version | grep -q '0.3.1 0.4.0 1.0.0 1.1.0\$'"
env -u CNI_COMMAND "$PLUGIN" >"$OUT" 2>"$ERR" </dev/null; rc=$?
check_err "no CNI_COMMAND: error 4" 4
cni DUMP c1 /run/netns/$NA "$(conf)"
check_err "unknown command DUMP: error 4, the commands listed" 4 \
    "'(ADD, DEL, CHECK, STATUS, GC, VERSION)' in j['msg']"

# --- bad runtime data
printf '%s' "$(conf)" | env -u CNI_NETNS CNI_COMMAND=ADD CNI_CONTAINERID=c1 \
    CNI_IFNAME=eth0 CNI_PATH=/x "$PLUGIN" >"$OUT" 2>"$ERR"; rc=$?
check_err "ADD without CNI_NETNS: error 4 naming it" 4 "'CNI_NETNS' in j['msg']"
for v in CNI_CONTAINERID CNI_IFNAME CNI_PATH; do
	printf '%s' "$(conf)" | env CNI_COMMAND=ADD CNI_CONTAINERID=c1 \
	    CNI_NETNS=/run/netns/$NA CNI_IFNAME=eth0 CNI_PATH=/x \
	    sh -c "unset $v; exec '$PLUGIN'" >"$OUT" 2>"$ERR"; rc=$?
	check_err "ADD without $v: error 4 naming it" 4 "'$v' in j['msg']"
done
cni ADD c1 run/netns/$NA "$(conf)"
check "ADD, relative CNI_NETNS: error 4" is_error 4
cni ADD c1 /run/netns/../netns/$NA "$(conf)"
check "ADD, CNI_NETNS with ..: error 4" is_error 4
cni ADD 'c 1' /run/netns/$NA "$(conf)"
check "ADD, CNI_CONTAINERID with a blank: error 4" is_error 4
printf '%s' "$(conf)" | env CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/$NA \
    CNI_IFNAME=eth0 CNI_PATH=/x CNI_ARGS='novalue' "$PLUGIN" >"$OUT" 2>"$ERR"; rc=$?
check "ADD, malformed CNI_ARGS: error 4" is_error 4

# --- bad configurations: the error code and nothing attached
badconf() {	# NAME CODE CONFIG
	cni ADD cbad /run/netns/$NA "$3"
	if is_error "$2" && ! shown "netns /run/netns/$NA"; then
		pass "bad config: $1: error $2"
	else
		fail "bad config: $1: want error $2, got rc $rc: $(cat "$OUT")"
	fi
}
badconf "not JSON" 6 '{"cniVersion":"1.0.0",'
badconf "trailing garbage" 6 "$(conf)x"
badconf "duplicate key" 6 "$(conf ',"name":"again"')"
badconf "invalid UTF-8" 6 "$(printf '{"cniVersion":"1.0.0","name":"\377"}')"
badconf "cniVersion 0.2.0" 1 '{"cniVersion":"0.2.0","name":"n","type":"graft"}'
badconf "cniVersion 1.2.0" 1 "$(V=1.2.0 conf)"
badconf "name with a blank" 7 "$(NETNAME='cni test' conf)"
check "  the message says why" jtrue "'is not a network name' in j['msg']"
badconf "name beginning with -" 7 "$(NETNAME=-cnitest conf)"
badconf "name of 256 bytes" 7 "$(NETNAME=$(printf '%0256d' 0) conf)"
badconf "1.1.0, cniVersions not an array" 7 "$(V=1.1.0 conf ',"cniVersions":"1.1.0"')"
badconf "1.1.0, disableGC a string" 7 "$(V=1.1.0 conf ',"disableGC":"true"')"
badconf "1.1.0, valid-attachments of strings" 7 "$(V=1.1.0 conf ',"cni.dev/valid-attachments":["c1/eth0"]')"
badconf "unknown key hostIp" 2 "$(conf ',"hostIp":"127.0.0.1"')"
badconf "relative control" 7 '{"cniVersion":"1.0.0","name":"n","control":"graftd.ctl"}'
badconf "protocol sctp" 7 "$(conf "$(pm '{"hostPort":'$P1',"containerPort":80,"protocol":"sctp"}')")"
badconf "hostPort 0" 7 "$(conf "$(pm '{"hostPort":0,"containerPort":80}')")"
badconf "containerPort 65536" 7 "$(conf "$(pm '{"hostPort":'$P1',"containerPort":65536}')")"
badconf "duplicate host port" 7 "$(conf "$(pm '{"hostPort":'$P1',"containerPort":80},{"hostPort":'$P1',"containerPort":81}')")"
badconf "bad hostIP" 7 "$(conf "$(pm '{"hostPort":'$P1',"containerPort":80,"hostIP":"1.2.3.4.5"}')")"
badconf "egress prefix /33" 7 "$(conf ',"egress":[{"prefix":"10.0.0.0/33"}]')"
many=
i=0
while [ $i -lt 31 ]; do
	many="$many{\"hostPort\":$((20000 + i)),\"containerPort\":$((100 + i))},"
	i=$((i + 1))
done
badconf "33 endpoints" 7 "$(conf ',"egress":[{"prefix":"0.0.0.0/0"},{"prefix":"::/0"}]'"$(pm "${many%,}")")"
check "  the message counts them" jtrue "'too many endpoints: 31 port mappings and 2 egress' in j['msg']"

# --- ADD standalone, CHECK, the grafted bind from inside
CA=$(conf ',"hostIP":"127.0.0.1","egress":[{"prefix":"10.0.0.0/8","hostIP":"127.0.0.1"}]'"$(pm '{"hostPort":'$P1',"containerPort":8080,"protocol":"tcp"}')")
cni ADD ca /run/netns/$NA "$CA"
check "ADD standalone: exit 0 ($(cat "$ERR"))" [ $rc -eq 0 ]
check "ADD standalone: the empty 1.0.0 result" \
    jtrue "j == {'cniVersion':'1.0.0','interfaces':[],'ips':[]}"
check "ADD: graftd shows p0 on the host port, match *:8080" shown \
    "^p0 type ipv4 addr 127.0.0.1 port $P1 netns /run/netns/$NA direction ingress proto tcp match \*:8080"
check "ADD: graftd shows e0, match 10.0.0.0/8" shown \
    "^e0 type ipv4 addr 127.0.0.1 port dynamic netns /run/netns/$NA direction egress match 10.0.0.0/8"
cni CHECK ca /run/netns/$NA "$CA"
check "CHECK: attached: exit 0" [ $rc -eq 0 ]
cni ADD ca /run/netns/$NA "$CA"
check "ADD again (a retry): exit 0, replaced" sh -c "[ $rc -eq 0 ] && [ \$('$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -c '^p0 ') -eq 1 ]"

if [ -x "$GRAFT_CC" ] && NET=$(test_app core_net); then
	GC=$T_TMP/graft.conf
	printf 'broker %s\ningress *:8080 p0\n' "$GRAFTD_SOCK" >"$GC"
	bg ip netns exec "$NA" env GRAFT_CONF="$GC" "$NET" serve-tcp 0.0.0.0 8080 1 \
	    >"$T_TMP/srv" 2>&1
	if wait_for grep -q '^ready' "$T_TMP/srv"; then
		out=$(env GRAFT=off "$NET" client-tcp 127.0.0.1 "$P1" 2>&1)
		check "grafted bind in the netns after ADD: a host client on $P1 gets the reply ($out)" \
		    sh -c "expr '$out' : '.*reply=hello from' >/dev/null"
	else
		fail "grafted bind in the netns after ADD: the server did not start: $(cat "$T_TMP/srv")"
	fi
else
	skip "grafted bind after ADD (graft-cc or core_net not built)"
fi

# --- no port mapping, no egress: attached all the same (CHECK sees it)
cni ADD cn /run/netns/$NC "$(conf)"
check "ADD without mappings: exit 0" [ $rc -eq 0 ]
cni CHECK cn /run/netns/$NC "$(conf)"
check "CHECK without mappings: attached" [ $rc -eq 0 ]
cni DEL cn /run/netns/$NC "$(conf)"
check "DEL without mappings: exit 0" [ $rc -eq 0 ]
cni CHECK cn /run/netns/$NC "$(conf)"
check_err "CHECK after DEL: error 100 (not attached)" 100 "'errno 2 ' in j['details']"

# --- a network name graftd cannot tag (made before tags): DEL and CHECK
# still work on what an older graft-cni attached, untagged
graftctl attach cn/eth0 netns /run/netns/$NC >/dev/null 2>&1
cni CHECK cn /run/netns/$NC "$(NETNAME='old net' conf)"
check "CHECK with a name that is no tag: attached ($(cat "$OUT"))" [ $rc -eq 0 ]
cni DEL cn /run/netns/$NC "$(NETNAME='old net' conf)"
check "DEL with a name that is no tag: exit 0 ($(cat "$OUT"))" [ $rc -eq 0 ]
check "  detached" sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' attachments | grep -q '^cn/eth0 '"

# --- another container on the same host port: graftd refuses (100)
cni ADD cb /run/netns/$NB "$(conf ',"hostIP":"127.0.0.1"'"$(pm '{"hostPort":'$P1',"containerPort":80}')")"
check_err "ADD of a host port mapped by another container: error 100, EADDRINUSE" \
    100 "'errno 98' in j['details'] and 'ca/eth0' in j['msg']"

# --- chained: prevResult passed on, in the config's version
PREV='"prevResult":{"cniVersion":"0.4.0","interfaces":[{"name":"eth0","sandbox":"/run/netns/'$NB'"}],"ips":[{"address":"10.89.0.2/24","gateway":"10.89.0.1","interface":0}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{}}'
CB=$(V=0.4.0 conf ",\"hostIP\":\"127.0.0.1\",$PREV$(pm '{"hostPort":'$P2',"containerPort":53,"protocol":"udp"}')")
cni ADD cb /run/netns/$NB "$CB"
check "ADD chained (0.4.0): exit 0 ($(cat "$ERR"))" [ $rc -eq 0 ]
check "ADD chained: prevResult passed on, cniVersion 0.4.0, ips with version 4" jtrue \
    "j['cniVersion'] == '0.4.0' and j['interfaces'] == [{'name':'eth0','sandbox':'/run/netns/$NB'}] and j['ips'] == [{'version':'4','address':'10.89.0.2/24','gateway':'10.89.0.1','interface':0}] and j['routes'] == [{'dst':'0.0.0.0/0'}] and j['dns'] == {}"
check "ADD chained: p0 udp" shown "^p0 type ipv4 addr 127.0.0.1 port $P2 netns /run/netns/$NB direction ingress proto udp match \*:53"
CB1=$(conf ",\"hostIP\":\"127.0.0.1\",$PREV$(pm '{"hostPort":'$P2',"containerPort":53,"protocol":"udp"}')")
cni ADD cb /run/netns/$NB "$CB1"
check "ADD chained (1.0.0 config): the result in 1.0.0, no ip version" jtrue \
    "j['cniVersion'] == '1.0.0' and j['ips'] == [{'address':'10.89.0.2/24','gateway':'10.89.0.1','interface':0}]"
cni CHECK cb /run/netns/$NB "$CB"
check "CHECK chained: exit 0" [ $rc -eq 0 ]

# --- CHECK failures
cni CHECK ca /run/netns/$NB "$CA"
check_err "CHECK with another netns: error 100 (ESTALE)" 100 "'errno 116' in j['details']"
cni CHECK cz /run/netns/$NA "$CA"
check_err "CHECK of a container never attached: error 100 (ENOENT)" 100 "'errno 2 ' in j['details']"
V=0.3.1 cni CHECK ca /run/netns/$NA "$(V=0.3.1 conf)"
check "CHECK with cniVersion 0.3.1: error 1" is_error 1

# --- DEL: twice, with the netns gone, with no netns
cni DEL cb /run/netns/$NB "$CB"
check "DEL chained: exit 0, nothing printed" sh -c "[ $rc -eq 0 ] && [ ! -s '$OUT' ]"
check "DEL: the endpoints are gone" sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q 'netns /run/netns/$NB'"
cni DEL cb /run/netns/$NB "$CB"
check "DEL twice: exit 0" [ $rc -eq 0 ]
cni ADD cc /run/netns/$NC "$(conf ',"hostIP":"127.0.0.1"'"$(pm '{"hostPort":'$P3',"containerPort":80}')")"
check "ADD cc: exit 0" [ $rc -eq 0 ]
ip netns del "$NC"
cni DEL cc /run/netns/$NC "$(conf)"
check "DEL with CNI_NETNS gone: exit 0" [ $rc -eq 0 ]
check "  its endpoints are gone" sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q ' port $P3 '"
cni DEL cx - "$(conf)"
check "DEL without CNI_NETNS, never attached: exit 0" [ $rc -eq 0 ]
cni ADD cc /run/netns/$NC "$(conf ',"hostIP":"127.0.0.1"'"$(pm '{"hostPort":'$P3',"containerPort":80}')")"
check_err "ADD of a netns that is gone: error 100 (ENOENT)" 100 "'errno 2 ' in j['details']"
check "  nothing attached" sh -c "! '$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' show | grep -q 'netns /run/netns/$NC'"
cni DEL cz /run/netns/$NA "$(conf)"
check "DEL of a container never attached: exit 0" [ $rc -eq 0 ]

# --- CNI 1.1: the network tag, STATUS, GC (run as libcni runs them:
# CNI_COMMAND and CNI_PATH only)
cni11() {	# COMMAND CONFIG
	printf '%s' "$2" | env -u CNI_CONTAINERID -u CNI_NETNS -u CNI_IFNAME \
	    -u CNI_ARGS CNI_COMMAND="$1" CNI_PATH=/opt/cni/bin "$PLUGIN" \
	    >"$OUT" 2>"$ERR"
	rc=$?
}
# va ID...: the member cni.dev/valid-attachments, IDs CONTAINERID/IFNAME
va() {
	_l=
	for _a; do
		_l="$_l,{\"containerID\":\"${_a%/*}\",\"ifname\":\"${_a#*/}\"}"
	done
	printf ',"cni.dev/valid-attachments":[%s]' "${_l#,}"
}
# lists NAME LINE...: "graftctl attachments network NAME" prints the lines
lists() {
	_net=$1
	shift
	[ "$(graftctl attachments network "$_net" 2>&1)" = "$(printf '%s\n' "$@")" ]
}
# quiet_ok: exit 0, nothing on stdout
quiet_ok() { [ $rc -eq 0 ] && [ ! -s "$OUT" ]; }

KEYS=',"cniVersions":["1.0.0","1.1.0"],"disableCheck":false,"disableGC":false'
cni ADD ga1 /run/netns/$N1 "$(V=1.1.0 NETNAME=A conf "$KEYS$(va ga1/eth0)")"
check "1.1.0: ADD with cniVersions, disableCheck, disableGC, valid-attachments: exit 0 ($(cat "$ERR"))" \
    jtrue "$rc == 0 and j == {'cniVersion':'1.1.0','interfaces':[],'ips':[]}"
cni ADD ga2 /run/netns/$N2 "$(V=1.1.0 NETNAME=A conf)"
check "1.1.0: ADD ga2 in network A: exit 0" [ $rc -eq 0 ]
cni ADD gb1 /run/netns/$N3 "$(NETNAME=B conf)"
check "ADD gb1 in network B (a 1.0.0 config): exit 0" [ $rc -eq 0 ]
check "graftctl attachments network A: ga1 and ga2, tagged A" lists A \
    "ga1/eth0 netns /run/netns/$N1 endpoints 0 network A" \
    "ga2/eth0 netns /run/netns/$N2 endpoints 0 network A"
check "graftctl attachments network B: gb1" lists B \
    "gb1/eth0 netns /run/netns/$N3 endpoints 0 network B"
check "graftctl attachments network cnitest: ca, as ADD tagged it earlier" \
    lists cnitest "ca/eth0 netns /run/netns/$NA endpoints 2 network cnitest"
graftctl attach hand/x netns /run/netns/$N4 >/dev/null 2>&1
check "an attachment made with graftctl has no tag" sh -c \
    "'$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' attachments | grep -qx 'hand/x netns /run/netns/$N4 endpoints 0'"

cni11 STATUS "$(V=1.1.0 NETNAME=A conf)"
check "STATUS with graftd up: exit 0, nothing printed ($(cat "$ERR"))" quiet_ok
cni11 STATUS "$(NETNAME=A conf)"
check_err "STATUS of a 1.0.0 config: error 1" 1 "'STATUS needs cniVersion 1.1.0' in j['msg']"
cni11 STATUS "$(V=1.1.0 NETNAME='a b' conf)"
check "STATUS of a config with a bad name: error 7" is_error 7

# GC of A keeping ga1/eth0 (and entries of no attachment of A): exactly ga2
cni11 GC "$(V=1.1.0 NETNAME=A conf "$(va ga1/eth0 ga2/net1 gb1/eth0 zz/eth0)")"
check "GC of A keeping ga1: exit 0, nothing printed ($(cat "$ERR"))" quiet_ok
check "  stderr: GC: detached ga2/eth0, nothing else" sh -c \
    "[ \"\$(cat '$ERR')\" = 'graft-cni: GC: detached ga2/eth0' ]"
check "  network A: ga1 left" lists A \
    "ga1/eth0 netns /run/netns/$N1 endpoints 0 network A"
check "  network B: gb1 stays" lists B \
    "gb1/eth0 netns /run/netns/$N3 endpoints 0 network B"
check "  network cnitest: ca stays" lists cnitest \
    "ca/eth0 netns /run/netns/$NA endpoints 2 network cnitest"
check "  the one made with graftctl stays" sh -c \
    "'$GRAFT_BIN/graftctl' -c '$GRAFTD_CTL' attachments | grep -qx 'hand/x netns /run/netns/$N4 endpoints 0'"
cni11 GC "$(V=1.1.0 NETNAME=A conf "$(va ga1/eth0)")"
check "GC of A again: exit 0, nothing detached" sh -c "[ $rc -eq 0 ] && [ ! -s '$OUT' ] && [ ! -s '$ERR' ]"

cni11 GC "$(V=1.1.0 NETNAME=A conf ',"cni.dev/valid-attachments":[{"containerID":"ga1","ifname":1}]')"
check_err "GC with valid-attachments of a bad type: error 7" 7 "'\"ifname\" must be a string' in j['msg']"
check "  nothing detached" lists A "ga1/eth0 netns /run/netns/$N1 endpoints 0 network A"
cni11 GC "$(V=1.1.0 NETNAME=A conf ',"cni.dev/valid-attachments":{}')"
check "GC with valid-attachments an object: error 7" is_error 7
cni11 GC "$(NETNAME=A conf)"
check_err "GC of a 1.0.0 config: error 1" 1 "'GC needs cniVersion 1.1.0' in j['msg']"
check "  nothing detached" lists A "ga1/eth0 netns /run/netns/$N1 endpoints 0 network A"
printf '%s' "$(V=1.1.0 NETNAME=A conf)" | env -u CNI_PATH CNI_COMMAND=GC "$PLUGIN" >"$OUT" 2>"$ERR"; rc=$?
check_err "GC without CNI_PATH: error 4" 4 "'CNI_PATH' in j['msg']"
check "  nothing detached" lists A "ga1/eth0 netns /run/netns/$N1 endpoints 0 network A"

# GC of B with an empty valid list (a runtime with no container): all of B
cni11 GC "$(V=1.1.0 NETNAME=B conf "$(va)")"
check "GC of B, no valid attachment: exit 0 ($(cat "$ERR"))" quiet_ok
check "  stderr: GC: detached gb1/eth0" grep -qx 'graft-cni: GC: detached gb1/eth0' "$ERR"
check "  network B: none left" lists B
check "  network A: ga1 stays" lists A "ga1/eth0 netns /run/netns/$N1 endpoints 0 network A"
# no cni.dev/valid-attachments at all: the same
cni ADD gb1 /run/netns/$N3 "$(V=1.1.0 NETNAME=B conf)"
cni11 GC "$(V=1.1.0 NETNAME=B conf)"
check "GC of B without valid-attachments: exit 0, gb1 detached" sh -c \
    "[ $rc -eq 0 ] && grep -qx 'graft-cni: GC: detached gb1/eth0' '$ERR'"
check "  network B: none left" lists B
# null, as libcni marshals a runtime's empty list: the same
cni ADD gb1 /run/netns/$N3 "$(V=1.1.0 NETNAME=B conf)"
cni11 GC "$(V=1.1.0 NETNAME=B conf ',"cni.dev/valid-attachments":null')"
check "GC of B with valid-attachments null: exit 0, gb1 detached ($(cat "$OUT"))" sh -c \
    "[ $rc -eq 0 ] && grep -qx 'graft-cni: GC: detached gb1/eth0' '$ERR'"
check "  network B: none left" lists B
graftctl detach hand/x >/dev/null 2>&1

# --- graftd gone: ADD/CHECK try again later (11), DEL succeeds with a
# warning; STATUS: not available (50); GC: try again later (11); after a
# restart (no attachments left) DEL succeeds
kill "$GRAFTD_PID"
wait "$GRAFTD_PID" 2>/dev/null
cni ADD cd /run/netns/$NB "$(conf)"
check "ADD with graftd down: error 11" is_error 11
cni CHECK ca /run/netns/$NA "$CA"
check "CHECK with graftd down: error 11" is_error 11
cni DEL ca /run/netns/$NA "$CA"
check "DEL with graftd down: exit 0, a warning on stderr" sh -c \
    "[ $rc -eq 0 ] && [ ! -s '$OUT' ] && grep -q 'warning: graftd is not running' '$ERR'"
cni11 STATUS "$(V=1.1.0 NETNAME=A conf)"
check_err "STATUS with graftd down: error 50, graftd's message in details" 50 \
    "'graftd is not running' in j['msg'] and '$GRAFTD_CTL' in j['details']"
cni11 GC "$(V=1.1.0 NETNAME=A conf "$(va)")"
check_err "GC with graftd down: error 11" 11 "'nothing can be collected now' in j['msg']"
start_graftd || { fail "graftd restarts"; t_done; }
cni DEL ca /run/netns/$NA "$CA"
check "DEL after a graftd restart: exit 0, no warning" sh -c "[ $rc -eq 0 ] && [ ! -s '$ERR' ]"
cni ADD ca /run/netns/$NA "$CA"
check "ADD after the restart: exit 0" [ $rc -eq 0 ]
cni DEL ca /run/netns/$NA "$CA"
check "DEL: exit 0" [ $rc -eq 0 ]

# --- the control socket: only from the config, root only
cni ADD ca /run/netns/$NA "$(conf | sed "s|$GRAFTD_CTL|$T_TMP/nothere.ctl|")"
check_err "ADD, control socket that does not exist: error 11 naming it" 11 "'nothere.ctl' in j['msg']"
t_done
