/* unmatched.c - socket calls that no graft rule matches, for instruction
 * counts under callgrind: socket, setsockopt, bind to 127.0.0.1:0,
 * connect to a local listener, close; ITER times.  The same source is
 * built with musl-gcc (stock musl) and with graft-cc (patched). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int iter = argc > 1 ? atoi(argv[1]) : 1000, one = 1;
	struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	struct sockaddr_in srv = lo;
	socklen_t sl = sizeof srv;
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || bind(l, (void *)&srv, sizeof srv) || listen(l, 4096) ||
	    getsockname(l, (void *)&srv, &sl))
		return 1;
	for (int i = 0; i < iter; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		bind(s, (void *)&lo, sizeof lo);
		connect(s, (void *)&srv, sizeof srv);
		close(s);
		if (i % 64 == 63)	/* drain the backlog */
			for (int k = 0; k < 64; k++) close(accept(l, 0, 0));
	}
	return 0;
}
