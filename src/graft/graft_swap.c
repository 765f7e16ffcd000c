/* graft_swap.c - turn the app's placeholder socket into a host socket:
 * ask graftd for it, replay the options graftd did not apply, then dup3 it
 * over the app's fd number with the placeholder's O_NONBLOCK and
 * FD_CLOEXEC, and close graftd's descriptor of it.  fds dup()ed from the placeholder are
 * swapped too, so they keep naming the same socket as the app's fd. */
#include <string.h>
#include <sys/epoll.h>
#include "graft_core.h"
#include "graft_reasons.h"
#include "graft_hooks.h"

const char *__graft_reason(unsigned r)
{
	return r <= GRAFT_R_MAX ? graft_reasons[r].text : GRAFT_REASON_UNKNOWN;
}

/* "WHAT LEVEL/NAME" of a socket option, for log lines */
void __graft_msg_opt(struct graft_msg *m, const char *what, int level, int name)
{
	__graft_msg_str(m, what);
	__graft_msg_num(m, level);
	__graft_msg_str(m, "/");
	__graft_msg_num(m, name);
}

/* "broker PATH: STEP: REASON" when graftd could not be asked */
void __graft_msg_broker(struct graft_msg *m, const char *broker, const struct graft_bres *res)
{
	__graft_msg_str(m, "broker ");
	__graft_msg_str(m, broker);
	__graft_msg_str(m, ": ");
	if (res->err != EPROTO) {
		__graft_msg_str(m, res->step);
		__graft_msg_str(m, ": ");
	}
	__graft_msg_str(m, strerror(res->err));
}

/* "graft: RULE: ", or without a rule (a spare going back to the
 * namespace, graft_spare.c) "graft: " */
static void head(struct graft_msg *m, const struct graft_rule *r, int ingress)
{
	m->n = 0;
	__graft_msg_str(m, "graft: ");
	if (!r) return;
	__graft_msg_rule(m, r, ingress);
	__graft_msg_str(m, ": ");
}

static long fail(const struct graft_rule *r, int ingress, const char *why, int err)
{
	struct graft_msg m;
	head(&m, r, ingress);
	__graft_msg_str(&m, why);
	if (err) {
		__graft_msg_str(&m, ": ");
		__graft_msg_str(&m, strerror(err));
	}
	__graft_log(&m);
	return -err;
}

/* dup3 hfd over fd if fd still holds socket ino; the state is kept.
 * checked: the caller has just seen ino at fd itself (live() in graft_inet.c), so
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
	struct graft_msg m;
	unsigned i;

	for (i = 0; i < st->nep; i++) {
		struct epoll_event ev = { .events = st->epr[i].events, .data.u64 = st->epr[i].data };
		long x = g_epoll_ctl(st->epr[i].epfd, EPOLL_CTL_ADD, fd, &ev);
		if (x == -EEXIST) x = g_epoll_ctl(st->epr[i].epfd, EPOLL_CTL_MOD, fd, &ev);
		if (x < 0) {
			head(&m, r, ingress);
			__graft_msg_str(&m, "re-registering fd ");
			__graft_msg_num(&m, fd);
			__graft_msg_str(&m, " with epoll fd ");
			__graft_msg_num(&m, st->epr[i].epfd);
			__graft_msg_str(&m, ": ");
			__graft_msg_str(&m, strerror(-x));
			__graft_log(&m);
		}
	}
	if (st->eplost) {
		head(&m, r, ingress);
		__graft_msg_str(&m, "fd was in more epoll sets than graft tracks; some will not see the host socket");
		__graft_log(&m);
	}
}

/* hfd in place of the socket st was recorded for, at fd and at its
 * dup()s, and in the epoll sets it was in.  checked: fd was seen holding
 * it just before.  The recorded state is the caller's business. */
static int install(int hfd, int fd, const struct graft_fdstate *st,
	const struct graft_rule *r, int ingress, int checked)
{
	int e, alias;

	if ((e = swap_in(hfd, fd, st->ino, checked)) < 0) return e;
	rewatch(fd, st, r, ingress);
	for (alias = -1; st->shared && (alias = __graft_fd_next_alias(alias, st->ino)) >= 0; )
		if (alias != fd) swap_in(hfd, alias, st->ino, 0);
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
	struct graft_msg m;

	/* the kernel's word on the host socket, not graftd's reply */
	if (!g_getsockname(hfd, &a, &sl) && sl <= sizeof a
	 && !__graft_sa_ip((void *)&a, sl, &ip, &p) && p == port) return 0;
	head(&m, r, 0);
	__graft_msg_str(&m, "fd ");
	__graft_msg_num(&m, fd);
	__graft_msg_str(&m, " was bound to port ");
	__graft_msg_num(&m, port);
	__graft_msg_str(&m, " before, the endpoint gives port ");
	__graft_msg_num(&m, p);
	__graft_msg_str(&m, " (only a port range holding it, or that fixed port, can keep it)");
	__graft_log(&m);
	return -EADDRNOTAVAIL;
}

long __graft_graft(int fd, const struct graft_fdstate *st, const struct graft_rule *r,
	int ingress, unsigned port, int *hostfamily)
{
	const struct graft_conf *c = __graft_conf();
	struct graft_req q;
	struct graft_bres res;
	struct graft_msg m;
	unsigned sent;
	int bad = -1, e, alias;
	long x;

	if (st->lost) {
		head(&m, r, ingress);
		__graft_msg_opt(&m, "socket option ", st->lost_level, st->lost_name);
		__graft_msg_str(&m, " cannot be carried over (too large or too many options)");
		__graft_log(&m);
		return -ENOBUFS;
	}
	if ((x = __graft_provider(c)) != GRAFT_PROV_BROKER) {
		/* the AF_GRAFT kernel module: it applies every option */
		const char *step = "provider kernel, but the kernel has no AF_GRAFT";
		if (x == GRAFT_PROV_KERNEL) x = __graft_kernel_obtain(st, r->ep, &bad, &step);
		if (x < 0) {
			head(&m, r, ingress);
			__graft_msg_str(&m, "AF_GRAFT module: ");
			__graft_msg_str(&m, step);
			if (bad >= 0 && x != -EAFNOSUPPORT) {
				__graft_msg_opt(&m, " of socket option ", st->opt[bad].level, st->opt[bad].name);
			}
			__graft_msg_str(&m, ": ");
			__graft_msg_str(&m, strerror(-x));
			__graft_log(&m);
			return x;
		}
		memset(&res, 0, sizeof res);
		res.fd = x;
		sent = ~0u;
		goto obtained;
	}
	sent = __graft_req_build(&q, st, r->ep, ingress ? GRAFT_F_INGRESS|GRAFT_F_PORT
		: port ? GRAFT_F_EGRESS|GRAFT_F_PORT : GRAFT_F_EGRESS, port);
	if (!ingress && !port && c->egress_batch > 1 && __graft_pool_eligible(st))
		__graft_pool_call(c, &q, &sent, &res);
	else
		__graft_broker_call(c->broker, &q, &res);
	if (res.transport) {
		head(&m, r, ingress);
		__graft_msg_broker(&m, c->broker, &res);
		if (res.err == EAGAIN) {	/* a handler in this thread's graft */
			__graft_log(&m);
			return -EAGAIN;
		}
		if (c->fallback && res.err != EPROTO) {
			__graft_msg_str(&m, "; staying in the local network namespace");
			__graft_log(&m);
			return GRAFT_PASS;
		}
		__graft_log(&m);
		return res.err == EPROTO ? -EPROTO : -GRAFT_EUNREACH;
	}
	if (res.err) {
		head(&m, r, ingress);
		__graft_msg_str(&m, "graftd refused: ");
		__graft_msg_str(&m, __graft_reason(res.rep.reason));
		__graft_msg_str(&m, " (");
		__graft_msg_str(&m, strerror(res.err));
		__graft_msg_str(&m, ")");
		__graft_log(&m);
		return -res.err;
	}
obtained:
	if (!ingress && port && (x = other_port(fd, r, res.fd, port)) < 0) {
		g_close(res.fd);
		return x;
	}
	if ((x = __graft_replay(res.fd, st, sent, &bad)) < 0) {
		g_close(res.fd);
		head(&m, r, ingress);
		__graft_msg_opt(&m, "replaying socket option ", st->opt[bad].level, st->opt[bad].name);
		__graft_msg_str(&m, ": ");
		__graft_msg_str(&m, strerror(-x));
		__graft_log(&m);
		return x;
	}
	if (hostfamily) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		sa_family_t f;
		/* graftd's reply says where it bound the socket; ask the
		 * kernel only about a module's socket (NAME_TRANSPARENT) */
		*hostfamily = st->domain;
		if (res.rep.addrlen >= sizeof f) {
			memcpy(&f, res.rep.addr, sizeof f);
			*hostfamily = f;
		} else if (!g_getsockname(res.fd, &ss, &sl) && sl >= sizeof f) {
			*hostfamily = ss.ss_family;
		}
	}
	/* both callers checked fd's inode just before (live() in graft_inet.c) */
	if ((e = install(res.fd, fd, st, r, ingress, 1)) < 0) {
		g_close(res.fd);
		return fail(r, ingress, "installing the host socket", -e);
	}
	g_close(res.fd);
	__graft_fd_forget(fd, st->ino);
	for (alias = -1; st->shared && (alias = __graft_fd_next_alias(alias, st->ino)) >= 0; )
		__graft_fd_forget(alias, st->ino);
	if (c->verbose) __graft_log_grafted(fd, r, ingress, res.rep.addr, res.rep.addrlen, "");
	return 0;
}

/* "verbose": "graft: RULE: fd N grafted, host socket at ADDR[NOTE]"; the
 * address is asked of the kernel when graftd's reply gave none. */
void __graft_log_grafted(int fd, const struct graft_rule *r, int ingress,
	const void *addr, unsigned len, const char *note)
{
	struct graft_msg m;
	unsigned char a[GRAFT_PROTO_ADDRMAX];

	if (!len) {
		socklen_t sl = sizeof a;
		if (!g_getsockname(fd, a, &sl)) len = sl < sizeof a ? sl : sizeof a;
		addr = a;
	}
	head(&m, r, ingress);
	__graft_msg_str(&m, "fd ");
	__graft_msg_num(&m, fd);
	__graft_msg_str(&m, " grafted, host socket at ");
	__graft_msg_sa(&m, addr, len < sizeof a ? len : sizeof a);
	__graft_msg_str(&m, note);
	__graft_log(&m);
}
