/* graft_pool.h - spare egress sockets from graftd's batches (pool.c), handed
 * out by socket() (pool_spare.c).
 * Internal to libc: hidden, __graft_-prefixed (docs/core.md). */
#ifndef GRAFT_POOL_H
#define GRAFT_POOL_H

#include "graft_broker.h"

/* pool.c: spare egress sockets from graftd's batches */
struct graft_spare {
	int fd;
	uint64_t ino;
	char ep[GRAFT_PROTO_EPNAME];
};
hidden int __graft_pool_eligible(const struct graft_fdstate *);
hidden int __graft_spare_opt(const struct graft_sopt *);
hidden int __graft_pool_spare(const struct graft_conf *, int domain, int protocol, struct graft_spare *);
hidden int __graft_pool_streaking(void);
hidden void __graft_pool_streak(int hit);
hidden void __graft_pool_call(const struct graft_conf *, const struct graft_req *,
	unsigned *sent, struct graft_bres *);

/* pool_spare.c: socket() answered with a spare egress socket */
hidden long __graft_spare_socket(int domain, int type, int protocol);
hidden long __graft_spare_to_local(int fd, struct graft_fdstate *);
hidden void __graft_spare_used(int fd, const struct graft_fdstate *, const struct graft_rule *, int quiet);

#endif
