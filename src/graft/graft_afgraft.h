/* graft_afgraft.h - AF_GRAFT sockets emulated by libc.
 * Internal to libc: hidden, __graft_-prefixed (docs/core.md). */
#ifndef GRAFT_AFGRAFT_H
#define GRAFT_AFGRAFT_H

#include "graft.h"		/* the public AF_GRAFT header, include/ */
#include "graft_fd.h"

/* afgraft.c: AF_GRAFT sockets without the module */
hidden long __graft_afg_socket(int type, int protocol);
hidden long __graft_afg_bind(int fd, const struct graft_fdstate *, const struct sockaddr *, socklen_t);
hidden long __graft_afg_egress(int fd, const struct graft_fdstate *);
/* afgraft_opt.c */
hidden long __graft_afg_setsockopt(int fd, const struct graft_fdstate *, int level, int name, const void *val, socklen_t len);
hidden long __graft_afg_getsockopt(int fd, const struct graft_fdstate *, int level, int name, void *val, socklen_t *len);
hidden long __graft_afg_getsockname(int fd, const struct graft_fdstate *, struct sockaddr *, socklen_t *);

#endif
