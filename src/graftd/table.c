/* table.c - endpoint tables, one per network namespace.
 *
 * A table is named by its spec (host, /var/run/netns/NAME or a PID) and
 * matched against a requester by netns identity (st_dev, st_ino).  Host and
 * PID tables are resolved once when created (a PID table keeps the netns
 * open, so its identity cannot be reused).  NAME tables are resolved
 * lazily: a namespace created after graftd started, or deleted and made
 * again under the same name, is found on the next miss; and a cached
 * identity is checked again at each match, because an inode number may be
 * reused once its namespace is gone.
 *
 * Each endpoint of each table gets an index that names the owner of its
 * host sockets (ep_owner()): indexes count up from a random start, are
 * never reused while graftd runs, and are carried over reloads with the
 * endpoint, so that a socket's owner always means one (table, endpoint).
 * The kernel groups SO_REUSEPORT sockets only when their owners match. */
#include <sys/random.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graftd.h"

struct tableset *
ts_new(void)
{
	struct tableset *ts;

	uint32_t r;

	if ((ts = calloc(1, sizeof(*ts))) == NULL)
		return NULL;
	TAILQ_INIT(&ts->tables);
	/* a random start: sockets made before a restart keep their owners */
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)getpid() * 2654435761U;
	ts->next_uidx = 1 + r % (SOCKUID_SPAN / 2);
	return ts;
}

void
nt_free(struct nstable *nt)
{
	struct endpoint *ep;

	while ((ep = TAILQ_FIRST(&nt->eps)) != NULL) {
		TAILQ_REMOVE(&nt->eps, ep, entry);
		free(ep);
	}
	if (nt->nsfd != -1)
		close(nt->nsfd);
	free(nt->attach);
	free(nt->network);
	free(nt->ports.rec);
	free(nt);
}

void
ts_free(struct tableset *ts)
{
	struct nstable *nt;

	if (ts == NULL)
		return;
	while ((nt = TAILQ_FIRST(&ts->tables)) != NULL) {
		TAILQ_REMOVE(&ts->tables, nt, entry);
		nt_free(nt);
	}
	free(ts);
}

static struct nstable *
ts_find_table(const struct tableset *ts, const struct ns_spec *ns)
{
	struct nstable *nt;

	/* attachments (attach.c) are found by their ID only */
	TAILQ_FOREACH(nt, &ts->tables, entry)
		if (nt->attach == NULL && ns_spec_eq(&nt->spec, ns))
			return nt;
	return NULL;
}

static struct endpoint *
nt_find_ep(const struct nstable *nt, const char *name)
{
	struct endpoint *ep;

	TAILQ_FOREACH(ep, &nt->eps, entry)
		if (strcmp(ep->def.name, name) == 0)
			return ep;
	return NULL;
}

static void
nt_resolve(struct nstable *nt)
{
	nt->resolved = nsid_resolve(&nt->spec, nt->nsfd, &nt->id) == 0;
}

static int
nt_new(const struct ns_spec *ns, struct nstable **ntp, char *err,
    size_t errsz)
{
	struct nstable *nt;
	int rv;

	if ((nt = calloc(1, sizeof(*nt))) == NULL)
		return ENOMEM;
	nt->spec = *ns;
	nt->nsfd = -1;
	TAILQ_INIT(&nt->eps);
	if (ns->kind == NS_PID &&
	    (rv = nsid_open_pid(ns->pid, &nt->nsfd)) != 0) {
		snprintf(err, errsz, "netns of pid %d: %s", (int)ns->pid,
		    strerror(rv));
		free(nt);
		return rv;
	}
	nt_resolve(nt);
	*ntp = nt;
	return 0;
}

int
ts_add(struct tableset *ts, const struct ep_def *def, char *err, size_t errsz)
{
	struct nstable *nt;
	struct endpoint *ep;
	char ns[NS_NAMEMAX + 1];
	int rv, created = 0;

	ns_spec_str(&def->ns, ns, sizeof(ns));
	if (ts->count >= TS_MAXENDPOINTS) {
		snprintf(err, errsz, "too many endpoints (%d)",
		    TS_MAXENDPOINTS);
		return ENOSPC;
	}
	if (ts->next_uidx >= SOCKUID_SPAN) {
		snprintf(err, errsz, "socket owner indexes used up: restart "
		    "graftd");
		return ENOSPC;
	}
	if ((nt = ts_find_table(ts, &def->ns)) == NULL) {
		if ((rv = nt_new(&def->ns, &nt, err, errsz)) != 0)
			return rv;
		created = 1;
	} else if (nt_find_ep(nt, def->name) != NULL) {
		snprintf(err, errsz, "endpoint \"%s\" exists in netns %s",
		    def->name, ns);
		return EEXIST;
	}
	if ((ep = calloc(1, sizeof(*ep))) == NULL) {
		if (created)
			nt_free(nt);
		return ENOMEM;
	}
	ep->def = *def;
	ep->nt = nt;
	ep->uidx = ts->next_uidx++;
	TAILQ_INSERT_TAIL(&nt->eps, ep, entry);
	if (created)
		TAILQ_INSERT_TAIL(&ts->tables, nt, entry);
	ts->count++;
	return 0;
}

int
ts_del(struct tableset *ts, const char *name, const struct ns_spec *ns,
    char *err, size_t errsz)
{
	struct nstable *nt;
	struct endpoint *ep;
	char nsname[NS_NAMEMAX + 1];

	ns_spec_str(ns, nsname, sizeof(nsname));
	if ((nt = ts_find_table(ts, ns)) == NULL ||
	    (ep = nt_find_ep(nt, name)) == NULL) {
		snprintf(err, errsz, "no endpoint \"%s\" in netns %s", name,
		    nsname);
		return ENOENT;
	}
	TAILQ_REMOVE(&nt->eps, ep, entry);
	free(ep);
	ts->count--;
	if (TAILQ_EMPTY(&nt->eps)) {
		TAILQ_REMOVE(&ts->tables, nt, entry);
		nt_free(nt);
	}
	return 0;
}

static int
nt_matches(struct nstable *nt, const struct nsid *id)
{
	if (!nt->resolved || nt->id.dev != id->dev || nt->id.ino != id->ino)
		return 0;
	if (nt->spec.kind == NS_NAME) {
		/* still the same namespace? */
		nt->resolved = nsid_recheck(&nt->spec, nt->nsfd, &nt->id) == 0;
		return nt->resolved && nt->id.dev == id->dev &&
		    nt->id.ino == id->ino;
	}
	return 1;
}

/* The wire's protocol of an endpoint's match: its proto, 0 when absent */
static uint8_t
wire_proto(int proto)
{
	if (proto == EP_PROTO_TCP)
		return IPPROTO_TCP;
	return proto == EP_PROTO_UDP ? IPPROTO_UDP : 0;
}

/* The match of each endpoint, table after table, of the tables of *id
 * (GRAFT_OP_RULES); EACCES: no table for this netns. */
static int
ts_rules_search(struct tableset *ts, const struct nsid *id,
    struct graft_wrule *rules, unsigned *n)
{
	struct nstable *nt;
	struct endpoint *ep;
	int matched = 0;

	*n = 0;
	TAILQ_FOREACH(nt, &ts->tables, entry) {
		if (!nt_matches(nt, id))
			continue;
		matched = 1;
		TAILQ_FOREACH(ep, &nt->eps, entry)
			if (ep->def.hasmatch && *n < GRAFT_PROTO_MAXRULES) {
				rules[*n] = ep->def.match;
				rules[(*n)++].proto = wire_proto(ep->def.proto);
			}
	}
	return matched ? 0 : EACCES;
}

int
ts_rules(struct tableset *ts, const struct nsid *id, struct graft_wrule *rules,
    unsigned *n)
{
	struct nstable *nt;

	if (ts_rules_search(ts, id, rules, n) == 0)
		return 0;
	TAILQ_FOREACH(nt, &ts->tables, entry)
		if (nt->spec.kind == NS_NAME)
			nt_resolve(nt);
	return ts_rules_search(ts, id, rules, n);
}

static int
ts_search(struct tableset *ts, const struct nsid *id, const char *name,
    struct endpoint **epp)
{
	struct nstable *nt;
	int matched = 0;

	TAILQ_FOREACH(nt, &ts->tables, entry) {
		if (!nt_matches(nt, id))
			continue;
		matched = 1;
		if ((*epp = nt_find_ep(nt, name)) != NULL)
			return 0;
	}
	return matched ? ENOENT : EACCES;
}

/* 0 and *epp; ENOENT: the netns has tables but not this name; EACCES: no
 * table for this netns (the caller maps these to GRAFT_R_NOENT/NONS). */
int
ts_lookup(struct tableset *ts, const struct nsid *id, const char *name,
    struct endpoint **epp)
{
	struct nstable *nt;
	int rv;

	*epp = NULL;
	if ((rv = ts_search(ts, id, name, epp)) != EACCES)
		return rv;
	TAILQ_FOREACH(nt, &ts->tables, entry)
		if (nt->spec.kind == NS_NAME)
			nt_resolve(nt);
	return ts_search(ts, id, name, epp);
}

/* After a reload, endpoints that are still there keep their counters and
 * socket owner, tables their port accounting (moved out of ots); new
 * endpoints get indexes ots never gave. */
void
ts_carry_stats(struct tableset *nts, struct tableset *ots)
{
	struct nstable *nt, *ot;
	struct endpoint *ep, *oep;

	nts->next_uidx = ots->next_uidx;
	TAILQ_FOREACH(nt, &nts->tables, entry) {
		ot = ts_find_table(ots, &nt->spec);
		if (ot != NULL) {
			free(nt->ports.rec);
			nt->ports = ot->ports;
			memset(&ot->ports, 0, sizeof(ot->ports));
		}
		TAILQ_FOREACH(ep, &nt->eps, entry) {
			if (ot && (oep = nt_find_ep(ot, ep->def.name)) != NULL) {
				ep->st = oep->st;
				ep->uidx = oep->uidx;
			} else if (nts->next_uidx < SOCKUID_SPAN)
				ep->uidx = nts->next_uidx++;
		}
	}
}

int
ts_need_lowports(const struct tableset *ts)
{
	struct nstable *nt;
	struct endpoint *ep;

	TAILQ_FOREACH(nt, &ts->tables, entry)
		TAILQ_FOREACH(ep, &nt->eps, entry)
			if (ep->def.family != AF_UNIX && !ep->def.dynamic &&
			    ep->def.port_lo < 1024)
				return 1;
	return 0;
}

/* FNV-1a over what names a shared endpoint in every table. */
static uint32_t
ep_hash(const struct ep_def *d)
{
	const unsigned char *p;
	uint32_t h = 2166136261U;
	size_t i;

#define MIX(buf, len) for (p = (const unsigned char *)(buf), i = 0; \
    i < (len); i++) h = (h ^ p[i]) * 16777619U
	MIX(d->name, strlen(d->name));
	MIX(&d->family, sizeof(d->family));
	MIX(&d->addr, sizeof(d->addr));
	MIX(&d->port_lo, sizeof(d->port_lo));
	MIX(&d->port_hi, sizeof(d->port_hi));
#undef MIX
	return h;
}

/* The uid the endpoint's inet host sockets are made with (sk_uid): one per
 * (table, endpoint); for a "shared" endpoint one per name, address and
 * port, whatever the table. */
uid_t
ep_owner(const struct endpoint *ep, uint32_t base)
{
	if (ep->def.shared)
		return base + SOCKUID_SPAN + ep_hash(&ep->def) % SOCKUID_SPAN;
	return base + ep->uidx;
}
