/* graft_kernel.h - host sockets from the AF_GRAFT kernel module.
 * Internal to libc: hidden, __graft_-prefixed (docs/core.md). */
#ifndef GRAFT_KERNEL_H
#define GRAFT_KERNEL_H

#include "graft_fd.h"
#include "graft_conf.h"

/* kernel_provider.c: graftd or the AF_GRAFT kernel module */
hidden int __graft_kernel_has(void);
hidden int __graft_provider(const struct graft_conf *);

/* kernel.c: a host socket from the module for an inet graft */
hidden long __graft_kernel_obtain(const struct graft_fdstate *, const char *ep,
	int *badopt, const char **step);

#endif
