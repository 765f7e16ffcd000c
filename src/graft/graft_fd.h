/* graft_fd.h - the per-fd state of sockets not yet grafted (fd_table.c).
 * Internal to libc: hidden, __graft_-prefixed (docs/core.md). */
#ifndef GRAFT_FD_H
#define GRAFT_FD_H

#include "graft_sys.h"
#include "graft_hooks.h"	/* __graft_on */
#include "graft_proto.h"
#include "graft.h"		/* AF_GRAFT */

/* fd_table.c: state of the sockets not yet grafted */
#define GRAFT_FD_MAXOPTS	16
#define GRAFT_FD_MAXEP		4	/* epoll sets watching a placeholder */

/* An epoll registration of a placeholder, renewed on the host socket:
 * dup3 drops the placeholder's file from every epoll set. */
struct graft_epreg {
	int epfd;
	uint32_t events;
	uint64_t data;
};
#define GRAFT_OPT_VALMAX	24

struct graft_sopt {
	int level, name;
	unsigned len;
	unsigned char val[GRAFT_OPT_VALMAX];
	unsigned char done;		/* AF_GRAFT: executed, result in ret */
	int ret;			/* AF_GRAFT: 0 or -errno of the replay */
};

/* graft_fdstate.afg: an AF_GRAFT socket emulated by libc (afgraft.c) */
#define GRAFT_AFG_GRAFTED	1	/* bound: the fd is the host socket */
#define GRAFT_AFG_DELAYED	2	/* GRAFT_SO_DELAYED on */
#define GRAFT_AFG_NAMETRANS	4	/* GRAFT_NAME_TRANSPARENT on */

struct graft_fdstate {
	uint64_t ino;			/* detects a reused fd number */
	int domain, type, protocol;	/* type without SOCK_* flags */
	/* nopt to ep: zero for a socket just made (__graft_fd_new) */
	unsigned char nopt;
	unsigned char bound;		/* GRAFT_BOUND_*: bound in the namespace first */
	unsigned char shared;		/* dup()ed: other fds share the socket */
	unsigned char lost;		/* an option could not be recorded */
	unsigned char afg;		/* GRAFT_AFG_*, for domain AF_GRAFT */
	unsigned char spare;		/* a spare host socket handed out by socket() */
	unsigned char dns;		/* the resolver's query socket (res_msend.c) */
	unsigned char nep, eplost;	/* epoll registrations; some lost */
	uint16_t bport;			/* the port of that bind */
	int lost_level, lost_name;
	char ep[GRAFT_PROTO_EPNAME];	/* AF_GRAFT: the endpoint bound; spare: its endpoint */
	struct graft_epreg epr[GRAFT_FD_MAXEP];
	struct graft_sopt opt[GRAFT_FD_MAXOPTS];
};

#define GRAFT_FD_MAX		0x7fffffff
/* A slot's "used" word, read without its lock: 0 unknown, else a kind,
 * PENDING a socket not yet grafted, NAMED a grafted AF_GRAFT socket kept
 * only for its name and IPPROTO_GRAFT; and what it is, AFG an AF_GRAFT
 * socket, SPARE a spare (pool_spare.c).  One load tells a hook all. */
#define GRAFT_FD_PENDING	1
#define GRAFT_FD_NAMED		2
#define GRAFT_FD_KIND		3
#define GRAFT_FD_AFG		4
#define GRAFT_FD_SPARE		8

/* inlined even in musl's -Os build: a hook's probe must not be a call */
#define G_HOT static inline __attribute__((__always_inline__))

/* fd_table.c's table: fd bits 31..20 index the top level, 19..6 a page of
 * chunk pointers, 5..0 a chunk's slot; probed inline by every hook. */
#define GRAFT_FD_L2BITS		14
#define GRAFT_FD_L3BITS		6
struct graft_fdslot {
	volatile int lock[1];
	volatile int used;		/* GRAFT_FD_*, 0: free */
	struct graft_fdstate st;
};
extern hidden void *volatile __graft_fd_l1[];
/* the "used" words of fds below GRAFT_FD_LOW, one byte each: most fds'
 * probe is one load (bss: pages the process never touches cost nothing) */
#define GRAFT_FD_LOW		65536
extern hidden volatile unsigned char __graft_fd_low[];

/* The slot of fd, or 0 when its chunk was never made. */
G_HOT struct graft_fdslot *__graft_fd_slot(int fd)
{
	void *volatile *l2;
	struct graft_fdslot *c;
	unsigned u = fd;

	if (fd < 0 || !(l2 = __graft_fd_l1[u >> (GRAFT_FD_L2BITS + GRAFT_FD_L3BITS)])) return 0;
	if (!(c = l2[(u >> GRAFT_FD_L3BITS) & ((1u << GRAFT_FD_L2BITS) - 1)])) return 0;
	return c + (u & ((1u << GRAFT_FD_L3BITS) - 1));
}

/* fd's "used" word, without the lock.  Nothing before the first fd is
 * recorded (GRAFT_ON_FDS): the table's pages stay untouched, and a
 * dynamically linked program's loader closing its files costs no fault. */
G_HOT int __graft_fd_bits(int fd)
{
	struct graft_fdslot *s;
	if (!(__graft_on & GRAFT_ON_FDS)) return 0;
	if ((unsigned)fd < GRAFT_FD_LOW) return __graft_fd_low[fd];
	s = __graft_fd_slot(fd);
	return s ? s->used : 0;
}
/* 0, GRAFT_FD_PENDING or GRAFT_FD_NAMED */
G_HOT int __graft_fd_has(int fd) { return __graft_fd_bits(fd) & GRAFT_FD_KIND; }
/* a recorded AF_GRAFT socket: the only ones whose options and names the
 * core answers for */
G_HOT int __graft_fd_afgraft(int fd) { return __graft_fd_bits(fd) & GRAFT_FD_AFG; }
G_HOT int __graft_fd_spare(int fd) { return __graft_fd_bits(fd) & GRAFT_FD_SPARE; }

hidden int __graft_fd_new(int fd, uint64_t ino, int domain, int type, int protocol);
hidden int __graft_fd_put(int fd, const struct graft_fdstate *);
hidden int __graft_fd_get(int fd, struct graft_fdstate *);
hidden int __graft_fd_head(int fd, struct graft_fdstate *);
hidden void __graft_fd_forget(int fd, uint64_t ino);
hidden void __graft_fd_addopt(int fd, int level, int name, const void *val, socklen_t len);
hidden void __graft_fd_dup(int oldfd, int newfd);
/* a bind no ingress rule took, kept for egress (hook_inet.c) */
#define GRAFT_BOUND_ANY		1	/* the wildcard: grafted at connect, port bport */
#define GRAFT_BOUND_LOOP	2	/* loopback ("verbose" only): stays, said at connect */
hidden void __graft_fd_bound(int fd, int kind, unsigned port);
hidden void __graft_fd_epoll(int fd, int epfd, int op, uint32_t events, uint64_t data);
hidden int __graft_fd_next_alias(int from, uint64_t ino);
hidden void __graft_fd_each_alias(int fd, const struct graft_fdstate *,
	void (*)(int, void *), void *);
hidden void __graft_fd_forget_all(int fd, const struct graft_fdstate *);
hidden struct graft_fdstate *__graft_fd_lock(int fd, uint64_t ino);
hidden void __graft_fd_unlock(int fd);
hidden void __graft_sopt_add(struct graft_fdstate *, int level, int name, const void *val, socklen_t len);

#endif
