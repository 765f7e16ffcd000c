/* graft_sockopt.c - socket options and names.  A placeholder's successful
 * setsockopt calls are recorded to be carried over to its host socket.
 * Reads are never translated: once grafted, getsockopt and getsockname
 * see the real host socket (SO_ERROR, SO_DOMAIN, the real port of a
 * port-0 bind...), which is the truthful view (docs/core.md). */
#include "graft_core.h"
#include "graft_hooks.h"

long __graft_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	(void)fd, (void)level, (void)name, (void)val, (void)len;
	return GRAFT_PASS;
}

void __graft_setsockopt_done(int fd, int level, int name, const void *val, socklen_t len)
{
	if (__graft_fd_has(fd)) __graft_fd_addopt(fd, level, name, val, len);
}

long __graft_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	(void)fd, (void)level, (void)name, (void)val, (void)len;
	return GRAFT_PASS;
}

long __graft_getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	(void)fd, (void)sa, (void)len;
	return GRAFT_PASS;
}
