#!/bin/sh
# demo.sh - what `make demo` runs (as root): an unmodified HTTP server, built
# with graft-cc, runs in a network namespace that has only lo; its listening
# socket is grafted onto a host socket handed over by graftd, and a host
# client reaches it.  Everything it creates is removed at exit, also on ^C.
# graftd's request socket is in a directory of its own (graftd refuses the
# control socket beside it).  GRAFT_DEMO_PORT: the host port (18080).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bin
ns=graft-demo-$$
port=${GRAFT_DEMO_PORT:-18080}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/graft-demo.XXXXXX") || exit 1
pids=

say() { printf 'demo: %s\n' "$*"; }
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT TERM
die() { say "$*"; [ -f "$tmp/graftd.log" ] && sed 's/^/  graftd: /' "$tmp/graftd.log"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (it creates a network namespace)"
for p in graftd graftctl graft-cc; do
	[ -x "$bin/$p" ] || die "$bin/$p is missing: run make first"
done
command -v curl >/dev/null || die "curl is missing (apt-get install curl)"

say "building examples/httpd.c with graft-cc (no graft code in it)"
"$bin/graft-cc" -O2 -o "$tmp/httpd" "$top/examples/httpd.c" || die "graft-cc failed"
say "  $(file -b "$tmp/httpd" | cut -d, -f1-2,4)"

ip netns add "$ns" || die "ip netns add failed"
ip -n "$ns" link set lo up
say "network namespace $ns has: $(ip -n "$ns" -o link show | awk -F': ' '{printf "%s ", $2}')(nothing else)"

"$bin/graftd" -d -s "$tmp/run/graftd.sock" -c "$tmp/ctl/graftd.ctl" 2>"$tmp/graftd.log" &
pids="$pids $!"
i=0; while [ ! -S "$tmp/ctl/graftd.ctl" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$tmp/ctl/graftd.ctl" ] || die "graftd did not start"
say "graftd is running (socket $tmp/run/graftd.sock)"

"$bin/graftctl" -c "$tmp/ctl/graftd.ctl" add ep-http type ipv4 addr 127.0.0.1 port $port netns "$ns" ||
	die "graftctl add failed"
say "endpoint: $("$bin/graftctl" -c "$tmp/ctl/graftd.ctl" show | grep ep-http)"

cat > "$tmp/graft.conf" <<EOF
broker $tmp/run/graftd.sock
ingress 0.0.0.0:8080 ep-http
EOF
say "graft.conf: $(tr '\n' ';' < "$tmp/graft.conf")"

ip netns exec "$ns" env GRAFT_CONF="$tmp/graft.conf" "$tmp/httpd" -n 1 2>"$tmp/httpd.log" &
pids="$pids $!"
i=0; while ! grep -q listening "$tmp/httpd.log" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q listening "$tmp/httpd.log" || { cat "$tmp/httpd.log"; die "httpd did not start"; }
say "in the namespace, $(cat "$tmp/httpd.log")"

say "from the host: curl http://127.0.0.1:$port/"
out=$(curl -sS --max-time 5 "http://127.0.0.1:$port/") || die "curl failed"
say "  -> $out"
say "the server in a namespace with only lo answered a host client through a host socket."
