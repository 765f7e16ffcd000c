/* sys_uaccess.c - caller memory the kernel has not looked at yet.  A hook that
 * reads an address, a msghdr or an option value before the system call
 * would fault where stock musl returns EFAULT: the kernel checks it first
 * and a bad pointer is reported instead.  Only hooks acting on a socket a
 * rule may concern ask: calls on other fds pay nothing.
 *
 * Reading: access is per page, so a probe of the first and the last page
 * tells.  The probe is rt_sigprocmask with an invalid "how": the kernel
 * copies the set in (EFAULT if it cannot) and then refuses the "how"
 * (EINVAL) without changing anything; about a getpid() each, where
 * process_vm_readv on ourselves costs five (it pins the pages).  A thread
 * unmapping the buffer between probe and copy is the one race left, a
 * use-after-unmap of the caller's own.  Writing (rare: AF_GRAFT and spare
 * names) goes through process_vm_writev.  Where the kernel refuses that
 * (ENOSYS under qemu-user, EPERM under a seccomp filter) a plain copy is
 * all that is left. */
#include <string.h>
#include <signal.h>
#include <sys/uio.h>
#include "graft_uaccess.h"
#ifdef __GRAFT_IN_LIBC
#include "pthread_impl.h"
#define probe(p)	__syscall(SYS_rt_sigprocmask, -1, p, 0, _NSIG/8)
/* any thread's id names the process: no getpid() per copy */
#define vm(nr, l, r)	__syscall(nr, __pthread_self()->tid, l, 1, r, 1, 0)
#define SETSIZE		(_NSIG/8)
#else
#define probe(p)	G_R(syscall(SYS_rt_sigprocmask, -1, p, 0, 8))
#define vm(nr, l, r)	G_R(syscall(nr, getpid(), l, 1, r, 1, 0))
#define SETSIZE		8
#endif

/* The first page is never mapped for us (mmap_min_addr): a null or tiny
 * pointer is EFAULT without asking, also where no probe can tell (a null
 * set makes rt_sigprocmask just succeed). */
static int low(const void *p, size_t n)
{
	return (uintptr_t)p < 4096 || (uintptr_t)p + n < (uintptr_t)p;
}

static long rw(long nr, void *dst, const void *src, size_t n, int in)
{
	struct iovec a = { dst, n }, b = { (void *)src, n };
	long k;

	if (low(in ? src : dst, n)) return -EFAULT;

	k = in ? vm(nr, &a, &b) : vm(nr, &b, &a);
	if (k == (long)n) return 0;
	if (k == -ENOSYS || k == -EPERM) {
		memcpy(dst, src, n);
		return 0;
	}
	/* a short copy: the range ends in unmapped memory */
	return k >= 0 ? -EFAULT : k;
}

/* 0 if the page of p is readable, -EFAULT if not, 1: cannot tell.  The
 * set read lies in p's page: aligned down to its size. */
static long page_ok(const void *p)
{
	long r = probe((void *)((uintptr_t)p & -(uintptr_t)SETSIZE));
	return r == -EINVAL ? 0 : r == -EFAULT ? r : 1;
}

/* copy n bytes of the caller's src to our dst: 0 or -EFAULT */
long __graft_copyin(void *dst, const void *src, size_t n)
{
	/* integer arithmetic: src may be any value, even null */
	const void *e = (const void *)((uintptr_t)src + n - 1);
	long r;

	if (!n) return 0;
	if (low(src, n)) return -EFAULT;
	if (!(r = page_ok(src)) && (__graft_same_page(src, n) || !(r = page_ok(e)))) {
		memcpy(dst, src, n);
		return 0;
	}
	return r < 0 ? r : rw(SYS_process_vm_readv, dst, src, n, 1);
}

/* copy n bytes of our src to the caller's dst: 0 or -EFAULT */
long __graft_copyout(void *dst, const void *src, size_t n)
{
	return n ? rw(SYS_process_vm_writev, dst, src, n, 0) : 0;
}

/* A name or option value of n bytes answered as the kernel does: *len
 * (read first) says how much of it fits, *len gets n; EFAULT for a bad
 * pointer, EINVAL for a negative length. */
long __graft_name_out(void *dst, socklen_t *len, const void *src, socklen_t n)
{
	socklen_t l;

	if (__graft_copyin(&l, len, sizeof l)) return -EFAULT;
	if ((int)l < 0) return -EINVAL;
	if (__graft_copyout(dst, src, l < n ? l : n)) return -EFAULT;
	return __graft_copyout(len, &n, sizeof n);
}
