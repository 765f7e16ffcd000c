/* view_net.c - the address view (graft.conf "view") seen by a graft-cc
 * program, and haproxy's seamless reload (-x) in small: a new process
 * receives the old one's listeners over a unix socket (SCM_RIGHTS),
 * matches each by getsockname() against the address it was told to bind,
 * and reuses the match instead of binding again.
 *
 *   serve ADDR PORT             listen, print the listener's name, accept
 *                               one client: print its local and peer names
 *   xfer-old ADDR PORT PATH     listen; answer "old" to clients; hand the
 *                               listener to whoever connects to PATH, then
 *                               serve 300 ms more and exit
 *   xfer-new ADDR PORT PATH     take the listeners from PATH, reuse the one
 *                               named ADDR:PORT or bind anew; answer "new"
 *   load ADDR PORT MS           clients one after another for MS ms;
 *                               print "ok=N fail=N old=N new=N"
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_storage want;
static socklen_t wantlen;

static void die(const char *what)
{
	fprintf(stderr, "view_net: %s: %s\n", what, strerror(errno));
	printf("errno %d\n", errno);
	exit(1);
}

static void addr(const char *a, const char *p)
{
	struct sockaddr_in *s4 = (void *)&want;
	struct sockaddr_in6 *s6 = (void *)&want;
	memset(&want, 0, sizeof want);
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(atoi(p));
		wantlen = sizeof *s4;
	} else if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(atoi(p));
		wantlen = sizeof *s6;
	} else {
		fprintf(stderr, "bad address %s\n", a);
		exit(2);
	}
}

static const char *name(const struct sockaddr_storage *ss)
{
	static char b[2][80];
	static int k;
	char a[INET6_ADDRSTRLEN];
	char *o = b[k ^= 1];
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;
		inet_ntop(AF_INET, &s->sin_addr, a, sizeof a);
		snprintf(o, 80, "%s:%u", a, ntohs(s->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;
		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof a);
		snprintf(o, 80, "[%s]:%u", a, ntohs(s->sin6_port));
	} else {
		snprintf(o, 80, "family-%d", ss->ss_family);
	}
	return o;
}

static const char *sockname(int fd)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof ss;
	if (getsockname(fd, (void *)&ss, &l)) die("getsockname");
	return name(&ss);
}

/* getsockname into 16 bytes that end a mapping, told it has an IPv6
 * name's room: stock writes what the kernel has (16 bytes for an IPv4
 * host socket); the view must not fault on the rest */
static void edge(int fd)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(0, 2*pg, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	struct sockaddr_in *s;
	socklen_t l = sizeof(struct sockaddr_in6);
	if (m == MAP_FAILED) die("mmap");
	munmap(m + pg, pg);
	s = (void *)(m + pg - 16);
	if (getsockname(fd, (void *)s, &l)) printf("edge errno %d\n", errno);
	else printf("edge len=%u family=%d port=%u\n", (unsigned)l, s->sin_family, ntohs(s->sin_port));
	munmap(m, pg);
}

static const char *peername(int fd)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof ss;
	if (getpeername(fd, (void *)&ss, &l)) die("getpeername");
	return name(&ss);
}

static int listener(void)
{
	int one = 1, s = socket(want.ss_family, SOCK_STREAM, 0);
	if (s < 0) die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, (void *)&want, wantlen)) die("bind");
	if (listen(s, 128)) die("listen");
	return s;
}

static void greet(int s, const char *what)
{
	int c = accept(s, 0, 0);
	if (c < 0) return;
	(void)!write(c, what, strlen(what));
	close(c);
}

static int unix_at(const char *path, int srv)
{
	struct sockaddr_un u = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0) die("socket unix");
	snprintf(u.sun_path, sizeof u.sun_path, "%s", path);
	if (srv && (bind(s, (void *)&u, sizeof u) || listen(s, 4))) die("bind unix");
	if (!srv && connect(s, (void *)&u, sizeof u)) die("connect unix");
	return s;
}

static void send_fd(int u, int fd)
{
	char c = 'L', cb[CMSG_SPACE(sizeof(int))];
	struct iovec io = { &c, 1 };
	struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1,
		.msg_control = cb, .msg_controllen = sizeof cb };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof fd);
	if (sendmsg(u, &m, 0) != 1) die("sendmsg");
}

static int recv_fd(int u)
{
	char c, cb[CMSG_SPACE(sizeof(int))];
	struct iovec io = { &c, 1 };
	struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1,
		.msg_control = cb, .msg_controllen = sizeof cb };
	struct cmsghdr *h;
	int fd;
	if (recvmsg(u, &m, 0) != 1) die("recvmsg");
	h = CMSG_FIRSTHDR(&m);
	if (!h || h->cmsg_type != SCM_RIGHTS) die("no fd");
	memcpy(&fd, CMSG_DATA(h), sizeof fd);
	return fd;
}

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* one client: the server's answer, "" on failure */
static const char *ask(void)
{
	static char b[16];
	int s = socket(want.ss_family, SOCK_STREAM, 0), n;
	if (s < 0) return "";
	if (connect(s, (void *)&want, wantlen)) { close(s); return ""; }
	n = read(s, b, sizeof b - 1);
	close(s);
	b[n > 0 ? n : 0] = 0;
	return b;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, 0, _IOLBF, 0);
	if (argc < 4) {
		fprintf(stderr, "usage: view_net serve|xfer-old|xfer-new|load ADDR PORT [PATH|MS]\n");
		return 2;
	}
	addr(argv[2], argv[3]);
	if (!strcmp(argv[1], "serve")) {
		int s = listener(), c;
		printf("ready %s\n", sockname(s));
		edge(s);
		if ((c = accept(s, 0, 0)) < 0) die("accept");
		printf("accepted local=%s", sockname(c));
		printf(" peer=%s\n", peername(c));
		(void)!write(c, "hello\n", 6);
		close(c);
		return 0;
	}
	if (!strcmp(argv[1], "xfer-old") && argc == 5) {
		int s = listener(), u = unix_at(argv[4], 1);
		long until = 0;
		/* both processes accept from it once it is handed over */
		fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
		printf("ready %s\n", sockname(s));
		for (;;) {
			struct pollfd p[2] = { { s, POLLIN, 0 }, { u, POLLIN, 0 } };
			if (until && now_ms() >= until) break;
			if (poll(p, 2, 50) < 0) die("poll");
			if (p[0].revents & POLLIN) greet(s, "old");
			if (!until && (p[1].revents & POLLIN)) {
				int c = accept(u, 0, 0);
				if (c < 0) die("accept unix");
				send_fd(c, s);
				close(c);
				until = now_ms() + 300;
				printf("handed over\n");
			}
		}
		return 0;
	}
	if (!strcmp(argv[1], "xfer-new") && argc == 5) {
		int u = unix_at(argv[4], 0), fd = recv_fd(u), s;
		struct sockaddr_storage ss;
		socklen_t l = sizeof ss;
		close(u);
		/* haproxy's sock_find_compatible_fd(): same family, address, port */
		if (!getsockname(fd, (void *)&ss, &l) && l == wantlen && !memcmp(&ss, &want, l)) {
			s = fd;
			printf("reused %s\n", sockname(s));
		} else {
			printf("no match for %s: bind anew\n", name(&ss));
			close(fd);
			s = listener();
		}
		printf("ready %s\n", sockname(s));
		for (;;) {
			struct pollfd p = { s, POLLIN, 0 };
			if (poll(&p, 1, -1) > 0) greet(s, "new");
		}
	}
	if (!strcmp(argv[1], "load")) {
		long until = now_ms() + atol(argv[4]);
		unsigned ok = 0, fail = 0, o = 0, n = 0;
		while (now_ms() < until) {
			const char *a = ask();
			if (!strcmp(a, "old")) ok++, o++;
			else if (!strcmp(a, "new")) ok++, n++;
			else fail++;
		}
		printf("ok=%u fail=%u old=%u new=%u\n", ok, fail, o, n);
		return 0;
	}
	fprintf(stderr, "view_net: unknown mode %s\n", argv[1]);
	return 2;
}
