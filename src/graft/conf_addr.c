/* conf_addr.c - the tokens of graft.conf and of the GRAFT_*_CONVERT
 * variables: addresses, ports, prefixes, endpoint names.  Each parser
 * returns 0 (or NULL) on success, else the problem in a few words. */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "graft_conf.h"
#include "graft_log.h"

static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

/* IPv4 dotted quad or IPv6; a v4-mapped IPv6 becomes IPv4, so that rules
 * and addresses compare in one form. */
int __graft_parse_ip(const char *s, size_t n, struct graft_ip *ip)
{
	char t[INET6_ADDRSTRLEN];
	if (!n || n >= sizeof t) return -1;
	memcpy(t, s, n);
	t[n] = 0;
	memset(ip, 0, sizeof *ip);
	ip->family = memchr(t, ':', n) ? AF_INET6 : AF_INET;
	if (inet_pton(ip->family, t, ip->a) != 1) return -1;
	if (ip->family == AF_INET6 && !memcmp(ip->a, v4mapped, 12)) {
		memmove(ip->a, ip->a + 12, 4);
		memset(ip->a + 4, 0, 12);
		ip->family = AF_INET;
	}
	return 0;
}

int __graft_parse_port(const char *s, size_t n, uint16_t *port)
{
	unsigned long v = 0;
	if (!n || n > 5) return -1;
	for (; n; n--, s++) {
		if (*s < '0' || *s > '9') return -1;
		v = v * 10 + (*s - '0');
	}
	if (v > 65535) return -1;
	*port = v;
	return 0;
}

/* ADDR:PORT[-PORT] with IPv6 in brackets; with lastcolon (the converter's
 * variable syntax) an IPv6 address may also go bare, split at the last ':'.
 * ADDR "*" is the wildcard of both families: r->ip.family AF_UNSPEC. */
const char *__graft_parse_ingress(const char *s, struct graft_rule *r, int lastcolon)
{
	const char *a = s, *ae = s, *p, *dash;
	size_t n = strlen(s);
	int star = s[0] == '*' && s[1] == ':';

	if (star) {
		memset(&r->ip, 0, sizeof r->ip);
		r->ip.family = AF_UNSPEC;
		p = s + 2;
	} else if (*s == '[') {
		a = s + 1;
		ae = strchr(a, ']');
		if (!ae || ae[1] != ':') return "bad address:port";
		p = ae + 2;
		if (!memchr(a, ':', ae - a)) return "bad address";
	} else {
		ae = strrchr(s, ':');
		if (!ae) return "missing :PORT in";
		p = ae + 1;
		if (memchr(s, ':', ae - s) && !lastcolon)
			return "IPv6 address needs [brackets] in";
	}
	if (!star && __graft_parse_ip(a, ae - a, &r->ip)) return "bad address";
	dash = strchr(p, '-');
	if (dash) {
		if (__graft_parse_port(p, dash - p, &r->lo)
		 || __graft_parse_port(dash + 1, s + n - dash - 1, &r->hi))
			return "bad port range";
		if (r->lo > r->hi) return "empty port range";
	} else {
		if (__graft_parse_port(p, s + n - p, &r->lo)) return "bad port";
		r->hi = r->lo;
	}
	return 0;
}

/* PREFIX[/LEN]; host bits beyond LEN are cleared. */
const char *__graft_parse_egress(const char *s, struct graft_rule *r)
{
	const char *slash = strchr(s, '/'), *a = s, *ae;
	size_t n = strlen(s);
	unsigned max, len, i;
	uint16_t v;

	ae = slash ? slash : s + n;
	if (*a == '[') {
		if (ae - a < 2 || ae[-1] != ']') return "bad prefix";
		a++, ae--;
		if (!memchr(a, ':', ae - a)) return "bad prefix";
	}
	if (__graft_parse_ip(a, ae - a, &r->ip)) return "bad prefix";
	max = memchr(a, ':', ae - a) ? 128 : 32;
	len = max;
	if (slash && (__graft_parse_port(slash + 1, s + n - slash - 1, &v) || v > max))
		return "bad prefix length";
	if (slash) len = v;
	/* a v4-mapped prefix counts its length in the IPv4 part */
	if (max == 128 && r->ip.family == AF_INET) {
		if (len < 96) return "bad prefix length";
		len -= 96;
	}
	r->plen = len;
	for (i = 0; i < 16; i++) {
		if (len >= 8) len -= 8;
		else {
			r->ip.a[i] &= (uint8_t)(0xff00 >> len);
			len = 0;
		}
	}
	return 0;
}

/* 1 to 16 printable characters; "local" means: stay in the namespace. */
const char *__graft_parse_epname(const char *s, struct graft_rule *r)
{
	size_t n = strlen(s), i;
	if (!n) return "missing endpoint";
	if (n > GRAFT_PROTO_EPNAME) return "endpoint name longer than 16 characters:";
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return "bad endpoint name";
	memset(r->ep, 0, sizeof r->ep);
	memcpy(r->ep, s, n);
	r->local = !strcmp(s, "local");
	return 0;
}

static int dup_error(struct graft_conf *c, const struct graft_rule *r,
	const struct graft_rule *o, const char *what)
{
	struct graft_msg m = { 0 };
	__graft_msgf(&m, "%s ", what);
	__graft_msg_src(&m, c, o->src, o->line);
	return __graft_conf_error(c, r->src, r->line, m.b, 0);
}

int __graft_add_ingress(struct graft_conf *c, const struct graft_rule *r)
{
	unsigned i;
	for (i = 0; i < c->nin; i++) {
		const struct graft_rule *o = c->in + i;
		/* nested ranges are fine (the narrower wins), crossing ones not */
		int inside = (r->lo >= o->lo && r->hi <= o->hi) || (o->lo >= r->lo && o->hi <= r->hi);
		int same = r->lo == o->lo && r->hi == o->hi;
		if (o->ip.family == r->ip.family && !memcmp(o->ip.a, r->ip.a, 16)
		 && o->lo <= r->hi && r->lo <= o->hi && (same || !inside))
			return dup_error(c, r, o, "overlaps the ingress rule of");
	}
	if (c->nin == GRAFT_MAX_INGRESS)
		return __graft_conf_error(c, r->src, r->line, "too many ingress rules (at most 64)", 0);
	c->in[c->nin++] = *r;
	return 0;
}

int __graft_add_egress(struct graft_conf *c, const struct graft_rule *r)
{
	unsigned i;
	for (i = 0; i < c->neg; i++) {
		const struct graft_rule *o = c->eg + i;
		if (o->ip.family == r->ip.family && o->plen == r->plen
		 && !memcmp(o->ip.a, r->ip.a, 16))
			return dup_error(c, r, o, "same prefix as the egress rule of");
	}
	if (c->neg == GRAFT_MAX_EGRESS)
		return __graft_conf_error(c, r->src, r->line, "too many egress rules (at most 64)", 0);
	c->eg[c->neg++] = *r;
	return 0;
}
