/* graft_core.h - types and internal interfaces of the graft core.
 * Nothing here is visible outside libc: every function is hidden and
 * __graft_-prefixed.  docs/core.md explains the decisions. */
#ifndef GRAFT_CORE_H
#define GRAFT_CORE_H

#include <stdarg.h>
#include "graft_sys.h"
#include "graft_proto.h"
#include "graft.h"		/* the public AF_GRAFT header, include/ */

/* Limits of graft.conf (documented in graft.conf(5)). */
#define GRAFT_MAX_INGRESS	64
#define GRAFT_MAX_EGRESS	64
#define GRAFT_MAX_HOSTS		32
#define GRAFT_MAX_HADDR		8
#define GRAFT_HOSTNAME_MAX	253
#define GRAFT_PATH_MAX		108	/* sizeof sun_path */
#define GRAFT_LINE_MAX		1024
#define GRAFT_CONF_MAXSIZE	(1 << 20)
#define GRAFT_MAX_EPS		64	/* "endpoint" names */

#define GRAFT_DEFAULT_CONF	"/etc/graft.conf"
#define GRAFT_DEFAULT_BROKER	"/run/graft/graftd.sock"

_Static_assert(GRAFT_PROTO_EPNAME == AF_GRAFT_EPNAME_MAX, "endpoint names");
_Static_assert(sizeof(struct sockaddr_gr) == 18, "sockaddr_gr layout");

/* 32-bit time64 targets: the option names any kernel takes (musl's
 * headers give the _NEW ones, which kernels before 5.1 refuse) */
#ifndef SO_RCVTIMEO_OLD
#define SO_RCVTIMEO_OLD 20
#define SO_SNDTIMEO_OLD 21
#endif
#ifndef SO_TIMESTAMP_OLD
#define SO_TIMESTAMP_OLD 29
#define SO_TIMESTAMPNS_OLD 35
#endif

/* errnos of our own (see docs/core.md) */
#define GRAFT_EBROKEN		ENOTRECOVERABLE	/* config is broken: refuse */
#define GRAFT_EUNREACH		ENETUNREACH	/* graftd cannot be reached */

/* An address as rules see it; v4-mapped IPv6 is stored as AF_INET. */
struct graft_ip {
	int family;
	uint8_t a[16];
};

enum { GRAFT_SRC_FILE, GRAFT_SRC_ENV_IN, GRAFT_SRC_ENV_EG, GRAFT_SRC_BUILTIN };

struct graft_rule {
	struct graft_ip ip;
	uint16_t lo, hi;	/* ingress: port range */
	uint8_t plen;		/* egress: prefix length */
	uint8_t local;		/* endpoint "local": stays in the namespace */
	uint8_t src;		/* GRAFT_SRC_* */
	uint8_t view;		/* ingress: GRAFT_VIEW_*, 0: the global one */
	uint16_t line;		/* line of the file, or item of the variable */
	char ep[GRAFT_PROTO_EPNAME + 1];
};

struct graft_host {
	char name[GRAFT_HOSTNAME_MAX + 1];
	uint16_t line;
	uint8_t n;
	struct graft_ip addr[GRAFT_MAX_HADDR];
};

/* "view": what getsockname shows of a grafted ingress socket (view.c) */
enum { GRAFT_VIEW_DEFAULT, GRAFT_VIEW_PROGRAM, GRAFT_VIEW_HOST };

enum { GRAFT_CONF_INACTIVE, GRAFT_CONF_ACTIVE, GRAFT_CONF_BROKEN };
/* "provider": where host sockets come from (docs/afgraft.md) */
enum { GRAFT_PROV_AUTO, GRAFT_PROV_BROKER, GRAFT_PROV_KERNEL };

struct graft_conf {
	int state;
	int verbose;
	int fallback;		/* "fallback local": graftd unreachable -> local */
	int off;		/* GRAFT=off: stock musl, AF_GRAFT included */
	int secure;		/* AT_SECURE: no GRAFT* variable, no token echoed */
	int provider;		/* GRAFT_PROV_* */
	int egress_batch;	/* "egress-batch": sockets per graftd request, 0 off */
	int view;		/* GRAFT_VIEW_PROGRAM (default) or _HOST */
	unsigned nview;		/* ingress rules to a host endpoint with the program's view */
	const char *file;	/* for messages */
	char broker[GRAFT_PATH_MAX];
	unsigned nin, neg, nhost;
	struct graft_rule in[GRAFT_MAX_INGRESS];
	struct graft_rule eg[GRAFT_MAX_EGRESS];
	struct graft_host host[GRAFT_MAX_HOSTS];
	unsigned nep;		/* "endpoint" names getaddrinfo(AF_GRAFT) knows */
	char eps[GRAFT_MAX_EPS][GRAFT_PROTO_EPNAME + 1];
	char err[320];		/* the one line printed for a broken config */
};

/* log.c: one line, no stdio */
struct graft_msg {
	unsigned n;
	char b[400];
};
hidden void __graft_msg_str(struct graft_msg *, const char *);
hidden void __graft_msg_num(struct graft_msg *, unsigned long);
hidden void __graft_msg_ip(struct graft_msg *, const struct graft_ip *, int brackets);
hidden void __graft_msg_rule(struct graft_msg *, const struct graft_rule *, int ingress);
hidden void __graft_msg_sa(struct graft_msg *, const void *sa, unsigned len);
hidden void __graft_msg_opt(struct graft_msg *, const char *what, int level, int name);
struct graft_bres;
hidden void __graft_msg_broker(struct graft_msg *, const char *broker, const struct graft_bres *);
hidden void __graft_log(struct graft_msg *);
/* printf-like, a few conversions of our own: see log.c */
#define GRAFT_MSG_PREC		64	/* the largest %.*s */
hidden void __graft_vmsgf(struct graft_msg *, const char *, va_list);
hidden void __graft_msgf(struct graft_msg *, const char *, ...);
hidden void __graft_logf(const char *, ...);


/* conf_parse.c, conf_env.c, conf_addr.c: pure parsing */
hidden void __graft_conf_init(struct graft_conf *);
hidden int __graft_conf_parse(struct graft_conf *, const char *file, const char *buf, size_t len);
hidden int __graft_conf_env(struct graft_conf *, const char *var, const char *val);
hidden void __graft_conf_finish(struct graft_conf *);
hidden int __graft_conf_error(struct graft_conf *, int src, unsigned line, const char *what, const char *arg);
hidden void __graft_msg_src(struct graft_msg *, const struct graft_conf *, int src, unsigned line);
hidden int __graft_parse_ip(const char *, size_t, struct graft_ip *);
hidden int __graft_parse_port(const char *, size_t, uint16_t *);
hidden const char *__graft_parse_ingress(const char *, struct graft_rule *, int lastcolon);
hidden const char *__graft_parse_egress(const char *, struct graft_rule *);
hidden const char *__graft_parse_epname(const char *, struct graft_rule *);
hidden int __graft_add_ingress(struct graft_conf *, const struct graft_rule *);
hidden int __graft_add_egress(struct graft_conf *, const struct graft_rule *);

/* conf_load.c: the process's configuration, loaded once */
hidden const struct graft_conf *__graft_conf(void);

/* rule_match.c */
hidden int __graft_sa_ip(const struct sockaddr *, socklen_t, struct graft_ip *, unsigned *port);
hidden int __graft_ip_any(const struct graft_ip *);
hidden int __graft_ip_loopback(const struct graft_ip *);
hidden const struct graft_rule *__graft_match_in(const struct graft_conf *, const struct graft_ip *, unsigned port);
hidden const struct graft_rule *__graft_match_eg(const struct graft_conf *, const struct graft_ip *);
hidden const struct graft_rule *__graft_match_eg_user(const struct graft_conf *, const struct graft_ip *);

/* graft_why.c: "verbose" lines for sockets a rule could have concerned
 * that stay in the namespace */
hidden void __graft_why_bind(const struct graft_conf *, const struct graft_rule *,
	const struct graft_ip *, unsigned port);
hidden void __graft_why_call(const struct graft_conf *, int fd, int call,
	const struct graft_rule *, const struct graft_ip *, unsigned port, int why);
#define GRAFT_CALL_SEND		0	/* sendto, sendmsg */
#define GRAFT_CALL_CONNECT	1
#define GRAFT_CALL_BIND		2
#define GRAFT_WHY_RULE		0	/* r is a local rule */
#define GRAFT_WHY_LOOPSRC	1	/* fd was bound to loopback first */
#define GRAFT_WHY_STALE		2	/* fd no longer holds the recorded socket */

/* view.c: the program's address view of grafted ingress sockets */
hidden int __graft_view_of(const struct graft_conf *, const struct graft_rule *);
hidden void __graft_view_add(int fd, int on, int domain, const struct graft_ip *, unsigned port);
hidden void __graft_view(int fd, struct sockaddr *, socklen_t *, socklen_t cap);
hidden int __graft_view_cap(int fd, socklen_t *len, socklen_t *cap);

/* fdtable.c: state of the sockets not yet grafted */
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
 * socket, SPARE a spare (graft_spare.c).  One load tells a hook all. */
#define GRAFT_FD_PENDING	1
#define GRAFT_FD_NAMED		2
#define GRAFT_FD_KIND		3
#define GRAFT_FD_AFG		4
#define GRAFT_FD_SPARE		8

/* inlined even in musl's -Os build: a hook's probe must not be a call */
#define G_HOT static inline __attribute__((__always_inline__))

/* fdtable.c's table: fd bits 31..20 index the top level, 19..6 a page of
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

/* fd's "used" word, without the lock */
G_HOT int __graft_fd_bits(int fd)
{
	struct graft_fdslot *s;
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
/* a bind no ingress rule took, kept for egress (graft_inet.c) */
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

/* uaccess.c: caller memory through the kernel (0 or -EFAULT, no fault) */
hidden long __graft_copyin(void *dst, const void *src, size_t n);
hidden long __graft_copyout(void *dst, const void *src, size_t n);
hidden long __graft_name_out(void *dst, socklen_t *len, const void *src, socklen_t n);
/* Whether n bytes at p lie in one page (4096: the smallest page of any
 * target): readable if any of them was. */
static inline int __graft_same_page(const void *p, size_t n)
{
	return ((uintptr_t)p ^ ((uintptr_t)p + n - 1)) < 4096;
}

/* graft_req.c: the request for a socket */
hidden int __graft_opt_prebind(const struct graft_sopt *);
hidden unsigned __graft_req_build(struct graft_req *, const struct graft_fdstate *,
	const char *ep, unsigned flags, unsigned port);

/* broker.c */
struct graft_bres {
	int fd;			/* the host socket, or -1: fds[0] */
	unsigned nfds;		/* received: 1, or up to the count of a batch */
	int fds[GRAFT_PROTO_MAXBATCH];
	int err;		/* 0, or positive errno */
	int transport;		/* err is ours (graftd unreachable), not graftd's */
	const char *step;	/* what failed, for the log line */
	struct graft_rep rep;
	int inos;		/* GRAFT_F_INOS asked: a grant's fds' identities */
	dev_t dev;
	uint64_t ino[GRAFT_PROTO_MAXBATCH];
};
hidden void __graft_broker_call(const char *path, const struct graft_req *, struct graft_bres *);

/* egress_pool.c: spare egress sockets from graftd's batches */
#define GRAFT_EGRESS_BATCH	8	/* default of "egress-batch" */
struct graft_spare {
	int fd;
	uint64_t ino;
	char ep[GRAFT_PROTO_EPNAME];
};
hidden int __graft_pool_eligible(const struct graft_fdstate *);
hidden int __graft_spare_opt(const struct graft_sopt *);
hidden int __graft_pool_spare(const struct graft_conf *, int domain, int protocol, struct graft_spare *);
hidden int __graft_pool_streaking(void);
hidden void __graft_pool_streak(int hit);
/* graft_fork.c calls these in a forked child */
hidden void __graft_pool_forked(void);
hidden void __graft_broker_forked(void);
hidden void __graft_conf_forked(void);
hidden void __graft_fd_forked(void);
hidden void __graft_pool_call(const struct graft_conf *, const struct graft_req *,
	unsigned *sent, struct graft_bres *);

/* graft_swap.c */
hidden long __graft_graft(int fd, const struct graft_fdstate *, const struct graft_rule *,
	int ingress, unsigned port, int *hostfamily);
hidden int __graft_replay(int hfd, const struct graft_fdstate *, unsigned sent, int *bad);
hidden void __graft_log_grafted(int fd, const struct graft_rule *, int ingress,
	const void *addr, unsigned len, const char *note);
hidden int __graft_install(int hfd, int fd, const struct graft_fdstate *,
	const struct graft_rule *, int ingress);

/* graft_spare.c: socket() answered with a spare egress socket */
hidden long __graft_spare_socket(int domain, int type, int protocol);
hidden long __graft_spare_to_local(int fd, struct graft_fdstate *);
hidden void __graft_spare_used(int fd, const struct graft_fdstate *, const struct graft_rule *);
hidden int __graft_swap(int hfd, int fd, uint64_t ino);
hidden const char *__graft_reason(unsigned);

/* provider.c: graftd or the AF_GRAFT kernel module */
hidden int __graft_kernel_has(void);
hidden int __graft_provider(const struct graft_conf *);

/* graft_kernel.c: a host socket from the module for an inet graft */
hidden long __graft_kernel_obtain(const struct graft_fdstate *, const char *ep,
	int *badopt, const char **step);

/* afgraft.c: AF_GRAFT sockets without the module */
hidden long __graft_afg_socket(int type, int protocol);
hidden long __graft_afg_bind(int fd, const struct graft_fdstate *, const struct sockaddr *, socklen_t);
hidden long __graft_afg_egress(int fd, const struct graft_fdstate *);
/* afgraft_opt.c */
/* sockopt_time64.c: g_setsockopt with musl's 32-bit time64 fallback */
hidden long __graft_setsockopt_t64(int fd, int level, int name, const void *val, socklen_t len);
hidden long __graft_afg_setsockopt(int fd, const struct graft_fdstate *, int level, int name, const void *val, socklen_t len);
hidden long __graft_afg_getsockopt(int fd, const struct graft_fdstate *, int level, int name, void *val, socklen_t *len);
hidden long __graft_afg_getsockname(int fd, const struct graft_fdstate *, struct sockaddr *, socklen_t *);
/* afgraft_lookup.c */
hidden int __graft_epname_ok(const char *, size_t);

#endif
