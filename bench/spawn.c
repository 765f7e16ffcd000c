/* spawn.c - spawn ROOT PROG N: chroot to ROOT, then N times start PROG
 * (no argument, an empty environment) and wait for it; prints
 * "spawn wall_us_per_run=N cpu_us_per_run=N minflt_per_run=N": wall-clock time,
 * the children's user + system CPU time and their minor page faults, per
 * run.  bench/run.sh's "start to
 * first socket" rows: PROG is dynamically linked, so each run is the
 * kernel's exec, ROOT's /lib/ld-musl-ARCH.so.1 loading it, and PROG.
 * Built static: nothing of ROOT is needed by the driver.  Exits 1 when a
 * run fails. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "usec.h"

int main(int argc, char **argv)
{
	char *args[] = { argv[2], 0 }, *env[] = { 0 };
	struct rusage ru;
	double t0, t;
	int n, st;
	pid_t pid;

	if (argc != 4 || (n = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: spawn ROOT PROG N\n");
		return 2;
	}
	if (chroot(argv[1]) || chdir("/")) {
		perror("spawn: chroot");
		return 1;
	}
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		if (posix_spawn(&pid, argv[2], 0, 0, args, env) ||
		    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "spawn: run %d of %s failed\n", i, argv[2]);
			return 1;
		}
	}
	t = now_us() - t0;
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("spawn wall_us_per_run=%.1f cpu_us_per_run=%.1f minflt_per_run=%.1f\n", t / n,
	       (tv_us(ru.ru_utime) + tv_us(ru.ru_stime)) / n, (double)ru.ru_minflt / n);
	return 0;
}
