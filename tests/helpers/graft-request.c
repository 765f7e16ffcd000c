/* graft-request.c - a small graftd client for the tests.
 *
 *   graft-request [-s SOCK] [options] EPNAME...   one request per EPNAME,
 *                                                 all on one connection
 *     -t stream|dgram|seqpacket  -P PROTO  -f inet|inet6|unix|graft
 *     -i (ingress)  -e (egress)  -p PORT (with GRAFT_F_PORT)  -F FLAGS (raw)
 *     -o LEVEL:NAME:VALUE (up to 8)  -V VERSION  -M MAGIC  -O OP
 *     -z SIZE   send SIZE bytes of the record (zero padded past 140)
 *     -g        send random bytes instead of the record
 *     -r        attach a file descriptor to every request
 *     -G KIND   first send one bad record: garbage|short|long|version|fds
 *     -x ACTION after the last grant: listen (echo one stream connection,
 *               or datagrams until killed), connect:ADDR:PORT, none,
 *               ctl:WORD,WORD... (send a graftctl record on the socket and
 *               print the answer records as "ctl answer: REC"),
 *               hold:FILE (wait for FILE to exist)
 *     -k        keep every granted socket open until exit
 *     -L        listen() on every granted stream socket at once
 *     -w N      flood: send N requests without reading any reply, then
 *               sleep 10 s (a client that does not read)
 *   graft-request -K ADDR:PORT|unix:PATH STEPFILE
 *               connect, exchange a line, wait for STEPFILE, exchange again
 *   graft-request -U PATH BACKLOG N
 *               a stream listener on PATH (mode 0666) with BACKLOG: prints
 *               "listening", then "peer uid=U gid=G" (SO_PEERCRED) for each
 *               of N connections it accepts, then waits (60 s) to be killed
 *   graft-request -R ADDR:PORT STEPFILE
 *               a plain (not grafted) SO_REUSEPORT TCP listener, kept until
 *               STEPFILE exists
 *   graft-request -C ADDR:PORT
 *               a plain TCP connect(): prints "connected" or the error
 *   graft-request [-s SOCK] [-F FLAGS] -Q
 *               a GRAFT_OP_RULES request (FLAGS, 0 by default, the only
 *               field set besides magic, version and op): prints
 *               "rules N" and one "rule ingress|egress SPEC EPNAME PROTO"
 *               per rule (SPEC as graftctl's match; PROTO tcp, udp, any
 *               or the wire's number), or the refusal
 *
 * Prints "granted family=F addr=A" or "refused errno=E reason=R" per
 * request; exits 0 when all were granted, 3 when one was refused, 1 on
 * any other error. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graft_proto.h"

static const char *sockpath = "/run/graft/graftd.sock";
static struct graft_req tmpl;
static int size = sizeof(struct graft_req), garbage, attach, keep, listenall;

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "graft-request: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: graft-request [-s SOCK] [-t TYPE] [-P PROTO] "
	    "[-f FAMILY] [-ie] [-p PORT]\n\t[-F FLAGS] [-o L:N:V] [-V VER] "
	    "[-M MAGIC] [-O OP] [-z SIZE] [-gr]\n\t[-G KIND] [-x ACTION] "
	    "[-w N] EPNAME...\n"
	    "       graft-request -K ADDR:PORT|unix:PATH STEPFILE\n"
	    "       graft-request -U PATH BACKLOG N\n");
	exit(1);
}

static const char *
errname(int e)
{
	static char buf[32];

	switch (e) {
	case EBADMSG: return "EBADMSG";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case EPROTOTYPE: return "EPROTOTYPE";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case EAGAIN: return "EAGAIN";
	case EADDRINUSE: return "EADDRINUSE";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case EINVAL: return "EINVAL";
	case ELOOP: return "ELOOP";
	case ENOTSOCK: return "ENOTSOCK";
	case ECONNREFUSED: return "ECONNREFUSED";
	}
	snprintf(buf, sizeof(buf), "%d", e);
	return buf;
}

static void
fmt_addr(const void *a, socklen_t len, char *buf, size_t sz)
{
	const struct sockaddr *sa = a;
	const struct sockaddr_in *sin = a;
	const struct sockaddr_in6 *sin6 = a;
	const struct sockaddr_un *sun = a;
	char h[INET6_ADDRSTRLEN];

	if (len < sizeof(sa_family_t)) {
		snprintf(buf, sz, "none");
	} else if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, h, sizeof(h));
		snprintf(buf, sz, "%s:%u", h, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, h, sizeof(h));
		snprintf(buf, sz, "[%s]:%u", h, ntohs(sin6->sin6_port));
	} else if (sa->sa_family == AF_UNIX) {
		snprintf(buf, sz, "unix:%.*s",
		    (int)(len - offsetof(struct sockaddr_un, sun_path)),
		    sun->sun_path);
	} else
		snprintf(buf, sz, "family%d", sa->sa_family);
}

static const char *
famname(const void *a, socklen_t len)
{
	const struct sockaddr *sa = a;

	if (len < sizeof(sa_family_t))
		return "none";
	return sa->sa_family == AF_INET ? "inet" : sa->sa_family == AF_INET6 ?
	    "inet6" : sa->sa_family == AF_UNIX ? "unix" : "other";
}

static int
send_record(int s, const void *rec, size_t len, int withfd, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { (void *)rec, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	int fd = -1;

	if (withfd) {
		if ((fd = open("/dev/null", O_RDONLY)) == -1)
			die("open /dev/null");
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = sizeof(cm.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	if (sendmsg(s, &msg, MSG_NOSIGNAL | flags) == -1) {
		if (flags & MSG_DONTWAIT)
			return -1;
		die("sendmsg");
	}
	if (withfd)
		close(fd);
	return 0;
}

static int
send_request(int s, const char *name, int flags)
{
	unsigned char buf[4096];

	memset(buf, 0, sizeof(buf));
	if (garbage) {
		int i;
		for (i = 0; i < size; i++)
			buf[i] = (unsigned char)rand();
	} else {
		memcpy(buf, &tmpl, sizeof(tmpl));
		strncpy((char *)buf + offsetof(struct graft_req, epname), name,
		    GRAFT_PROTO_EPNAME);
	}
	return send_record(s, buf, (size_t)size, attach, flags);
}

/* A batch's identities (GRAFT_F_INOS) against fstat() of its fds. */
static int
inos_match(const struct graft_inos *in, const int *fds, unsigned k)
{
	struct stat sb;
	unsigned i;

	for (i = 0; i < k; i++)
		if (fstat(fds[i], &sb) == -1 || in->ino[i] != (uint64_t)sb.st_ino ||
		    in->dev_major != major(sb.st_dev) ||
		    in->dev_minor != minor(sb.st_dev))
			return 0;
	return 1;
}

/* Read one reply: the (first) fd or -1; prints the result line, with
 * " fds=N" for a batch and " inos=ok|bad" when identities came along. */
static int
recv_reply(int s, int *refused)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * GRAFT_PROTO_MAXBATCH)];
		struct cmsghdr align;
	} cm;
	struct graft_rep rep;
	struct {
		struct graft_inos i;
		char over[8];
	} tail;
	struct iovec iov[2] = { { &rep, sizeof(rep) }, { &tail, sizeof(tail) } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2,
	    .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
	struct cmsghdr *cmsg;
	char a[256];
	ssize_t n;
	int fd = -1, fds[GRAFT_PROTO_MAXBATCH];
	unsigned k = 0, i;

	if ((n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC)) == -1)
		die("recvmsg");
	if (n == 0) {
		printf("closed\n");
		exit(1);
	}
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_type == SCM_RIGHTS) {
			k = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			if (k > GRAFT_PROTO_MAXBATCH)
				k = GRAFT_PROTO_MAXBATCH;
			memcpy(fds, CMSG_DATA(cmsg), k * sizeof(int));
		}
	if (k)
		fd = fds[0];
	if ((n != (ssize_t)sizeof(rep) &&
	    n != (ssize_t)(sizeof(rep) + GRAFT_INOS_LEN(k))) ||
	    rep.magic != GRAFT_PROTO_MAGIC ||
	    rep.op != GRAFT_OP_REPLY) {
		printf("bad reply (%zd bytes)\n", n);
		exit(1);
	}
	if (rep.error != 0) {
		printf("refused errno=%s reason=%u\n", errname(rep.error),
		    rep.reason);
		*refused = 1;
		if (fd != -1) {
			printf("error: fd with a refusal\n");
			exit(1);
		}
		return -1;
	}
	if (fd == -1) {
		printf("error: granted without fd\n");
		exit(1);
	}
	fmt_addr(rep.addr, rep.addrlen, a, sizeof(a));
	printf("granted family=%s addr=%s", famname(rep.addr, rep.addrlen), a);
	if (k > 1 || rep.nfds > 1)
		printf(" fds=%u nfds=%u", k, rep.nfds);
	if (n > (ssize_t)sizeof(rep))
		printf(" inos=%s", inos_match(&tail.i, fds, k) ? "ok" : "bad");
	printf("\n");
	fflush(stdout);
	for (i = 1; i < k; i++)
		close(fds[i]);
	return fd;
}

static void
bad_first(int s, const char *kind)
{
	struct graft_req r = tmpl;
	unsigned char big[400];

	memcpy(r.epname, "x", 2);
	if (strcmp(kind, "garbage") == 0) {
		memset(big, 0xa5, sizeof(r));
		send_record(s, big, sizeof(r), 0, 0);
	} else if (strcmp(kind, "short") == 0)
		send_record(s, &r, sizeof(r) - 10, 0, 0);
	else if (strcmp(kind, "long") == 0) {
		memset(big, 0, sizeof(big));
		memcpy(big, &r, sizeof(r));
		send_record(s, big, sizeof(big), 0, 0);
	} else if (strcmp(kind, "version") == 0) {
		r.version = 99;
		send_record(s, &r, sizeof(r), 0, 0);
	} else if (strcmp(kind, "fds") == 0)
		send_record(s, &r, sizeof(r), 1, 0);
	else
		usage();
}

static int
parse_target(const char *t, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	char host[128];
	const char *colon;

	memset(ss, 0, sizeof(*ss));
	if (strncmp(t, "unix:", 5) == 0) {
		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", t + 5);
		*len = sizeof(*sun);
		return 0;
	}
	if ((colon = strrchr(t, ':')) == NULL ||
	    (size_t)(colon - t) >= sizeof(host))
		return -1;
	memcpy(host, t, (size_t)(colon - t));
	host[colon - t] = '\0';
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return -1;
	*len = sizeof(*sin);
	return 0;
}

static int
exchange(int s, const char *line)
{
	char buf[128];
	ssize_t n;

	if (write(s, line, strlen(line)) != (ssize_t)strlen(line))
		return -1;
	if ((n = read(s, buf, sizeof(buf) - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	return strcmp(buf, line) == 0 ? 0 : -1;
}

static void
echo_stream(int fd)
{
	char buf[4096];
	ssize_t n;
	int c;

	if (listen(fd, 8) == -1)
		die("listen");
	printf("listening\n");
	fflush(stdout);
	if ((c = accept(fd, NULL, NULL)) == -1)
		die("accept");
	while ((n = read(c, buf, sizeof(buf))) > 0)
		if (write(c, buf, (size_t)n) != n)
			break;
	printf("echo done\n");
	close(c);
}

static void
echo_dgram(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[4096];
	ssize_t n;

	printf("listening\n");
	fflush(stdout);
	for (;;) {
		len = sizeof(ss);
		if ((n = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&ss, &len)) == -1)
			die("recvfrom");
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&ss, len);
	}
}

/* A control command on fd: words separated by ',' in the record, NULs */
static int
ctl(int fd, const char *words)
{
	char rec[4096];
	size_t i, n = strlen(words);
	ssize_t r;

	if (n + 1 > sizeof(rec))
		usage();
	for (i = 0; i < n; i++)
		rec[i] = words[i] == ',' ? '\0' : words[i];
	rec[n] = '\0';
	if (send(fd, rec, n + 1, MSG_NOSIGNAL) == -1)
		die("ctl send");
	while ((r = recv(fd, rec, sizeof(rec) - 1, 0)) > 0) {
		rec[r] = '\0';
		printf("ctl answer: %s\n", rec);
		if (rec[0] != 'D')
			break;
	}
	return 0;
}

static void
wait_file(const char *path)
{
	struct stat st;
	int i;

	printf("holding\n");
	fflush(stdout);
	for (i = 0; i < 500 && stat(path, &st) == -1; i++)
		usleep(50000);
}

/* -R: a host service's reuseport listener; -C: a host client's connect. */
static int
plain(int listener, const char *target, const char *stepfile)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int s, one = 1;

	if (parse_target(target, &ss, &len) == -1)
		usage();
	if ((s = socket(ss.ss_family, SOCK_STREAM, 0)) == -1)
		die("socket");
	if (!listener) {
		if (connect(s, (struct sockaddr *)&ss, len) == -1) {
			printf("connect: %s\n", errname(errno));
			return 3;
		}
		printf("connected\n");
		return 0;
	}
	if (setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == -1 ||
	    bind(s, (struct sockaddr *)&ss, len) == -1 || listen(s, 64) == -1)
		die("reuseport listener");
	printf("listening\n");
	fflush(stdout);
	wait_file(stepfile);
	return 0;
}

static int
action(int fd, const char *act)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int type;

	len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1)
		die("SO_TYPE");
	if (strcmp(act, "listen") == 0) {
		if (type == SOCK_DGRAM)
			echo_dgram(fd);
		else
			echo_stream(fd);
		return 0;
	}
	if (strncmp(act, "connect:", 8) == 0) {
		if (parse_target(act + 8, &ss, &len) == -1)
			usage();
		if (connect(fd, (struct sockaddr *)&ss, len) == -1)
			die("connect");
		if (exchange(fd, "hello\n") == -1)
			die("exchange");
		len = sizeof(ss);
		getsockname(fd, (struct sockaddr *)&ss, &len);
		printf("connected and echoed\n");
		return 0;
	}
	if (strncmp(act, "ctl:", 4) == 0)
		return ctl(fd, act + 4);
	if (strncmp(act, "hold:", 5) == 0) {
		wait_file(act + 5);
		return 0;
	}
	return strcmp(act, "none") == 0 ? 0 : -1;
}

static int
listener(const char *path, int backlog, int n)
{
	struct sockaddr_un sun;
	struct ucred uc;
	socklen_t len;
	int l, c, i;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	if ((l = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(l, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0666) == -1 || listen(l, backlog) == -1)
		die(path);
	printf("listening\n");
	fflush(stdout);
	alarm(60);
	for (i = 0; i < n; i++) {
		if ((c = accept(l, NULL, NULL)) == -1)
			die("accept");
		len = sizeof(uc);
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1)
			die("SO_PEERCRED");
		printf("peer uid=%u gid=%u\n", (unsigned)uc.uid,
		    (unsigned)uc.gid);
		fflush(stdout);
		close(c);
	}
	for (;;)
		pause();
}

static int
pingpong(const char *target, const char *stepfile)
{
	struct sockaddr_storage ss;
	struct stat st;
	socklen_t len;
	int s, i;

	if (parse_target(target, &ss, &len) == -1)
		usage();
	if ((s = socket(ss.ss_family, SOCK_STREAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&ss, len) == -1)
		die("connect");
	if (exchange(s, "ping1\n") == -1)
		die("first exchange");
	printf("echo1 ok\n");
	fflush(stdout);
	for (i = 0; i < 200 && stat(stepfile, &st) == -1; i++)
		usleep(50000);
	if (exchange(s, "ping2\n") == -1)
		die("second exchange");
	printf("echo2 ok\n");
	return 0;
}

static void
add_opt(const char *arg)
{
	struct graft_opt *o;

	if (tmpl.nopts >= GRAFT_PROTO_MAXOPTS)
		usage();
	o = &tmpl.opts[tmpl.nopts++];
	if (sscanf(arg, "%d:%d:%d", &o->level, &o->name, &o->value) != 3)
		usage();
}

static int
family(const char *f)
{
	if (strcmp(f, "inet") == 0) return AF_INET;
	if (strcmp(f, "inet6") == 0) return AF_INET6;
	if (strcmp(f, "unix") == 0) return AF_UNIX;
	if (strcmp(f, "graft") == 0) return 4;
	return atoi(f);
}

static int
socktype(const char *t)
{
	if (strcmp(t, "stream") == 0) return SOCK_STREAM;
	if (strcmp(t, "dgram") == 0) return SOCK_DGRAM;
	if (strcmp(t, "seqpacket") == 0) return SOCK_SEQPACKET;
	return atoi(t);
}

static int
connect_broker(void)
{
	struct sockaddr_un sun;
	int s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sockpath);
	if ((s = socket(AF_UNIX, SOCK_SEQPACKET, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die(sockpath);
	return s;
}

static int
flood(int s, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (send_request(s, name, MSG_DONTWAIT) == -1)
			break;
	printf("flooded %d\n", i);
	fflush(stdout);
	sleep(10);
	return 0;
}

/* GRAFT_OP_RULES: send, check the record's shape, print the rules. */
static int
rules(int s, uint32_t flags)
{
	struct graft_req req;
	struct {
		struct graft_rep rep;
		struct graft_wrule w[GRAFT_PROTO_MAXRULES + 1];
	} r;
	char a[INET6_ADDRSTRLEN];
	ssize_t n;
	size_t k, i;

	memset(&req, 0, sizeof(req));
	req.magic = GRAFT_PROTO_MAGIC;
	req.version = GRAFT_PROTO_VERSION;
	req.op = GRAFT_OP_RULES;
	req.flags = flags;
	send_record(s, &req, sizeof(req), 0, 0);
	if ((n = recv(s, &r, sizeof(r), 0)) == -1)
		die("recv");
	if (n < (ssize_t)sizeof(r.rep) || r.rep.magic != GRAFT_PROTO_MAGIC ||
	    r.rep.op != GRAFT_OP_REPLY || r.rep.nfds != 0 ||
	    (n - sizeof(r.rep)) % sizeof(r.w[0]) != 0) {
		printf("bad reply (%zd bytes)\n", n);
		return 1;
	}
	k = (n - sizeof(r.rep)) / sizeof(r.w[0]);
	if (r.rep.error != 0) {
		printf("refused errno=%s reason=%u\n", errname(r.rep.error),
		    r.rep.reason);
		return k ? 1 : 3;
	}
	printf("rules %zu\n", k);
	for (i = 0; i < k; i++) {
		struct graft_wrule *w = &r.w[i];
		char spec[80], name[GRAFT_PROTO_EPNAME + 1], proto[8];

		if (w->family)
			inet_ntop(w->family == 6 ? AF_INET6 : AF_INET, w->addr,
			    a, sizeof(a));
		if (w->dir == GRAFT_WR_EGRESS)
			snprintf(spec, sizeof(spec), "%s/%u", a, w->plen);
		else if (w->family == 0)
			snprintf(spec, sizeof(spec), "*:%u-%u", w->port_lo,
			    w->port_hi);
		else
			snprintf(spec, sizeof(spec), w->family == 4 ?
			    "%s:%u-%u" : "[%s]:%u-%u", a, w->port_lo,
			    w->port_hi);
		memcpy(name, w->epname, GRAFT_PROTO_EPNAME);
		name[GRAFT_PROTO_EPNAME] = '\0';
		if (w->proto == 0 || w->proto == 6 || w->proto == 17)
			snprintf(proto, sizeof(proto), "%s", w->proto == 0 ?
			    "any" : w->proto == 6 ? "tcp" : "udp");
		else
			snprintf(proto, sizeof(proto), "%u", w->proto);
		printf("rule %s %s %s %s\n", w->dir == GRAFT_WR_EGRESS ? "egress" :
		    w->dir == GRAFT_WR_INGRESS ? "ingress" : "bad", spec, name,
		    proto);
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *act = "none", *bad = NULL;
	int ch, s, i, fd = -1, refused = 0, nflood = 0, rawflags = -1, rq = 0;

	tmpl.magic = GRAFT_PROTO_MAGIC;
	tmpl.version = GRAFT_PROTO_VERSION;
	tmpl.op = GRAFT_OP_GRAFT;
	tmpl.family = AF_INET;
	tmpl.type = SOCK_STREAM;
	alarm(30);
	if (argc == 4 && strcmp(argv[1], "-K") == 0)
		return pingpong(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "-U") == 0)
		return listener(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && strcmp(argv[1], "-R") == 0)
		return plain(1, argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "-C") == 0)
		return plain(0, argv[2], NULL);
	while ((ch = getopt(argc, argv, "s:t:P:f:iep:F:o:V:M:O:z:grG:x:w:kLQ")) !=
	    -1) {
		switch (ch) {
		case 's': sockpath = optarg; break;
		case 't': tmpl.type = socktype(optarg); break;
		case 'P': tmpl.protocol = atoi(optarg); break;
		case 'f': tmpl.family = family(optarg); break;
		case 'i': tmpl.flags |= GRAFT_F_INGRESS; break;
		case 'e': tmpl.flags |= GRAFT_F_EGRESS; break;
		case 'p':
			tmpl.flags |= GRAFT_F_PORT;
			tmpl.port = (uint16_t)atoi(optarg);
			break;
		case 'F': rawflags = (int)strtol(optarg, NULL, 0); break;
		case 'o': add_opt(optarg); break;
		case 'V': tmpl.version = (uint16_t)atoi(optarg); break;
		case 'M': tmpl.magic = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'O': tmpl.op = (uint16_t)atoi(optarg); break;
		case 'z': size = atoi(optarg); break;
		case 'g': garbage = 1; break;
		case 'r': attach = 1; break;
		case 'G': bad = optarg; break;
		case 'x': act = optarg; break;
		case 'w': nflood = atoi(optarg); break;
		case 'k': keep = 1; break;
		case 'L': listenall = 1; break;
		case 'Q': rq = 1; break;
		default: usage();
		}
	}
	if (rq)
		return rules(connect_broker(), rawflags == -1 ? 0 :
		    (uint32_t)rawflags);
	if (optind >= argc || size < 1 || size > 4096)
		usage();
	if (rawflags != -1)
		tmpl.flags = (uint32_t)rawflags;
	s = connect_broker();
	if (nflood)
		return flood(s, nflood, argv[optind]);
	if (bad) {
		bad_first(s, bad);
		if (recv_reply(s, &refused) != -1)
			return 1;
		refused = 0;
	}
	for (i = optind; i < argc; i++) {
		if (fd != -1 && !keep)
			close(fd);
		send_request(s, argv[i], 0);
		if ((fd = recv_reply(s, &refused)) != -1 && listenall &&
		    listen(fd, 8) == -1)
			die("listen");
	}
	fflush(stdout);
	if (strncmp(act, "hold:", 5) == 0)
		wait_file(act + 5);
	else if (fd != -1 && action(fd, act) == -1)
		usage();
	return refused ? 3 : 0;
}
