/* state.c - the attachments survive a restart of graftd: every change of
 * the set is written to the state file first (the whole new set to
 * FILE.tmp, fsync, rename over FILE, fsync of the directory), and graftd
 * attaches them again at start, each through the checks of the control
 * command, keeping those whose netns path still names the namespace that
 * was pinned.  The format is stateparse.c's.
 *
 * The file is the one "state-file" names in graftd.conf, by default
 * STATE_NAME in the control socket's directory (listen.c has checked it:
 * root's, writable by nobody else); it is reached through its directory's
 * fd, opened once.  Elsewhere, the directory must be root's (or graftd's
 * euid's) and writable by nobody else, the file a regular file, not a
 * symbolic link, not writable by group or others: graftd will not start
 * otherwise.  A file that does not parse is kept as FILE.bad and graftd
 * starts with no attachments: a broken file never stops it. */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graftd.h"
#include "control.h"
#include "log.h"

#define WBUFSZ	65536

static int
owner_ok(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

static void
side_name(const struct statefile *sf, const char *ext, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s%s", sf->name, ext);
}

/* A file already there: regular, not a link, owned as its directory. */
static void
check_file(const struct statefile *sf)
{
	struct stat st;

	if (fstatat(sf->dirfd, sf->name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return;
		fatal("state file %s", sf->path);
	}
	if (S_ISLNK(st.st_mode))
		fatalx("state file %s is a symbolic link: refused", sf->path);
	if (!S_ISREG(st.st_mode))
		fatalx("state file %s is not a regular file", sf->path);
	if (!owner_ok(&st) || (st.st_mode & 022))
		fatalx("state file %s: owned by uid %d with mode %04o: it must "
		    "be root's and writable by nobody else", sf->path,
		    (int)st.st_uid, (unsigned)(st.st_mode & 07777));
}

static int
open_dir(const char *path, char *name, size_t namesz)
{
	char dir[NS_NAMEMAX + 1];
	const char *slash = strrchr(path, '/');
	struct stat st;
	size_t n = (size_t)(slash - path);
	int fd;

	snprintf(name, namesz, "%s", slash + 1);
	memcpy(dir, path, n);
	dir[n] = '\0';
	if (n == 0)
		strcpy(dir, "/");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		fatal("state file %s: directory %s", path, dir);
	if (fstat(fd, &st) == -1)
		fatal("state file %s: stat %s", path, dir);
	if (!owner_ok(&st) || (st.st_mode & 022))
		fatalx("state file %s: directory %s owned by uid %d with mode "
		    "%04o: it must be root's and writable by nobody else",
		    path, dir, (int)st.st_uid, (unsigned)(st.st_mode & 07777));
	return fd;
}

/* conf: graftd.conf's state-file ("" the default, "none"); ctldirfd and
 * ctlpath: the control socket's directory, as listen.c checked it. */
void
state_setup(struct statefile *sf, const char *conf, int ctldirfd,
    const char *ctlpath)
{
	memset(sf, 0, sizeof(*sf));
	sf->dirfd = -1;
	if (strcmp(conf, "none") == 0)
		return;
	if (conf[0] == '\0') {
		if ((sf->dirfd = openat(ctldirfd, ".", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1)
			fatal("%s: open its directory", ctlpath);
		snprintf(sf->name, sizeof(sf->name), "%s", STATE_NAME);
		snprintf(sf->path, sizeof(sf->path), "%.*s/%s",
		    (int)(strrchr(ctlpath, '/') - ctlpath), ctlpath,
		    STATE_NAME);
	} else {
		sf->dirfd = open_dir(conf, sf->name, sizeof(sf->name));
		snprintf(sf->path, sizeof(sf->path), "%s", conf);
	}
	check_file(sf);
	sf->on = 1;
}

/* ---- writing */

struct wbuf {
	int	 fd;
	size_t	 len;
	int	 error;
	char	 buf[WBUFSZ];
};

static void
wflush(struct wbuf *w)
{
	size_t off = 0;
	ssize_t n;

	while (w->error == 0 && off < w->len) {
		if ((n = write(w->fd, w->buf + off, w->len - off)) == -1) {
			if (errno != EINTR)
				w->error = errno;
			continue;
		}
		off += (size_t)n;
	}
	w->len = 0;
}

static void
wput(struct wbuf *w, const struct nstable *nt)
{
	size_t n;

	if (WBUFSZ - w->len < STATE_MAXLINE + 2)
		wflush(w);
	if ((n = state_format(nt, w->buf + w->len, WBUFSZ - w->len)) == 0 ||
	    n > STATE_MAXLINE + 1) {
		if (w->error == 0)
			w->error = EOVERFLOW;
		return;
	}
	w->len += n;
}

/* Every attachment of g->ts in order, old replaced by nt (none: left
 * out; old none: nt last). */
static int
write_set(struct graftd *g, int fd, const struct nstable *old,
    const struct nstable *nt)
{
	static struct wbuf w;
	const struct nstable *t;

	w.fd = fd;
	w.error = 0;
	w.len = snprintf(w.buf, sizeof(w.buf), "%s\n", STATE_MAGIC);
	TAILQ_FOREACH(t, &g->ts->tables, entry) {
		if (t->attach == NULL)
			continue;
		if (t != old)
			wput(&w, t);
		else if (nt)
			wput(&w, nt);
	}
	if (old == NULL && nt)
		wput(&w, nt);
	wflush(&w);
	if (w.error == 0 && fsync(fd) == -1)
		w.error = errno;
	return w.error;
}

/* The new set, before it is made: 0 or an errno (in err, logged). */
int
state_save(struct graftd *g, const struct nstable *old,
    const struct nstable *nt, char *err, size_t errsz)
{
	struct statefile *sf = &g->state;
	char tmp[NS_NAMEMAX + 8];
	const char *what = "create";
	int fd, rv = 0;

	if (!sf->on)
		return 0;
	side_name(sf, ".tmp", tmp, sizeof(tmp));
	if (unlinkat(sf->dirfd, tmp, 0) == -1 && errno != ENOENT) {
		rv = errno;
		what = "remove stale";
	} else if ((fd = openat(sf->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1)
		rv = errno;
	else {
		if ((rv = write_set(g, fd, old, nt)) != 0)
			what = "write";
		if (close(fd) == -1 && rv == 0) {
			rv = errno;
			what = "write";
		}
		if (rv == 0 && renameat(sf->dirfd, tmp, sf->dirfd,
		    sf->name) == -1) {
			rv = errno;
			what = "rename";
		}
		if (rv != 0)
			unlinkat(sf->dirfd, tmp, 0);
		else if (fsync(sf->dirfd) == -1)	/* renamed: it holds */
			log_warn("state file %s: sync its directory", sf->path);
	}
	if (rv == 0)
		return 0;
	snprintf(err, errsz, "state file %s: cannot %s %s: %s", sf->path,
	    what, strcmp(what, "write") == 0 ? "it" : tmp, strerror(rv));
	log_warnx("%s", err);
	return rv;
}

/* ---- restoring */

static void
restore_one(void *arg, unsigned lineno, const struct nsid *id, int argc,
    char **argv)
{
	struct graftd *g = arg;
	char err[ERRBUFSZ];

	if (attach_words(argc, argv, g, 0, id, err, sizeof(err)) != 0)
		log_warnx("%s:%u: attachment %s dropped: %s", g->state.path,
		    lineno, argv[0], err);
	else
		log_info("restored attachment %s netns %s", argv[0], argv[2]);
}

/* The whole file in *bufp (malloc'd), or an errno with err set. */
static int
read_file(struct statefile *sf, char **bufp, size_t *lenp, char *err,
    size_t errsz)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, rv = 0;

	if ((fd = openat(sf->dirfd, sf->name, O_RDONLY | O_NOFOLLOW |
	    O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		rv = errno;
		snprintf(err, errsz, "%s", strerror(rv));
		return rv;
	}
	if (fstat(fd, &st) == -1)
		rv = errno;
	else if (!S_ISREG(st.st_mode)) {
		rv = EINVAL;
		snprintf(err, errsz, "not a regular file");
	} else if ((size_t)st.st_size > STATE_MAXSIZE) {
		rv = EFBIG;
		snprintf(err, errsz, "larger than %zu bytes", STATE_MAXSIZE);
	} else if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		rv = ENOMEM;
	while (rv == 0 && len <= (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			rv = errno;
		else if (n == 0)
			break;
		else
			len += (size_t)n;
	}
	if (rv == 0 && len > (size_t)st.st_size) {
		rv = EAGAIN;
		snprintf(err, errsz, "it grew while read");
	}
	close(fd);
	if (rv != 0) {
		if (err[0] == '\0')
			snprintf(err, errsz, "%s", strerror(rv));
		free(buf);
		return rv;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

static void
set_aside(struct statefile *sf, unsigned lineno, const char *why)
{
	char bad[NS_NAMEMAX + 8];

	side_name(sf, ".bad", bad, sizeof(bad));
	if (renameat(sf->dirfd, sf->name, sf->dirfd, bad) == -1)
		log_warn("state file %s: rename to %s", sf->path, bad);
	if (lineno)
		log_warnx("state file %s:%u: %s: kept as %s.bad, starting with "
		    "no attachments", sf->path, lineno, why, sf->path);
	else
		log_warnx("state file %s: %s: kept as %s.bad, starting with no "
		    "attachments", sf->path, why, sf->path);
}

/* At start, the configuration loaded, before any request: the
 * attachments of the file, then the file written again with those kept. */
void
state_restore(struct graftd *g)
{
	struct statefile *sf = &g->state;
	char err[ERRBUFSZ] = "", *buf = NULL;
	unsigned lineno = 0;
	size_t len = 0;
	int rv;

	if (!sf->on)
		return;
	rv = read_file(sf, &buf, &len, err, sizeof(err));
	if (rv == ENOENT)
		log_info("state file %s: none yet", sf->path);
	else if (rv != 0)
		set_aside(sf, 0, err);
	else if (state_parse(buf, len, restore_one, g, &lineno, err,
	    sizeof(err)) != 0)
		set_aside(sf, lineno, err);
	free(buf);
	if (state_save(g, NULL, NULL, err, sizeof(err)) == 0)
		log_info("state file %s: %u attachment%s", sf->path,
		    ts_nattached(g->ts), ts_nattached(g->ts) == 1 ? "" : "s");
}
