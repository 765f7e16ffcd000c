/* broker.c - the one connection of this process to graftd.
 *
 * Opened on first need, kept for later requests, guarded by a lock (one
 * exchange at a time keeps replies paired with requests).  After fork() the
 * child closes its inherited copy and opens its own: a child never shares
 * its parent's request stream.  The app may close or dup2 over our fd
 * number at any time, so before each use we check that the number still
 * names our socket (st_dev/st_ino), and never close it otherwise.
 * Cancellation is disabled during the exchange; EINTR restarts a step.
 * A batch for the egress pool may be posted ahead of need: its reply is
 * read when the pool runs dry or before the next exchange, whichever is
 * first, so requests and replies stay paired.  A forked child resets the
 * lock and drops the inherited connection (__graft_broker_forked, from
 * _Fork).  Everything here is guarded by lock.  A signal handler that
 * grafts while its thread holds the lock (mid-exchange) must not wait for
 * itself nor interleave a second exchange: its graft fails with EAGAIN
 * and the connection is left alone (docs/core.md). */
#include <string.h>
#include <sys/un.h>
#include <sys/sysmacros.h>
#include "graft_broker.h"
#include "graft_reasons.h"
#include "graft_fork.h"

#define BROKER_TIMEOUT 10	/* seconds graftd has to answer */

static volatile int lock[1];
static int bfd = -1;
static int inherited;		/* bfd is a forked parent's: drop it at next use */
static void *posted;		/* the pool a posted batch's reply is for */
static unsigned posted_want;
static int posted_inos;
static dev_t bdev;
static ino_t bino;

static int ours(void)
{
	struct stat st;
	return bfd >= 0 && !g_fstat(bfd, &st) && st.st_dev == bdev && st.st_ino == bino;
}

/* Whether bfd can serve this process: not a forked parent's connection,
 * still our socket.  Under the lock. */
static int usable(void)
{
	if (inherited) {
		inherited = 0;
		return 0;
	}
	return ours();
}

static void settle(int lost);

static void drop(void)
{
	settle(1);
	if (ours()) g_close(bfd);
	bfd = -1;
}

static int open_broker(const char *path, struct graft_bres *res)
{
	struct sockaddr_un sun;
	struct stat st;
	long tv[2] = { BROKER_TIMEOUT, 0 };
	size_t n = strlen(path);
	int fd, r;

	/* a path, never an abstract name anybody in the namespace may bind */
	res->step = "connect";
	if (*path != '/') return -ENOENT;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (n >= sizeof sun.sun_path) n = sizeof sun.sun_path - 1;
	memcpy(sun.sun_path, path, n);
	res->step = "socket";
	fd = g_socket(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0);
	if (fd < 0) return fd;
	res->step = "connect";
	while ((r = g_connect(fd, &sun, sizeof sun)) == -EINTR);
	if (r == -EISCONN) r = 0;
	if (!r) r = g_fstat(fd, &st);
	if (r) {
		g_close(fd);
		return r;
	}
	/* old_timeval (two longs) is what SO_RCVTIMEO_OLD takes on every arch */
	g_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO_OLD, tv, sizeof tv);
	bfd = fd;
	bdev = st.st_dev;
	bino = st.st_ino;
	return 0;
}

/* Take the SCM_RIGHTS fds of a reply: up to max into fds, the rest closed.
 * Returns how many were kept. */
static unsigned take_fds(struct msghdr *mh, int *fds, unsigned max)
{
	struct cmsghdr *c;
	unsigned k = 0;
	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		const unsigned char *p = CMSG_DATA(c);
		size_t i, n;
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, p + i * sizeof fd, sizeof fd);
			if (k < max) fds[k++] = fd;
			else g_close(fd);
		}
	}
	return k;
}

static void close_all(int *fds, unsigned n)
{
	while (n) g_close(fds[--n]);
}

static int post(const struct graft_req *q, struct graft_bres *res)
{
	struct iovec iov = { (void *)q, sizeof *q };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	long r;

	res->step = "send";
	while ((r = g_sendmsg(bfd, &mh, MSG_NOSIGNAL)) == -EINTR);
	if (r < 0) return r;
	return r == sizeof *q ? 0 : -EPROTO;
}

/* The reply to a request for want sockets (with their identities when
 * inos).  0 or -errno of the transport. */
static int receive(unsigned want, int inos, struct graft_bres *res)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE((GRAFT_PROTO_MAXBATCH + 4) * sizeof(int))];
	} cbuf;
	struct graft_rep rep;
	struct {
		struct graft_inos i;
		char over[sizeof rep + 1];	/* a longer record is malformed */
	} extra;
	struct iovec iov[2];
	struct msghdr mh;
	unsigned n;
	long r;

	memset(&mh, 0, sizeof mh);
	iov[0].iov_base = &rep;
	iov[0].iov_len = sizeof rep;
	iov[1].iov_base = &extra;
	iov[1].iov_len = sizeof extra;
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	mh.msg_control = cbuf.b;
	mh.msg_controllen = sizeof cbuf.b;
	res->step = "receive";
	while ((r = g_recvmsg(bfd, &mh, MSG_CMSG_CLOEXEC)) == -EINTR);
	if (r == -EAGAIN || r == -EWOULDBLOCK) return -ETIMEDOUT;
	if (r < 0) return r;
	if (r == 0) return -ECONNRESET;
	n = take_fds(&mh, res->fds, want);
	res->step = "reply";
	/* a grant carries 1..want fds and says how many (0: an older
	 * graftd's single fd), asked for, their identities; a refusal
	 * carries none */
	if (r != (long)(sizeof rep + (inos && !rep.error ? GRAFT_INOS_LEN(n) : 0))
	 || (mh.msg_flags & (MSG_TRUNC|MSG_CTRUNC))
	 || rep.magic != GRAFT_PROTO_MAGIC || rep.version != GRAFT_PROTO_VERSION
	 || rep.op != GRAFT_OP_REPLY || rep.error < 0 || rep.error > 4095
	 || (rep.error ? n != 0 : !n || n != (rep.nfds ? rep.nfds : 1))) {
		close_all(res->fds, n);
		return -EPROTO;
	}
	res->rep = rep;
	res->err = rep.error;
	res->nfds = n;
	res->inos = inos;
	if (inos && !rep.error) {
		res->dev = makedev(extra.i.dev_major, extra.i.dev_minor);
		memcpy(res->ino, extra.i.ino, n * sizeof *res->ino);
	}
	res->fd = n ? res->fds[0] : -1;
	return 0;
}

static unsigned wanted(const struct graft_req *q)
{
	return q->flags & GRAFT_F_BATCH ? q->port : 1;
}

static int inos_wanted(const struct graft_req *q)
{
	return !!(q->flags & GRAFT_F_INOS);
}

/* A posted batch (__graft_broker_post) is answered before anything else
 * is asked: its reply goes to the pool that posted it, or, lost with the
 * connection, tells it nothing will come. */
static void settle(int lost)
{
	struct graft_bres res;
	void *p = posted;

	if (!p) return;
	posted = 0;
	memset(&res, 0, sizeof res);
	if (lost || receive(posted_want, posted_inos, &res)) {
		__graft_pool_posted(p, 0);
		if (!lost) drop();
		return;
	}
	__graft_pool_posted(p, &res);
}

/* In a forked child (hook_fork.c): a parent's thread may have been in
 * an exchange, and the connection is the parent's request stream.  The
 * child is single threaded: the lock is reset, and the connection is
 * dropped at its first use (a fork costs no syscall here); a reply
 * posted for the parent's pool is the parent's (the child's pools are
 * emptied by __graft_pool_forked). */
void __graft_broker_forked(void)
{
	g_tlock_reset(lock);
	if (posted) posted = 0;
	if (inherited != (bfd >= 0)) inherited = bfd >= 0;
}

/* Check the connection, opening it when needed; under the lock. */
static int ready(const char *path, struct graft_bres *res)
{
	if (bfd >= 0 && !usable()) drop();
	return bfd < 0 ? open_broker(path, res) : 0;
}

/* Send a batch request q for the pool owner and return: the reply is read
 * by __graft_broker_collect, or before the next exchange, and handed to
 * __graft_pool_posted.  0, or -errno: nothing was posted. */
int __graft_broker_post(const char *path, const struct graft_req *q, void *owner)
{
	struct graft_bres res;
	int cs = g_nocancel(), r;

	if (g_tlock(lock)) {
		g_restorecancel(cs);
		return -EBUSY;
	}
	r = posted ? -EBUSY : ready(path, &res);
	if (!r && (r = post(q, &res))) drop();
	if (!r) {
		posted = owner;
		posted_want = wanted(q);
		posted_inos = inos_wanted(q);
	}
	g_tunlock(lock);
	g_restorecancel(cs);
	return r;
}

/* Wait for the reply owed to owner, if one is. */
void __graft_broker_collect(void *owner)
{
	int cs = g_nocancel();

	if (g_tlock(lock)) goto out;	/* a handler: the pool stays dry */
	if (posted == owner) {
		if (!usable()) drop();
		else settle(0);
	}
	g_tunlock(lock);
out:
	g_restorecancel(cs);
}

/* A reply record of up to size bytes and no fds (GRAFT_OP_RULES) into
 * buf, its length in res->len; a record that fills buf was longer than
 * the caller allows (the caller gives one byte more).  0 or -errno. */
static int receive_record(void *buf, size_t size, struct graft_bres *res)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(4 * sizeof(int))];
	} cbuf;
	struct iovec iov = { buf, size };
	struct msghdr mh;
	int fds[4];
	unsigned k;
	long r;

	memset(&mh, 0, sizeof mh);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.b;
	mh.msg_controllen = sizeof cbuf.b;
	res->step = "receive";
	while ((r = g_recvmsg(bfd, &mh, MSG_CMSG_CLOEXEC)) == -EINTR);
	if (r == -EAGAIN || r == -EWOULDBLOCK) return -ETIMEDOUT;
	if (r < 0) return r;
	if (r == 0) return -ECONNRESET;
	res->step = "reply";
	k = take_fds(&mh, fds, 4);	/* any fd is malformed; more are closed */
	if (k || (mh.msg_flags & (MSG_TRUNC|MSG_CTRUNC)) || (size_t)r >= size) {
		close_all(fds, k);
		return -EPROTO;
	}
	res->len = r;
	return 0;
}

/* One request, one reply, on the connection, opened when needed: the
 * reply into buf when buf (receive_record), else as a graft's. */
static void call(const char *path, const struct graft_req *q, void *buf, size_t size,
	struct graft_bres *res)
{
	int cs = g_nocancel(), tries, r = 0, fresh;

	memset(res, 0, sizeof *res);
	res->fd = -1;
	if (g_tlock(lock)) {
		res->err = EAGAIN;
		res->transport = 1;
		res->step = "lock: a signal handler interrupted an exchange of its own thread";
		g_restorecancel(cs);
		return;
	}
	if (bfd >= 0 && !usable()) drop();
	settle(0);
	for (tries = 0; tries < 2; tries++) {
		fresh = bfd < 0;
		if (fresh && (r = open_broker(path, res))) break;
		r = post(q, res);
		if (!r) r = buf ? receive_record(buf, size, res)
			: receive(wanted(q), inos_wanted(q), res);
		if (!r) break;
		/* graftd may have restarted since: one retry on a new connection */
		drop();
		if (fresh || (r != -EPIPE && r != -ECONNRESET && r != -ENOTCONN)) break;
	}
	if (r) {
		res->err = -r;
		res->transport = 1;
	}
	g_tunlock(lock);
	g_restorecancel(cs);
}

void __graft_broker_call(const char *path, const struct graft_req *q, struct graft_bres *res)
{
	call(path, q, 0, 0, res);
}

void __graft_broker_record(const char *path, const struct graft_req *q, void *buf, size_t size,
	struct graft_bres *res)
{
	call(path, q, buf, size, res);
}

/* graftd's reason for a refusal (src/common/graft_reasons.h) */
const char *__graft_reason(unsigned r)
{
	return r <= GRAFT_R_MAX ? graft_reasons[r].text : GRAFT_REASON_UNKNOWN;
}

/* "broker PATH: STEP: REASON" when graftd could not be asked */
void __graft_msg_broker(struct graft_msg *m, const char *broker, const struct graft_bres *res)
{
	__graft_msgf(m, "broker %s: ", broker);
	if (res->err != EPROTO) __graft_msgf(m, "%s: ", res->step);
	__graft_msgf(m, "%E", res->err);
}
