/* pool_spare.c - socket() answered with a spare egress socket.
 *
 * When the latest egress grafts of a process all went to one endpoint
 * (pool.c keeps the streak), socket(AF_INET or AF_INET6,
 * SOCK_STREAM) returns one of that endpoint's spare host sockets instead
 * of making a namespace socket that connect() would replace: a
 * connect-heavy client then makes, swaps and closes nothing per
 * connection.  The spare is recorded as a placeholder with .spare set and
 * its endpoint in .ep; options land on it directly and are recorded too.
 *
 * What the spare is for is only known at the first bind/connect/listen:
 *  - a connect or sendto the endpoint's rule matches: it is used as is;
 *  - an egress rule naming another endpoint, or an ingress bind: the usual
 *    graft replaces it (swap.c), as it would a namespace socket;
 *  - anything local (no rule, a "local" rule, listen(), a local bind) and
 *    an option only graftd may set before its bind (SO_REUSEADDR...): a
 *    namespace socket takes its place here, with the options replayed,
 *    and the app cannot tell the spare was ever there.
 * Before that, getsockname() answers the wildcard address of the family,
 * as an unbound socket would. */
#include <string.h>
#include <netinet/in.h>
#include "graft_conf.h"
#include "graft_log.h"
#include "graft_fd.h"
#include "graft_pool.h"
#include "graft_swap.h"
#include "graft_hooks.h"

long __graft_spare_socket(int domain, int type, int protocol)
{
	const struct graft_conf *c;
	struct graft_fdstate st;
	struct graft_spare sp;

	if (!__graft_pool_streaking()) return GRAFT_PASS;
	c = __graft_conf();
	if (c->state != GRAFT_CONF_ACTIVE || !c->neg) return GRAFT_PASS;
	if (__graft_pool_spare(c, domain, protocol, &sp)) return GRAFT_PASS;
	/* spares are close-on-exec and blocking */
	if ((!(type & SOCK_CLOEXEC) && g_fcntl(sp.fd, F_SETFD, 0) < 0)
	 || ((type & SOCK_NONBLOCK) && g_fcntl(sp.fd, F_SETFL, O_RDWR|O_NONBLOCK) < 0))
		goto fail;
	memset(&st, 0, offsetof(struct graft_fdstate, opt));
	st.ino = sp.ino;
	st.domain = domain;
	st.type = SOCK_STREAM;
	st.protocol = protocol;
	st.spare = 1;
	memcpy(st.ep, sp.ep, sizeof st.ep);
	if (__graft_fd_put(sp.fd, &st)) goto fail;
	return sp.fd;
fail:
	g_close(sp.fd);
	return GRAFT_PASS;
}

struct relabel_arg {
	uint64_t old, ino;
};

/* The state of fd, still recorded for the spare a->old, now describes
 * the namespace socket a->ino. */
static void relabel(int fd, void *arg)
{
	struct relabel_arg *a = arg;
	struct graft_fdstate *s = __graft_fd_lock(fd, a->old);
	if (!s) return;
	s->ino = a->ino;
	s->spare = 0;
	memset(s->ep, 0, sizeof s->ep);
	__graft_fd_unlock(fd);
}

static long oops(int fd, const char *step, long e)
{
	__graft_logf("graft: fd %d: a namespace socket for a spare host socket: %s: %E",
		fd, step, (int)-e);
	return e;
}

/* The spare at fd (state st) becomes a socket of the namespace, with the
 * options and epoll registrations it had, at the same fd numbers; st and
 * the recorded states follow.  0 or -errno. */
long __graft_spare_to_local(int fd, struct graft_fdstate *st)
{
	struct relabel_arg a;
	struct stat sb;
	long nfd;
	int bad = -1, e;

	__graft_pool_streak(0);
	if (st->lost) return oops(fd, "an option was not recorded", -ENOBUFS);
	nfd = g_socket(st->domain, st->type | SOCK_CLOEXEC, st->protocol);
	if (nfd < 0) return oops(fd, "socket()", nfd);
	if ((e = __graft_replay(nfd, st, 0, &bad)) < 0 || (e = g_fstat(nfd, &sb)) < 0) {
		g_close(nfd);
		return oops(fd, bad >= 0 ? "replaying an option" : "fstat()", e);
	}
	e = __graft_install(nfd, fd, st, 0, 0);
	g_close(nfd);
	if (e < 0) return oops(fd, "installing it", e);
	a.old = st->ino;
	a.ino = sb.st_ino;
	relabel(fd, &a);
	__graft_fd_each_alias(fd, st, relabel, &a);
	st->ino = sb.st_ino;
	st->spare = 0;
	memset(st->ep, 0, sizeof st->ep);
	return 0;
}

/* A connect or sendto the spare's endpoint was for: the spare is the
 * app's host socket now, fd and its dup()s are forgotten.  quiet: the
 * caller says the "verbose" line once connected (hook_inet.c). */
void __graft_spare_used(int fd, const struct graft_fdstate *st, const struct graft_rule *r,
	int quiet)
{
	const struct graft_conf *c = __graft_conf();

	__graft_pool_streak(1);
	__graft_fd_forget_all(fd, st);
	if (c->verbose && !quiet) __graft_log_grafted(fd, r, 0, 0, 0, " (a spare)");
}
