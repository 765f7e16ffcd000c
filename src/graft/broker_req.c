/* broker_req.c - the request for a host socket.  Options that only count
 * before the host bind() (address reuse, v6only, the receive buffer that
 * sizes the TCP window) travel in the request, in the order the app set
 * them, for graftd to apply; the caller replays all others itself. */
#include <string.h>
#include <netinet/in.h>
#include "graft_fd.h"
#include "graft_broker.h"

int __graft_opt_prebind(const struct graft_sopt *o)
{
	if (o->len != sizeof(int)) return 0;
	switch (o->level) {
	case SOL_SOCKET:
		return o->name == SO_REUSEADDR || o->name == SO_REUSEPORT
			|| o->name == SO_RCVBUF;
	case IPPROTO_IPV6:
		return o->name == IPV6_V6ONLY;
	}
	return 0;
}

/* Returns the bit mask of st->opt entries placed in the request. */
unsigned __graft_req_build(struct graft_req *q, const struct graft_fdstate *st,
	const char *ep, unsigned flags, unsigned port)
{
	unsigned i, mask = 0;
	size_t n = strlen(ep);

	memset(q, 0, sizeof *q);
	q->magic = GRAFT_PROTO_MAGIC;
	q->version = GRAFT_PROTO_VERSION;
	q->op = GRAFT_OP_GRAFT;
	q->flags = flags;
	q->family = st->domain;
	q->type = st->type;
	q->protocol = st->protocol;
	if (flags & GRAFT_F_PORT) q->port = port;
	memcpy(q->epname, ep, n < GRAFT_PROTO_EPNAME ? n : GRAFT_PROTO_EPNAME);
	for (i = 0; i < st->nopt && q->nopts < GRAFT_PROTO_MAXOPTS; i++) {
		const struct graft_sopt *o = st->opt + i;
		int v;
		if (!__graft_opt_prebind(o)) continue;
		memcpy(&v, o->val, sizeof v);
		q->opts[q->nopts].level = o->level;
		q->opts[q->nopts].name = o->name;
		q->opts[q->nopts].value = v;
		q->nopts++;
		mask |= 1u << i;
	}
	return mask;
}
