#!/bin/sh
# core-resolve.sh - graft.conf "host" names and /etc/hosts names both
# resolve; the resolver's probes are never grafted, its queries only
# through a rule covering the nameserver.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup core-resolve

# ip netns exec bind-mounts /etc/netns/NAME/* over /etc/*
mkdir -p "/etc/netns/$NS"
trap 'rm -rf "/etc/netns/$NS"; t_cleanup' EXIT
echo "10.9.8.7 etchosts.test" >"/etc/netns/$NS/hosts"
echo "nameserver 198.51.100.53" >"/etc/netns/$NS/resolv.conf"

conf "host db.internal 10.1.2.3 fd00::3" "egress 10.0.0.0/8 ep-nowhere"
out=$(in_ns "$NET" resolve db.internal 2>&1)
check "getaddrinfo of a graft.conf host name ($out)" [ "$out" = "10.1.2.3:80 [fd00::3]:80" ]
out=$(in_ns "$NET" resolve etchosts.test 2>&1)
check "getaddrinfo of an /etc/hosts name ($out)" [ "$out" = "10.9.8.7:80" ]
# DNS to 198.51.100.53, which no rule covers, stays local (and fails
# there: no route), never reaching graftd.  (A rule covering the
# nameserver grafts the query: core-dns.sh.)
in_ns "$NET" resolve no-such-name.invalid >"$T_TMP/o" 2>"$T_TMP/e"
check "the resolver's query to a nameserver no rule covers stays local ($(cat "$T_TMP/o"))" \
	sh -c "! grep -q '^graft:' '$T_TMP/e' && grep -q '^gai ' '$T_TMP/o'"
conf "egress 0.0.0.0/0 ep-nowhere"
in_ns "$NET" resolve no-such-name.invalid >"$T_TMP/o" 2>"$T_TMP/e"
check "one a rule covers goes to graftd, which refuses ep-nowhere ($(head -1 "$T_TMP/e"))" \
	grep -q '^graft: egress 0.0.0.0/0 -> ep-nowhere: graftd refused' "$T_TMP/e"
t_done
