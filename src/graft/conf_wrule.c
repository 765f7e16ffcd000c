/* conf_wrule.c - a GRAFT_OP_RULES reply record ("rules broker"): a
 * struct graft_rep followed by 0..GRAFT_PROTO_MAXRULES struct graft_wrule.
 * Every byte is checked before anything is added: a record with one bad
 * byte adds no rule at all, and says which field of which rule.  A rule
 * for tcp or udp holds only sockets of that type (r->type).  The rules
 * become ingress/egress rules of source GRAFT_SRC_BROKER, "line" their
 * position in the reply (from 1), after the file's ones (conf_match.c
 * matches them last). */
#include <string.h>
#include <netinet/in.h>
#include "graft_conf.h"
#include "graft_log.h"

static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

static int zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n--) if (*b++) return 0;
	return 1;
}

/* 1 to 16 printable characters, NUL padded; never "local" */
static const char *epname(const char *s, struct graft_rule *r)
{
	size_t n = strnlen(s, GRAFT_PROTO_EPNAME);

	if (!n) return "no endpoint name";
	if (!zero(s + n, GRAFT_PROTO_EPNAME - n)) return "endpoint name not NUL padded";
	if (!__graft_epname_ok(s, n)) return "bad endpoint name";
	memcpy(r->ep, s, n);
	r->ep[n] = 0;
	if (!strcmp(r->ep, "local")) return "endpoint name 'local'";
	return 0;
}

/* family 4 or 6 and its address: AF_INET with the rest zero, or
 * AF_INET6, v4-mapped ones as AF_INET (as graft.conf's parser does) */
static const char *address(const struct graft_wrule *w, struct graft_ip *ip)
{
	memset(ip, 0, sizeof *ip);
	if (w->family == 4) {
		if (!zero(w->addr + 4, 12)) return "IPv4 address not zero padded";
		ip->family = AF_INET;
		memcpy(ip->a, w->addr, 4);
		return 0;
	}
	if (w->family != 6) return "bad family";
	if (!memcmp(w->addr, v4mapped, 12)) {
		ip->family = AF_INET;
		memcpy(ip->a, w->addr + 12, 4);
	} else {
		ip->family = AF_INET6;
		memcpy(ip->a, w->addr, 16);
	}
	return 0;
}

static const char *ingress(const struct graft_wrule *w, struct graft_rule *r)
{
	if (w->plen) return "prefix length in an ingress rule";
	if (w->port_lo > w->port_hi) return "empty port range";
	r->lo = w->port_lo;
	r->hi = w->port_hi;
	if (w->family) return address(w, &r->ip);
	/* "*": both wildcards */
	if (!zero(w->addr, 16)) return "address in a '*' rule";
	memset(&r->ip, 0, sizeof r->ip);
	r->ip.family = AF_UNSPEC;
	return 0;
}

/* host bits beyond plen are zero on the wire (graft.conf's parser clears
 * them; graftd sends what it parsed) */
static const char *egress(const struct graft_wrule *w, struct graft_rule *r)
{
	unsigned max = w->family == 6 ? 128 : 32, len = w->plen, i;
	const char *e;

	if (w->port_lo || w->port_hi) return "ports in an egress rule";
	if ((e = address(w, &r->ip))) return e;
	if (len > max) return "bad prefix length";
	for (i = 0; i < 16; i++, len = len >= 8 ? len - 8 : 0)
		if (len < 8 && (w->addr[i] & (0xff >> len))) return "host bits set beyond the prefix length";
	len = w->plen;
	if (max == 128 && r->ip.family == AF_INET) {
		/* a v4-mapped prefix counts its length in the IPv4 part */
		if (len < 96) return "bad prefix length";
		len -= 96;
	}
	r->plen = len;
	return 0;
}

static const char *decode(const struct graft_wrule *w, struct graft_rule *r)
{
	const char *e;

	if (w->proto == IPPROTO_TCP) r->type = SOCK_STREAM;
	else if (w->proto == IPPROTO_UDP) r->type = SOCK_DGRAM;
	else if (w->proto) return "bad protocol";
	if ((e = epname(w->epname, r))) return e;
	if (w->dir == GRAFT_WR_INGRESS) return ingress(w, r);
	if (w->dir == GRAFT_WR_EGRESS) return w->family ? egress(w, r) : "bad family";
	return "bad direction";
}

/* The header of a reply of n rules: a grant, nothing else set.  A refusal
 * is said with graftd's errno and reason. */
static int header(const struct graft_rep *rep, size_t len, struct graft_msg *why)
{
	if (rep->magic != GRAFT_PROTO_MAGIC || rep->version != GRAFT_PROTO_VERSION
	 || rep->op != GRAFT_OP_REPLY) {
		__graft_msgf(why, "bad reply header");
		return -1;
	}
	if (rep->error) {
		if (rep->error < 0 || rep->error > 4095 || rep->reason > GRAFT_R_MAX
		 || len != sizeof *rep) __graft_msgf(why, "bad refusal");
		else if (rep->reason == GRAFT_R_MALFORMED)
			__graft_msgf(why, "graftd refused the request as malformed (one older than GRAFT_OP_RULES)");
		else if (rep->reason == GRAFT_R_NONS)
			__graft_msgf(why, "no endpoint table for this network namespace");
		else __graft_msgf(why, "refused: %E (reason %u)", rep->error, rep->reason);
		return -1;
	}
	if (rep->reason != GRAFT_R_OK || rep->addrlen || rep->nfds
	 || !zero(rep->addr, sizeof rep->addr) || !zero(rep->zero, sizeof rep->zero)) {
		__graft_msgf(why, "bad reply: a field of the grant not zero");
		return -1;
	}
	return 0;
}

int __graft_conf_wrules(struct graft_conf *c, const void *rec, size_t len, struct graft_msg *why)
{
	struct graft_rule r[GRAFT_PROTO_MAXRULES];
	struct graft_rep rep;
	struct graft_wrule w;
	uint8_t dir[GRAFT_PROTO_MAXRULES];
	unsigned n, i, nin = 0;
	const char *e;

	if (len < sizeof rep) {
		__graft_msgf(why, "bad reply: %u bytes", (unsigned)len);
		return -1;
	}
	memcpy(&rep, rec, sizeof rep);
	if (header(&rep, len, why)) return -1;
	len -= sizeof rep;
	n = len / sizeof w;
	if (len % sizeof w || n > GRAFT_PROTO_MAXRULES) {
		__graft_msgf(why, "bad reply: %u bytes of rules", (unsigned)len);
		return -1;
	}
	for (i = 0; i < n; i++) {
		memcpy(&w, (const char *)rec + sizeof rep + i * sizeof w, sizeof w);
		memset(r + i, 0, sizeof *r);
		r[i].src = GRAFT_SRC_BROKER;
		r[i].line = i + 1;
		if ((e = decode(&w, r + i))) {
			__graft_msgf(why, "bad reply: rule %u: %s", i + 1, e);
			return -1;
		}
		dir[i] = w.dir;
		nin += w.dir == GRAFT_WR_INGRESS;
	}
	if (c->nin + nin > GRAFT_MAX_INGRESS + GRAFT_MAX_BRULES
	 || c->neg + (n - nin) > GRAFT_MAX_EGRESS + GRAFT_MAX_BRULES) {
		__graft_msgf(why, "more rules than the configuration holds");
		return -1;
	}
	/* the broker's own duplicates are no error: the first matches */
	for (i = 0; i < n; i++) {
		if (dir[i] == GRAFT_WR_INGRESS) c->in[c->nin++] = r[i], c->nbin++;
		else c->eg[c->neg++] = r[i], c->nbeg++;
	}
	return n;
}
