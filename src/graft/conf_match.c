/* conf_match.c - which rule a bind() or a destination falls under.
 *
 * Ingress: a rule naming an address matches binds to exactly that address;
 * a wildcard rule (0.0.0.0 or [::]) matches wildcard binds and binds to any
 * other address of its family except loopback ones (such an address cannot
 * exist in a lo-only namespace: the app means the outside world, while a
 * loopback bind means "local only" and is never widened to the host).
 * A "*" rule is both wildcard rules in one: 0.0.0.0 and [::] binds (with
 * IPV6_V6ONLY on or off: graftd's endpoint decides what the host socket
 * serves) and non-loopback addresses of either family.  Exact beats a
 * family's wildcard, which beats "*"; then the narrower port range wins.
 *
 * Egress: longest prefix; 127.0.0.0/8, ::1, 0.0.0.0 and :: stay local
 * unless a rule at least as long says otherwise.  v4-mapped destinations
 * are IPv4 for matching.
 *
 * "rules broker": graftd's rules are matched only when none of the
 * file's (and the variables') rules matches, "local" ones included;
 * then by the same rules among themselves, the first on a tie.  A broker
 * rule for tcp or udp (r->type SOCK_STREAM or SOCK_DGRAM) holds only
 * sockets of that type; the others, and every file rule, any type. */
#include <string.h>
#include <netinet/in.h>
#include "graft_conf.h"

static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

int __graft_sa_ip(const struct sockaddr *sa, socklen_t len, struct graft_ip *ip, unsigned *port)
{
	memset(ip, 0, sizeof *ip);
	if (!sa || len < sizeof(sa_family_t)) return -1;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)sa;
		if (len < sizeof *s) return -1;
		ip->family = AF_INET;
		memcpy(ip->a, &s->sin_addr, 4);
		*port = ntohs(s->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)sa;
		if (len < sizeof *s) return -1;
		*port = ntohs(s->sin6_port);
		if (!memcmp(&s->sin6_addr, v4mapped, 12)) {
			ip->family = AF_INET;
			memcpy(ip->a, (const uint8_t *)&s->sin6_addr + 12, 4);
		} else {
			ip->family = AF_INET6;
			memcpy(ip->a, &s->sin6_addr, 16);
		}
		return 0;
	}
	return -1;
}

int __graft_ip_any(const struct graft_ip *ip)
{
	static const uint8_t z[16];
	return !memcmp(ip->a, z, 16);
}

int __graft_ip_loopback(const struct graft_ip *ip)
{
	static const uint8_t one[16] = { [15] = 1 };
	if (ip->family == AF_INET) return ip->a[0] == 127;
	return !memcmp(ip->a, one, 16);
}

/* r holds sockets of this type (SOCK_*) */
int __graft_rule_type(const struct graft_rule *r, int type)
{
	return !r->type || r->type == type;
}

/* The best of the n ingress rules at r for a bind of ip:port */
static const struct graft_rule *best_in(const struct graft_rule *r, unsigned n,
	const struct graft_ip *ip, unsigned port, int type)
{
	const struct graft_rule *best = 0;
	int bscore = 0, wild = -1, score, star;

	for (; n--; r++) {
		star = r->ip.family == AF_UNSPEC;
		if ((r->ip.family != ip->family && !star) || port < r->lo || port > r->hi
		 || !__graft_rule_type(r, type)) continue;
		if (!star && !memcmp(r->ip.a, ip->a, 16)) {
			score = 3;
		} else if (star && __graft_ip_any(ip)) {
			score = 1;
		} else {
			if (!__graft_ip_any(&r->ip)) continue;
			/* asked once, and only when a wildcard rule's ports hold */
			if (wild < 0) wild = !__graft_ip_any(ip) && !__graft_ip_loopback(ip);
			if (!wild) continue;
			score = star ? 1 : 2;
		}
		if (score > bscore || (score == bscore && r->hi - r->lo < best->hi - best->lo)) {
			best = r;
			bscore = score;
		}
	}
	return best;
}

/* The file's rules first; the broker's (the last nbin) only for a bind
 * none of them takes */
const struct graft_rule *__graft_match_in(const struct graft_conf *c, const struct graft_ip *ip,
	unsigned port, int type)
{
	unsigned own = c->nin - c->nbin;
	const struct graft_rule *r = best_in(c->in, own, ip, port, type);
	return r || !c->nbin ? r : best_in(c->in + own, c->nbin, ip, port, type);
}

static int prefix_eq(const uint8_t *a, const uint8_t *b, unsigned plen)
{
	unsigned n = plen / 8, bits = plen % 8;
	if (memcmp(a, b, n)) return 0;
	return !bits || !((a[n] ^ b[n]) & (uint8_t)(0xff00 >> bits));
}

#define BUILTIN(fam, pl, ...) { .ip = { fam, { __VA_ARGS__ } }, .plen = pl, \
	.local = 1, .src = GRAFT_SRC_BUILTIN, .ep = "local" }
static const struct graft_rule builtin[] = {
	BUILTIN(AF_INET, 8, 127),
	BUILTIN(AF_INET, 32, 0),
	BUILTIN(AF_INET6, 128, [15] = 1),
	BUILTIN(AF_INET6, 128, 0),
};

/* The longest of the n rules at r holding ip, if longer than best. */
static const struct graft_rule *longest(const struct graft_rule *r, unsigned n,
	const struct graft_ip *ip, int type, const struct graft_rule *best)
{
	for (; n--; r++)
		if (r->ip.family == ip->family && prefix_eq(r->ip.a, ip->a, r->plen)
		 && __graft_rule_type(r, type) && (!best || r->plen > best->plen))
			best = r;
	return best;
}

/* The file's rules first; the broker's (the last nbeg) only for a
 * destination none of them holds */
const struct graft_rule *__graft_match_eg_user(const struct graft_conf *c, const struct graft_ip *ip, int type)
{
	unsigned own = c->neg - c->nbeg;
	const struct graft_rule *r = longest(c->eg, own, ip, type, 0);
	return r || !c->nbeg ? r : longest(c->eg + own, c->nbeg, ip, type, 0);
}

const struct graft_rule *__graft_match_eg(const struct graft_conf *c, const struct graft_ip *ip, int type)
{
	/* user rules first: on equal length they win over the builtin ones */
	return longest(builtin, sizeof builtin / sizeof *builtin, ip, type,
		__graft_match_eg_user(c, ip, type));
}

/* The rule for a resolver query to nameserver ip: the "dns" line, else
 * the egress rules, as for any destination */
const struct graft_rule *__graft_match_dns(const struct graft_conf *c, const struct graft_ip *ip, int type)
{
	return c->ndns ? &c->dns : __graft_match_eg(c, ip, type);
}

/* A connect() from inside to a listener grafted from here: a stream
 * destination in the namespace's loopback or its wildcard on a port an
 * ingress rule covers, as a bind of that address, else of the wildcard
 * of its family, would be; a "local" rule keeps it here. */
const struct graft_rule *__graft_match_reach(const struct graft_conf *c, const struct graft_ip *ip, unsigned port)
{
	const struct graft_rule *r;
	struct graft_ip any;

	if (!c->nin || (!__graft_ip_loopback(ip) && !__graft_ip_any(ip))) return 0;
	if (!(r = __graft_match_in(c, ip, port, SOCK_STREAM))) {
		memset(&any, 0, sizeof any);
		any.family = ip->family;
		r = __graft_match_in(c, &any, port, SOCK_STREAM);
	}
	return r && !r->local ? r : 0;
}
