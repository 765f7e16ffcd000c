/* core_signal.c - the lazy configuration load against a process's limits
 * and its signal handlers (tests/e2e/core-signal.sh), built with graft-cc.
 * Each mode's first inet socket() is the one that loads graft.conf.
 *
 *   emfile ADDR PORT      the load at RLIMIT_NOFILE: a loopback bind, the
 *                         same after fds are freed, an AF_GRAFT connect
 *                         before the load is tried again (it must not
 *                         reach a listener at the abstract name of zeros:
 *                         "abstract ok"), then (1.2 s later, so the load
 *                         is tried again) a bind to ADDR:PORT
 *   sigthread ADDR PORT   a thread's first socket() while its SIGUSR1
 *                         handler calls socket/bind/close; then a bind
 *                         to ADDR:PORT
 *   sigalrm ADDR PORT US  the same, single-threaded: one SIGALRM US
 *                         microseconds into the first socket()
 *   regraft ADDR PORT N HADDR HPORT MHOST HHOST [threads]
 *                         N grafts of ADDR:PORT (socket, bind, close) while
 *                         a SIGALRM handler every 1 ms grafts HADDR:HPORT
 *                         (socket, bind, close): the handler lands inside
 *                         graftd exchanges and the core's locked sections;
 *                         with "threads" an idle thread makes musl lock;
 *                         a bind must get its own host port (MHOST for
 *                         the main loop's, HHOST for the handler's, seen
 *                         with "view host"), else it counts as errno EXDEV
 *   reconnect ADDR PORT N [threads]
 *                         the same with connect()s to ADDR:PORT (egress,
 *                         nothing listening: ECONNREFUSED is a graft made)
 *                         in both, through the egress pool's spares
 * Prints one line per step: "NAME ok" or "NAME errno N".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <graft.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in rule, lo;
static volatile int started, done;
static volatile unsigned long handled;

static void addr(struct sockaddr_in *s, const char *a, const char *p)
{
	memset(s, 0, sizeof *s);
	s->sin_family = AF_INET;
	s->sin_port = htons(atoi(p));
	if (inet_pton(AF_INET, a, &s->sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", a);
		exit(2);
	}
}

static void say(const char *what, int r)
{
	if (r) printf("%s errno %d\n", what, errno);
	else printf("%s ok\n", what);
	fflush(stdout);
}

/* socket() + bind(sa); the fd is left open */
static int sock_bind(const struct sockaddr_in *sa, int type)
{
	int fd = socket(AF_INET, type, 0);
	if (fd < 0) return -1;
	return bind(fd, (const void *)sa, sizeof *sa);
}

static struct timespec t0;

/* The first socket() begins at t0; its load of the config takes ~1 ms.
 * A handler acting earlier would run its own socket() before the load,
 * and load the config itself (with its signal blocked): wait 50 us.
 * Before the fix, a handler acting during the load hung (the thread's
 * own lock) or, single-threaded, parsed the file into the same struct. */
static void begin(void)
{
	clock_gettime(CLOCK_MONOTONIC, &t0);
	started = 1;
}

static int loading(void)
{
	struct timespec t;

	if (!started) return 0;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec > 50000;
}

static void handler(int sig)
{
	int e = errno, fd;

	(void)sig;
	if (!loading()) return;
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) >= 0) {
		bind(fd, (const void *)&lo, sizeof lo);
		close(fd);
	}
	handled++;
	errno = e;
}

/* The handler of regraft: its bind is grafted, or refused with EAGAIN
 * when it interrupted this thread's own graft; anything else is wrong. */
static struct sockaddr_in hrule;
static volatile unsigned long hok, hagain, hbad;
static volatile int hbad_errno;
static int conn;	/* reconnect: connect to hrule, ECONNREFUSED is fine */
static int mhost, hhost;	/* the host ports the binds must get */

/* Whether fd is bound to port (0: any); a reply paired with the wrong
 * request gives the other rule's socket. */
static int on_port(int fd, int port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;

	if (!port) return 1;
	return !getsockname(fd, (void *)&sa, &len) && ntohs(sa.sin_port) == port;
}

/* socket() and the mode's graft of sa: 0, or -1 and errno */
static int graft_one(const struct sockaddr_in *sa, int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), r, e;

	if (fd < 0) return -1;
	if (!conn) {
		r = bind(fd, (const void *)sa, sizeof *sa);
		if (!r && !on_port(fd, port)) {
			r = -1;
			errno = EXDEV;
		}
	} else if ((r = connect(fd, (const void *)sa, sizeof *sa)) && errno == ECONNREFUSED) r = 0;
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static void rehandler(int sig)
{
	int e = errno;

	(void)sig;
	if (!graft_one(&hrule, hhost)) hok++;
	else if (errno == EAGAIN) hagain++;
	else {
		hbad++;
		hbad_errno = errno;
	}
	errno = e;
}

static void *idle(void *arg)
{
	(void)arg;
	for (;;) pause();
	return 0;
}

static int regraft(long n, int threads)
{
	struct sigaction sa = { .sa_handler = rehandler, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } }, off = { { 0, 0 }, { 0, 0 } };
	unsigned long ok = 0, bad = 0;
	sigset_t set;
	pthread_t t;
	int e = 0;
	long i;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, 0);
	if (threads && pthread_create(&t, 0, idle, 0)) return perror("pthread_create"), 2;
	pthread_sigmask(SIG_UNBLOCK, &set, 0);
	sigaction(SIGALRM, &sa, 0);
	setitimer(ITIMER_REAL, &it, 0);
	for (i = 0; i < n; i++) {
		if (graft_one(&rule, mhost)) {
			bad++;
			e = errno;
		} else {
			ok++;
		}
	}
	setitimer(ITIMER_REAL, &off, 0);
	printf("main %lu ok %lu bad (errno %d); handler %lu ok %lu eagain %lu bad (errno %d)\n",
		ok, bad, e, hok, hagain, hbad, hbad_errno);
	return 0;
}

/* An AF_GRAFT connect while the config is not loaded asks the default
 * broker, never the abstract name "\0\0..." anybody in the namespace may
 * bind: a listener there must get no connection. */
static int abstract(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sockaddr_gr gr = { .sgr_family = AF_GRAFT };
	int l, s, c;

	l = socket(AF_UNIX, SOCK_SEQPACKET|SOCK_NONBLOCK, 0);
	if (l < 0 || bind(l, (void *)&sun, sizeof sun) || listen(l, 4)) return -1;
	memcpy(gr.sgr_epname, "ep-x", 4);
	if ((s = socket(AF_GRAFT, SOCK_STREAM, 0)) >= 0) {
		connect(s, (void *)&gr, sizeof gr);
		close(s);
	}
	c = accept(l, 0, 0);
	close(l);
	if (c >= 0) {
		close(c);
		errno = EXDEV;	/* reached: the broker was that name */
		return -1;
	}
	return 0;
}

static int emfile(void)
{
	struct rlimit rl;
	int fds[256], n = 0, i;
	struct timespec ts = { 1, 200000000 };

	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = 64;
	if (setrlimit(RLIMIT_NOFILE, &rl)) return perror("setrlimit"), 2;
	while (n < 256 && (fds[n] = open("/dev/null", O_RDONLY)) >= 0) n++;
	if (!n || errno != EMFILE) return fprintf(stderr, "could not fill the fd table\n"), 2;
	close(fds[--n]);	/* one free: socket() takes it, the load finds none */
	say("first", sock_bind(&lo, SOCK_STREAM));
	for (i = 0; i < n; i++) close(fds[i]);
	say("again", sock_bind(&lo, SOCK_STREAM));
	say("abstract", abstract());
	nanosleep(&ts, 0);
	say("rule", sock_bind(&rule, SOCK_STREAM));
	return 0;
}

static void *first(void *arg)
{
	begin();
	*(int *)arg = socket(AF_INET, SOCK_STREAM, 0);
	done = 1;
	return 0;
}

static int sigthread(void)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_RESTART };
	struct timespec ts = { 0, 20000 };
	pthread_t t;
	unsigned long sent = 0;
	int fd = -1;

	sigaction(SIGUSR1, &sa, 0);
	if (pthread_create(&t, 0, first, &fd)) return perror("pthread_create"), 2;
	/* the sleep lets the thread run even when both share one CPU */
	while (!started) sched_yield();
	while (!done && sent < 100000) {
		pthread_kill(t, SIGUSR1);
		sent++;
		nanosleep(&ts, 0);
	}
	pthread_join(t, 0);
	if (fd < 0) return say("socket", -1), 1;
	say("rule", bind(fd, (void *)&rule, sizeof rule));
	fprintf(stderr, "core_signal: %lu signals sent, %lu handled\n", sent, handled);
	return 0;
}

static int sigalrm(long us)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, 0 }, { 0, us } }, off = { { 0, 0 }, { 0, 0 } };
	int fd;

	sigaction(SIGALRM, &sa, 0);
	begin();
	setitimer(ITIMER_REAL, &it, 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setitimer(ITIMER_REAL, &off, 0);
	if (fd < 0) return say("socket", -1), 1;
	say("rule", bind(fd, (void *)&rule, sizeof rule));
	fprintf(stderr, "core_signal: %lu handled\n", handled);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: core_signal emfile|sigthread|sigalrm|regraft|reconnect ADDR PORT [US|N [HADDR HPORT MHOST HHOST] [threads]]\n");
		return 2;
	}
	addr(&rule, argv[2], argv[3]);
	addr(&lo, "127.0.0.1", "0");
	if (!strcmp(argv[1], "emfile")) return emfile();
	if (!strcmp(argv[1], "sigthread")) return sigthread();
	if (!strcmp(argv[1], "regraft") && argc > 8) {
		addr(&hrule, argv[5], argv[6]);
		mhost = atoi(argv[7]);
		hhost = atoi(argv[8]);
		return regraft(atol(argv[4]), argc > 9);
	}
	if (!strcmp(argv[1], "reconnect") && argc > 4) {
		conn = 1;
		hrule = rule;
		return regraft(atol(argv[4]), argc > 5);
	}
	if (!strcmp(argv[1], "sigalrm")) return sigalrm(argc > 4 ? atol(argv[4]) : 100);
	fprintf(stderr, "core_signal: unknown mode %s\n", argv[1]);
	return 2;
}
