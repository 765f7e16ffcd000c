/* share.c - what each network namespace may hold of graftd.
 *
 * Clients are counted per share: the netns graftd identified at accept
 * when it has a table, else one share for all the rest (peers not
 * identified, namespaces without a table), so that making namespaces
 * multiplies nothing.  A share holds at most netns-max-clients
 * connections; when max-clients is reached, a newcomer whose share holds
 * at least two fewer than the largest one takes the place of that share's
 * idlest client (share_victim).
 *
 * Host sockets passed in replies stay charged to graftd's user by the
 * kernel until the client reads them (too many in flight: ETOOMANYREFS
 * for every client of graftd).  A member counts what it was sent since
 * its queue was last seen empty (SIOCOUTQ: bytes not yet taken by the
 * peer); a share may have netns-max-inflight of them, cut so that all
 * shares together stay below graftd's open-files limit.  A client dropped
 * with sockets unread lingers: graftd keeps its end, shut down, until the
 * peer has read or closed its own, and the share stays charged. */
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graftd.h"
#include "log.h"

#define SHARE_HASH	64
#define SHARE_RESERVE	128	/* graftd's own descriptors beyond clients */
#define SHARE_WALK_MS	50	/* a share's members rechecked at most so often */

struct share {
	LIST_ENTRY(share)	 entry;
	struct nsid		 id;
	int			 common;	/* the share of all the rest */
	unsigned		 nactive;
	unsigned		 nlinger;
	unsigned		 inflight;
	long long		 walked;	/* ms */
	TAILQ_HEAD(, shmember)	 active;	/* idlest first */
	TAILQ_HEAD(, shmember)	 linger;
};

static LIST_HEAD(, share)	 hash[SHARE_HASH];
static unsigned			 budget = 1;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned
slot(const struct nsid *id, int common)
{
	if (common)
		return 0;
	return (unsigned)((id->ino * 31 + id->dev) % SHARE_HASH);
}

/* No endpoint is named "": ENOENT means a table for the netns exists. */
static int
has_table(const struct peer *p)
{
	struct endpoint *ep;

	return p->error == 0 && ts_lookup(env->ts, &p->id, "", &ep) == ENOENT;
}

static struct share *
share_find(const struct peer *p)
{
	struct share *sh;
	int common = !has_table(p);
	unsigned i = slot(&p->id, common);

	LIST_FOREACH(sh, &hash[i], entry)
		if (sh->common == common && (common ||
		    (sh->id.dev == p->id.dev && sh->id.ino == p->id.ino)))
			return sh;
	if ((sh = calloc(1, sizeof(*sh))) == NULL)
		return NULL;
	sh->common = common;
	if (!common)
		sh->id = p->id;
	TAILQ_INIT(&sh->active);
	TAILQ_INIT(&sh->linger);
	LIST_INSERT_HEAD(&hash[i], sh, entry);
	return sh;
}

static void
share_gc(struct share *sh)
{
	if (sh->nactive + sh->nlinger == 0) {
		LIST_REMOVE(sh, entry);
		free(sh);
	}
}

/* Descriptors each share may have in flight: netns-max-inflight, cut so
 * that one per table plus the common share fit in half of what the
 * open-files limit leaves beside the clients (the kernel's in-flight count
 * is per user, and graftd's user may have other processes). */
void
share_configure(const struct settings *s, const struct tableset *ts)
{
	const struct nstable *nt;
	struct rlimit rl;
	unsigned long long lim = 1 << 20, avail = 0;
	unsigned nshares = 1;

	TAILQ_FOREACH(nt, &ts->tables, entry)
		nshares++;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
	    && rl.rlim_cur < lim)
		lim = rl.rlim_cur;
	if (lim > (unsigned long long)s->max_clients + SHARE_RESERVE)
		avail = (lim - s->max_clients - SHARE_RESERVE) / 2;
	budget = s->netns_max_inflight;
	if (avail / nshares < budget)
		budget = (unsigned)(avail / nshares);
	if (budget == 0)
		budget = 1;
	if (budget < GRAFT_PROTO_MAXBATCH)
		log_warnx("open files limit %llu leaves %u socket%s in flight "
		    "per netns (%u tables, max-clients %u)", lim, budget,
		    budget == 1 ? "" : "s", nshares - 1, s->max_clients);
}

unsigned
share_budget(void)
{
	return budget;
}

/* Join the share of p's netns: 0, or EAGAIN when it holds
 * netns-max-clients connections already. */
int
share_attach(struct shmember *m, const struct peer *p, int fd)
{
	struct share *sh;
	unsigned max = env->conf.netns_max_clients;

	if (max > env->conf.max_clients)
		max = env->conf.max_clients;
	if ((sh = share_find(p)) == NULL)
		return ENOMEM;
	if (sh->nactive + sh->nlinger >= max) {
		share_gc(sh);
		return EAGAIN;
	}
	memset(m, 0, sizeof(*m));
	m->sh = sh;
	m->fd = fd;
	TAILQ_INSERT_TAIL(&sh->active, m, entry);
	sh->nactive++;
	return 0;
}

void
share_detach(struct shmember *m)
{
	struct share *sh = m->sh;

	if (m->lingering) {
		TAILQ_REMOVE(&sh->linger, m, entry);
		sh->nlinger--;
	} else {
		TAILQ_REMOVE(&sh->active, m, entry);
		sh->nactive--;
	}
	sh->inflight -= m->inflight;
	share_gc(sh);
}

/* A request from m: it is the least idle of its share now. */
void
share_touch(struct shmember *m)
{
	TAILQ_REMOVE(&m->sh->active, m, entry);
	TAILQ_INSERT_TAIL(&m->sh->active, m, entry);
}

/* Dropped with descriptors unread: out of the active clients, still
 * charged. */
void
share_linger(struct shmember *m)
{
	struct share *sh = m->sh;

	TAILQ_REMOVE(&sh->active, m, entry);
	sh->nactive--;
	TAILQ_INSERT_TAIL(&sh->linger, m, entry);
	sh->nlinger++;
	m->lingering = 1;
}

/* max-clients reached: the member to drop so that new (just attached)
 * gets in, or NULL when no share holds more than new's, new included.
 * A newcomer of the common share can never be granted anything: it
 * evicts nobody.  The shares are scanned only here, when graftd is full. */
struct shmember *
share_victim(const struct shmember *new)
{
	struct share *sh, *big = NULL;
	unsigned i;

	if (new->sh->common)
		return NULL;
	for (i = 0; i < SHARE_HASH; i++)
		LIST_FOREACH(sh, &hash[i], entry)
			if (big == NULL || sh->nactive > big->nactive)
				big = sh;
	if (big == NULL || big->nactive <= new->sh->nactive)
		return NULL;
	return TAILQ_FIRST(&big->active);
}

/* n descriptors granted to m (sent or about to be). */
void
share_charge(struct shmember *m, unsigned n)
{
	m->inflight += n;
	m->unsent += n;
	m->sh->inflight += n;
}

void
share_sent(struct shmember *m)
{
	m->unsent = 0;
}

/* The unsent reply was withdrawn: its descriptors were closed. */
void
share_unsend(struct shmember *m)
{
	m->inflight -= m->unsent;
	m->sh->inflight -= m->unsent;
	m->unsent = 0;
}

/* Has the peer taken everything sent?  One ioctl: then nothing of m is
 * in flight but a reply still unsent. */
int
share_flushed(struct shmember *m)
{
	int outq;

	if (ioctl(m->fd, SIOCOUTQ, &outq) == -1 || outq != 0)
		return 0;
	m->sh->inflight -= m->inflight - m->unsent;
	m->inflight = m->unsent;
	return 1;
}

/* share_flushed() when something was sent: what m has in flight. */
unsigned
share_refresh(struct shmember *m)
{
	if (m->inflight > m->unsent)
		share_flushed(m);
	return m->inflight;
}

static void
share_walk(struct share *sh)
{
	struct shmember *m;
	long long t = now_ms();

	if (t - sh->walked < SHARE_WALK_MS)
		return;
	sh->walked = t;
	TAILQ_FOREACH(m, &sh->active, entry)
		share_refresh(m);
	TAILQ_FOREACH(m, &sh->linger, entry)
		share_refresh(m);
}

/* How many of want descriptors m may be sent now: bounded by its own
 * SHARE_CLIENT_MAX and by what its share has left. */
unsigned
share_room(struct shmember *m, unsigned want)
{
	struct share *sh = m->sh;
	unsigned room;

	share_refresh(m);
	if (sh->inflight + want > budget)
		share_walk(sh);
	room = sh->inflight < budget ? budget - sh->inflight : 0;
	if (m->inflight + room > SHARE_CLIENT_MAX)
		room = m->inflight < SHARE_CLIENT_MAX ?
		    SHARE_CLIENT_MAX - m->inflight : 0;
	return room < want ? room : want;
}
