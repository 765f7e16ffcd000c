/* hook_fd.c - fd lifetime: close() forgets, dup*() and fcntl(F_DUPFD*)
 * let the new number share the state of the old one.  Both cost one
 * table probe when the fd is not a recorded socket.  epoll_ctl() on a
 * placeholder is remembered so that the graft can register the host socket. */
#include <sys/epoll.h>
#include "graft_fd.h"
#include "graft_hooks.h"

void __graft_close(int fd)
{
	if (__graft_fd_has(fd)) __graft_fd_forget(fd, 0);
}

void __graft_dup_done(int oldfd, int newfd)
{
	if (oldfd != newfd && (__graft_fd_has(oldfd) || __graft_fd_has(newfd)))
		__graft_fd_dup(oldfd, newfd);
}

/* A placeholder registered with epoll must be registered again once it is
 * a host socket: dup3() drops the placeholder's file from epoll sets. */
void __graft_epoll_ctl_done(int epfd, int op, int fd, const struct epoll_event *ev)
{
	if (__graft_fd_has(fd) != GRAFT_FD_PENDING) return;
	if (op == EPOLL_CTL_DEL || !ev) __graft_fd_epoll(fd, epfd, EPOLL_CTL_DEL, 0, 0);
	else __graft_fd_epoll(fd, epfd, op, ev->events, ev->data.u64);
}
