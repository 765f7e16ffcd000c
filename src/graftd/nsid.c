/* nsid.c - resolve a table's netns spec (host, /var/run/netns/NAME, PID,
 * an attachment's path)
 * to the identity (st_dev, st_ino) of its nsfs inode. */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "graftd.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC	0x6e736673
#endif
#define NS_PATHMAX	(sizeof(GRAFTD_NETNS_DIR) + NS_NAMEMAX + 2)

/* Only an nsfs inode names a namespace: a plain file left behind in
 * /var/run/netns (a netns deleted under us) must match nothing. */
static int
fd_to_nsid(int fd, struct nsid *id)
{
	struct statfs sfs;
	struct stat st;

	if (fstatfs(fd, &sfs) == -1 || fstat(fd, &st) == -1)
		return errno;
	if (sfs.f_type != NSFS_MAGIC)
		return ENOENT;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

static int
path_to_nsid(const char *path, struct nsid *id)
{
	int fd, rv;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return errno;
	rv = fd_to_nsid(fd, id);
	close(fd);
	return rv;
}

/* Open the netns of a process: the returned fd pins its identity. */
int
nsid_open_pid(pid_t pid, int *fdp)
{
	char path[64];
	struct nsid id;
	int fd, rv;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return errno == ENOENT ? ESRCH : errno;
	if ((rv = fd_to_nsid(fd, &id)) != 0) {
		close(fd);
		return rv;
	}
	*fdp = fd;
	return 0;
}

#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE	_IO(0xb7, 0x3)
#endif

/* An attachment's netns file (CNI_NETNS): a bind mount of nsfs or a
 * process's /proc/PID/ns/net (a magic link, followed).  Only a regular
 * file is opened (no FIFO or device), non-blocking all the same; the fd
 * returned pins the namespace.  ENOENT: no such file; EINVAL: not a
 * network namespace. */
int
nsid_open_path(const char *path, int *fdp, struct nsid *id)
{
	struct stat st;
	int fd, rv;

	if (stat(path, &st) == -1)
		return errno;
	if (!S_ISREG(st.st_mode))
		return EINVAL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1)
		return errno;
	if ((rv = fd_to_nsid(fd, id)) != 0 ||
	    ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		close(fd);
		return rv == 0 || rv == ENOENT ? EINVAL : rv;
	}
	*fdp = fd;
	return 0;
}

/* Does path lead to the namespace *id (check)?  0 or ESTALE. */
int
nsid_path_is(const char *path, const struct nsid *id)
{
	struct stat st;

	if (stat(path, &st) == -1 || st.st_dev != id->dev ||
	    st.st_ino != id->ino)
		return ESTALE;
	return 0;
}

static void
name_path(const struct ns_spec *ns, char *path, size_t sz)
{
	snprintf(path, sz, "%s/%s", GRAFTD_NETNS_DIR, ns->name);
}

int
nsid_resolve(const struct ns_spec *ns, int nsfd, struct nsid *id)
{
	char path[NS_PATHMAX];

	switch (ns->kind) {
	case NS_HOST:
		return path_to_nsid("/proc/self/ns/net", id);
	case NS_PID:
	case NS_PATH:
		return nsfd == -1 ? ESRCH : fd_to_nsid(nsfd, id);
	case NS_NAME:
		name_path(ns, path, sizeof(path));
		return path_to_nsid(path, id);
	}
	return EINVAL;
}

/* Does the name still lead to *id, resolved before?  One stat() instead
 * of a resolve (open, fstatfs, fstat, close) on every request: the same
 * st_dev is the nsfs superblock *id was found on, so the same inode is
 * the same namespace.  Anything else is resolved again. */
int
nsid_recheck(const struct ns_spec *ns, int nsfd, struct nsid *id)
{
	char path[NS_PATHMAX];
	struct stat st;

	if (ns->kind == NS_NAME) {
		name_path(ns, path, sizeof(path));
		if (stat(path, &st) == 0 && st.st_dev == id->dev &&
		    st.st_ino == id->ino)
			return 0;
	}
	return nsid_resolve(ns, nsfd, id);
}
