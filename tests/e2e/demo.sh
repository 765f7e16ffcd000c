#!/bin/sh
# demo.sh - `make demo` (examples/demo.sh) runs to its end: httpd, built
# with graft-cc, in a namespace with only lo answers curl on the host
# through a socket graftd handed over.
. "$(dirname "$0")/../lib/common.sh"
need_netns "make demo"
command -v curl >/dev/null || { skip "make demo (curl is not installed)"; exit 0; }
P=$(port_base 1)
GRAFT_DEMO_PORT=$P timeout 60 sh "$GRAFT_TOP/examples/demo.sh" >"$T_TMP/demo.log" 2>&1
rc=$?
check "make demo: examples/demo.sh exits 0 (status $rc)" test "$rc" -eq 0
check "make demo: the host client got httpd's answer on port $P" \
	grep -q "^demo:   -> hello from httpd: listening on 0.0.0.0:8080, you are 127.0.0.1:" "$T_TMP/demo.log"
[ "$T_FAILED" -eq 0 ] || sed 's/^/  /' "$T_TMP/demo.log"
t_done
