/* egress_pool.c - spare host sockets for egress grafts.
 *
 * A connect-heavy client would pay one graftd round trip per connection.
 * Once a key (endpoint, domain, type, protocol) has been grafted, a miss
 * asks graftd for a batch (GRAFT_F_BATCH, "egress-batch" sockets) and keeps
 * the rest as spares for the next connect()s.  A spare is used only where
 * the app cannot tell it from a fresh grant: a stream socket whose recorded
 * options can all be replayed after graftd's bind (SO_RCVBUF too: TCP sizes
 * its window at connect), so batches carry no option at all.
 *
 * Spares are O_CLOEXEC and checked by st_dev/st_ino before use: the app may
 * have closed or reused the number (then the spare is forgotten, never
 * closed).  They are dropped after SPARE_TTL seconds, so a graftd table
 * change shows within that, and closed in a forked child
 * (__graft_fork_child from _Fork; same_process() for other forks): a
 * child holding them would keep its parent's later connections open.
 * A lock per pool, never held across the graftd exchange. */
#include <string.h>
#include <netinet/in.h>
#include "graft_core.h"
#include "graft_hooks.h"

#define NKEYS		8
#define NSPARE		(GRAFT_PROTO_MAXBATCH - 1)
#define SPARE_TTL	2	/* seconds */

struct spare {
	int fd;
	dev_t dev;
	ino_t ino;
};

struct pool {
	volatile int lock[1];
	unsigned char used;		/* the key below is set */
	unsigned char nobatch;		/* graftd refused a batch for it */
	int domain, type, protocol;
	char ep[GRAFT_PROTO_EPNAME];
	unsigned n;
	long born;			/* g_monosec() of the oldest spare */
	unsigned addrlen;		/* where the spares are bound */
	unsigned char addr[GRAFT_PROTO_ADDRMAX];
	struct spare s[NSPARE];
};

static volatile int klock[1];
static struct pool pools[NKEYS];
static volatile int *alive;	/* MADV_WIPEONFORK: reads 0 in a forked child */
static unsigned char noalive;	/* ... not to be had: compare pids instead */
static long owner;

static int mine(const struct spare *sp)
{
	struct stat sb;
	return !g_fstat(sp->fd, &sb) && sb.st_dev == sp->dev && sb.st_ino == sp->ino;
}

/* Close the spares still ours; the pool's lock is held or void. */
static void drain(struct pool *p)
{
	while (p->n) {
		struct spare *sp = p->s + --p->n;
		if (mine(sp)) g_close(sp->fd);
	}
}

/* In a forked child (graft_fork.c): single threaded, so the locks, which
 * a parent's thread may have held, are reset rather than taken. */
void __graft_pool_forked(void)
{
	unsigned i;
	klock[0] = 0;
	for (i = 0; i < NKEYS; i++) {
		pools[i].lock[0] = 0;
		drain(pools + i);
	}
	owner = 0;
}

/* Are the spares this process's?  A fork that bypassed _Fork (a raw
 * clone) is seen by the wiped page, which costs a load where getpid()
 * would cost a syscall per connect; without the page, by the pid.  Then
 * the parent's spares are dropped. */
static void same_process(void)
{
	unsigned i;
	long pid;

	if (alive && *alive) return;
	G_LOCK(klock);
	if (!alive && !noalive && !(alive = g_mmap_wipeonfork(4096))) noalive = 1;
	pid = alive ? 0 : g_getpid();
	if (alive ? !*alive : owner != pid) {
		for (i = 0; i < NKEYS; i++) {
			G_LOCK(pools[i].lock);
			drain(pools + i);
			G_UNLOCK(pools[i].lock);
		}
		if (alive) *alive = 1;
		owner = pid;
	}
	G_UNLOCK(klock);
}

/* Options a spare can take after graftd's bind: everything but the
 * pre-bind ones, except a valid SO_RCVBUF. */
int __graft_pool_eligible(const struct graft_fdstate *st)
{
	unsigned i;
	if (st->type != SOCK_STREAM || (st->domain != AF_INET && st->domain != AF_INET6))
		return 0;
	for (i = 0; i < st->nopt; i++) {
		const struct graft_sopt *o = st->opt + i;
		int v;
		if (!__graft_opt_prebind(o)) continue;
		memcpy(&v, o->val, sizeof v);
		if (o->level != SOL_SOCKET || o->name != SO_RCVBUF || v < 0) return 0;
	}
	return 1;
}

/* The key's pool, made if there is room; *fresh when just made. */
static struct pool *find(const struct graft_req *q, int *fresh)
{
	struct pool *p, *free = 0;
	unsigned i;

	*fresh = 0;
	G_LOCK(klock);
	for (i = 0; i < NKEYS; i++) {
		p = pools + i;
		if (!p->used) {
			if (!free) free = p;
			continue;
		}
		if (p->domain == q->family && p->type == q->type
		 && p->protocol == q->protocol && !memcmp(p->ep, q->epname, sizeof p->ep))
			break;
	}
	if (i == NKEYS && (p = free)) {
		p->domain = q->family;
		p->type = q->type;
		p->protocol = q->protocol;
		memcpy(p->ep, q->epname, sizeof p->ep);
		p->used = 1;
		*fresh = 1;
	}
	G_UNLOCK(klock);
	return i == NKEYS ? free : p;
}

static int take(struct pool *p, struct graft_bres *res)
{
	long now = g_monosec();

	G_LOCK(p->lock);
	if (p->n && now - p->born >= SPARE_TTL) drain(p);
	while (p->n) {
		struct spare sp = p->s[--p->n];
		if (!mine(&sp)) continue;	/* the app's number now */
		res->fd = res->fds[0] = sp.fd;
		res->nfds = 1;
		res->rep.addrlen = p->addrlen;
		memcpy(res->rep.addr, p->addr, p->addrlen);
		G_UNLOCK(p->lock);
		return 1;
	}
	G_UNLOCK(p->lock);
	return 0;
}

/* Keep the batch's sockets after the first, as many as fit. */
static void keep(struct pool *p, const struct graft_bres *res)
{
	long now = g_monosec();
	unsigned i;

	G_LOCK(p->lock);
	if (!p->n) p->born = now;
	p->addrlen = res->rep.addrlen < sizeof p->addr ? res->rep.addrlen : sizeof p->addr;
	memcpy(p->addr, res->rep.addr, p->addrlen);
	for (i = 1; i < res->nfds; i++) {
		struct stat sb;
		int fd = res->fds[i];
		if (p->n == NSPARE || g_fstat(fd, &sb)) {
			g_close(fd);
			continue;
		}
		p->s[p->n].fd = fd;
		p->s[p->n].dev = sb.st_dev;
		p->s[p->n].ino = sb.st_ino;
		p->n++;
	}
	G_UNLOCK(p->lock);
}

/* __graft_broker_call for an egress graft of an eligible socket: a spare
 * when there is one, else graftd, with a batch once the key has been
 * grafted before.  A batch that graftd cannot do (GRAFT_R_BATCH, or
 * "malformed" from a graftd that predates batches) is asked again as
 * the plain request q, and the key asks plainly from then on.  *sent is
 * cleared when the socket is a spare or from a batch: all its options are
 * then replayed by the caller. */
void __graft_pool_call(const struct graft_conf *c, const struct graft_req *q,
	unsigned *sent, struct graft_bres *res)
{
	struct graft_req b;
	struct pool *p;
	int fresh;

	same_process();
	p = find(q, &fresh);
	memset(res, 0, sizeof *res);
	if (p && take(p, res)) {
		*sent = 0;
		return;
	}
	if (!p || fresh || p->nobatch || c->egress_batch < 2) {
		__graft_broker_call(c->broker, q, res);
		return;
	}
	b = *q;
	b.flags |= GRAFT_F_BATCH;
	b.port = c->egress_batch;
	b.nopts = 0;
	memset(b.opts, 0, sizeof b.opts);
	__graft_broker_call(c->broker, &b, res);
	if (!res->transport && res->err
	 && (res->rep.reason == GRAFT_R_BATCH || res->rep.reason == GRAFT_R_MALFORMED)) {
		p->nobatch = 1;
		__graft_broker_call(c->broker, q, res);
		return;
	}
	if (res->transport || res->err) return;
	*sent = 0;
	keep(p, res);
}
