/* test_core_uaccess.c - caller memory through the kernel (sys_uaccess.c):
 * a buffer in, at and across the edge of an unmapped page, in and out, and
 * names answered as getsockname() does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <cmocka.h>
#include "graft_uaccess.h"

static char *page;	/* a readable page, then a PROT_NONE one */

static int setup(void **s)
{
	(void)s;
	page = mmap(0, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || mprotect(page + 4096, 4096, PROT_NONE)) return -1;
	memset(page, 'a', 4096);
	return 0;
}

static void t_in(void **s)
{
	char b[128];
	size_t n;
	(void)s;
	assert_int_equal(__graft_copyin(b, page, 16), 0);
	assert_memory_equal(b, page, 16);
	/* up to the last byte of the page, any length, any alignment */
	for (n = 1; n <= sizeof b; n++) {
		memset(b, 0, sizeof b);
		assert_int_equal(__graft_copyin(b, page + 4096 - n, n), 0);
		assert_memory_equal(b, page + 4096 - n, n);
		assert_int_equal(__graft_copyin(b, page + 4097 - n, n), -EFAULT);
	}
	assert_int_equal(__graft_copyin(b, page + 4096, 1), -EFAULT);
	assert_int_equal(__graft_copyin(b, (void *)1, 16), -EFAULT);
	assert_int_equal(__graft_copyin(b, 0, 16), -EFAULT);
	assert_int_equal(__graft_copyin(b, (void *)1, 0), 0);
}

static void t_in_nochange(void **s)
{
	sigset_t before, after;
	char b[8];
	(void)s;
	/* the probe must leave the signal mask alone, good or bad */
	sigemptyset(&before);
	sigaddset(&before, SIGUSR2);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &before, 0), 0);
	__graft_copyin(b, page, sizeof b);
	__graft_copyin(b, page + 4096, sizeof b);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, 0, &after), 0);
	assert_true(sigismember(&after, SIGUSR2));
	assert_false(sigismember(&after, SIGUSR1));
	sigemptyset(&before);
	pthread_sigmask(SIG_SETMASK, &before, 0);
}

static void t_out(void **s)
{
	(void)s;
	assert_int_equal(__graft_copyout(page + 4092, "wxyz", 4), 0);
	assert_memory_equal(page + 4092, "wxyz", 4);
	assert_int_equal(__graft_copyout(page + 4093, "wxyz", 4), -EFAULT);
	assert_int_equal(__graft_copyout((void *)1, "wxyz", 4), -EFAULT);
	assert_int_equal(__graft_copyout(page + 4096, "wxyz", 0), 0);
}

static void t_name(void **s)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = 7 }, got;
	socklen_t l = sizeof got;
	(void)s;
	assert_int_equal(__graft_name_out(&got, &l, &sin, sizeof sin), 0);
	assert_int_equal(l, sizeof sin);
	assert_memory_equal(&got, &sin, sizeof sin);
	/* truncated to *len, *len gets the full size */
	memset(&got, 0, sizeof got);
	l = 2;
	assert_int_equal(__graft_name_out(&got, &l, &sin, sizeof sin), 0);
	assert_int_equal(l, sizeof sin);
	assert_int_equal(got.sin_port, 0);
	l = -1;
	assert_int_equal(__graft_name_out(&got, &l, &sin, sizeof sin), -EINVAL);
	l = sizeof got;
	assert_int_equal(__graft_name_out(page + 4096, &l, &sin, sizeof sin), -EFAULT);
	assert_int_equal(__graft_name_out(&got, (void *)(page + 4096), &sin, sizeof sin), -EFAULT);
	/* *len of 0: nothing written, no pointer looked at */
	l = 0;
	assert_int_equal(__graft_name_out(page + 4096, &l, &sin, sizeof sin), 0);
	assert_int_equal(l, sizeof sin);
}

/* Under a seccomp filter that refuses process_vm_readv/writev with EPERM
 * (container profiles without CAP_SYS_PTRACE), a null pointer must still
 * be EFAULT: the probe cannot tell it (a null set is no error) and the
 * plain copy left would fault.  In a child: the filter is for good. */
static int seccomp_child(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD|BPF_W|BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP|BPF_JEQ|BPF_K, SYS_process_vm_readv, 2, 0),
		BPF_JUMP(BPF_JMP|BPF_JEQ|BPF_K, SYS_process_vm_writev, 1, 0),
		BPF_STMT(BPF_RET|BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET|BPF_K, SECCOMP_RET_ERRNO|EPERM),
	};
	struct sock_fprog p = { sizeof f / sizeof f[0], f };
	char b[16];
	socklen_t l = sizeof b;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p)) return 2;
	if (__graft_copyin(b, 0, sizeof b) != -EFAULT) return 3;
	if (__graft_copyout(0, b, sizeof b) != -EFAULT) return 4;
	if (__graft_name_out(b, 0, "abcd", 4) != -EFAULT) return 5;
	if (__graft_name_out(0, &l, "abcd", 4) != -EFAULT) return 6;
	return 0;
}

static void t_seccomp(void **s)
{
	int st;
	pid_t p;
	(void)s;
	if ((p = fork()) == 0) _exit(seccomp_child());
	assert_int_equal(waitpid(p, &st, 0), p);
	assert_true(WIFEXITED(st));	/* not killed by SIGSEGV */
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void t_same_page(void **s)
{
	(void)s;
	assert_true(__graft_same_page(page, 4096));
	assert_true(__graft_same_page(page + 4095, 1));
	assert_false(__graft_same_page(page + 4095, 2));
	assert_false(__graft_same_page(page + 4000, 128));
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(t_in),
		cmocka_unit_test(t_in_nochange),
		cmocka_unit_test(t_out),
		cmocka_unit_test(t_name),
		cmocka_unit_test(t_seccomp),
		cmocka_unit_test(t_same_page),
	};
	return cmocka_run_group_tests(t, setup, 0);
}
