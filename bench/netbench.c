/* netbench.c - the small TCP benchmark graft's bench/ runs over each path.
 * Plain sockets code: built with cc it runs on the host, built with graft-cc
 * in a lo-only namespace its sockets are grafted by graft.conf.
 *
 *   netbench server PORT                 echo/discard server (epoll, forever)
 *   netbench rr     ADDR PORT SECONDS    one connection, 1-byte ping-pong:
 *                                        prints "rr tps=N p50_us=N p99_us=N"
 *   netbench crr    ADDR PORT SECONDS    connect + 1-byte request + close:
 *                                        prints "crr cps=N"
 *   netbench stream ADDR PORT SECONDS    bulk send: prints "stream mbps=N"
 *
 * The first byte a client sends says what it wants: 'E' echo, 'D' discard. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXLAT (1 << 22)

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "netbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int server(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct epoll_event ev, evs[64];
	static char buf[1 << 16];
	static unsigned char mode[1 << 16];	/* by fd: 0 new, 'E', 'D' */
	int one = 1, l, ep;

	signal(SIGPIPE, SIG_IGN);
	if ((l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0) die("socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l, (void *)&sin, sizeof sin) < 0) die("bind");
	if (listen(l, 1024) < 0) die("listen");
	if ((ep = epoll_create1(0)) < 0) die("epoll_create1");
	ev.events = EPOLLIN;
	ev.data.fd = l;
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	fprintf(stderr, "netbench: serving on port %d\n", port);
	for (;;) {
		int n = epoll_wait(ep, evs, 64, -1);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == l) {
				int c;
				while ((c = accept4(l, 0, 0, SOCK_NONBLOCK)) >= 0) {
					if (c >= (int)sizeof mode) { close(c); continue; }
					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					mode[c] = 0;
					ev.events = EPOLLIN;
					ev.data.fd = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				}
				continue;
			}
			ssize_t r = recv(fd, buf, sizeof buf, 0);
			if (r <= 0) {
				if (r < 0 && errno == EAGAIN) continue;
				close(fd);
				continue;
			}
			char *p = buf;
			if (!mode[fd]) {
				mode[fd] = buf[0];
				p++, r--;
			}
			if (mode[fd] == 'E' && r > 0) send(fd, p, r, MSG_NOSIGNAL);
		}
	}
}

static int dial(const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, s;

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "netbench: bad address %s\n", addr);
		exit(2);
	}
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0) die("socket");
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(s, (void *)&sin, sizeof sin) < 0) die("connect");
	return s;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void rr(const char *addr, int port, double secs)
{
	static double lat[MAXLAT];
	long n = 0;
	char c = 'E';
	int s = dial(addr, port);
	double t0 = now(), end = t0 + secs, t;

	if (send(s, &c, 1, 0) != 1) die("send");
	while ((t = now()) < end && n < MAXLAT) {
		c = 'x';
		if (send(s, &c, 1, 0) != 1) die("send");
		if (recv(s, &c, 1, MSG_WAITALL) != 1) die("recv");
		lat[n++] = now() - t;
	}
	qsort(lat, n, sizeof *lat, cmpd);
	printf("rr tps=%.0f p50_us=%.1f p99_us=%.1f\n", n / (now() - t0),
	       lat[n / 2] * 1e6, lat[n * 99 / 100] * 1e6);
	close(s);
}

static void crr(const char *addr, int port, double secs)
{
	double t0 = now(), end = t0 + secs;
	long n = 0;
	char c[2] = { 'E', 'x' };

	while (now() < end) {
		int s = dial(addr, port);
		if (send(s, c, 2, 0) != 2) die("send");
		if (recv(s, c + 1, 1, MSG_WAITALL) != 1) die("recv");
		close(s);
		n++;
	}
	printf("crr cps=%.0f\n", n / (now() - t0));
}

static void stream(const char *addr, int port, double secs)
{
	static char buf[1 << 16];
	double t0 = now(), end = t0 + secs;
	long long bytes = 0;
	int s = dial(addr, port);

	buf[0] = 'D';
	while (now() < end) {
		ssize_t r = send(s, buf, sizeof buf, 0);
		if (r < 0) die("send");
		bytes += r;
		buf[0] = 0;
	}
	printf("stream mbps=%.0f\n", bytes * 8 / 1e6 / (now() - t0));
	close(s);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, 0, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "server")) return server(atoi(argv[2]));
	if (argc == 5) {
		double secs = atof(argv[4]);
		if (secs <= 0 || secs > 60) secs = 3;
		if (!strcmp(argv[1], "rr")) return rr(argv[2], atoi(argv[3]), secs), 0;
		if (!strcmp(argv[1], "crr")) return crr(argv[2], atoi(argv[3]), secs), 0;
		if (!strcmp(argv[1], "stream")) return stream(argv[2], atoi(argv[3]), secs), 0;
	}
	fprintf(stderr, "usage: netbench server PORT | {rr|crr|stream} ADDR PORT SECONDS\n");
	return 2;
}
