/* swap.c - turn the app's placeholder socket into a host socket:
 * ask graftd for it, replay the options graftd did not apply, then dup3 it
 * over the app's fd number with the placeholder's O_NONBLOCK and
 * FD_CLOEXEC, and close graftd's descriptor of it.  fds dup()ed from the placeholder are
 * swapped too, so they keep naming the same socket as the app's fd. */
#include <stdarg.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/un.h>
#include <netinet/in.h>
#include "graft_conf.h"
#include "graft_log.h"
#include "graft_view.h"
#include "graft_fd.h"
#include "graft_broker.h"
#include "graft_pool.h"
#include "graft_swap.h"
#include "graft_kernel.h"
#include "graft_hooks.h"

/* "graft: RULE: " into m, or without a rule (a spare going back to the
 * namespace, pool_spare.c) "graft: " */
static void head(struct graft_msg *m, const struct graft_rule *r, int ingress)
{
	m->n = 0;
	if (r) __graft_msgf(m, "graft: %R: ", r, ingress);
	else __graft_msgf(m, "graft: ");
}

/* One line "graft: RULE: " fmt */
static void say(const struct graft_rule *r, int ingress, const char *fmt, ...)
{
	struct graft_msg m;
	va_list ap;

	head(&m, r, ingress);
	va_start(ap, fmt);
	__graft_vmsgf(&m, fmt, ap);
	va_end(ap);
	__graft_log(&m);
}

/* dup3 hfd over fd if fd still holds socket ino; the state is kept.
 * checked: the caller has just seen ino at fd itself (live() in hook_inet.c), so
 * only another thread could have changed it since. */
static int swap_in(int hfd, int fd, uint64_t ino, int checked)
{
	struct stat sb;
	long fl = g_fcntl(fd, F_GETFL, 0), fdfl = g_fcntl(fd, F_GETFD, 0), r;

	if (fl < 0) return fl;
	if (fdfl < 0) return fdfl;
	/* another thread may have closed or replaced the fd meanwhile */
	if ((!checked || !g_single_threaded())
	 && (g_fstat(fd, &sb) || (uint64_t)sb.st_ino != ino)) return -EBADF;
	if (fl & O_NONBLOCK) {
		long hf = g_fcntl(hfd, F_GETFL, 0);
		if (hf >= 0) g_fcntl(hfd, F_SETFL, hf | O_NONBLOCK);
	}
	while ((r = g_dup3(hfd, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0)) == -EBUSY || r == -EINTR);
	return r < 0 ? r : 0;
}

int __graft_swap(int hfd, int fd, uint64_t ino)
{
	return swap_in(hfd, fd, ino, 0);
}

/* Register the host socket, now at fd, with the placeholder's epoll sets. */
static void rewatch(int fd, const struct graft_fdstate *st, const struct graft_rule *r, int ingress)
{
	unsigned i;

	for (i = 0; i < st->nep; i++) {
		struct epoll_event ev = { .events = st->epr[i].events, .data.u64 = st->epr[i].data };
		long x = g_epoll_ctl(st->epr[i].epfd, EPOLL_CTL_ADD, fd, &ev);
		if (x == -EEXIST) x = g_epoll_ctl(st->epr[i].epfd, EPOLL_CTL_MOD, fd, &ev);
		if (x < 0)
			say(r, ingress, "re-registering fd %d with epoll fd %d: %E",
				fd, st->epr[i].epfd, (int)-x);
	}
	if (st->eplost)
		say(r, ingress, "fd was in more epoll sets than graft tracks; some will not see the host socket");
}

/* hfd in place of the socket st was recorded for, at fd and at its
 * dup()s, and in the epoll sets it was in.  checked: fd was seen holding
 * it just before.  The recorded state is the caller's business. */
struct swap_arg {
	int hfd;
	uint64_t ino;
};

static void swap_alias(int alias, void *arg)
{
	struct swap_arg *a = arg;
	swap_in(a->hfd, alias, a->ino, 0);
}

static int install(int hfd, int fd, const struct graft_fdstate *st,
	const struct graft_rule *r, int ingress, int checked)
{
	struct swap_arg a = { hfd, st->ino };
	int e;

	if ((e = swap_in(hfd, fd, st->ino, checked)) < 0) return e;
	rewatch(fd, st, r, ingress);
	__graft_fd_each_alias(fd, st, swap_alias, &a);
	return 0;
}

int __graft_install(int hfd, int fd, const struct graft_fdstate *st,
	const struct graft_rule *r, int ingress)
{
	return install(hfd, fd, st, r, ingress, 0);
}

/* Set the options of st not in the bit mask sent on hfd; on failure *bad
 * is the option's index. */
int __graft_replay(int hfd, const struct graft_fdstate *st, unsigned sent, int *bad)
{
	unsigned i;
	for (i = 0; i < st->nopt; i++) {
		const struct graft_sopt *o = st->opt + i;
		long r;
		if (sent & (1u << i)) continue;
		r = g_setsockopt(hfd, o->level, o->name, o->val, o->len);
		if (r < 0) {
			*bad = i;
			return r;
		}
	}
	return 0;
}

/* An egress socket the app bound to a port before connecting must talk
 * from that port: -EADDRNOTAVAIL and a line when the host socket hfd
 * (the kernel says where it is bound) has another, as a dynamic
 * endpoint's or a fixed one of another port has. */
static long other_port(int fd, const struct graft_rule *r, int hfd, unsigned port)
{
	struct sockaddr_storage a;
	socklen_t sl = sizeof a;
	unsigned p = 0;
	struct graft_ip ip;

	/* the kernel's word on the host socket, not graftd's reply */
	if (!g_getsockname(hfd, &a, &sl) && sl <= sizeof a
	 && !__graft_sa_ip((void *)&a, sl, &ip, &p) && p == port) return 0;
	say(r, 0, "fd %d was bound to port %u before, the endpoint gives port %u"
		" (only a port range holding it, or that fixed port, can keep it)", fd, port, p);
	return -EADDRNOTAVAIL;
}

/* A host socket from the AF_GRAFT module into res->fd; it applies every
 * option itself (*sent = all). */
static long from_kernel(const struct graft_conf *c, const struct graft_fdstate *st,
	const struct graft_rule *r, int ingress, struct graft_bres *res, unsigned *sent)
{
	const char *step = "provider kernel, but the kernel has no AF_GRAFT";
	int bad = -1;
	long x = __graft_provider(c);

	if (x == GRAFT_PROV_KERNEL) x = __graft_kernel_obtain(st, r->ep, &bad, &step);
	if (x < 0 && (bad < 0 || x == -EAFNOSUPPORT))
		say(r, ingress, "AF_GRAFT module: %s: %E", step, (int)-x);
	else if (x < 0)
		say(r, ingress, "AF_GRAFT module: %s of socket option %d/%d: %E", step,
			st->opt[bad].level, st->opt[bad].name, (int)-x);
	if (x < 0) return x;
	memset(res, 0, sizeof *res);
	res->fd = x;
	*sent = ~0u;
	return 0;
}

/* A host socket from graftd (a spare or a batch's where the pool may
 * serve) into res->fd; *sent: the options graftd applied. */
static long from_graftd(const struct graft_conf *c, const struct graft_fdstate *st,
	const struct graft_rule *r, int ingress, unsigned port,
	struct graft_bres *res, unsigned *sent)
{
	struct graft_req q;
	struct graft_msg m;

	*sent = __graft_req_build(&q, st, r->ep, ingress ? GRAFT_F_INGRESS|GRAFT_F_PORT
		: port ? GRAFT_F_EGRESS|GRAFT_F_PORT : GRAFT_F_EGRESS, port);
	if (!ingress && !port && c->egress_batch > 1 && __graft_pool_eligible(st))
		__graft_pool_call(c, &q, sent, res);
	else
		__graft_broker_call(c->broker, &q, res);
	if (!res->transport && !res->err) return 0;
	if (!res->transport) {
		say(r, ingress, "graftd refused: %s (%E)", __graft_reason(res->rep.reason), res->err);
		return -res->err;
	}
	head(&m, r, ingress);
	__graft_msg_broker(&m, c->broker, res);
	if (res->err == EAGAIN) {	/* a handler in this thread's graft */
		__graft_log(&m);
		return -EAGAIN;
	}
	if (c->fallback && res->err != EPROTO) {
		__graft_msgf(&m, "; staying in the local network namespace");
		__graft_log(&m);
		return GRAFT_PASS;
	}
	__graft_log(&m);
	return res->err == EPROTO ? -EPROTO : -GRAFT_EUNREACH;
}

/* The family of the host socket: graftd's reply says where it bound it;
 * the kernel is asked only about a module's socket (NAME_TRANSPARENT). */
static int host_family(const struct graft_fdstate *st, const struct graft_bres *res)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	sa_family_t f;

	if (res->rep.addrlen >= sizeof f) {
		memcpy(&f, res->rep.addr, sizeof f);
		return f;
	}
	if (!g_getsockname(res->fd, &ss, &sl) && sl >= sizeof f) return ss.ss_family;
	return st->domain;
}

/* The host socket res->fd, with the options not yet sent replayed, in
 * place of fd and its dup()s, whose state is then forgotten.  hfd is
 * closed in any case. */
static long place(int fd, const struct graft_fdstate *st, const struct graft_rule *r,
	int ingress, unsigned port, const struct graft_bres *res, unsigned sent,
	int hfam, int quiet)
{
	const struct graft_conf *c = __graft_conf();
	int bad = -1;
	unsigned i;
	long x;

	if (!ingress && port && (x = other_port(fd, r, res->fd, port)) < 0) goto out;
	/* a unix endpoint's socket has no TCP level: the app's TCP options
	 * (TCP_NODELAY before connect, as libpq sets it) are dropped */
	if (hfam == AF_UNIX)
		for (i = 0; i < st->nopt; i++)
			if (st->opt[i].level == IPPROTO_TCP) sent |= 1u << i;
	if ((x = __graft_replay(res->fd, st, sent, &bad)) < 0) {
		say(r, ingress, "replaying socket option %d/%d: %E",
			st->opt[bad].level, st->opt[bad].name, (int)-x);
		goto out;
	}
	/* both callers checked fd's inode just before (live() in hook_inet.c) */
	if ((x = install(res->fd, fd, st, r, ingress, 1)) < 0) {
		say(r, ingress, "installing the host socket: %E", (int)-x);
		goto out;
	}
	__graft_fd_forget_all(fd, st);
	if (hfam == AF_UNIX) __graft_unix_note(fd);
	if (c->verbose && !quiet) __graft_log_grafted(fd, r, ingress, res->rep.addr, res->rep.addrlen, "");
out:
	g_close(res->fd);
	return x;
}

/* Graft fd, recorded as st, for rule r: a host socket in its place, or
 * -errno (one line said why), or GRAFT_PASS ("fallback local"). */
long __graft_graft(int fd, const struct graft_fdstate *st, const struct graft_rule *r,
	int ingress, unsigned port, int *hostfamily)
{
	const struct graft_conf *c = __graft_conf();
	struct graft_bres res;
	unsigned sent;
	int hfam;
	long x;

	if (st->lost) {
		say(r, ingress, "socket option %d/%d cannot be carried over"
			" (too large or too many options)", st->lost_level, st->lost_name);
		return -ENOBUFS;
	}
	if (__graft_provider(c) != GRAFT_PROV_BROKER)
		x = from_kernel(c, st, r, ingress, &res, &sent);
	else
		x = from_graftd(c, st, r, ingress, port, &res, &sent);
	if (x) return x;
	hfam = host_family(st, &res);
	if (hostfamily) *hostfamily = hfam;
	/* a connect says its line once connected (hook_inet.c) */
	return place(fd, st, r, ingress, port, &res, sent, hfam, hostfamily != 0);
}

/* "verbose": "graft: RULE: fd N grafted, host socket at ADDR[NOTE]"; the
 * address is asked of the kernel when graftd's reply gave none.  A unix
 * endpoint's socket is named by its path: the peer's for a connected one
 * (an egress socket graftd connected has no name of its own).  An egress
 * socket not connected (sendto, a failed connect) may have no address yet. */
void __graft_log_grafted(int fd, const struct graft_rule *r, int ingress,
	const void *addr, unsigned len, const char *note)
{
	unsigned char a[GRAFT_PROTO_ADDRMAX];
	struct sockaddr_un pu;
	socklen_t sl = sizeof a;
	struct graft_ip ip;
	unsigned port;

	if (!len) {
		if (!g_getsockname(fd, a, &sl)) len = sl < sizeof a ? sl : sizeof a;
		addr = a;
	}
	if (len > sizeof a) len = sizeof a;
	if (len >= sizeof(sa_family_t) && ((const struct sockaddr *)addr)->sa_family == AF_UNIX) {
		const struct sockaddr_un *u = addr;
		sl = sizeof pu;
		if (len <= sizeof(sa_family_t)
		 && !g_getpeername(fd, &pu, &sl)
		 && sl > sizeof(sa_family_t) && sl <= sizeof pu) {
			u = &pu;
			len = sl;
		}
		if (len > sizeof(sa_family_t) && u->sun_path[0])
			say(r, ingress, "fd %d grafted, host socket at %.*s%s", fd,
				(int)(len - sizeof(sa_family_t)), u->sun_path, note);
		else
			say(r, ingress, "fd %d grafted, host socket unnamed (unix)%s", fd, note);
		return;
	}
	if (!ingress && !__graft_sa_ip(addr, len, &ip, &port) && !port && __graft_ip_any(&ip)) {
		say(r, ingress, "fd %d grafted, host socket not bound yet%s", fd, note);
		return;
	}
	say(r, ingress, "fd %d grafted, host socket at %S%s", fd, addr, len, note);
}

/* connect() to a listener grafted from this namespace (rule r, the port
 * the program asked): graftd starts a host socket's connect() to r's
 * endpoint, the socket takes fd's place, and the program's connect() runs
 * on it to graftd's destination (the same one, so the kernel's result:
 * 0, EINPROGRESS, ECONNREFUSED).  An older graftd (malformed), an
 * endpoint that cannot be reached so (dynamic, egress only, unknown) or
 * graftd unreachable leave the connect() local, as before. */
long __graft_reach(int fd, const struct graft_fdstate *st, const struct graft_rule *r,
	unsigned port)
{
	const struct graft_conf *c = __graft_conf();
	struct graft_bres res;
	struct graft_req q;
	int bad = -1;
	unsigned sent, alen;
	long x;

	if (st->lost || __graft_provider(c) != GRAFT_PROV_BROKER) return GRAFT_PASS;
	sent = __graft_req_build(&q, st, r->ep, GRAFT_F_REACH|GRAFT_F_PORT, port);
	__graft_broker_call(c->broker, &q, &res);
	if (res.transport || (res.err && res.rep.reason != GRAFT_R_CONNECT)) {
		if (c->verbose) {
			if (res.transport) {
				struct graft_msg m;
				head(&m, r, 1);
				__graft_msg_broker(&m, c->broker, &res);
				__graft_msgf(&m, "; connect to port %u stays local", port);
				__graft_log(&m);
			} else {
				say(r, 1, "connect to port %u stays local: graftd: %s (%E)", port,
					__graft_reason(res.rep.reason), res.err);
			}
		}
		return res.err == EAGAIN && res.transport ? -EAGAIN : GRAFT_PASS;
	}
	if (res.err) {
		if (c->verbose)
			say(r, 1, "fd %d: connect to port %u, the grafted listener: %E", fd, port, res.err);
		return -res.err;
	}
	alen = res.rep.addrlen < sizeof res.rep.addr ? res.rep.addrlen : sizeof res.rep.addr;
	if ((x = __graft_replay(res.fd, st, sent, &bad)) < 0) {
		say(r, 1, "replaying socket option %d/%d: %E",
			st->opt[bad].level, st->opt[bad].name, (int)-x);
		goto out;
	}
	if ((x = install(res.fd, fd, st, r, 1, 1)) < 0) {
		say(r, 1, "installing the host socket: %E", (int)-x);
		goto out;
	}
	__graft_fd_forget_all(fd, st);
	g_close(res.fd);
	if (c->verbose)
		say(r, 1, "fd %d connect to port %u reaches the grafted listener at %S",
			fd, port, res.rep.addr, alen);
	/* graftd's connect() has begun: a second one to the same address
	 * waits for it (blocking), or says it is under way (EALREADY), or
	 * that it is done (EISCONN), or how it failed; a cancellation
	 * point, as the program's own connect() */
	x = g_connect_cp(fd, (const void *)res.rep.addr, alen);
	if (x == -EISCONN) x = 0;
	if (x == -EALREADY) x = -EINPROGRESS;
	if (x < 0 && x != -EINPROGRESS && c->verbose)
		say(r, 1, "fd %d: connect to port %u, the grafted listener: %E", fd, port, (int)-x);
	return x;
out:
	g_close(res.fd);
	return x;
}
