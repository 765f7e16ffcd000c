/* graft_broker.h - the request for a host socket and the connection to graftd.
 * Internal to libc: hidden, __graft_-prefixed (docs/core.md). */
#ifndef GRAFT_BROKER_H
#define GRAFT_BROKER_H

#include "graft_log.h"
#include "graft_fd.h"

/* broker_req.c: the request for a socket */
hidden int __graft_opt_prebind(const struct graft_sopt *);
hidden unsigned __graft_req_build(struct graft_req *, const struct graft_fdstate *,
	const char *ep, unsigned flags, unsigned port);

/* broker.c */
struct graft_bres {
	int fd;			/* the host socket, or -1: fds[0] */
	unsigned nfds;		/* received: 1, or up to the count of a batch */
	int fds[GRAFT_PROTO_MAXBATCH];
	int err;		/* 0, or positive errno */
	int transport;		/* err is ours (graftd unreachable), not graftd's */
	const char *step;	/* what failed, for the log line */
	struct graft_rep rep;
	int inos;		/* GRAFT_F_INOS asked: a grant's fds' identities */
	dev_t dev;
	uint64_t ino[GRAFT_PROTO_MAXBATCH];
	size_t len;		/* __graft_broker_record: the record's length */
};
hidden void __graft_broker_call(const char *path, const struct graft_req *, struct graft_bres *);
/* a reply that is one record of up to size - 1 bytes, no fds (GRAFT_OP_RULES) */
hidden void __graft_broker_record(const char *path, const struct graft_req *, void *buf,
	size_t size, struct graft_bres *);
/* a batch request sent ahead of need, its reply read later (pool.c) */
hidden int __graft_broker_post(const char *path, const struct graft_req *, void *owner);
hidden void __graft_broker_collect(void *owner);
hidden void __graft_pool_posted(void *owner, const struct graft_bres *);
/* "broker PATH: STEP: REASON", and graftd's reason for a refusal */
hidden void __graft_msg_broker(struct graft_msg *, const char *broker, const struct graft_bres *);
hidden const char *__graft_reason(unsigned);

#endif
