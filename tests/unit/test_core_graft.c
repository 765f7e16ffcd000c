/* test_core_graft.c - the hooks end to end on the host: a fake graftd in a
 * thread hands out sockets over SCM_RIGHTS; the test calls the hooks the
 * way the patched musl functions do. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "graft_conf.h"
#include "graft_fd.h"
#include "graft_hooks.h"

static char dir[64], sockpath[128], confpath[128];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct graft_req lastreq;
static int nreq, nconn, inos_refused;

/* ---- the fake graftd ---- */

static void reply(int c, int err, unsigned reason, int fd)
{
	struct graft_rep rep;
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } cb;
	struct iovec iov = { &rep, sizeof rep };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	socklen_t al = sizeof rep.addr;
	memset(&rep, 0, sizeof rep);
	rep.magic = GRAFT_PROTO_MAGIC;
	rep.version = GRAFT_PROTO_VERSION;
	rep.op = GRAFT_OP_REPLY;
	rep.error = err;
	rep.reason = reason;
	if (fd >= 0) {
		getsockname(fd, (void *)rep.addr, &al);
		rep.addrlen = al;
		mh.msg_control = cb.b;
		mh.msg_controllen = sizeof cb.b;
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	sendmsg(c, &mh, MSG_NOSIGNAL);
	if (fd >= 0) close(fd);
}

static void *conn(void *arg)
{
	int c = (long)arg;
	struct graft_req q;
	for (;;) {
		ssize_t n = recv(c, &q, sizeof q, 0);
		if (n != sizeof q || q.magic != GRAFT_PROTO_MAGIC) break;
		pthread_mutex_lock(&mu);
		lastreq = q;
		nreq++;
		pthread_mutex_unlock(&mu);
		if (!strncmp(q.epname, "ep-drop", 16)) break;
		/* as a graftd from before GRAFT_F_INOS: the libc asks again
		 * without it */
		if (q.flags & ~0xfu) {
			pthread_mutex_lock(&mu);
			inos_refused++;
			pthread_mutex_unlock(&mu);
			reply(c, EBADMSG, GRAFT_R_MALFORMED, -1);
			continue;
		}
		if (!strncmp(q.epname, "ep-refuse", 16)) {
			reply(c, ENOENT, GRAFT_R_NOENT, -1);
			continue;
		}
		int fam = strncmp(q.epname, "ep-v4", 16) ? q.family : AF_INET;
		int fd = socket(fam, q.type, q.protocol), i;
		for (i = 0; i < q.nopts; i++)
			setsockopt(fd, q.opts[i].level, q.opts[i].name, &q.opts[i].value, sizeof(int));
		if (q.flags & GRAFT_F_INGRESS) {
			struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
			struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
			if (fam == AF_INET6) bind(fd, (void *)&s6, sizeof s6);
			else bind(fd, (void *)&s4, sizeof s4);
		}
		reply(c, 0, 0, fd);
	}
	close(c);
	return 0;
}

static void *broker(void *arg)
{
	int l = (long)arg, c;
	pthread_t t;
	while ((c = accept(l, 0, 0)) >= 0) {
		pthread_mutex_lock(&mu);
		nconn++;
		pthread_mutex_unlock(&mu);
		pthread_create(&t, 0, conn, (void *)(long)c);
		pthread_detach(t);
	}
	return 0;
}

static int setup(void **s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	pthread_t t;
	FILE *f;
	int l;
	(void)s;
	strcpy(dir, "/tmp/graft-unit-XXXXXX");
	if (!mkdtemp(dir)) return -1;
	snprintf(sockpath, sizeof sockpath, "%s/b.sock", dir);
	snprintf(confpath, sizeof confpath, "%s/graft.conf", dir);
	f = fopen(confpath, "w");
	fprintf(f, "broker %s\n"
		"ingress 0.0.0.0:8080 ep-ok\n"
		"ingress 0.0.0.0:8081 ep-refuse\n"
		"ingress 0.0.0.0:8082 ep-drop\n"
		"ingress [::]:8080 ep-ok\n"
		"egress 127.0.0.2/32 ep-ok\n"
		"egress 127.0.0.3/32 ep-v4\n"
		"host db.internal 10.0.0.5 fd00::5\n"
		"host v4only.internal 10.0.0.6\n", sockpath);
	fclose(f);
	setenv("GRAFT_CONF", confpath, 1);
	l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	strcpy(sun.sun_path, sockpath);
	if (bind(l, (void *)&sun, sizeof sun) || listen(l, 64)) return -1;
	pthread_create(&t, 0, broker, (void *)(long)l);
	return 0;
}

static int teardown(void **s)
{
	char cmd[200];
	(void)s;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

/* ---- the hooked calls, as the patched musl makes them ---- */

static int ret(long r) { if (r < 0) { errno = -r; return -1; } return r; }

static int gsocket(int d, int t, int p)
{
	int fd = socket(d, t, p);
	if (fd >= 0) __graft_socket_done(fd, d, t, p);
	return fd;
}
static int gsetsockopt(int fd, int l, int n, const void *v, socklen_t len)
{
	int r = setsockopt(fd, l, n, v, len);
	if (!r) __graft_setsockopt_done(fd, l, n, v, len);
	return r;
}
static int gbind(int fd, const void *sa, socklen_t len)
{
	long r = __graft_bind(fd, sa, len);
	return r != GRAFT_PASS ? ret(r) : bind(fd, sa, len);
}
static int gconnect(int fd, const void *sa, socklen_t len)
{
	long r = __graft_connect(fd, sa, len);
	return r != GRAFT_PASS ? ret(r) : connect(fd, sa, len);
}
static ssize_t gsendto(int fd, const void *b, size_t n, const void *sa, socklen_t len)
{
	long r = __graft_sendto(fd, sa, len);
	return r != GRAFT_PASS ? ret(r) : sendto(fd, b, n, 0, sa, len);
}
static int gclose(int fd) { __graft_close(fd); return close(fd); }
static int gdup(int fd) { int r = dup(fd); if (r >= 0) __graft_dup_done(fd, r); return r; }

static struct sockaddr_in sin4(const char *a, int port)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, a, &s.sin_addr);
	return s;
}

static ino_t ino(int fd) { struct stat st; fstat(fd, &st); return st.st_ino; }
static int iopt(int fd, int l, int n) { int v = -1; socklen_t sl = sizeof v; getsockopt(fd, l, n, &v, &sl); return v; }

/* a plain (ungrafted) listener for egress tests */
static int listener(int type, int *port)
{
	struct sockaddr_in s = sin4("0.0.0.0", 0);
	socklen_t sl = sizeof s;
	int fd = socket(AF_INET, type, 0);
	bind(fd, (void *)&s, sizeof s);
	if (type == SOCK_STREAM) listen(fd, 16);
	getsockname(fd, (void *)&s, &sl);
	*port = ntohs(s.sin_port);
	return fd;
}

/* ---- tests ---- */

static void t_ingress(void **s)
{
	struct sockaddr_in a = sin4("0.0.0.0", 8080), b;
	socklen_t bl = sizeof b;
	int one = 1, fd = gsocket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0);
	ino_t before = ino(fd);
	(void)s;
	assert_true(__graft_fd_has(fd));
	assert_int_equal(gsetsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
	assert_int_equal(gsetsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	assert_int_equal(gbind(fd, &a, sizeof a), 0);
	assert_false(__graft_fd_has(fd));
	assert_int_not_equal(ino(fd), before);
	/* the request: ingress with the app's port, the pre-bind option */
	assert_int_equal(lastreq.flags, GRAFT_F_INGRESS|GRAFT_F_PORT);
	assert_int_equal(lastreq.port, 8080);
	assert_int_equal(lastreq.family, AF_INET);
	assert_int_equal(lastreq.type, SOCK_STREAM);
	assert_int_equal(lastreq.nopts, 1);
	assert_int_equal(lastreq.opts[0].name, SO_REUSEADDR);
	/* the truthful view: the host socket's real address */
	assert_int_equal(getsockname(fd, (void *)&b, &bl), 0);
	assert_int_equal(b.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_not_equal(b.sin_port, 0);
	assert_int_equal(iopt(fd, SOL_SOCKET, SO_REUSEADDR), 1);
	assert_int_equal(iopt(fd, IPPROTO_TCP, TCP_NODELAY), 1);
	assert_int_equal(iopt(fd, SOL_SOCKET, SO_DOMAIN), AF_INET);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(listen(fd, 5), 0);
	gclose(fd);
	/* without CLOEXEC and NONBLOCK, the host socket has neither */
	fd = gsocket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(8080) };
	assert_int_equal(gbind(fd, &a6, sizeof a6), 0);
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_false(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(iopt(fd, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
	assert_int_equal(lastreq.family, AF_INET6);
	gclose(fd);
}

static void t_unmatched(void **s)
{
	struct sockaddr_in a = sin4("127.0.0.1", 0), any = sin4("0.0.0.0", 0), dst;
	int port, l = listener(SOCK_STREAM, &port), n0;
	int fd = gsocket(AF_INET, SOCK_STREAM, 0);
	(void)s;
	/* an unmatched bind stays local and forgets the socket */
	assert_int_equal(gbind(fd, &a, sizeof a), 0);
	assert_false(__graft_fd_has(fd));
	gclose(fd);
	/* bind(0.0.0.0:0) is an early autobind: egress still applies */
	fd = gsocket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(gbind(fd, &any, sizeof any), 0);
	assert_true(__graft_fd_has(fd));
	n0 = nreq;
	dst = sin4("127.0.0.2", port);
	assert_int_equal(gconnect(fd, &dst, sizeof dst), 0);
	assert_int_equal(nreq, n0 + 1);
	assert_int_equal(lastreq.flags, GRAFT_F_EGRESS);
	assert_false(__graft_fd_has(fd));
	gclose(fd);
	/* a local destination: no request, forgotten */
	fd = gsocket(AF_INET, SOCK_STREAM, 0);
	dst = sin4("127.0.0.1", port);
	assert_int_equal(gconnect(fd, &dst, sizeof dst), 0);
	assert_int_equal(nreq, n0 + 1);
	assert_false(__graft_fd_has(fd));
	gclose(fd);
	/* a malformed address keeps the state: the kernel says EINVAL */
	fd = gsocket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(gbind(fd, &a, 3), -1);
	assert_int_equal(errno, EINVAL);
	assert_true(__graft_fd_has(fd));
	gclose(fd);
	assert_false(__graft_fd_has(fd));
	close(l);
}

static void t_refused(void **s)
{
	struct sockaddr_in a = sin4("0.0.0.0", 8081);
	int fd = gsocket(AF_INET, SOCK_STREAM, 0);
	(void)s;
	assert_int_equal(gbind(fd, &a, sizeof a), -1);
	assert_int_equal(errno, ENOENT);
	/* no silent local bind on retry */
	assert_int_equal(gbind(fd, &a, sizeof a), -1);
	assert_int_equal(errno, ENOENT);
	assert_true(__graft_fd_has(fd));
	gclose(fd);
	/* graftd drops the connection: documented errno */
	a = sin4("0.0.0.0", 8082);
	fd = gsocket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(gbind(fd, &a, sizeof a), -1);
	assert_int_equal(errno, GRAFT_EUNREACH);
	gclose(fd);
	/* and the next request works on a new connection */
	a = sin4("0.0.0.0", 8080);
	fd = gsocket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(gbind(fd, &a, sizeof a), 0);
	gclose(fd);
}

static void t_egress(void **s)
{
	int port, l = listener(SOCK_STREAM, &port), one = 1, err = -1;
	struct sockaddr_in dst = sin4("127.0.0.2", port);
	struct pollfd p;
	socklen_t sl = sizeof err;
	int fd = gsocket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, 0);
	(void)s;
	assert_int_equal(gsetsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), 0);
	int r = gconnect(fd, &dst, sizeof dst);
	assert_true(r == 0 || errno == EINPROGRESS);
	p.fd = fd;
	p.events = POLLOUT;
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl), 0);
	assert_int_equal(err, 0);
	assert_int_equal(iopt(fd, IPPROTO_TCP, TCP_NODELAY), 1);
	assert_false(__graft_fd_has(fd));
	gclose(fd);
	/* the key's second graft asks for a batch with GRAFT_F_INOS; refused
	 * by this (older) graftd, it is asked again without the flag */
	fd = gsocket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(gconnect(fd, &dst, sizeof dst), 0);
	assert_int_equal(inos_refused, 1);
	assert_int_equal(lastreq.flags, GRAFT_F_EGRESS|GRAFT_F_BATCH);
	gclose(fd);
	/* v4-mapped destination from an IPv6 socket, IPv4 host socket */
	struct sockaddr_in6 d6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	inet_pton(AF_INET6, "::ffff:127.0.0.3", &d6.sin6_addr);
	fd = gsocket(AF_INET6, SOCK_STREAM, 0);
	assert_int_equal(gconnect(fd, &d6, sizeof d6), 0);
	assert_int_equal(iopt(fd, SOL_SOCKET, SO_DOMAIN), AF_INET);
	gclose(fd);
	close(l);
	/* UDP sendto */
	char buf[8];
	l = listener(SOCK_DGRAM, &port);
	dst = sin4("127.0.0.2", port);
	fd = gsocket(AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(gsendto(fd, "hi", 2, &dst, sizeof dst), 2);
	assert_false(__graft_fd_has(fd));
	assert_int_equal(recv(l, buf, sizeof buf, 0), 2);
	/* sendto without an address is not ours to judge */
	int u = gsocket(AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(gsendto(u, "x", 1, 0, 0), -1);
	assert_true(__graft_fd_has(u));
	gclose(u);
	gclose(fd);
	close(l);
}

static void t_fds(void **s)
{
	struct sockaddr_in a = sin4("0.0.0.0", 8080);
	int fd = gsocket(AF_INET, SOCK_STREAM, 0), d = gdup(fd), fd2;
	(void)s;
	assert_true(__graft_fd_has(d));
	assert_int_equal(gbind(fd, &a, sizeof a), 0);
	/* the dup follows onto the host socket */
	assert_int_equal(ino(fd), ino(d));
	assert_false(__graft_fd_has(d));
	gclose(d);
	gclose(fd);
	/* a number closed behind our back and reused is not grafted */
	fd = gsocket(AF_INET, SOCK_STREAM, 0);
	syscall(SYS_close, fd);
	fd2 = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(fd2, fd);
	assert_true(__graft_fd_has(fd2));
	ino_t i2 = ino(fd2), n0 = nreq;
	gbind(fd2, &a, sizeof a);	/* a plain local bind */
	assert_int_equal(ino(fd2), i2);
	assert_int_equal(nreq, n0);
	assert_false(__graft_fd_has(fd2));
	close(fd2);
	/* an option that cannot be carried over refuses the graft */
	char big[64] = { 0 };
	fd = gsocket(AF_INET, SOCK_STREAM, 0);
	__graft_setsockopt_done(fd, SOL_SOCKET, SO_BINDTODEVICE, big, sizeof big);
	assert_int_equal(gbind(fd, &a, sizeof a), -1);
	assert_int_equal(errno, ENOBUFS);
	gclose(fd);
	/* high fd numbers */
	fd = gsocket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(dup2(fd, 5000), 5000);
	__graft_dup_done(fd, 5000);
	gclose(fd);
	assert_true(__graft_fd_has(5000));
	assert_int_equal(gbind(5000, &a, sizeof a), 0);
	assert_int_equal(lastreq.port, 8080);
	gclose(5000);
}

static void t_fork(void **s)
{
	struct sockaddr_in a = sin4("0.0.0.0", 8080);
	int fd = gsocket(AF_INET, SOCK_STREAM, 0), c0, st;
	pid_t pid;
	(void)s;
	assert_int_equal(gbind(fd, &a, sizeof a), 0);
	gclose(fd);
	c0 = nconn;
	pid = fork();
	if (!pid) {
		/* what musl's _Fork does in the child (glibc's fork does not) */
		__graft_fork_child();
		int f = gsocket(AF_INET, SOCK_STREAM, 0);
		_exit(gbind(f, &a, sizeof a) ? 1 : __graft_fd_has(f) ? 2 : 0);
	}
	fd = gsocket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(gbind(fd, &a, sizeof a), 0);
	gclose(fd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* the child opened its own connection; the parent kept its own */
	assert_int_equal(nconn, c0 + 1);
}

static void *graft_one(void *arg)
{
	struct sockaddr_in a = sin4("0.0.0.0", 8080);
	long i, bad = 0;
	(void)arg;
	for (i = 0; i < 50; i++) {
		int fd = gsocket(AF_INET, SOCK_STREAM, 0);
		if (gbind(fd, &a, sizeof a) || __graft_fd_has(fd)) bad++;
		gclose(fd);
	}
	return (void *)bad;
}

static void t_threads(void **s)
{
	pthread_t t[8];
	void *r;
	int i;
	(void)s;
	for (i = 0; i < 8; i++) pthread_create(t + i, 0, graft_one, 0);
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], &r);
		assert_null(r);
	}
}

struct address { int family; unsigned scopeid; uint8_t addr[16]; int sortkey; };

static void t_lookup(void **s)
{
	struct address buf[48];
	char canon[256];
	(void)s;
	assert_int_equal(__graft_lookup_host(buf, canon, "db.internal", AF_UNSPEC), 2);
	assert_int_equal(buf[0].family, AF_INET);
	assert_memory_equal(buf[0].addr, "\x0a\0\0\x05", 4);
	assert_int_equal(buf[1].family, AF_INET6);
	assert_string_equal(canon, "db.internal");
	assert_int_equal(__graft_lookup_host(buf, canon, "DB.Internal.", AF_INET6), 1);
	assert_int_equal(buf[0].family, AF_INET6);
	assert_int_equal(__graft_lookup_host(buf, canon, "v4only.internal", AF_INET6), EAI_NONAME);
	assert_int_equal(__graft_lookup_host(buf, canon, "other.internal", AF_UNSPEC), 0);
	assert_int_equal(__graft_lookup_host(buf, canon, "db.internal.x", AF_UNSPEC), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_ingress),
		cmocka_unit_test(t_unmatched),
		cmocka_unit_test(t_refused),
		cmocka_unit_test(t_egress),
		cmocka_unit_test(t_fds),
		cmocka_unit_test(t_fork),
		cmocka_unit_test(t_threads),
		cmocka_unit_test(t_lookup),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
