/* peer.c - which network namespace is the client in?
 *
 * Done once per connection, right after accept(), and kept for the
 * connection's life: whoever holds the connection speaks for the namespace
 * of the process that connected, as it was at accept time.  The pid given
 * by SO_PEERCRED may be reused as soon as the peer exits, so the process is
 * pinned by a pidfd first: SO_PEERPIDFD (Linux 6.5) refers to the very
 * process that connected.  On a kernel that has it, it is required: a
 * connection it cannot pin is unidentified (peer_init() probes once).
 * Older kernels get pidfd_open(pid) plus a check that the process started
 * no later than the accept() (a recycled pid belongs to a younger
 * process).  The netns is then read through /proc/PID/ns/net, and the
 * pidfd must still refer to a live process afterwards: otherwise the pid
 * may have been recycled between the two steps and the answer is refused.
 * Kernels without pidfds (< 5.3) get the start time check before and after
 * instead.  docs/security.md says what each mode guarantees. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graftd.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD	77
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open	434
#endif

static int
read_small(const char *path, char *buf, size_t sz)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sz - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* The pid a pidfd refers to, in our pid namespace ("Pid: -1" once dead). */
static pid_t
pidfd_pid(int pidfd)
{
	char path[64], buf[1024], *p;
	long pid;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	if (read_small(path, buf, sizeof(buf)) == -1 ||
	    (p = strstr(buf, "\nPid:")) == NULL)
		return -1;
	pid = strtol(p + 5, NULL, 10);
	return pid > 0 ? (pid_t)pid : -1;
}

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
static int
proc_starttime(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) == -1 ||
	    (p = strrchr(buf, ')')) == NULL)
		return -1;
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL)
		return -1;
	*start = strtoull(p + 1, NULL, 10);
	return 0;
}

static int
started_before(pid_t pid, const struct timespec *t)
{
	unsigned long long start, ticks;
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0 || proc_starttime(pid, &start) == -1)
		return 0;
	ticks = (unsigned long long)t->tv_sec * (unsigned long long)hz +
	    (unsigned long long)t->tv_nsec / (1000000000ULL / (unsigned)hz);
	return start <= ticks;
}

static int
pidfd_alive(int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 0;	/* readable once it has exited */
}

static int
pid_netns(pid_t pid, struct nsid *id)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat(path, &st) == -1)
		return errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

/* 1: the kernel has SO_PEERPIDFD and every peer must be pinned by it;
 * 0: the older ways.  A test build (GRAFTD_TEST_OLDPEER) takes the older
 * ways on any kernel, so that they are tested here too. */
static int peerpidfd = -1;

#ifdef GRAFTD_TEST_OLDPEER
int
peer_init(void)
{
	return peerpidfd = 0;
}
#else
int
peer_init(void)
{
	socklen_t len = sizeof(int);
	int sv[2], fd;

	peerpidfd = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	if (getsockopt(sv[0], SOL_SOCKET, SO_PEERPIDFD, &fd, &len) == 0) {
		peerpidfd = 1;
		close(fd);
	}
	close(sv[0]);
	close(sv[1]);
	return peerpidfd;
}
#endif

/* Pin the peer: a pidfd (and its pid), or -1 with *pid checked by age. */
static int
peer_pin(int fd, const struct timespec *t, pid_t *pid, int *pidfd)
{
	socklen_t len = sizeof(*pidfd);
	pid_t p;

	if (peerpidfd == -1)
		peer_init();
	if (peerpidfd) {
		if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, pidfd, &len) == -1)
			return errno;
		if ((p = pidfd_pid(*pidfd)) == -1) {
			close(*pidfd);
			return ESRCH;
		}
		*pid = p;
		return 0;
	}
	*pidfd = (int)syscall(SYS_pidfd_open, *pid, 0);
	if (*pidfd == -1 && errno != ENOSYS)
		return errno;
	if (!started_before(*pid, t)) {
		if (*pidfd != -1)
			close(*pidfd);
		return ESRCH;
	}
	return 0;
}

void
peer_identify(int fd, const struct timespec *accepted, struct peer *p)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	int pidfd = -1, rv;

	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->uid = (uid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1) {
		p->error = errno;
		return;
	}
	p->uid = uc.uid;
	if (uc.pid <= 0) {		/* peer in a pid namespace we cannot see */
		p->error = ESRCH;
		return;
	}
	p->pid = uc.pid;
	if ((rv = peer_pin(fd, accepted, &p->pid, &pidfd)) != 0) {
		p->error = rv;
		return;
	}
	rv = pid_netns(p->pid, &p->id);
	if (rv == 0 && (pidfd != -1 ? !pidfd_alive(pidfd) :
	    !started_before(p->pid, accepted)))
		rv = ESRCH;
	if (pidfd != -1)
		close(pidfd);
	p->error = rv;
}
