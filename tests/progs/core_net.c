/* core_net.c - the small server/client the core's e2e tests run, built
 * with graft-cc.  Every mode prints one result line on stdout; failures go
 * to stderr with errno, and the exit status says which.
 *
 *   serve-tcp ADDR PORT [N] [reuseport]  accept N clients, greet each
 *   serve-udp ADDR PORT                  answer one datagram
 *   client-tcp ADDR PORT                 TCP_NODELAY + non-blocking connect
 *   client-udp ADDR PORT                 one datagram, print the answer
 *   fork-client ADDR PORT                connect, fork, both connect again
 *   threads ADDR PORT N                  N threads connect at once
 *   bind ADDR PORT                       bind; print "ok ADDR:PORT" or errno
 *   connect ADDR PORT                    connect; print "ok" or errno
 *   serve-peer ADDR PORT                 accept one client, print "peer ADDR:PORT"
 *   client-from ADDR PORT LADDR LPORT    bind LADDR:LPORT, connect, read the
 *                                        greeting: "ok from ADDR:PORT" or errno
 *   stale ADDR PORT                      socket(), then a raw close and raw
 *                                        socket() at that number, connect
 *   resolve NAME                         getaddrinfo, print addresses
 *   clients A P [A P]...                 blocking connect and read to each
 *                                        in turn: "reply=..." or "errno N" each
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int fam;
static struct sockaddr_storage ss;
static socklen_t sl;

static void addr(const char *a, const char *p)
{
	struct sockaddr_in *s4 = (void *)&ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		fam = s4->sin_family = AF_INET;
		s4->sin_port = htons(atoi(p));
		sl = sizeof *s4;
	} else if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		fam = s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(atoi(p));
		sl = sizeof *s6;
	} else {
		fprintf(stderr, "bad address %s\n", a);
		exit(2);
	}
}

static void die(const char *what)
{
	fprintf(stderr, "core_net: %s: %s (errno %d)\n", what, strerror(errno), errno);
	printf("errno %d\n", errno);
	exit(1);
}

static const char *name(const struct sockaddr *sa)
{
	static char b[INET6_ADDRSTRLEN + 8];
	char h[INET6_ADDRSTRLEN];
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)sa;
		inet_ntop(AF_INET, &s->sin_addr, h, sizeof h);
		snprintf(b, sizeof b, "%s:%d", h, ntohs(s->sin_port));
	} else {
		const struct sockaddr_in6 *s = (const void *)sa;
		inet_ntop(AF_INET6, &s->sin6_addr, h, sizeof h);
		snprintf(b, sizeof b, "[%s]:%d", h, ntohs(s->sin6_port));
	}
	return b;
}

static int tcp_client(int quiet)
{
	int fd = socket(fam, SOCK_STREAM|SOCK_NONBLOCK, 0), one = 1, err = -1, v = 0;
	socklen_t l = sizeof err;
	struct pollfd p;
	char buf[128];
	ssize_t n;

	if (fd < 0) die("socket");
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one)) die("setsockopt");
	if (connect(fd, (void *)&ss, sl) && errno != EINPROGRESS) die("connect");
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, 5000) != 1) die("poll");
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l)) die("SO_ERROR");
	if (err) { errno = err; die("connect (SO_ERROR)"); }
	l = sizeof v;
	if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &l)) die("TCP_NODELAY");
	fcntl(fd, F_SETFL, 0);
	n = read(fd, buf, sizeof buf - 1);
	if (n <= 0) die("read");
	buf[n] = 0;
	if (!quiet) printf("nodelay=%d so_error=%d reply=%s", v, err, buf);
	close(fd);
	return 0;
}

static void *thread(void *a)
{
	(void)a;
	tcp_client(1);
	return 0;
}

int main(int argc, char **argv)
{
	char buf[256];
	int fd, one = 1, i;

	setvbuf(stdout, 0, _IOLBF, 0);
	if (argc < 3) return 2;
	if (!strcmp(argv[1], "resolve")) {
		struct addrinfo h = { .ai_socktype = SOCK_STREAM }, *r, *p;
		int e = getaddrinfo(argv[2], "80", &h, &r);
		if (e) { printf("gai %d %s\n", e, gai_strerror(e)); return 1; }
		for (p = r; p; p = p->ai_next) printf("%s%s", p == r ? "" : " ", name(p->ai_addr));
		printf("\n");
		return 0;
	}
	if (argc < 4) return 2;
	addr(argv[2], argv[3]);
	if (!strcmp(argv[1], "serve-tcp")) {
		int n = argc > 4 ? atoi(argv[4]) : 1;
		if ((fd = socket(fam, SOCK_STREAM, 0)) < 0) die("socket");
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (argc > 5 && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one)) die("SO_REUSEPORT");
		if (bind(fd, (void *)&ss, sl)) die("bind");
		if (listen(fd, 64)) die("listen");
		sl = sizeof ss;
		getsockname(fd, (void *)&ss, &sl);
		printf("ready %s\n", name((void *)&ss));
		for (i = 0; i < n; i++) {
			int c = accept(fd, 0, 0);
			if (c < 0) die("accept");
			snprintf(buf, sizeof buf, "hello from %d\n", (int)getpid());
			write(c, buf, strlen(buf));
			close(c);
		}
		return 0;
	}
	if (!strcmp(argv[1], "serve-udp")) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof from;
		ssize_t n;
		if ((fd = socket(fam, SOCK_DGRAM, 0)) < 0) die("socket");
		if (bind(fd, (void *)&ss, sl)) die("bind");
		sl = sizeof ss;
		getsockname(fd, (void *)&ss, &sl);
		printf("ready %s\n", name((void *)&ss));
		n = recvfrom(fd, buf + 5, sizeof buf - 5, 0, (void *)&from, &fl);
		if (n < 0) die("recvfrom");
		memcpy(buf, "pong:", 5);
		if (sendto(fd, buf, n + 5, 0, (void *)&from, fl) < 0) die("sendto");
		return 0;
	}
	if (!strcmp(argv[1], "client-tcp")) return tcp_client(0);
	if (!strcmp(argv[1], "client-udp")) {
		struct pollfd p;
		ssize_t n;
		if ((fd = socket(fam, SOCK_DGRAM, 0)) < 0) die("socket");
		if (sendto(fd, "ping", 4, 0, (void *)&ss, sl) != 4) die("sendto");
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 5000) != 1) die("poll");
		if ((n = recv(fd, buf, sizeof buf - 1, 0)) < 0) die("recv");
		buf[n] = 0;
		printf("reply=%s\n", buf);
		return 0;
	}
	if (!strcmp(argv[1], "fork-client")) {
		int st;
		pid_t pid;
		ssize_t n;
		if ((fd = socket(fam, SOCK_STREAM, 0)) < 0) die("socket");
		if (connect(fd, (void *)&ss, sl)) die("connect");
		pid = fork();
		if (pid < 0) die("fork");
		if (!pid) {
			close(fd);
			_exit(tcp_client(1));
		}
		n = read(fd, buf, sizeof buf);
		if (n <= 0) die("read");
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
			printf("child failed\n");
			return 1;
		}
		printf("parent and child ok\n");
		return 0;
	}
	if (!strcmp(argv[1], "threads")) {
		int n = argc > 4 ? atoi(argv[4]) : 8;
		pthread_t t[64];
		for (i = 0; i < n && i < 64; i++) pthread_create(t + i, 0, thread, 0);
		for (i = 0; i < n && i < 64; i++) pthread_join(t[i], 0);
		printf("threads ok %d\n", n);
		return 0;
	}
	if (!strcmp(argv[1], "bind")) {
		if ((fd = socket(fam, SOCK_STREAM, 0)) < 0) die("socket");
		if (bind(fd, (void *)&ss, sl)) die("bind");
		sl = sizeof ss;
		getsockname(fd, (void *)&ss, &sl);
		printf("ok %s\n", name((void *)&ss));
		return 0;
	}
	if (!strcmp(argv[1], "serve-peer")) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof peer;
		int c;
		if ((fd = socket(fam, SOCK_STREAM, 0)) < 0) die("socket");
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, (void *)&ss, sl) || listen(fd, 4)) die("bind");
		printf("ready\n");
		if ((c = accept(fd, (void *)&peer, &pl)) < 0) die("accept");
		printf("peer %s\n", name((void *)&peer));
		write(c, "hello\n", 6);
		close(c);
		return 0;
	}
	if (!strcmp(argv[1], "client-from")) {
		struct sockaddr_storage dst = ss;
		socklen_t dl = sl;
		ssize_t n;
		if (argc < 6) return 2;
		if ((fd = socket(fam, SOCK_STREAM, 0)) < 0) die("socket");
		addr(argv[4], argv[5]);
		if (bind(fd, (void *)&ss, sl)) die("bind");
		if (connect(fd, (void *)&dst, dl)) die("connect");
		if ((n = read(fd, buf, sizeof buf - 1)) <= 0) die("read");
		sl = sizeof ss;
		getsockname(fd, (void *)&ss, &sl);
		printf("ok from %s\n", name((void *)&ss));
		return 0;
	}
	if (!strcmp(argv[1], "stale")) {
		if ((fd = socket(fam, SOCK_STREAM, 0)) < 0) die("socket");
		syscall(SYS_close, fd);
		if (syscall(SYS_socket, fam, SOCK_STREAM, 0) != fd) die("raw socket");
		if (connect(fd, (void *)&ss, sl)) die("connect");
		printf("ok\n");
		return 0;
	}
	if (!strcmp(argv[1], "clients")) {
		ssize_t n;
		for (i = 2; i + 1 < argc; i += 2) {
			addr(argv[i], argv[i + 1]);
			if ((fd = socket(fam, SOCK_STREAM, 0)) < 0) die("socket");
			if (connect(fd, (void *)&ss, sl) || (n = read(fd, buf, sizeof buf - 1)) <= 0) {
				printf("errno %d\n", errno);
			} else {
				buf[n] = 0;
				printf("reply=%s", buf);
			}
			close(fd);
		}
		return 0;
	}
	if (!strcmp(argv[1], "connect")) {
		if ((fd = socket(fam, SOCK_STREAM, 0)) < 0) die("socket");
		if (connect(fd, (void *)&ss, sl)) die("connect");
		printf("ok\n");
		return 0;
	}
	return 2;
}
