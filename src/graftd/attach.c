/* attach.c - attachments: endpoint tables a CNI plugin gives a network
 * namespace it names by path (attach, detach, check on the control
 * socket; their words are parsed in attparse.c).
 *
 * An attachment is an nstable with an ID: graftd keeps its netns file
 * open (the namespace cannot go, nor its identity be reused) until
 * detach.  Attach is all or nothing; attaching an ID again replaces its
 * table at once (endpoints of the same name keep their counters and
 * socket owner).  A netns has one attachment; an ingress host port has
 * one table (EADDRINUSE).  Attachments live beside the tables of
 * graftd.conf and survive its reloads (ts_carry_attach). */
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graftd.h"
#include "control.h"
#include "log.h"

struct nstable *
ts_attached(const struct tableset *ts, const char *id)
{
	struct nstable *nt;

	TAILQ_FOREACH(nt, &ts->tables, entry)
		if (nt->attach && strcmp(nt->attach, id) == 0)
			return nt;
	return NULL;
}

unsigned
ts_nattached(const struct tableset *ts)
{
	const struct nstable *nt;
	unsigned n = 0;

	TAILQ_FOREACH(nt, &ts->tables, entry)
		n += nt->attach != NULL;
	return n;
}

static unsigned
nt_count(const struct nstable *nt)
{
	const struct endpoint *ep;
	unsigned n = 0;

	TAILQ_FOREACH(ep, &nt->eps, entry)
		n++;
	return n;
}

static int
ingress_ports(const struct ep_def *d)
{
	return d->family != AF_UNIX && !d->dynamic && d->dir != EP_DIR_EGRESS;
}

static int
wildcard(const struct ep_def *d)
{
	if (d->family == AF_INET)
		return d->addr.v4.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&d->addr.v6);
}

/* The first host port both take, or 0. */
static unsigned
overlap(const struct ep_def *a, const struct ep_def *b)
{
	if (!ingress_ports(a) || !ingress_ports(b) || a->family != b->family)
		return 0;
	if (a->proto && b->proto && a->proto != b->proto)
		return 0;
	if (!wildcard(a) && !wildcard(b) && memcmp(&a->addr, &b->addr,
	    a->family == AF_INET ? sizeof(a->addr.v4) : sizeof(a->addr.v6)))
		return 0;
	if (a->port_hi < b->port_lo || b->port_hi < a->port_lo)
		return 0;
	return a->port_lo > b->port_lo ? a->port_lo : b->port_lo;
}

/* Every table but old (the one being replaced). */
static int
check_ports(const struct tableset *ts, const struct nstable *old,
    const struct ep_def *d, char *err, size_t errsz)
{
	const struct nstable *nt;
	const struct endpoint *ep;
	char ns[NS_NAMEMAX + 1];
	unsigned port;

	TAILQ_FOREACH(nt, &ts->tables, entry) {
		if (nt == old)
			continue;
		TAILQ_FOREACH(ep, &nt->eps, entry) {
			if ((port = overlap(d, &ep->def)) == 0)
				continue;
			if (nt->attach)
				snprintf(err, errsz, "host port %u already "
				    "mapped by %s", port, nt->attach);
			else {
				ns_spec_str(&nt->spec, ns, sizeof(ns));
				snprintf(err, errsz, "host port %u already "
				    "mapped by endpoint \"%s\" netns %s", port,
				    ep->def.name, ns);
			}
			return EADDRINUSE;
		}
	}
	return 0;
}

static int
check_netns(const struct tableset *ts, const struct nstable *old,
    const struct ns_spec *ns, const struct nsid *id, char *err,
    size_t errsz)
{
	const struct nstable *nt;

	TAILQ_FOREACH(nt, &ts->tables, entry)
		if (nt->attach && nt != old && nt->id.dev == id->dev &&
		    nt->id.ino == id->ino) {
			snprintf(err, errsz, "netns %s already attached as %s",
			    ns->name, nt->attach);
			return EEXIST;
		}
	return 0;
}

static int
open_netns(const struct ns_spec *ns, int *fd, struct nsid *id, char *err,
    size_t errsz)
{
	int rv;

	if ((rv = nsid_open_path(ns->name, fd, id)) == 0)
		return 0;
	snprintf(err, errsz, "netns %s: %s", ns->name,
	    rv == EINVAL ? "not a network namespace" : strerror(rv));
	return rv;
}

static int
check_room(const struct tableset *ts, const struct nstable *old,
    unsigned neps, char *err, size_t errsz)
{
	const struct nstable *nt;
	unsigned have = ts->count - (old ? nt_count(old) : 0), natt = 0;

	TAILQ_FOREACH(nt, &ts->tables, entry)
		natt += nt->attach != NULL;
	if (old == NULL && natt >= ATTACH_MAX) {
		snprintf(err, errsz, "too many attachments (%d)", ATTACH_MAX);
		return ENOSPC;
	}
	if (have + neps > TS_MAXENDPOINTS) {
		snprintf(err, errsz, "too many endpoints (%d)",
		    TS_MAXENDPOINTS);
		return ENOSPC;
	}
	if (ts->next_uidx + neps > SOCKUID_SPAN) {
		snprintf(err, errsz, "socket owner indexes used up: restart "
		    "graftd");
		return ENOSPC;
	}
	return 0;
}

/* The new table, its endpoints in order; those named as in old keep
 * their counters and socket owner, the table old's port accounting. */
static struct nstable *
nt_build(struct tableset *ts, struct nstable *old, const char *id,
    const char *network, const struct ns_spec *ns, const struct ep_def *eps,
    unsigned neps)
{
	struct nstable *nt;
	struct endpoint *ep, *oep;
	unsigned i;

	if ((nt = calloc(1, sizeof(*nt))) == NULL)
		return NULL;
	nt->spec = *ns;
	nt->nsfd = -1;
	TAILQ_INIT(&nt->eps);
	if ((nt->attach = strdup(id)) == NULL ||
	    (network[0] && (nt->network = strdup(network)) == NULL)) {
		free(nt->attach);
		free(nt);
		return NULL;
	}
	for (i = 0; i < neps; i++) {
		if ((ep = calloc(1, sizeof(*ep))) == NULL) {
			nt_free(nt);
			return NULL;
		}
		ep->def = eps[i];
		ep->nt = nt;
		TAILQ_INSERT_TAIL(&nt->eps, ep, entry);
	}
	TAILQ_FOREACH(ep, &nt->eps, entry) {
		oep = NULL;
		if (old)
			TAILQ_FOREACH(oep, &old->eps, entry)
				if (strcmp(oep->def.name, ep->def.name) == 0)
					break;
		if (oep) {
			ep->st = oep->st;
			ep->uidx = oep->uidx;
		} else
			ep->uidx = ts->next_uidx++;
	}
	if (old) {
		nt->ports = old->ports;
		memset(&old->ports, 0, sizeof(old->ports));
	}
	return nt;
}

/* Everything but the change: *ntp, the new table, is checked (ports,
 * netns, room) and holds its netns; ts_attach_commit() puts it in place
 * of the attachment of its ID, ts_attach_abort() drops it (the state file
 * is written in between). */
int
ts_attach_prepare(struct tableset *ts, const char *id, const char *network,
    const struct ns_spec *ns, const struct ep_def *eps, unsigned neps,
    struct nstable **ntp, char *err, size_t errsz)
{
	struct nstable *old = ts_attached(ts, id), *nt;
	struct nsid nid;
	unsigned i;
	int fd, rv;

	if ((rv = check_room(ts, old, neps, err, errsz)) != 0)
		return rv;
	for (i = 0; i < neps; i++)
		if ((rv = check_ports(ts, old, &eps[i], err, errsz)) != 0)
			return rv;
	if ((rv = open_netns(ns, &fd, &nid, err, errsz)) != 0)
		return rv;
	if ((rv = check_netns(ts, old, ns, &nid, err, errsz)) != 0 ||
	    (nt = nt_build(ts, old, id, network, ns, eps, neps)) == NULL) {
		close(fd);
		if (rv == 0)
			snprintf(err, errsz, "out of memory");
		return rv ? rv : ENOMEM;
	}
	nt->nsfd = fd;
	nt->id = nid;
	nt->resolved = 1;
	*ntp = nt;
	return 0;
}

void
ts_attach_commit(struct tableset *ts, struct nstable *nt)
{
	struct nstable *old = ts_attached(ts, nt->attach);

	if (old) {
		TAILQ_INSERT_AFTER(&ts->tables, old, nt, entry);
		TAILQ_REMOVE(&ts->tables, old, entry);
		ts->count -= nt_count(old);
		nt_free(old);
	} else
		TAILQ_INSERT_TAIL(&ts->tables, nt, entry);
	ts->count += nt_count(nt);
}

/* The ports nt_build() took over go back to the attachment replaced. */
void
ts_attach_abort(struct tableset *ts, struct nstable *nt)
{
	struct nstable *old = ts_attached(ts, nt->attach);

	if (old) {
		old->ports = nt->ports;
		memset(&nt->ports, 0, sizeof(nt->ports));
	}
	nt_free(nt);
}

/* graftd gave up CAP_NET_BIND_SERVICE at start (privileged-ports no, or
 * auto with no such port in the file): a host port below 1024 would be
 * granted and fail at every bind, so the attach (a CNI ADD) fails now. */
static int
check_lowports(const struct graftd *g, const struct ep_def *eps,
    unsigned neps, char *err, size_t errsz)
{
	unsigned i;

	if (g->conf.lowports != 0)	/* kept, or not decided yet (restore) */
		return 0;
	for (i = 0; i < neps; i++)
		if (ingress_ports(&eps[i]) && eps[i].port_lo < 1024) {
			snprintf(err, errsz, "endpoint \"%s\": port %u is below "
			    "1024 and graftd runs without CAP_NET_BIND_SERVICE "
			    "(graftd.conf: privileged-ports yes)", eps[i].name,
			    eps[i].port_lo);
			return EACCES;
		}
	return 0;
}

/* 0 when it was attached, ENOENT when not (detach is idempotent). */
int
ts_detach(struct tableset *ts, const char *id)
{
	struct nstable *nt;

	if ((nt = ts_attached(ts, id)) == NULL)
		return ENOENT;
	TAILQ_REMOVE(&ts->tables, nt, entry);
	ts->count -= nt_count(nt);
	nt_free(nt);
	return 0;
}

/* A reload: the attachments move from ots to the new nts. */
void
ts_carry_attach(struct tableset *nts, struct tableset *ots)
{
	struct nstable *nt, *ntn;

	TAILQ_FOREACH_SAFE(nt, &ots->tables, entry, ntn) {
		if (nt->attach == NULL)
			continue;
		TAILQ_REMOVE(&ots->tables, nt, entry);
		ots->count -= nt_count(nt);
		TAILQ_INSERT_TAIL(&nts->tables, nt, entry);
		nts->count += nt_count(nt);
	}
}

/* ---- the control commands */

/* The words of an attach (after "attach"), from the control socket or
 * the state file (save 0: restoring it).  The state file is written
 * before the change: when that fails, nothing changes. */
int
attach_words(int argc, char **argv, struct graftd *g, int save,
    const struct nsid *want, char *err, size_t errsz)
{
	static struct ep_def eps[ATTACH_MAXEPS];
	struct nstable *nt;
	struct ns_spec ns;
	char id[ATTACH_IDMAX + 1], network[ATTACH_NETMAX + 1];
	unsigned neps, i;
	int rv, replace;

	if ((rv = parse_attach(argc, argv, id, network, &ns, eps, &neps, err,
	    errsz)) != 0)
		return rv;
	for (i = 0; i < neps; i++)
		if ((rv = ep_resolve_user(&eps[i], err, errsz)) != 0)
			return rv;
	if ((rv = check_lowports(g, eps, neps, err, errsz)) != 0)
		return rv;
	replace = ts_attached(g->ts, id) != NULL;
	if ((rv = ts_attach_prepare(g->ts, id, network, &ns, eps, neps, &nt, err,
	    errsz)) != 0)
		return rv;
	if (want && (nt->id.dev != want->dev || nt->id.ino != want->ino)) {
		snprintf(err, errsz, "netns %s is another network namespace "
		    "now", ns.name);
		ts_attach_abort(g->ts, nt);
		return ESTALE;
	}
	if (save && (rv = state_save(g, ts_attached(g->ts, id), nt, err,
	    errsz)) != 0) {
		ts_attach_abort(g->ts, nt);
		return rv;
	}
	ts_attach_commit(g->ts, nt);
	share_configure(&g->conf, g->ts);	/* a table more: budgets */
	if (save)
		log_info("control: %s %s netns %s: %u endpoint%s",
		    replace ? "replaced attachment" : "attached", id, ns.name,
		    neps, neps == 1 ? "" : "s");
	return 0;
}

int
cmd_attach(int argc, char **argv, struct graftd *g, char *err, size_t errsz)
{
	return attach_words(argc, argv, g, 1, NULL, err, errsz);
}

/* A detach whose state file cannot be written still detaches (a CNI DEL
 * must not fail for good): the file lists the attachment until the next
 * change writes it, and a restart before would restore it if its netns
 * still exists. */
int
cmd_detach(int argc, char **argv, struct graftd *g, char *err, size_t errsz)
{
	char id[ATTACH_IDMAX + 1], serr[ERRBUFSZ];
	struct nstable *nt;

	if (argc != 1 || parse_attach_id(argv[0], id, sizeof(id)) == -1) {
		snprintf(err, errsz, "usage: detach ID");
		return EINVAL;
	}
	if ((nt = ts_attached(g->ts, id)) == NULL)
		return 0;
	if (state_save(g, nt, NULL, serr, sizeof(serr)) != 0)
		log_warnx("detach %s: %s: the state file still lists it (until "
		    "the next change is written)", id, serr);
	ts_detach(g->ts, id);
	share_configure(&g->conf, g->ts);
	log_info("control: detached %s", id);
	return 0;
}

int
cmd_check(int argc, char **argv, struct graftd *g, char *err, size_t errsz)
{
	struct nstable *nt;
	struct ns_spec ns;
	char id[ATTACH_IDMAX + 1];
	int rv;

	if (argc != 3 || strcmp(argv[1], "netns") != 0 ||
	    parse_attach_id(argv[0], id, sizeof(id)) == -1) {
		snprintf(err, errsz, "usage: check ID netns PATH");
		return EINVAL;
	}
	if ((rv = parse_ns_path(argv[2], &ns, err, errsz)) != 0)
		return rv;
	if ((nt = ts_attached(g->ts, id)) == NULL) {
		snprintf(err, errsz, "%s not attached", id);
		return ENOENT;
	}
	if (nsid_path_is(ns.name, &nt->id) != 0) {
		snprintf(err, errsz, "netns of %s changed", id);
		return ESTALE;
	}
	return 0;
}
