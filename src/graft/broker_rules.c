/* broker_rules.c - "rules broker": at the load of the configuration
 * (conf_load.c, under its lock, signals blocked) graftd is asked once for
 * the rules of this network namespace (GRAFT_OP_RULES, the `match` of each
 * endpoint a CNI attachment gave it), over the process's one connection
 * (broker.c), which stays open for the grafts.  Whatever goes wrong -
 * graftd unreachable, an older graftd, no table, a bad reply - the process
 * has no broker rules, the file's keep working, and "verbose" says why in
 * one line.  Not asked again: the rules of a container are attached
 * before it starts, and a process's rules never change under its threads.
 * Under secure execution too: the broker is the one /etc/graft.conf names. */
#include <string.h>
#include "graft_conf.h"
#include "graft_broker.h"

void __graft_broker_rules(struct graft_conf *c)
{
	struct graft_req q;
	struct graft_bres res;
	union {
		struct graft_rep rep;
		/* one byte more: a longer record is malformed */
		char b[sizeof(struct graft_rep) + GRAFT_PROTO_MAXRULES * sizeof(struct graft_wrule) + 1];
	} u;
	struct graft_msg m = { 0 };
	unsigned i;
	int n;

	memset(&q, 0, sizeof q);
	q.magic = GRAFT_PROTO_MAGIC;
	q.version = GRAFT_PROTO_VERSION;
	q.op = GRAFT_OP_RULES;
	__graft_broker_record(c->broker, &q, u.b, sizeof u.b, &res);
	__graft_msgf(&m, "graft: rules broker: ");
	if (res.err) {
		__graft_msg_broker(&m, c->broker, &res);
		n = -1;
	} else {
		__graft_msgf(&m, "broker %s: ", c->broker);
		n = __graft_conf_wrules(c, u.b, res.len, &m);
	}
	if (!c->verbose) return;
	if (n < 0) {
		__graft_msgf(&m, "; no broker rules");
		__graft_log(&m);
		return;
	}
	__graft_msgf(&m, "%u rule%s", (unsigned)n, n == 1 ? "" : "s");
	__graft_log(&m);
	for (i = 0; i < c->nbin; i++)
		__graft_logf("graft: broker rule %u: %R", c->in[c->nin - c->nbin + i].line,
			c->in + c->nin - c->nbin + i, 1);
	for (i = 0; i < c->nbeg; i++)
		__graft_logf("graft: broker rule %u: %R", c->eg[c->neg - c->nbeg + i].line,
			c->eg + c->neg - c->nbeg + i, 0);
}
