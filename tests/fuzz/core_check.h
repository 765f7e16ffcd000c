/* core_check.h - invariants of a parsed struct graft_conf, shared by the
 * graft.conf and GRAFT_*_CONVERT fuzz targets; also drives the rule
 * matcher and the message formatter with the parsed rules. */
#ifndef GRAFT_FUZZ_CORE_CHECK_H
#define GRAFT_FUZZ_CORE_CHECK_H

#include <string.h>
#include <arpa/inet.h>
#include "graft_conf.h"
#include "graft_log.h"
#include "fuzz.h"

static void
check_ep(const char *ep)
{
	size_t n = strnlen(ep, GRAFT_PROTO_EPNAME + 1), i;

	FUZZ_CHECK(n >= 1 && n <= GRAFT_PROTO_EPNAME);
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)ep[i] > ' ' &&
		    (unsigned char)ep[i] < 0x7f);
}

/* The broker's rules ("rules broker") are matched after all of the
 * file's: a file rule always finds a file rule; a broker rule finds a
 * file rule of any width, or one of its own tier at least as narrow. */
static int
broker(const struct graft_rule *r)
{
	return r->src == GRAFT_SRC_BROKER;
}

/* w, the rule matching a bind or destination r names, may be compared
 * with r for narrowness */
static int
same_tier(const struct graft_rule *r, const struct graft_rule *w)
{
	FUZZ_CHECK(broker(r) || !broker(w));
	if (w->src == GRAFT_SRC_BUILTIN)	/* may beat a shorter file rule */
		return !broker(r);
	return broker(r) == broker(w);
}

/* A socket type r holds: its own, SOCK_STREAM for a rule of any */
static int
type_of(const struct graft_rule *r)
{
	return r->type ? r->type : SOCK_STREAM;
}

/* A "*" rule: a wildcard bind of each family at its ports, of a type it
 * holds, finds a rule covering the port holding that type (a family's
 * own rule beats "*"), a "*" one at least as narrow. */
static void
check_star(const struct graft_conf *c, const struct graft_rule *r)
{
	static const int fam[2] = { AF_INET, AF_INET6 };
	const struct graft_rule *w;
	unsigned k, p;

	for (k = 0; k < 4; k++) {
		struct graft_ip any;

		memset(&any, 0, sizeof any);
		any.family = fam[k & 1];
		p = k & 2 ? r->hi : r->lo;
		w = __graft_match_in(c, &any, p, type_of(r));
		FUZZ_CHECK(w != NULL && w->lo <= p && p <= w->hi);
		FUZZ_CHECK(__graft_rule_type(w, type_of(r)));
		if (w->ip.family == AF_UNSPEC && same_tier(r, w))
			FUZZ_CHECK(w->hi - w->lo <= r->hi - r->lo);
	}
}

static void
check_conf(const struct graft_conf *c)
{
	struct graft_msg m;
	unsigned i, k;

	FUZZ_CHECK(c->state == GRAFT_CONF_INACTIVE ||
	    c->state == GRAFT_CONF_ACTIVE || c->state == GRAFT_CONF_BROKEN);
	FUZZ_CHECK(strnlen(c->err, sizeof c->err) < sizeof c->err);
	FUZZ_CHECK(strnlen(c->broker, sizeof c->broker) < sizeof c->broker);
	FUZZ_CHECK(c->broker[0] == '/');
	FUZZ_CHECK(c->nin - c->nbin <= GRAFT_MAX_INGRESS &&
	    c->neg - c->nbeg <= GRAFT_MAX_EGRESS && c->nhost <= GRAFT_MAX_HOSTS);
	FUZZ_CHECK(c->nbin <= c->nin && c->nbeg <= c->neg &&
	    c->nbin + c->nbeg <= GRAFT_MAX_BRULES);
	if (c->state == GRAFT_CONF_BROKEN) {
		FUZZ_CHECK(strncmp(c->err, "graft: ", 7) == 0);
		return;
	}
	FUZZ_CHECK(c->err[0] == '\0');
	for (i = 0; i < c->nin; i++) {
		const struct graft_rule *r = c->in + i, *w;

		FUZZ_CHECK(r->ip.family == AF_INET || r->ip.family == AF_INET6 ||
		    r->ip.family == AF_UNSPEC);
		FUZZ_CHECK(r->lo <= r->hi);
		check_ep(r->ep);
		FUZZ_CHECK(r->local == !strcmp(r->ep, "local"));
		/* a protocol only on the broker's: tcp or udp */
		FUZZ_CHECK(r->type == 0 || (broker(r) &&
		    (r->type == SOCK_STREAM || r->type == SOCK_DGRAM)));
		/* the broker's are the last, and never "local" */
		FUZZ_CHECK(broker(r) == (i >= c->nin - c->nbin));
		FUZZ_CHECK(!broker(r) || !r->local);
		if (r->ip.family == AF_UNSPEC) {
			static const uint8_t z[16];
			FUZZ_CHECK(!memcmp(r->ip.a, z, 16));
			check_star(c, r);
		} else {
			/* a bind to the rule's own address and ports finds a
			 * rule covering that port, at least as narrow */
			w = __graft_match_in(c, &r->ip, r->lo, type_of(r));
			FUZZ_CHECK(w != NULL && w->lo <= r->lo && r->lo <= w->hi);
			w = __graft_match_in(c, &r->ip, r->hi, type_of(r));
			FUZZ_CHECK(w != NULL && w->lo <= r->hi && r->hi <= w->hi);
			FUZZ_CHECK(__graft_rule_type(w, type_of(r)));
			if (same_tier(r, w))
				FUZZ_CHECK(w->hi - w->lo <= r->hi - r->lo);
		}
		m.n = 0;
		__graft_msgf(&m, "%R", r, 1);
		FUZZ_CHECK(m.n < sizeof m.b);
	}
	for (i = 0; i < c->neg; i++) {
		const struct graft_rule *r = c->eg + i, *w;
		unsigned max = r->ip.family == AF_INET ? 32 : 128;

		FUZZ_CHECK(r->ip.family == AF_INET || r->ip.family == AF_INET6);
		FUZZ_CHECK(r->plen <= max);
		check_ep(r->ep);
		FUZZ_CHECK(r->type == 0 || (broker(r) &&
		    (r->type == SOCK_STREAM || r->type == SOCK_DGRAM)));
		FUZZ_CHECK(broker(r) == (i >= c->neg - c->nbeg));
		FUZZ_CHECK(!broker(r) || !r->local);
		for (k = r->plen; k < max; k++)	/* host bits are cleared */
			FUZZ_CHECK(!(r->ip.a[k / 8] & (0x80 >> (k % 8))));
		if (r->ip.family == AF_INET)
			for (k = 4; k < 16; k++)
				FUZZ_CHECK(r->ip.a[k] == 0);
		w = __graft_match_eg(c, &r->ip, type_of(r));	/* longest prefix */
		FUZZ_CHECK(w != NULL && __graft_rule_type(w, type_of(r)));
		if (same_tier(r, w))
			FUZZ_CHECK(w->plen >= r->plen);
		m.n = 0;
		__graft_msgf(&m, "%R", r, 0);
		FUZZ_CHECK(m.n < sizeof m.b);
	}
	for (i = 0; i < c->nhost; i++) {
		const struct graft_host *h = c->host + i;

		FUZZ_CHECK(h->n >= 1 && h->n <= GRAFT_MAX_HADDR);
		FUZZ_CHECK(strnlen(h->name, sizeof h->name) < sizeof h->name);
		for (k = 0; k < h->n; k++) {
			FUZZ_CHECK(h->addr[k].family == AF_INET ||
			    h->addr[k].family == AF_INET6);
			m.n = 0;
			__graft_msgf(&m, "%I", &h->addr[k]);
		}
	}
#ifdef GRAFT_MAX_EPS
	FUZZ_CHECK(c->nep <= GRAFT_MAX_EPS);
	for (i = 0; i < c->nep; i++)
		check_ep(c->eps[i]);
#endif
	FUZZ_CHECK(c->ndns <= 1);
	if (c->ndns) {
		struct graft_ip any;

		check_ep(c->dns.ep);
		FUZZ_CHECK(c->dns.local == !strcmp(c->dns.ep, "local"));
		FUZZ_CHECK(c->dns.src == GRAFT_SRC_DNS);
		/* the "dns" line answers for every nameserver */
		memset(&any, 0, sizeof any);
		any.family = AF_INET;
		FUZZ_CHECK(__graft_match_dns(c, &any, SOCK_DGRAM) == &c->dns);
		m.n = 0;
		__graft_msgf(&m, "%R", &c->dns, 0);
		FUZZ_CHECK(m.n < sizeof m.b && !memcmp(m.b, "dns -> ", 7));
	}
	if (c->nin || c->neg || c->nhost || c->ndns)
		FUZZ_CHECK(c->state == GRAFT_CONF_ACTIVE);
}

#endif
