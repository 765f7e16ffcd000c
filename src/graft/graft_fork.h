/* graft_fork.h - each part's reset in a forked child (hook_fork.c, from _Fork).
 * Internal to libc: hidden, __graft_-prefixed (docs/core.md). */
#ifndef GRAFT_FORK_H
#define GRAFT_FORK_H

#include "graft_sys.h"

hidden void __graft_pool_forked(void);
hidden void __graft_broker_forked(void);
hidden void __graft_conf_forked(void);
hidden void __graft_fd_forked(int);
hidden int __graft_tlock_forked(void);

#endif
