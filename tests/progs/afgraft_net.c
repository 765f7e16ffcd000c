/* afgraft_net.c - an AF_GRAFT-native program for the e2e tests, built with
 * graft-cc.  Every mode prints one result line on stdout.
 *
 *   serve EP [N] [udp]     socket(AF_GRAFT) + bind(sockaddr_gr) + listen:
 *                          "ready NAME HOSTADDR", then greet N clients
 *   bind EP [ADDRLEN]      "ok NAME" or "errno N"
 *   dupbind EP             dup() before bind: "ok NAME NAME same" when the
 *                          dup names the host socket too, still AF_GRAFT
 *   client ADDR PORT       socket(AF_GRAFT) + connect without bind (the
 *                          endpoint default-source): "reply=..."
 *   options EP             SO_DOMAIN before bind, GRAFT_SO_DELAYED queue,
 *                          GRAFT_SO_DELAYED_RESULT, names after bind
 *   gai NAME FAMILY        getaddrinfo with ai_family graft|unspec|inet
 *   gni EP                 getnameinfo of a sockaddr_gr
 */
#include <arpa/inet.h>
#include <errno.h>
#include <graft.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "afgraft_net: %s: %s (errno %d)\n", what, strerror(errno), errno);
	printf("errno %d\n", errno);
	exit(1);
}

static const char *name(const struct sockaddr *sa, socklen_t l)
{
	static char b[INET6_ADDRSTRLEN + 32];
	char h[INET6_ADDRSTRLEN];
	if (sa->sa_family == AF_GRAFT) {
		const struct sockaddr_gr *g = (const void *)sa;
		snprintf(b, sizeof b, "graft:%.16s/%u", g->sgr_epname, (unsigned)l);
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)sa;
		inet_ntop(AF_INET, &s->sin_addr, h, sizeof h);
		snprintf(b, sizeof b, "%s:%d", h, ntohs(s->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)sa;
		inet_ntop(AF_INET6, &s->sin6_addr, h, sizeof h);
		snprintf(b, sizeof b, "[%s]:%d", h, ntohs(s->sin6_port));
	} else snprintf(b, sizeof b, "family%d", sa->sa_family);
	return b;
}

static void gr(struct sockaddr_gr *g, const char *ep)
{
	memset(g, 0, sizeof *g);
	g->sgr_family = AF_GRAFT;
	memcpy(g->sgr_epname, ep, strnlen(ep, sizeof g->sgr_epname));
}

static const char *sockname(int fd)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof ss;
	memset(&ss, 0, sizeof ss);
	if (getsockname(fd, (void *)&ss, &l)) die("getsockname");
	return name((void *)&ss, l);
}

static int getint(int fd, int level, int opt)
{
	int v = -1;
	socklen_t l = sizeof v;
	if (getsockopt(fd, level, opt, &v, &l)) return -errno;
	return v;
}

int main(int argc, char **argv)
{
	struct sockaddr_gr g;
	char buf[256];
	int fd, one = 1, i;

	setvbuf(stdout, 0, _IOLBF, 0);
	if (argc < 3) return 2;
	if (!strcmp(argv[1], "serve")) {
		int n = argc > 3 ? atoi(argv[3]) : 1, udp = argc > 4;
		char a[128];
		if ((fd = socket(AF_GRAFT, udp ? SOCK_DGRAM : SOCK_STREAM, 0)) < 0) die("socket");
		gr(&g, argv[2]);
		if (bind(fd, (void *)&g, sizeof g)) die("bind");
		snprintf(a, sizeof a, "%s", sockname(fd));
		if (setsockopt(fd, IPPROTO_GRAFT, GRAFT_NAME_TRANSPARENT, &one, sizeof one)) die("NAME_TRANSPARENT");
		printf("ready %s %s\n", a, sockname(fd));
		if (udp) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof from;
			ssize_t r = recvfrom(fd, buf + 5, sizeof buf - 5, 0, (void *)&from, &fl);
			if (r < 0) die("recvfrom");
			memcpy(buf, "pong:", 5);
			if (sendto(fd, buf, r + 5, 0, (void *)&from, fl) < 0) die("sendto");
			return 0;
		}
		if (listen(fd, 16)) die("listen");
		for (i = 0; i < n; i++) {
			int c = accept(fd, 0, 0);
			if (c < 0) die("accept");
			snprintf(buf, sizeof buf, "hello from AF_GRAFT %d\n", (int)getpid());
			write(c, buf, strlen(buf));
			close(c);
		}
		return 0;
	}
	if (!strcmp(argv[1], "bind")) {
		socklen_t l = argc > 3 ? (socklen_t)atoi(argv[3]) : sizeof g;
		if ((fd = socket(AF_GRAFT, SOCK_STREAM, 0)) < 0) die("socket");
		gr(&g, argv[2]);
		if (bind(fd, (void *)&g, l)) die("bind");
		printf("ok %s\n", sockname(fd));
		return 0;
	}
	if (!strcmp(argv[1], "dupbind") && argc > 2) {
		struct stat a, b;
		int d;
		char n1[64];
		if ((fd = socket(AF_GRAFT, SOCK_STREAM, 0)) < 0) die("socket");
		if ((d = dup(fd)) < 0) die("dup");
		gr(&g, argv[2]);
		if (bind(fd, (void *)&g, sizeof g)) die("bind");
		if (fstat(fd, &a) || fstat(d, &b)) die("fstat");
		snprintf(n1, sizeof n1, "%s", sockname(fd));
		printf("ok %s %s %s\n", n1, sockname(d), a.st_ino == b.st_ino ? "same" : "other");
		return 0;
	}
	if (!strcmp(argv[1], "client") && argc > 3) {
		struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[3])) };
		ssize_t n;
		inet_pton(AF_INET, argv[2], &s.sin_addr);
		if ((fd = socket(AF_GRAFT, SOCK_STREAM, 0)) < 0) die("socket");
		if (connect(fd, (void *)&s, sizeof s)) die("connect");
		n = read(fd, buf, sizeof buf - 1);
		if (n <= 0) die("read");
		buf[n] = 0;
		printf("name=%s reply=%s", sockname(fd), buf);
		return 0;
	}
	if (!strcmp(argv[1], "options")) {
		struct graft_sso_result r[8];
		socklen_t l = sizeof r;
		union { struct graft_sso_trans t; char b[GRAFT_SSO_TRANS_SIZE]; } u;
		int e1, e2, e3;
		if ((fd = socket(AF_GRAFT, SOCK_STREAM, 0)) < 0) die("socket");
		printf("before: domain=%d type=%d name=%s", getint(fd, SOL_SOCKET, SO_DOMAIN),
			getint(fd, SOL_SOCKET, SO_TYPE), sockname(fd));
		e1 = setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) ? errno : 0;
		e2 = setsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED_EXECUTE, 0, 0) ? errno : 0;
		if (setsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED, &one, sizeof one)) die("DELAYED");
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one)) die("queue TCP_NODELAY");
		u.t.level = SOL_SOCKET;
		u.t.optname = SO_REUSEADDR;
		u.t.optlen = sizeof one;
		memcpy(u.t.optval, &one, sizeof one);
		if (setsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_TRANSPARENT, &u, sizeof u.t + sizeof one)) die("queue SO_REUSEADDR");
		u.t.optlen = 200;
		e3 = setsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_TRANSPARENT, &u, sizeof u.t + sizeof one) ? errno : 0;
		printf(" undelayed=%d execute=%d badtrans=%d", e1, e2, e3);
		gr(&g, argv[2]);
		if (bind(fd, (void *)&g, sizeof g)) die("bind");
		if (getsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED_RESULT, r, &l)) die("RESULT");
		printf(" | results=%u", (unsigned)(l / sizeof *r));
		for (i = 0; i < (int)(l / sizeof *r); i++) printf(" %d/%d=%d", r[i].level, r[i].optname, r[i].ret);
		l = sizeof r;
		getsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED_RESULT, r, &l);
		printf(" again=%u", (unsigned)(l / sizeof *r));
		printf(" | after: nodelay=%d reuseaddr=%d domain=%d name=%s", getint(fd, IPPROTO_TCP, TCP_NODELAY),
			getint(fd, SOL_SOCKET, SO_REUSEADDR), getint(fd, SOL_SOCKET, SO_DOMAIN), sockname(fd));
		setsockopt(fd, IPPROTO_GRAFT, GRAFT_NAME_TRANSPARENT, &one, sizeof one);
		printf(" transparent=%s\n", sockname(fd));
		return 0;
	}
	if (!strcmp(argv[1], "gai") && argc > 3) {
		struct addrinfo h = { 0 }, *r, *p;
		int e;
		h.ai_family = !strcmp(argv[3], "graft") ? AF_GRAFT : !strcmp(argv[3], "inet") ? AF_INET : AF_UNSPEC;
		h.ai_flags = AI_CANONNAME;
		e = getaddrinfo(argv[2], 0, &h, &r);
		if (e) { printf("gai %d\n", e); return 1; }
		for (p = r; p; p = p->ai_next)
			printf("%s%s fam=%d len=%u", p == r ? "" : " ", name(p->ai_addr, p->ai_addrlen),
				p->ai_family, (unsigned)p->ai_addrlen);
		printf(" canon=%s\n", r->ai_canonname ? r->ai_canonname : "-");
		freeaddrinfo(r);
		return 0;
	}
	if (!strcmp(argv[1], "gni")) {
		char host[NI_MAXHOST], serv[NI_MAXSERV];
		int e;
		gr(&g, argv[2]);
		e = getnameinfo((void *)&g, sizeof g, host, sizeof host, serv, sizeof serv, 0);
		if (e) { printf("gni %d\n", e); return 1; }
		printf("host=%s serv=[%s]\n", host, serv);
		return 0;
	}
	return 2;
}
