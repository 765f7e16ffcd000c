/* forkserve.c - forkserve N: a fork-per-connection server on 127.0.0.1
 * and a client (a forked process) making N connections one after the
 * other, each a line sent and a line answered by a child the server forked
 * for it.  Prints "forkserve conn_per_s=N cpu_us_per_conn=N
 * minflt_per_conn=N": connections per second (wall clock), the server's
 * and its connection children's user + system CPU time and their minor
 * faults per connection (the client's not counted).  bench/run.sh's fork
 * rows build it with musl-gcc and with graft-cc.  Exits 1 on a failure. */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "usec.h"

static int client(const struct sockaddr_in *sa, int n)
{
	char buf[64];
	int i, s;
	for (i = 0; i < n; i++) {
		if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0
		 || connect(s, (const struct sockaddr *)sa, sizeof *sa) < 0
		 || write(s, "hello\n", 6) != 6 || read(s, buf, sizeof buf) <= 0) return 1;
		close(s);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, l, c, i, st, left;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	struct rusage self, kids;
	double t0, t1;
	pid_t cl, p;
	char buf[64];

	if ((l = socket(AF_INET, SOCK_STREAM, 0)) < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) < 0
	 || listen(l, 128) < 0 || getsockname(l, (struct sockaddr *)&sa, &len) < 0) return 1;
	if ((cl = fork()) < 0) return 1;
	if (!cl) {
		close(l);
		_exit(client(&sa, n));
	}
	t0 = now_us();
	for (i = left = 0; i < n; i++) {
		if ((c = accept(l, 0, 0)) < 0) return 1;
		if ((p = fork()) < 0) return 1;
		if (!p) {
			close(l);
			_exit(!(read(c, buf, sizeof buf) > 0 && write(c, "world\n", 6) == 6));
		}
		left++;
		close(c);
		while (left && (p = waitpid(-1, &st, WNOHANG)) > 0) {
			if (p == cl || !WIFEXITED(st) || WEXITSTATUS(st)) return 1;
			left--;
		}
	}
	while (left && (p = waitpid(-1, &st, 0)) > 0) {
		if (p == cl) { cl = -1; left++; }
		else if (!WIFEXITED(st) || WEXITSTATUS(st)) return 1;
		left--;
	}
	t1 = now_us();
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	if (cl > 0 && (waitpid(cl, &st, 0) != cl || !WIFEXITED(st) || WEXITSTATUS(st))) return 1;
	printf("forkserve conn_per_s=%.0f cpu_us_per_conn=%.2f minflt_per_conn=%.2f\n",
		n / ((t1 - t0) / 1e6),
		(tv_us(self.ru_utime) + tv_us(self.ru_stime) + tv_us(kids.ru_utime) + tv_us(kids.ru_stime)) / n,
		(double)(self.ru_minflt + kids.ru_minflt) / n);
	return 0;
}
