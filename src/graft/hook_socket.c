/* hook_socket.c - socket(): remember the inet sockets a rule might graft
 * later (only when rules exist: otherwise nothing is recorded and socket()
 * costs what stock musl's does); AF_GRAFT sockets (afgraft.c); spare
 * egress sockets (pool_spare.c); the raw socket() libc's resolver uses for
 * its probes, never recorded and so never grafted; and the resolver's query
 * sockets, recorded only for a "dns" line or egress rules to take. */
#include <string.h>
#include "graft_conf.h"
#include "graft_log.h"
#include "graft_fd.h"
#include "graft_pool.h"
#include "graft_afgraft.h"
#include "graft_hooks.h"

long __graft_socket(int domain, int type, int protocol)
{
	/* AF_GRAFT without the kernel module: afgraft.c */
	if (domain == AF_GRAFT) return __graft_afg_socket(type, protocol);
	/* a spare egress socket, when the app's grafts make one likely */
	if ((domain == AF_INET || domain == AF_INET6)
	 && (type & ~(SOCK_NONBLOCK|SOCK_CLOEXEC)) == SOCK_STREAM)
		return __graft_spare_socket(domain, type, protocol);
	return GRAFT_PASS;
}

void __graft_socket_done(int fd, int domain, int type, int protocol)
{
	const struct graft_conf *c;
	uint64_t ino;
	int t = type & ~(SOCK_NONBLOCK|SOCK_CLOEXEC);

	if (domain != AF_INET && domain != AF_INET6) return;
	if (t != SOCK_STREAM && t != SOCK_DGRAM && t != SOCK_SEQPACKET) return;
	c = __graft_conf();
	if (c->state == GRAFT_CONF_INACTIVE) return;
	if (c->state == GRAFT_CONF_ACTIVE && !c->nin && !c->neg) return;
	if (g_fd_ino(fd, &ino)) return;
	if (__graft_fd_new(fd, ino, domain, t, protocol))
		__graft_logf("graft: fd %d: out of memory for its state; it will not be grafted", fd);
}

int __graft_raw_socket(int domain, int type, int protocol)
{
	/* musl's socket() without the hooks: old kernels lack the flags */
	long s = g_socket(domain, type, protocol);
	if ((s == -EINVAL || s == -EPROTONOSUPPORT)
	 && (type & (SOCK_CLOEXEC|SOCK_NONBLOCK))) {
		s = g_socket(domain, type & ~(SOCK_CLOEXEC|SOCK_NONBLOCK), protocol);
		if (s < 0) goto out;
		if (type & SOCK_CLOEXEC) g_fcntl(s, F_SETFD, FD_CLOEXEC);
		if (type & SOCK_NONBLOCK) g_fcntl(s, F_SETFL, O_NONBLOCK);
	}
out:
	if (s < 0) {
		errno = -s;
		return -1;
	}
	return s;
}

/* res_msend.c's sockets to the nameservers: raw, as stock musl's, unless a
 * "dns" line or an egress rule may take them, at their sendto/connect
 * (hook_inet.c); nothing else the resolver does ever reaches graftd. */
int __graft_dns_socket(int domain, int type, int protocol)
{
	const struct graft_conf *c;
	struct graft_fdstate *st;
	uint64_t ino;
	int s = __graft_raw_socket(domain, type, protocol);

	/* not __graft_on: a "dns" line alone leaves the program's own
	 * socket calls off the core (conf_load.c) */
	if (s < 0 || (domain != AF_INET && domain != AF_INET6)) return s;
	c = __graft_conf();
	if (c->state != GRAFT_CONF_ACTIVE || (!c->neg && !c->ndns)) return s;
	if (g_fd_ino(s, &ino)) return s;
	if (__graft_fd_new(s, ino, domain, type & ~(SOCK_NONBLOCK|SOCK_CLOEXEC), protocol)) {
		__graft_logf("graft: fd %d: out of memory for its state; it will not be grafted", s);
		return s;
	}
	if ((st = __graft_fd_lock(s, ino))) {
		st->dns = 1;
		__graft_fd_unlock(s);
	}
	return s;
}
