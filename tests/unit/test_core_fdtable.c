/* test_core_fdtable.c - per-fd state: any fd number, reuse, dup, close,
 * options, and many threads; and the request built from a state. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <cmocka.h>
#include <sys/epoll.h>
#include "graft_fd.h"
#include "graft_broker.h"
#include "graft_hooks.h"

static struct graft_fdstate mk(uint64_t ino)
{
	struct graft_fdstate st;
	memset(&st, 0, sizeof st);
	st.ino = ino;
	st.domain = AF_INET;
	st.type = SOCK_STREAM;
	return st;
}

static void t_basic(void **s)
{
	struct graft_fdstate st = mk(42), got;
	static const int fds[] = { 0, 3, 63, 64, 1023, 1024, 65535, 1 << 20, (1 << 20) + 1, 123456789, 0x7fffffff };
	unsigned i;
	(void)s;
	assert_false(__graft_fd_has(-1));
	assert_int_equal(__graft_fd_put(-1, &st), -ENOMEM);
	for (i = 0; i < sizeof fds / sizeof *fds; i++) {
		assert_false(__graft_fd_has(fds[i]));
		assert_false(__graft_fd_get(fds[i], &got));
		st.ino = 1000 + i;
		assert_int_equal(__graft_fd_put(fds[i], &st), 0);
	}
	for (i = 0; i < sizeof fds / sizeof *fds; i++) {
		assert_true(__graft_fd_has(fds[i]));
		assert_true(__graft_fd_get(fds[i], &got));
		assert_int_equal(got.ino, 1000 + i);
		/* forgetting someone else's socket does nothing */
		__graft_fd_forget(fds[i], 7);
		assert_true(__graft_fd_has(fds[i]));
		__graft_fd_forget(fds[i], 1000 + i);
		assert_false(__graft_fd_has(fds[i]));
	}
	/* neighbours are independent; reuse overwrites */
	st.ino = 1; __graft_fd_put(10, &st);
	st.ino = 2; __graft_fd_put(11, &st);
	st.ino = 3; __graft_fd_put(10, &st);
	__graft_fd_get(10, &got);
	assert_int_equal(got.ino, 3);
	__graft_fd_forget(10, 0);
	assert_false(__graft_fd_has(10));
	assert_true(__graft_fd_has(11));
	__graft_fd_forget(11, 0);
}

static void t_opts(void **s)
{
	struct graft_fdstate st = mk(5), got;
	int one = 1, two = 2, big[10] = { 0 };
	unsigned i;
	(void)s;
	__graft_fd_put(20, &st);
	__graft_fd_addopt(20, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	__graft_fd_addopt(20, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	__graft_fd_addopt(20, SOL_SOCKET, SO_REUSEADDR, &two, sizeof two);	/* replaces */
	__graft_fd_addopt(21, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);	/* untracked: ignored */
	assert_false(__graft_fd_has(21));
	__graft_fd_get(20, &got);
	assert_int_equal(got.nopt, 2);
	assert_int_equal(got.opt[0].name, SO_REUSEADDR);
	assert_memory_equal(got.opt[0].val, &two, sizeof two);
	assert_int_equal(got.opt[1].level, IPPROTO_TCP);
	assert_false(got.lost);
	/* too large a value cannot be carried over */
	__graft_fd_addopt(20, SOL_SOCKET, SO_ATTACH_FILTER, big, sizeof big);
	__graft_fd_get(20, &got);
	assert_true(got.lost);
	assert_int_equal(got.lost_name, SO_ATTACH_FILTER);
	/* nor more than GRAFT_FD_MAXOPTS distinct options */
	st = mk(6);
	for (i = 0; i < GRAFT_FD_MAXOPTS; i++)
		__graft_sopt_add(&st, 1000, i, &one, sizeof one);
	assert_false(st.lost);
	__graft_sopt_add(&st, 1000, 0, &two, sizeof two);
	assert_false(st.lost);
	__graft_sopt_add(&st, 1000, 99, &one, sizeof one);
	assert_true(st.lost);
	assert_int_equal(st.lost_name, 99);
	__graft_fd_forget(20, 0);
}

static void t_dup(void **s)
{
	struct graft_fdstate st = mk(77), got;
	(void)s;
	__graft_fd_put(30, &st);
	__graft_fd_dup(30, 31);
	assert_true(__graft_fd_get(31, &got));
	assert_int_equal(got.ino, 77);
	assert_true(got.shared);
	__graft_fd_get(30, &got);
	assert_true(got.shared);
	/* a dup onto a tracked number replaces its state */
	st = mk(88);
	__graft_fd_put(5000, &st);
	__graft_fd_dup(30, 5000);
	__graft_fd_get(5000, &got);
	assert_int_equal(got.ino, 77);
	/* the aliases of socket 77, in order */
	assert_int_equal(__graft_fd_next_alias(-1, 77), 30);
	assert_int_equal(__graft_fd_next_alias(30, 77), 31);
	assert_int_equal(__graft_fd_next_alias(31, 77), 5000);
	assert_int_equal(__graft_fd_next_alias(5000, 77), -1);
	/* dup of an untracked fd onto a tracked one forgets it */
	__graft_fd_dup(40, 31);
	assert_false(__graft_fd_has(31));
	__graft_fd_forget(30, 0);
	__graft_fd_forget(5000, 0);
	assert_int_equal(__graft_fd_next_alias(-1, 77), -1);
}

#define NTHREADS 8
#define NROUNDS 20000

static void *worker(void *arg)
{
	long id = (long)arg;
	int i, one = 1;
	for (i = 0; i < NROUNDS; i++) {
		/* disjoint fds across many chunks, plus one contended fd */
		int fd = 100000 + (i % 500) * NTHREADS + id;
		struct graft_fdstate st = mk(id * 1000000 + i + 1), got;
		if (__graft_fd_put(fd, &st)) return (void *)1;
		__graft_fd_addopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (!__graft_fd_get(fd, &got) || got.ino != st.ino || got.nopt != 1) return (void *)2;
		__graft_fd_forget(fd, st.ino);
		if (__graft_fd_has(fd)) return (void *)3;
		__graft_fd_put(7, &st);
		__graft_fd_addopt(7, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (__graft_fd_get(7, &got) && got.nopt > 1) return (void *)4;
		__graft_fd_forget(7, 0);
	}
	return 0;
}

/* epoll registrations of a placeholder: add, modify, delete, overflow;
 * a dup() does not inherit them (epoll watches file+fd pairs). */
static void t_epoll(void **s)
{
	struct graft_fdstate st = mk(77), got;
	int i;
	(void)s;
	assert_int_equal(__graft_fd_put(200, &st), 0);
	__graft_fd_epoll(200, 5, EPOLL_CTL_ADD, EPOLLIN, 111);
	__graft_fd_epoll(200, 6, EPOLL_CTL_ADD, EPOLLOUT, 222);
	__graft_fd_epoll(200, 5, EPOLL_CTL_MOD, EPOLLIN | EPOLLET, 333);
	assert_true(__graft_fd_get(200, &got));
	assert_int_equal(got.nep, 2);
	assert_int_equal(got.epr[0].epfd, 5);
	assert_int_equal(got.epr[0].events, EPOLLIN | EPOLLET);
	assert_int_equal(got.epr[0].data, 333);
	assert_int_equal(got.epr[1].data, 222);
	__graft_fd_epoll(200, 5, EPOLL_CTL_DEL, 0, 0);
	assert_true(__graft_fd_get(200, &got));
	assert_int_equal(got.nep, 1);
	assert_int_equal(got.epr[0].epfd, 6);
	for (i = 0; i < GRAFT_FD_MAXEP + 1; i++)
		__graft_fd_epoll(200, 10 + i, EPOLL_CTL_ADD, EPOLLIN, i);
	assert_true(__graft_fd_get(200, &got));
	assert_int_equal(got.nep, GRAFT_FD_MAXEP);
	assert_true(got.eplost);
	__graft_fd_dup(200, 201);
	assert_true(__graft_fd_get(201, &got));
	assert_int_equal(got.nep, 0);
	assert_false(got.eplost);
	/* an fd that is not recorded is ignored */
	__graft_fd_epoll(202, 5, EPOLL_CTL_ADD, EPOLLIN, 1);
	assert_false(__graft_fd_has(202));
	__graft_fd_forget(200, 0);
	__graft_fd_forget(201, 0);
}

static void t_threads(void **s)
{
	pthread_t t[NTHREADS];
	void *r;
	long i;
	(void)s;
	for (i = 0; i < NTHREADS; i++) pthread_create(t + i, 0, worker, (void *)i);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &r);
		assert_null(r);
	}
}

static void t_req(void **s)
{
	struct graft_fdstate st = mk(9);
	struct graft_req q;
	int one = 1, v6 = 0, buf = 65536;
	struct linger lg = { 1, 5 };
	unsigned mask;
	(void)s;
	st.domain = AF_INET6;
	st.type = SOCK_DGRAM;
	st.protocol = IPPROTO_UDP;
	__graft_sopt_add(&st, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	__graft_sopt_add(&st, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
	__graft_sopt_add(&st, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	__graft_sopt_add(&st, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof v6);
	__graft_sopt_add(&st, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
	__graft_sopt_add(&st, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	mask = __graft_req_build(&q, &st, "ep-sixteen-chars", GRAFT_F_INGRESS|GRAFT_F_PORT, 8080);
	assert_int_equal(mask, 0x3a);
	assert_int_equal(q.magic, GRAFT_PROTO_MAGIC);
	assert_int_equal(q.version, GRAFT_PROTO_VERSION);
	assert_int_equal(q.op, GRAFT_OP_GRAFT);
	assert_int_equal(q.flags, GRAFT_F_INGRESS|GRAFT_F_PORT);
	assert_int_equal(q.family, AF_INET6);
	assert_int_equal(q.type, SOCK_DGRAM);
	assert_int_equal(q.protocol, IPPROTO_UDP);
	assert_int_equal(q.port, 8080);
	assert_memory_equal(q.epname, "ep-sixteen-chars", 16);
	assert_int_equal(q.nopts, 4);
	assert_int_equal(q.opts[0].name, SO_REUSEPORT);
	assert_int_equal(q.opts[1].name, IPV6_V6ONLY);
	assert_int_equal(q.opts[1].value, 0);
	assert_int_equal(q.opts[2].name, SO_RCVBUF);
	assert_int_equal(q.opts[2].value, 65536);
	assert_int_equal(q.opts[3].name, SO_REUSEADDR);
	mask = __graft_req_build(&q, &st, "e", GRAFT_F_EGRESS, 8080);
	assert_int_equal(q.port, 0);
	assert_memory_equal(q.epname, "e\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	/* unused option slots are zero */
	static const struct graft_opt zero;
	assert_memory_equal(&q.opts[4], &zero, sizeof zero);
}

/* A parent's thread holds a slot's lock (mid-update) when another forks:
 * the child, where that thread does not exist, must not wait for it, also
 * after 256 generations of forks (the generation's count wraps). */
static pthread_mutex_t held_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t held_cv = PTHREAD_COND_INITIALIZER;
static int held;

static void *holder(void *arg)
{
	struct graft_fdstate *st = __graft_fd_lock(*(int *)arg, 0);
	pthread_mutex_lock(&held_mu);
	held = st ? 1 : -1;
	pthread_cond_broadcast(&held_cv);
	while (held != 2) pthread_cond_wait(&held_cv, &held_mu);
	pthread_mutex_unlock(&held_mu);
	if (st) __graft_fd_unlock(*(int *)arg);
	return 0;
}

static int child_gets(int fd, int forks)
{
	struct graft_fdstate got;
	int i, status;
	pid_t pid = fork();
	if (!pid) {
		alarm(2);	/* a deadlock ends in SIGALRM */
		for (i = 0; i < forks; i++) __graft_fork_child();	/* what _Fork calls */
		_exit(!(__graft_fd_get(fd, &got) && got.ino == 77));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void t_fork_held(void **s)
{
	struct graft_fdstate st = mk(77);
	static int fd = 300;
	pthread_t t;
	(void)s;
	assert_int_equal(__graft_fd_put(fd, &st), 0);
	pthread_create(&t, 0, holder, &fd);
	pthread_mutex_lock(&held_mu);
	while (!held) pthread_cond_wait(&held_cv, &held_mu);
	pthread_mutex_unlock(&held_mu);
	assert_int_equal(held, 1);
	assert_int_equal(child_gets(fd, 1), 0);
	assert_int_equal(child_gets(fd, 256), 0);
	assert_int_equal(child_gets(fd, 300), 0);
	/* without a fork, the lock is the holder's: no child sees it free */
	assert_int_equal(child_gets(fd, 0), 128 + SIGALRM);
	pthread_mutex_lock(&held_mu);
	held = 2;
	pthread_cond_broadcast(&held_cv);
	pthread_mutex_unlock(&held_mu);
	pthread_join(t, 0);
	__graft_fd_forget(fd, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_basic),
		cmocka_unit_test(t_opts),
		cmocka_unit_test(t_dup),
		cmocka_unit_test(t_epoll),
		cmocka_unit_test(t_threads),
		cmocka_unit_test(t_req),
		cmocka_unit_test(t_fork_held),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
