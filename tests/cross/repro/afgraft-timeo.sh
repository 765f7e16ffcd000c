#!/bin/sh
# afgraft-timeo.sh - run by make check-cross: on a 32-bit time64 target
# under qemu-user (or a kernel before 5.1), an AF_GRAFT socket's queued
# SO_RCVTIMEO (GRAFT_SO_DELAYED) must be replayed on the host socket with
# musl's fallback to SO_RCVTIMEO_OLD (src/graft/sys_setsockopt.c), not fail
# with -ENOPROTOOPT.
# Run from make check-cross's environment, e.g.:
#   GRAFT_TARGET=arm-linux-musleabihf GRAFT_QEMU=qemu-arm \
#   GRAFT_XCC=build/bin/arm-linux-musleabihf-graft-cc sh tests/cross/repro/afgraft-timeo.sh
: "${GRAFT_TOP:=$(cd "$(dirname "$0")/../../.." && pwd)}"
. "$(dirname "$0")/../../lib/common.sh"
: "${GRAFT_TARGET:?}" "${GRAFT_QEMU:?}" "${GRAFT_XCC:?}"
has() { expr "$1" : "$2" >/dev/null; }
need_netns afgraft-timeo
"$GRAFT_XCC" -O2 -o "$T_TMP/afg_timeo" "$(dirname "$0")/afg_timeo.c" || { fail "build"; t_done; }
mk_netns NS || { fail "netns"; t_done; }
start_graftd || { fail "graftd"; t_done; }
P=$(port_base 1)
graftctl add ep-a type ipv4 addr 127.0.0.1 port "$P" netns "$NS" >/dev/null
echo "broker $GRAFTD_SOCK" > "$T_TMP/conf"
out=$(ip netns exec "$NS" env GRAFT_CONF="$T_TMP/conf" "$GRAFT_QEMU" "$T_TMP/afg_timeo" ep-a 2>&1)
check "$GRAFT_TARGET: a delayed SO_RCVTIMEO is applied to the host socket ($out)" \
	has "$out" '1/[0-9]*=0$'
t_done
