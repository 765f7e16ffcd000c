/* graft_why.c - "verbose": one line for every socket a rule could have
 * concerned that stays in the namespace, saying why, e.g.
 *   graft: bind 127.0.0.1:6379 kept local: loopback
 * Called only with verbose on: these lines cost nothing otherwise.  The
 * list of such decisions is in docs/core.md ("Why a socket stayed local"). */
#include <netinet/in.h>
#include "graft_core.h"

/* "graft: CALL ADDR:PORT kept local: " */
static void head(struct graft_msg *m, const char *call, const struct graft_ip *ip, unsigned port)
{
	m->n = 0;
	__graft_msg_str(m, "graft: ");
	__graft_msg_str(m, call);
	__graft_msg_str(m, " ");
	__graft_msg_ip(m, ip, 1);
	__graft_msg_str(m, ":");
	__graft_msg_num(m, port);
	__graft_msg_str(m, " kept local: ");
}

/* The ingress rule nearest to a bind none took: one whose range holds
 * the port, of the bind's family if there is one. */
static const struct graft_rule *near_in(const struct graft_conf *c, const struct graft_ip *ip, unsigned port)
{
	const struct graft_rule *best = 0;
	unsigned i;

	for (i = 0; i < c->nin; i++) {
		const struct graft_rule *r = c->in + i;
		if (port < r->lo || port > r->hi) continue;
		if (!best || (r->ip.family == ip->family && best->ip.family != ip->family))
			best = r;
	}
	return best;
}

/* A bind of ip:port that no ingress rule took (r 0), or a "local" one. */
void __graft_why_bind(const struct graft_conf *c, const struct graft_rule *r,
	const struct graft_ip *ip, unsigned port)
{
	struct graft_msg m;

	if (!c->nin) return;
	head(&m, "bind", ip, port);
	if (r) {
		__graft_msg_rule(&m, r, 1);
	} else if (!(r = near_in(c, ip, port))) {
		__graft_msg_str(&m, "no ingress rule for port ");
		__graft_msg_num(&m, port);
	} else if (__graft_ip_loopback(ip)) {
		/* wildcard rules never widen a loopback bind to the host */
		__graft_msg_str(&m, "loopback");
	} else if (r->ip.family != ip->family) {
		/* [::] is not 0.0.0.0, nor the converse */
		__graft_msg_rule(&m, r, 1);
		__graft_msg_str(&m, r->ip.family == AF_INET ? " is IPv4 only" : " is IPv6 only");
	} else {
		__graft_msg_rule(&m, r, 1);
		__graft_msg_str(&m, " names another address");
	}
	__graft_log(&m);
}

/* A call (GRAFT_CALL_*) to ip:port on fd that stays local, though r
 * (why GRAFT_WHY_LOOPSRC, _STALE) or a user rule would have taken it. */
void __graft_why_call(const struct graft_conf *c, int fd, int call,
	const struct graft_rule *r, const struct graft_ip *ip, unsigned port, int why)
{
	static const char *const name[] = { "sendto", "connect", "bind" };
	struct graft_msg m;
	const struct graft_rule *u = 0;
	unsigned char a[GRAFT_PROTO_ADDRMAX];
	socklen_t sl = sizeof a;

	/* a builtin local rule (127/8, ::1...) beat no user rule: nothing
	 * of the user's concerned this destination */
	if (why == GRAFT_WHY_RULE && r->src == GRAFT_SRC_BUILTIN
	 && !(u = __graft_match_eg_user(c, ip))) return;
	head(&m, name[call], ip, port);
	if (why == GRAFT_WHY_LOOPSRC) {
		__graft_msg_str(&m, "fd ");
		__graft_msg_num(&m, fd);
		__graft_msg_str(&m, " was bound to loopback ");
		if (g_getsockname(fd, a, &sl)) __graft_msg_str(&m, "?");
		else __graft_msg_sa(&m, a, sl < sizeof a ? sl : sizeof a);
		__graft_msg_str(&m, " first, not ");
	} else if (why == GRAFT_WHY_STALE) {
		__graft_msg_str(&m, "fd ");
		__graft_msg_num(&m, fd);
		__graft_msg_str(&m, " no longer holds the socket socket() made, not ");
	}
	__graft_msg_rule(&m, r, call == GRAFT_CALL_BIND);
	if (why == GRAFT_WHY_RULE && r->src == GRAFT_SRC_BUILTIN) {
		/* e.g. egress 0.0.0.0/0 -> ep does not cover 127/8 */
		__graft_msg_str(&m, " (builtin) is longer than ");
		__graft_msg_rule(&m, u, 0);
	}
	__graft_log(&m);
}
