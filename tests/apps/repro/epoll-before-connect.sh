#!/bin/sh
# epoll-before-connect.sh - run the reproduction (see the .c file): builds
# it with graft-cc, runs it in a lo-only namespace with an egress rule to a
# host listener on 127.0.0.2.  Part of make check: the graft must register
# the host socket with the epoll sets that watched the placeholder.
: "${GRAFT_TOP:=$(cd "$(dirname "$0")/../../.." && pwd)}"
. "$GRAFT_TOP/tests/lib/common.sh"
. "$(dirname "$0")/../lib.sh"
need_netns epoll-before-connect
"$GRAFT_CC" -O2 -o "$T_TMP/repro" "$(dirname "$0")/epoll-before-connect.c" || exit 1
mk_netns NS || exit 1
start_graftd || exit 1
P=$(port_base 1)
graftctl add ep-out type ipv4 addr 0.0.0.0 port dynamic netns "$NS" >/dev/null
conf_file "$T_TMP/graft.conf" "egress 127.0.0.2/32 ep-out"
bg python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.2", int(sys.argv[1]))); s.listen(); time.sleep(30)' "$P"
wait_tcp 127.0.0.2 "$P"
out=$(GRAFT=off "$T_TMP/repro" 127.0.0.2 "$P")
echo "  without graft (on the host): $out"
out=$(in_netns "$NS" "$T_TMP/graft.conf" "$T_TMP/repro" 127.0.0.2 "$P")
case $out in ok*) pass "epoll registration survives the egress graft" ;; *) fail "epoll registration survives the egress graft ($out)" ;; esac
t_done
