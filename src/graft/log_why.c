/* log_why.c - "verbose": one line for every socket a rule could have
 * concerned that stays in the namespace, saying why, e.g.
 *   graft: bind 127.0.0.1:6379 kept local: loopback
 * Called only with verbose on: these lines cost nothing otherwise.  The
 * list of such decisions is in docs/core.md ("Why a socket stayed local"). */
#include <string.h>
#include <netinet/in.h>
#include "graft_conf.h"
#include "graft_log.h"

/* "graft: CALL ADDR:PORT kept local: " */
static void head(struct graft_msg *m, const char *call, const struct graft_ip *ip, unsigned port)
{
	m->n = 0;
	__graft_msgf(m, "graft: %s %I:%u kept local: ", call, ip, port);
}

/* A rule of ip's family, or a "*" one (both) */
static int fits(const struct graft_rule *r, const struct graft_ip *ip)
{
	return r->ip.family == ip->family || r->ip.family == AF_UNSPEC;
}

/* The ingress rule nearest to a bind none took: one whose range holds
 * the port, for the socket's type if there is one, then of the bind's
 * family. */
static const struct graft_rule *near_in(const struct graft_conf *c, const struct graft_ip *ip,
	unsigned port, int type)
{
	const struct graft_rule *best = 0;
	int bscore = -1, score;
	unsigned i;

	for (i = 0; i < c->nin; i++) {
		const struct graft_rule *r = c->in + i;
		if (port < r->lo || port > r->hi) continue;
		score = 2 * __graft_rule_type(r, type) + fits(r, ip);
		if (score > bscore) best = r, bscore = score;
	}
	return best;
}

/* A bind of ip:port on a socket of type that no ingress rule took (r 0),
 * or a "local" one. */
void __graft_why_bind(const struct graft_conf *c, const struct graft_rule *r,
	const struct graft_ip *ip, unsigned port, int type)
{
	struct graft_msg m;

	if (!c->nin) return;
	head(&m, "bind", ip, port);
	if (r)
		__graft_msgf(&m, "%R", r, 1);
	else if (!(r = near_in(c, ip, port, type)))
		__graft_msgf(&m, "no ingress rule for port %u", port);
	else if (__graft_ip_loopback(ip))
		/* wildcard rules never widen a loopback bind to the host */
		__graft_msgf(&m, "loopback");
	else if (!__graft_rule_type(r, type))
		/* a broker rule of a port mapped for the other protocol */
		__graft_msgf(&m, "%R is %s only", r, 1, r->type == SOCK_STREAM ? "tcp" : "udp");
	else if (!fits(r, ip)) {
		/* [::] is not 0.0.0.0, nor the converse: "*" is both */
		struct graft_rule both = *r;
		memset(&both.ip, 0, sizeof both.ip);
		both.ip.family = AF_UNSPEC;
		__graft_msgf(&m, "%R%s; %R takes both", r, 1,
			r->ip.family == AF_INET ? " is IPv4 only" : " is IPv6 only", &both, 1);
	} else
		__graft_msgf(&m, "%R names another address", r, 1);
	__graft_log(&m);
}

/* A call (GRAFT_CALL_*) to ip:port on fd that stays local, though r
 * (why GRAFT_WHY_LOOPSRC, _STALE) or a user rule would have taken it. */
void __graft_why_call(const struct graft_conf *c, int fd, int type, int call,
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
	 && !(u = __graft_match_eg_user(c, ip, type))) return;
	head(&m, name[call], ip, port);
	if (why == GRAFT_WHY_LOOPSRC) {
		/* a failed getsockname: a length no family has, said "?" */
		if (g_getsockname(fd, a, &sl)) sl = 0;
		__graft_msgf(&m, "fd %d was bound to loopback %S first, not ", fd,
			a, sl < sizeof a ? sl : sizeof a);
	} else if (why == GRAFT_WHY_STALE) {
		__graft_msgf(&m, "fd %d no longer holds the socket socket() made, not ", fd);
	}
	__graft_msgf(&m, "%R", r, call == GRAFT_CALL_BIND);
	if (why == GRAFT_WHY_RULE && r->src == GRAFT_SRC_BUILTIN)
		/* e.g. egress 0.0.0.0/0 -> ep does not cover 127/8 */
		__graft_msgf(&m, " (builtin) is longer than %R", u, 0);
	__graft_log(&m);
}
