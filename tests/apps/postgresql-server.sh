#!/bin/sh
# postgresql-server.sh - the whole of PostgreSQL 15 from Debian's source,
# built with graft-cc's dynamic mode (./configure CC=TARGET-graft-cc-dynamic:
# its modules are loaded with dlopen, libpq is a shared library; issue 20,
# part 5).  initdb (which loads dict_snowball and plpgsql), then the server
# as nobody in a network namespace that has only lo, bound to 0.0.0.0:5432
# under an ingress rule; psql from the host through it: a DO block in
# plpgsql, a plpgsql function, English stemming (dict_snowball).  The
# programs' interpreter is graft's loader in the sysroot: no LD_PRELOAD.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
SR=$("$GRAFT_CC" -print-sysroot 2>/dev/null)
if [ ! -e "$SR/lib/libc.so" ]; then
	fail "postgresql-server: the sysroot has libc.so (make check-apps builds it: make shared)"; t_done
fi
app_setup postgresql-server postgresql-15-server postgresql-15
INST=$(cd "$APP_BIN/../inst" && pwd) || { fail "postgresql-server: no install tree"; t_done; }
LDSO=$(ls "$SR"/lib/ld-musl-*.so.1 | head -n 1)
for p in postgres initdb psql; do
	check "$p: dynamically linked, its interpreter graft's loader in the sysroot" \
		sh -c "readelf -l '$INST/bin/$p' | grep -q 'interpreter: $LDSO\]'"
done
check "psql needs the shared libpq.so.5 that was built" \
	sh -c "readelf -d '$INST/bin/psql' | grep -q 'NEEDED.*libpq.so.5' && test -e '$INST/lib/libpq.so.5'"
check "plpgsql and dict_snowball are modules built with -shared" \
	sh -c "readelf -h '$INST/lib/plpgsql.so' '$INST/lib/dict_snowball.so' | grep -c 'Type:.*DYN' | grep -qx 2"

mk_netns NS || { fail "postgresql-server: creating a namespace"; t_done; }
check "postgresql-server: the namespace has only lo" only_lo "$NS"

D=$T_TMP/pg
mkdir -p "$D/data" "$D/sock" && chown -R nobody "$D" && chmod 0755 "$T_TMP" "$D" ||
	{ fail "postgresql-server: directories"; t_done; }
# initdb runs the server in bootstrap mode, which loads dict_snowball,
# then plpgsql: what a static build cannot do
runuser -u nobody -- env -u LD_PRELOAD "$INST/bin/initdb" -D "$D/data" -A trust -U postgres \
	>"$T_TMP/initdb.log" 2>&1; rc=$?
[ $rc = 0 ] || sed 's/^/  /' "$T_TMP/initdb.log" | tail -20
check "initdb completes (status $rc)" test $rc = 0
[ $rc = 0 ] || t_done

graftctl add ep-pg type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null ||
	{ fail "postgresql-server: graftctl add ep-pg"; t_done; }
CONF=$T_TMP/graft.conf
conf_file "$CONF" "ingress 0.0.0.0:5432 ep-pg" verbose
chmod 0644 "$CONF"
bg_ns "$NS" "$CONF" runuser -u nobody -- env -u LD_PRELOAD "$INST/bin/postgres" -D "$D/data" \
	-c listen_addresses=0.0.0.0 -p 5432 -c unix_socket_directories="$D/sock" >"$T_TMP/server.log" 2>&1
i=0
until grep -q 'ready to accept connections' "$T_TMP/server.log" 2>/dev/null || [ $i -ge 200 ]; do
	sleep 0.1; i=$((i + 1))
done
if ! grep -q 'ready to accept connections' "$T_TMP/server.log"; then
	sed 's/^/  /' "$T_TMP/server.log" | tail -20; fail "postgresql-server: the server starts"; t_done
fi
check "the server's listener is grafted ($(grep '^graft:' "$T_TMP/server.log" | head -1))" \
	grep -q "^graft: ingress 0.0.0.0:5432 -> ep-pg: fd [0-9]* grafted" "$T_TMP/server.log"
pid=$(head -n 1 "$D/data/postmaster.pid")
check "the postmaster runs on the sysroot's libc.so, with no LD_PRELOAD" \
	sh -c "grep -q '$SR/lib/libc.so\|$LDSO' /proc/$pid/maps && ! tr '\\0' '\\n' < /proc/$pid/environ | grep -q '^LD_PRELOAD='"

# psql on the host (the one built here: libpq.so by its rpath), grafting off
psql_host() { env -u LD_PRELOAD GRAFT=off "$INST/bin/psql" -X -h 127.0.0.1 -p "$P1" -U postgres -d postgres \
	-v ON_ERROR_STOP=1 -At "$@"; }
out=$(psql_host -c "select 'ok ' || current_user" 2>"$T_TMP/q1.err")
check "psql from the host reaches the server through the ingress rule ($out; $(head -2 "$T_TMP/q1.err" | tr '\n' ' '))" \
	[ "$out" = "ok postgres" ]
out=$(psql_host -c "create table t (a int)" \
	-c "do \$\$ begin for i in 1..10 loop insert into t values (i); end loop; end \$\$" \
	-c "select sum(a) from t" 2>"$T_TMP/q2.err" | tail -n 1)
check "a DO block in plpgsql runs ($out; $(head -2 "$T_TMP/q2.err" | tr '\n' ' '))" [ "$out" = 55 ]
out=$(psql_host -c "create function twice(n int) returns int language plpgsql as \$\$ begin return 2 * n; end \$\$" \
	-c "select twice(21)" 2>"$T_TMP/q3.err" | tail -n 1)
check "a plpgsql function ($out; $(head -2 "$T_TMP/q3.err" | tr '\n' ' '))" [ "$out" = 42 ]
out=$(psql_host -c "select to_tsvector('english', 'the running dogs')" 2>"$T_TMP/q4.err")
check "English stemming, dict_snowball's ($out; $(head -2 "$T_TMP/q4.err" | tr '\n' ' '))" \
	[ "$out" = "'dog':3 'run':2" ]
t_done
