/* graft_inet.c - bind(), connect(), sendto(), sendmsg() on a socket not
 * yet grafted.  A bind matching an ingress rule is done by graftd: the app
 * gets 0.  A destination matching an egress rule gets the host socket
 * installed first, then musl's own call runs on it (so EINPROGRESS,
 * SO_ERROR and the rest are the kernel's).  Anything unmatched stays in
 * the namespace and the fd is forgotten.  A spare handed out by socket()
 * (graft_spare.c) is used, replaced by graftd's socket, or replaced by a
 * namespace socket. */
#include <string.h>
#include <netinet/in.h>
#include "graft_core.h"
#include "graft_hooks.h"

/* Whether fd still holds the socket st was recorded for.  Asked only
 * before acting on a match: an unmatched call costs no syscall. */
static int live(int fd, const struct graft_fdstate *st)
{
	uint64_t ino;
	if (!g_fd_ino(fd, &ino) && ino == st->ino) return 1;
	/* the number was reused behind our back (raw close, exec) */
	__graft_fd_forget(fd, st->ino);
	return 0;
}

long __graft_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct graft_fdstate st;
	struct graft_ip ip;
	unsigned port;
	const struct graft_conf *c;
	const struct graft_rule *r;
	long e;

	if (__graft_fd_has(fd) != GRAFT_FD_PENDING) return GRAFT_PASS;
	if (!__graft_fd_get(fd, &st)) return GRAFT_PASS;
	if (st.domain == AF_GRAFT)
		return live(fd, &st) ? __graft_afg_bind(fd, &st, sa, len) : GRAFT_PASS;
	/* a malformed address keeps the state: the kernel reports it */
	if (__graft_sa_ip(sa, len, &ip, &port)) return GRAFT_PASS;
	if (sa->sa_family != st.domain) return GRAFT_PASS;
	c = __graft_conf();
	if (c->state == GRAFT_CONF_BROKEN) return -GRAFT_EBROKEN;
	r = __graft_match_in(c, &ip, port);
	/* a spare is replaced by graftd's socket for r, else by a local one */
	if (st.spare && (!r || r->local) && (e = __graft_spare_to_local(fd, &st)) < 0) return e;
	if (!r || r->local) {
		/* bind(any:0) then connect is just an early autobind:
		 * keep the socket eligible for egress */
		if (!r && port == 0 && __graft_ip_any(&ip) && c->neg) {
			__graft_fd_any0(fd);
			return GRAFT_PASS;
		}
		__graft_fd_forget(fd, st.ino);
		return GRAFT_PASS;
	}
	if (!live(fd, &st)) return GRAFT_PASS;
	e = __graft_graft(fd, &st, r, 1, port, 0);
	if (e == GRAFT_PASS) __graft_fd_forget(fd, st.ino);
	/* getsockname will answer what the program bound (view.c) */
	if (!e) __graft_view_add(fd, __graft_view_of(c, r), st.domain, &ip, port);
	return e;
}

/* connect (cp = 1), sendto or sendmsg to sa on a tracked fd */
static long egress(int fd, const struct sockaddr *sa, socklen_t len, int cp)
{
	struct graft_fdstate st;
	struct graft_ip ip;
	unsigned port;
	const struct graft_conf *c;
	const struct graft_rule *r;
	int hfam = 0;
	long e;

	if (!__graft_fd_get(fd, &st)) return GRAFT_PASS;
	/* an unbound AF_GRAFT socket talks from "default-source" */
	if (st.domain == AF_GRAFT)
		return live(fd, &st) ? __graft_afg_egress(fd, &st) : GRAFT_PASS;
	if (__graft_sa_ip(sa, len, &ip, &port)) return GRAFT_PASS;
	if (sa->sa_family != st.domain) return GRAFT_PASS;
	c = __graft_conf();
	if (c->state == GRAFT_CONF_BROKEN) return -GRAFT_EBROKEN;
	r = __graft_match_eg(c, &ip);
	if (st.spare) {
		if (!r || r->local) {
			if ((e = __graft_spare_to_local(fd, &st)) < 0) return e;
		} else if (!strncmp(r->ep, st.ep, sizeof st.ep) && __graft_pool_eligible(&st)) {
			/* the destination is the spare's endpoint's: nothing to do */
			__graft_spare_used(fd, &st, r);
			return GRAFT_PASS;
		}
	}
	if (!r || r->local) {
		__graft_fd_forget(fd, st.ino);
		return GRAFT_PASS;
	}
	if (!live(fd, &st)) return GRAFT_PASS;
	/* the host socket's family matters only for a v4-mapped connect */
	e = __graft_graft(fd, &st, r, 0, 0,
		cp && sa->sa_family == AF_INET6 && ip.family == AF_INET ? &hfam : 0);
	if (e == GRAFT_PASS) __graft_fd_forget(fd, st.ino);
	if (e) return e;
	/* A v4-mapped destination on an IPv4 host socket: connect it with
	 * the plain IPv4 address ourselves.  (sendto/sendmsg cannot be
	 * rewritten here; docs/core.md) */
	if (cp && hfam == AF_INET && sa->sa_family == AF_INET6) {
		struct sockaddr_in sin;
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		memcpy(&sin.sin_addr, ip.a, 4);
		return g_connect_cp(fd, &sin, sizeof sin);
	}
	return GRAFT_PASS;
}

long __graft_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	if (__graft_fd_has(fd) != GRAFT_FD_PENDING) return GRAFT_PASS;
	return egress(fd, sa, len, 1);
}

long __graft_sendto(int fd, const struct sockaddr *sa, socklen_t len)
{
	if (!sa || __graft_fd_has(fd) != GRAFT_FD_PENDING) return GRAFT_PASS;
	return egress(fd, sa, len, 0);
}

long __graft_sendmsg(int fd, const struct msghdr *msg)
{
	if (!msg || !msg->msg_name || __graft_fd_has(fd) != GRAFT_FD_PENDING) return GRAFT_PASS;
	return egress(fd, msg->msg_name, msg->msg_namelen, 0);
}

/* listen() on a spare: an unbound socket listens in the namespace */
long __graft_listen(int fd)
{
	struct graft_fdstate st;
	long e;

	if (!__graft_fd_spare(fd) || !__graft_fd_get(fd, &st) || !st.spare) return GRAFT_PASS;
	if ((e = __graft_spare_to_local(fd, &st)) < 0) return e;
	__graft_fd_forget(fd, st.ino);
	return GRAFT_PASS;
}
