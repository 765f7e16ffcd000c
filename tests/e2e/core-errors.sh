#!/bin/sh
# core-errors.sh - fail closed and loud: graftd unreachable, a broken
# graft.conf; and stock behaviour with GRAFT=off or without any config.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
core_setup core-errors

ENETUNREACH=101 ENOTRECOVERABLE=131

# 1. graftd not running (no socket at the broker path)
printf 'broker %s/nobody.sock\ningress 0.0.0.0:8080 ep-http\n' "$T_TMP" >"$CONF"
out=$(in_ns "$NET" bind 0.0.0.0 8080 2>"$T_TMP/e1")
check "graftd unreachable: bind fails with ENETUNREACH ($out)" [ "$out" = "errno $ENETUNREACH" ]
n=$(grep -c '^graft:' "$T_TMP/e1")
check "graftd unreachable: one log line naming the rule and reason ($(grep '^graft:' "$T_TMP/e1"))" \
	sh -c "[ $n -eq 1 ] && grep -q '^graft: ingress 0.0.0.0:8080 -> ep-http: broker $T_TMP/nobody.sock: connect: No such file or directory\$' '$T_TMP/e1'"

# 2. a broken graft.conf: one line with file:line, then refusal
printf 'broker %s\n# comment\ningress 0.0.0.0:8080 ep-http\negress 10.0.0.0/40 ep-out\n' "$GRAFTD_SOCK" >"$CONF"
out=$(in_ns "$NET" bind 0.0.0.0 8080 2>"$T_TMP/e2")
n=$(grep -c '^graft:' "$T_TMP/e2")
check "bad config: one line naming file:line ($(cat "$T_TMP/e2" | grep '^graft:'))" \
	sh -c "[ $n -eq 1 ] && grep -q '^graft: $CONF:4: bad prefix length .10.0.0.0/40.; nothing will be grafted\$' '$T_TMP/e2'"
check "bad config: bind refused with ENOTRECOVERABLE ($out)" [ "$out" = "errno $ENOTRECOVERABLE" ]
out=$(in_ns "$NET" connect 127.0.0.1 9 2>/dev/null)
check "bad config: connect refused too ($out)" [ "$out" = "errno $ENOTRECOVERABLE" ]

# 3. GRAFT=off: stock musl, even with a valid config
conf "ingress 0.0.0.0:8080 ep-http"
out=$(ip netns exec "$NS" env GRAFT=off GRAFT_CONF="$CONF" "$NET" bind 0.0.0.0 8080 2>&1)
check "GRAFT=off: bind stays local ($out)" [ "$out" = "ok 0.0.0.0:8080" ]

# 4. no config at all: stock musl (but for AF_GRAFT, on by design:
# docs/afgraft.md; tests/e2e/core-stock.sh compares with musl-gcc)
if [ -e /etc/graft.conf ]; then
	skip "no config: behaves like stock musl (this host has /etc/graft.conf)"
else
	out=$(ip netns exec "$NS" "$NET" bind 0.0.0.0 8080 2>&1)
	check "no config: bind stays local ($out)" [ "$out" = "ok 0.0.0.0:8080" ]
	bg ip netns exec "$NS" "$NET" serve-tcp 0.0.0.0 7777 1 >"$T_TMP/s" 2>&1
	ready "$T_TMP/s"
	out=$(ip netns exec "$NS" "$NET" client-tcp 127.0.0.1 7777 2>&1)
	check "no config: local client and server ($out)" has "$out" 'nodelay=1 so_error=0 reply=hello'
fi

# 5. GRAFT_CONF naming a missing file is an error, not "no config"
out=$(ip netns exec "$NS" env GRAFT_CONF="$T_TMP/missing.conf" "$NET" bind 0.0.0.0 8080 2>"$T_TMP/e5")
check "missing GRAFT_CONF file: one line, then refusal ($out)" \
	sh -c "[ '$out' = 'errno $ENOTRECOVERABLE' ] && grep -q '^graft: $T_TMP/missing.conf: No such file or directory; nothing will be grafted\$' '$T_TMP/e5'"
t_done
