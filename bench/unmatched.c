/* unmatched.c - socket calls that no graft rule matches: socket,
 * setsockopt (SO_REUSEADDR, SO_LINGER 0: the close resets the connection,
 * so that no port is left in TIME_WAIT), bind to 127.0.0.1:0, connect to a
 * local listener, close; ITER times.  The same source is built with musl-gcc (stock musl) and with
 * graft-cc (patched).
 *
 *   unmatched ITER       the loop ITER times, for an instruction count under
 *                        callgrind (bench/run.sh runs N and 2N iterations:
 *                        the difference is the loop's own cost)
 *   unmatched -t ITER    64 iterations to warm up (graft.conf is read on the
 *                        first socket call), then ITER timed with the
 *                        process's CPU clock (user + system): prints
 *                        "unmatched ns_per_iter=N"
 *
 * Exits 1 when a call fails: the loop must measure the calls' normal path. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int l, one = 1, failed, pending;
static struct linger rst = { 1, 0 };	/* close sends RST: no TIME_WAIT */
static struct sockaddr_in lo = { .sin_family = AF_INET };
static struct sockaddr_in srv;

static void loop(int iter)
{
	for (int i = 0; i < iter; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
		    setsockopt(s, SOL_SOCKET, SO_LINGER, &rst, sizeof rst) ||
		    bind(s, (void *)&lo, sizeof lo) || connect(s, (void *)&srv, sizeof srv))
			failed++;
		else
			pending++;
		close(s);
		if (pending == 64)	/* drain the backlog */
			for (; pending; pending--) close(accept(l, 0, 0));
	}
}

static double cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int timed = argc > 2 && !strcmp(argv[1], "-t");
	int iter = argc > 1 ? atoi(argv[argc - 1]) : 1000;
	socklen_t sl = sizeof srv;
	double t0;

	lo.sin_addr.s_addr = htonl(0x7f000001);
	srv = lo;
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (void *)&srv, sizeof srv) || listen(l, 4096) ||
	    getsockname(l, (void *)&srv, &sl) || iter < 1)
		return 1;
	if (!timed) {
		loop(iter);
	} else {
		loop(64);
		t0 = cpu_ns();
		loop(iter);
		printf("unmatched ns_per_iter=%.1f\n", (cpu_ns() - t0) / iter);
	}
	if (failed) {
		fprintf(stderr, "unmatched: %d of %d iterations had a failed call\n", failed, iter);
		return 1;
	}
	return 0;
}
