#!/bin/sh
# proto-layout.sh - the wire protocol (src/common/graft_proto.h, and the
# AF_GRAFT structs of include/graft.h) has the same layout on the target as
# on the host: a 64-bit graftd must serve a 32-bit client.  The printer is
# generated from the headers (tests/cross/gen-layout.sh), built with the
# host's cc like graftd ($GRAFT_XHB/layout) and with TARGET-graft-cc
# ($GRAFT_XB/layout, run with qemu); every struct's size, alignment, field
# offsets and sizes, the protocol's constants and the system numbers that
# travel in it (AF_*, SOL_*, SO_*, errno values) must print the same.
. "$(dirname "$0")/../lib/common.sh"
: "${GRAFT_TARGET:?}" "${GRAFT_QEMU:?}" "${GRAFT_XB:?}" "${GRAFT_XHB:?}"

if ! "$GRAFT_XHB/layout" > "$T_TMP/host" 2>&1; then
	fail "layout: host printer failed: $(cat "$T_TMP/host")"; t_done
fi
if ! "$GRAFT_QEMU" "$GRAFT_XB/layout" > "$T_TMP/target" 2>&1; then
	fail "layout: $GRAFT_TARGET printer failed: $(cat "$T_TMP/target")"; t_done
fi
for s in $(sed -n 's/^struct \([a-z_0-9]*\) .* align.*/\1/p' "$T_TMP/host"); do
	grep -e "^struct $s " -e "^  struct $s\." "$T_TMP/host" > "$T_TMP/h.$s"
	grep -e "^struct $s " -e "^  struct $s\." "$T_TMP/target" > "$T_TMP/t.$s"
	n=$(grep -c '^  ' "$T_TMP/h.$s")
	if cmp -s "$T_TMP/h.$s" "$T_TMP/t.$s"; then
		pass "layout: struct $s ($(sed -n 's/^struct [^ ]* *size *\([0-9]*\).*/\1/p' "$T_TMP/h.$s") bytes, $n fields) same on $GRAFT_TARGET and the host"
	else
		fail "layout: struct $s differs on $GRAFT_TARGET: $(diff "$T_TMP/h.$s" "$T_TMP/t.$s" | grep '^[<>]' | tr '\n' ' ')"
	fi
done
grep -v -e ' align ' -e '^  struct ' "$T_TMP/host" > "$T_TMP/h.c"
grep -v -e ' align ' -e '^  struct ' "$T_TMP/target" > "$T_TMP/t.c"
if cmp -s "$T_TMP/h.c" "$T_TMP/t.c"; then
	pass "layout: $(wc -l < "$T_TMP/h.c") constants and sockaddr sizes (protocol, AF/SO/errno numbers) same on $GRAFT_TARGET"
else
	fail "layout: constants differ on $GRAFT_TARGET: $(diff "$T_TMP/h.c" "$T_TMP/t.c" | grep '^[<>]' | tr '\n' ' ')"
fi
t_done
