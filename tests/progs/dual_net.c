/* dual_net.c - wildcard listeners as unmodified daemons make them, for
 * tests/e2e/core-dualstack.sh, built with graft-cc.
 *
 *   serve ADDR PORT V6ONLY N  socket of ADDR's family, IPV6_V6ONLY set to
 *                             V6ONLY (0 or 1) or left alone (-: busybox
 *                             nc -l, getaddrinfo(NULL) daemons), bind,
 *                             listen; "ready NAME", then for each of N
 *                             clients a greeting and
 *                             "accepted local=NAME peer=NAME"
 *   pair PORT N               nginx's "listen PORT; listen [::]:PORT": a
 *                             0.0.0.0 and a v6-only [::] listener, both
 *                             SO_REUSEADDR; "ready NAME4 NAME6", then N
 *                             clients of either as above, "accepted fam=4|6 ..."
 *
 * A failing call prints "errno NAME" and exits 1. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what)
{
	int e = errno;
	fprintf(stderr, "dual_net: %s: %s\n", what, strerror(e));
	printf("errno %s\n", e == EADDRINUSE ? "EADDRINUSE" : strerror(e));
	exit(1);
}

static const char *name(const struct sockaddr_storage *ss)
{
	static char b[2][INET6_ADDRSTRLEN + 8];
	static int k;
	char h[INET6_ADDRSTRLEN];
	char *o = b[k++ & 1];
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;
		inet_ntop(AF_INET, &s->sin_addr, h, sizeof h);
		snprintf(o, sizeof b[0], "%s:%d", h, ntohs(s->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;
		inet_ntop(AF_INET6, &s->sin6_addr, h, sizeof h);
		snprintf(o, sizeof b[0], "[%s]:%d", h, ntohs(s->sin6_port));
	} else {
		snprintf(o, sizeof b[0], "family%d", ss->ss_family);
	}
	return o;
}

static const char *local(int fd)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof ss;
	memset(&ss, 0, sizeof ss);
	if (getsockname(fd, (void *)&ss, &l)) die("getsockname");
	return name(&ss);
}

/* a listener at addr:port; v6only "-" leaves the option alone */
static int listener(const char *addr, int port, const char *v6only, int reuse)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (void *)&ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	socklen_t sl;
	int fd, v;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		sl = sizeof *s4;
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		sl = sizeof *s6;
	} else {
		fprintf(stderr, "bad address %s\n", addr);
		exit(2);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0) die("socket");
	v = 1;
	if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v)) die("SO_REUSEADDR");
	if (strcmp(v6only, "-")) {
		v = atoi(v6only);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof v)) die("IPV6_V6ONLY");
	}
	if (bind(fd, (void *)&ss, sl)) die("bind");
	if (listen(fd, 8)) die("listen");
	return fd;
}

static void serve_one(int lfd, const char *tag)
{
	struct sockaddr_storage peer;
	socklen_t pl = sizeof peer;
	static const char hello[] = "hello from dual_net\n";
	int c;

	memset(&peer, 0, sizeof peer);
	if ((c = accept(lfd, (void *)&peer, &pl)) < 0) die("accept");
	if (write(c, hello, sizeof hello - 1) < 0) die("write");
	printf("accepted %slocal=%s peer=%s\n", tag, local(c), name(&peer));
	close(c);
}

int main(int argc, char **argv)
{
	int i;

	setvbuf(stdout, 0, _IOLBF, 0);
	if (argc == 6 && !strcmp(argv[1], "serve")) {
		int fd = listener(argv[2], atoi(argv[3]), argv[4], 0);
		printf("ready %s\n", local(fd));
		for (i = 0; i < atoi(argv[5]); i++) serve_one(fd, "");
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "pair")) {
		struct pollfd p[2];
		p[0].fd = listener("0.0.0.0", atoi(argv[2]), "-", 1);
		p[1].fd = listener("::", atoi(argv[2]), "1", 1);
		printf("ready %s %s\n", local(p[0].fd), local(p[1].fd));
		for (i = 0; i < atoi(argv[3]); ) {
			int k;
			p[0].events = p[1].events = POLLIN;
			if (poll(p, 2, 10000) <= 0) die("poll");
			for (k = 0; k < 2; k++)
				if (p[k].revents & POLLIN) {
					serve_one(p[k].fd, k ? "fam=6 " : "fam=4 ");
					i++;
				}
		}
		return 0;
	}
	fprintf(stderr, "usage: dual_net serve ADDR PORT -|0|1 N | pair PORT N\n");
	return 2;
}
