/* graft_view.h - the program's address view of grafted ingress sockets.
 * Internal to libc: hidden, __graft_-prefixed (docs/core.md). */
#ifndef GRAFT_VIEW_H
#define GRAFT_VIEW_H

#include "graft_conf.h"

/* view.c: the program's address view of grafted ingress sockets */
hidden int __graft_view_of(const struct graft_conf *, const struct graft_rule *);
hidden void __graft_view_add(int fd, int on, int domain, const struct graft_ip *, unsigned port);
hidden void __graft_view(int fd, struct sockaddr *, socklen_t *, socklen_t cap);
hidden int __graft_view_cap(int fd, socklen_t *len, socklen_t *cap);
/* view.c: sockets grafted to a unix endpoint */
hidden void __graft_unix_note(int fd);
hidden int __graft_unix_grafted(int fd);
hidden int __graft_unix_peer(int fd);

#endif
