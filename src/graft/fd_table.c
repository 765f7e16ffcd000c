/* fd_table.c - what the core remembers about each socket not yet grafted.
 *
 * Any fd number up to INT_MAX: a static top level of 2048 pointers, each to
 * a lazily mmap'd page of 16384 chunk pointers, each to a lazily mmap'd
 * chunk of 64 slots.  Pages and chunks are never freed, are zero when they
 * arrive from the kernel (so a racing reader sees an empty slot, never a
 * half-built one) and are installed with a compare-and-swap.  A slot has its
 * own lock; "used" can be read without it for the hot-path check, and is
 * mirrored for fds below GRAFT_FD_LOW in a byte array that hooks probe
 * with one load (graft_fd.h's __graft_fd_bits).  A
 * signal handler whose thread holds a slot's lock (it interrupted an update
 * of that very fd) finds the slot owned by itself: it neither waits nor
 * looks; its call acts as if the fd were not recorded (docs/core.md).
 *
 * A fork costs nothing here (docs/performance.md): a forked child neither
 * reads the table nor writes any slot.  A slot's lock held by a parent's
 * thread at the fork is freed by the fork generation its lock word carries
 * (g_tlock, graft_sys.h), bumped in the child; only when that 8-bit count
 * wraps, once in 256 nested forks, does the child walk the table and clear
 * the held words (__graft_fd_forked).  Keep it so: nothing here may need a
 * child to visit every slot, or even every chunk. */
#include <string.h>
#include <sys/epoll.h>
#include "graft_fd.h"
#include "graft_fork.h"
#include "graft_hooks.h"

#define L3_BITS GRAFT_FD_L3BITS
#define L2_BITS GRAFT_FD_L2BITS
#define L1_SIZE (1u << (31 - L2_BITS - L3_BITS))
#define L2_SIZE (1u << L2_BITS)
#define L3_SIZE (1u << L3_BITS)

#define slot graft_fdslot
#define l1 __graft_fd_l1
#define find __graft_fd_slot

__attribute__((__common__)) void *volatile l1[L1_SIZE];
__attribute__((__common__)) volatile unsigned char __graft_fd_low[GRAFT_FD_LOW];

/* A slot's "used" word, mirrored for a low fd (under the slot's lock) */
static void set(int fd, struct slot *s, int v)
{
	s->used = v;
	if ((unsigned)fd < GRAFT_FD_LOW) __graft_fd_low[fd] = v;
}

static void *install(void *volatile *p, size_t size)
{
	void *n = g_mmap(size), *old;
	if (!n) return 0;
	old = g_cas_ptr(p, 0, n);
	if (!old) return n;
	g_munmap(n, size);
	return old;
}

/* The slot of fd, making its page and chunk when needed; 0: no memory. */
static struct slot *make(int fd)
{
	void *volatile *l2;
	struct slot *c;
	unsigned u = fd;

	if ((c = find(fd)) || fd < 0) return c;
	if (!(l2 = l1[u >> (L2_BITS + L3_BITS)])
	 && !(l2 = install(&l1[u >> (L2_BITS + L3_BITS)], L2_SIZE * sizeof(void *))))
		return 0;
	if (!(c = l2[(u >> L3_BITS) & (L2_SIZE - 1)])
	 && !(c = install(&l2[(u >> L3_BITS) & (L2_SIZE - 1)], L3_SIZE * sizeof *c)))
		return 0;
	return c + (u & (L3_SIZE - 1));
}

/* the slot's "used" word for st */
static int bits(const struct graft_fdstate *st)
{
	return ((st->afg & GRAFT_AFG_GRAFTED) ? GRAFT_FD_NAMED : GRAFT_FD_PENDING)
		| (st->domain == AF_GRAFT ? GRAFT_FD_AFG : 0)
		| (st->spare ? GRAFT_FD_SPARE : 0);
}

static void turn_on(void)
{
	if (!(__graft_on & GRAFT_ON_FDS))
		__atomic_fetch_or(&__graft_on, GRAFT_ON_FDS, __ATOMIC_SEQ_CST);
}

/* A state is mostly its option array: copy only the options in use. */
static void copy(struct graft_fdstate *to, const struct graft_fdstate *from)
{
	memcpy(to, from, offsetof(struct graft_fdstate, opt));
	memcpy(to->opt, from->opt, from->nopt * sizeof *from->opt);
}

int __graft_fd_put(int fd, const struct graft_fdstate *st)
{
	struct slot *s = make(fd);
	if (!s) return -ENOMEM;
	turn_on();
	if (g_tlock(s->lock)) return -EAGAIN;
	copy(&s->st, st);
	set(fd, s, bits(st));
	g_tunlock(s->lock);
	return 0;
}

/* A socket just made: its few fields written in place, no state copied. */
int __graft_fd_new(int fd, uint64_t ino, int domain, int type, int protocol)
{
	struct slot *s = make(fd);
	struct graft_fdstate *st;

	if (!s) return -ENOMEM;
	turn_on();
	if (g_tlock(s->lock)) return -EAGAIN;
	st = &s->st;
	st->ino = ino;
	st->domain = domain;
	st->type = type;
	st->protocol = protocol;
	__builtin_memset(&st->nopt, 0, offsetof(struct graft_fdstate, epr) - offsetof(struct graft_fdstate, nopt));
	set(fd, s, GRAFT_FD_PENDING);
	g_tunlock(s->lock);
	return 0;
}

/* The fields before ep: what bind and connect decide on (a constant-size
 * copy, inlined) before a rule asks for the whole state. */
int __graft_fd_head(int fd, struct graft_fdstate *st)
{
	struct slot *s = find(fd);
	int r = 0;
	if (!s || g_tlock(s->lock)) return 0;
	if (s->used) {
		__builtin_memcpy(st, &s->st, offsetof(struct graft_fdstate, ep));
		r = 1;
	}
	g_tunlock(s->lock);
	return r;
}

int __graft_fd_get(int fd, struct graft_fdstate *st)
{
	struct slot *s = find(fd);
	int r = 0;
	if (!s || g_tlock(s->lock)) return 0;
	if (s->used) {
		copy(st, &s->st);
		r = 1;
	}
	g_tunlock(s->lock);
	return r;
}

/* ino 0 forgets whatever is there; else only that socket's state. */
void __graft_fd_forget(int fd, uint64_t ino)
{
	struct slot *s = find(fd);
	if (!s || !s->used || g_tlock(s->lock)) return;
	if (s->used && (!ino || s->st.ino == ino)) set(fd, s, 0);
	g_tunlock(s->lock);
}

void __graft_sopt_add(struct graft_fdstate *st, int level, int name, const void *val, socklen_t len)
{
	struct graft_sopt *o;
	unsigned i;

	for (i = 0; i < st->nopt; i++)
		if (st->opt[i].level == level && st->opt[i].name == name) break;
	if (len > GRAFT_OPT_VALMAX || !val || i == GRAFT_FD_MAXOPTS) {
		/* cannot carry it over: grafting this socket will refuse */
		if (!st->lost) {
			st->lost = 1;
			st->lost_level = level;
			st->lost_name = name;
		}
		return;
	}
	o = st->opt + i;
	if (i == st->nopt) st->nopt++;
	o->level = level;
	o->name = name;
	o->len = len;
	/* musl is built -ffreestanding: the usual int inline, not a call */
	if (len == sizeof(int)) __builtin_memcpy(o->val, val, sizeof(int));
	else memcpy(o->val, val, len);
}

void __graft_fd_addopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct slot *s = find(fd);
	if (!s || !s->used || g_tlock(s->lock)) return;
	/* an AF_GRAFT socket keeps its own queue (afgraft_opt.c) */
	if (s->used && s->st.domain != AF_GRAFT) __graft_sopt_add(&s->st, level, name, val, len);
	g_tunlock(s->lock);
}

/* Track the epoll sets fd is registered with (epoll_ctl succeeded). */
void __graft_fd_epoll(int fd, int epfd, int op, uint32_t events, uint64_t data)
{
	struct slot *s = find(fd);
	struct graft_fdstate *st;
	unsigned i;

	if (!s || !s->used || g_tlock(s->lock)) return;
	st = &s->st;
	for (i = 0; i < st->nep && st->epr[i].epfd != epfd; i++);
	if (op == EPOLL_CTL_DEL) {
		if (i < st->nep) st->epr[i] = st->epr[--st->nep];
	} else if (i < st->nep || st->nep < GRAFT_FD_MAXEP) {
		if (i == st->nep) st->nep++;
		st->epr[i] = (struct graft_epreg){ epfd, events, data };
	} else {
		st->eplost = 1;
	}
	g_tunlock(s->lock);
}

void __graft_fd_bound(int fd, int kind, unsigned port)
{
	struct slot *s = find(fd);
	if (!s || !s->used || g_tlock(s->lock)) return;
	s->st.bound = kind;
	s->st.bport = port;
	g_tunlock(s->lock);
}

/* The state of fd's socket ino (0: any), locked for an update; the caller
 * must call __graft_fd_unlock(fd) when it got non-null. */
struct graft_fdstate *__graft_fd_lock(int fd, uint64_t ino)
{
	struct slot *s = find(fd);
	if (!s || !s->used || g_tlock(s->lock)) return 0;
	if (s->used && (!ino || s->st.ino == ino)) return &s->st;
	g_tunlock(s->lock);
	return 0;
}

void __graft_fd_unlock(int fd)
{
	struct slot *s = find(fd);
	if (s->used) set(fd, s, bits(&s->st));
	g_tunlock(s->lock);
}

/* In a forked child (hook_fork.c): parents' threads may have held slot
 * locks; a slot caught mid-update is better than a child that hangs.  The
 * fork generation frees them (graft_sys.h): nothing to do, but when its
 * count wrapped, once in 256 generations, clear the held ones. */
void __graft_fd_forked(int wrapped)
{
	unsigned i, j, k;
	if (!wrapped || !(__graft_on & GRAFT_ON_FDS)) return;
	for (i = 0; i < L1_SIZE; i++) {
		void *volatile *l2 = l1[i];
		if (!l2) continue;
		for (j = 0; j < L2_SIZE; j++) {
			struct slot *c = l2[j];
			if (c) for (k = 0; k < L3_SIZE; k++) g_tlock_reset(c[k].lock);
		}
	}
}

/* newfd now refers to oldfd's socket: both share its state, and grafting
 * one later grafts the other (see __graft_fd_next_alias). */
void __graft_fd_dup(int oldfd, int newfd)
{
	struct graft_fdstate st;
	struct slot *s;
	int had = __graft_fd_get(oldfd, &st);

	__graft_fd_forget(newfd, 0);
	if (!had) return;
	if (!(s = find(oldfd)) || g_tlock(s->lock)) return;
	if (s->used && s->st.ino == st.ino) s->st.shared = 1;
	g_tunlock(s->lock);
	st.shared = 1;
	st.nep = st.eplost = 0;	/* epoll sets watch (file, fd) pairs */
	__graft_fd_put(newfd, &st);
}

/* The next fd after 'from' holding the socket 'ino', or -1.  Only used
 * for dup()ed sockets, so the walk over the table is rare. */
int __graft_fd_next_alias(int from, uint64_t ino)
{
	unsigned u = from < 0 ? 0 : (unsigned)from + 1;
	for (; u <= GRAFT_FD_MAX; ) {
		void *volatile *l2 = l1[u >> (L2_BITS + L3_BITS)];
		struct slot *c;
		if (!l2) {
			u = (u | ((1u << (L2_BITS + L3_BITS)) - 1)) + 1;
			if (u >> 31) break;
			continue;
		}
		c = l2[(u >> L3_BITS) & (L2_SIZE - 1)];
		if (!c) {
			u = (u | (L3_SIZE - 1)) + 1;
			if (u >> 31) break;
			continue;
		}
		for (; ; u++) {
			struct slot *s = c + (u & (L3_SIZE - 1));
			if (s->used && s->st.ino == ino) return u;
			if ((u & (L3_SIZE - 1)) == L3_SIZE - 1) { u++; break; }
		}
		if (u >> 31) break;
	}
	return -1;
}

/* f(alias, arg) for each fd but fd recorded for st's socket: its dup()s.
 * The one walk over them; f may forget or relabel the alias. */
void __graft_fd_each_alias(int fd, const struct graft_fdstate *st,
	void (*f)(int, void *), void *arg)
{
	uint64_t ino = st->ino;
	int a;

	if (!st->shared) return;
	for (a = -1; (a = __graft_fd_next_alias(a, ino)) >= 0; )
		if (a != fd) f(a, arg);
}

static void forget_one(int fd, void *ino)
{
	__graft_fd_forget(fd, *(uint64_t *)ino);
}

/* fd and its dup()s hold another socket now: forget them all. */
void __graft_fd_forget_all(int fd, const struct graft_fdstate *st)
{
	uint64_t ino = st->ino;
	__graft_fd_forget(fd, ino);
	__graft_fd_each_alias(fd, st, forget_one, &ino);
}
