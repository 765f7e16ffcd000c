/* graft_log.h - one-line messages (log.c) and "verbose" (log_why.c).
 * Internal to libc: hidden, __graft_-prefixed (docs/core.md). */
#ifndef GRAFT_LOG_H
#define GRAFT_LOG_H

#include <stdarg.h>
#include "graft_conf.h"

/* log.c: one line, no stdio */
struct graft_msg {
	unsigned n;
	char b[400];
};
hidden void __graft_log(struct graft_msg *);
/* printf-like, a few conversions of our own: see log.c */
#define GRAFT_MSG_PREC		64	/* the largest %.*s */
hidden void __graft_vmsgf(struct graft_msg *, const char *, va_list);
hidden void __graft_msgf(struct graft_msg *, const char *, ...);
hidden void __graft_logf(const char *, ...);
/* conf_parse.c: where a rule came from ("FILE:LINE", "GRAFT_INGRESS item N") */
hidden void __graft_msg_src(struct graft_msg *, const struct graft_conf *, int src, unsigned line);

/* log_why.c: "verbose" lines for sockets a rule could have concerned
 * that stay in the namespace */
hidden void __graft_why_bind(const struct graft_conf *, const struct graft_rule *,
	const struct graft_ip *, unsigned port, int type);
hidden void __graft_why_call(const struct graft_conf *, int fd, int type, int call,
	const struct graft_rule *, const struct graft_ip *, unsigned port, int why);
#define GRAFT_CALL_SEND		0	/* sendto, sendmsg */
#define GRAFT_CALL_CONNECT	1
#define GRAFT_CALL_BIND		2
#define GRAFT_WHY_RULE		0	/* r is a local rule */
#define GRAFT_WHY_LOOPSRC	1	/* fd was bound to loopback first */
#define GRAFT_WHY_STALE		2	/* fd no longer holds the recorded socket */

#endif
