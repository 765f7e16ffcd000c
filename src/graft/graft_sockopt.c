/* graft_sockopt.c - socket options and names.  A placeholder's successful
 * setsockopt calls are recorded to be carried over to its host socket.
 * Reads of inet sockets are never translated: once grafted, getsockopt
 * and getsockname see the real host socket (SO_ERROR, SO_DOMAIN, the real
 * port of a port-0 bind...), which is the truthful view (docs/core.md).
 * AF_GRAFT sockets answer as the module does (afgraft_opt.c). */
#include <string.h>
#include <sys/time.h>
#include "graft_core.h"
#include "graft_hooks.h"

/* The state of fd if it is a live AF_GRAFT socket of ours. */
static int afg(int fd, struct graft_fdstate *st)
{
	struct stat sb;
	if (!__graft_fd_get(fd, st) || st->domain != AF_GRAFT) return 0;
	if (g_fstat(fd, &sb) || (uint64_t)sb.st_ino != st->ino) {
		__graft_fd_forget(fd, st->ino);
		return 0;
	}
	return 1;
}

long __graft_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct graft_fdstate st;
	int k = __graft_fd_has(fd);
	/* grafted AF_GRAFT sockets: only IPPROTO_GRAFT is ours */
	if (!k || (k == GRAFT_FD_NAMED && level != IPPROTO_GRAFT)) return GRAFT_PASS;
	if (!afg(fd, &st)) return GRAFT_PASS;
	return __graft_afg_setsockopt(fd, &st, level, name, val, len);
}

#ifndef SO_RCVTIMEO_OLD
#define SO_RCVTIMEO_OLD 20
#define SO_SNDTIMEO_OLD 21
#endif

void __graft_setsockopt_done(int fd, int level, int name, const void *val, socklen_t len)
{
	if (!__graft_fd_has(fd)) return;
	/* 32-bit time64: when the kernel refuses SO_RCVTIMEO_NEW (before 5.1,
	 * qemu-user), musl's setsockopt applies SO_RCVTIMEO_OLD with a long[2]
	 * it makes from the caller's 64-bit timeval, but reports the _OLD name
	 * with the caller's value.  Record what was applied. */
	if (SO_RCVTIMEO != SO_RCVTIMEO_OLD && level == SOL_SOCKET
	 && (name == SO_RCVTIMEO_OLD || name == SO_SNDTIMEO_OLD)
	 && val && len >= sizeof(struct timeval)) {
		struct timeval tv;
		long o[2];
		memcpy(&tv, val, sizeof tv);
		o[0] = tv.tv_sec;	/* both fit: the kernel took them */
		o[1] = tv.tv_usec;
		__graft_fd_addopt(fd, level, name, o, sizeof o);
		return;
	}
	__graft_fd_addopt(fd, level, name, val, len);
}

long __graft_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct graft_fdstate st;
	int k = __graft_fd_has(fd);
	if (!k || (k == GRAFT_FD_NAMED && level != IPPROTO_GRAFT)) return GRAFT_PASS;
	if (!afg(fd, &st)) return GRAFT_PASS;
	return __graft_afg_getsockopt(fd, &st, level, name, val, len);
}

long __graft_getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct graft_fdstate st;
	if (!__graft_fd_has(fd) || !afg(fd, &st)) return GRAFT_PASS;
	return __graft_afg_getsockname(fd, &st, sa, len);
}
