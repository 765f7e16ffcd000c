/* graft_swap.h - a host socket in place of the app's placeholder.
 * Internal to libc: hidden, __graft_-prefixed (docs/core.md). */
#ifndef GRAFT_SWAP_H
#define GRAFT_SWAP_H

#include "graft_fd.h"
#include "graft_conf.h"

/* swap.c */
hidden long __graft_graft(int fd, const struct graft_fdstate *, const struct graft_rule *,
	int ingress, unsigned port, int *hostfamily);
hidden long __graft_reach(int fd, const struct graft_fdstate *, const struct graft_rule *,
	unsigned port);
hidden int __graft_replay(int hfd, const struct graft_fdstate *, unsigned sent, int *bad);
hidden void __graft_log_grafted(int fd, const struct graft_rule *, int ingress,
	const void *addr, unsigned len, const char *note);
hidden int __graft_install(int hfd, int fd, const struct graft_fdstate *,
	const struct graft_rule *, int ingress);
hidden int __graft_swap(int hfd, int fd, uint64_t ino);

#endif
