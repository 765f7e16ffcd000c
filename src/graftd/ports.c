/* ports.c - the grant of an endpoint: its sockets' owner, and the ports a
 * table holds through its dynamic endpoints (netns-max-ports).
 *
 * graftd hands its sockets away and never sees them closed.  A socket that
 * takes a port at bind (ingress, datagram) is recorded by its cookie
 * (SO_COOKIE); a portless one (stream egress, IP_BIND_ADDRESS_NO_PORT) is
 * only counted, since a connect() takes no port another socket could bind
 * (the kernel shares it among different peers, as for any host client),
 * but its listen() would.  When a socket that takes a port would bring
 * the records and the listening portless sockets of the last check over
 * the limit, or after every `limit' portless grants, the kernel is asked
 * (NETLINK_SOCK_DIAG, in graftd's netns where the sockets live) which
 * recorded cookies are still alive, and how many listening sockets the
 * table's dynamic endpoints own (by socket owner, ep_owner()); the dead
 * are forgotten.  Below the limit no request costs a netlink round trip,
 * and a table found full is not asked about again for CHECK_GAP_MS: its
 * requests cannot make graftd dump the host's sockets each.  Bound-only
 * TCP sockets are seen from Linux 6.8 (TCP_BOUND_INACTIVE); older kernels
 * do not list them, and they are forgotten at a check. */
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graftd.h"
#include "log.h"

#ifndef SO_COOKIE
#define SO_COOKIE	57
#endif
#define ST_LISTEN	10	/* TCP_LISTEN */
#define CHECK_GAP_MS	1000

static int
rec_cmp(const void *a, const void *b)
{
	const struct portrec *x = a, *y = b;

	return x->cookie < y->cookie ? -1 : x->cookie > y->cookie;
}

static struct portrec *
rec_find(struct portset *ps, uint64_t cookie)
{
	struct portrec key;

	key.cookie = cookie;
	if (ps->n == 0)
		return NULL;
	return bsearch(&key, ps->rec, ps->n, sizeof(key), rec_cmp);
}

/* A listening socket no record names, owned by one of the table's
 * dynamic endpoints: a portless grant that took a port by listen(). */
static int
nt_owns(const struct nstable *nt, uid_t uid)
{
	const struct endpoint *ep;

	TAILQ_FOREACH(ep, &nt->eps, entry)
		if (ep->def.dynamic && ep->def.family != AF_UNIX &&
		    ep_owner(ep, env->conf.uid_base) == uid)
			return 1;
	return 0;
}

struct dumparg {
	struct nstable	*nt;
	int		 proto;
};

static void
diag_msg(const struct inet_diag_msg *m, void *arg)
{
	struct dumparg *d = arg;
	struct nstable *nt = d->nt;
	struct portrec *r;
	uint64_t cookie;

	cookie = (uint64_t)m->id.idiag_cookie[0] |
	    (uint64_t)m->id.idiag_cookie[1] << 32;
	if ((r = rec_find(&nt->ports, cookie)) != NULL && r->proto == d->proto)
		r->alive = 1;
	else if (d->proto == IPPROTO_TCP && m->idiag_state == ST_LISTEN &&
	    nt_owns(nt, m->idiag_uid))
		nt->ports.escaped++;
}

/* The dumps a check needs, bit (proto, family): TCP of each family of the
 * table's dynamic endpoints (listening portless sockets), UDP where
 * records are; TCP in every state (bits 4, 5) only where TCP records are:
 * else the listening sockets alone, not the host's TIME_WAIT thousands. */
static unsigned
dumps_needed(const struct nstable *nt)
{
	const struct endpoint *ep;
	const struct portrec *r;
	unsigned i, fam, m = 0;

	/* a dual endpoint's sockets are of either family (req_ep()) */
	TAILQ_FOREACH(ep, &nt->eps, entry)
		if (ep->def.dynamic && ep->def.family != AF_UNIX)
			m |= ep_dual(&ep->def) ? 3 :
			    ep->def.family == AF_INET ? 1 : 2;
	for (i = 0; i < nt->ports.n; i++) {
		r = &nt->ports.rec[i];
		fam = r->family == AF_INET ? 1 : 2;
		m |= r->proto == IPPROTO_UDP ? fam << 2 : fam | fam << 4;
	}
	return m;
}

static int
dump_all(struct nstable *nt)
{
	static const struct { int family, proto; } d[] = {
		{ AF_INET, IPPROTO_TCP }, { AF_INET6, IPPROTO_TCP },
		{ AF_INET, IPPROTO_UDP }, { AF_INET6, IPPROTO_UDP },
	};
	struct dumparg arg = { nt, 0 };
	unsigned i, m = dumps_needed(nt);
	uint32_t states;

	for (i = 0; i < 4; i++) {
		if (!(m & (1U << i)))
			continue;
		states = i < 2 && !(m & (1U << (i + 4))) ? 1U << ST_LISTEN :
		    ~0U;
		arg.proto = d[i].proto;
		if (diag_dump(d[i].family, d[i].proto, states, 0, diag_msg,
		    &arg) == -1)
			return -1;
	}
	return 0;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Ask the kernel; forget what is gone.  If it cannot be asked, the table
 * counts as full until it can (a refusal, not a bypass). */
static void
ports_check(struct nstable *nt, unsigned limit)
{
	struct portset *ps = &nt->ports;
	unsigned i, j;

	if (ps->n > 1)
		qsort(ps->rec, ps->n, sizeof(*ps->rec), rec_cmp);
	for (i = 0; i < ps->n; i++)
		ps->rec[i].alive = 0;
	ps->escaped = 0;
	ps->since = 0;
	if (dump_all(nt) == -1) {
		log_warn("sock_diag");
		ps->escaped = limit;
		ps->full_at = now_ms();
		return;
	}
	for (i = j = 0; i < ps->n; i++)
		if (ps->rec[i].alive)
			ps->rec[j++] = ps->rec[i];
	ps->n = j;
	ps->full_at = ps->n + ps->escaped >= limit ? now_ms() : 0;
}

static int
ports_reserve(struct portset *ps, unsigned k)
{
	struct portrec *p;
	unsigned cap;

	if (ps->n + k <= ps->cap)
		return 0;
	cap = ps->cap ? ps->cap * 2 : 64;
	while (cap < ps->n + k)
		cap *= 2;
	if ((p = reallocarray(ps->rec, cap, sizeof(*p))) == NULL)
		return ENOMEM;
	ps->rec = p;
	ps->cap = cap;
	return 0;
}

static int
ports_record(struct portset *ps, const struct ep_def *ep,
    const struct graft_req *req, const struct reply *r)
{
	struct portrec *p;
	struct ep_def eff;
	socklen_t len;
	unsigned i;

	ep = req_ep(ep, req, &eff);	/* the family the sockets have */
	for (i = 0; i < r->nfds; i++) {
		p = &ps->rec[ps->n];
		len = sizeof(p->cookie);
		if (getsockopt(r->fds[i], SOL_SOCKET, SO_COOKIE, &p->cookie,
		    &len) == -1)
			return errno;
		p->family = (uint8_t)ep->family;
		p->proto = req->type == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP;
		p->alive = 1;
		ps->n++;
	}
	return 0;
}

/* Sockets that take a port must fit under the limit; portless ones only
 * need the table not to be full. */
static int
ports_full(const struct portset *ps, int noport, unsigned k, unsigned limit)
{
	return noport ? ps->n + ps->escaped >= limit :
	    ps->n + ps->escaped + k > limit;
}

static int
ports_admit(struct nstable *nt, int noport, unsigned k, unsigned limit)
{
	struct portset *ps = &nt->ports;

	if (ps->since + k > limit || (ports_full(ps, noport, k, limit) &&
	    (ps->full_at == 0 || now_ms() - ps->full_at >= CHECK_GAP_MS)))
		ports_check(nt, limit);
	if (ports_full(ps, noport, k, limit))
		return EAGAIN;
	return noport ? 0 : ports_reserve(ps, k);
}

int
ep_grant(struct endpoint *ep, const struct graft_req *req, struct reply *r)
{
	struct nstable *nt = ep->nt;
	unsigned limit = env->conf.max_ports, k = 1;
	uint32_t reason;
	uint16_t port;
	uid_t owner;
	int noport, rv;

	/* a connect to the endpoint's own listener takes no port to count;
	 * req_check_reach() refuses a unix endpoint */
	if (req->flags & GRAFT_F_REACH)
		return req_reach_as(&ep->def, ep->def.family == AF_UNIX ?
		    (uid_t)-1 : ep_owner(ep, env->conf.uid_base), req, r);
	if (ep->def.family == AF_UNIX)
		return req_grant(&ep->def, req, r);
	owner = ep_owner(ep, env->conf.uid_base);
	if (!ep->def.dynamic || limit == 0 ||
	    req_check(&ep->def, req, &port, &reason) != 0)
		return req_grant_as(&ep->def, owner, req, r);
	if (req->flags & GRAFT_F_BATCH)
		k = req->port;
	noport = req_noport(&ep->def, req);
	if ((rv = ports_admit(nt, noport, k, limit)) != 0) {
		reply_init(r, rv, rv == EAGAIN ? GRAFT_R_LIMIT : GRAFT_R_SOCKET);
		return rv;
	}
	if ((rv = req_grant_as(&ep->def, owner, req, r)) != 0)
		return rv;
	if (noport)
		nt->ports.since += r->nfds;
	else if ((rv = ports_record(&nt->ports, &ep->def, req, r)) != 0) {
		reply_close(r);
		reply_init(r, rv, GRAFT_R_SOCKET);
	}
	return rv;
}
