/* uaccess.c - caller memory the kernel has not looked at yet.  A hook that
 * reads an address, a msghdr or an option value before the system call
 * would fault where stock musl returns EFAULT: such memory is copied by
 * the kernel (process_vm_readv/writev on ourselves), which reports a bad
 * pointer instead.  Only hooks acting on a socket a rule may concern ask:
 * calls on other fds pay nothing.  Where the kernel refuses the call
 * (ENOSYS under qemu-user, EPERM under a seccomp filter) a plain copy is
 * all that is left. */
#include <string.h>
#include <sys/uio.h>
#include "graft_core.h"
#ifdef __GRAFT_IN_LIBC
#include "pthread_impl.h"
/* any thread's id names the process: no getpid() per copy */
#define self()	(__pthread_self()->tid)
#define vm(nr, l, r)	__syscall(nr, self(), l, 1, r, 1, 0)
#else
#define vm(nr, l, r)	G_R(syscall(nr, getpid(), l, 1, r, 1, 0))
#endif

static long rw(long nr, void *dst, const void *src, size_t n, int in)
{
	struct iovec a = { dst, n }, b = { (void *)src, n };
	long k;

	if (!n) return 0;
	k = in ? vm(nr, &a, &b) : vm(nr, &b, &a);
	if (k == (long)n) return 0;
	if (k == -ENOSYS || k == -EPERM) {
		memcpy(dst, src, n);
		return 0;
	}
	/* a short copy: the range ends in unmapped memory */
	return k >= 0 ? -EFAULT : k;
}

/* copy n bytes of the caller's src to our dst: 0 or -EFAULT */
long __graft_copyin(void *dst, const void *src, size_t n)
{
	return rw(SYS_process_vm_readv, dst, src, n, 1);
}

/* copy n bytes of our src to the caller's dst: 0 or -EFAULT */
long __graft_copyout(void *dst, const void *src, size_t n)
{
	return rw(SYS_process_vm_writev, dst, src, n, 0);
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
