/* stock_net.c - socket calls in the corners, built with musl-gcc and with
 * graft-cc: tests/e2e/core-stock.sh compares the two outputs line by line.
 * Every line is "case: result" with kernel errno numbers (strerror texts
 * may differ between musl versions) and nothing that varies from run to
 * run.  PORT is the first of 8 loopback ports the probe may use.
 *
 *   errno PORT     bad fds, non-sockets, bad families, types and lengths
 *   flags PORT     SOCK_NONBLOCK|SOCK_CLOEXEC through socket, accept4, dup
 *   limit PORT     RLIMIT_NOFILE 1048576: a socket at fd 1048575
 *   block PORT     pthread_cancel and EINTR (no SA_RESTART) of a thread
 *                  blocked in accept, recv, connect
 *   efault PORT    bad pointers: bind, connect, sendto, sendmsg, sendmmsg,
 *                  setsockopt, getsockopt, getsockname, accept (each in a
 *                  child: a crash prints "signal N")
 *   afgraft        socket(4, ...), getaddrinfo with ai_family 4
 *   afgraft-efault the AF_GRAFT emulation given bad pointers (graft-cc)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int port;

static void res(const char *what, long r)
{
	if (r < 0) printf("%s: -1 e=%d\n", what, errno);
	else printf("%s: ok\n", what);
	fflush(stdout);
}

static struct sockaddr_in lo4(int p)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(p) };
	s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return s;
}

static struct sockaddr_in6 lo6(int p)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6, .sin6_port = htons(p) };
	s.sin6_addr = in6addr_loopback;
	return s;
}

static void msleep(int ms)
{
	struct timespec t = { ms / 1000, ms % 1000 * 1000000L };
	nanosleep(&t, 0);
}

/* --- errno ---------------------------------------------------------------- */

static void on_fd(const char *name, int fd)
{
	struct sockaddr_in a = lo4(port);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char buf[64];
	int one = 1;

	snprintf(buf, sizeof buf, "%s bind", name);
	res(buf, bind(fd, (void *)&a, sizeof a));
	snprintf(buf, sizeof buf, "%s connect", name);
	res(buf, connect(fd, (void *)&a, sizeof a));
	snprintf(buf, sizeof buf, "%s sendto", name);
	res(buf, sendto(fd, "x", 1, MSG_NOSIGNAL, (void *)&a, sizeof a));
	snprintf(buf, sizeof buf, "%s listen", name);
	res(buf, listen(fd, 1));
	snprintf(buf, sizeof buf, "%s getsockname", name);
	res(buf, getsockname(fd, (void *)&ss, &sl));
	snprintf(buf, sizeof buf, "%s setsockopt", name);
	res(buf, setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	snprintf(buf, sizeof buf, "%s accept", name);
	res(buf, accept(fd, 0, 0));
}

/* bind and connect of a fresh socket with an address of length len */
static void lens(int fam, const void *a, const char *name)
{
	static const socklen_t l[] = { 0, 1, 2, 8, 15, 16, 24, 27, 28, 29, 128, 129, 4096, 0x80000000u };
	char buf[80];
	unsigned i;

	for (i = 0; i < sizeof l / sizeof *l; i++) {
		int s = socket(fam, SOCK_STREAM, 0);
		char big[4096 + 16] = { 0 };
		memcpy(big, a, fam == AF_INET ? 16 : 28);
		snprintf(buf, sizeof buf, "%s len %u bind", name, l[i]);
		res(buf, bind(s, (void *)big, l[i]));
		close(s);
		s = socket(fam, SOCK_DGRAM, 0);
		snprintf(buf, sizeof buf, "%s len %u connect", name, l[i]);
		res(buf, connect(s, (void *)big, l[i]));
		snprintf(buf, sizeof buf, "%s len %u sendto", name, l[i]);
		res(buf, sendto(s, "x", 1, 0, (void *)big, l[i]));
		close(s);
	}
}

static void t_errno(void)
{
	static const int dom[] = { -1, 0, 4, 12345, AF_MAX, AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET };
	static const int typ[] = { -1, 0, SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, 99, SOCK_STREAM | 0x1000 };
	static const int pro[] = { 0, 6, 17, 132, 255, 9999 };
	struct sockaddr_in a4 = lo4(port), any4 = lo4(port);
	struct sockaddr_in6 a6 = lo6(port);
	struct { sa_family_t f; char p[20]; } un = { AF_UNIX, "/nonexistent" };
	unsigned i, j, k;
	char buf[80];
	int s, fd;

	for (i = 0; i < sizeof dom / sizeof *dom; i++)
		for (j = 0; j < sizeof typ / sizeof *typ; j++)
			for (k = 0; k < sizeof pro / sizeof *pro; k++) {
				/* socket(4) is AF_GRAFT under graft-cc: "afgraft" */
				if (dom[i] == 4 || dom[i] == AF_PACKET || typ[j] == SOCK_RAW) continue;
				s = socket(dom[i], typ[j], pro[k]);
				snprintf(buf, sizeof buf, "socket(%d, %d, %d)", dom[i], typ[j], pro[k]);
				res(buf, s);
				if (s >= 0) close(s);
			}
	on_fd("fd -1", -1);
	on_fd("fd 999999", 999999);
	on_fd("fd 2^31-1", 0x7fffffff);
	fd = open("/dev/null", O_RDWR);
	on_fd("/dev/null", fd);
	close(fd);
	on_fd("closed fd", fd);
	/* wrong families on inet sockets */
	any4.sin_addr.s_addr = 0;
	s = socket(AF_INET, SOCK_STREAM, 0);
	res("v4 socket bind v6 address", bind(s, (void *)&a6, sizeof a6));
	res("v4 socket bind AF_UNIX", bind(s, (void *)&un, sizeof un));
	res("v4 socket connect v6 address", connect(s, (void *)&a6, sizeof a6));
	res("v4 socket connect AF_UNSPEC", connect(s, (void *)&(struct sockaddr){ AF_UNSPEC }, sizeof(struct sockaddr)));
	res("v4 socket connect refused", connect(s, (void *)&a4, sizeof a4));
	res("v4 socket connect again", connect(s, (void *)&a4, sizeof a4));
	close(s);
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	res("v6 socket bind v4 address", bind(s, (void *)&a4, sizeof a4));
	res("v6 socket connect v4 address", connect(s, (void *)&a4, sizeof a4));
	res("v6 socket sendto v4 address", sendto(s, "x", 1, 0, (void *)&a4, sizeof a4));
	res("v6 socket sendto AF_UNIX", sendto(s, "x", 1, 0, (void *)&un, sizeof un));
	close(s);
	s = socket(AF_INET, SOCK_STREAM, 0);
	res("unconnected stream send", send(s, "x", 1, MSG_NOSIGNAL));
	res("unconnected stream sendto", sendto(s, "x", 1, MSG_NOSIGNAL, (void *)&a4, sizeof a4));
	res("bind", bind(s, (void *)&a4, sizeof a4));
	res("bind twice", bind(s, (void *)&a4, sizeof a4));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	res("listen", listen(s, 1));
	res("bind in use", bind(fd, (void *)&a4, sizeof a4));
	res("bind any in use", bind(fd, (void *)&any4, sizeof any4));
	close(fd);
	close(s);
	lens(AF_INET, &a4, "v4");
	lens(AF_INET6, &a6, "v6");
}

/* --- flags ----------------------------------------------------------------- */

static void flags(const char *what, int fd)
{
	int fl = fcntl(fd, F_GETFL), fd_fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fd_fl < 0) printf("%s: flags e=%d\n", what, errno);
	else printf("%s: nonblock=%d cloexec=%d\n", what, !!(fl & O_NONBLOCK), !!(fd_fl & FD_CLOEXEC));
	fflush(stdout);
}

static void t_flags(void)
{
	static const int f[] = { 0, SOCK_NONBLOCK, SOCK_CLOEXEC, SOCK_NONBLOCK | SOCK_CLOEXEC };
	char buf[80];
	unsigned i;

	for (i = 0; i < 4; i++) {
		struct sockaddr_in a = lo4(port + 1);
		int l = socket(AF_INET, SOCK_STREAM | f[i], 0), c, d, one = 1;
		snprintf(buf, sizeof buf, "flags %#x stream socket", f[i]);
		flags(buf, l);
		setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		res("bind", bind(l, (void *)&a, sizeof a));
		flags("after bind", l);
		res("listen", listen(l, 4));
		flags("after listen", l);
		c = socket(AF_INET, SOCK_STREAM | f[i], 0);
		d = connect(c, (void *)&a, sizeof a);
		printf("connect: %s\n", d == 0 ? "ok" : errno == EINPROGRESS ? "in progress" : "failed");
		flags("after connect", c);
		msleep(20);
		d = accept4(l, 0, 0, f[i]);
		flags("accept4 same flags", d);
		close(d);
		d = dup(c);
		flags("dup", d);
		close(d);
		d = dup3(c, 100, O_CLOEXEC);
		flags("dup3 O_CLOEXEC", d);
		close(d);
		d = fcntl(c, F_DUPFD_CLOEXEC, 200);
		flags("F_DUPFD_CLOEXEC", d);
		close(d);
		close(c);
		close(l);
		l = socket(AF_INET6, SOCK_DGRAM | f[i], 0);
		snprintf(buf, sizeof buf, "flags %#x v6 dgram socket", f[i]);
		flags(buf, l);
		{
			struct sockaddr_in6 a6 = lo6(port + 2);
			res("v6 dgram connect", connect(l, (void *)&a6, sizeof a6));
			flags("after connect", l);
		}
		close(l);
	}
	res("socket bad flag bits", socket(AF_INET, SOCK_STREAM | 0x40000000, 0));
}

/* --- limit ----------------------------------------------------------------- */

static void t_limit(void)
{
	struct rlimit rl = { 1048576, 1048576 };
	struct sockaddr_in a = lo4(port + 3);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int s, top, one = 1;

	/* without CAP_SYS_RESOURCE: up to the hard limit (the test says so) */
	printf("rlimit raised to 1048576: %s\n", setrlimit(RLIMIT_NOFILE, &rl) ? "no" : "yes");
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	top = rl.rlim_cur - 1;
	fprintf(stderr, "top fd %d\n", top);
	s = socket(AF_INET, SOCK_STREAM, 0);
	res("dup2 to the top fd", dup2(s, top));
	res("dup2 to the limit", dup2(s, top + 1));
	close(s);
	res("setsockopt top", setsockopt(top, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	res("bind top", bind(top, (void *)&a, sizeof a));
	res("listen top", listen(top, 4));
	res("getsockname top", getsockname(top, (void *)&ss, &sl));
	printf("port right: %d\n", ((struct sockaddr_in *)&ss)->sin_port == a.sin_port);
	s = socket(AF_INET, SOCK_STREAM, 0);
	res("F_DUPFD top - 1", fcntl(s, F_DUPFD, top - 1));
	close(s);
	res("connect top - 1", connect(top - 1, (void *)&a, sizeof a));
	s = accept(top, 0, 0);
	res("accept on top", s);
	res("send", send(top - 1, "hi", 2, 0));
	close(s);
	close(top - 1);
	close(top);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	res("dup2 dgram to top", dup2(s, top));
	close(s);
	res("dgram connect top", connect(top, (void *)&a, sizeof a));
	res("dgram sendto top", sendto(top, "x", 1, 0, (void *)&a, sizeof a));
	close(top);
	s = socket(AF_INET, SOCK_STREAM, 0);
	res("socket then dup3 to top", dup3(s, top, O_CLOEXEC));
	res("close the first", close(s));
	res("connect top refused", connect(top, (void *)&a, sizeof a));
	close(top);
	rl.rlim_cur = 64;
	setrlimit(RLIMIT_NOFILE, &rl);
	for (s = 0; s >= 0; ) s = socket(AF_INET, SOCK_DGRAM, 0);
	res("socket at RLIMIT_NOFILE 64", -1);
	res("bind at the limit", bind(63, (void *)&a, sizeof a));
}

/* --- block ----------------------------------------------------------------- */

static int bl_fd, bl_op, bl_ret, bl_err, bl_done;
static struct sockaddr_in bl_addr;

static void *blocker(void *p)
{
	(void)p;
	if (bl_op == 0) bl_ret = accept(bl_fd, 0, 0);
	else if (bl_op == 1) bl_ret = recv(bl_fd, &bl_err, 1, 0);
	else bl_ret = connect(bl_fd, (void *)&bl_addr, sizeof bl_addr);
	bl_err = errno;
	__atomic_store_n(&bl_done, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void on_usr1(int sig) { (void)sig; }

/* a listener whose accept queue is full: a connect to it blocks */
static int full_listener(int p, int *held)
{
	struct sockaddr_in a = lo4(p);
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	bind(l, (void *)&a, sizeof a);
	listen(l, 0);
	*held = socket(AF_INET, SOCK_STREAM, 0);
	connect(*held, (void *)&a, sizeof a);
	msleep(20);
	return l;
}

static const char *const opname[] = { "accept", "recv", "connect" };

static void one_block(int op, int cancel)
{
	struct sockaddr_in a = lo4(port + 4);
	pthread_t t;
	void *rv = 0;
	int l = -1, held = -1, i, one = 1;
	char buf[80];

	bl_op = op;
	bl_done = 0;
	if (op == 0) {
		bl_fd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(bl_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		bind(bl_fd, (void *)&a, sizeof a);
		listen(bl_fd, 4);
	} else if (op == 1) {
		bl_fd = socket(AF_INET, SOCK_DGRAM, 0);
		bind(bl_fd, (void *)&a, sizeof a);
	} else {
		l = full_listener(port + 5, &held);
		bl_addr = lo4(port + 5);
		bl_fd = socket(AF_INET, SOCK_STREAM, 0);
	}
	pthread_create(&t, 0, blocker, 0);
	msleep(100);
	snprintf(buf, sizeof buf, "%s %s", cancel ? "pthread_cancel" : "EINTR", opname[op]);
	if (cancel) {
		pthread_cancel(t);
		pthread_join(t, &rv);
		printf("%s: %s\n", buf, rv == PTHREAD_CANCELED ? "canceled" : "returned");
	} else {
		/* repeated: a signal before the thread blocks is lost */
		for (i = 0; i < 100 && !__atomic_load_n(&bl_done, __ATOMIC_SEQ_CST); i++) {
			pthread_kill(t, SIGUSR1);
			msleep(50);
		}
		pthread_join(t, 0);
		printf("%s: %s e=%d\n", buf, bl_ret < 0 ? "-1" : "ok", bl_ret < 0 ? bl_err : 0);
		/* the handshake goes on: a non-blocking retry says so */
		if (op == 2 && !fcntl(bl_fd, F_SETFL, O_NONBLOCK))
			res("connect after EINTR", connect(bl_fd, (void *)&bl_addr, sizeof bl_addr));
	}
	fflush(stdout);
	close(bl_fd);
	if (l >= 0) close(l);
	if (held >= 0) close(held);
}

static void t_block(void)
{
	struct sigaction sa;
	int op;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;	/* no SA_RESTART */
	sigaction(SIGUSR1, &sa, 0);
	for (op = 0; op < 3; op++) {
		one_block(op, 1);
		one_block(op, 0);
	}
}

/* --- efault ---------------------------------------------------------------- */

static char *bad, *edge4, *edge6;	/* unmapped; the end of a page before a hole */

/* run case n in a child: a crash is reported, not fatal */
static void fenced(const char *what, long (*fn)(int), int n)
{
	pid_t p;
	int st;

	fflush(stdout);
	if ((p = fork()) == 0) {
		long r;
		alarm(5);
		r = fn(n);
		res(what, r);
		_exit(0);
	}
	waitpid(p, &st, 0);
	if (WIFSIGNALED(st)) printf("%s: signal %d\n", what, WTERMSIG(st));
	fflush(stdout);
}

/* a pending connection, accepted into a bad address */
static long accept_bad(int s, socklen_t *l)
{
	struct sockaddr_in a = lo4(port + 7);
	int c = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, (void *)&a, sizeof a) || listen(s, 1) || connect(c, (void *)&a, sizeof a))
		return -1;
	return accept(s, (void *)bad, l);
}

static long ef_call(int n)
{
	int s = socket(n & 16 ? AF_INET6 : AF_INET, n & 32 ? SOCK_DGRAM : SOCK_STREAM, 0);
	void *a = (n & 64) ? (n & 16 ? edge6 : edge4) : bad;
	socklen_t l = n & 16 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	struct msghdr m = { .msg_name = a, .msg_namelen = l };
	struct mmsghdr mm = { .msg_hdr = m };
	struct iovec iov = { "x", 1 };
	socklen_t sl = 4;
	int v;

	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	mm.msg_hdr = m;
	switch (n & 15) {
	case 0: return bind(s, a, l);
	case 1: return connect(s, a, l);
	case 2: return sendto(s, "x", 1, MSG_NOSIGNAL, a, l);
	case 3: return sendmsg(s, (void *)bad, MSG_NOSIGNAL);
	case 4: return sendmsg(s, &m, MSG_NOSIGNAL);
	case 5: return sendmmsg(s, (void *)bad, 1, MSG_NOSIGNAL);
	case 6: return sendmmsg(s, &mm, 1, MSG_NOSIGNAL);
	case 7: return setsockopt(s, SOL_SOCKET, SO_REUSEADDR, bad, 4);
	case 8: return setsockopt(s, SOL_SOCKET, SO_LINGER, bad, sizeof(struct linger));
	case 9: return getsockopt(s, SOL_SOCKET, SO_TYPE, bad, &sl);
	case 10: return getsockopt(s, SOL_SOCKET, SO_TYPE, &v, (void *)bad);
	case 11: return getsockname(s, (void *)bad, &sl);
	case 12: return getsockname(s, (void *)&v, (void *)bad);
	case 13: return accept_bad(s, &l);
	}
	return 0;
}

static void t_efault(void)
{
	static const char *const name[] = { "bind", "connect", "sendto", "sendmsg bad msghdr",
		"sendmsg bad msg_name", "sendmmsg bad vector", "sendmmsg bad msg_name",
		"setsockopt int", "setsockopt linger", "getsockopt bad value",
		"getsockopt bad length", "getsockname bad address", "getsockname bad length",
		"accept bad address" };
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(0, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[80];
	int n;

	mprotect(m + pg, pg, PROT_NONE);
	bad = m + pg;
	/* an address whose family and port are readable, the rest not */
	edge4 = m + pg - 8;
	edge6 = m + pg - 8;
	*(sa_family_t *)edge4 = AF_INET;
	*(in_port_t *)(edge4 + 2) = htons(port + 6);
	for (n = 0; n < 14; n++) {
		snprintf(buf, sizeof buf, "%s v4 stream", name[n]);
		fenced(buf, ef_call, n);
		snprintf(buf, sizeof buf, "%s v6 dgram", name[n]);
		fenced(buf, ef_call, n | 16 | 32);
	}
	for (n = 0; n < 3; n++) {
		snprintf(buf, sizeof buf, "%s v4 address half readable", name[n]);
		fenced(buf, ef_call, n | 32 | 64);
		snprintf(buf, sizeof buf, "%s v6 address half readable", name[n]);
		*(sa_family_t *)edge6 = AF_INET6;
		fenced(buf, ef_call, n | 16 | 64);
		*(sa_family_t *)edge4 = AF_INET;
	}
	{
		/* the pointer read at 0: NULL addresses */
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		res("bind NULL", bind(s, 0, 16));
		res("connect NULL", connect(s, 0, 16));
		res("sendto NULL len 16", sendto(s, "x", 1, 0, 0, 16));
		res("sendmsg NULL", sendmsg(s, 0, 0));
		close(s);
	}
}

/* --- afgraft --------------------------------------------------------------- */

#if __has_include(<graft.h>)
#include <graft.h>
/* the AF_GRAFT emulation with bad pointers: EFAULT as from the module */
static long afg_call(int n)
{
	int s = socket(AF_GRAFT, SOCK_STREAM, 0), on = 1;
	socklen_t l = 64;

	if (s < 0) return s;
	switch (n) {
	case 0: return bind(s, (void *)bad, sizeof(struct sockaddr_gr));
	case 1: return setsockopt(s, IPPROTO_GRAFT, GRAFT_SO_DELAYED, bad, sizeof(int));
	case 2: return getsockopt(s, SOL_SOCKET, SO_DOMAIN, bad, &l);
	case 3: return getsockopt(s, SOL_SOCKET, SO_DOMAIN, &on, (void *)bad);
	case 4: return getsockname(s, (void *)bad, &l);
	case 5: return getsockname(s, (void *)&on, (void *)bad);
	case 6: setsockopt(s, IPPROTO_GRAFT, GRAFT_SO_DELAYED, &on, sizeof on);
		return setsockopt(s, SOL_SOCKET, SO_RCVBUF, bad, sizeof(int));
	case 7: return getsockopt(s, IPPROTO_GRAFT, GRAFT_SO_DELAYED_RESULT, bad, &l);
	case 8: return setsockopt(s, IPPROTO_GRAFT, GRAFT_SO_TRANSPARENT, bad, 16);
	}
	return 0;
}

static void t_afgraft_efault(void)
{
	static const char *const name[] = { "AF_GRAFT bind", "AF_GRAFT setsockopt",
		"AF_GRAFT getsockopt bad value", "AF_GRAFT getsockopt bad length",
		"AF_GRAFT getsockname bad address", "AF_GRAFT getsockname bad length",
		"AF_GRAFT queued option", "AF_GRAFT delayed results",
		"AF_GRAFT transparent option" };
	int n;

	bad = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (n = 0; n < 9; n++) fenced(name[n], afg_call, n);
}
#else
static void t_afgraft_efault(void) { }
#endif

static void t_afgraft(void)
{
	struct addrinfo h = { .ai_family = 4, .ai_socktype = SOCK_STREAM }, *ai = 0;
	int s = socket(4, SOCK_STREAM, 0), r;

	res("socket(4, SOCK_STREAM, 0)", s);
	r = getaddrinfo("ep-http", 0, &h, &ai);
	printf("getaddrinfo(ep-http, ai_family 4): %d\n", r);
	if (!r) freeaddrinfo(ai);
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	alarm(60);
	if (argc > 2) port = atoi(argv[2]);
	if (argc < 2) return 2;
	if (!strcmp(argv[1], "errno")) t_errno();
	else if (!strcmp(argv[1], "flags")) t_flags();
	else if (!strcmp(argv[1], "limit")) t_limit();
	else if (!strcmp(argv[1], "block")) t_block();
	else if (!strcmp(argv[1], "efault")) t_efault();
	else if (!strcmp(argv[1], "afgraft")) t_afgraft();
	else if (!strcmp(argv[1], "afgraft-efault")) t_afgraft_efault();
	else return 2;
	return 0;
}
