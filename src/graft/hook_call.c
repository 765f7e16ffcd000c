/* hook_call.c - where the patched musl socket functions go while
 * __graft_on is set (musl-patches/0001): run the hook, then carry on with
 * musl's own function, passed in as stock, unless the hook answered.  Kept
 * out of musl's files so that their fast path is one load and one branch
 * with no registers to save; a hook's -errno becomes errno here. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include "graft_view.h"
#include "graft_fd.h"
#include "graft_hooks.h"
#include "graft_uaccess.h"

int __graft_socket_call(int domain, int type, int protocol, int (*stock)(int, int, int))
{
	long g = __graft_socket(domain, type, protocol);
	int s;

	if (g != GRAFT_PASS) return g_ret(g);
	s = stock(domain, type, protocol);
	if (s >= 0 && __graft_on) __graft_socket_done(s, domain, type, protocol);
	return s;
}

int __graft_bind_call(int fd, const struct sockaddr *sa, socklen_t len,
	int (*stock)(int, const struct sockaddr *, socklen_t))
{
	long g = __graft_bind(fd, sa, len);
	return g == GRAFT_PASS ? stock(fd, sa, len) : g_ret(g);
}

int __graft_connect_call(int fd, const struct sockaddr *sa, socklen_t len,
	int (*stock)(int, const struct sockaddr *, socklen_t))
{
	long g = __graft_connect(fd, sa, len);
	sa_family_t fam;
	int r;

	if (g != GRAFT_PASS) return g_ret(g);
	r = stock(fd, sa, len);
	/* a connected socket grafted to a unix endpoint, asked again with the
	 * program's inet address: EISCONN, as TCP says (the kernel sees a
	 * family mismatch, EINVAL).  The family is read through the kernel:
	 * an EINVAL for a length over any address's was given no readable
	 * memory. */
	if (r && errno == EINVAL && __graft_unix_grafted(fd) && __graft_unix_peer(fd)
	 && sa && len >= sizeof fam && !__graft_copyin(&fam, sa, sizeof fam)
	 && fam != AF_UNIX)
		errno = EISCONN;
	return r;
}

ssize_t __graft_sendto_call(int fd, const void *buf, size_t n, int flags,
	const struct sockaddr *sa, socklen_t len,
	ssize_t (*stock)(int, const void *, size_t, int, const struct sockaddr *, socklen_t))
{
	long g = __graft_sendto(fd, sa, len);
	return g == GRAFT_PASS ? stock(fd, buf, n, flags, sa, len) : g_ret(g);
}

ssize_t __graft_sendmsg_call(int fd, const struct msghdr *msg, int flags,
	ssize_t (*stock)(int, const struct msghdr *, int))
{
	long g = __graft_sendmsg(fd, msg);
	return g == GRAFT_PASS ? stock(fd, msg, flags) : g_ret(g);
}

int __graft_setsockopt_call(int fd, int level, int name, const void *val, socklen_t len,
	int (*stock)(int, int, int, const void *, socklen_t))
{
	int k = __graft_fd_bits(fd), r;
	long g;

	/* one probe of the table: most fds are nothing of ours, or a plain
	 * socket whose options are only recorded */
	if (k & (GRAFT_FD_AFG|GRAFT_FD_SPARE)) {
		if ((g = __graft_setsockopt(fd, level, name, val, len)) != GRAFT_PASS) return g_ret(g);
		k = __graft_fd_bits(fd);
	}
	r = stock(fd, level, name, val, len);
	/* an AF_INET socket of the program grafted to a unix endpoint: its
	 * TCP options mean nothing there and are ignored (graft.conf(5)) */
	if (r && level == IPPROTO_TCP && errno == EOPNOTSUPP && !k && __graft_unix_grafted(fd))
		return 0;
	if (!r && (k & ~GRAFT_FD_SPARE) == GRAFT_FD_PENDING)
		__graft_setsockopt_done(fd, level, name, val, len);
	return r;
}

int __graft_getsockopt_call(int fd, int level, int name, void *val, socklen_t *len,
	int (*stock)(int, int, int, void *, socklen_t *))
{
	long g = __graft_getsockopt(fd, level, name, val, len);
	int r;

	if (g != GRAFT_PASS) return g_ret(g);
	r = stock(fd, level, name, val, len);
	/* TCP_NODELAY on a socket grafted to a unix endpoint: a unix socket
	 * never delays a write, so 1; other TCP options stay unsupported */
	if (r && level == IPPROTO_TCP && name == TCP_NODELAY && errno == EOPNOTSUPP
	 && __graft_unix_grafted(fd))
		return g_ret(__graft_name_out(val, len, &(int){1}, sizeof(int)));
	return r;
}

int __graft_getsockname_call(int fd, struct sockaddr *sa, socklen_t *len,
	int (*stock)(int, struct sockaddr *, socklen_t *))
{
	long g = __graft_getsockname(fd, sa, len);
	socklen_t cap;
	int r;

	if (g != GRAFT_PASS) return g_ret(g);
	if (!__graft_view_cap(fd, len, &cap)) return stock(fd, sa, len);
	r = stock(fd, sa, len);
	if (!r) __graft_view(fd, sa, len, cap);
	return r;
}

int __graft_listen_call(int fd, int backlog, int (*stock)(int, int))
{
	long g = __graft_listen(fd);
	return g == GRAFT_PASS ? stock(fd, backlog) : g_ret(g);
}
