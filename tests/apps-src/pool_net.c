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
 *   clobber ADDR PORT N    2 connections, dup2 a pipe over every fd the
 *                          app did not open, N more, the pipe must be
 *                          intact; close all fds >= 3, N more
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(int argc, char **argv)
{
	int n, s, rb = 65536;
	socklen_t l = sizeof rcvbuf_want;

	if (argc != 5) {
		fprintf(stderr, "usage: pool_net crr|fork|clobber ADDR PORT N\n");
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
