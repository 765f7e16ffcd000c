#!/bin/sh
# mosquitto.sh - the mosquitto broker from Debian's source, built with
# graft-cc's dynamic mode (it loads plugins with dlopen; issue 20, part 5),
# with upstream's example plugin payload-modification (built with -shared:
# it prefixes "hello " to every payload).  The broker runs as nobody in a
# network namespace that has only lo, bound to 0.0.0.0:1883 under an
# ingress rule, with no LD_PRELOAD; mosquitto_pub and mosquitto_sub (built
# here, libmosquitto.so) reach it from the host.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
SR=$("$GRAFT_CC" -print-sysroot 2>/dev/null)
if [ ! -e "$SR/lib/libc.so" ]; then
	fail "mosquitto: the sysroot has libc.so (make check-apps builds it: make shared)"; t_done
fi
app_setup mosquitto mosquitto
LDSO=$(ls "$SR"/lib/ld-musl-*.so.1 | head -n 1)
PLUGIN=$APP_BIN/mosquitto_payload_modification.so
check "mosquitto: dynamically linked, its interpreter graft's loader in the sysroot" \
	sh -c "readelf -l '$APP_BIN/mosquitto' | grep -q 'interpreter: $LDSO\]'"
check "the plugin is a shared object" sh -c "readelf -h '$PLUGIN' | grep -q 'Type:.*DYN'"
check "mosquitto_pub needs libmosquitto.so.1, built here" \
	sh -c "readelf -d '$APP_BIN/mosquitto_pub' | grep -q 'NEEDED.*libmosquitto.so.1'"

mk_netns NS || { fail "mosquitto: creating a namespace"; t_done; }
check "mosquitto: the namespace has only lo" only_lo "$NS"
graftctl add ep-mqtt type ipv4 addr 127.0.0.1 port "$P1" netns "$NS" >/dev/null ||
	{ fail "mosquitto: graftctl add ep-mqtt"; t_done; }
CONF=$T_TMP/graft.conf
conf_file "$CONF" "ingress 0.0.0.0:1883 ep-mqtt" verbose
cat >"$T_TMP/mosquitto.conf" <<CONF
user nobody
listener 1883 0.0.0.0
allow_anonymous true
plugin $PLUGIN
log_dest stderr
CONF
chmod 0755 "$T_TMP" && chmod 0644 "$CONF" "$T_TMP/mosquitto.conf"
bg_ns "$NS" "$CONF" env -u LD_PRELOAD "$APP_BIN/mosquitto" -c "$T_TMP/mosquitto.conf" >"$T_TMP/broker.log" 2>&1
pid=$!
if ! wait_log "$T_TMP/broker.log" "running"; then
	sed 's/^/  /' "$T_TMP/broker.log" | tail -20; fail "mosquitto: the broker starts"; t_done
fi
check "the broker loaded the plugin ($(grep -i 'plugin' "$T_TMP/broker.log" | head -1))" \
	grep -qi "loading plugin: $PLUGIN" "$T_TMP/broker.log"
check "its listener is grafted ($(grep '^graft:' "$T_TMP/broker.log" | head -1))" \
	grep -q "^graft: ingress 0.0.0.0:1883 -> ep-mqtt: fd [0-9]* grafted" "$T_TMP/broker.log"

check "the broker runs on the sysroot's libc.so, with no LD_PRELOAD" \
	sh -c "grep -q '$SR/lib/libc.so\|$LDSO' /proc/$pid/maps && ! tr '\\0' '\\n' < /proc/$pid/environ | grep -q '^LD_PRELOAD='"

# a retained message: the plugin rewrites it before it is stored
out=$(env GRAFT=off timeout 10 "$APP_BIN/mosquitto_pub" -h 127.0.0.1 -p "$P1" -t graft/t -m world -r 2>&1)
check "mosquitto_pub from the host publishes through the ingress rule ($out)" test -z "$out"
out=$(env GRAFT=off timeout 10 "$APP_BIN/mosquitto_sub" -h 127.0.0.1 -p "$P1" -t graft/t -C 1 -W 8 2>&1)
check "mosquitto_sub gets it back, rewritten by the plugin ($out)" [ "$out" = "hello world" ]
t_done
