/* netprobe.c - exercise socket, bind, listen, connect, getsockname, setsockopt
 * and getaddrinfo and print what happened, without anything that differs
 * from run to run (port numbers).  Built with musl-gcc and with graft-cc,
 * the two outputs must be identical. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <poll.h>

static void show(const char *what, int r)
{
	printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
}

static void tcp_loop(int family, const char *addr)
{
	struct sockaddr_storage ss = {0};
	socklen_t sl;
	int one = 1, l, c, a;

	if (family == AF_INET) {
		struct sockaddr_in *s = (void *)&ss;
		s->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &s->sin_addr);
		sl = sizeof *s;
	} else {
		struct sockaddr_in6 *s = (void *)&ss;
		s->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &s->sin6_addr);
		sl = sizeof *s;
	}
	printf("-- tcp %s\n", addr);
	l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	show("socket", l);
	show("setsockopt SO_REUSEADDR", setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	show("bind", bind(l, (void *)&ss, sl));
	show("listen", listen(l, 4));
	show("getsockname", getsockname(l, (void *)&ss, &sl));
	c = socket(family, SOCK_STREAM, 0);
	show("setsockopt TCP_NODELAY", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
	show("connect", connect(c, (void *)&ss, sl));
	/* never block: a failed connect must not hang the probe */
	struct pollfd p = { .fd = l, .events = POLLIN };
	a = poll(&p, 1, 2000) == 1 ? accept(l, 0, 0) : -1;
	show("accept", a);
	show("send", (int)send(c, "ping", 4, 0));
	char buf[8] = {0};
	show("recv", a < 0 ? -1 : (int)recv(a, buf, sizeof buf - 1, MSG_DONTWAIT));
	printf("got: %s\n", buf);
	int v = 0;
	socklen_t vl = sizeof v;
	show("getsockopt TCP_NODELAY", getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vl));
	printf("nodelay: %d\n", v != 0);
	close(a); close(c); close(l);
	/* a bind to an address this host does not have */
	l = socket(family, SOCK_STREAM, 0);
	if (family == AF_INET) inet_pton(AF_INET, "192.0.2.1", &((struct sockaddr_in *)&ss)->sin_addr);
	else inet_pton(AF_INET6, "2001:db8::1", &((struct sockaddr_in6 *)&ss)->sin6_addr);
	show("bind foreign", bind(l, (void *)&ss, sl));
	close(l);
}

static void lookup(const char *name, int family, int flags)
{
	struct addrinfo hints = { .ai_family = family, .ai_socktype = SOCK_STREAM, .ai_flags = flags }, *res, *ai;
	char buf[INET6_ADDRSTRLEN];
	int r = getaddrinfo(name, "80", &hints, &res);
	printf("getaddrinfo %s/%d: %s\n", name, family, r ? gai_strerror(r) : "ok");
	if (r) return;
	for (ai = res; ai; ai = ai->ai_next) {
		void *a = ai->ai_family == AF_INET
			? (void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
			: (void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		printf("  %d %s len %u\n", ai->ai_family,
		       inet_ntop(ai->ai_family, a, buf, sizeof buf), (unsigned)ai->ai_addrlen);
	}
	freeaddrinfo(res);
}

int main(void)
{
	setvbuf(stdout, 0, _IONBF, 0);
	tcp_loop(AF_INET, "127.0.0.1");
	tcp_loop(AF_INET6, "::1");
	lookup("localhost", AF_UNSPEC, 0);
	lookup("localhost", AF_INET, 0);
	lookup("::1", AF_INET6, 0);
	lookup("127.0.0.1", AF_UNSPEC, 0);
	lookup("localhost", AF_UNSPEC, AI_ADDRCONFIG);
	lookup("not-a-number", AF_UNSPEC, AI_NUMERICHOST);
	struct hostent *h = gethostbyname("localhost");
	printf("gethostbyname localhost: %s\n", h ? h->h_name : "fail");
	show("socket AF_UNIX", socket(AF_UNIX, SOCK_STREAM, 0));
	show("socket bogus family", socket(4242, SOCK_STREAM, 0));
	return 0;
}
