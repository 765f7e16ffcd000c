/* dynstart.c - a dynamically linked program (musl-gcc, interpreter
 * /lib/ld-musl-ARCH.so.1) for bench/run.sh's loader rows: the same binary
 * on Alpine's loader and on graft's patched one, nothing configured.
 *
 *   dynstart            one socket(), then exit: process start to the
 *                       first socket call (graft reads its configuration
 *                       on that call)
 *   dynstart ITER       socket() + close() ITER times, for an instruction
 *                       count under callgrind (N and 2N: the difference is
 *                       the loop's own cost)
 *   dynstart -t ITER    64 to warm up, then ITER timed with the process's
 *                       CPU clock (user + system): prints
 *                       "dynstart ns_per_iter=N"
 *
 * Exits 1 when a socket call fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int loop(int iter)
{
	for (int i = 0; i < iter; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0)
			return 1;
		close(s);
	}
	return 0;
}

static double cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	double t0;
	int iter;

	if (argc < 2)
		return socket(AF_INET, SOCK_STREAM, 0) < 0;
	iter = atoi(argv[argc - 1]);
	if (iter < 1)
		return 2;
	if (strcmp(argv[1], "-t"))
		return loop(iter);
	if (loop(64))
		return 1;
	t0 = cpu_ns();
	if (loop(iter))
		return 1;
	printf("dynstart ns_per_iter=%.1f\n", (cpu_ns() - t0) / iter);
	return 0;
}
