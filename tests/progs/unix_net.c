/* unix_net.c - a TCP client as database clients write it (libpq's
 * order), for an egress rule onto a unix endpoint (tests/e2e/
 * core-unix-egress.sh):
 *   unix_net ADDR PORT block|nonblock tcp|0
 * socket(AF_INET, SOCK_STREAM, IPPROTO_TCP or 0), TCP_NODELAY, connect (with
 * O_NONBLOCK: EINPROGRESS or 0, poll writable, SO_ERROR 0), TCP_NODELAY
 * and TCP_KEEPIDLE again, reading TCP_NODELAY and TCP_KEEPIDLE back, the
 * names, one line sent and its answer read.
 * Prints one line per step; "FAIL step: error" and exit 1 at the first
 * failure. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *step)
{
	printf("FAIL %s: %s\n", step, strerror(errno));
	exit(1);
}

/* "family=N" and, for AF_INET "ADDR:PORT", for AF_UNIX "path=P" */
static void name(const char *what, const struct sockaddr_storage *ss, socklen_t l)
{
	char t[INET6_ADDRSTRLEN];

	printf("%s family=%d", what, ss->ss_family);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;
		printf(" %s:%u", inet_ntop(AF_INET, &s->sin_addr, t, sizeof t), ntohs(s->sin_port));
	} else if (ss->ss_family == AF_UNIX) {
		const struct sockaddr_un *u = (const void *)ss;
		printf(" path=%.*s", l > sizeof(sa_family_t) ? (int)(l - sizeof(sa_family_t)) : 0,
			u->sun_path);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin;
	struct sockaddr_storage ss;
	socklen_t l;
	int s, one = 1, idle = 30, e, nb;
	char buf[64];
	ssize_t n;

	if (argc != 5) return 2;
	nb = !strcmp(argv[3], "nonblock");
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) return 2;

	if ((s = socket(AF_INET, SOCK_STREAM, strcmp(argv[4], "tcp") ? 0 : IPPROTO_TCP)) < 0) die("socket");
	if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one)) die("TCP_NODELAY before connect");
	if (nb && fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK)) die("O_NONBLOCK");
	if (connect(s, (void *)&sin, sizeof sin)) {
		if (!nb || errno != EINPROGRESS) die("connect");
		printf("connect: EINPROGRESS\n");
	} else {
		printf("connect: 0\n");
	}
	if (nb) {
		struct pollfd p = { .fd = s, .events = POLLOUT };
		if (poll(&p, 1, 5000) != 1 || !(p.revents & POLLOUT)) die("poll writable");
		l = sizeof e;
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l)) die("SO_ERROR");
		if (e) { errno = e; die("SO_ERROR value"); }
		printf("poll: writable, SO_ERROR 0\n");
		if (fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK)) die("blocking");
	}
	/* connected: another connect fails with EISCONN, as TCP's would */
	if (!connect(s, (void *)&sin, sizeof sin)) { errno = 0; die("second connect succeeded"); }
	printf("second connect: %s\n", errno == EINVAL ? "EINVAL" : errno == EISCONN ? "EISCONN" : "other");
	/* a length no address has, and nothing readable behind the pointer:
	 * the kernel's EINVAL (qemu-user's EFAULT), and no fault in libc */
	if (!connect(s, (void *)8, 4096)) { errno = 0; die("connect with a bad address succeeded"); }
	printf("bad connect: %s\n", errno == EINVAL ? "EINVAL" : errno == EFAULT ? "EFAULT" : "other");
	if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one)) die("TCP_NODELAY after connect");
	if (setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle)) die("TCP_KEEPIDLE");
	if (setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one)) die("SO_KEEPALIVE");
	printf("tcp options: accepted\n");
	{
		int v = 0;
		socklen_t vl = sizeof v;
		if (getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &vl)) printf("nodelay: error %d\n", errno);
		else printf("nodelay: %d len %d\n", v, (int)vl);
		vl = sizeof v;
		printf("keepidle: %s\n", getsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, &vl) ?
			errno == EOPNOTSUPP ? "EOPNOTSUPP" : "other error" : "answered");
	}
	l = sizeof ss;
	memset(&ss, 0, sizeof ss);
	if (getpeername(s, (void *)&ss, &l)) die("getpeername");
	name("peer", &ss, l);
	l = sizeof ss;
	memset(&ss, 0, sizeof ss);
	if (getsockname(s, (void *)&ss, &l)) die("getsockname");
	name("sock", &ss, l);
	if (write(s, "ping\n", 5) != 5) die("write");
	if ((n = read(s, buf, sizeof buf - 1)) <= 0) die("read");
	buf[n] = 0;
	printf("answer: %s", buf);
	close(s);
	return 0;
}
