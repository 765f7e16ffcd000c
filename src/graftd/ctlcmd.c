/* ctlcmd.c - the commands graftctl sends on the control socket (their
 * plumbing, accept/read/answer, is control.c; attach, detach and check
 * are attach.c's).
 *
 * A request is one SOCK_SEQPACKET record: the command's words, each
 * terminated by a NUL byte (at most CTL_MAXREC bytes, CTL_MAXWORDS words).
 * The answer is zero or more records "D<text>" (output for stdout) and one
 * final record, "OK" or "E<errno> <message>".  See docs/protocol.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graft_reasons.h"
#include "graftd.h"
#include "control.h"
#include "log.h"

void
obuf_printf(struct obuf *o, const char *fmt, ...)
{
	va_list ap;
	size_t need;
	char *nb;
	int n;

	if (o->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	need = o->len + (size_t)n + 1;
	if (need > o->cap) {
		if (need > CTL_MAXOUT || (nb = realloc(o->buf, need * 2)) ==
		    NULL) {
			o->oom = 1;
			return;
		}
		o->buf = nb;
		o->cap = need * 2;
	}
	va_start(ap, fmt);
	vsnprintf(o->buf + o->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

void
obuf_free(struct obuf *o)
{
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

static int
split_record(char *rec, size_t len, char **argv)
{
	size_t i, start = 0;
	int argc = 0;

	if (len == 0 || rec[len - 1] != '\0')
		return -1;
	for (i = 0; i < len; i++) {
		if (rec[i] != '\0') {
			if ((unsigned char)rec[i] < 0x20 ||
			    (unsigned char)rec[i] >= 0x7f)
				return -1;
			continue;
		}
		if (argc == CTL_MAXWORDS || i == start)
			return -1;
		argv[argc++] = rec + start;
		start = i + 1;
	}
	return argc;
}

static int
cmd_add(int argc, char **argv, struct graftd *g, char *err, size_t errsz)
{
	struct ep_def ep;
	char line[640];
	int rv;

	if ((rv = parse_endpoint(argc, argv, &ep, err, errsz)) != 0 ||
	    (rv = ep_resolve_user(&ep, err, errsz)) != 0 ||
	    (rv = ts_add(g->ts, &ep, err, errsz)) != 0)
		return rv;
	share_configure(&g->conf, g->ts);	/* a table more: budgets */
	ep_format(&ep, line, sizeof(line));
	log_info("control: added endpoint %s", line);
	return 0;
}

static int
cmd_del(int argc, char **argv, struct graftd *g, char *err, size_t errsz)
{
	struct ns_spec ns;
	char nsname[NS_NAMEMAX + 1];
	int rv;

	if (argc != 3 || strcmp(argv[1], "netns") != 0) {
		snprintf(err, errsz, "usage: del NAME netns NAME|PID|host");
		return EINVAL;
	}
	if ((rv = parse_ns(argv[2], &ns, err, errsz)) != 0)
		return rv;
	if ((rv = ts_del(g->ts, argv[0], &ns, err, errsz)) != 0)
		return rv;
	share_configure(&g->conf, g->ts);	/* maybe a table less */
	ns_spec_str(&ns, nsname, sizeof(nsname));
	log_info("control: deleted endpoint %s netns %s", argv[0], nsname);
	return 0;
}

static void
show_text(struct graftd *g, struct obuf *o)
{
	struct nstable *nt;
	struct endpoint *ep;
	char line[640];

	TAILQ_FOREACH(nt, &g->ts->tables, entry)
		TAILQ_FOREACH(ep, &nt->eps, entry) {
			ep_format(&ep->def, line, sizeof(line));
			obuf_printf(o, "%s\n", line);
		}
}

/* ,"attach":ID[,"network":NAME] of an attachment's endpoints, or "" */
static void
attach_json(const struct nstable *nt, char *buf, size_t sz)
{
	size_t n;

	buf[0] = '\0';
	if (nt->attach == NULL)
		return;
	n = (size_t)snprintf(buf, sz, ",\"attach\":");
	n += json_str(nt->attach, buf + n, sz - n);
	if (nt->network && n < sz) {
		n += (size_t)snprintf(buf + n, sz - n, ",\"network\":");
		if (n < sz)
			json_str(nt->network, buf + n, sz - n);
	}
}

static void
show_json(struct graftd *g, struct obuf *o)
{
	struct nstable *nt;
	struct endpoint *ep;
	char obj[1536];
	char id[2 * (ATTACH_IDMAX + ATTACH_NETMAX) + 32];
	const char *sep = "";
	size_t n;

	obuf_printf(o, "[");
	TAILQ_FOREACH(nt, &g->ts->tables, entry)
		TAILQ_FOREACH(ep, &nt->eps, entry) {
			n = ep_format_json(&ep->def, obj, sizeof(obj));
			if (n == 0 || n >= sizeof(obj))
				continue;
			attach_json(nt, id, sizeof(id));
			if (id[0])		/* before the } */
				obj[n - 1] = '\0';
			obuf_printf(o, "%s%s%s%s", sep, obj, id,
			    id[0] ? "}" : "");
			sep = ",";
		}
	obuf_printf(o, "]\n");
}

static void
stats_text(struct graftd *g, struct obuf *o)
{
	struct nstable *nt;
	struct endpoint *ep;
	char ns[NS_NAMEMAX + 1];
	int r;

	TAILQ_FOREACH(nt, &g->ts->tables, entry) {
		ns_spec_str(&nt->spec, ns, sizeof(ns));
		TAILQ_FOREACH(ep, &nt->eps, entry)
			obuf_printf(o, "%s netns %s requests %llu grants %llu "
			    "refusals %llu\n", ep->def.name, ns,
			    (unsigned long long)ep->st.requests,
			    (unsigned long long)ep->st.grants,
			    (unsigned long long)ep->st.refusals);
	}
	obuf_printf(o, "total requests %llu grants %llu refusals %llu "
	    "sockets %llu\n", (unsigned long long)g->st.requests,
	    (unsigned long long)g->st.grants,
	    (unsigned long long)g->st.refusals,
	    (unsigned long long)g->st.sockets);
	for (r = 1; r <= GRAFT_R_MAX; r++)
		obuf_printf(o, "refused %s %llu\n", graft_reasons[r].key,
		    (unsigned long long)g->st.by_reason[r]);
}

static void
stats_json(struct graftd *g, struct obuf *o)
{
	struct nstable *nt;
	struct endpoint *ep;
	char ns[NS_NAMEMAX + 1], js[2 * NS_NAMEMAX + 3], jn[2 * EP_NAMESZ + 3];
	char id[2 * (ATTACH_IDMAX + ATTACH_NETMAX) + 32];
	const char *sep = "";
	int r;

	obuf_printf(o, "{\"endpoints\":[");
	TAILQ_FOREACH(nt, &g->ts->tables, entry) {
		ns_spec_str(&nt->spec, ns, sizeof(ns));
		json_str(ns, js, sizeof(js));
		attach_json(nt, id, sizeof(id));
		TAILQ_FOREACH(ep, &nt->eps, entry) {
			json_str(ep->def.name, jn, sizeof(jn));
			obuf_printf(o, "%s{\"name\":%s,\"netns\":%s%s,"
			    "\"requests\":%llu,\"grants\":%llu,"
			    "\"refusals\":%llu}", sep, jn, js, id,
			    (unsigned long long)ep->st.requests,
			    (unsigned long long)ep->st.grants,
			    (unsigned long long)ep->st.refusals);
			sep = ",";
		}
	}
	obuf_printf(o, "],\"requests\":%llu,\"grants\":%llu,\"refusals\":%llu,"
	    "\"sockets\":%llu,\"refused\":{", (unsigned long long)g->st.requests,
	    (unsigned long long)g->st.grants,
	    (unsigned long long)g->st.refusals,
	    (unsigned long long)g->st.sockets);
	for (r = 1; r <= GRAFT_R_MAX; r++)
		obuf_printf(o, "%s\"%s\":%llu", r > 1 ? "," : "",
		    graft_reasons[r].key, (unsigned long long)g->st.by_reason[r]);
	obuf_printf(o, "}}\n");
}

static int
cmd_view(int argc, char **argv, struct graftd *g, struct obuf *o, char *err,
    size_t errsz)
{
	int json = 0, stats = strcmp(argv[0], "stats") == 0;

	if (argc == 2 && strcmp(argv[1], "json") == 0)
		json = 1;
	else if (argc != 1) {
		snprintf(err, errsz, "usage: %s [json]", argv[0]);
		return EINVAL;
	}
	if (stats)
		(json ? stats_json : stats_text)(g, o);
	else
		(json ? show_json : show_text)(g, o);
	if (o->oom) {
		snprintf(err, errsz, "output too large");
		return ENOMEM;
	}
	return 0;
}

/* attachments [network NAME]: a line each, in attach order (a CNI GC
 * lists its network's). */
static int
cmd_attachments(int argc, char **argv, struct graftd *g, struct obuf *o,
    char *err, size_t errsz)
{
	char net[ATTACH_NETMAX + 1] = "";
	const struct nstable *nt;
	const struct endpoint *ep;
	unsigned n;

	if ((argc != 1 && argc != 3) || (argc == 3 &&
	    (strcmp(argv[1], "network") != 0 ||
	    parse_network(argv[2], net, sizeof(net)) == -1))) {
		snprintf(err, errsz, "usage: attachments [network NAME]");
		return EINVAL;
	}
	TAILQ_FOREACH(nt, &g->ts->tables, entry) {
		if (nt->attach == NULL || (net[0] && (nt->network == NULL ||
		    strcmp(nt->network, net) != 0)))
			continue;
		n = 0;
		TAILQ_FOREACH(ep, &nt->eps, entry)
			n++;
		obuf_printf(o, "%s netns %s endpoints %u%s%s\n", nt->attach,
		    nt->spec.name, n, nt->network ? " network " : "",
		    nt->network ? nt->network : "");
	}
	if (o->oom) {
		snprintf(err, errsz, "output too large");
		return ENOMEM;
	}
	return 0;
}

/* Run one request record; data for stdout in *o, errno or 0 returned. */
int
control_run(char *rec, size_t len, struct graftd *g, struct obuf *o,
    char *err, size_t errsz)
{
	char *argv[CTL_MAXWORDS];
	int argc;

	if ((argc = split_record(rec, len, argv)) <= 0) {
		snprintf(err, errsz, "malformed control request");
		return EBADMSG;
	}
	if (strcmp(argv[0], "add") == 0)
		return cmd_add(argc - 1, argv + 1, g, err, errsz);
	if (strcmp(argv[0], "del") == 0 && argc >= 2)
		return cmd_del(argc - 1, argv + 1, g, err, errsz);
	if (strcmp(argv[0], "attach") == 0)
		return cmd_attach(argc - 1, argv + 1, g, err, errsz);
	if (strcmp(argv[0], "detach") == 0)
		return cmd_detach(argc - 1, argv + 1, g, err, errsz);
	if (strcmp(argv[0], "check") == 0)
		return cmd_check(argc - 1, argv + 1, g, err, errsz);
	if (strcmp(argv[0], "attachments") == 0)
		return cmd_attachments(argc, argv, g, o, err, errsz);
	if (strcmp(argv[0], "show") == 0 || strcmp(argv[0], "stats") == 0)
		return cmd_view(argc, argv, g, o, err, errsz);
	snprintf(err, errsz, "unknown command \"%.32s\"", argv[0]);
	return EINVAL;
}
