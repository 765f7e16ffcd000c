/* hook_sockopt.c - socket options and names.  A placeholder's successful
 * setsockopt calls are recorded to be carried over to its host socket.
 * Options of inet sockets are never translated: once grafted, getsockopt
 * sees the real host socket (SO_ERROR, SO_DOMAIN...); getsockname of a
 * grafted ingress socket is the program's view (view.c, docs/core.md).
 * AF_GRAFT sockets answer as the module does (afgraft_opt.c), spares
 * handed out by socket() as the unbound sockets they stand for. */
#include <string.h>
#include <sys/time.h>
#include <netinet/in.h>
#include "graft_fd.h"
#include "graft_uaccess.h"
#include "graft_pool.h"
#include "graft_afgraft.h"
#include "graft_hooks.h"

/* The state of fd if it is a live AF_GRAFT socket of ours.  Other fds
 * cost one lock-free table probe. */
static int afg(int fd, struct graft_fdstate *st)
{
	uint64_t ino;
	if (!__graft_fd_afgraft(fd)) return 0;
	if (!__graft_fd_get(fd, st) || st->domain != AF_GRAFT) return 0;
	if (g_fd_ino(fd, &ino) || ino != st->ino) {
		__graft_fd_forget(fd, st->ino);
		return 0;
	}
	return 1;
}

/* afg() for an option call: of a grafted AF_GRAFT socket only the
 * IPPROTO_GRAFT options are ours, the rest is the host socket's. */
static int afg_opt(int fd, int level, struct graft_fdstate *st)
{
	int k;
	if (!__graft_fd_afgraft(fd)) return 0;
	k = __graft_fd_has(fd);
	if (!k || (k == GRAFT_FD_NAMED && level != IPPROTO_GRAFT)) return 0;
	return afg(fd, st);
}

/* The state of fd if it is a live spare (pool_spare.c). */
static int spare(int fd, struct graft_fdstate *st)
{
	uint64_t ino;
	if (!__graft_fd_spare(fd)) return 0;
	if (!__graft_fd_get(fd, st) || !st->spare) return 0;
	return !g_fd_ino(fd, &ino) && ino == st->ino;
}

long __graft_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct graft_fdstate st;

	/* an option graftd alone may set before its bind (SO_REUSEADDR...)
	 * on a spare: a namespace socket takes it, grafted at connect as any */
	if (val && len == sizeof(int) && __graft_fd_spare(fd)) {
		struct graft_sopt o;
		o.level = level;
		o.name = name;
		o.len = len;
		/* only a pre-bind option's value matters (SO_RCVBUF), and the
		 * kernel has not read it yet: a bad pointer is its EFAULT.
		 * Others (TCP_NODELAY...) cost no probe. */
		if (__graft_opt_prebind(&o)) {
			if (__graft_copyin(o.val, val, sizeof(int))) return GRAFT_PASS;
			if (!__graft_spare_opt(&o) && spare(fd, &st)) {
				long e = __graft_spare_to_local(fd, &st);
				return e < 0 ? e : GRAFT_PASS;
			}
		}
	}
	if (!afg_opt(fd, level, &st)) return GRAFT_PASS;
	return __graft_afg_setsockopt(fd, &st, level, name, val, len);
}

/* fd is a recorded inet socket (hook_call.c asked) */
void __graft_setsockopt_done(int fd, int level, int name, const void *val, socklen_t len)
{
	unsigned char v[GRAFT_OPT_VALMAX];

	/* the kernel read an int of val, maybe not all len bytes: past the
	 * page it read, a value that cannot be read is not carried over
	 * (grafting then refuses) */
	if (val && len > sizeof(int) && len <= sizeof v && !__graft_same_page(val, len))
		val = __graft_copyin(v, val, len) ? 0 : v;
	/* 32-bit time64: kernels before 5.1 (and qemu-user) refuse the _NEW
	 * names musl's headers give; musl then falls back to the _OLD ones,
	 * with a long[2] for the timeouts.  Record what any kernel takes, as
	 * the host socket's kernel is asked later by raw syscalls. */
	if (SO_RCVTIMEO != SO_RCVTIMEO_OLD && level == SOL_SOCKET) {
		if ((name == SO_RCVTIMEO || name == SO_SNDTIMEO)
		 && val && len >= sizeof(struct timeval)) {
			struct timeval tv;
			long o[2];
			memcpy(&tv, val, sizeof tv);
			o[0] = tv.tv_sec;
			o[1] = tv.tv_usec;
			if (o[0] == tv.tv_sec) {
				name = name == SO_RCVTIMEO ? SO_RCVTIMEO_OLD : SO_SNDTIMEO_OLD;
				__graft_fd_addopt(fd, level, name, o, sizeof o);
				return;
			}
		}
		if (name == SO_TIMESTAMP) name = SO_TIMESTAMP_OLD;
		if (name == SO_TIMESTAMPNS) name = SO_TIMESTAMPNS_OLD;
	}
	__graft_fd_addopt(fd, level, name, val, len);
}

long __graft_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct graft_fdstate st;
	if (!afg_opt(fd, level, &st)) return GRAFT_PASS;
	return __graft_afg_getsockopt(fd, &st, level, name, val, len);
}

/* A spare answers as the unbound socket it stands for: the wildcard
 * address, port 0. */
static long unbound(int domain, struct sockaddr *sa, socklen_t *len)
{
	struct sockaddr_storage ss;
	socklen_t n = domain == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);

	memset(&ss, 0, sizeof ss);
	ss.ss_family = domain;
	return __graft_name_out(sa, len, &ss, n);
}

long __graft_getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct graft_fdstate st;
	if (spare(fd, &st)) return unbound(st.domain, sa, len);
	if (!afg(fd, &st)) return GRAFT_PASS;
	return __graft_afg_getsockname(fd, &st, sa, len);
}
