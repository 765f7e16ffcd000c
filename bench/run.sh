#!/bin/sh
# bench/run.sh - `make bench`: the same workloads over three paths, side by
# side, in one run:
#   host   client and server in the host namespace, over loopback
#   nat    the server in a namespace behind veth + bridge + DNAT/MASQUERADE,
#          the way docker0 does it
#   graft  the server built with graft-cc in a namespace with only lo,
#          grafted through graftd (for CRR the client is grafted too)
# Prints a table of medians and ratios, writes it with the raw numbers and a
# PNG plot under bench/results/.  Every measurement runs SECONDS (3, at
# most 10) and the namespaces, graftd and iptables rules are removed at exit.
#
# usage: bench/run.sh [-r RUNS] [-t SECONDS]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bin
RUNS=3
T=3
while getopts r:t: o; do
	case $o in
	r) RUNS=$OPTARG ;;
	t) T=$OPTARG ;;
	*) echo "usage: $0 [-r RUNS] [-t SECONDS]" >&2; exit 2 ;;
	esac
done
[ "$T" -ge 1 ] && [ "$T" -le 10 ] || { echo "bench: -t must be 1..10" >&2; exit 2; }
[ "$RUNS" -ge 3 ] || { echo "bench: -r must be at least 3" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (namespaces, iptables)" >&2; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/graft-bench.XXXXXX") || exit 1
tag=$$
NS_SRV=gb-srv-$tag NS_CLI=gb-cli-$tag NS_NAT=gb-nat-$tag
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
	for n in $NS_SRV $NS_CLI $NS_NAT; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
bg() { "$@" & pids="$pids $!"; }
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

# --- build ---------------------------------------------------------------------
command -v iptables >/dev/null && command -v valgrind >/dev/null && command -v gnuplot >/dev/null &&
command -v musl-gcc >/dev/null && command -v taskset >/dev/null ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables valgrind gnuplot-nox musl-tools util-linux >/dev/null ||
	die "could not install iptables valgrind gnuplot-nox musl-tools"
log "building the benchmark programs"
cc -O2 -o "$W/nb-host" "$top/bench/netbench.c" &&
"$bin/graft-cc" -O2 -o "$W/nb-graft" "$top/bench/netbench.c" &&
cc -O2 -I"$top/src/common" -o "$W/graftrate" "$top/bench/graftrate.c" &&
musl-gcc -static -O2 -o "$W/unm-stock" "$top/bench/unmatched.c" &&
"$bin/graft-cc" -O2 -o "$W/unm-graft" "$top/bench/unmatched.c" &&
musl-gcc -static -O2 -o "$W/httpd-stock" "$top/examples/httpd.c" &&
"$bin/graft-cc" -O2 -o "$W/httpd-graft" "$top/examples/httpd.c" || die "build failed"

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

bg "$bin/graftd" -d -s "$W/g.sock" -c "$W/g.ctl"
i=0; while [ ! -S "$W/g.ctl" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ctl() { "$bin/graftctl" -c "$W/g.ctl" "$@" || die "graftctl $*"; }
ctl add ep-srv type ipv4 addr 127.0.0.1 port 19001 netns "$NS_SRV"
ctl add ep-out type ipv4 addr 127.0.0.1 port dynamic netns "$NS_CLI"
ctl add ep-rate type ipv4 addr 127.0.0.1 port dynamic netns "$NS_CLI"
printf 'broker %s\ningress 0.0.0.0:9000 ep-srv\n' "$W/g.sock" > "$W/srv.conf"
printf 'broker %s\negress 127.0.0.1/32 ep-out\n' "$W/g.sock" > "$W/cli.conf"

# Servers run on CPU 1, as do latency clients: on this kind of VM a wake-up
# across CPUs costs more than the path under test.
bg taskset -c 1 "$W/nb-host" server 19000
bg ip netns exec "$NS_NAT" taskset -c 1 "$W/nb-host" server 9000
bg ip netns exec "$NS_SRV" env GRAFT_CONF="$W/srv.conf" taskset -c 1 "$W/nb-graft" server 9000
wait_port 19000; wait_port "$NS_NAT" 9000; wait_port 19001

# iperf3: Debian's on the host and behind NAT, graft-cc's in the namespace
IPERF_G=$top/build/apps/iperf3/bin/iperf3
if command -v iperf3 >/dev/null && [ -x "$IPERF_G" ]; then
	ctl add ep-iperf type ipv4 addr 127.0.0.1 port 19011 netns "$NS_SRV"
	printf 'broker %s\ningress [::]:5201 ep-iperf\ningress 0.0.0.0:5201 ep-iperf\n' "$W/g.sock" > "$W/iperf.conf"
	bg taskset -c 1 iperf3 -s -p 19010 >/dev/null 2>&1
	bg ip netns exec "$NS_NAT" taskset -c 1 iperf3 -s -p 5201 >/dev/null 2>&1
	bg ip netns exec "$NS_SRV" env GRAFT_CONF="$W/iperf.conf" taskset -c 1 "$IPERF_G" -s -4 -p 5201 >/dev/null 2>&1
	wait_port 19010; wait_port "$NS_NAT" 5201; wait_port 19011
	nat OUTPUT -p tcp -d $NATNET.1 --dport 19012 -j DNAT --to-destination $NATNET.2:5201
	iperf_host="127.0.0.1 19010" iperf_nat="$NATNET.1 19012" iperf_graft="127.0.0.1 19011"
else
	log "no iperf3 rows: needs Debian's iperf3 and build/apps/iperf3 (make check-apps builds it)"
	iperf_host= iperf_nat= iperf_graft=
fi

addr_host="127.0.0.1 19000" addr_nat="$NATNET.1 19002" addr_graft="127.0.0.1 19001"

# --- measurements --------------------------------------------------------------
raw=$W/raw.txt
: > "$raw"
record() { echo "$1 $2 $3" >> "$raw"; }	# METRIC PATH VALUE
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

for r in $(seq "$RUNS"); do
	for p in host nat graft; do
		eval "a=\$addr_$p"
		log "run $r/$RUNS: $p"
		# shellcheck disable=SC2086
		o=$(taskset -c 0 "$W/nb-host" stream $a "$T") || die "stream over $p failed"
		record stream_mbps $p "$(echo "$o" | field mbps)"
		# shellcheck disable=SC2086
		o=$(taskset -c 1 "$W/nb-host" rr $a "$T") || die "rr over $p failed"
		record rr_tps $p "$(echo "$o" | field tps)"
		record rr_p50_us $p "$(echo "$o" | field p50_us)"
		record rr_p99_us $p "$(echo "$o" | field p99_us)"
		if [ $p = graft ]; then
			o=$(ip netns exec "$NS_CLI" env GRAFT_CONF="$W/cli.conf" \
				taskset -c 1 "$W/nb-graft" crr 127.0.0.1 19001 "$T") || die "crr over graft failed"
		else
			# shellcheck disable=SC2086
			o=$(taskset -c 1 "$W/nb-host" crr $a "$T") || die "crr over $p failed"
		fi
		record crr_cps $p "$(echo "$o" | field cps)"
		eval "a=\$iperf_$p"
		if [ -n "$a" ]; then
			# shellcheck disable=SC2086
			set -- $a
			o=$(taskset -c 0 iperf3 -c "$1" -p "$2" -t "$T" -J 2>/dev/null |
				python3 -c 'import json,sys; print("mbps=%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))') ||
				die "iperf3 over $p failed"
			record iperf3_mbps $p "$(echo "$o" | field mbps)"
		fi
	done
	for c in 1 4 16; do
		o=$(ip netns exec "$NS_CLI" "$W/graftrate" "$W/g.sock" ep-rate $c "$T") || die "graftrate failed"
		record "graftd_grafts_per_s_$c" graft "$(echo "$o" | field grafts_per_s)"
	done
done

log "instruction counts (callgrind) of unmatched socket calls"
printf 'broker %s\ningress 0.0.0.0:80 ep-none\negress 10.0.0.0/8 ep-none\n' "$W/g.sock" > "$W/unm.conf"
ir() { # ir NAME CMD...: the program's total instruction count
	_n=$1; shift
	valgrind --tool=callgrind --callgrind-out-file="$W/cg.$_n" "$@" >/dev/null 2>&1 || die "valgrind $*"
	awk '/^(summary|totals):/ {print $2; exit}' "$W/cg.$_n"
}
unset GRAFT_CONF GRAFT
ir_stock=$(ir stock "$W/unm-stock" 2000)
ir_off=$(ir off "$W/unm-graft" 2000)
ir_rules=$(GRAFT_CONF="$W/unm.conf" ir rules "$W/unm-graft" 2000)
size_stock=$(stat -c %s "$W/httpd-stock") size_graft=$(stat -c %s "$W/httpd-graft")
strip -o "$W/s1" "$W/httpd-stock"; strip -o "$W/s2" "$W/httpd-graft"
ssize_stock=$(stat -c %s "$W/s1") ssize_graft=$(stat -c %s "$W/s2")

# --- the table ------------------------------------------------------------------
median() { # median METRIC PATH
	awk -v m="$1" -v p="$2" '$1 == m && $2 == p {print $3}' "$raw" | sort -g |
	awk '{v[NR] = $1} END {if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b}'; }

stamp=$(date -u +%Y-%m-%dT%H%MZ)
out=$top/bench/results
mkdir -p "$out"
table=$W/table.md
{
	echo "graft benchmark, $stamp: $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)), $(uname -r), median of $RUNS runs of ${T}s"
	echo
	echo "| workload | host | nat | graft | graft/host | graft/nat |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: |"
	for m in iperf3_mbps:"iperf3 TCP, Mbit/s" stream_mbps:"TCP stream (netbench), Mbit/s" rr_tps:"TCP ping-pong, transactions/s" \
		 rr_p50_us:"ping-pong latency p50, µs" rr_p99_us:"ping-pong latency p99, µs" \
		 crr_cps:"connect+request+close, conn/s (graft: client grafted too)"; do
		k=${m%%:*} label=${m#*:}
		h=$(median "$k" host) n=$(median "$k" nat) g=$(median "$k" graft)
		echo "| $label | $h | $n | $g | $(ratio "$g" "$h") | $(ratio "$g" "$n") |"
	done
	for c in 1 4 16; do
		echo "| graftd grafts/s, $c client(s) | | | $(median graftd_grafts_per_s_$c graft) | | |"
	done
	echo
	echo "| unmatched socket calls (callgrind, 2000 iterations) | instructions | vs stock musl |"
	echo "| --- | ---: | ---: |"
	off=$ir_off rules=$ir_rules
	echo "| stock musl (musl-gcc) | $ir_stock | 1.000 |"
	echo "| graft-cc, no graft.conf | $off | $(awk -v a=$off -v b="$ir_stock" 'BEGIN {printf "%.3f", a / b}') |"
	echo "| graft-cc, graft.conf with rules none of the calls match | $rules | $(awk -v a=$rules -v b="$ir_stock" 'BEGIN {printf "%.3f", a / b}') |"
	echo
	echo "| examples/httpd.c, static | musl-gcc | graft-cc | difference |"
	echo "| --- | ---: | ---: | ---: |"
	echo "| bytes | $size_stock | $size_graft | $((size_graft - size_stock)) |"
	echo "| bytes, stripped | $ssize_stock | $ssize_graft | $((ssize_graft - ssize_stock)) |"
} > "$table"
cat "$table"
cp "$table" "$out/$stamp.md"
cp "$raw" "$out/$stamp.raw"
cp "$table" "$out/latest.md"

# --- the plot ---------------------------------------------------------------------
for k in iperf3_mbps stream_mbps rr_tps crr_cps; do
	echo "$k $(ratio "$(median $k graft)" "$(median $k host)") $(ratio "$(median $k graft)" "$(median $k nat)")"
done | sed 's/ - / 0 /g; s/ -$/ 0/' > "$W/plot.dat"
gnuplot <<EOF 2>/dev/null && cp "$out/$stamp.png" "$out/latest.png" || log "gnuplot failed: no plot"
set terminal png size 800,450
set output "$out/$stamp.png"
set title "graft relative to host loopback and to NAT (higher is better), $stamp"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set yrange [0:*]
set key top left
set ylabel "ratio"
set grid ytics
set xtics ("iperf3 TCP" 0, "TCP stream" 1, "TCP ping-pong" 2, "conn+req+close" 3)
plot "$W/plot.dat" using 2 title "graft / host", "" using 3 title "graft / nat", 1 with lines lt 0 notitle
EOF
log "results: bench/results/$stamp.md (latest.md, latest.png)"
