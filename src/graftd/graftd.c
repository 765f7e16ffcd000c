/* graftd.c - the graft broker: setup, signals and the main loop.
 *
 * One thread, one epoll set: the request socket, the control socket, a
 * signalfd, and every connection; nothing blocks.  The request clients
 * are served in client.c, the control clients in control.c (their commands in ctlcmd.c). */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graftd.h"
#include "log.h"

#define ACCEPT_BURST	32
#define LOG_PER_SEC	50	/* refusal/limit lines per second, then summed */

struct graftd			*env;
static struct graftd		 graftd;
static int			 epfd = -1;
static struct evsrc		 ev_listen, ev_ctllisten, ev_signal;
static int			 quit;
static time_t			 lograte_sec;
static unsigned			 lograte_n, lograte_dropped;

time_t
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Refusals and limit messages may come at the rate a client likes: after
 * LOG_PER_SEC lines in a second the rest are counted and summed up. */
int
lograte_ok(void)
{
	time_t t = now();

	if (t != lograte_sec) {
		if (lograte_dropped)
			log_warnx("%u log messages suppressed",
			    lograte_dropped);
		lograte_sec = t;
		lograte_n = lograte_dropped = 0;
	}
	if (lograte_n++ < LOG_PER_SEC)
		return 1;
	lograte_dropped++;
	return 0;
}

void
ev_set(struct evsrc *ev, int op, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	if (epoll_ctl(epfd, op, ev->fd, &e) == -1)
		fatal("epoll_ctl");
}

static void
listen_pause(struct evsrc *ev)
{
	if (lograte_ok())
		log_warn("accept");
	ev_set(ev, EPOLL_CTL_DEL, 0);
	ev->paused = 1;		/* resumed by the timer, one second later */
}

static void
do_accept(struct evsrc *ev, void (*handler)(int))
{
	int i, fd;

	for (i = 0; i < ACCEPT_BURST; i++) {
		fd = accept4(ev->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				listen_pause(ev);
			return;
		}
		handler(fd);
	}
}

/* ---- timers, signals, reload */

static void
timers(void)
{
	time_t t = now();

	if (ev_listen.paused) {
		ev_listen.paused = 0;
		ev_set(&ev_listen, EPOLL_CTL_ADD, EPOLLIN);
	}
	if (ev_ctllisten.paused) {
		ev_ctllisten.paused = 0;
		ev_set(&ev_ctllisten, EPOLL_CTL_ADD, EPOLLIN);
	}
	clients_timers(t);
	ctls_timers(t);
}

static int
lowports_needed(const struct settings *s, const struct tableset *ts)
{
	return s->lowports == 1 || (s->lowports == -1 && ts_need_lowports(ts));
}

static void
reload(void)
{
	struct tableset *ts;
	struct settings s;
	char err[ERRBUFSZ];

	if (config_load(env->conffile, &ts, &s, err, sizeof(err)) != 0) {
		log_warnx("reload failed, table unchanged: %s", err);
		return;
	}
	ts_carry_stats(ts, env->ts);
	ts_carry_attach(ts, env->ts);	/* attachments are not graftd.conf's */
	if (s.sock_uid != env->conf.sock_uid ||
	    s.sock_gid != env->conf.sock_gid ||
	    s.sock_mode != env->conf.sock_mode)
		log_warnx("socket-owner and socket-mode apply at restart only");
	if (strcmp(s.state_file, env->conf.state_file) != 0)
		log_warnx("state-file applies at restart only");
	memcpy(s.state_file, env->conf.state_file, sizeof(s.state_file));
	if (lowports_needed(&s, ts) && !env->conf.lowports)
		log_warnx("ports below 1024 need a restart to be bindable");
	s.sock_uid = env->conf.sock_uid;
	s.sock_gid = env->conf.sock_gid;
	s.sock_mode = env->conf.sock_mode;
	s.lowports = env->conf.lowports;	/* what priv_drop() kept */
	ts_free(env->ts);
	env->ts = ts;
	env->conf = s;
	share_configure(&env->conf, env->ts);
	log_info("reloaded %s: %u endpoints", env->conffile, ts->count);
}

static void
signal_event(void)
{
	struct signalfd_siginfo si;

	while (read(ev_signal.fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			reload();
			break;
		case SIGTERM:
		case SIGINT:
			quit = 1;
			break;
		}
	}
}

static int
signal_setup(void)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	return fd;
}

/* ---- setup */

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* sockets in flight are bounded from it by share_configure() */
}

static void
load_initial(const char *path, int explicit)
{
	char err[ERRBUFSZ];
	int rv;

	rv = config_load(path, &env->ts, &env->conf, err, sizeof(err));
	if (rv == ENOENT && !explicit) {
		log_warnx("%s: no such file; starting with no endpoint", path);
		settings_default(&env->conf);
		if ((env->ts = ts_new()) == NULL)
			fatal("ts_new");
		return;
	}
	if (rv != 0)
		fatalx("%s", err);
}

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: graftd [-dnv] [-f CONFIG] [-s SOCKET] [-c CONTROL_SOCKET]\n"
	    "              [--shared-dir]\n"
	    "  -d  stay in the foreground and log to stderr\n"
	    "  -n  check the configuration file and exit\n"
	    "  -v  verbose: also log granted requests and connections\n"
	    "  -f  configuration file (default " GRAFTD_CONF ")\n"
	    "  -s  request socket (default " GRAFTD_SOCK ")\n"
	    "  -c  control socket (default " GRAFTD_CTL ")\n"
	    "  --shared-dir  allow both sockets in one directory (unsafe)\n");
	exit(status);
}

static void
main_loop(void)
{
	struct epoll_event evs[64];
	struct evsrc *ev;
	time_t last = now();
	int i, n;

	while (!quit) {
		n = epoll_wait(epfd, evs, 64, 1000);
		if (n == -1 && errno != EINTR)
			fatal("epoll_wait");
		for (i = 0; i < n; i++) {
			ev = evs[i].data.ptr;
			switch (ev->kind) {
			case EV_LISTEN:
				do_accept(ev, client_accept);
				break;
			case EV_CTLLISTEN:
				do_accept(ev, ctl_accept);
				break;
			case EV_SIGNAL:
				signal_event();
				break;
			case EV_CLIENT:
				client_event((struct client *)ev,
				    evs[i].events);
				break;
			case EV_CTL:
				ctl_event((struct ctlclient *)ev,
				    evs[i].events);
				break;
			}
		}
		if (now() != last) {
			last = now();
			timers();
		}
		clients_reap();
	}
}

struct opts {
	int	debug, verbose, noaction, explicit, shared;
};

static void
parse_args(int argc, char *argv[], struct opts *o, struct sockspec *req,
    struct sockspec *ctl)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "shared-dir", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "dnvf:s:c:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd': o->debug = 1; break;
		case 'n': o->noaction = 1; break;
		case 'v': o->verbose = 1; break;
		case 'f': env->conffile = optarg; o->explicit = 1; break;
		case 's': req->path = optarg; break;
		case 'c': ctl->path = optarg; break;
		case 'S': o->shared = 1; break;
		case 'h': usage(0);
		default: usage(1);
		}
	}
	if (optind != argc)
		usage(1);
}

/* Both sockets, neither a unix endpoint under any name, in directories
 * of their own unless --shared-dir. */
static void
listen_setup(struct sockspec *req, struct sockspec *ctl, int shared)
{
	req->mode = env->conf.sock_mode;
	req->uid = env->conf.sock_uid;
	req->gid = env->conf.sock_gid;
	ev_listen = (struct evsrc){ EV_LISTEN, listen_unix(req), 0 };
	ev_ctllisten = (struct evsrc){ EV_CTLLISTEN, listen_unix(ctl), 0 };
	unixep_self(req->sock.st_dev, req->sock.st_ino);
	unixep_self(ctl->sock.st_dev, ctl->sock.st_ino);
	if (listen_same_dir(req, ctl) && !shared) {
		unlinkat(req->dirfd, strrchr(req->path, '/') + 1, 0);
		unlinkat(ctl->dirfd, strrchr(ctl->path, '/') + 1, 0);
		fatalx("the control socket %s is in the directory of the "
		    "request socket %s, which containers may be given: use "
		    "another directory (or --shared-dir)", ctl->path,
		    req->path);
	}
}

/* After daemon(): privileges dropped, peers' mode said, the epoll set. */
static void
loop_setup(void)
{
	int rv;

	env->conf.lowports = lowports_needed(&env->conf, env->ts);
	priv_drop(env->conf.lowports);
	if ((rv = peer_init()) == -1)
		fatal("socketpair");
	if (rv == 1)
		log_info("peers are identified by SO_PEERPIDFD");
	else
		log_warnx("no SO_PEERPIDFD (Linux < 6.5): peers are identified "
		    "by pid and start time (docs/security.md)");
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	ev_set(&ev_signal, EPOLL_CTL_ADD, EPOLLIN);
	ev_set(&ev_listen, EPOLL_CTL_ADD, EPOLLIN);
	ev_set(&ev_ctllisten, EPOLL_CTL_ADD, EPOLLIN);
}

int
main(int argc, char *argv[])
{
	/* one namespace's connect flood must not fill the request queue
	 * for all (the kernel caps it at net.core.somaxconn) */
	struct sockspec req = { .path = GRAFTD_SOCK, .dirmode = 0755,
	    .backlog = 4096 };
	struct sockspec ctl = { .path = GRAFTD_CTL, .mode = 0600,
	    .uid = 0, .gid = 0, .dirmode = 0700, .backlog = 128 };
	struct opts o = { 0, 0, 0, 0, 0 };

	env = &graftd;
	env->conffile = GRAFTD_CONF;
	parse_args(argc, argv, &o, &req, &ctl);
	log_init(1, o.verbose);
	load_initial(env->conffile, o.explicit);
	if (o.noaction) {
		fprintf(stderr, "configuration OK\n");
		return 0;
	}
	ev_signal = (struct evsrc){ EV_SIGNAL, signal_setup(), 0 };
	raise_nofile();
	share_configure(&env->conf, env->ts);
	listen_setup(&req, &ctl, o.shared);
	state_setup(&env->state, env->conf.state_file, ctl.dirfd, ctl.path);
	if (!o.debug && daemon(0, 0) == -1)
		fatal("daemon");
	log_init(o.debug, o.verbose);
	state_restore(env);	/* before lowports are known: a restart
				 * makes their ports below 1024 bindable */
	loop_setup();
	log_info("started: %u endpoints, listening on %s", env->ts->count,
	    req.path);
	main_loop();
	/* in the directories checked, not wherever the paths lead by now */
	unlinkat(req.dirfd, strrchr(req.path, '/') + 1, 0);
	unlinkat(ctl.dirfd, strrchr(ctl.path, '/') + 1, 0);
	log_info("terminated");
	return 0;
}
