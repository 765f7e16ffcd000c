/* unixep.c - the host sockets of unix endpoints.
 *
 * A client in a container may be able to write the endpoint's directory,
 * so the last component of the path is not trusted (the operator's path
 * above it is): graftd never follows a symlink there and never connects
 * to anything but a socket, nor to one of its own sockets.  It opens the
 * directory, then the name with O_PATH|O_NOFOLLOW, checks what it got,
 * and connects through /proc/self/fd/N, which reaches exactly that inode.
 * The egress connect is non-blocking (a full backlog answers EAGAIN at
 * once) and made with the endpoint's identity (user, default
 * nobody:nogroup), path walk included, so that the host service sees
 * that uid in SO_PEERCRED and the modes of the directories and of the
 * socket file are checked for it. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "graftd.h"
#include "log.h"

/* the 32-bit id calls where the plain ones take 16-bit ids */
#ifdef SYS_setresuid32
#define SYS_SETRESUID	SYS_setresuid32
#define SYS_SETRESGID	SYS_setresgid32
#define SYS_SETGROUPS	SYS_setgroups32
#else
#define SYS_SETRESUID	SYS_setresuid
#define SYS_SETRESGID	SYS_setresgid
#define SYS_SETGROUPS	SYS_setgroups
#endif

#define SELF_MAX	4	/* graftd's own sockets: request, control */
#define GROUPS_MAX	64	/* graftd's supplementary groups kept aside */

static struct {
	dev_t	dev;
	ino_t	ino;
} self[SELF_MAX];
static unsigned nself;

struct creds {
	uid_t	uid;
	gid_t	gid;
	int	ngroups;
	int	done;			/* steps taken, undone in reverse */
	gid_t	groups[GROUPS_MAX];
};

/* A socket file of graftd's own (st_dev, st_ino), never connected to. */
void
unixep_self(dev_t dev, ino_t ino)
{
	if (nself == SELF_MAX)
		fatalx("unixep_self: too many sockets");
	self[nself].dev = dev;
	self[nself].ino = ino;
	nself++;
}

static int
is_self(const struct stat *st)
{
	unsigned i;

	for (i = 0; i < nself; i++)
		if (self[i].dev == st->st_dev && self[i].ino == st->st_ino)
			return 1;
	return 0;
}

/*
 * The socket file at path, opened O_PATH without following a symlink in
 * the last component: its fd, or -1 with *err set.  *dirfd: the directory
 * (for unlinkat), *st: what was opened.
 */
static int
open_sock(const char *path, int *dirfd, struct stat *st, int *err)
{
	char dir[EP_PATHMAX];
	const char *last = strrchr(path, '/');
	int fd;

	*dirfd = -1;
	if (last == NULL || last[1] == '\0') {
		*err = ENOTSOCK;
		return -1;
	}
	if (last == path)
		strcpy(dir, "/");
	else {
		memcpy(dir, path, (size_t)(last - path));
		dir[last - path] = '\0';
	}
	if ((*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		*err = errno;
		return -1;
	}
	if ((fd = openat(*dirfd, last + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1)
		*err = errno;
	else if (fstat(fd, st) == -1)
		*err = errno;
	else if (S_ISLNK(st->st_mode))
		*err = ELOOP;
	else if (!S_ISSOCK(st->st_mode))
		*err = ENOTSOCK;
	else if (is_self(st))
		*err = EACCES;
	else
		return fd;
	if (fd != -1)
		close(fd);
	close(*dirfd);
	*dirfd = -1;
	return -1;
}

/* Connect s to the inode fd holds: "/proc/self/fd/N" resolves to it and
 * to nothing else.  s is non-blocking: no wait for a full backlog. */
static int
connect_fd(int s, int fd)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/proc/self/fd/%d", fd);
	return connect(s, (struct sockaddr *)&sun, sizeof(sun)) == -1 ?
	    errno : 0;
}

/* Take uid/gid (and only gid as group) for this thread: raw system calls,
 * so that nothing else changes with it; real and saved ids stay graftd's
 * (so it can come back) and, with SECBIT_NO_SETUID_FIXUP, its
 * capabilities too. */
static int
creds_take(uid_t uid, gid_t gid, struct creds *old)
{
	old->done = 0;
	old->uid = geteuid();
	old->gid = getegid();
	if (old->uid == uid && old->gid == gid)
		return 0;
	if ((old->ngroups = getgroups(GROUPS_MAX, old->groups)) == -1)
		return errno;
	/* without CAP_SETGID (unshare -r, not root) the first step fails:
	 * refuse the request, graftd's own identity untouched */
	if (syscall(SYS_SETGROUPS, 1, &gid) == -1)
		return errno;
	old->done++;
	if (syscall(SYS_SETRESGID, -1, gid, -1) == -1)
		return errno;
	old->done++;
	if (syscall(SYS_SETRESUID, -1, uid, -1) == -1)
		return errno;
	old->done++;
	return 0;
}

/* Undo only what creds_take did: undoing a step that failed may fail
 * too, and is fatal. */
static void
creds_restore(const struct creds *old)
{
	if ((old->done > 2 &&
	    syscall(SYS_SETRESUID, -1, old->uid, -1) == -1) ||
	    (old->done > 1 &&
	    syscall(SYS_SETRESGID, -1, old->gid, -1) == -1) ||
	    (old->done > 0 &&
	    syscall(SYS_SETGROUPS, old->ngroups, old->groups) == -1))
		fatal("cannot take back graftd's credentials");
}

/* Outward: s connected to the endpoint's socket as its user, who must be
 * able to walk the path and write the socket file.  The granted socket
 * is blocking again afterwards, as the libc expects. */
static int
connect_egress(int s, const struct ep_def *ep)
{
	struct creds old;
	struct stat st;
	uid_t uid = ep->user[0] ? ep->uid : EP_NOBODY;
	gid_t gid = ep->user[0] ? ep->gid : EP_NOBODY;
	int fd, dirfd, fl, rv;

	if ((fl = fcntl(s, F_GETFL)) == -1 ||
	    fcntl(s, F_SETFL, fl | O_NONBLOCK) == -1)
		return errno;
	if ((rv = creds_take(uid, gid, &old)) == 0 &&
	    (fd = open_sock(ep->path, &dirfd, &st, &rv)) != -1) {
		rv = connect_fd(s, fd);
		close(fd);
		close(dirfd);
	}
	creds_restore(&old);
	if (rv == EINPROGRESS)
		rv = EAGAIN;		/* not from unix sockets; never wait */
	if (rv == 0 && fcntl(s, F_SETFL, fl) == -1)
		rv = errno;
	return rv;
}

/* A socket file nobody listens on any more may be replaced; a live one,
 * or anything that is not a socket, is left alone.  The probe is graftd's
 * own (its files, its mode), through the checked inode, non-blocking. */
static int
unlink_stale(const char *path, int type)
{
	struct stat st, st2;
	const char *last = strrchr(path, '/') + 1;
	int fd, dirfd, s, rv;

	if ((fd = open_sock(path, &dirfd, &st, &rv)) == -1)
		return rv == ENOENT ? 0 : EADDRINUSE;
	if ((s = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		rv = errno;
	else {
		rv = connect_fd(s, fd) == ECONNREFUSED ? 0 : EADDRINUSE;
		close(s);
	}
	close(fd);
	/* still the file probed, not one put there meanwhile */
	if (rv == 0 && (fstatat(dirfd, last, &st2, AT_SYMLINK_NOFOLLOW) == -1 ||
	    st2.st_dev != st.st_dev || st2.st_ino != st.st_ino))
		rv = EADDRINUSE;
	if (rv == 0 && unlinkat(dirfd, last, 0) == -1 && errno != ENOENT)
		rv = errno;
	close(dirfd);
	return rv;
}

/* Inward: bound to the path.  bind() never follows a symlink (it fails
 * with EADDRINUSE on any existing name). */
static int
bind_ingress(int s, const struct ep_def *ep, int type)
{
	struct sockaddr_un sun;
	int rv;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, ep->path, strlen(ep->path));
	if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return 0;
	if (errno != EADDRINUSE)
		return errno;
	if ((rv = unlink_stale(ep->path, type)) != 0)
		return rv;
	return bind(s, (struct sockaddr *)&sun, sizeof(sun)) == -1 ? errno : 0;
}

/* A request with GRAFT_F_EGRESS and not GRAFT_F_INGRESS gets s connected
 * to the endpoint (graftd is the only party that knows the host path),
 * any other s bound to it.  0 or an errno. */
int
unixep_setup(int s, const struct ep_def *ep, const struct graft_req *req)
{
	if ((req->flags & (GRAFT_F_INGRESS | GRAFT_F_EGRESS)) == GRAFT_F_EGRESS)
		return connect_egress(s, ep);
	return bind_ingress(s, ep, req->type);
}
