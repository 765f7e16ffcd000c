/* afgraft-server.c - an AF_GRAFT-native TCP server.
 *
 *   graft-cc -o afgraft-server examples/afgraft-server.c
 *   graftctl add ep-http type ipv4 addr 0.0.0.0 port 8080 netns web
 *   ip netns exec web ./afgraft-server ep-http
 *
 * It names an endpoint, not an address: graftd (or the AF_GRAFT kernel
 * module, where it is loaded) decides which host address and port that is.
 * Compare examples/httpd.c, an unmodified inet server that graft.conf
 * converts ("ingress 0.0.0.0:8080 ep-http") without a code change. */
#include <graft.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_family = AF_GRAFT, .ai_socktype = SOCK_STREAM }, *ai;
	struct sockaddr_storage host;
	socklen_t hl = sizeof host;
	char name[NI_MAXHOST];
	int one = 1, fd, e;

	/* an endpoint name resolves to a struct sockaddr_gr */
	if ((e = getaddrinfo(argc > 1 ? argv[1] : "ep-http", 0, &hints, &ai))) {
		fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(e));
		return 1;
	}
	if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) < 0) { perror("socket"); return 1; }
	/* options for the host socket: queue them until it exists */
	setsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED, &one, sizeof one);
	{
		union { struct graft_sso_trans t; char b[GRAFT_SSO_TRANS_SIZE]; } u;
		u.t.level = SOL_SOCKET;
		u.t.optname = SO_REUSEADDR;
		u.t.optlen = sizeof one;
		memcpy(u.t.optval, &one, sizeof one);
		setsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_TRANSPARENT, &u, sizeof u.t + sizeof one);
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen)) { perror("bind"); return 1; }	/* ENOENT: no such endpoint */
	freeaddrinfo(ai);
	if (listen(fd, 64)) { perror("listen"); return 1; }

	/* getsockname: the sockaddr_gr; with GRAFT_NAME_TRANSPARENT the host's */
	getsockname(fd, (struct sockaddr *)&host, &hl);
	getnameinfo((struct sockaddr *)&host, hl, name, sizeof name, 0, 0, 0);
	setsockopt(fd, IPPROTO_GRAFT, GRAFT_NAME_TRANSPARENT, &one, sizeof one);
	hl = sizeof host;
	getsockname(fd, (struct sockaddr *)&host, &hl);
	{
		char h[NI_MAXHOST], p[NI_MAXSERV];
		getnameinfo((struct sockaddr *)&host, hl, h, sizeof h, p, sizeof p, NI_NUMERICHOST|NI_NUMERICSERV);
		printf("serving endpoint %s (host %s port %s)\n", name, h, p);
		fflush(stdout);
	}
	for (;;) {
		int c = accept(fd, 0, 0);	/* a plain host TCP socket */
		static const char msg[] = "HTTP/1.0 200 OK\r\nContent-Length: 20\r\n\r\nhello from AF_GRAFT\n";
		if (c < 0) { perror("accept"); return 1; }
		write(c, msg, sizeof msg - 1);
		close(c);
	}
}
