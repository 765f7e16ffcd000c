/* listen.c - graftd's two listening sockets, made without races.
 *
 * graftd is still fully root here, so nobody else may be able to change
 * what a path names between our checks and our use: the socket's directory
 * and every directory above it must be owned by root (or graftd's own
 * euid) and writable by nobody else (a sticky world-writable one such as
 * /tmp is fine above it: others cannot rename what we made there).  The
 * path is resolved once: bind, chown, stat and unlink act relative to the
 * directory checked (a symlink in a middle component, in a directory
 * somebody else may write, could otherwise name another one by then).
 * The mode is set by the umask at bind time, so the socket never exists
 * with a wider mode.
 *
 * The control socket must not share a directory with the request socket:
 * containers are given the request socket (the file, or by mistake its
 * directory), and the control socket adds endpoints for anyone who can
 * connect to it as root (docs/security.md), nor a directory above it. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "graftd.h"
#include "log.h"

static int
sock_in_use(const struct sockaddr_un *sun)
{
	int s, rv;

	if ((s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		fatal("socket");
	rv = connect(s, (const struct sockaddr *)sun, sizeof(*sun));
	rv = rv == 0 || errno != ECONNREFUSED;
	close(s);
	return rv;
}

static int
owner_ok(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

/* Every directory from fd up to / : root's, and not writable by others
 * unless sticky.  fd is closed. */
static void
check_ancestors(int fd, const char *dir)
{
	struct stat st, up;
	int pfd;

	for (;;) {
		if (fstat(fd, &st) == -1)
			fatal("%s: stat", dir);
		if (!owner_ok(&st) ||
		    ((st.st_mode & 022) && !(st.st_mode & S_ISVTX)))
			fatalx("%s: a directory above it is writable by "
			    "others than root: refusing to make sockets there",
			    dir);
		if ((pfd = openat(fd, "..", O_PATH | O_DIRECTORY |
		    O_CLOEXEC)) == -1)
			fatal("%s: open ..", dir);
		close(fd);
		if (fstat(pfd, &up) == -1)
			fatal("%s: stat", dir);
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino)
			break;		/* / */
		fd = pfd;
	}
	close(pfd);
}

/* The socket's directory: made with dirmode when missing, else it must be
 * a real directory owned by root and writable only by its owner.  Returns
 * its identity in *id and an fd of it, all later steps go through. */
static int
check_dir(const char *dir, mode_t dirmode, struct stat *id)
{
	int fd, dfd;

	if (mkdir(dir, dirmode) == -1 && errno != EEXIST)
		fatal("mkdir %s", dir);
	if ((fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		fatal("%s", dir);
	if (fstat(fd, id) == -1)
		fatal("%s: stat", dir);
	if (!owner_ok(id) || (id->st_mode & 022))
		fatalx("%s: owned by uid %d with mode %04o: the socket "
		    "directory must be root's and writable by nobody else",
		    dir, (int)id->st_uid, (unsigned)(id->st_mode & 07777));
	if ((dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1)
		fatal("dup");
	check_ancestors(fd, dir);
	return dfd;
}

/* A socket file left by an earlier graftd is removed; anything else at
 * the path, or a socket somebody answers on, stops us.  sun: the path
 * through the directory fd. */
static void
remove_stale(int dfd, const char *name, const struct sockaddr_un *sun,
    const char *path)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return;
		fatal("%s", path);
	}
	if (!S_ISSOCK(st.st_mode))
		fatalx("%s exists and is not a socket", path);
	if (sock_in_use(sun))
		fatalx("%s is in use: is graftd running already?", path);
	if (unlinkat(dfd, name, 0) == -1)
		fatal("unlink %s", path);
}

static void
split_path(const char *path, char *dir, size_t sz)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (path[0] != '/' || slash == NULL || slash[1] == '\0' ||
	    strcmp(slash, "/.") == 0 || strcmp(slash, "/..") == 0)
		fatalx("%s: the socket path must be absolute and name a file",
		    path);
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sz)
		fatalx("%s: path too long", path);
	memcpy(dir, path, n);
	dir[n] = '\0';
}

int
listen_unix(struct sockspec *sp)
{
	struct sockaddr_un sun;
	char dir[sizeof(sun.sun_path)];
	const char *name;
	mode_t old;
	int fd, n;

	if (strlen(sp->path) >= sizeof(sun.sun_path))
		fatalx("%s: path too long", sp->path);
	split_path(sp->path, dir, sizeof(dir));
	name = strrchr(sp->path, '/') + 1;
	sp->dirfd = check_dir(dir, sp->dirmode, &sp->dir);
	/* the checked directory itself, whatever its path names by now */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	n = snprintf(sun.sun_path, sizeof(sun.sun_path), "/proc/self/fd/%d/%s",
	    sp->dirfd, name);
	if (n < 0 || (size_t)n >= sizeof(sun.sun_path))
		fatalx("%s: file name too long", sp->path);
	remove_stale(sp->dirfd, name, &sun, sp->path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		fatal("socket");
	old = umask(~(mode_t)sp->mode & 0777);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", sp->path);
	umask(old);
	if ((sp->uid != -1 || sp->gid != -1) && fchownat(sp->dirfd, name,
	    (uid_t)sp->uid, (gid_t)sp->gid, AT_SYMLINK_NOFOLLOW) == -1)
		fatal("chown %s", sp->path);
	if (fstatat(sp->dirfd, name, &sp->sock, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISSOCK(sp->sock.st_mode))
		fatalx("%s: not the socket just made", sp->path);
	if (listen(fd, sp->backlog) == -1)
		fatal("listen %s", sp->path);
	return fd;
}

/* The request socket's directory is the control socket's or one above
 * it: a container given that directory (the old documented mount, or
 * /run/graft for /run/graft/ctl/graftd.ctl) reaches the control socket.
 * Walks up from the control socket's directory by "..". */
int
listen_same_dir(const struct sockspec *req, const struct sockspec *ctl)
{
	struct stat st, up;
	int fd, pfd, rv = 0;

	if ((fd = openat(ctl->dirfd, ".", O_PATH | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		fatal("%s: open", ctl->path);
	if (fstat(fd, &st) == -1)
		fatal("%s: stat", ctl->path);
	for (;;) {
		if (st.st_dev == req->dir.st_dev && st.st_ino == req->dir.st_ino) {
			rv = 1;
			break;
		}
		if ((pfd = openat(fd, "..", O_PATH | O_DIRECTORY |
		    O_CLOEXEC)) == -1)
			fatal("%s: open ..", ctl->path);
		close(fd);
		fd = pfd;
		if (fstat(fd, &up) == -1)
			fatal("%s: stat", ctl->path);
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino)
			break;		/* / */
		st = up;
	}
	close(fd);
	return rv;
}
