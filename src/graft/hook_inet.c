/* hook_inet.c - bind(), connect(), sendto(), sendmsg() on a socket not
 * yet grafted.  A bind matching an ingress rule is done by graftd: the app
 * gets 0.  A destination matching an egress rule gets the host socket
 * installed first, then the connect runs on it (so EINPROGRESS, SO_ERROR
 * and the rest are the kernel's; a unix endpoint's socket graftd already
 * connected: 0), or musl's own sendto/sendmsg.  Anything unmatched stays in
 * the namespace and the fd is forgotten.  A spare handed out by socket()
 * (pool_spare.c) is used, replaced by graftd's socket, or replaced by a
 * namespace socket.  The caller's address is read through the kernel
 * (sys_uaccess.c): a bad pointer passes to musl's call, which fails EFAULT. */
#include <string.h>
#include <netinet/in.h>
#include "graft_conf.h"
#include "graft_log.h"
#include "graft_view.h"
#include "graft_fd.h"
#include "graft_uaccess.h"
#include "graft_pool.h"
#include "graft_swap.h"
#include "graft_afgraft.h"
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

/* verbose: the line for a bind kept local; a loopback one no ingress
 * rule took stays recorded, so that a connect an egress rule would have
 * taken can say why it stays local too */
static void kept(int fd, const struct graft_fdstate *st, const struct graft_conf *c,
	const struct graft_rule *r, const struct graft_ip *ip, unsigned port)
{
	uint64_t ino = st->ino;

	__graft_why_bind(c, r, ip, port, st->type);
	if (!r && c->neg && __graft_ip_loopback(ip))
		__graft_fd_bound(fd, GRAFT_BOUND_LOOP, port);
	else
		__graft_fd_forget(fd, ino);
}

/* The caller's address in ss; nonzero leaves it to the kernel (a bad
 * pointer: EFAULT, a length no family has: EINVAL). */
static int addr(struct sockaddr_storage *ss, const struct sockaddr *sa, socklen_t len)
{
	return !sa || len > sizeof *ss || __graft_copyin(ss, sa, len);
}

/* The state of fd for a call that may act on it (k: its table bits):
 * an AF_GRAFT socket or a spare whole, any other its head only, enough
 * to see that no rule takes it; whole() completes it when one does. */
static int state(int fd, int k, struct graft_fdstate *st)
{
	if ((k & GRAFT_FD_KIND) != GRAFT_FD_PENDING) return 0;
	return k & (GRAFT_FD_AFG|GRAFT_FD_SPARE) ? __graft_fd_get(fd, st) : __graft_fd_head(fd, st);
}

static int whole(int fd, int k, struct graft_fdstate *st)
{
	uint64_t ino = st->ino;
	if (k & (GRAFT_FD_AFG|GRAFT_FD_SPARE)) return 1;
	return __graft_fd_get(fd, st) && st->ino == ino;
}

/* The whole state of fd, which a rule takes, if fd still holds the
 * socket it was recorded for ("verbose" says so when not). */
static int current(int fd, int k, struct graft_fdstate *st, const struct graft_conf *c,
	int call, const struct graft_rule *r, const struct graft_ip *ip, unsigned port)
{
	if (!whole(fd, k, st)) return 0;
	if (live(fd, st)) return 1;
	if (c->verbose) __graft_why_call(c, fd, st->type, call, r, ip, port, GRAFT_WHY_STALE);
	return 0;
}

long __graft_bind(int fd, const struct sockaddr *usa, socklen_t len)
{
	struct sockaddr_storage ss;
	const struct sockaddr *sa = (void *)&ss;
	struct graft_fdstate st;
	struct graft_ip ip;
	unsigned port;
	const struct graft_conf *c;
	const struct graft_rule *r;
	int k = __graft_fd_bits(fd);
	long e;

	if (!state(fd, k, &st)) return GRAFT_PASS;
	if (st.domain == AF_GRAFT)
		return live(fd, &st) ? __graft_afg_bind(fd, &st, usa, len) : GRAFT_PASS;
	/* the resolver's own bind (the wildcard, port 0): its socket stays
	 * for its sendto (no ingress rule is for it) */
	if (st.dns) return GRAFT_PASS;
	if (addr(&ss, usa, len)) return GRAFT_PASS;
	/* a malformed address keeps the state: the kernel reports it */
	if (__graft_sa_ip(sa, len, &ip, &port)) return GRAFT_PASS;
	if (sa->sa_family != st.domain) return GRAFT_PASS;
	c = __graft_conf();
	if (c->state == GRAFT_CONF_BROKEN) return -GRAFT_EBROKEN;
	r = __graft_match_in(c, &ip, port, st.type);
	/* a spare is replaced by graftd's socket for r, else by a local one */
	if (st.spare && (!r || r->local) && (e = __graft_spare_to_local(fd, &st)) < 0) return e;
	if (!r || r->local) {
		/* bound to the wildcard, the socket may still talk out through
		 * an egress rule: grafted at connect, asking graftd for the
		 * same port (an early autobind's 0, curl --local-port, socat
		 * sourceport=) */
		if (!r && __graft_ip_any(&ip) && c->neg) {
			__graft_fd_bound(fd, GRAFT_BOUND_ANY, port);
			if (c->verbose) __graft_why_bind(c, r, &ip, port, st.type);
		} else if (c->verbose) {
			kept(fd, &st, c, r, &ip, port);
		} else {
			__graft_fd_forget(fd, st.ino);
		}
		return GRAFT_PASS;
	}
	if (!current(fd, k, &st, c, GRAFT_CALL_BIND, r, &ip, port)) return GRAFT_PASS;
	e = __graft_graft(fd, &st, r, 1, port, 0);
	if (e == GRAFT_PASS) __graft_fd_forget(fd, st.ino);
	/* getsockname will answer what the program bound (view.c) */
	if (!e) __graft_view_add(fd, __graft_view_of(c, r), st.domain, &ip, port);
	return e;
}

/* connect (cp = 1), sendto or sendmsg to sa on a tracked fd */
static long egress(int fd, int k, const struct sockaddr *usa, socklen_t len, int cp)
{
	struct sockaddr_storage ss;
	const struct sockaddr *sa = (void *)&ss;
	struct graft_fdstate st;
	struct graft_ip ip;
	unsigned port;
	const struct graft_conf *c;
	const struct graft_rule *r;
	int hfam = 0;
	long e;

	if (!state(fd, k, &st)) return GRAFT_PASS;
	/* an unbound AF_GRAFT socket talks from "default-source" */
	if (st.domain == AF_GRAFT)
		return live(fd, &st) ? __graft_afg_egress(fd, &st) : GRAFT_PASS;
	if (addr(&ss, usa, len)) return GRAFT_PASS;
	if (__graft_sa_ip(sa, len, &ip, &port)) return GRAFT_PASS;
	if (sa->sa_family != st.domain) return GRAFT_PASS;
	c = __graft_conf();
	if (c->state == GRAFT_CONF_BROKEN) return -GRAFT_EBROKEN;
	/* a resolver query: the "dns" line, else the egress rules */
	r = st.dns ? __graft_match_dns(c, &ip, st.type) : __graft_match_eg(c, &ip, st.type);
	/* a listener grafted from here, reached from here (swap.c); a socket
	 * bound here first stays here, as one no rule kept track of does */
	if (cp && !st.dns && st.type == SOCK_STREAM && (!r || r->src == GRAFT_SRC_BUILTIN) && !st.bound) {
		const struct graft_rule *in = __graft_match_reach(c, &ip, port);
		if (in) {
			if (st.spare && (e = __graft_spare_to_local(fd, &st)) < 0) return e;
			if (!current(fd, k, &st, c, cp, in, &ip, port)) return GRAFT_PASS;
			if ((e = __graft_reach(fd, &st, in, port)) != GRAFT_PASS) return e;
			__graft_fd_forget(fd, st.ino);
			return GRAFT_PASS;
		}
	}
	if (st.spare) {
		if (!r || r->local) {
			if ((e = __graft_spare_to_local(fd, &st)) < 0) return e;
		} else if (!strncmp(r->ep, st.ep, sizeof st.ep) && __graft_pool_eligible(&st)) {
			/* the destination is the spare's endpoint's: nothing to
			 * do but connect it */
			__graft_spare_used(fd, &st, r, cp);
			if (!cp) return GRAFT_PASS;
			e = g_connect_cp(fd, sa, len);
			if (c->verbose)
				__graft_log_grafted(fd, r, 0, 0, 0, !e || e == -EINPROGRESS
					? " (a spare)" : " (a spare; connect failed)");
			return e;
		}
	}
	if (!r || r->local || st.bound == GRAFT_BOUND_LOOP) {
		if (r && c->verbose)
			__graft_why_call(c, fd, st.type, cp, r, &ip, port,
				r->local ? GRAFT_WHY_RULE : GRAFT_WHY_LOOPSRC);
		__graft_fd_forget(fd, st.ino);
		return GRAFT_PASS;
	}
	if (!current(fd, k, &st, c, cp, r, &ip, port)) return GRAFT_PASS;
	/* a socket bound to a port first asks for that port; a connect
	 * needs the host socket's family and says its "verbose" line here */
	e = __graft_graft(fd, &st, r, 0, st.bport, cp ? &hfam : 0);
	if (e == GRAFT_PASS) __graft_fd_forget(fd, st.ino);
	if (e) return e;
	/* sendto, sendmsg: musl's own call sends on the host socket */
	if (!cp) return GRAFT_PASS;
	if (hfam == AF_UNIX) {
		/* graftd connected it to the endpoint's path: the program's
		 * connect has succeeded, blocking or not (nothing is pending:
		 * poll says writable, SO_ERROR 0) */
		e = 0;
	} else if (hfam == AF_INET && sa->sa_family == AF_INET6) {
		/* a v4-mapped destination on an IPv4 host socket: the plain
		 * IPv4 address.  (sendto/sendmsg cannot be rewritten here;
		 * docs/core.md) */
		struct sockaddr_in sin;
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		memcpy(&sin.sin_addr, ip.a, 4);
		e = g_connect_cp(fd, &sin, sizeof sin);
	} else {
		e = g_connect_cp(fd, sa, len);
	}
	/* once connecting, the kernel has chosen the local address */
	if (c->verbose)
		__graft_log_grafted(fd, r, 0, 0, 0, !e || e == -EINPROGRESS ? "" : " (connect failed)");
	return e;
}

long __graft_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	int k = __graft_fd_bits(fd);
	return k ? egress(fd, k, sa, len, 1) : GRAFT_PASS;
}

long __graft_sendto(int fd, const struct sockaddr *sa, socklen_t len)
{
	int k = __graft_fd_bits(fd);
	return k && sa ? egress(fd, k, sa, len, 0) : GRAFT_PASS;
}

/* also sendmmsg's first message: msg may be a bad pointer */
long __graft_sendmsg(int fd, const struct msghdr *msg)
{
	struct msghdr h;
	int k = __graft_fd_bits(fd);

	if ((k & GRAFT_FD_KIND) != GRAFT_FD_PENDING) return GRAFT_PASS;
	if (!msg || __graft_copyin(&h, msg, sizeof h) || !h.msg_name) return GRAFT_PASS;
	return egress(fd, k, h.msg_name, h.msg_namelen, 0);
}

/* listen() on a spare: an unbound socket listens in the namespace.  A
 * wildcard bind no ingress rule took was kept for a later egress (bind
 * above); a listener never connects: forgotten, so a server's listeners
 * do not pay the slot lock on every setsockopt. */
long __graft_listen(int fd)
{
	struct graft_fdstate st;
	long e;

	if (!state(fd, __graft_fd_bits(fd), &st)) return GRAFT_PASS;
	if (st.spare) {
		if ((e = __graft_spare_to_local(fd, &st)) < 0) return e;
	} else if (st.bound != GRAFT_BOUND_ANY || st.domain == AF_GRAFT) {
		return GRAFT_PASS;
	}
	__graft_fd_forget(fd, st.ino);
	return GRAFT_PASS;
}
