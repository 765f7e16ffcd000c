/* conf_load.c - the process's configuration: read on the first call that
 * needs it, under a lock; afterwards a single load tells it is ready.
 * The file is mapped, parsed in place and unmapped: nothing is allocated
 * and nothing is kept but the parsed struct.  A problem prints one line.
 *
 * Signals are blocked while loading: a handler calling socket() can
 * neither wait for its own thread's lock nor re-enter the parser (musl's
 * LOCK does nothing while single-threaded).  Another thread waits.
 *
 * A read that fails for want of a resource (EMFILE, ENOMEM...) is not a
 * broken config: the caller gets the empty one (stock behaviour), and a
 * call at least a second later tries again.
 *
 * In secure execution (AT_SECURE: setuid, setgid, file capabilities) the
 * caller's environment is not ours: no GRAFT* variable is read, only the
 * default file, and errors name the line without quoting it.
 *
 * "rules broker" asks graftd for this netns's rules during the load
 * (broker_rules.c): the lock is held across that one exchange (at most
 * its 10 s timeout), so no socket is made unrecorded meanwhile. */
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "graft_conf.h"
#include "graft_log.h"
#include "graft_fork.h"
#include "graft_hooks.h"

/* none: not loaded yet: no rule, and the defaults (an AF_GRAFT call
 * still asks the default broker, never an empty, abstract name).  Set
 * under the lock before the first try, not initialised data: the struct
 * is 21 KiB, nearly all zero, and would sit in every program's file
 * (nor cleared: it is zero, and only its first page is written). */
__attribute__((__common__)) hidden struct graft_conf __graft_conf_main, __graft_conf_none;
#define conf __graft_conf_main
#define none __graft_conf_none
int __graft_on = GRAFT_ON_CONF;
static volatile int ready, lock[1], told;
/* the monotonic second of the next try; nonzero: none is set */
static volatile int retry_at;
/* conf was written by a load (also one a forked child inherits half done) */
static int dirty;

static const char *env(const struct graft_conf *c, const char *name)
{
	return c->secure || !c->env ? 0 : getenv(name);
}

/* Whether any GRAFT* variable is set: one pass over the environment
 * instead of a getenv() scan per name in the common case of none. */
static int graft_env(void)
{
	extern char **__environ;
	for (char **e = __environ; e && *e; e++)
		if (!strncmp(*e, "GRAFT", 5)) return 1;
	return 0;
}

/* GRAFT_CONF=/dev/null: an empty configuration.  Only that device: any
 * other is refused unread (its open already ran with O_NONBLOCK). */
static int dev_null(const struct stat *sb)
{
	return S_ISCHR(sb->st_mode) && sb->st_rdev == makedev(1, 3);
}

/* what a retry may cure: the file is fine, the process is short of something */
static int transient(long e)
{
	return e == -EMFILE || e == -ENFILE || e == -ENOMEM || e == -EINTR || e == -EAGAIN;
}

/* 0, or the transient -errno that kept the file from being read */
static long read_file(struct graft_conf *c, const char *path, int explicit)
{
	struct stat sb = { 0 };	/* g_fstat fills five fields */
	/* a FIFO or device at the path must not hold the program */
	long fd = g_open(path, O_RDONLY|O_CLOEXEC|O_NONBLOCK|O_NOCTTY), r;
	void *p;

	c->file = path;
	if (fd == -ENOENT && !explicit) return 0;
	if (transient(fd)) return fd;
	if (fd < 0) {
		__graft_conf_error(c, 0, 0, strerror(-fd), 0);
		return 0;
	}
	if ((r = g_fstat(fd, &sb)) < 0) {
		if (!transient(r)) __graft_conf_error(c, 0, 0, strerror(-r), 0);
	} else if (dev_null(&sb)) ;
	else if (!S_ISREG(sb.st_mode)) __graft_conf_error(c, 0, 0, "not a regular file", 0);
	else if (sb.st_size > GRAFT_CONF_MAXSIZE) __graft_conf_error(c, 0, 0, "larger than 1 MiB", 0);
	else if (sb.st_size) {
		if ((r = g_mmap_file(fd, sb.st_size, &p)) < 0) {
			if (!transient(r)) __graft_conf_error(c, 0, 0, "cannot map the file", 0);
		} else {
			__graft_conf_parse(c, path, p, sb.st_size);
			g_munmap(p, sb.st_size);
		}
	}
	g_close(fd);
	return transient(r) ? r : 0;
}

/* 0, or the transient -errno of the file's read (c is then unusable) */
static long load(struct graft_conf *c)
{
	const char *v, *path;
	long e;

	/* conf is zero (bss) until a load writes it: clearing 21 KiB that
	 * are zero would fault its pages in at every process's first socket
	 * call, the bulk of what the core added to a process's start */
	if (dirty) __graft_conf_init(c);
	else __graft_conf_defaults(c);
	dirty = 1;
	c->secure = g_secure();
	c->env = !c->secure && graft_env();
	v = env(c, "GRAFT");
	if (v && !strcmp(v, "off")) {
		c->off = 1;
		return 0;
	}
	path = env(c, "GRAFT_CONF");
	if ((e = read_file(c, path && *path ? path : GRAFT_DEFAULT_CONF, path && *path)))
		return e;
	if ((v = env(c, "GRAFT_INGRESS_CONVERT"))) __graft_conf_env(c, "GRAFT_INGRESS_CONVERT", v);
	if ((v = env(c, "GRAFT_EGRESS_CONVERT"))) __graft_conf_env(c, "GRAFT_EGRESS_CONVERT", v);
	if ((v = env(c, "GRAFT_BROKER")) && *v) {
		size_t n = strlen(v);
		if (*v != '/' || n >= sizeof c->broker)
			__graft_conf_error(c, GRAFT_SRC_BUILTIN, 0, "GRAFT_BROKER must be an absolute path shorter than 108 bytes:", v);
		else memcpy(c->broker, v, n + 1);
	}
	if ((v = env(c, "GRAFT_VERBOSE")) && *v && strcmp(v, "0")) c->verbose = 1;
	/* after the file's and the variables' rules, which match first */
	if (c->rules && c->state != GRAFT_CONF_BROKEN) __graft_broker_rules(c);
	__graft_conf_finish(c);
	if (c->state == GRAFT_CONF_BROKEN)
		__graft_logf("%s; nothing will be grafted", c->err);
	return 0;
}

/* one line, the first time only: a process at its limit would repeat it */
static void later(const struct graft_conf *c, long e)
{
	if (told) return;
	told = 1;
	__graft_logf("graft: %s: %E; not read now, nothing is grafted until a later try reads it",
		c->file, (int)-e);
}

static void try_load(void)
{
	long e;

	if ((e = load(&conf))) {
		/* only ever the defaults, written before retry_at lets a
		 * caller see none (a load that succeeds never touches it) */
		if (!retry_at) __graft_conf_defaults(&none);
		later(&conf, e);
		g_store(&retry_at, g_monosec() + 1);
		return;
	}
	/* no rule can match: the musl hooks may skip the core */
	if (conf.off || conf.state == GRAFT_CONF_INACTIVE ||
	    (conf.state == GRAFT_CONF_ACTIVE && !conf.nin && !conf.neg))
		__atomic_fetch_and(&__graft_on, ~GRAFT_ON_CONF, __ATOMIC_SEQ_CST);
	g_store(&ready, 1);
}

static int due(void)
{
	int t = g_load(&retry_at);
	return !t || g_monosec() >= t;
}

/* In a forked child (hook_fork.c): a parent's thread may have been
 * loading; if so the child loads again (load() starts from scratch). */
void __graft_conf_forked(void)
{
	if (lock[0]) lock[0] = 0;	/* written only if held: see hook_fork.c */
}

/* The configuration, or the empty one while it cannot be read.  Safe in
 * a signal handler: a thread holding the lock has every signal blocked. */
const struct graft_conf *__graft_conf(void)
{
	sigset_t set;

	if (g_load(&ready)) return &conf;
	if (!due()) return &none;
	g_sigblock(&set);
	G_LOCK(lock);
	if (!ready && due()) try_load();
	G_UNLOCK(lock);
	g_sigrestore(&set);
	return g_load(&ready) ? &conf : &none;
}
