/* afgraft_lookup.c - getaddrinfo() with hints.ai_family = AF_GRAFT: an
 * endpoint name resolves to one struct sockaddr_gr; getnameinfo() on a
 * sockaddr_gr gives the endpoint name back.  Every other family passes to
 * musl untouched.  graft.conf "endpoint" lines, when present, list the only
 * names that resolve; otherwise any well-formed name does (graftd or the
 * module decides at bind).  The result is built exactly as musl's
 * getaddrinfo builds its own (an array of struct aibuf, one calloc), so
 * musl's freeaddrinfo() frees it. */
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <netinet/in.h>
#include "graft_conf.h"
#include "graft_hooks.h"

/* Must stay identical to musl's src/network/lookup.h (not on our path). */
struct aibuf {
	struct addrinfo ai;
	union sa {
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} sa;
	volatile int lock[1];
	short slot, ref;
};
_Static_assert(sizeof(struct sockaddr_gr) <= sizeof(union sa), "sockaddr_gr fits");

static int known(const struct graft_conf *c, const char *name)
{
	unsigned i;
	if (!c->nep) return 1;
	for (i = 0; i < c->nep; i++)
		if (!strcmp(c->eps[i], name)) return 1;
	return 0;
}

long __graft_getaddrinfo(const char *host, const char *serv, const struct addrinfo *hint, struct addrinfo **res)
{
	const struct graft_conf *c;
	struct aibuf *out;
	size_t n;
	int flags;
	const int mask = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED
		| AI_ALL | AI_ADDRCONFIG | AI_NUMERICSERV;

	(void)serv;	/* an endpoint has no service: its port is the host's */
	if (!hint || hint->ai_family != AF_GRAFT) return GRAFT_PASS;
	c = __graft_conf();
	if (c->off) return GRAFT_PASS;
	flags = hint->ai_flags;
	if ((flags & mask) != flags) return EAI_BADFLAGS;
	if (!host) return EAI_NONAME;
	n = strlen(host);
	if (!__graft_epname_ok(host, n) || !known(c, host)) return EAI_NONAME;
	out = calloc(1, sizeof *out + ((flags & AI_CANONNAME) ? n + 1 : 0));
	if (!out) return EAI_MEMORY;
	out->slot = 0;
	out->ref = 1;
	out->ai.ai_flags = 0;
	out->ai.ai_family = AF_GRAFT;
	out->ai.ai_socktype = hint->ai_socktype;
	out->ai.ai_protocol = hint->ai_protocol;
	out->ai.ai_addrlen = sizeof(struct sockaddr_gr);
	out->ai.ai_addr = (void *)&out->sa;
	((struct sockaddr_gr *)&out->sa)->sgr_family = AF_GRAFT;
	memcpy(((struct sockaddr_gr *)&out->sa)->sgr_epname, host, n);
	if (flags & AI_CANONNAME) {
		out->ai.ai_canonname = (void *)(out + 1);
		memcpy(out->ai.ai_canonname, host, n + 1);
	}
	*res = &out->ai;
	return 0;
}

long __graft_getnameinfo(const struct sockaddr *sa, socklen_t sl, char *host, socklen_t hl, char *serv, socklen_t svl, int flags)
{
	const struct sockaddr_gr *gr = (const void *)sa;
	size_t n;

	if (!sa || sa->sa_family != AF_GRAFT || __graft_conf()->off) return GRAFT_PASS;
	if (sl < sizeof *gr) return EAI_FAMILY;
	n = strnlen(gr->sgr_epname, sizeof gr->sgr_epname);
	if (host && hl) {
		if (!n && (flags & NI_NAMEREQD)) return EAI_NONAME;
		if (n >= hl) return EAI_OVERFLOW;
		memcpy(host, gr->sgr_epname, n);
		host[n] = 0;
	}
	if (serv && svl) *serv = 0;	/* no service */
	return 0;
}
