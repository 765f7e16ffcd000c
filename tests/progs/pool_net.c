/* pool_net.c - a connect-heavy client for tests/e2e/core-pool.sh, built
 * with graft-cc: egress grafts served from libc's pool of spare sockets.
 * Each connection reads the server's greeting line.  Prints "ok ..." on
 * success, else one "fail ..." line and exits 1.
 *
 *   crr ADDR PORT N        N connections, TCP_NODELAY, SO_KEEPALIVE and
 *                          SO_RCVBUF set before connect, checked after
 *   fork ADDR PORT N       2 connections, fork: the child must hold no
 *                          inet socket (the parent's spares), both then
 *                          make N each
 *   threads ADDR PORT N    8 threads make N connections each at once; no
 *                          descriptor is lost or left behind but spares
 *   pause ADDR PORT N      N connections, "paused", a line from stdin, N
 *                          more (graftd is restarted meanwhile)
 *   clobber ADDR PORT N    2 connections, dup2 a pipe over every fd the
 *                          app did not open, N more, the pipe must be
 *                          intact; close all fds >= 3, N more
 *
 * Spares handed out by socket() (src/graft/pool_spare.c): each case first
 * makes 2 connections, so the next socket() is a spare; a socket's network
 * namespace is told by its SO_NETNS_COOKIE against an AF_UNIX socket's.
 *   spare-probe ADDR PORT 0       "ok probe", or "skip WHY" without cookies
 *                          (qemu-user): the cases then check behaviour only
 *   spare ADDR PORT N      N spares connected as is: blocking without
 *                          FD_CLOEXEC, then SOCK_NONBLOCK|SOCK_CLOEXEC
 *   spare-local ADDR PORT LPORT   options and a dup(), then a connect to
 *                          127.0.0.1:LPORT, which only the namespace has
 *   spare-listen ADDR PORT 0      listen() without bind: in the namespace
 *   spare-reuse ADDR PORT 0       SO_REUSEADDR, then the connect to ADDR
 *   spare-bind0 ADDR PORT 0       bind(0.0.0.0:0), then the connect to ADDR
 *   spare-efault ADDR PORT 0      bad pointers to setsockopt, getsockname,
 *                          bind, connect: EFAULT, then the connect to ADDR
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct sockaddr_in sin;
static int rcvbuf_want;		/* SO_RCVBUF as the kernel reports it */

static void fail(const char *what)
{
	printf("fail %s: %s\n", what, strerror(errno));
	exit(1);
}

static int opt(int s, int level, int name)
{
	int v = -1;
	socklen_t l = sizeof v;
	if (getsockopt(s, level, name, &v, &l)) fail("getsockopt");
	return v;
}

static void one(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1, rb = 65536;
	char buf[256];
	ssize_t n;

	if (s < 0) fail("socket");
	if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one)
	 || setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one)
	 || setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rb, sizeof rb)) fail("setsockopt");
	if (connect(s, (void *)&sin, sizeof sin)) fail("connect");
	if ((n = read(s, buf, sizeof buf - 1)) < 10 || memcmp(buf, "hello from", 10)) fail("read greeting");
	if (opt(s, IPPROTO_TCP, TCP_NODELAY) != 1) { errno = 0; fail("TCP_NODELAY not in effect"); }
	if (opt(s, SOL_SOCKET, SO_KEEPALIVE) != 1) { errno = 0; fail("SO_KEEPALIVE not in effect"); }
	if (opt(s, SOL_SOCKET, SO_RCVBUF) != rcvbuf_want) { errno = 0; fail("SO_RCVBUF not in effect"); }
	close(s);
}

static void many(int n)
{
	while (n-- > 0) one();
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif
static unsigned long long nscookie;	/* this namespace's */
static int nocookie;			/* qemu-user: behaviour checks only */

static unsigned long long cookie(int s)
{
	unsigned long long c = 0;
	socklen_t l = sizeof c;
	if (getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &c, &l)) fail("SO_NETNS_COOKIE");
	return c;
}

/* s is a host socket, or (local) the namespace's; unknown without cookies */
static int host(int s) { return nocookie || cookie(s) != nscookie; }
static int local(int s) { return nocookie || cookie(s) == nscookie; }

static void expect(int cond, const char *what)
{
	if (!cond) {
		errno = 0;
		fail(what);
	}
}

/* 2 connections, then a socket() that must be a spare host socket */
static int spare(int type)
{
	int s;
	many(2);
	if ((s = socket(AF_INET, type, 0)) < 0) fail("socket");
	expect(host(s), "socket() after 2 egress grafts is not a spare host socket");
	return s;
}

static void greeting(int s)
{
	char buf[256];
	struct pollfd p = { s, POLLIN, 0 };
	ssize_t n;
	if (poll(&p, 1, 5000) != 1) fail("poll for the greeting");
	if ((n = read(s, buf, sizeof buf - 1)) < 10 || memcmp(buf, "hello from", 10)) fail("read greeting");
}

static void wildcard(int s)
{
	struct sockaddr_in a;
	socklen_t l = sizeof a;
	memset(&a, 0xff, sizeof a);
	if (getsockname(s, (void *)&a, &l)) fail("getsockname");
	expect(l == sizeof a && a.sin_family == AF_INET && !a.sin_addr.s_addr && !a.sin_port,
		"getsockname of an unconnected spare is not 0.0.0.0:0");
}

static int spare_case(const char *mode, int n, int lport)
{
	int s, d, one = 1, on;
	socklen_t l = sizeof on;
	struct sockaddr_in a;

	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) < 0) fail("socket AF_UNIX");
	l = sizeof nscookie;
	nocookie = getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &nscookie, &l) != 0;
	if (!strcmp(mode, "spare-probe")) {
		if (nocookie) printf("skip no SO_NETNS_COOKIE here (%s): which sockets are spares is not checked\n", strerror(errno));
		else printf("ok probe\n");
		return 0;
	}
	close(s);
	if (!strcmp(mode, "spare")) {
		int i;
		for (i = 0; i < n; i++) {
			s = spare(SOCK_STREAM);
			expect(fcntl(s, F_GETFD) == 0, "spare for socket() has FD_CLOEXEC");
			expect(!(fcntl(s, F_GETFL) & O_NONBLOCK), "spare for socket() is non-blocking");
			wildcard(s);
			if (connect(s, (void *)&sin, sizeof sin)) fail("connect");
			greeting(s);
			close(s);
			s = spare(SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC);
			expect(fcntl(s, F_GETFD) == FD_CLOEXEC, "spare for SOCK_CLOEXEC lacks FD_CLOEXEC");
			expect(fcntl(s, F_GETFL) & O_NONBLOCK, "spare for SOCK_NONBLOCK is blocking");
			if (connect(s, (void *)&sin, sizeof sin) && errno != EINPROGRESS) fail("connect");
			greeting(s);
			close(s);
		}
		printf("ok %d spares\n", 2 * n);
		return 0;
	}
	if (!strcmp(mode, "spare-local")) {
		s = spare(SOCK_STREAM);
		if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one)
		 || setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one)) fail("setsockopt");
		if ((d = dup(s)) < 0) fail("dup");
		memset(&a, 0, sizeof a);
		a.sin_family = AF_INET;
		a.sin_port = htons(lport);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (connect(s, (void *)&a, sizeof a)) fail("connect to the namespace's 127.0.0.1");
		expect(local(s), "a local connect left the spare in place");
		expect(local(d), "the dup() of the spare still names it");
		greeting(d);
		expect(opt(s, IPPROTO_TCP, TCP_NODELAY) == 1, "TCP_NODELAY lost on the way back");
		expect(opt(s, SOL_SOCKET, SO_KEEPALIVE) == 1, "SO_KEEPALIVE lost on the way back");
		printf("ok local\n");
		return 0;
	}
	if (!strcmp(mode, "spare-listen")) {
		int c, x;
		s = spare(SOCK_STREAM);
		if (listen(s, 4)) fail("listen");
		expect(local(s), "listen() on a spare listens on the host");
		l = sizeof a;
		if (getsockname(s, (void *)&a, &l) || !a.sin_port) fail("getsockname after listen");
		l = sizeof on;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((c = socket(AF_INET, SOCK_STREAM, 0)) < 0) fail("socket");
		if (connect(c, (void *)&a, sizeof a)) fail("connect to the listener in the namespace");
		if ((x = accept(s, 0, 0)) < 0) fail("accept");
		printf("ok listen\n");
		return 0;
	}
	if (!strcmp(mode, "spare-reuse")) {
		s = spare(SOCK_STREAM);
		if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one)) fail("SO_REUSEADDR");
		expect(local(s), "SO_REUSEADDR went to a spare graftd already bound");
		if (connect(s, (void *)&sin, sizeof sin)) fail("connect");
		expect(host(s), "not grafted");
		greeting(s);
		expect(opt(s, SOL_SOCKET, SO_REUSEADDR) == 1, "SO_REUSEADDR not in effect");
		printf("ok reuseaddr\n");
		return 0;
	}
	if (!strcmp(mode, "spare-efault")) {
		void *bad = mmap(0, 4096, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
		socklen_t l = sizeof a;
		s = spare(SOCK_STREAM);
		errno = 0;
		expect(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, bad, sizeof one) && errno == EFAULT,
			"setsockopt with a bad value is not EFAULT");
		expect(getsockname(s, bad, &l) && errno == EFAULT, "getsockname into a bad buffer is not EFAULT");
		expect(getsockname(s, (void *)&a, bad) && errno == EFAULT, "getsockname with a bad length is not EFAULT");
		expect(bind(s, bad, sizeof a) && errno == EFAULT, "bind of a bad address is not EFAULT");
		expect(connect(s, bad, sizeof a) && errno == EFAULT, "connect to a bad address is not EFAULT");
		if (connect(s, (void *)&sin, sizeof sin)) fail("connect");
		expect(host(s), "not grafted");
		greeting(s);
		printf("ok efault\n");
		return 0;
	}
	if (!strcmp(mode, "spare-bind0")) {
		s = spare(SOCK_STREAM);
		memset(&a, 0, sizeof a);
		a.sin_family = AF_INET;
		if (bind(s, (void *)&a, sizeof a)) fail("bind 0.0.0.0:0");
		if (connect(s, (void *)&sin, sizeof sin)) fail("connect");
		expect(host(s), "not grafted after bind(0.0.0.0:0)");
		greeting(s);
		printf("ok bind0\n");
		return 0;
	}
	return 2;
}

/* fds >= 3 this process has open; inet: only inet sockets */
static int openfds(int *fds, int max, int inet)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0, dfd;
	if (!d) fail("opendir /proc/self/fd");
	dfd = dirfd(d);
	while ((e = readdir(d)) && n < max) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] == '.' || fd < 3 || fd == dfd) continue;
		if (inet) {
			int dom = -1;
			socklen_t l = sizeof dom;
			if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) || dom != AF_INET) continue;
		}
		fds[n++] = fd;
	}
	closedir(d);
	return n;
}

static void *worker(void *arg)
{
	many(*(int *)arg);
	return 0;
}

/* 8 threads of n connections; the fds open afterwards are at most the
 * ones before plus the spares a pool may keep (15) */
static int threads(int n)
{
	pthread_t t[8];
	int fds[256], before, after, i;

	many(2);
	before = openfds(fds, 256, 0);
	for (i = 0; i < 8; i++)
		if ((errno = pthread_create(t + i, 0, worker, &n))) fail("pthread_create");
	for (i = 0; i < 8; i++) pthread_join(t[i], 0);
	after = openfds(fds, 256, 0);
	if (after > before + 15) {
		printf("fail %d fds open after the threads, %d before\n", after, before);
		return 1;
	}
	printf("ok 8 threads x %d\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	int n, s, rb = 65536;
	socklen_t l = sizeof rcvbuf_want;

	if (argc != 5) {
		fprintf(stderr, "usage: pool_net crr|fork|clobber|spare... ADDR PORT N\n");
		return 2;
	}
	sin.sin_family = AF_INET;
	sin.sin_port = htons(atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &sin.sin_addr) != 1) return 2;
	n = atoi(argv[4]);
	/* what SO_RCVBUF 65536 reads back as here, on a socket never grafted */
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) < 0
	 || setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rb, sizeof rb)
	 || getsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf_want, &l)) fail("SO_RCVBUF probe");
	close(s);

	if (!strncmp(argv[1], "spare", 5)) return spare_case(argv[1], n, n);
	if (!strcmp(argv[1], "threads")) return threads(n);
	if (!strcmp(argv[1], "pause")) {
		char line[16];
		many(n);
		printf("paused\n");
		fflush(stdout);
		if (!fgets(line, sizeof line, stdin)) fail("reading the go-ahead");
		many(n);
		printf("ok %d and %d\n", n, n);
		return 0;
	}
	if (!strcmp(argv[1], "crr")) {
		many(n);
		printf("ok %d\n", n);
		return 0;
	}
	if (!strcmp(argv[1], "fork")) {
		int before[256], after[256], nb, na, i, st;
		pid_t pid;
		many(2);	/* the second asks for a batch: spares now */
		nb = openfds(before, 256, 1);
		if (nb < 1) { errno = 0; fail("no spare sockets before fork"); }
		if ((pid = fork()) < 0) fail("fork");
		if (!pid) {
			na = openfds(after, 256, 1);
			for (i = 0; i < na; i++) {
				printf("fail child holds fd %d of its parent\n", after[i]);
				_exit(1);
			}
			many(n);
			_exit(0);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
			errno = 0;
			fail("child");
		}
		many(n);
		printf("ok parent had %d spares, child none\n", nb);
		return 0;
	}
	if (!strcmp(argv[1], "clobber")) {
		int fds[256], k, i, p[2];
		struct stat a, b;
		many(2);
		if (pipe(p)) fail("pipe");
		k = openfds(fds, 256, 0);
		if (fstat(p[0], &a)) fail("fstat");
		/* every number the app did not open (the spares) is now ours */
		for (i = 0; i < k; i++)
			if (fds[i] != p[0] && fds[i] != p[1] && dup2(p[0], fds[i]) != fds[i]) fail("dup2");
		many(n);
		for (i = 0; i < k; i++)
			if (fstat(fds[i], &b) || b.st_ino != a.st_ino) {
				printf("fail fd %d of the app was closed or replaced\n", fds[i]);
				return 1;
			}
		if (write(p[1], "x", 1) != 1) fail("pipe write");
		for (i = 3; i < 1024; i++) close(i);
		many(n);
		printf("ok %d fds taken over, all kept\n", k);
		return 0;
	}
	return 2;
}
