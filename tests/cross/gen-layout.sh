#!/bin/sh
# gen-layout.sh HEADER... - write (on stdout) a C program that prints the
# layout of every struct in the HEADERs (sizeof, alignof, and offsetof and
# sizeof of each field) and the value of every numeric #define in them,
# plus the system constants that travel in the wire protocol.  Built for
# each target and run, its output must be identical everywhere.
# Structs are found by a simple parser: "struct NAME {" ... "};" with one
# field per line ("TYPE NAME;" or "TYPE NAME[N];"); that is the style of
# src/common/graft_proto.h and include/graft.h.
set -eu
cat <<'HEAD'
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <errno.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>
HEAD
for h; do printf '#include "%s/%s"\n' "$(cd "$(dirname "$h")" && pwd)" "${h##*/}"; done
cat <<'HEAD'
#define S(t) printf("%-28s size %3zu align %2zu\n", #t, sizeof(t), _Alignof(t))
#define F(t, f) printf("  %-26s offset %3zu size %3zu\n", #t "." #f, offsetof(t, f), sizeof(((t *)0)->f))
#define V(t, f) printf("  %-26s offset %3zu (flexible)\n", #t "." #f, offsetof(t, f))
#define Z(t) printf("%-28s size %3zu\n", #t, sizeof(t))
#define C(c) printf("%-28s = %lld\n", #c, (long long)(c))
int main(void)
{
HEAD
for h; do
	sed -e 's|/\*.*\*/||g' -e 's|//.*||' "$h" | awk '
	/^[ \t]*struct[ \t]+[A-Za-z_0-9]+[ \t]*\{/ {
		s = $0; sub(/^[ \t]*struct[ \t]+/, "", s); sub(/[ \t]*\{.*/, "", s)
		name = "struct " s; printf("\tS(%s);\n", name); next
	}
	name != "" && /^[ \t]*\}/ { name = ""; next }
	name != "" && /;/ {
		f = $0; sub(/;.*/, "", f); m = f ~ /\[[ \t]*\]/ ? "V" : "F"
		sub(/\[[^]]*\]/, "", f); sub(/[ \t]+$/, "", f)
		n = split(f, w, /[ \t*]+/); fld = w[n]
		if (fld != "") printf("\t%s(%s, %s);\n", m, name, fld)
		next
	}
	/^#define[ \t]+[A-Z_0-9]+[ \t]+\(?-?(0x)?[0-9a-fA-F]+u?\)?[ \t]*$/ { printf("\tC(%s);\n", $2) }
	'
done
cat <<'TAIL'
	/* the system's numbers that graftd reads from a request or writes in a
	 * reply: they must mean the same on the target as on the host */
	C(AF_UNIX); C(AF_INET); C(AF_INET6);
	C(SOCK_STREAM); C(SOCK_DGRAM); C(SOCK_SEQPACKET); C(SOCK_NONBLOCK); C(SOCK_CLOEXEC);
	C(IPPROTO_TCP); C(IPPROTO_UDP); C(IPPROTO_IPV6);
	C(SOL_SOCKET); C(SO_REUSEADDR); C(SO_REUSEPORT); C(SO_RCVBUF); C(SO_SNDBUF);
	C(SO_DOMAIN); C(SO_PEERCRED); C(SCM_RIGHTS); C(IPV6_V6ONLY); C(MSG_CMSG_CLOEXEC);
	C(EPERM); C(ENOENT); C(EACCES); C(EAGAIN); C(EINVAL); C(EMFILE); C(ENFILE);
	C(EBADMSG); C(EPROTO); C(EPROTONOSUPPORT); C(ESOCKTNOSUPPORT); C(EOPNOTSUPP);
	C(EAFNOSUPPORT); C(EADDRINUSE); C(EADDRNOTAVAIL); C(ENETUNREACH);
	C(ECONNREFUSED); C(ECONNRESET); C(ETIMEDOUT); C(ENOBUFS); C(ENOTRECOVERABLE);
	/* graft_rep.addr carries one of these (their alignment may differ) */
	Z(struct sockaddr_in); Z(struct sockaddr_in6); Z(struct sockaddr_un);
	Z(struct sockaddr_storage);
	return 0;
}
TAIL
