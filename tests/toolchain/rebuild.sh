#!/bin/sh
# rebuild.sh - editing one of our files rebuilds what depends on it, not all
# of musl; editing a header rebuilds the musl files that include it, in
# libc.a (x.o) and libc.so (x.lo) alike: each object has its own x.o.d.
. "${GRAFT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
TREE=$GRAFT_BUILD/$GRAFT_TARGET/musl
OBJ=$TREE/obj/src
core=$(readlink "$TREE/src/graft") || { fail "no musl tree at $TREE"; t_done; }
remake() { make -s -C "$GRAFT_TOP" libc shared >"$T_TMP/make.log" 2>&1 || cat "$T_TMP/make.log"; }
obj() { ls "$OBJ/$1".o "$OBJ/$1".lo 2>/dev/null | head -n 1; }
lobj() { ls "$OBJ/$1".lo 2>/dev/null; }

remake
src=$(ls "$core"/*.c | head -n 1)
base=$(basename "$src" .c)
touch "$T_TMP/mark"
touch "$src"
remake
check "editing src/graft/$base.c rebuilds it" test -n "$(find "$(obj graft/$base)" -newer "$T_TMP/mark")"
check "... and not the rest of musl" test -z "$(find "$(obj stdio/printf)" "$(obj network/bind)" -newer "$T_TMP/mark")"

touch "$T_TMP/mark"
touch "$core/graft_hooks.h"
remake
check "editing graft_hooks.h rebuilds musl's hooked bind.c" test -n "$(find "$(obj network/bind)" -newer "$T_TMP/mark")"
check "... in libc.so too (bind.lo)" test -n "$(find "$(lobj network/bind)" -newer "$T_TMP/mark")"
check "... and not files that do not include it" test -z "$(find "$(obj stdio/printf)" -newer "$T_TMP/mark")"
t_done
