/* epoll-before-connect.c - minimal reproduction of a graft gap that nginx's
 * proxy_pass hits: a socket registered with epoll *before* the connect()
 * that grafts it is never reported by that epoll instance, because the
 * graft dup3()s the host socket over the fd and the placeholder's file --
 * the one epoll watches -- is released (epoll drops it silently).
 *
 *   epoll-before-connect ADDR PORT    (a server must listen there)
 *
 * Prints "ok: EPOLLOUT after connect" or "FAIL: ..." and exits 0 / 1.
 * Run it in a lo-only namespace with an egress rule covering ADDR
 * (tests/apps/repro/epoll-before-connect.sh does all of that). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u64 = 42 }, out;
	int ep, s, n;

	if (argc != 3 || inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "usage: %s ADDR PORT\n", argv[0]);
		return 2;
	}
	sin.sin_port = htons(atoi(argv[2]));
	ep = epoll_create1(EPOLL_CLOEXEC);
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	/* nginx (ngx_event_connect_peer): ngx_add_conn() before connect() */
	if (ep < 0 || s < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) < 0) {
		perror("setup");
		return 2;
	}
	if (connect(s, (struct sockaddr *)&sin, sizeof sin) < 0 && errno != EINPROGRESS) {
		perror("connect");
		return 2;
	}
	n = epoll_wait(ep, &out, 1, 2000);
	if (n == 1 && (out.events & EPOLLOUT) && out.data.u64 == 42) {
		puts("ok: EPOLLOUT after connect");
		return 0;
	}
	printf("FAIL: epoll_wait returned %d in 2 s: the registration made before the graft is gone\n", n);
	return 1;
}
