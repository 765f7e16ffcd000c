/* graft-adversary.c - hostile and heavy graftd clients for the adversary
 * tests (tests/e2e/adversary-graftd.sh, docs/reliability.md).
 *
 *   graft-adversary [-s SOCK] [-p GRAFTD_PID] [-g EXPECT] MODE ARGS...
 *
 *   mix N OWN OTHER [RANGE]
 *       N requests on a series of connections (a new one every 500),
 *       cycling through good requests for OWN (an egress-capable endpoint
 *       of the caller's netns), requests for OTHER (another netns's
 *       endpoint), and every kind of bad record: forged lengths, wrong
 *       version, truncated, oversized, garbage, attached fds, bad fields,
 *       forbidden options, a port outside RANGE.  Each reply must carry
 *       the documented errno and reason (or a descriptor for a good one).
 *       With -p, graftd's open fds and RSS are sampled after the first
 *       10 000 requests and at the end.  -g EXPECT changes what a good
 *       request must get: "grant" (default) or ERRNO:REASON, e.g. 13:5
 *       from a netns without a table.
 *   many N OWN      N connections at once, one request each, all answered;
 *                   while they are held, a new client is timed; then 40
 *                   more connections: those over max-clients get EAGAIN
 *                   (their request must still be sent: a refused
 *                   connection is kept until it comes).
 *   slow N SECS OWN N/2 clients connect and never send, N/2 send without
 *                   ever reading; for SECS seconds a good client is timed
 *                   every 50 ms; then all slow clients must have been
 *                   dropped by graftd.
 *   ctl CTLSOCK     malformed control records, each refused.
 *   hold N OWN [B]  N connections, held until SIGTERM.  Without B, each
 *                   sends one request and reads its reply (served or
 *                   refused EAGAIN/GRAFT_R_LIMIT); with B, each sends 4
 *                   requests for batches of B sockets and never reads.
 *                   "held=..." is printed once all are made.
 *   once OWN [MS]   one request on a new connection, MS milliseconds
 *                   after connecting: prints the errno of the send (0 if
 *                   it went) and the reply's errno, reason and fd count.
 *
 * Prints "key=value" result lines and "FAIL: ..." for each broken
 * expectation; exits 0 when there is none. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graft_proto.h"

static const char *sockpath = "/run/graft/graftd.sock";
static pid_t gpid = -1;
static int good_err = 0, good_reason = 0;	/* what a good request gets */
static unsigned failures;

#define FAILF(...) do { printf("FAIL: " __VA_ARGS__); printf("\n"); \
	failures++; } while (0)

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "graft-adversary: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* graftd's open descriptors and resident set (kB) */
static int
proc_fds(pid_t pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((dir = opendir(path)) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL)
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static long
proc_rss(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int
connect_to(const char *path, int nonblock)
{
	struct sockaddr_un sun;
	int s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
	    (nonblock ? SOCK_NONBLOCK : 0), 0)) == -1)
		return -1;
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(s);
		return -1;
	}
	return s;
}

static int
broker(void)
{
	int s, i;

	/* a full accept queue is waited out, not an error */
	for (i = 0; i < 500; i++) {
		if ((s = connect_to(sockpath, 0)) != -1)
			return s;
		if (errno != EAGAIN)
			break;
		usleep(10000);
	}
	die(sockpath);
}

static void
req_init(struct graft_req *r, const char *ep)
{
	memset(r, 0, sizeof(*r));
	r->magic = GRAFT_PROTO_MAGIC;
	r->version = GRAFT_PROTO_VERSION;
	r->op = GRAFT_OP_GRAFT;
	r->flags = GRAFT_F_EGRESS;
	r->family = AF_INET;
	r->type = SOCK_STREAM;
	/* NUL padded, not necessarily terminated (graft_proto.h) */
	memcpy(r->epname, ep, strnlen(ep, sizeof(r->epname)));
}

/* Send one record with nfds copies of /dev/null attached. */
static int
send_rec(int s, const void *buf, size_t len, int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 64)];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	int fds[64], i, rv;

	if (nfds > 0) {
		for (i = 0; i < nfds; i++)
			if ((fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) ==
			    -1)
				die("open");
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
	}
	rv = sendmsg(s, &msg, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	return rv;
}

/* One reply: 0 with its errno and reason (the descriptors, as many as a
 * batch brings, are counted and closed), -1 on EOF or error. */
static int
recv_rep(int s, int *err, int *reason, int *gotfd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * GRAFT_PROTO_MAXBATCH)];
		struct cmsghdr align;
	} cm;
	struct graft_rep rep;
	struct iovec iov = { &rep, sizeof(rep) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
	struct cmsghdr *c;
	ssize_t n;
	size_t i, nfd;
	int fd;

	*gotfd = 0;
	while ((n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC)) == -1 && errno == EINTR)
		;
	if (n <= 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < nfd; i++) {
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
				    sizeof(fd));
				close(fd);
				(*gotfd)++;
			}
		}
	if (msg.msg_flags & MSG_CTRUNC)
		FAILF("reply carried more descriptors than a batch may");
	if (n != sizeof(rep) || rep.magic != GRAFT_PROTO_MAGIC ||
	    rep.version != GRAFT_PROTO_VERSION || rep.op != GRAFT_OP_REPLY) {
		FAILF("malformed reply (%zd bytes)", n);
		*err = -1;
		*reason = -1;
		return 0;
	}
	*err = rep.error;
	*reason = (int)rep.reason;
	return 0;
}

/* A reply to a good request: served as expected, limited (EAGAIN and
 * GRAFT_R_LIMIT), or another answer. */
static void
tally(int err, int reason, int *served, int *limited, int *other)
{
	if (err == good_err && reason == good_reason)
		(*served)++;
	else if (err == EAGAIN && reason == GRAFT_R_LIMIT)
		(*limited)++;
	else
		(*other)++;
}

/* ---- mix */

enum kind {
	K_GOOD, K_OTHER, K_UNKNOWN, K_VERSION, K_VERSION_SHORT, K_TRUNC,
	K_TINY, K_OVERSIZE, K_HUGE, K_GARBAGE, K_FD, K_MANYFDS, K_FLAGS,
	K_NOPTS, K_OPTPAD, K_NAMEBYTE, K_NAMEPAD, K_EMPTYNAME, K_TYPE,
	K_PROTO, K_BADOPT, K_OPTRANGE, K_NOPORTFLAG, K_RANGE, K_SEQPACKET,
	K_MAGIC, K_OP, K_FAMILY, K_BATCH, K_BATCH_ZERO, K_BATCH_OVER,
	K_BATCH_INGRESS, K_BATCH_PORTLESS, K_BATCH_DGRAM, K_MAX
};

static const char *const kname[K_MAX] = {
	"good", "other-netns", "unknown-endpoint", "wrong-version",
	"wrong-version-short", "truncated", "tiny", "oversized", "huge",
	"garbage", "fd-attached", "40-fds-attached", "bad-flags",
	"forged-nopts", "nonzero-unused-opt", "bad-name-byte",
	"bytes-after-name", "empty-name", "bad-type", "bad-protocol",
	"forbidden-option", "option-out-of-range", "port-without-flag",
	"port-outside-range", "seqpacket-on-ipv4", "bad-magic", "bad-op",
	"bad-family", "batch", "batch-of-0", "batch-of-17",
	"batch-ingress", "batch-not-dynamic", "batch-datagram",
};

struct expect {
	int err, reason;
	int nfds;		/* descriptors a grant brings */
};

static unsigned long sent_by_kind[K_MAX], ok_by_kind[K_MAX];

static struct expect
make_bad(enum kind k, unsigned char *buf, size_t *len, int *nfds,
    const char *own, const char *other, const char *range)
{
	struct graft_req *r = (struct graft_req *)buf;
	struct expect e = { EBADMSG, GRAFT_R_MALFORMED, 1 };
	size_t i;

	req_init(r, own);
	*len = sizeof(*r);
	*nfds = 0;
	switch (k) {
	case K_GOOD:
		e.err = good_err;
		e.reason = good_reason;
		break;
	case K_OTHER:
		req_init(r, other);
		e.err = good_err ? good_err : ENOENT;
		e.reason = good_err ? good_reason : GRAFT_R_NOENT;
		break;
	case K_UNKNOWN:
		req_init(r, "no-such-ep");
		e.err = good_err ? good_err : ENOENT;
		e.reason = good_err ? good_reason : GRAFT_R_NOENT;
		break;
	case K_VERSION:
		r->version = 2;
		e.err = EPROTONOSUPPORT;
		e.reason = GRAFT_R_VERSION;
		break;
	case K_VERSION_SHORT:
		r->version = 0xffff;
		*len = 8;
		e.err = EPROTONOSUPPORT;
		e.reason = GRAFT_R_VERSION;
		break;
	case K_TRUNC:
		*len = 8 + (size_t)rand() % (sizeof(*r) - 8);
		break;
	case K_TINY:
		*len = 1 + (size_t)rand() % 7;
		break;
	case K_OVERSIZE:
		*len = sizeof(*r) + 1 + (size_t)rand() % 3900;
		break;
	case K_HUGE:
		*len = 60000;
		break;
	case K_GARBAGE:
		for (i = 0; i < sizeof(*r); i++)
			buf[i] = (unsigned char)rand();
		if (r->magic == GRAFT_PROTO_MAGIC)
			r->magic++;
		break;
	case K_FD:
		*nfds = 1;
		e.reason = GRAFT_R_FDS;
		break;
	case K_MANYFDS:		/* more than graftd's buffer: MSG_CTRUNC */
		*nfds = 40;
		e.reason = GRAFT_R_FDS;
		break;
	case K_FLAGS:
		r->flags = 0x80;
		break;
	case K_NOPTS:
		r->nopts = 9;
		break;
	case K_OPTPAD:
		r->opts[5].value = 1;
		break;
	case K_NAMEBYTE:
		r->epname[1] = 0x01;
		break;
	case K_NAMEPAD:
		r->epname[sizeof(r->epname) - 1] = 'x';
		if (strlen(own) >= sizeof(r->epname) - 1)
			r->epname[0] = '\0';
		break;
	case K_EMPTYNAME:
		memset(r->epname, 0, sizeof(r->epname));
		break;
	case K_TYPE:
		r->type = 99;
		e.err = EPROTOTYPE;
		e.reason = GRAFT_R_TYPE;
		break;
	case K_PROTO:
		r->protocol = IPPROTO_UDP;
		e.err = EPROTOTYPE;
		e.reason = GRAFT_R_TYPE;
		break;
	case K_BADOPT:
		r->nopts = 1;
		r->opts[0] = (struct graft_opt){ SOL_SOCKET, SO_BINDTODEVICE, 1 };
		e.err = good_err ? good_err : ENOPROTOOPT;
		e.reason = good_err ? good_reason : GRAFT_R_OPT;
		break;
	case K_OPTRANGE:
		r->nopts = 1;
		r->opts[0] = (struct graft_opt){ SOL_SOCKET, SO_PRIORITY, 7 };
		e.err = good_err ? good_err : ENOPROTOOPT;
		e.reason = good_err ? good_reason : GRAFT_R_OPT;
		break;
	case K_NOPORTFLAG:
		r->port = 80;
		break;
	case K_RANGE:
		req_init(r, range ? range : own);
		r->flags = GRAFT_F_INGRESS | GRAFT_F_PORT;
		r->port = 1;		/* below any range the test sets */
		e.err = good_err ? good_err : range ? EACCES : 0;
		e.reason = good_err ? good_reason : range ? GRAFT_R_PORT : 0;
		if (!range && !good_err)
			r->flags = GRAFT_F_EGRESS;
		break;
	case K_SEQPACKET:
		r->type = SOCK_SEQPACKET;
		e.err = good_err ? good_err : EPROTOTYPE;
		e.reason = good_err ? good_reason : GRAFT_R_TYPE;
		break;
	case K_MAGIC:
		r->magic = 0x47524654;
		break;
	case K_OP:
		r->op = GRAFT_OP_REPLY;
		break;
	case K_FAMILY:
		r->family = 99;
		break;
	case K_BATCH:		/* the whole batch, one record */
		r->flags |= GRAFT_F_BATCH;
		r->port = 1 + (unsigned)rand() % GRAFT_PROTO_MAXBATCH;
		e.err = good_err;
		e.reason = good_reason;
		e.nfds = r->port;
		break;
	case K_BATCH_ZERO:
		r->flags |= GRAFT_F_BATCH;
		break;
	case K_BATCH_OVER:
		r->flags |= GRAFT_F_BATCH;
		r->port = GRAFT_PROTO_MAXBATCH + 1;
		break;
	case K_BATCH_INGRESS:
		r->flags = GRAFT_F_INGRESS | GRAFT_F_BATCH;
		r->port = 4;
		break;
	case K_BATCH_PORTLESS:	/* a port range: nothing to hand out ahead */
	case K_BATCH_DGRAM:
		if (k == K_BATCH_PORTLESS && range)
			req_init(r, range);
		else {
			r->type = SOCK_DGRAM;
			r->protocol = 0;
		}
		r->flags |= GRAFT_F_BATCH;
		r->port = 4;
		e.err = good_err ? good_err : EOPNOTSUPP;
		e.reason = good_err ? good_reason : GRAFT_R_BATCH;
		break;
	case K_MAX:
		break;
	}
	return e;
}

static int
mode_mix(unsigned long n, const char *own, const char *other,
    const char *range)
{
	static unsigned char buf[65536];
	unsigned long i, refusals = 0, grants = 0;
	int s = -1, nfds, err, reason, gotfd, fds0 = -1, fds1 = -1;
	long rss0 = -1, rss1 = -1;
	struct expect e;
	enum kind k;
	size_t len;
	double t0 = now_ms();
	int sndbuf = 256 * 1024;

	srand(1);
	for (i = 0; i < n; i++) {
		if (i % 500 == 0) {
			if (s != -1)
				close(s);
			s = broker();
			setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sndbuf,
			    sizeof(sndbuf));
			if (gpid > 0 && i == 10000) {	/* warmed up */
				usleep(200000);
				fds0 = proc_fds(gpid);
				rss0 = proc_rss(gpid);
			}
		}
		k = (enum kind)(i % K_MAX);
		memset(buf, 0, sizeof(struct graft_req) + 4096);
		e = make_bad(k, buf, &len, &nfds, own, other, range);
		sent_by_kind[k]++;
		if (send_rec(s, buf, len, nfds) == -1) {
			FAILF("request %lu (%s): send: %s", i, kname[k],
			    strerror(errno));
			s = broker();
			continue;
		}
		if (recv_rep(s, &err, &reason, &gotfd) == -1) {
			FAILF("request %lu (%s): connection closed", i,
			    kname[k]);
			close(s);
			s = broker();
			continue;
		}
		if (err == 0)
			grants++;
		else
			refusals++;
		if (err != e.err || reason != e.reason ||
		    gotfd != (err == 0 ? e.nfds : 0)) {
			if (failures < 20)
				FAILF("request %lu (%s): got errno %d reason "
				    "%d fds %d, want errno %d reason %d fds %d",
				    i, kname[k], err, reason, gotfd, e.err,
				    e.reason, err == 0 ? e.nfds : 0);
			else
				failures++;
		} else
			ok_by_kind[k]++;
	}
	/* a zero-length record ends the connection (docs/protocol.md) */
	if (send(s, buf, 0, MSG_NOSIGNAL) == 0 &&
	    recv_rep(s, &err, &reason, &gotfd) != -1)
		FAILF("a zero-length record did not close the connection");
	close(s);
	if (gpid > 0) {
		usleep(200000);
		s = broker();		/* the same state as at the sample */
		usleep(200000);
		fds1 = proc_fds(gpid);
		rss1 = proc_rss(gpid);
		close(s);
	}
	printf("requests=%lu grants=%lu refusals=%lu seconds=%.1f\n", n,
	    grants, refusals, (now_ms() - t0) / 1e3);
	for (k = 0; k < K_MAX; k++)
		printf("kind %s sent=%lu as-documented=%lu\n", kname[k],
		    sent_by_kind[k], ok_by_kind[k]);
	if (gpid > 0)
		printf("graftd_fds before=%d after=%d rss_kb before=%ld "
		    "after=%ld\n", fds0, fds1, rss0, rss1);
	return failures ? 1 : 0;
}

/* ---- timing a well-behaved client */

static double
probe(const char *own)
{
	struct graft_req r;
	double t = now_ms();
	int s, err, reason, gotfd;

	if ((s = connect_to(sockpath, 0)) == -1) {
		FAILF("probe: connect: %s", strerror(errno));
		return 1e9;
	}
	req_init(&r, own);
	if (send_rec(s, &r, sizeof(r), 0) == -1 ||
	    recv_rep(s, &err, &reason, &gotfd) == -1) {
		FAILF("probe: no answer");
		close(s);
		return 1e9;
	}
	close(s);
	if (err != good_err || reason != good_reason)
		FAILF("probe: errno %d reason %d", err, reason);
	return now_ms() - t;
}

static int
mode_many(int n, const char *own)
{
	struct graft_req r;
	int *s, i, err, reason, gotfd, answered = 0, served = 0, limited = 0;
	int other = 0;
	double t0, t1, lat;

	raise_nofile();
	if ((s = calloc((size_t)n + 40, sizeof(int))) == NULL)
		die("calloc");
	req_init(&r, own);
	t0 = now_ms();
	for (i = 0; i < n; i++)
		s[i] = broker();
	for (i = 0; i < n; i++)
		if (send_rec(s[i], &r, sizeof(r), 0) == -1)
			FAILF("client %d: send: %s", i, strerror(errno));
	for (i = 0; i < n; i++) {
		if (recv_rep(s[i], &err, &reason, &gotfd) == -1) {
			FAILF("client %d: no reply", i);
			continue;
		}
		if (err == good_err && reason == good_reason)
			answered++;
		else
			FAILF("client %d: errno %d reason %d", i, err, reason);
	}
	t1 = now_ms();
	lat = probe(own);
	printf("clients=%d answered=%d seconds=%.2f probe_ms=%.1f\n", n,
	    answered, (t1 - t0) / 1e3, lat);
	/* 40 more: up to max-clients are served, the rest get EAGAIN */
	for (i = n; i < n + 40; i++)
		s[i] = broker();
	for (i = n; i < n + 40; i++) {
		/* a refused connection waits for the request it answers */
		if (send_rec(s[i], &r, sizeof(r), 0) == -1)
			FAILF("extra client %d: send: %s", i - n,
			    strerror(errno));
		if (recv_rep(s[i], &err, &reason, &gotfd) == -1)
			FAILF("extra client %d: no reply", i - n);
		else
			tally(err, reason, &served, &limited, &other);
	}
	printf("extra=40 served=%d refused_limit=%d other=%d\n", served,
	    limited, other);
	if (other)
		FAILF("%d extra clients got another answer", other);
	for (i = 0; i < n + 40; i++)
		close(s[i]);
	usleep(200000);
	lat = probe(own);
	printf("after_close probe_ms=%.1f\n", lat);
	free(s);
	return failures ? 1 : 0;
}

static int
mode_slow(int n, int secs, const char *own)
{
	struct graft_req r;
	struct pollfd *p;
	int *s, i, k, dropped = 0, probes = 0, flooded = 0;
	double t0, lat, maxlat = 0, sum = 0, end;

	raise_nofile();
	if ((s = calloc((size_t)n, sizeof(int))) == NULL ||
	    (p = calloc((size_t)n, sizeof(*p))) == NULL)
		die("calloc");
	req_init(&r, own);
	for (i = 0; i < n; i++) {
		s[i] = broker();
		if (i % 2 == 0)
			continue;	/* idle: never sends */
		for (k = 0; k < 2000; k++) {	/* never reads */
			if (send(s[i], &r, sizeof(r), MSG_DONTWAIT |
			    MSG_NOSIGNAL) == -1)
				break;
			flooded++;
		}
	}
	printf("slow_clients=%d idle=%d flooding=%d requests_sent=%d\n", n,
	    (n + 1) / 2, n / 2, flooded);
	t0 = now_ms();
	while (now_ms() - t0 < secs * 1e3) {
		lat = probe(own);
		probes++;
		sum += lat;
		if (lat > maxlat)
			maxlat = lat;
		usleep(50000);
	}
	printf("probes=%d probe_ms_avg=%.1f probe_ms_max=%.1f\n", probes,
	    sum / probes, maxlat);
	/* every slow client is dropped in the end (idle-timeout, 5 s for a
	 * reply not read): its socket shows POLLHUP.  Nothing is read, a
	 * flooder must stay one that never reads. */
	end = now_ms() + 15e3;
	for (;;) {
		dropped = 0;
		for (i = 0; i < n; i++) {
			p[i].fd = s[i];
			p[i].events = POLLRDHUP;
			p[i].revents = 0;
		}
		poll(p, (nfds_t)n, 0);
		for (i = 0; i < n; i++)
			if (p[i].revents & (POLLHUP | POLLRDHUP))
				dropped++;
		if (dropped == n || now_ms() > end)
			break;
		usleep(200000);
	}
	printf("dropped=%d of %d after %.1f s\n", dropped, n,
	    (now_ms() - t0) / 1e3);
	if (dropped != n)
		FAILF("%d slow clients still connected", n - dropped);
	for (i = 0; i < n; i++)
		close(s[i]);
	free(s);
	free(p);
	return failures ? 1 : 0;
}

/* ---- namespaces sharing graftd (tests/e2e/adversary-share.sh) */

static int
mode_hold(int n, const char *own, int batch)
{
	struct graft_req r;
	int *s, i, k, err, reason, gotfd, served = 0, limited = 0, other = 0;
	int sent = 0;

	raise_nofile();
	if (n < 1 || (s = calloc((size_t)n, sizeof(int))) == NULL)
		die("calloc");
	req_init(&r, own);
	if (batch > 0) {
		r.flags |= GRAFT_F_BATCH;
		r.port = (uint16_t)batch;
	}
	for (i = 0; i < n; i++) {
		s[i] = broker();
		for (k = 0; batch > 0 && k < 4; k++)
			if (send(s[i], &r, sizeof(r), MSG_DONTWAIT |
			    MSG_NOSIGNAL) == (ssize_t)sizeof(r))
				sent++;
		if (batch > 0)
			continue;
		if (send_rec(s[i], &r, sizeof(r), 0) == -1 ||
		    recv_rep(s[i], &err, &reason, &gotfd) == -1)
			other++;
		else
			tally(err, reason, &served, &limited, &other);
	}
	printf("held=%d served=%d limited=%d other=%d batch_requests=%d\n",
	    n, served, limited, other, sent);
	for (;;)
		pause();
}

static int
mode_once(const char *own, int ms)
{
	struct graft_req r;
	int s, err = -1, reason = -1, gotfd = 0, serr = 0;

	if ((s = connect_to(sockpath, 0)) == -1)
		die(sockpath);
	if (ms > 0)
		usleep((useconds_t)ms * 1000);
	req_init(&r, own);
	if (send(s, &r, sizeof(r), MSG_NOSIGNAL) == -1)
		serr = errno;
	if (recv_rep(s, &err, &reason, &gotfd) == -1)
		err = reason = -1;
	printf("send=%d (%s) errno=%d reason=%d fds=%d\n", serr,
	    serr ? strerror(serr) : "sent", err, reason, gotfd);
	close(s);
	return 0;
}

/* ---- control socket */

static int
ctl_try(const char *ctl, const void *rec, size_t len, int nfds,
    const char *want, const char *what)
{
	char ans[4200];
	ssize_t n;
	int s, i;

	if ((s = connect_to(ctl, 0)) == -1)
		die(ctl);
	if (send_rec(s, rec, len, nfds) == -1) {
		FAILF("ctl %s: send: %s", what, strerror(errno));
		close(s);
		return -1;
	}
	/* skip D records, the final one decides */
	for (i = 0; i < 10000; i++) {
		n = recv(s, ans, sizeof(ans) - 1, 0);
		if (n <= 0) {
			FAILF("ctl %s: no final answer", what);
			close(s);
			return -1;
		}
		ans[n] = '\0';
		if (ans[0] != 'D')
			break;
	}
	close(s);
	if (strncmp(ans, want, strlen(want)) != 0) {
		FAILF("ctl %s: answer \"%s\", want \"%s...\"", what, ans, want);
		return -1;
	}
	printf("ctl %s: %s\n", what, ans);
	return 0;
}

static int
mode_ctl(const char *ctl)
{
	static char big[20480];
	char words[513 * 5];
	size_t i, n = 0;

	ctl_try(ctl, "show", 4, 0, "E74 ", "no final NUL");
	ctl_try(ctl, "show\0\0", 6, 0, "E74 ", "empty word");
	for (i = 0; i < 513; i++) {
		memcpy(words + n, "show", 5);
		n += 5;
	}
	/* CTL_MAXWORDS 512, CTL_MAXREC 16384: just within, just past */
	ctl_try(ctl, words, n - 5, 0, "E22 usage: show", "512 words");
	ctl_try(ctl, words, n, 0, "E74 ", "513 words");
	memset(big, 'a', sizeof(big));
	big[16383] = '\0';
	ctl_try(ctl, big, 16384, 0, "E22 unknown command", "16 KiB record");
	big[16384] = '\0';
	ctl_try(ctl, big, 16385, 0, "E74 ", "16 KiB + 1 record");
	big[sizeof(big) - 1] = '\0';
	ctl_try(ctl, big, sizeof(big), 0, "E74 ", "20 KiB record");
	ctl_try(ctl, "sh\x01ow", 6, 0, "E74 ", "control byte");
	ctl_try(ctl, "sh\xffow", 6, 0, "E74 ", "8-bit byte");
	ctl_try(ctl, "show", 5, 1, "E74 ", "fd attached");
	ctl_try(ctl, "frobnicate", 11, 0, "E22 ", "unknown command");
	ctl_try(ctl, "add\0x\0type\0ipv4", 16, 0, "E22 ", "incomplete add");
	ctl_try(ctl, "del\0no-such", 12, 0, "E22 ", "del without netns");
	ctl_try(ctl, "del\0no-such\0netns\0host", 23, 0, "E2 ",
	    "del of nothing");
	ctl_try(ctl, "show", 5, 0, "OK", "show still works");
	return failures ? 1 : 0;
}

int
main(int argc, char *argv[])
{
	int ch;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((ch = getopt(argc, argv, "s:p:g:")) != -1) {
		switch (ch) {
		case 's': sockpath = optarg; break;
		case 'p': gpid = (pid_t)atoi(optarg); break;
		case 'g':
			if (strcmp(optarg, "grant") != 0 &&
			    sscanf(optarg, "%d:%d", &good_err,
			    &good_reason) != 2)
				return 2;
			break;
		default: return 2;
		}
	}
	argc -= optind;
	argv += optind;
	alarm(300);
	if (argc >= 4 && strcmp(argv[0], "mix") == 0)
		return mode_mix(strtoul(argv[1], NULL, 10), argv[2], argv[3],
		    argc > 4 ? argv[4] : NULL);
	if (argc == 3 && strcmp(argv[0], "many") == 0)
		return mode_many(atoi(argv[1]), argv[2]);
	if (argc == 4 && strcmp(argv[0], "slow") == 0)
		return mode_slow(atoi(argv[1]), atoi(argv[2]), argv[3]);
	if (argc == 2 && strcmp(argv[0], "ctl") == 0)
		return mode_ctl(argv[1]);
	if ((argc == 3 || argc == 4) && strcmp(argv[0], "hold") == 0)
		return mode_hold(atoi(argv[1]), argv[2],
		    argc > 3 ? atoi(argv[3]) : 0);
	if ((argc == 2 || argc == 3) && strcmp(argv[0], "once") == 0)
		return mode_once(argv[1], argc > 2 ? atoi(argv[2]) : 0);
	fprintf(stderr, "usage: graft-adversary [-s SOCK] [-p PID] [-g EXPECT] "
	    "mix N OWN OTHER [RANGE] | many N OWN | slow N SECS OWN | "
	    "ctl CTLSOCK | hold N OWN [BATCH] | once OWN [MS]\n");
	return 2;
}
