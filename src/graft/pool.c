/* pool.c - spare host sockets for egress grafts.
 *
 * A connect-heavy client would pay one graftd round trip per connection.
 * Once a key (endpoint, domain, type, protocol) has been grafted, a miss
 * asks graftd for a batch (GRAFT_F_BATCH, "egress-batch" sockets) and keeps
 * the rest as spares for the next connect()s.  A spare is used only where
 * the app cannot tell it from a fresh grant: a stream socket whose recorded
 * options can all be replayed after graftd's bind (SO_RCVBUF too: TCP sizes
 * its window at connect), so batches carry no option at all.
 *
 * Once the latest egress grafts of a process went to one key, socket()
 * itself hands out that key's spares (pool_spare.c): a connect-heavy
 * client then has no namespace socket to make, swap and close per
 * connection.  streak counts those grafts; a connect elsewhere resets it.
 * Once a take leaves a pool at half a batch or less, the next batch is
 * posted (__graft_broker_post): graftd makes it while the app uses the
 * rest, and its reply is read when the pool runs dry.  docs/design.md
 * ("Known costs") has the measurements that keep each of the three.
 *
 * Spares are O_CLOEXEC and checked by st_dev/st_ino before use: the app may
 * have closed or reused the number (then the spare is forgotten, never
 * closed).  They are dropped after SPARE_TTL seconds, so a graftd table
 * change shows within that.  A forked child closes its parent's spares in
 * __graft_pool_forked (from _Fork, hook_fork.c): holding them, it would
 * keep the parent's later connections open.
 *
 * Locks (g_tlock: a signal handler whose thread holds one gets no spare
 * and records nothing; its graft goes to graftd):
 *  - klock guards the key table (pools[].used and the keys) and the
 *    streak (last, streak); a key, once set, is never changed;
 *  - each pool's lock guards its spares (n, s[], born, addr, addrlen)
 *    and posted;
 *  - nobatch only goes from 0 to 1 and is read and written atomically;
 *  - the pool's locks are never held across a graftd exchange (two
 *    threads missing at once both ask, and spares beyond NSPARE are
 *    closed) nor nested; the broker's lock comes first where both are
 *    held: a posted batch's reply is kept (keep, posted_done) while
 *    broker.c holds its own. */
#include <string.h>
#include <netinet/in.h>
#include "graft_conf.h"
#include "graft_fd.h"
#include "graft_broker.h"
#include "graft_pool.h"
#include "graft_fork.h"
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
	unsigned char posted;		/* a batch is on its way (broker.c) */
	int domain, type, protocol;
	char ep[GRAFT_PROTO_EPNAME];
	unsigned n;
	long born;			/* g_monosec() of the oldest spare */
	unsigned addrlen;		/* where the spares are bound */
	unsigned char addr[GRAFT_PROTO_ADDRMAX];
	struct spare s[NSPARE];
};

static volatile int klock[1];
__attribute__((__common__)) hidden struct pool __graft_pools[NKEYS];
#define pools __graft_pools
static struct pool *last;	/* the key of the latest egress graft */
static unsigned streak;		/* grafts in a row to it */
static unsigned char noinos;	/* graftd predates GRAFT_F_INOS */
/* a key was ever set: before, no pool has spares or a lock to reset, and
 * a forked child leaves pools[] unread (its pages, untouched, stay so) */
static unsigned char any;

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

/* In a forked child (hook_fork.c): single threaded, so the locks, which
 * a parent's thread may have held, are reset rather than taken; only
 * what is set is written (a fork touches no page it need not). */
void __graft_pool_forked(void)
{
	unsigned i;
	g_tlock_reset(klock);
	if (!any) return;
	for (i = 0; i < NKEYS; i++) {
		g_tlock_reset(pools[i].lock);
		if (pools[i].posted) pools[i].posted = 0;
		drain(pools + i);
	}
	if (last) last = 0;
	if (streak) streak = 0;
}

static int nobatch(const struct pool *p)
{
	return __atomic_load_n(&p->nobatch, __ATOMIC_RELAXED);
}

static void set_nobatch(struct pool *p)
{
	__atomic_store_n(&p->nobatch, 1, __ATOMIC_RELAXED);
}

static int posted(struct pool *p)
{
	int r;
	if (g_tlock(p->lock)) return 0;
	r = p->posted;
	g_tunlock(p->lock);
	return r;
}

/* The posted batch came, or will not come.  A handler whose thread holds
 * the lock leaves the flag set: the holder clears nothing, so the pool
 * posts no more batches until a later reply (there is none: at worst it
 * asks synchronously from then on). */
static void posted_done(struct pool *p)
{
	if (g_tlock(p->lock)) return;
	p->posted = 0;
	g_tunlock(p->lock);
}

/* Whether a spare can take option o after graftd's bind: any but the
 * pre-bind ones, except a valid SO_RCVBUF. */
int __graft_spare_opt(const struct graft_sopt *o)
{
	int v;
	if (!__graft_opt_prebind(o)) return 1;
	memcpy(&v, o->val, sizeof v);
	return o->level == SOL_SOCKET && o->name == SO_RCVBUF && v >= 0;
}

int __graft_pool_eligible(const struct graft_fdstate *st)
{
	unsigned i;
	if (st->type != SOCK_STREAM || (st->domain != AF_INET && st->domain != AF_INET6))
		return 0;
	for (i = 0; i < st->nopt; i++)
		if (!__graft_spare_opt(st->opt + i)) return 0;
	return 1;
}

/* The key's pool, made if there is room; *fresh when just made. */
static struct pool *find(const struct graft_req *q, int *fresh)
{
	struct pool *p, *free = 0;
	unsigned i;

	*fresh = 0;
	if (g_tlock(klock)) return 0;
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
		if (!any) any = 1;
		p->used = 1;
		*fresh = 1;
	}
	g_tunlock(klock);
	return i == NKEYS ? free : p;
}

/* A live spare of p into out, and into rep the address graftd bound
 * p's spares to.  1, or 0 when p has none. */
static int take(struct pool *p, struct spare *out, struct graft_rep *rep)
{
	long now = g_monosec();

	if (g_tlock(p->lock)) return 0;
	if (p->n && now - p->born >= SPARE_TTL) drain(p);
	rep->addrlen = p->addrlen;
	memcpy(rep->addr, p->addr, p->addrlen);
	while (p->n) {
		*out = p->s[--p->n];
		if (!mine(out)) continue;	/* the app's number now */
		g_tunlock(p->lock);
		return 1;
	}
	g_tunlock(p->lock);
	return 0;
}

/* A graft to p (or, with p null, one that was not the streak's). */
static void note(struct pool *p)
{
	if (g_tlock(klock)) return;
	if (p && p == last) {
		if (streak < 255) streak++;
	} else {
		last = p;
		streak = !!p;
	}
	g_tunlock(klock);
}

void __graft_pool_streak(int hit)
{
	if (g_tlock(klock)) return;
	if (!hit) {
		last = 0;
		streak = 0;
	} else if (last && streak < 255) {
		streak++;
	}
	g_tunlock(klock);
}

/* Keep a batch's sockets from the index from on, as many as fit (1: the
 * first is the caller's; 0: a posted batch, all kept). */
static void keep(struct pool *p, const struct graft_bres *res, unsigned from)
{
	long now = g_monosec();
	unsigned i;

	if (g_tlock(p->lock)) {
		for (i = from; i < res->nfds; i++) g_close(res->fds[i]);
		return;
	}
	if (!p->n) p->born = now;
	p->addrlen = res->rep.addrlen < sizeof p->addr ? res->rep.addrlen : sizeof p->addr;
	memcpy(p->addr, res->rep.addr, p->addrlen);
	for (i = from; i < res->nfds; i++) {
		struct stat sb;
		int fd = res->fds[i];
		if (res->inos) {
			sb.st_dev = res->dev;
			sb.st_ino = res->ino[i];
		}
		if (p->n == NSPARE || (!res->inos && g_fstat(fd, &sb))) {
			g_close(fd);
			continue;
		}
		p->s[p->n].fd = fd;
		p->s[p->n].dev = sb.st_dev;
		p->s[p->n].ino = sb.st_ino;
		p->n++;
	}
	g_tunlock(p->lock);
}

/* The family of p's sockets (graftd's address for them), 0 if unknown. */
static sa_family_t family(struct pool *p)
{
	sa_family_t f = 0;
	if (g_tlock(p->lock)) return 0;
	if (p->addrlen >= sizeof f) memcpy(&f, p->addr, sizeof f);
	g_tunlock(p->lock);
	return f;
}

/* A graftd that predates GRAFT_F_INOS refuses it as malformed: from then
 * on this process asks without it and fstat()s each socket itself. */
static int inos_refused(const struct graft_bres *res)
{
	if (!res->inos || res->transport || !res->err
	 || res->rep.reason != GRAFT_R_MALFORMED) return 0;
	__atomic_store_n(&noinos, 1, __ATOMIC_RELAXED);
	return 1;
}

/* The batch request for p's key. */
static void batch_req(const struct graft_conf *c, const struct pool *p, struct graft_req *q)
{
	memset(q, 0, sizeof *q);
	q->magic = GRAFT_PROTO_MAGIC;
	q->version = GRAFT_PROTO_VERSION;
	q->op = GRAFT_OP_GRAFT;
	q->flags = GRAFT_F_EGRESS|GRAFT_F_BATCH;
	if (!__atomic_load_n(&noinos, __ATOMIC_RELAXED)) q->flags |= GRAFT_F_INOS;
	q->family = p->domain;
	q->type = p->type;
	q->protocol = p->protocol;
	q->port = c->egress_batch;
	memcpy(q->epname, p->ep, sizeof q->epname);
}

/* graftd cannot do batches for p: GRAFT_R_BATCH, or "malformed" from a
 * graftd that predates them.  p asks plainly from then on. */
static int refused(struct pool *p, const struct graft_bres *res)
{
	if (res->transport || !res->err
	 || (res->rep.reason != GRAFT_R_BATCH && res->rep.reason != GRAFT_R_MALFORMED))
		return 0;
	set_nobatch(p);
	return 1;
}

/* Ask graftd for a batch of p's key into res, the first socket in
 * res->fd and the rest kept: 0 when it came, -1 when it did not, 1 when
 * graftd cannot do batches. */
static int batch(const struct graft_conf *c, struct pool *p, struct graft_bres *res)
{
	struct graft_req b;

	batch_req(c, p, &b);
	__graft_broker_call(c->broker, &b, res);
	if (inos_refused(res)) {
		b.flags &= ~GRAFT_F_INOS;
		__graft_broker_call(c->broker, &b, res);
	}
	if (refused(p, res)) return 1;
	if (res->transport || res->err) return -1;
	keep(p, res, 1);
	return 0;
}

/* Once a pool is down to half a batch, the next batch is posted. */
static void prefetch(const struct graft_conf *c, struct pool *p)
{
	struct graft_req q;
	int go;

	if (g_tlock(p->lock)) return;
	go = !p->posted && !nobatch(p) && p->n <= (unsigned)c->egress_batch / 2;
	if (go) p->posted = 1;
	g_tunlock(p->lock);
	if (!go) return;
	batch_req(c, p, &q);
	if (__graft_broker_post(c->broker, &q, p)) posted_done(p);
}

/* broker.c: the reply to p's posted batch, or null when it was lost. */
void __graft_pool_posted(void *owner, const struct graft_bres *res)
{
	struct pool *p = owner;

	if (res && !inos_refused(res) && !refused(p, res) && !res->transport && !res->err)
		keep(p, res, 0);
	posted_done(p);
}

/* A spare of p: one at hand, or one from the batch on its way.  The next
 * batch is posted when this one leaves the pool low. */
static int take_ahead(const struct graft_conf *c, struct pool *p, struct spare *out,
	struct graft_rep *rep)
{
	int r = take(p, out, rep);
	if (!r && posted(p)) {
		__graft_broker_collect(p);
		r = take(p, out, rep);
	}
	if (r && c->egress_batch > 1) prefetch(c, p);
	return r;
}

/* __graft_broker_call for an egress graft of an eligible socket: a spare
 * when there is one, else graftd, with a batch once the key has been
 * grafted before (a refused batch is asked again as the plain request q).
 * *sent is cleared when the socket is a spare or from a batch: all its
 * options are then replayed by the caller. */
void __graft_pool_call(const struct graft_conf *c, const struct graft_req *q,
	unsigned *sent, struct graft_bres *res)
{
	struct spare sp;
	struct pool *p;
	int fresh;

	p = find(q, &fresh);
	note(p);
	memset(res, 0, sizeof *res);
	if (p && take_ahead(c, p, &sp, &res->rep)) {
		res->fd = res->fds[0] = sp.fd;
		res->nfds = 1;
		*sent = 0;
		return;
	}
	if (!p || fresh || nobatch(p) || c->egress_batch < 2) {
		__graft_broker_call(c->broker, q, res);
		return;
	}
	switch (batch(c, p, res)) {
	case 0:
		*sent = 0;
		break;
	case 1:
		__graft_broker_call(c->broker, q, res);
		break;
	}
}

/* Whether the latest egress grafts make a spare worth handing out; the
 * common case, a process with no streak, takes no lock. */
int __graft_pool_streaking(void)
{
	return __atomic_load_n(&streak, __ATOMIC_RELAXED) >= 2;
}

/* For socket(domain, SOCK_STREAM, protocol): a spare of the key the last
 * two or more egress grafts went to, if that key is of this kind and its
 * sockets are of this family; the key's pool is refilled by a batch when
 * empty.  0 and *out, or -1: the caller makes a namespace socket. */
int __graft_pool_spare(const struct graft_conf *c, int domain, int protocol, struct graft_spare *out)
{
	struct graft_bres res;
	struct spare sp;
	struct pool *p;

	if (g_tlock(klock)) return -1;
	p = streak >= 2 ? last : 0;
	g_tunlock(klock);
	if (!p || p->domain != domain || p->type != SOCK_STREAM || p->protocol != protocol
	 || nobatch(p) || c->egress_batch < 2 || family(p) != domain) return -1;
	if (take_ahead(c, p, &sp, &res.rep)) goto out;
	memset(&res, 0, sizeof res);
	if (batch(c, p, &res)) {
		/* the connect will say why; no more tries until it works */
		__graft_pool_streak(0);
		return -1;
	}
	sp.fd = res.fd;
	if (res.inos) {
		sp.ino = res.ino[0];
	} else {
		struct stat sb;
		if (g_fstat(sp.fd, &sb)) {
			g_close(sp.fd);
			return -1;
		}
		sp.ino = sb.st_ino;
	}
out:
	out->fd = sp.fd;
	out->ino = sp.ino;
	memcpy(out->ep, p->ep, sizeof out->ep);
	return 0;
}
