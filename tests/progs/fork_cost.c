/* fork_cost.c - what a fork costs the child: fork, _exit, waitpid, N times,
 * as a fork-per-connection server does per connection.  Built with graft-cc
 * and with musl-gcc by bench/run.sh (the fork rows) and
 * tests/e2e/core-forkcost.sh.  The process first makes a socket and dups
 * it to fd 4000: with a rule configured, graft's fd table holds used slots
 * in two chunks (the case where a child used to walk and write all of it).
 *
 * usage: fork_cost N     print "<ns per fork> <median minor faults of a child>"
 * A child reports the minor faults it took up to its first instruction
 * after fork() returned (getrusage: a child's counts start at zero). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, i, p[2], s;
	long f, seen = 0;
	static long hist[256];
	struct timespec a, b;
	struct rlimit rl;

	if (pipe(p) < 0 || (s = socket(AF_INET, SOCK_STREAM, 0)) < 0) return 1;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur > 4000) dup2(s, 4000);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) return 1;
		if (!pid) {
			struct rusage ru;
			getrusage(RUSAGE_SELF, &ru);
			f = ru.ru_minflt;
			_exit(write(p[1], &f, sizeof f) != sizeof f);
		}
		if (read(p[0], &f, sizeof f) != sizeof f) return 1;
		hist[f < 0 ? 0 : f > 255 ? 255 : f]++;
		waitpid(pid, 0, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	for (f = 0; f < 255 && (seen += hist[f]) * 2 < n; f++);
	printf("%lld %ld\n", ((b.tv_sec - a.tv_sec) * 1000000000LL + b.tv_nsec - a.tv_nsec) / n, f);
	return 0;
}
