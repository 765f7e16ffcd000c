/* afgraft.c - AF_GRAFT sockets without the kernel module.
 *
 * socket(AF_GRAFT, type, protocol) returns a placeholder: an AF_UNIX socket
 * of the same type (listen, recv and accept on it fail until it is bound,
 * and nothing can reach it), recorded in the fd table as AF_GRAFT.  bind()
 * with a sockaddr_gr asks graftd for a host socket of that endpoint
 * (req.family = AF_GRAFT) and installs it under the app's fd number; a
 * connect() or sendto() before any bind uses the endpoint "default-source",
 * as the module does.  The grafted fd stays in the table (GRAFT_FD_NAMED)
 * so that getsockname can keep answering the sockaddr_gr and IPPROTO_GRAFT
 * options keep working; every other call on it is a plain host syscall.
 * With the module (kernel_provider.c) none of this runs: socket() goes to the
 * kernel. */
#include <string.h>
#include <netinet/in.h>
#include "graft_conf.h"
#include "graft_log.h"
#include "graft_fd.h"
#include "graft_uaccess.h"
#include "graft_broker.h"
#include "graft_swap.h"
#include "graft_kernel.h"
#include "graft_afgraft.h"
#include "graft_hooks.h"

long __graft_afg_socket(int type, int protocol)
{
	const struct graft_conf *c = __graft_conf();
	struct graft_fdstate st;
	struct stat sb;
	int t = type & ~(SOCK_NONBLOCK|SOCK_CLOEXEC);
	long fd, r;

	if (c->off || __graft_provider(c) != GRAFT_PROV_BROKER) return GRAFT_PASS;
	if (t != SOCK_STREAM && t != SOCK_DGRAM && t != SOCK_SEQPACKET) return -ESOCKTNOSUPPORT;
	if (protocol && !(t == SOCK_STREAM && protocol == IPPROTO_TCP)
	 && !(t == SOCK_DGRAM && protocol == IPPROTO_UDP)) return -EPROTONOSUPPORT;
	fd = g_socket(AF_UNIX, type, 0);
	if (fd < 0) return fd;
	if ((r = g_fstat(fd, &sb)) < 0) goto fail;
	memset(&st, 0, sizeof st);
	st.ino = sb.st_ino;
	st.domain = AF_GRAFT;
	st.type = t;
	st.protocol = protocol;
	if ((r = __graft_fd_put(fd, &st)) < 0) goto fail;
	return fd;
fail:
	g_close(fd);
	return r;
}

static void msg_head(struct graft_msg *m, int fd, const char *ep)
{
	m->n = 0;
	__graft_msgf(m, "graft: AF_GRAFT fd %d -> %.*s: ", fd, GRAFT_PROTO_EPNAME, ep);
}

/* The queued options (GRAFT_SO_DELAYED) graftd did not apply are set on
 * the host socket; each result is kept for GRAFT_SO_DELAYED_RESULT. */
static void execute(int hfd, struct graft_fdstate *st, unsigned sent)
{
	unsigned i;
	for (i = 0; i < st->nopt; i++) {
		struct graft_sopt *o = st->opt + i;
		if (o->done) continue;
		o->ret = (sent & (1u << i)) ? 0 : __graft_setsockopt_t64(hfd, o->level, o->name, o->val, o->len);
		o->done = 1;
	}
}

struct alias_arg {
	int hfd;
	const struct graft_fdstate *st;
	uint64_t ino;		/* the host socket's */
};

/* A dup() of the placeholder onto the host socket, known as grafted. */
static void follow(int alias, void *arg)
{
	struct alias_arg *al = arg;
	struct graft_fdstate *a;

	if (__graft_swap(al->hfd, alias, al->st->ino)) return;
	if (!(a = __graft_fd_lock(alias, al->st->ino))) return;
	a->ino = al->ino;
	a->afg |= GRAFT_AFG_GRAFTED;
	memcpy(a->ep, al->st->ep, sizeof a->ep);
	__graft_fd_unlock(alias);
}

/* Obtain the host socket of endpoint ep for fd and install it. */
static long afg_graft(int fd, const struct graft_fdstate *st0, const char *ep, int ingress)
{
	const struct graft_conf *c = __graft_conf();
	struct graft_fdstate st = *st0;
	struct graft_req q;
	struct graft_bres res;
	struct graft_msg m;
	struct stat sb;
	char name[GRAFT_PROTO_EPNAME + 1];
	size_t n = strnlen(ep, GRAFT_PROTO_EPNAME);
	struct alias_arg al;
	unsigned sent;
	int e;

	if (c->state == GRAFT_CONF_BROKEN) return -GRAFT_EBROKEN;
	/* graftd refuses malformed names as EBADMSG; the module: no entry */
	if (!__graft_epname_ok(ep, n)) return -ENOENT;
	memcpy(name, ep, n);
	name[n] = 0;
	memset(st.ep, 0, sizeof st.ep);
	memcpy(st.ep, ep, n);
	sent = __graft_req_build(&q, &st, name, ingress ? GRAFT_F_INGRESS : GRAFT_F_EGRESS, 0);
	__graft_broker_call(c->broker, &q, &res);
	if (res.transport) {
		msg_head(&m, fd, st.ep);
		__graft_msg_broker(&m, c->broker, &res);
		__graft_log(&m);
		if (res.err == EAGAIN) return -EAGAIN;	/* a handler, broker.c */
		return res.err == EPROTO ? -EPROTO : -GRAFT_EUNREACH;
	}
	if (res.err) {
		/* no table for this namespace: no such endpoint, as the module */
		e = res.rep.reason == GRAFT_R_NONS ? ENOENT : res.err;
		if (c->verbose || e != ENOENT) {
			msg_head(&m, fd, st.ep);
			__graft_msgf(&m, "graftd refused: %s (%E)", __graft_reason(res.rep.reason), e);
			__graft_log(&m);
		}
		return -e;
	}
	execute(res.fd, &st, sent);
	if ((e = g_fstat(res.fd, &sb)) < 0 || (e = __graft_swap(res.fd, fd, st.ino)) < 0) {
		g_close(res.fd);
		msg_head(&m, fd, st.ep);
		__graft_msgf(&m, "installing the host socket: %E", -e);
		__graft_log(&m);
		return e;
	}
	/* dup()s of the placeholder follow it onto the host socket */
	al.hfd = res.fd;
	al.st = &st;
	al.ino = sb.st_ino;
	__graft_fd_each_alias(fd, &st, follow, &al);
	g_close(res.fd);
	/* keep it known as AF_GRAFT, now under the host socket's inode; the
	 * queue and its results survive (options set meanwhile included) */
	{
		struct graft_fdstate *p = __graft_fd_lock(fd, st.ino);
		if (p) {
			unsigned i;
			for (i = 0; i < p->nopt && i < st.nopt; i++) {
				p->opt[i].done = st.opt[i].done;
				p->opt[i].ret = st.opt[i].ret;
			}
			p->ino = sb.st_ino;
			p->afg |= GRAFT_AFG_GRAFTED;
			memcpy(p->ep, st.ep, sizeof p->ep);
			__graft_fd_unlock(fd);
		}
	}
	if (c->verbose) {
		union { struct sockaddr sa; char b[128]; } u;
		socklen_t sl = sizeof u;
		msg_head(&m, fd, st.ep);
		__graft_msgf(&m, "grafted, host socket at ");
		if (!g_getsockname(fd, &u, &sl)) __graft_msgf(&m, "%S", &u, (unsigned)sl);
		__graft_log(&m);
	}
	return 0;
}

long __graft_afg_bind(int fd, const struct graft_fdstate *st, const struct sockaddr *sa, socklen_t len)
{
	struct sockaddr_gr gr;
	if (!sa || len < sizeof gr) return -EINVAL;
	if (__graft_copyin(&gr, sa, sizeof gr)) return -EFAULT;
	if (gr.sgr_family != AF_GRAFT) return -EAFNOSUPPORT;
	return afg_graft(fd, st, gr.sgr_epname, 1);
}

/* connect/sendto on an AF_GRAFT socket not yet bound: default-source */
long __graft_afg_egress(int fd, const struct graft_fdstate *st)
{
	long r = afg_graft(fd, st, GRAFT_DEFAULT_SOURCE, 0);
	return r ? r : GRAFT_PASS;
}
