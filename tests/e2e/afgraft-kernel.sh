#!/bin/sh
# afgraft-kernel.sh - the kernel provider: where the kernel has AF_GRAFT,
# graft-cc programs use it (AF_GRAFT calls go to the kernel, inet grafts
# take their host socket from socket(AF_GRAFT) + bind(sockaddr_gr)), and
# graft.conf "provider" chooses.  Modules cannot be loaded here, so the
# kernel's AF_GRAFT is played by tests/helpers/afgraft-kmod.c, a seccomp
# user-notification supervisor with the module's semantics; the libc code
# under test is the real one.  Native x86_64 only.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/core-common.inc"
. "$(dirname "$0")/afgraft-common.inc"

KMOD=$GRAFT_BUILD/tests/afgraft-kmod
case "$(uname -m):${GRAFT_TARGET:-x86_64-linux-musl}" in
x86_64:x86_64-*) ;;
*) skip "afgraft-kernel (the seccomp stand-in runs natively on x86_64 only; qemu-user does not emulate seccomp)"; exit 0 ;;
esac
if [ ! -x "$KMOD" ]; then skip "afgraft-kernel (stand-in not built: $KMOD)"; exit 0; fi
afg_setup afgraft-kernel

EAFNOSUPPORT=97 ENOENT=2 EINVAL=22
NOB=$T_TMP/no-graftd.sock	# a broker nobody answers: graftd must not be needed
kconf() { { echo "broker $NOB"; for _l in "$@"; do echo "$_l"; done; } >"$CONF"; }
# kmod ARGS... -- PROG...: under the stand-in, in the namespace
kmod() { env GRAFT_CONF="$CONF" "$KMOD" -n "/var/run/netns/$NS" \
	-e "ep-http=127.0.0.1:$P1" -e "ep-opt=127.0.0.1:$P2" -e "default-source=0.0.0.0:0" \
	-e "ep-out=0.0.0.0:0" -e "ep-conv=127.0.0.1:$P5" "$@"; }

# 1. an AF_GRAFT server: provider auto finds the "module"
kconf
bg kmod -- "$AFG" serve ep-http 2 >"$T_TMP/s1" 2>&1
if ready "$T_TMP/s1"; then
	check "kernel: getsockname sockaddr_gr, then host address ($(cat "$T_TMP/s1"))" \
		grep -q "^ready graft:ep-http/18 127.0.0.1:$P1\$" "$T_TMP/s1"
	out=$(on_host "$NET" client-tcp 127.0.0.1 "$P1" 2>&1)
	check "kernel: AF_GRAFT server serves a host client without graftd ($out)" \
		has "$out" '.*reply=hello from AF_GRAFT'
	out=$(kmod -- "$AFG" client 127.0.0.1 "$P1" 2>&1)
	check "kernel: unbound AF_GRAFT connect uses default-source ($out)" \
		has "$out" 'name=graft:default-source/18 reply=hello from AF_GRAFT'
else
	fail "kernel: AF_GRAFT server did not start: $(cat "$T_TMP/s1")"
fi
out=$(kmod -- "$AFG" bind ep-nope 2>/dev/null)
check "kernel: unknown endpoint ENOENT ($out)" [ "$out" = "errno $ENOENT" ]
out=$(kmod -- "$AFG" bind ep-http 17 2>/dev/null)
check "kernel: addrlen 17 EINVAL ($out)" [ "$out" = "errno $EINVAL" ]
out=$(kmod -- "$AFG" options ep-opt 2>&1)
check "kernel: delayed options and results ($out)" \
	has "$out" ".*| results=2 6/1=0 1/2=0 again=0 | after: nodelay=1 reuseaddr=1 domain=2 name=graft:ep-opt/18 transparent=127.0.0.1:$P2\$"

# 2. inet sockets converted by graft.conf, host sockets from the module
kconf "provider kernel" "view host" "ingress 0.0.0.0:8080 ep-conv" "egress $HOSTIP/32 ep-out"
bg kmod -- "$NET" serve-tcp 0.0.0.0 8080 1 >"$T_TMP/s2" 2>&1
if ready "$T_TMP/s2"; then
	check "kernel: converted inet server reports the host address ($(cat "$T_TMP/s2"))" \
		grep -q "^ready 127.0.0.1:$P5\$" "$T_TMP/s2"
	out=$(on_host "$NET" client-tcp 127.0.0.1 "$P5" 2>&1)
	check "kernel: converted inet server serves a host client ($out)" has "$out" '.*reply=hello from'
else
	fail "kernel: converted server did not start: $(cat "$T_TMP/s2")"
fi
bg on_host "$NET" serve-tcp "$HOSTIP" "$P3" 1 >"$T_TMP/s3" 2>&1
ready "$T_TMP/s3"
out=$(kmod -- "$NET" client-tcp "$HOSTIP" "$P3" 2>&1)
check "kernel: converted inet client, TCP_NODELAY queued, non-blocking connect ($out)" \
	has "$out" 'nodelay=1 so_error=0 reply=hello from'

# 3. provider broker: graftd even where the kernel has AF_GRAFT
graftctl add ep-brk type ipv4 addr 127.0.0.1 port "$P4" netns "$NS" >/dev/null
conf "provider broker"
bg env GRAFT_CONF="$CONF" "$KMOD" -n "/var/run/netns/$NS" -e "ep-http=127.0.0.1:$P1" -- \
	"$AFG" serve ep-brk 1 >"$T_TMP/s4" 2>&1
if ready "$T_TMP/s4"; then
	out=$(on_host "$NET" client-tcp 127.0.0.1 "$P4" 2>&1)
	check "provider broker: endpoint from graftd despite the module ($out)" has "$out" '.*reply=hello from AF_GRAFT'
else
	fail "provider broker: server did not start: $(cat "$T_TMP/s4")"
fi

# 4. provider kernel where the kernel has no AF_GRAFT: fail closed
kconf "provider kernel" "ingress 0.0.0.0:8080 ep-http"
out=$(in_ns "$AFG" bind ep-http 2>/dev/null)
check "provider kernel without the module: socket(AF_GRAFT) EAFNOSUPPORT ($out)" [ "$out" = "errno $EAFNOSUPPORT" ]
out=$(in_ns "$NET" bind 0.0.0.0 8080 2>"$T_TMP/e5")
check "provider kernel without the module: a matching inet bind fails EAFNOSUPPORT, one line ($(cat "$T_TMP/e5"))" \
	sh -c "[ '$out' = 'errno $EAFNOSUPPORT' ] && [ \$(grep -c '^graft:' '$T_TMP/e5') -eq 1 ]"
t_done
