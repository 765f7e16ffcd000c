/* graft_uaccess.h - caller memory the kernel has not validated yet.
 * Internal to libc: hidden, __graft_-prefixed (docs/core.md). */
#ifndef GRAFT_UACCESS_H
#define GRAFT_UACCESS_H

#include "graft_sys.h"

/* sys_uaccess.c: caller memory through the kernel (0 or -EFAULT, no fault) */
hidden long __graft_copyin(void *dst, const void *src, size_t n);
hidden long __graft_copyout(void *dst, const void *src, size_t n);
hidden long __graft_name_out(void *dst, socklen_t *len, const void *src, socklen_t n);
/* Whether n bytes at p lie in one page (4096: the smallest page of any
 * target): readable if any of them was. */
static inline int __graft_same_page(const void *p, size_t n)
{
	return ((uintptr_t)p ^ ((uintptr_t)p + n - 1)) < 4096;
}

#endif
