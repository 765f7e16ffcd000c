/* graft_sys.h - the few system services the graft core needs, mapped onto
 * musl's internals inside libc (__GRAFT_IN_LIBC) or onto glibc for the host
 * unit tests.  Everything returns -errno on failure, never touches errno,
 * and never goes through a hooked public socket function. */
#ifndef GRAFT_SYS_H
#define GRAFT_SYS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>

#ifdef __GRAFT_IN_LIBC

#include <features.h>
#include <errno.h>
#include <sys/mman.h>
#include <pthread.h>
#include "syscall.h"
#include "lock.h"
#include "atomic.h"
#include "kstat.h"
#include "libc.h"

#include "pthread_impl.h"

#define G_LOCK(l)	LOCK(l)
#define G_UNLOCK(l)	UNLOCK(l)

/* for g_tlock below: a handler reads its thread's id without a syscall */
static inline int g_tid(void) { return __pthread_self()->tid; }
static inline int g_cas(volatile int *p, int t, int s) { return a_cas(p, t, s); }
static inline int g_swap(volatile int *p, int v) { return a_swap(p, v); }
static inline void g_futexwait(volatile int *p, int v) { __futexwait(p, v, 1); }
static inline void g_wake(volatile int *p) { __wake(p, 1, 1); }

/* every signal an application can handle blocked (one raw
 * rt_sigprocmask, musl's src/signal/block.c), the old mask saved in *s */
static inline void g_sigblock(sigset_t *s) { __block_app_sigs(s); }
static inline void g_sigrestore(sigset_t *s) { __restore_sigs(s); }

static inline void *g_cas_ptr(void *volatile *p, void *t, void *s)
{
	return a_cas_p(p, t, s);
}
static inline int g_load(volatile int *p) { int v = *p; a_barrier(); return v; }
static inline void g_store(volatile int *p, int v) { a_store(p, v); }

static inline void *g_mmap(size_t n)
{
	void *p = __mmap(0, n, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? 0 : p;
}
/* fd mapped read-only at *p: 0, or -errno (errno itself is kept) */
static inline long g_mmap_file(int fd, size_t n, void **p)
{
	int e = errno;
	long r = (*p = __mmap(0, n, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED ? -errno : 0;
	errno = e;
	return r;
}
static inline void g_munmap(void *p, size_t n) { __munmap(p, n); }
/* no other thread can touch our fds between two of our calls */
static inline int g_single_threaded(void) { return !libc.threads_minus_1; }
/* secure execution (AT_SECURE: setuid, setgid, file capabilities) */
static inline int g_secure(void) { return libc.secure; }

#define g_socket(d,t,p)		__socketcall(socket, d, t, p, 0, 0, 0)
#define g_connect(f,a,l)	__socketcall(connect, f, a, l, 0, 0, 0)
#define g_connect_cp(f,a,l)	__socketcall_cp(connect, f, a, l, 0, 0, 0)
#define g_setsockopt(f,l,n,v,s)	__socketcall(setsockopt, f, l, n, v, s, 0)
#define g_getsockopt_int(f,l,n,v,s) __socketcall(getsockopt, f, l, n, v, s, 0)
#define g_getsockname(f,a,l)	__socketcall(getsockname, f, a, l, 0, 0, 0)
#define g_getpeername(f,a,l)	__socketcall(getpeername, f, a, l, 0, 0, 0)
#define g_bind(f,a,l)		__socketcall(bind, f, a, l, 0, 0, 0)
#define g_sendmsg(f,m,fl)	__socketcall(sendmsg, f, m, fl, 0, 0, 0)
#define g_recvmsg(f,m,fl)	__socketcall(recvmsg, f, m, fl, 0, 0, 0)
#define g_close(f)		__syscall(SYS_close, f)
#define g_fcntl(f,c,a)		__syscall(SYS_fcntl, f, c, a)
#define g_dup3(o,n,fl)		__syscall(SYS_dup3, o, n, fl)
#define g_epoll_ctl(e,o,f,v)	__syscall(SYS_epoll_ctl, e, o, f, v)
#define g_write(f,b,n)		__syscall(SYS_write, f, b, n)
#ifdef SYS_open
#define g_open(p,fl)		__syscall(SYS_open, p, (fl)|O_LARGEFILE)
#else
#define g_open(p,fl)		__syscall(SYS_openat, AT_FDCWD, p, (fl)|O_LARGEFILE)
#endif
/* CLOCK_MONOTONIC seconds (vdso where there is one) */
static inline long g_monosec(void)
{
	struct timespec ts;
	return __clock_gettime(CLOCK_MONOTONIC, &ts) ? 0 : ts.tv_sec;
}
static inline long g_fstat(int fd, struct stat *st)
{
#ifdef SYS_fstat
	/* The raw syscall: the core reads only these five fields, and an
	 * app that never calls fstat() does not get musl's fstat linked. */
	struct kstat k;
	long r = __syscall(SYS_fstat, fd, &k);
	if (r) return r;
	st->st_dev = k.st_dev;
	st->st_ino = k.st_ino;
	st->st_mode = k.st_mode;
	st->st_rdev = k.st_rdev;
	st->st_size = k.st_size;
	return 0;
#else
	/* fstat() is not hooked; keep the caller's errno intact */
	int e = errno, r = fstat(fd, st) ? -errno : 0;
	errno = e;
	return r;
#endif
}
/* The inode behind fd (the fd table checks it on every tracked call) */
static inline long g_fd_ino(int fd, uint64_t *ino)
{
	struct stat st;
	long r = g_fstat(fd, &st);
	if (!r) *ino = st.st_ino;
	return r;
}
#define g_ret(r)		__syscall_ret(r)
static inline int g_nocancel(void)
{
	int cs;
	__pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cs);
	return cs;
}
static inline void g_restorecancel(int cs) { __pthread_setcancelstate(cs, 0); }

#else /* host build, for the unit tests */

#include <errno.h>
#include <sched.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef weak_alias
#define weak_alias(old, new) \
	extern __typeof(old) new __attribute__((__weak__, __alias__(#old)))
#endif
#ifndef hidden
#define hidden __attribute__((__visibility__("hidden")))
#endif

static inline void g_lock(volatile int *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) sched_yield();
}
static inline void g_unlock(volatile int *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }
#define G_LOCK(l)	g_lock(l)
#define G_UNLOCK(l)	g_unlock(l)

static inline int g_tid(void) { return syscall(SYS_gettid); }
static inline int g_cas(volatile int *p, int t, int s)
{
	__atomic_compare_exchange_n(p, &t, s, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return t;
}
static inline int g_swap(volatile int *p, int v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
static inline void g_futexwait(volatile int *p, int v) { (void)p; (void)v; sched_yield(); }
static inline void g_wake(volatile int *p) { (void)p; }

static inline void g_sigblock(sigset_t *s)
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, s);
}
static inline void g_sigrestore(sigset_t *s) { pthread_sigmask(SIG_SETMASK, s, 0); }

static inline void *g_cas_ptr(void *volatile *p, void *t, void *s)
{
	__atomic_compare_exchange_n(p, &t, s, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return t;
}
static inline int g_load(volatile int *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void g_store(volatile int *p, int v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }

static inline void *g_mmap(size_t n)
{
	void *p = mmap(0, n, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? 0 : p;
}
static inline long g_mmap_file(int fd, size_t n, void **p)
{
	int e = errno;
	long r = (*p = mmap(0, n, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED ? -errno : 0;
	errno = e;
	return r;
}
static inline void g_munmap(void *p, size_t n) { munmap(p, n); }
static inline int g_single_threaded(void) { return 0; }	/* host tests: always check */
static inline int g_secure(void) { return getauxval(AT_SECURE) != 0; }

#define G_R(x)			({ long _r = (long)(x); _r < 0 ? -errno : _r; })
#define g_socket(d,t,p)		G_R(syscall(SYS_socket, d, t, p))
#define g_connect(f,a,l)	G_R(syscall(SYS_connect, f, a, l))
#define g_connect_cp(f,a,l)	G_R(syscall(SYS_connect, f, a, l))
#define g_setsockopt(f,l,n,v,s)	G_R(syscall(SYS_setsockopt, f, l, n, v, s))
#define g_getsockopt_int(f,l,n,v,s) G_R(syscall(SYS_getsockopt, f, l, n, v, s))
#define g_getsockname(f,a,l)	G_R(syscall(SYS_getsockname, f, a, l))
#define g_getpeername(f,a,l)	G_R(syscall(SYS_getpeername, f, a, l))
#define g_bind(f,a,l)		G_R(syscall(SYS_bind, f, a, l))
#define g_sendmsg(f,m,fl)	G_R(syscall(SYS_sendmsg, f, m, fl))
#define g_recvmsg(f,m,fl)	G_R(syscall(SYS_recvmsg, f, m, fl))
#define g_close(f)		G_R(syscall(SYS_close, f))
#define g_fcntl(f,c,a)		G_R(syscall(SYS_fcntl, f, c, a))
#define g_dup3(o,n,fl)		G_R(syscall(SYS_dup3, o, n, fl))
#define g_epoll_ctl(e,o,f,v)	G_R(syscall(SYS_epoll_ctl, e, o, f, v))
#define g_write(f,b,n)		G_R(syscall(SYS_write, f, b, n))
#define g_open(p,fl)		G_R(syscall(SYS_openat, AT_FDCWD, p, fl))
static inline long g_monosec(void)
{
	struct timespec ts;
	return clock_gettime(CLOCK_MONOTONIC, &ts) ? 0 : ts.tv_sec;
}
static inline long g_fstat(int fd, struct stat *st)
{
	int e = errno, r = fstat(fd, st) ? -errno : 0;
	errno = e;
	return r;
}
static inline long g_fd_ino(int fd, uint64_t *ino)
{
	struct stat st;
	long r = g_fstat(fd, &st);
	if (!r) *ino = st.st_ino;
	return r;
}
static inline long g_ret(long r)
{
	if ((unsigned long)r > -4096UL) {
		errno = -r;
		return -1;
	}
	return r;
}
static inline int g_nocancel(void)
{
	int cs;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cs);
	return cs;
}
static inline void g_restorecancel(int cs) { pthread_setcancelstate(cs, 0); }

#endif

/* A lock holding its owner's thread id (bit 30: someone waits), for the
 * sections a hooked call may be in when a signal handler on the same
 * thread calls another: that caller gets -EDEADLK at once instead of
 * waiting for itself or entering the half-updated state.  A real
 * compare-and-swap also single-threaded, where musl's LOCK does nothing
 * and a handler would walk straight in.
 *
 * A held word also carries the fork generation it was taken in (bits
 * 22..29; a tid fits in 22 bits, Linux's PID_MAX_LIMIT): a forked child
 * bumps __graft_tlock_gen (hook_fork.c) and a word of an older generation
 * is a lock some thread of a parent held at the fork, free for the
 * taking.  So a fork writes no lock: it costs nothing however many locks
 * (fd slots) there are.  Every 256th generation, when the count wraps, the
 * child clears the held words of the older ones (__graft_tlock_wrapped). */
#define G_TLOCK_WAIT	0x40000000
#define G_TLOCK_GEN	0x3fc00000
#define G_TLOCK_GEN1	0x00400000
extern hidden int __graft_tlock_gen;
hidden int __graft_tlock_wait(volatile int *, int, int);
static inline int g_tlock(volatile int *l)
{
	int me = g_tid() | __graft_tlock_gen, v = g_cas(l, 0, me);
	return v ? __graft_tlock_wait(l, me, v) : 0;
}
/* In a forked child: a lock word left held by the parent, cleared only
 * when it was (written only then: a fork touches no page it need not). */
static inline void g_tlock_reset(volatile int *l)
{
	if (*l) *l = 0;
}
static inline void g_tunlock(volatile int *l)
{
	if (g_swap(l, 0) & G_TLOCK_WAIT) g_wake(l);
}

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

/* sys_setsockopt.c: g_setsockopt with musl's 32-bit time64 fallback */
hidden long __graft_setsockopt_t64(int fd, int level, int name, const void *val, socklen_t len);

#endif
