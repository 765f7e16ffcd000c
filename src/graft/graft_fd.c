/* graft_fd.c - fd lifetime: close() forgets, dup*() and fcntl(F_DUPFD*)
 * let the new number share the state of the old one.  Both cost one
 * table probe when the fd is not a recorded socket. */
#include "graft_core.h"
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
