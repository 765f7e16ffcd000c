/* graft_hooks.h - the only interface between musl's own files and the graft
 * core.  Each patched musl function calls one of these at its top (or, for
 * the *_done hooks, after it succeeded).  A hook returns GRAFT_PASS when musl
 * should carry on as if graft did not exist, else the result to return:
 * a value >= 0 or a -errno, which the caller turns into errno with
 * __syscall_ret().  Everything behind these names lives in src/graft/. */
#ifndef GRAFT_HOOKS_H
#define GRAFT_HOOKS_H

#include <features.h>
#include <sys/socket.h>

#define GRAFT_PASS (-0x10000L)

/* Whether a hook can have anything to do in this process: nonzero until the
 * configuration turns out to have no rules (GRAFT_ON_CONF is then cleared),
 * and again as soon as any fd is recorded (GRAFT_ON_FDS, never cleared).
 * Tested inline by the musl hooks, so a process without rules pays a load
 * and a branch per socket call.  socket(AF_GRAFT) always asks. */
extern hidden int __graft_on;
#define GRAFT_ON_CONF	1
#define GRAFT_ON_FDS	2
#define GRAFT_ON(call)	(__graft_on ? (call) : GRAFT_PASS)
#define GRAFT_WANTS_SOCKET(domain)	(__graft_on || (domain) == 4)

/* The entry points of the patched socket functions while __graft_on is
 * set (hook_call.c): the hook, then stock (musl's own body) unless the
 * hook answered.  They return what the public function returns. */
hidden int __graft_socket_call(int, int, int, int (*stock)(int, int, int));
hidden int __graft_bind_call(int, const struct sockaddr *, socklen_t,
	int (*stock)(int, const struct sockaddr *, socklen_t));
hidden int __graft_connect_call(int, const struct sockaddr *, socklen_t,
	int (*stock)(int, const struct sockaddr *, socklen_t));
hidden ssize_t __graft_sendto_call(int, const void *, size_t, int, const struct sockaddr *, socklen_t,
	ssize_t (*stock)(int, const void *, size_t, int, const struct sockaddr *, socklen_t));
hidden ssize_t __graft_sendmsg_call(int, const struct msghdr *, int,
	ssize_t (*stock)(int, const struct msghdr *, int));
hidden int __graft_setsockopt_call(int, int, int, const void *, socklen_t,
	int (*stock)(int, int, int, const void *, socklen_t));
hidden int __graft_getsockopt_call(int, int, int, void *, socklen_t *,
	int (*stock)(int, int, int, void *, socklen_t *));
hidden int __graft_getsockname_call(int, struct sockaddr *, socklen_t *,
	int (*stock)(int, struct sockaddr *, socklen_t *));
hidden int __graft_listen_call(int, int, int (*stock)(int, int));

struct address;

hidden long __graft_socket(int domain, int type, int protocol);
hidden void __graft_socket_done(int fd, int domain, int type, int protocol);
hidden long __graft_bind(int fd, const struct sockaddr *sa, socklen_t len);
hidden long __graft_connect(int fd, const struct sockaddr *sa, socklen_t len);
hidden long __graft_sendto(int fd, const struct sockaddr *sa, socklen_t len);
hidden long __graft_sendmsg(int fd, const struct msghdr *msg);
hidden long __graft_setsockopt(int fd, int level, int name, const void *val, socklen_t len);
hidden void __graft_setsockopt_done(int fd, int level, int name, const void *val, socklen_t len);
hidden long __graft_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
hidden long __graft_getsockname(int fd, struct sockaddr *sa, socklen_t *len);
hidden long __graft_listen(int fd);
hidden void __graft_close(int fd);
hidden void __graft_dup_done(int oldfd, int newfd);
struct epoll_event;
hidden void __graft_epoll_ctl_done(int epfd, int op, int fd, const struct epoll_event *ev);

/* _Fork, in the child (musl-patches/0006 calls it always, so every program
 * links hook_fork.c): reset the core's locks and close the parent's spare
 * egress sockets, for the parts the program linked (hook_fork.c's weak
 * dummies stand in for the others). */
hidden void __graft_fork_child(void);

/* socket() for libc's own internal use (the resolver's probes): never
 * grafted.  The resolver's sockets to its nameservers: grafted only by a
 * "dns" line or an egress rule covering the nameserver (hook_socket.c). */
hidden int __graft_raw_socket(int domain, int type, int protocol);
hidden int __graft_dns_socket(int domain, int type, int protocol);

/* lookup_name.c: names from graft.conf "host" lines, before /etc/hosts.
 * Returns the number of addresses written, 0 for no match, or -EAI_*. */
hidden int __graft_lookup_host(struct address *buf, char *canon, const char *name, int family);

/* getaddrinfo()/getnameinfo() with AF_GRAFT (EAI_* result, or GRAFT_PASS). */
struct addrinfo;
hidden long __graft_getaddrinfo(const char *host, const char *serv, const struct addrinfo *hint, struct addrinfo **res);
hidden long __graft_getnameinfo(const struct sockaddr *sa, socklen_t sl, char *host, socklen_t hl, char *serv, socklen_t svl, int flags);

#endif
