/* stress_net.c - the load, fault and concurrency tests' program, built
 * with graft-cc (tests/e2e/stress-*.sh, fault-*.sh; docs/reliability.md).
 * Result lines go to stdout, one per event; errors to stderr.
 *
 *   echo-server ADDR PORT    bind (grafted), listen, epoll after the graft;
 *                            echo every connection; commands on stdin (or
 *                            the FIFO named by $STRESS_CMD):
 *                              bind ADDR PORT  a new listening socket:
 *                                              "bind ok HOST:PORT" or
 *                                              "bind errno N" (the failed
 *                                              socket is kept)
 *                              rebind          bind the kept socket again
 *                              stats           "stats conns N accepted M"
 *   clients ADDR PORT N      N connections at once (host side); each sends
 *                            a line and reads the echo; all are held until
 *                            every one was answered: "held N answered M"
 *   hold ADDR PORT N STEP... N connections, one exchange each ("round 1
 *                            ok N"), then for each STEP file: wait for it
 *                            to exist, exchange again on every connection
 *                            ("round K ok N")
 *   conc PORT0 EGRESSPORT    the concurrency checks, in a netns whose
 *                            graft.conf maps 0.0.0.0:PORT0-PORT0+99 to a
 *                            host port range and egress 127.0.0.1/32 out:
 *                            threads and forked children grafting at once,
 *                            dup/dup2 before and after the graft, epoll
 *                            after it, close racing a bind.  One line per
 *                            check: "ok NAME ..." or "fail NAME ...".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "stress_net: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static socklen_t mkaddr(const char *a, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (void *)ss;
	struct sockaddr_in6 *s6 = (void *)ss;
	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		return sizeof *s4;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		return sizeof *s6;
	}
	fprintf(stderr, "bad address %s\n", a);
	exit(2);
}

/* per thread: the conc checks call it from many threads at once */
static const char *name(int fd, int peer)
{
	static __thread char b[80];
	char h[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t l = sizeof ss;
	int r = peer ? getpeername(fd, (void *)&ss, &l) : getsockname(fd, (void *)&ss, &l);
	if (r) return "?";
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s = (void *)&ss;
		inet_ntop(AF_INET, &s->sin_addr, h, sizeof h);
		snprintf(b, sizeof b, "%s:%d", h, ntohs(s->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s = (void *)&ss;
		inet_ntop(AF_INET6, &s->sin6_addr, h, sizeof h);
		snprintf(b, sizeof b, "[%s]:%d", h, ntohs(s->sin6_port));
	} else
		snprintf(b, sizeof b, "family%d", ss.ss_family);
	return b;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;
	if (!d) return -1;
	while ((e = readdir(d))) if (e->d_name[0] != '.') n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

/* ---- echo-server */

static int listener(const char *a, int port, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t l = mkaddr(a, port, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0), one = 1;
	if (fd < 0) return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (void *)&ss, l) || listen(fd, backlog)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	/* non-blocking set after the graft: on the host socket */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static int ep;
static long nconns, naccepted;

static void ep_add(int fd, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.fd = fd };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e)) die("epoll_ctl");
}

static int is_listener[65536];
static int kept = -1;		/* the socket of a failed "bind" command */
static char kept_addr[64];
static int kept_port;

static void try_bind(int fd, const char *a, int port)
{
	struct sockaddr_storage ss;
	socklen_t l = mkaddr(a, port, &ss);
	if (bind(fd, (void *)&ss, l) || listen(fd, 128)) {
		printf("bind errno %d\n", errno);
		kept = fd;
		return;
	}
	printf("bind ok %s\n", name(fd, 0));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (fd < 65536) is_listener[fd] = 1;
	ep_add(fd, EPOLLIN);
	kept = -1;
}

static void command(char *line)
{
	char a[64];
	int port;
	if (sscanf(line, "bind %63s %d", a, &port) == 2) {
		int fd = socket(strchr(a, ':') ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
		if (fd < 0) { printf("bind errno %d\n", errno); return; }
		if (kept != -1) close(kept);
		snprintf(kept_addr, sizeof kept_addr, "%s", a);
		kept_port = port;
		try_bind(fd, a, port);
	} else if (!strncmp(line, "rebind", 6)) {
		if (kept == -1) printf("rebind nothing kept\n");
		else try_bind(kept, kept_addr, kept_port);
	} else if (!strncmp(line, "stats", 5)) {
		printf("stats conns %ld accepted %ld fds %d\n", nconns, naccepted, count_fds());
	} else if (!strncmp(line, "quit", 4)) {
		exit(0);
	}
}

static void __attribute__((noreturn)) echo_server(const char *a, int port)
{
	struct epoll_event evs[256];
	char buf[4096], cmd[256];
	const char *cmdpath = getenv("STRESS_CMD");
	size_t cl = 0;
	int lfd, i, n, cfd = 0;

	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	if ((lfd = listener(a, port, 4096)) < 0) die("bind/listen");
	/* registered after the graft: the fd is the host socket now */
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) die("epoll_create1");
	is_listener[lfd] = 1;
	ep_add(lfd, EPOLLIN);
	if (cmdpath && (cfd = open(cmdpath, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) die(cmdpath);
	ep_add(cfd, EPOLLIN);
	setvbuf(stdout, 0, _IOLBF, 0);
	printf("ready %s\n", name(lfd, 0));
	for (;;) {
		n = epoll_wait(ep, evs, 256, -1);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) die("epoll_wait");
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == cfd) {
				ssize_t r = read(cfd, cmd + cl, sizeof cmd - 1 - cl);
				char *nl;
				if (r < 0 && errno == EAGAIN) continue;
				if (r <= 0) { epoll_ctl(ep, EPOLL_CTL_DEL, cfd, 0); continue; }
				cl += r;
				cmd[cl] = 0;
				while ((nl = strchr(cmd, '\n'))) {
					*nl = 0;
					command(cmd);
					memmove(cmd, nl + 1, cl - (nl + 1 - cmd) + 1);
					cl -= nl + 1 - cmd;
				}
				if (cl == sizeof cmd - 1) cl = 0;
			} else if (fd < 65536 && is_listener[fd]) {
				int c;
				while ((c = accept4(fd, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					ep_add(c, EPOLLIN);
					nconns++;
					naccepted++;
				}
			} else {
				ssize_t r = read(fd, buf, sizeof buf);
				if (r > 0) {
					if (write(fd, buf, r) != r) r = 0;
				}
				if (r == 0 || (r < 0 && errno != EAGAIN)) {
					close(fd);
					nconns--;
				}
			}
		}
	}
}

/* ---- clients: N at once */

static int clients(const char *a, int port, int n)
{
	struct sockaddr_storage ss;
	socklen_t l = mkaddr(a, port, &ss);
	struct epoll_event evs[512];
	char *state;	/* 0 connecting, 1 sent, 2 answered */
	int *fds, e, i, k, answered = 0, open = 0, inprog = 0, next = 0;
	double t0 = now();

	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	fds = calloc(n, sizeof *fds);
	state = calloc(n, 1);
	if (!fds || !state || (e = epoll_create1(0)) < 0) die("setup");
	while (answered < n) {
		/* keep at most 512 handshakes in progress */
		while (next < n && inprog < 512) {
			int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
			struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = next };
			if (fd < 0) die("socket");
			if (connect(fd, (void *)&ss, l) && errno != EINPROGRESS) die("connect");
			if (epoll_ctl(e, EPOLL_CTL_ADD, fd, &ev)) die("epoll_ctl");
			fds[next++] = fd;
			open++;
			inprog++;
		}
		k = epoll_wait(e, evs, 512, 1000);
		if (k < 0 && errno != EINTR) die("epoll_wait");
		if (now() - t0 > 60) {
			printf("timeout held %d answered %d\n", open, answered);
			exit(1);
		}
		for (i = 0; i < k; i++) {
			int id = evs[i].data.u32, fd = fds[id], err = 0;
			socklen_t el = sizeof err;
			char buf[64];
			if (state[id] == 0) {
				struct epoll_event ev = { .events = EPOLLIN, .data.u32 = id };
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
				if (err) { errno = err; die("connect (SO_ERROR)"); }
				if (write(fd, "ping\n", 5) != 5) die("write");
				state[id] = 1;
				inprog--;
				epoll_ctl(e, EPOLL_CTL_MOD, fd, &ev);
			} else if (state[id] == 1) {
				ssize_t r = read(fd, buf, sizeof buf);
				if (r == 5 && !memcmp(buf, "ping\n", 5)) {
					state[id] = 2;
					answered++;
					epoll_ctl(e, EPOLL_CTL_DEL, fd, 0);
				} else if (r == 0 || (r < 0 && errno != EAGAIN)) {
					printf("connection %d lost\n", id);
					return 1;
				}
			}
		}
	}
	printf("held %d answered %d seconds %.1f\n", open, answered, now() - t0);
	/* an abortive close: 10 000 ports in TIME_WAIT would block fixed-port
	 * binds of the tests that follow */
	for (i = 0; i < n; i++) {
		struct linger lg = { 1, 0 };
		setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		close(fds[i]);
	}
	return answered == n ? 0 : 1;
}

/* ---- hold: established connections across graftd restarts */

static int exchange(int fd, int round)
{
	char line[32], buf[32];
	int n = snprintf(line, sizeof line, "round %d\n", round);
	ssize_t r;
	struct pollfd p = { fd, POLLIN, 0 };
	if (write(fd, line, n) != n) return -1;
	if (poll(&p, 1, 5000) != 1) return -1;
	r = read(fd, buf, sizeof buf);
	return r == n && !memcmp(buf, line, n) ? 0 : -1;
}

static int hold(const char *a, int port, int n, char **steps, int nsteps)
{
	struct sockaddr_storage ss;
	socklen_t l = mkaddr(a, port, &ss);
	int *fds = calloc(n, sizeof *fds), i, k, ok;
	struct stat st;

	setvbuf(stdout, 0, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < n; i++) {
		if ((fds[i] = socket(ss.ss_family, SOCK_STREAM, 0)) < 0) die("socket");
		if (connect(fds[i], (void *)&ss, l)) die("connect");
	}
	for (k = 0; k <= nsteps; k++) {
		if (k > 0) {
			for (i = 0; i < 600 && stat(steps[k - 1], &st); i++) usleep(50000);
			if (i == 600) { printf("round %d: no step file\n", k + 1); return 1; }
		}
		for (ok = i = 0; i < n; i++) ok += exchange(fds[i], k + 1) == 0;
		printf("round %d ok %d\n", k + 1, ok);
		if (ok != n) return 1;
	}
	return 0;
}

/* ---- conc: concurrency checks */

static int port0, egress_port, failures;

#define RESULT(ok, ...) do { printf("%s ", (ok) ? "ok" : "fail"); printf(__VA_ARGS__); \
	printf("\n"); if (!(ok)) failures++; } while (0)

static int grafted_to(int fd, int port)
{
	char want[32];
	snprintf(want, sizeof want, "127.0.0.1:%d", port);
	return !strcmp(name(fd, 0), want);
}

static int bind_port(int fd, int port)
{
	struct sockaddr_storage ss;
	socklen_t l = mkaddr("0.0.0.0", port, &ss);
	return bind(fd, (void *)&ss, l) ? -errno : 0;
}

static pthread_mutex_t why_lock = PTHREAD_MUTEX_INITIALIZER;
static char why[160];	/* the first failure of a thread, for the result line */

static void *failed(const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&why_lock);
	if (!why[0]) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof why, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&why_lock);
	return (void *)1L;
}

static void *thr_bind(void *arg)
{
	long i = (long)arg;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = port0 + (int)i, r;
	void *res = 0;
	if (fd < 0) return failed("socket: %s", strerror(errno));
	if ((r = bind_port(fd, port))) res = failed("bind port %d: %s", port, strerror(-r));
	else if (listen(fd, 8)) res = failed("listen port %d: %s", port, strerror(errno));
	else if (!grafted_to(fd, port)) res = failed("port %d: socket at %s", port, name(fd, 0));
	close(fd);
	return res;
}

static void check_threads(int nthr, int rounds)
{
	pthread_t t[64];
	long i, bad = 0, k;
	void *r;
	for (k = 0; k < rounds; k++) {
		for (i = 0; i < nthr; i++) pthread_create(t + i, 0, thr_bind, (void *)i);
		for (i = 0; i < nthr; i++) { pthread_join(t[i], &r); bad += r != 0; }
	}
	RESULT(!bad, "threads: %d threads x %d rounds grafting at once, %ld failed%s%s", nthr, rounds,
		bad, why[0] ? "; first: " : "", why);
	why[0] = 0;
}

static void check_forks(int n)
{
	int i, st, bad = 0, fd;
	pid_t pid[64];
	/* the parent has a broker connection already: each child must open
	 * its own */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind_port(fd, port0 + 90) || !grafted_to(fd, port0 + 90)) bad++;
	for (i = 0; i < n; i++) {
		if ((pid[i] = fork()) == 0) {
			int s = socket(AF_INET, SOCK_STREAM, 0), j, r = 0;
			/* and a thread in the child, too */
			pthread_t t;
			void *tr;
			pthread_create(&t, 0, thr_bind, (void *)(long)(64 + i % 16));
			for (j = 0; j < 3 && !r; j++) {
				int e = bind_port(s, port0 + 40 + i);
				r = e || !grafted_to(s, port0 + 40 + i);
				if (r)	/* the script shows this line */
					fprintf(stderr, "fork child %d: port %d: %s\n", i, port0 + 40 + i,
						e ? strerror(-e) : name(s, 0));
				close(s);
				s = socket(AF_INET, SOCK_STREAM, 0);
			}
			pthread_join(t, &tr);
			if (tr) fprintf(stderr, "fork child %d: its thread: %s\n", i, why);
			_exit(r || tr);
		}
	}
	for (i = 0; i < n; i++)
		if (waitpid(pid[i], &st, 0) != pid[i] || !WIFEXITED(st) || WEXITSTATUS(st)) bad++;
	/* the parent's connection still serves it */
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind_port(fd, port0 + 91) || !grafted_to(fd, port0 + 91)) bad++;
	close(fd);
	RESULT(!bad, "fork: %d children (each with a thread) grafting at once, %d failed", n, bad);
}

static void check_dup(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), d = dup(s), d2 = dup2(s, 200), d3, ok;
	int fl = fcntl(s, F_DUPFD_CLOEXEC, 300);
	ok = s >= 0 && d >= 0 && d2 == 200 && fl >= 300 && bind_port(s, port0 + 92) == 0;
	ok = ok && grafted_to(s, port0 + 92) && grafted_to(d, port0 + 92) &&
		grafted_to(d2, port0 + 92) && grafted_to(fl, port0 + 92);
	ok = ok && (fcntl(fl, F_GETFD) & FD_CLOEXEC) && !(fcntl(d2, F_GETFD) & FD_CLOEXEC);
	RESULT(ok, "dup/dup2/F_DUPFD_CLOEXEC before the graft follow it (%s; dup %s)",
		name(s, 0), name(d, 0));
	d3 = dup(s);
	ok = d3 >= 0 && grafted_to(d3, port0 + 92) && !listen(d3, 4);
	RESULT(ok, "dup after the graft names the host socket (%s)", name(d3, 0));
	/* a dup2 over a grafted fd, then grafting the new one */
	s = socket(AF_INET, SOCK_STREAM, 0);
	ok = dup2(s, d) == d && bind_port(d, port0 + 93) == 0 && grafted_to(d, port0 + 93) &&
		grafted_to(s, port0 + 93) && grafted_to(d2, port0 + 92);
	RESULT(ok, "dup2 over a grafted fd, then a graft of the new socket (%s)", name(d, 0));
	close(s); close(d); close(d2); close(d3); close(fl);
}

static void check_epoll(void)
{
	struct sockaddr_storage ss;
	socklen_t l;
	struct epoll_event ev = { .events = EPOLLIN }, got;
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), e = epoll_create1(0), c, a = -1, ok;
	char buf[16];
	ok = lfd >= 0 && bind_port(lfd, port0 + 94) == 0 && !listen(lfd, 8) && grafted_to(lfd, port0 + 94);
	ev.data.fd = lfd;
	ok = ok && !epoll_ctl(e, EPOLL_CTL_ADD, lfd, &ev);
	/* a client through the egress rule reaches the host listener */
	l = mkaddr("127.0.0.1", port0 + 94, &ss);
	c = socket(AF_INET, SOCK_STREAM, 0);
	ok = ok && !connect(c, (void *)&ss, l);
	ok = ok && epoll_wait(e, &got, 1, 3000) == 1 && got.data.fd == lfd;
	ok = ok && (a = accept(lfd, 0, 0)) >= 0 && write(c, "hi", 2) == 2 && read(a, buf, 2) == 2;
	/* and the accepted host socket in epoll too */
	ev.data.fd = a;
	ok = ok && !epoll_ctl(e, EPOLL_CTL_ADD, a, &ev) && write(c, "yo", 2) == 2 &&
		epoll_wait(e, &got, 1, 3000) == 1 && got.data.fd == a;
	RESULT(ok, "epoll registration after the graft (listener %s, client %s)", name(lfd, 0), name(c, 0));
	close(a); close(c); close(lfd); close(e);
}

static volatile int race_fd = -1;
static volatile int race_go, race_done;

static void *closer(void *arg)
{
	unsigned seed = 1;
	(void)arg;
	for (;;) {
		while (!__atomic_load_n(&race_go, __ATOMIC_ACQUIRE)) sched_yield();
		if (race_fd == -2) return 0;
		{	/* 0 to 150 us: before, during or after the graft */
			double until = now() + (rand_r(&seed) % 150) / 1e6;
			while (now() < until) ;
		}
		close(race_fd);
		__atomic_store_n(&race_go, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&race_done, 1, __ATOMIC_RELEASE);
	}
}

static void check_close_race(int iters)
{
	pthread_t t;
	int i, fd, r, before, after, res[4] = { 0 }, port = port0 + 95;
	/* a first graft, so that the broker connection exists in both counts */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	bind_port(fd, port0 + 96);
	close(fd);
	before = count_fds();
	pthread_create(&t, 0, closer, 0);
	for (i = 0; i < iters; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		race_fd = fd;
		__atomic_store_n(&race_done, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&race_go, 1, __ATOMIC_RELEASE);
		r = bind_port(fd, port);
		res[r == 0 ? 0 : r == -EBADF ? 1 : r == -ENOTSOCK ? 2 : 3]++;
		if (r && r != -EBADF && r != -ENOTSOCK && res[3] < 4)
			fprintf(stderr, "close race: bind: %s\n", strerror(-r));
		while (!__atomic_load_n(&race_done, __ATOMIC_ACQUIRE)) sched_yield();
		close(fd);	/* may be EBADF, or the grafted socket */
	}
	race_fd = -2;
	__atomic_store_n(&race_go, 1, __ATOMIC_RELEASE);
	pthread_join(t, 0);
	after = count_fds();
	/* no host socket leaked onto some fd: the port is free again */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	r = bind_port(fd, port);
	RESULT(after <= before && r == 0 && grafted_to(fd, port),
		"close racing bind: %d rounds (bound %d, EBADF %d, ENOTSOCK %d, other %d), fds %d -> %d, port free after: %s",
		iters, res[0], res[1], res[2], res[3], before, after, r ? strerror(-r) : "yes");
	close(fd);
}

static int conc(int p0, int pe)
{
	(void)pe;
	port0 = p0;
	egress_port = pe;
	setvbuf(stdout, 0, _IOLBF, 0);
	check_threads(32, 4);
	check_forks(16);
	check_dup();
	check_epoll();
	check_close_race(1000);
	check_threads(32, 1);	/* all still fine afterwards */
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "echo-server")) echo_server(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "clients")) return clients(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc >= 5 && !strcmp(argv[1], "hold")) return hold(argv[2], atoi(argv[3]), atoi(argv[4]), argv + 5, argc - 5);
	if (argc == 4 && !strcmp(argv[1], "conc")) return conc(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: stress_net echo-server ADDR PORT | clients ADDR PORT N | "
		"hold ADDR PORT N [STEPFILE...] | conc PORT0 EGRESSPORT\n");
	return 2;
}
