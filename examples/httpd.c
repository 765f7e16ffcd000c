/* httpd.c - a tiny, ordinary HTTP/1.0 server with no graft code in it.
 *
 *   httpd [-p PORT] [-n REQUESTS]
 *
 * It binds 0.0.0.0:PORT (8080) and answers every GET with a short text
 * naming the address it is bound to and the client's address.  Built with
 * graft-cc and run with a graft.conf ingress rule, its listening socket is
 * a host socket.  -n makes it exit after that many requests (for tests). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *name(const struct sockaddr *sa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)sa;
		inet_ntop(AF_INET, &s->sin_addr, a, sizeof a);
		port = ntohs(s->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)sa;
		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof a);
		port = ntohs(s->sin6_port);
	}
	snprintf(buf, len, "%s:%u", a, port);
	return buf;
}

static void serve(int c, const char *local)
{
	char req[1024], peer[80], body[256], resp[512];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	ssize_t n = recv(c, req, sizeof req - 1, 0);

	if (n <= 0) return;
	req[n] = 0;
	getpeername(c, (void *)&ss, &sl);
	int bl = snprintf(body, sizeof body,
		"hello from httpd: listening on %s, you are %s\n",
		local, name((void *)&ss, peer, sizeof peer));
	int rl = snprintf(resp, sizeof resp,
		"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
		"Content-Length: %d\r\nConnection: close\r\n\r\n%s", bl, body);
	if (strncmp(req, "GET ", 4)) rl = snprintf(resp, sizeof resp,
		"HTTP/1.0 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
	send(c, resp, rl, MSG_NOSIGNAL);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(8080) };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char local[80];
	long max = -1;
	int opt, one = 1, l;

	while ((opt = getopt(argc, argv, "p:n:")) != -1) switch (opt) {
	case 'p': sin.sin_port = htons(atoi(optarg)); break;
	case 'n': max = atol(optarg); break;
	default:
		fprintf(stderr, "usage: httpd [-p PORT] [-n REQUESTS]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(l, (void *)&sin, sizeof sin) < 0 || listen(l, 64) < 0) {
		fprintf(stderr, "httpd: 0.0.0.0:%d: %s\n", ntohs(sin.sin_port), strerror(errno));
		return 1;
	}
	getsockname(l, (void *)&ss, &sl);
	name((void *)&ss, local, sizeof local);
	fprintf(stderr, "httpd: listening on %s\n", local);
	for (long i = 0; max < 0 || i < max; i++) {
		int c = accept(l, 0, 0);
		if (c < 0) {
			if (errno == EINTR) continue;
			perror("httpd: accept");
			return 1;
		}
		serve(c, local);
		close(c);
	}
	return 0;
}
