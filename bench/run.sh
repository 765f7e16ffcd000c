#!/bin/sh
# bench/run.sh - `make bench`: the same workloads over three paths, side by
# side, in one run:
#   host   client and server in the host namespace, over loopback
#   nat    the server in a namespace behind veth + bridge + DNAT/MASQUERADE,
#          the way docker0 does it
#   graft  the server built with graft-cc in a namespace with only lo,
#          grafted through graftd (for CRR the client is grafted too)
# The workloads: iperf3 TCP and UDP; netbench (bench/netbench.c: stream,
# ping-pong, connect+request+close); HTTP with wrk against nginx, keep-alive
# and Connection: close, and HTTPS (TLS 1.3) keep-alive; graftd's graft rate; the cost of socket calls no
# rule matches (bench/unmatched.c: instructions under callgrind and CPU
# time, per iteration); the size graft-cc adds to a static binary; and a
# dynamically linked program (bench/dynstart.c, musl-gcc) on graft's
# drop-in loader against Alpine's own (the minirootfs in $GRAFT_ALPINE,
# default ../shared/alpine) and stock musl built like graft's: process
# start to the first socket call, and socket calls no rule matches; and
# the cost of fork() (bench/forkserve.c, a fork-per-connection server on
# loopback, and tests/progs/fork_cost.c, fork+_exit+waitpid) built with
# graft-cc against musl-gcc -static, nothing configured; and name
# resolution (tests/progs/dns_net.c: getaddrinfo against dnsmasq on the
# host's loopback) from the host and from a lo-only namespace whose
# queries graft.conf's "dns" line grafts.
# iperf3 and nginx are the graft-cc builds of tests/apps/build-app.sh (built
# here when build/apps lacks them; nginx links OpenSSL, zlib and PCRE2 from
# the sysroot), the same binaries on all three paths: with GRAFT=off they
# are stock musl programs on host and nat.
# Prints a table of medians and ratios, writes it with the raw numbers and a
# PNG plot under bench/results/.  Every measurement runs SECONDS (3, at
# most 10); the namespaces, processes and iptables rules are removed at
# exit, also on failure or Ctrl-C.
#
# usage: bench/run.sh [-r RUNS] [-t SECONDS] [-w WORKLOAD,...]
#   -w: only these workloads: of the three paths (stream, rr, crr,
#       iperf_tcp, iperf_udp, http_ka, http_close, https_ka; the graftd,
#       unmatched and size rows come with any of them), and loader (the
#       dynamically linked program's rows), fork (the fork rows) and
#       resolve (the name resolution rows); the other rows print "-", and
#       bench/results/latest.* are left as they were
# GRAFT_CC (environment): the graft-cc to build with, default
# build/bin/graft-cc (graftd and graftctl are always build/bin's).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bin
gcc_graft=$(readlink -f "${GRAFT_CC:-$bin/graft-cc}") || gcc_graft=$bin/graft-cc
RUNS=3
T=3
ALL_WORKLOADS="stream rr crr iperf_tcp iperf_udp http_ka http_close https_ka"
WORKLOADS=$ALL_WORKLOADS
LOADER=1
FORK=1
RESOLVE=1
usage() { echo "usage: $0 [-r RUNS] [-t SECONDS] [-w WORKLOAD,...]" >&2; exit 2; }
while getopts r:t:w: o; do
	case $o in
	r) RUNS=$OPTARG ;;
	t) T=$OPTARG ;;
	w) sel=$(echo "$OPTARG" | tr ',' ' ')
	   WORKLOADS='' LOADER=0 FORK=0 RESOLVE=0
	   for w in $sel; do
		[ "$w" = loader ] && { LOADER=1; continue; }
		[ "$w" = fork ] && { FORK=1; continue; }
		[ "$w" = resolve ] && { RESOLVE=1; continue; }
		case " $ALL_WORKLOADS " in
		*" $w "*) WORKLOADS="$WORKLOADS $w" ;;
		*) echo "bench: -w: unknown workload '$w' (one of: $ALL_WORKLOADS loader fork resolve)" >&2; exit 2 ;;
		esac
	   done
	   WORKLOADS=${WORKLOADS# } ;;
	*) usage ;;
	esac
done
[ $OPTIND -gt $# ] || usage
[ "$T" -ge 1 ] 2>/dev/null && [ "$T" -le 10 ] || { echo "bench: -t must be 1..10" >&2; exit 2; }
[ "$RUNS" -ge 3 ] 2>/dev/null || { echo "bench: -r must be at least 3" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (namespaces, iptables)" >&2; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/graft-bench.XXXXXX") || exit 1
tag=$$
NS_SRV=gb-srv-$tag NS_CLI=gb-cli-$tag NS_NAT=gb-nat-$tag NS_UNM=gb-unm-$tag NS_DNS=gb-dns-$tag
BR=gbr$tag VH=gbh$tag VN=gbn$tag
NATNET=10.231.77
pids=
nat_rules=

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done 2>/dev/null
	printf '%s\n' "$nat_rules" | while read -r r; do
		[ -n "$r" ] && eval "iptables -t nat -D $r" 2>/dev/null
	done
	ip link del "$BR" 2>/dev/null
	ip link del "$VH" 2>/dev/null
	for n in $NS_SRV $NS_CLI $NS_NAT $NS_UNM $NS_DNS; do ip netns del "$n" 2>/dev/null; done
	rm -rf "/etc/netns/$NS_DNS"
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
bg() { "$@" & pids="$pids $!"; }
# tmo CMD...: a client, killed if it overruns its measurement by 15 s
tmo() { timeout --foreground -k 2 $((T + 15)) "$@"; }
nat() { iptables -t nat -A "$@" || die "iptables -t nat -A $*"; nat_rules="$nat_rules
$*"; }
wait_port() { # wait_port [NETNS] PORT
	i=0
	while [ $i -lt 50 ]; do
		if [ $# -eq 2 ]; then ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .
		else ss -Hltn "sport = :$1" | grep -q .; fi && return 0
		sleep 0.1; i=$((i + 1))
	done
	die "nothing listens on port $*"
}

# --- tools and builds ------------------------------------------------------------
missing=
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need valgrind valgrind; need musl-gcc musl-tools; need taskset util-linux
need timeout coreutils
[ $RESOLVE = 0 ] || { need dnsmasq dnsmasq-base; need unshare util-linux; }
if [ -n "$WORKLOADS" ]; then
	need iptables iptables; need gnuplot gnuplot-nox; need wrk wrk
	need python3 python3; need strip binutils; need openssl openssl
fi
if [ -n "$missing" ]; then
	log "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 ||
	{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends $missing >/dev/null; } ||
		die "could not install$missing"
fi
raw=$W/raw.txt
: > "$raw"
run=0
record() { echo "$1 $2 $3 $run" >> "$raw"; }	# METRIC PATH VALUE RUN
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

# the three paths and what comes with them (graftd, unmatched, size rows)
if [ -n "$WORKLOADS" ]; then
[ -x "$gcc_graft" ] && [ -x "$bin/graftd" ] && [ -x "$bin/graftctl" ] ||
	die "$gcc_graft, $bin/graftd or $bin/graftctl is missing: run make first"
# iperf3 and nginx from Debian's source, built with graft-cc: nothing to do
# when build/apps has them and graft's libc is unchanged.
for a in iperf3 nginx; do
	GRAFT_TOP=$top GRAFT_BUILD=$top/build GRAFT_BIN=$bin GRAFT_CC=$gcc_graft \
		"$top/tests/apps/build-app.sh" $a >/dev/null ||
		die "cannot build $a with graft-cc (tests/apps/build-app.sh $a)"
done
IPERF=$top/build/apps/iperf3/bin/iperf3
NGINX=$top/build/apps/nginx/bin/nginx
iperf_ver=$("$IPERF" --version | sed -n '1s/^iperf \([^ ]*\).*/\1/p')
nginx_ver=$("$NGINX" -v 2>&1 | sed -n 's|.*nginx/||p')
ngx_ssl=$("$NGINX" -V 2>&1 | sed -n 's/^built with OpenSSL \([^ ]*\).*/\1/p')
log "building the benchmark programs"
"$gcc_graft" -O2 -o "$W/nb-graft" "$top/bench/netbench.c" &&
cc -O2 -I"$top/src/common" -o "$W/graftrate" "$top/bench/graftrate.c" &&
musl-gcc -static -O2 -o "$W/unm-stock" "$top/bench/unmatched.c" &&
"$gcc_graft" -O2 -o "$W/unm-graft" "$top/bench/unmatched.c" &&
musl-gcc -static -O2 -o "$W/httpd-stock" "$top/examples/httpd.c" &&
"$gcc_graft" -O2 -o "$W/httpd-graft" "$top/examples/httpd.c" || die "build failed"

# --- unmatched socket calls ------------------------------------------------------
# First, and in a namespace of its own: the kernel's share of the loop (a
# bind to port 0 searches the port table) must not depend on the TIME_WAIT
# sockets the other workloads leave behind.
ip netns add "$NS_UNM" && ip -n "$NS_UNM" link set lo up || die "ip netns add $NS_UNM"
printf 'broker %s\ningress 0.0.0.0:80 ep-none\negress 10.0.0.0/8 ep-none\n' "$W/run/g.sock" > "$W/unm.conf"
unset GRAFT_CONF GRAFT
[ -e /etc/graft.conf ] && log "note: /etc/graft.conf exists: the 'no graft.conf' row reads it"
# unm VARIANT [WRAPPER...] ARGS: bench/unmatched.c in that namespace, built
# as VARIANT, under WRAPPER; ARGS (one word, split) are the program's.
#   stock  musl-gcc
#   off    graft-cc, no graft.conf (GRAFT_CONF empty: /etc/graft.conf)
#   rules  graft-cc, a graft.conf with rules none of the calls match
unm() {
	_v=$1 _c='' _b=$W/unm-graft _w=''; shift
	[ "$_v" = rules ] && _c=$W/unm.conf
	[ "$_v" = stock ] && _b=$W/unm-stock
	while [ $# -gt 1 ]; do _w="$_w $1"; shift; done
	# shellcheck disable=SC2086
	ip netns exec "$NS_UNM" env GRAFT_CONF="$_c" $_w "$_b" $1
}
UNM_N=1024	# callgrind counts N and 2N iterations: (Ir(2N) - Ir(N)) / N
UNM_T=20000	# iterations of each timed run
log "unmatched socket calls: instructions (callgrind) and CPU time"
for v in stock off rules; do
	for n in $UNM_N $((2 * UNM_N)); do
		unm $v valgrind --tool=callgrind --callgrind-out-file="$W/cg.$v.$n" "$n" >/dev/null 2>"$W/cg.err" ||
			die "valgrind of unmatched ($v, $n iterations): $(tail -n 3 "$W/cg.err")"
		record "unm_ir_$n" $v "$(awk '/^(summary|totals):/ {print $2; exit}' "$W/cg.$v.$n")"
	done
done
UNM_RUNS=$((RUNS > 5 ? RUNS : 5))
for r in $(seq $UNM_RUNS); do
	for v in stock off rules; do
		o=$(unm $v taskset -c 1 "-t $UNM_T" 2>&1) || die "unmatched -t $UNM_T ($v): $o"
		record unm_ns $v "$(echo "$o" | field ns_per_iter)"
	done
done

# --- the three paths -------------------------------------------------------------
for n in $NS_SRV $NS_CLI $NS_NAT; do
	ip netns add "$n" && ip -n "$n" link set lo up || die "ip netns add $n"
done
ip link add "$BR" type bridge && ip addr add $NATNET.1/24 dev "$BR" && ip link set "$BR" up &&
ip link add "$VH" type veth peer name "$VN" && ip link set "$VH" master "$BR" up &&
ip link set "$VN" netns "$NS_NAT" && ip -n "$NS_NAT" addr add $NATNET.2/24 dev "$VN" &&
ip -n "$NS_NAT" link set "$VN" up && ip -n "$NS_NAT" route add default via $NATNET.1 ||
	die "could not build the NAT path"
sysctl -qw net.ipv4.ip_forward=1
nat POSTROUTING -s $NATNET.0/24 ! -o "$BR" -j MASQUERADE
nat OUTPUT -p tcp -d $NATNET.1 --dport 19002 -j DNAT --to-destination $NATNET.2:9000
nat OUTPUT -p tcp -d $NATNET.1 --dport 19012 -j DNAT --to-destination $NATNET.2:5201
nat OUTPUT -p udp -d $NATNET.1 --dport 19012 -j DNAT --to-destination $NATNET.2:5201
nat OUTPUT -p tcp -d $NATNET.1 --dport 19022 -j DNAT --to-destination $NATNET.2:8080
nat OUTPUT -p tcp -d $NATNET.1 --dport 19032 -j DNAT --to-destination $NATNET.2:8443

bg "$bin/graftd" -d -s "$W/run/g.sock" -c "$W/ctl/g.ctl" >"$W/graftd.log" 2>&1
i=0; while [ ! -S "$W/ctl/g.ctl" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$W/ctl/g.ctl" ] || die "graftd did not start: $(tail -n 3 "$W/graftd.log")"
ctl() { "$bin/graftctl" -c "$W/ctl/g.ctl" "$@" >/dev/null || die "graftctl $*"; }
ctl add ep-srv type ipv4 addr 127.0.0.1 port 19001 netns "$NS_SRV"
ctl add ep-iperf type ipv4 addr 127.0.0.1 port 19011 netns "$NS_SRV"
ctl add ep-http type ipv4 addr 127.0.0.1 port 19021 netns "$NS_SRV"
ctl add ep-https type ipv4 addr 127.0.0.1 port 19031 netns "$NS_SRV"
ctl add ep-out type ipv4 addr 127.0.0.1 port dynamic netns "$NS_CLI"
ctl add ep-rate type ipv4 addr 127.0.0.1 port dynamic netns "$NS_CLI"
printf 'broker %s\ningress 0.0.0.0:9000 ep-srv\n' "$W/run/g.sock" > "$W/srv.conf"
printf 'broker %s\ningress [::]:5201 ep-iperf\ningress 0.0.0.0:5201 ep-iperf\n' "$W/run/g.sock" > "$W/iperf.conf"
printf 'broker %s\ningress 0.0.0.0:8080 ep-http\ningress 0.0.0.0:8443 ep-https\n' "$W/run/g.sock" > "$W/http.conf"
printf 'broker %s\negress 127.0.0.1/32 ep-out\n' "$W/run/g.sock" > "$W/cli.conf"

# Servers run on CPU 1, as do latency clients: on this kind of VM a wake-up
# across CPUs costs more than the path under test.  Throughput clients run
# on CPU 0.
bg env GRAFT=off taskset -c 1 "$W/nb-graft" server 19000
bg ip netns exec "$NS_NAT" env GRAFT=off taskset -c 1 "$W/nb-graft" server 9000
bg ip netns exec "$NS_SRV" env GRAFT_CONF="$W/srv.conf" taskset -c 1 "$W/nb-graft" server 9000

bg env GRAFT=off taskset -c 1 "$IPERF" -s -4 -p 19010 >/dev/null 2>&1
bg ip netns exec "$NS_NAT" env GRAFT=off taskset -c 1 "$IPERF" -s -4 -p 5201 >/dev/null 2>&1
bg ip netns exec "$NS_SRV" env GRAFT_CONF="$W/iperf.conf" taskset -c 1 "$IPERF" -s -4 -p 5201 >"$W/iperf-graft.log" 2>&1

# nginx: one worker (as nobody), no access log, a small static file, over
# HTTP and over HTTPS (TLS 1.3, an EC P-256 certificate made here; the
# master reads the key as root)
chmod 711 "$W"
mkdir -p "$W/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
	-keyout "$W/tls/key.pem" -out "$W/tls/cert.pem" >"$W/openssl.log" 2>&1 ||
	die "openssl req: $(cat "$W/openssl.log")"
ngx_conf() { # ngx_conf DIR PORT TLSPORT
	mkdir -p "$1/logs" "$1/html" || die "mkdir $1"
	awk 'BEGIN {for (i = 0; i < 16; i++) print "graft benchmark: a small static file, 1 KiB of text ..........."}' \
		> "$1/html/index.html"
	cat > "$1/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
user nobody nogroup;
error_log $1/logs/error.log notice;
pid $1/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    default_type text/html;
    server {
        listen $2;
        root $1/html;
    }
    server {
        listen $3 ssl;
        root $1/html;
        ssl_certificate $W/tls/cert.pem;
        ssl_certificate_key $W/tls/key.pem;
        ssl_protocols TLSv1.3;
    }
}
EOF
	chmod -R a+rX "$1"
}
ngx_conf "$W/ngx-host" 127.0.0.1:19020 127.0.0.1:19030
ngx_conf "$W/ngx-nat" 8080 8443
ngx_conf "$W/ngx-graft" 8080 8443
bg env GRAFT=off taskset -c 1 "$NGINX" -p "$W/ngx-host" -c "$W/ngx-host/nginx.conf" >/dev/null 2>&1
bg ip netns exec "$NS_NAT" env GRAFT=off taskset -c 1 "$NGINX" -p "$W/ngx-nat" -c "$W/ngx-nat/nginx.conf" >/dev/null 2>&1
bg ip netns exec "$NS_SRV" env GRAFT_CONF="$W/http.conf" taskset -c 1 "$NGINX" -p "$W/ngx-graft" -c "$W/ngx-graft/nginx.conf" >/dev/null 2>&1

wait_port 19000; wait_port "$NS_NAT" 9000; wait_port 19001
wait_port 19010; wait_port "$NS_NAT" 5201; wait_port 19011
wait_port 19020; wait_port "$NS_NAT" 8080; wait_port 19021
wait_port 19030; wait_port "$NS_NAT" 8443; wait_port 19031
for p in host nat graft; do
	i=0
	until grep -q 'start worker process' "$W/ngx-$p/logs/error.log" 2>/dev/null; do
		[ $i -lt 50 ] || die "nginx ($p) has no worker: $(cat "$W/ngx-$p/logs/error.log" 2>/dev/null)"
		sleep 0.1; i=$((i + 1))
	done
done

# shellcheck disable=SC2034 # read through eval
addr_host="127.0.0.1 19000" addr_nat="$NATNET.1 19002" addr_graft="127.0.0.1 19001"
# shellcheck disable=SC2034
iperf_host="127.0.0.1 19010" iperf_nat="$NATNET.1 19012" iperf_graft="127.0.0.1 19011"
# shellcheck disable=SC2034
http_host=127.0.0.1:19020 http_nat=$NATNET.1:19022 http_graft=127.0.0.1:19021
# shellcheck disable=SC2034
https_host=127.0.0.1:19030 https_nat=$NATNET.1:19032 https_graft=127.0.0.1:19031

# iperf ADDR PORT ARGS...: graft-cc's iperf3 as a stock client (GRAFT=off);
# prints "mbps=N" (received) and for UDP "loss=PERCENT".  Retries while the
# server is still busy with the previous test.
iperf() {
	_h=$1 _p=$2; shift 2
	for _try in 1 2 3; do
		GRAFT=off tmo taskset -c 0 "$IPERF" -c "$_h" -p "$_p" -t "$T" -J "$@" >"$W/iperf.json" 2>"$W/iperf.err"
		grep -q busy "$W/iperf.json" "$W/iperf.err" || break
		sleep 1
	done
	python3 - "$W/iperf.json" <<'EOF'
import json, sys
try:
    j = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit("no JSON report")
if j.get("error"):
    sys.exit(j["error"])
e = j["end"]
if "sum_received" in e:	# TCP
    print("mbps=%.0f" % (e["sum_received"]["bits_per_second"] / 1e6))
else:	# UDP: what arrived, from the sender's count and the receiver's losses
    s = e["sum"]
    if not s["packets"]:
        sys.exit("no datagram sent")
    got = s["bytes"] * (1 - s["lost_packets"] / s["packets"])
    print("mbps=%.0f loss=%.2f" % (got * 8 / s["seconds"] / 1e6, 100.0 * s["lost_packets"] / s["packets"]))
EOF
}
# http URL ARGS...: wrk on CPU 0 for T seconds, 16 connections; prints
# "rps=N p50_us=N p99_us=N", fails on socket errors or non-2xx answers
http() {
	_u=$1; shift
	tmo taskset -c 0 wrk -t1 -c16 -d"${T}s" --latency "$@" "$_u" >"$W/wrk.out" 2>&1 ||
		{ cat "$W/wrk.out" >&2; return 1; }
	awk '
	function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1e3; if (v ~ /s$/) return v * 1e6; return v }
	$1 == "50%" { p50 = us($2) }
	$1 == "99%" { p99 = us($2) }
	$1 == "Requests/sec:" { rps = $2 }
	/Socket errors|Non-2xx/ { err = err $0 }
	END {
		if (err != "" || rps == "") { print "wrk: " (err != "" ? err : "no result"); exit 1 }
		printf "rps=%.0f p50_us=%.1f p99_us=%.1f\n", rps, p50, p99
	}' "$W/wrk.out"
}

# --- measurements --------------------------------------------------------------
# One function per workload, PATH as argument; each records its metrics.
w_stream() {
	eval "a=\$addr_$1"
	# shellcheck disable=SC2086
	o=$(tmo env GRAFT=off taskset -c 0 "$W/nb-graft" stream $a "$T") || die "stream over $1 failed"
	record stream_mbps "$1" "$(echo "$o" | field mbps)"
}
w_rr() {
	eval "a=\$addr_$1"
	# shellcheck disable=SC2086
	o=$(tmo env GRAFT=off taskset -c 1 "$W/nb-graft" rr $a "$T") || die "rr over $1 failed"
	record rr_tps "$1" "$(echo "$o" | field tps)"
	record rr_p50_us "$1" "$(echo "$o" | field p50_us)"
	record rr_p99_us "$1" "$(echo "$o" | field p99_us)"
}
w_crr() {
	eval "a=\$addr_$1"
	if [ "$1" = graft ]; then
		o=$(tmo ip netns exec "$NS_CLI" env GRAFT_CONF="$W/cli.conf" \
			taskset -c 1 "$W/nb-graft" crr 127.0.0.1 19001 "$T") || die "crr over graft failed"
	else
		# shellcheck disable=SC2086
		o=$(tmo env GRAFT=off taskset -c 1 "$W/nb-graft" crr $a "$T") || die "crr over $1 failed"
	fi
	record crr_cps "$1" "$(echo "$o" | field cps)"
}
w_iperf_tcp() {
	eval "a=\$iperf_$1"
	# shellcheck disable=SC2086
	o=$(iperf $a 2>&1) || die "iperf3 TCP over $1: $o"
	record iperf3_mbps "$1" "$(echo "$o" | field mbps)"
}
w_iperf_udp() {
	eval "a=\$iperf_$1"
	# shellcheck disable=SC2086
	o=$(iperf $a -u -b 0 -l 1400 2>&1) ||
		die "iperf3 UDP over $1: $o$([ "$1" = graft ] && echo "; server: $(tail -n 5 "$W/iperf-graft.log")")"
	record iperf3_udp_mbps "$1" "$(echo "$o" | field mbps)"
	record iperf3_udp_loss "$1" "$(echo "$o" | field loss)"
}
w_http_ka() {
	eval "a=\$http_$1"
	o=$(http "http://$a/" 2>&1) || die "wrk (keep-alive) over $1: $o"
	record http_ka_rps "$1" "$(echo "$o" | field rps)"
	record http_ka_p50_us "$1" "$(echo "$o" | field p50_us)"
	record http_ka_p99_us "$1" "$(echo "$o" | field p99_us)"
}
w_http_close() {
	eval "a=\$http_$1"
	o=$(http "http://$a/" -H 'Connection: close' 2>&1) || die "wrk (Connection: close) over $1: $o"
	record http_close_rps "$1" "$(echo "$o" | field rps)"
	record http_close_p50_us "$1" "$(echo "$o" | field p50_us)"
	record http_close_p99_us "$1" "$(echo "$o" | field p99_us)"
}
# HTTPS keep-alive: the 16 TLS handshakes are a negligible part of a run;
# this is TLS records (AES-GCM) on top of http_ka
w_https_ka() {
	eval "a=\$https_$1"
	o=$(http "https://$a/" 2>&1) || die "wrk (HTTPS, keep-alive) over $1: $o"
	record https_ka_rps "$1" "$(echo "$o" | field rps)"
	record https_ka_p50_us "$1" "$(echo "$o" | field p50_us)"
	record https_ka_p99_us "$1" "$(echo "$o" | field p99_us)"
}

# The three paths of a workload run back to back, in an order that turns
# with each run: this VM has slow spells of many seconds, and a ratio is
# then taken between neighbours (see ratio_runs below).
for r in $(seq "$RUNS"); do
	case $((r % 3)) in
	1) order="host nat graft" ;;
	2) order="nat graft host" ;;
	0) order="graft host nat" ;;
	esac
	log "run $r/$RUNS ($order)"
	run=$r
	for w in $WORKLOADS; do
		for p in $order; do "w_$w" "$p"; done
	done
	for c in 1 4 16; do
		o=$(tmo ip netns exec "$NS_CLI" "$W/graftrate" "$W/run/g.sock" ep-rate $c "$T") || die "graftrate failed"
		record "graftd_grafts_per_s_$c" graft "$(echo "$o" | field grafts_per_s)"
	done
done

size_stock=$(stat -c %s "$W/httpd-stock") size_graft=$(stat -c %s "$W/httpd-graft")
strip -o "$W/s1" "$W/httpd-stock"; strip -o "$W/s2" "$W/httpd-graft"
ssize_stock=$(stat -c %s "$W/s1") ssize_graft=$(stat -c %s "$W/s2")
fi	# the three paths

# --- a dynamically linked program: graft's loader against Alpine's ---------------
# bench/dynstart.c built with musl-gcc (interpreter /lib/ld-musl-ARCH.so.1)
# in three copies of the Alpine minirootfs that differ only in that file:
# Alpine's own (alpine), graft's drop-in (graft), and stock musl of the same
# version built by tests/lib/stock-musl with graft's compiler and flags
# (musl: what the core costs, apart from how Alpine compiles musl).
# Nothing configured: no graft.conf in the copies, an empty environment.
#   start: a process that makes one socket call and exits, LD_N times per
#          measurement, by bench/spawn.c chrooted into the copy (the
#          kernel's exec, the copy's loader, the program); callgrind counts
#          the same (the loader run as a command)
#   call:  socket() + close(), LD_T times in one process (CPU time), and
#          under callgrind (N and 2N iterations)
# The copies are measured back to back, in an order that turns each run.
LD_N=1000 LD_T=200000 LD_IR_N=1024
ld_skip=
if [ $LOADER = 1 ]; then
	: "${GRAFT_ALPINE:=$top/../shared/alpine}"
	ld_target=$(sed -n 's/^CONF_TARGET = //p' "$top/config.mk")
	ld_arch=$(uname -m)
	ld_name=ld-musl-$ld_arch.so.1
	ld_graft=$top/build/$ld_target/dropin/lib/$ld_name
	ld_rootfs=$(ls "$GRAFT_ALPINE"/alpine-minirootfs-*-"$ld_arch".tar.gz 2>/dev/null | tail -n 1)
	ld_ver=$(cat "$top/build/$ld_target/musl/VERSION" 2>/dev/null)
	ld_src=$(sed -n 's/^MUSL_SRC = //p' "$top/config.mk")
	[ -f "$ld_src" ] || [ -d "$ld_src" ] || ld_src=$top/build/dl/musl_$ld_ver.orig.tar.gz
	if [ "$ld_target" != "$ld_arch-linux-musl" ]; then ld_skip="the build's target $ld_target is not this machine's"
	elif [ ! -x "$ld_graft" ]; then ld_skip="no $ld_graft (make dropin)"
	elif [ -z "$ld_rootfs" ]; then ld_skip="no Alpine minirootfs in $GRAFT_ALPINE (GRAFT_ALPINE=DIR)"
	elif ! ld_stock=$("$top/tests/lib/stock-musl" "$ld_src" "$top/build/$ld_target/stock-musl" \
			"$(sed -n 's/^CONF_CC = //p' "$top/config.mk")" 2>"$W/stock-musl.err"); then
		ld_skip="stock musl $ld_ver does not build: $(tail -n 1 "$W/stock-musl.err")"
	fi
	[ -z "$ld_skip" ] || log "loader rows skipped: $ld_skip"
fi
if [ $LOADER = 1 ] && [ -z "$ld_skip" ]; then
	log "a dynamically linked program on graft's loader, Alpine's and stock musl's"
	musl-gcc -O2 -o "$W/dynstart" "$top/bench/dynstart.c" &&
	musl-gcc -static -O2 -o "$W/spawn" "$top/bench/spawn.c" || die "build of dynstart/spawn failed"
	for v in alpine graft musl; do
		mkdir -p "$W/root-$v" && tar xzf "$ld_rootfs" -C "$W/root-$v" 2>/dev/null &&
		cp "$W/dynstart" "$W/root-$v/prog" || die "cannot unpack $ld_rootfs"
	done
	cp "$ld_graft" "$W/root-graft/lib/$ld_name" && cp "$ld_stock" "$W/root-musl/lib/$ld_name" ||
		die "cannot copy the loaders"
	[ -e "$W/root-alpine/etc/graft.conf" ] && die "the minirootfs has /etc/graft.conf"
	ld_alpine_ver=$("$W/root-alpine/lib/$ld_name" 2>&1 | sed -n 's/^Version //p')
	# ld VARIANT ARGS...: the program on that copy's loader (as a command)
	ld() { _v=$1; shift; env -i "$W/root-$_v/lib/$ld_name" "$W/dynstart" "$@"; }
	ir() { awk '/^(summary|totals):/ {print $2; exit}' "$1"; }
	for v in alpine graft musl; do
		ld "$v" || die "dynstart on the $v loader failed"
		env -i valgrind --tool=callgrind --callgrind-out-file="$W/ld.$v.start" \
			"$W/root-$v/lib/$ld_name" "$W/dynstart" >/dev/null 2>"$W/cg.err" ||
			die "valgrind of dynstart ($v): $(tail -n 3 "$W/cg.err")"
		record ld_start_ir "$v" "$(ir "$W/ld.$v.start")"
		for n in $LD_IR_N $((2 * LD_IR_N)); do
			env -i valgrind --tool=callgrind --callgrind-out-file="$W/ld.$v.$n" \
				"$W/root-$v/lib/$ld_name" "$W/dynstart" $n >/dev/null 2>"$W/cg.err" ||
				die "valgrind of dynstart $n ($v): $(tail -n 3 "$W/cg.err")"
			record "ld_call_ir_$n" "$v" "$(ir "$W/ld.$v.$n")"
		done
	done
	LD_RUNS=$((RUNS > 5 ? RUNS : 5))
	for r in $(seq $LD_RUNS); do
		run=$r
		case $((r % 3)) in
		1) order="alpine graft musl" ;;
		2) order="graft musl alpine" ;;
		0) order="musl alpine graft" ;;
		esac
		for v in $order; do
			o=$(taskset -c 1 "$W/spawn" "$W/root-$v" /prog $LD_N 2>&1) || die "spawn ($v): $o"
			record ld_start_us "$v" "$(echo "$o" | field wall_us_per_run)"
			record ld_start_cpu_us "$v" "$(echo "$o" | field cpu_us_per_run)"
			record ld_start_minflt "$v" "$(echo "$o" | field minflt_per_run)"
			o=$(taskset -c 1 env -i "$(command -v chroot)" "$W/root-$v" /prog -t $LD_T 2>&1) ||
				die "dynstart -t ($v): $o"
			record ld_call_ns "$v" "$(echo "$o" | field ns_per_iter)"
		done
	done
fi

# --- fork(): graft-cc against musl-gcc, nothing configured -------------------------
# A forked child must cost the same with graft (hook_fork.c): no namespace,
# no graftd, GRAFT_CONF=/dev/null for both builds, on one CPU.
#   serve: bench/forkserve.c, FK_N connections from a client process, each
#          served by a child forked for it: connections/s, the server's and
#          its children's CPU time and minor faults per connection
#   fork:  tests/progs/fork_cost.c, FK_F times fork+_exit+waitpid: time per
#          fork, a child's minor faults (median) up to its first instruction
# The two builds run back to back, in an order that turns each run.
FK_N=3000 FK_F=5000
if [ $FORK = 1 ]; then
	log "fork: a fork-per-connection server and a fork loop, graft-cc and musl-gcc"
	musl-gcc -static -O2 -o "$W/forkserve.musl" "$top/bench/forkserve.c" &&
	"$gcc_graft" -O2 -o "$W/forkserve.graft" "$top/bench/forkserve.c" &&
	musl-gcc -static -O2 -o "$W/fork_cost.musl" "$top/tests/progs/fork_cost.c" &&
	"$gcc_graft" -O2 -o "$W/fork_cost.graft" "$top/tests/progs/fork_cost.c" || die "build of forkserve/fork_cost failed"
	FK_RUNS=$((RUNS > 7 ? RUNS : 7))
	for r in $(seq $FK_RUNS); do
		run=$r
		case $((r % 2)) in 1) order="musl graft" ;; 0) order="graft musl" ;; esac
		for v in $order; do
			o=$(GRAFT_CONF=/dev/null taskset -c 1 "$W/forkserve.$v" $FK_N 2>&1) || die "forkserve ($v): $o"
			record fk_cps "$v" "$(echo "$o" | field conn_per_s)"
			record fk_cpu_us "$v" "$(echo "$o" | field cpu_us_per_conn)"
			record fk_minflt "$v" "$(echo "$o" | field minflt_per_conn)"
			o=$(GRAFT_CONF=/dev/null taskset -c 1 "$W/fork_cost.$v" $FK_F 2>&1) || die "fork_cost ($v): $o"
			record fk_fork_us "$v" "$(echo "$o" | awk '{printf "%.1f", $1 / 1000}')"
			record fk_fork_minflt "$v" "$(echo "$o" | awk '{print $2}')"
		done
	done
fi

# --- name resolution: grafted against the host, one nameserver -------------------
# dnsmasq on the host's loopback at RS_IP:53 answers one name from its
# configuration.  host: dns_net (graft-cc, GRAFT=off) in the host's network
# namespace, its /etc/resolv.conf bind-mounted in a mount namespace of its
# own; graft: the same program in a lo-only namespace whose resolv.conf
# names the same address (its own loopback there, where nothing answers),
# the queries grafted by "dns ep-dns" through a graftd of this section.
# RS_N getaddrinfo(AF_INET) lookups (one A query each, over UDP): lookups/s.
# Client, dnsmasq and graftd on CPU 1: a lookup is a ping-pong, and a
# wake-up across this VM's CPUs costs more than the path under test.
# The two paths run back to back, in an order that turns each run.
RS_N=2000 RS_IP=127.77.251.53
if [ $RESOLVE = 1 ]; then
	log "resolve: getaddrinfo against dnsmasq, from the host and grafted"
	"$gcc_graft" -O2 -o "$W/dns_net" "$top/tests/progs/dns_net.c" || die "build of dns_net failed"
	mkdir -p "$W/rs/run" "$W/rs/ctl" "/etc/netns/$NS_DNS"
	printf 'nameserver %s\n' "$RS_IP" > "$W/rs/resolv.conf"
	cp "$W/rs/resolv.conf" "/etc/netns/$NS_DNS/resolv.conf"
	ip netns add "$NS_DNS" && ip -n "$NS_DNS" link set lo up || die "ip netns add $NS_DNS"
	bg taskset -c 1 dnsmasq -k -u root -C /dev/null --no-resolv --no-hosts --bind-interfaces \
		--listen-address="$RS_IP" -p 53 --local=/test/ \
		--host-record=bench.graft.test,192.0.2.1 >"$W/rs/dnsmasq.log" 2>&1
	bg taskset -c 1 "$bin/graftd" -d -s "$W/rs/run/g.sock" -c "$W/rs/ctl/g.ctl" >"$W/rs/graftd.log" 2>&1
	i=0
	while { [ ! -S "$W/rs/ctl/g.ctl" ] || ! ss -Hlun "src = $RS_IP:53" | grep -q .; } && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ -S "$W/rs/ctl/g.ctl" ] || die "graftd did not start: $(tail -n 3 "$W/rs/graftd.log")"
	ss -Hlun "src = $RS_IP:53" | grep -q . || die "dnsmasq did not start: $(tail -n 3 "$W/rs/dnsmasq.log")"
	"$bin/graftctl" -c "$W/rs/ctl/g.ctl" add ep-dns type ipv4 addr 127.0.0.1 port dynamic netns "$NS_DNS" >/dev/null ||
		die "graftctl add ep-dns"
	printf 'broker %s\ndns ep-dns\n' "$W/rs/run/g.sock" > "$W/rs/graft.conf"
	rs_run() { # PATH: prints lookups/s
		t0=$(date +%s%N)
		case $1 in
		host) unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && exec env GRAFT=off taskset -c 1 "$2" loop bench.graft.test "$3"' \
			rs "$W/rs/resolv.conf" "$W/dns_net" $RS_N ;;
		graft) ip netns exec "$NS_DNS" env GRAFT_CONF="$W/rs/graft.conf" taskset -c 1 "$W/dns_net" loop bench.graft.test $RS_N ;;
		esac >"$W/rs/out" 2>&1 || die "dns_net ($1): $(cat "$W/rs/out")"
		t1=$(date +%s%N)
		grep -q "^loop $RS_N ok" "$W/rs/out" || die "dns_net ($1): $(cat "$W/rs/out")"
		awk -v n=$RS_N -v t=$((t1 - t0)) 'BEGIN {printf "%.0f", n / (t / 1e9)}'
	}
	for r in $(seq $RUNS); do
		run=$r
		case $((r % 2)) in 1) order="host graft" ;; 0) order="graft host" ;; esac
		for v in $order; do record rs_lps "$v" "$(rs_run "$v")"; done
	done
fi

# --- the table ------------------------------------------------------------------
median() { # median METRIC PATH
	awk -v m="$1" -v p="$2" '$1 == m && $2 == p && $3 != "" {print $3}' "$raw" | sort -g |
	awk '{v[NR] = $1} END {if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
ratio() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf f, a / b}'; }
# ratio_runs METRIC PATH BASE [FORMAT]: the median over the runs of
# PATH/BASE, each run's pair measured back to back
ratio_runs() {
	awk -v m="$1" -v p="$2" -v b="$3" '
	$1 == m && $2 == p && $3 != "" {v[$4] = $3}
	$1 == m && $2 == b && $3 != "" {w[$4] = $3}
	END {for (r in v) if ((r in w) && w[r] != 0) print v[r] / w[r]}' "$raw" | sort -g |
	awk -v f="${4:-%.2f}" '{v[NR] = $1} END {if (!NR) print "-"; else printf f "\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
get() { awk -v m="$1" -v p="$2" '$1 == m && $2 == p {print $3; exit}' "$raw"; }
# ld_per_iter COPY: the same for dynstart's socket() + close()
ld_per_iter() { awk -v a="$(get "ld_call_ir_$LD_IR_N" "$1")" -v b="$(get "ld_call_ir_$((2 * LD_IR_N))" "$1")" -v n=$LD_IR_N 'BEGIN {printf "%.0f", (b - a) / n}'; }
# per_iter VARIANT: instructions per loop iteration, (Ir(2N) - Ir(N)) / N
per_iter() { awk -v a="$(get "unm_ir_$UNM_N" "$1")" -v b="$(get "unm_ir_$((2 * UNM_N))" "$1")" -v n=$UNM_N 'BEGIN {printf "%.0f", (b - a) / n}'; }

stamp=$(date -u +%Y-%m-%dT%H%MZ)
out=$top/bench/results
mkdir -p "$out"
table=$W/table.md
{
	echo "graft benchmark, $stamp: $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)), $(uname -r), median of $RUNS runs of ${T}s"
	echo
	if [ -n "$WORKLOADS" ]; then
	echo "iperf3 $iperf_ver and nginx $nginx_ver: the graft-cc builds (build/apps), the same binaries on all three paths (GRAFT=off on host and nat; the iperf3 client is that binary with GRAFT=off); netbench: its graft-cc build everywhere (GRAFT=off but for the graft server and the grafted CRR client); wrk $(wrk -v 2>&1 | sed -n '1s/^wrk \([^ ]*\).*/\1/p') on the host: 1 thread, 16 connections; HTTPS: TLS 1.3, nginx with OpenSSL $ngx_ssl (the sysroot's), wrk with the host's."
	echo
	echo "Columns host, nat, graft: medians. Ratios: the median of each run's ratio, the paths of a workload being measured back to back."
	echo
	echo "| workload | host | nat | graft | graft/host | graft/nat |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: |"
	for m in iperf3_mbps:"iperf3 TCP, Mbit/s" \
		 iperf3_udp_mbps:"iperf3 UDP (-b 0, 1400-byte datagrams), received Mbit/s" \
		 iperf3_udp_loss:"iperf3 UDP, datagrams lost, %" \
		 stream_mbps:"TCP stream (netbench), Mbit/s" rr_tps:"TCP ping-pong, transactions/s" \
		 rr_p50_us:"ping-pong latency p50, µs" rr_p99_us:"ping-pong latency p99, µs" \
		 crr_cps:"connect+request+close, conn/s (graft: client grafted too)" \
		 http_ka_rps:"HTTP keep-alive (wrk, nginx), requests/s" \
		 http_ka_p50_us:"HTTP keep-alive latency p50, µs" http_ka_p99_us:"HTTP keep-alive latency p99, µs" \
		 http_close_rps:"HTTP Connection: close, requests/s" \
		 http_close_p50_us:"HTTP Connection: close latency p50, µs" http_close_p99_us:"HTTP Connection: close latency p99, µs" \
		 https_ka_rps:"HTTPS (TLS 1.3) keep-alive (wrk, nginx), requests/s" \
		 https_ka_p50_us:"HTTPS keep-alive latency p50, µs" https_ka_p99_us:"HTTPS keep-alive latency p99, µs"; do
		k=${m%%:*} label=${m#*:}
		h=$(median "$k" host) n=$(median "$k" nat) g=$(median "$k" graft)
		if [ "$k" = iperf3_udp_loss ]; then	# no ratio of percentages
			echo "| $label | $h | $n | $g | | |"
		else
			echo "| $label | $h | $n | $g | $(ratio_runs "$k" graft host) | $(ratio_runs "$k" graft nat) |"
		fi
	done
	for c in 1 4 16; do
		echo "| graftd grafts/s, $c client(s) | | | $(median graftd_grafts_per_s_$c graft) | | |"
	done
	echo
	echo "| unmatched socket calls, per iteration (socket, 2 setsockopt, bind, connect, close) | instructions (callgrind) | vs stock musl | CPU time user+sys, ns | vs stock musl |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	is=$(per_iter stock) ns=$(median unm_ns stock)
	for v in stock:"stock musl (musl-gcc)" off:"graft-cc, no graft.conf" \
		 rules:"graft-cc, graft.conf with rules none of the calls match"; do
		k=${v%%:*} label=${v#*:}
		i=$(per_iter "$k") n=$(median unm_ns "$k")
		echo "| $label | $i | $(ratio "$i" "$is" %.3f) | $n | $(ratio "$n" "$ns" %.3f) |"
	done
	echo
	echo "Instructions: user space only, (count for $((2 * UNM_N)) iterations - count for $UNM_N) / $UNM_N. CPU time: median of $UNM_RUNS runs of $UNM_T iterations (CLOCK_PROCESS_CPUTIME_ID, after 64 to warm up), in a namespace of its own."
	echo
	echo "| examples/httpd.c, static | musl-gcc | graft-cc | difference |"
	echo "| --- | ---: | ---: | ---: |"
	echo "| bytes | $size_stock | $size_graft | $((size_graft - size_stock)) |"
	echo "| bytes, stripped | $ssize_stock | $ssize_graft | $((ssize_graft - ssize_stock)) |"
	fi	# the three paths
	if [ $LOADER = 1 ] && [ -n "$ld_skip" ]; then
		echo
		echo "A dynamically linked program on graft's loader: not measured ($ld_skip)."
	elif [ $LOADER = 1 ]; then
		echo
		echo "| a dynamically linked program (musl-gcc), nothing configured | Alpine's loader | graft's | graft/Alpine | stock musl, graft's flags | graft/stock |"
		echo "| --- | ---: | ---: | ---: | ---: | ---: |"
		ld_row() { # LABEL A G M GA GM
			echo "| $1 | $2 | $3 | $5 | $4 | $6 |"
		}
		for k in ld_start_ir:"start to first socket: instructions (callgrind)" \
			 ld_start_cpu_us:"start to first socket: CPU time, µs" \
			 ld_start_us:"start to first socket: wall time, µs" \
			 ld_start_minflt:"start to first socket: minor page faults" \
			 ld_call_ir:"socket() + close(), unmatched: instructions (callgrind)" \
			 ld_call_ns:"socket() + close(), unmatched: CPU time, ns"; do
			m=${k%%:*} label=${k#*:}
			case $m in
			*_ir)
				if [ $m = ld_call_ir ]; then
					a=$(ld_per_iter alpine) g=$(ld_per_iter graft) u=$(ld_per_iter musl)
				else
					a=$(get $m alpine) g=$(get $m graft) u=$(get $m musl)
				fi
				ld_row "$label" "$a" "$g" "$u" "$(ratio "$g" "$a" %.3f)" "$(ratio "$g" "$u" %.3f)" ;;
			*)
				ld_row "$label" "$(median $m alpine)" "$(median $m graft)" "$(median $m musl)" \
					"$(ratio_runs $m graft alpine %.3f)" "$(ratio_runs $m graft musl %.3f)" ;;
			esac
		done
		echo
		echo "bench/dynstart.c in three copies of ${ld_rootfs##*/} (Alpine's loader: musl $ld_alpine_ver) that differ only in /lib/$ld_name: Alpine's, graft's drop-in (musl $ld_ver) and stock musl $ld_ver built with graft's compiler and flags (tests/lib/stock-musl). Start: bench/spawn.c chrooted into the copy runs the program $LD_N times (one socket call each, empty environment, no graft.conf); CPU time and page faults are the children's. Instructions: user space, the loader run as a command under callgrind; per call (count for $((2 * LD_IR_N)) - count for $LD_IR_N) / $LD_IR_N. Call CPU time: $LD_T iterations after 64. Times: medians of $LD_RUNS runs; their ratios the median of each run's ratio, the copies measured back to back."
	fi
	if [ $FORK = 1 ]; then
		echo
		echo "| fork(), nothing configured | musl-gcc | graft-cc | graft/musl |"
		echo "| --- | ---: | ---: | ---: |"
		for k in fk_cps:"fork-per-connection server, connections/s" \
			 fk_cpu_us:"fork-per-connection server, CPU time per connection, µs" \
			 fk_minflt:"fork-per-connection server, minor faults per connection" \
			 fk_fork_us:"fork + _exit + waitpid, µs" \
			 fk_fork_minflt:"a forked child's minor faults to its first instruction"; do
			m=${k%%:*} label=${k#*:}
			echo "| $label | $(median $m musl) | $(median $m graft) | $(ratio_runs $m graft musl %.3f) |"
		done
		echo
		echo "bench/forkserve.c: $FK_N connections over 127.0.0.1 from a client process, each answered by a child the server forks for it; CPU time and faults: the server's and its connection children's. tests/progs/fork_cost.c: $FK_F forks. Static builds (musl-gcc -static; musl-gcc is the host's musl), GRAFT_CONF=/dev/null, on CPU 1. Medians of $FK_RUNS runs; ratios the median of each run's ratio, the builds measured back to back."
	fi
	if [ $RESOLVE = 1 ]; then
		echo
		echo "| name resolution | host | graft | graft/host |"
		echo "| --- | ---: | ---: | ---: |"
		echo "| getaddrinfo, one A query to dnsmasq, lookups/s | $(median rs_lps host) | $(median rs_lps graft) | $(ratio_runs rs_lps graft host %.3f) |"
		echo
		echo "tests/progs/dns_net.c (graft-cc): $RS_N lookups per run of one name dnsmasq answers from its configuration, at $RS_IP:53 on the host's loopback. host: in the host's network namespace with GRAFT=off; graft: in a namespace with only lo, each lookup's query socket grafted by graft.conf's \"dns\" line (one graftd request per lookup). Medians of $RUNS runs; the ratio the median of each run's ratio, the paths measured back to back."
	fi
} > "$table"
cat "$table"
cp "$table" "$out/$stamp.md"
cp "$raw" "$out/$stamp.raw"
# latest.* only from a run of every workload
full=0
[ "$WORKLOADS" = "$ALL_WORKLOADS" ] && [ $LOADER = 1 ] && [ $FORK = 1 ] && [ $RESOLVE = 1 ] && full=1
[ $full = 1 ] && cp "$table" "$out/latest.md"

# --- the plot ---------------------------------------------------------------------
if [ -n "$WORKLOADS" ]; then
for k in iperf3_mbps iperf3_udp_mbps stream_mbps rr_tps crr_cps http_ka_rps http_close_rps https_ka_rps; do
	echo "$k $(ratio_runs $k graft host) $(ratio_runs $k graft nat)"
done | sed 's/ - / 0 /g; s/ -$/ 0/' > "$W/plot.dat"
gnuplot <<EOF 2>/dev/null && { [ $full = 0 ] || cp "$out/$stamp.png" "$out/latest.png"; } || log "gnuplot failed: no plot"
set terminal png size 1200,500
set bmargin 4
set output "$out/$stamp.png"
set title "graft relative to host loopback and to NAT (higher is better), $stamp"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set yrange [0:*]
set key outside top center horizontal
set ylabel "ratio"
set grid ytics
set xtics ("iperf3\nTCP" 0, "iperf3\nUDP" 1, "TCP stream\n(netbench)" 2, "TCP\nping-pong" 3, "connect+req\n+close" 4, "HTTP (nginx)\nkeep-alive" 5, "HTTP (nginx)\nConnection: close" 6, "HTTPS (nginx)\nkeep-alive" 7)
plot "$W/plot.dat" using 2 title "graft / host", "" using 3 title "graft / nat", 1 with lines lt 0 notitle
EOF
fi
if [ $full = 1 ]; then log "results: bench/results/$stamp.md (latest.md, latest.png)"
else log "results: bench/results/$stamp.md (a partial run: latest.* left as they were)"; fi
