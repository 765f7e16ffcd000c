#!/bin/sh
# postgresql.sh - psql and libpq from Debian's PostgreSQL 15 source, built
# with CC=graft-cc, in a network namespace that has only lo, talking to a
# PostgreSQL server from Debian's binary packages that listens on a host
# unix socket only: graftd(8)'s "database on a host unix socket" example
# (issue 20, part 1).  psql connects to a TCP address an egress rule sends
# to a unix endpoint; libpq makes its socket, sets TCP_NODELAY, connects
# non-blocking and polls, sets its keepalive options, reads its names.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] || ! id postgres >/dev/null 2>&1; then
	skip "postgresql (Debian's postgresql server package is not installed)"; exit 0
fi
app_setup postgresql postgresql-15
PSQL=$APP_BIN/psql
check "psql: a static executable built with graft-cc" is_static "$PSQL"

mk_netns NS || { fail "postgresql: creating a namespace"; t_done; }
check "postgresql: the namespace has only lo" only_lo "$NS"

# the server: its own cluster, as postgres, no TCP at all
D=$T_TMP/pg
mkdir -p "$D/data" "$D/sock" && chown -R postgres "$D" &&
	chmod 0755 "$T_TMP" "$D" && chmod 0777 "$D/sock" || { fail "postgresql: directories"; t_done; }
runuser -u postgres -- "$PGBIN/initdb" -D "$D/data" -A trust -U postgres >"$T_TMP/initdb.log" 2>&1 ||
	{ sed 's/^/  /' "$T_TMP/initdb.log"; fail "postgresql: initdb"; t_done; }
SOCK=$D/sock/.s.PGSQL.$P1
bg runuser -u postgres -- "$PGBIN/postgres" -D "$D/data" -c listen_addresses= \
	-c unix_socket_directories="$D/sock" -p "$P1" >"$T_TMP/server.log" 2>&1
wait_for test -S "$SOCK" || { sed 's/^/  /' "$T_TMP/server.log"; fail "postgresql: the server starts"; t_done; }
check "postgresql: the server listens on no TCP port" \
	sh -c "! grep -q 'listening on IP' '$T_TMP/server.log'"

# the endpoint connects as nobody (its default user): the socket is 0777
graftctl add ep-db type unix path "$SOCK" netns "$NS" direction egress >/dev/null ||
	{ fail "postgresql: graftctl add ep-db"; t_done; }
CONF=$T_TMP/graft.conf
conf_file "$CONF" "egress 10.9.9.9/32 ep-db" verbose
chmod 0644 "$CONF"

# psql ARGS...: psql in the namespace, to 10.9.9.9 (nowhere but the rule)
psql_ns() { in_netns "$NS" "$CONF" "$PSQL" -X -h 10.9.9.9 -p 5432 -U postgres -d postgres -At "$@"; }

out=$(psql_ns -c "select 'ok ' || current_user || ' ' || coalesce(inet_client_addr()::text, 'local')" 2>"$T_TMP/q1.err")
check "psql -h 10.9.9.9: the query runs on the host's server, which sees a local (unix) client ($out; $(head -3 "$T_TMP/q1.err" | tr '\n' ' '))" \
	[ "$out" = "ok postgres local" ]
check "psql: the verbose line names the server's socket ($(grep '^graft:' "$T_TMP/q1.err"))" \
	grep -qx "graft: egress 10.9.9.9/32 -> ep-db: fd [0-9]* grafted, host socket at $SOCK" "$T_TMP/q1.err"
check "psql: no line about a socket option that could not be set" \
	sh -c "! grep -q 'socket option' '$T_TMP/q1.err'"
n=$(psql_ns -c "select g from generate_series(1, 50000) g" 2>"$T_TMP/q2.err" | wc -l)
check "psql: 50000 rows come back whole ($n)" [ "$n" -eq 50000 ]
out=$(psql_ns -v ON_ERROR_STOP=1 -c "create table t (a int)" -c "insert into t select generate_series(1, 10)" \
	-c "select sum(a) from t" 2>"$T_TMP/q3.err" | tail -n 1)
check "psql: writes and reads back ($out; $(head -2 "$T_TMP/q3.err" | tr '\n' ' '))" [ "$out" = 55 ]
t_done
