/* abi_net.c - the 32-bit ABI checks of tests/cross/cross-graft.sh, built
 * with TARGET-graft-cc (and natively for the host side).  Every mode prints
 * one result line on stdout; failures go to stderr with errno.
 *
 *   timeo ADDR PORT        SO_RCVTIMEO 0.4 s and SO_SNDTIMEO 2.5 s before
 *                          the bind that grafts; print both as read back
 *                          from the host socket, and whether an accept()
 *                          with no client timed out after about 0.4 s
 *   mmsg ADDR PORT N       a UDP socket's first use is sendmmsg() of N
 *                          datagrams "m0".."mN-1" to ADDR:PORT (egress)
 *   recv-udp ADDR PORT N   print the N datagrams received, then "done"
 *   tstamp ADDR PORT       SO_TIMESTAMP before the bind that grafts a UDP
 *                          socket; receive one datagram, check the
 *                          SCM_TIMESTAMP it carries is within 60 s of now
 *   send-udp ADDR PORT     send "ping" to ADDR:PORT
 *   sizes                  sizeof of the time types this build uses
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_RCVTIMEO_OLD
#define SO_RCVTIMEO_OLD 20
#define SO_SNDTIMEO_OLD 21
#endif

static struct sockaddr_storage ss;
static socklen_t sl;

static void addr(const char *a, const char *p)
{
	struct sockaddr_in *s4 = (void *)&ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(atoi(p));
		sl = sizeof *s4;
	} else if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(atoi(p));
		sl = sizeof *s6;
	} else {
		fprintf(stderr, "bad address %s\n", a);
		exit(2);
	}
}

static void die(const char *what)
{
	fprintf(stderr, "abi_net: %s: %s (errno %d)\n", what, strerror(errno), errno);
	printf("errno %d\n", errno);
	exit(1);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void ready(int fd)
{
	struct sockaddr_in s;
	socklen_t l = sizeof s;
	char h[INET_ADDRSTRLEN] = "?";
	if (getsockname(fd, (void *)&s, &l) == 0 && s.sin_family == AF_INET)
		inet_ntop(AF_INET, &s.sin_addr, h, sizeof h);
	fprintf(stderr, "ready %s:%d\n", h, ntohs(s.sin_port));
}

static int timeo(void)
{
	struct timeval r = { 0, 400000 }, s = { 2, 500000 }, gr, gs;
	socklen_t lr = sizeof gr, ls = sizeof gs;
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	double t;
	if (fd < 0) die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &r, sizeof r)) die("SO_RCVTIMEO");
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &s, sizeof s)) die("SO_SNDTIMEO");
	if (bind(fd, (void *)&ss, sl)) die("bind");
	if (listen(fd, 4)) die("listen");
	ready(fd);
	memset(&gr, 0x55, sizeof gr);
	memset(&gs, 0x55, sizeof gs);
	if (SO_RCVTIMEO != SO_RCVTIMEO_OLD) {
		/* 32-bit time64: qemu-user (7.2) answers getsockopt of
		 * SO_RCVTIMEO_NEW with 4 bytes, so musl's getsockopt cannot
		 * be trusted there; read the kernel's old 2 x long form. */
		long o[2];
		socklen_t lo = sizeof o;
		if (getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO_OLD, o, &lo)) die("getsockopt SO_RCVTIMEO_OLD");
		gr.tv_sec = o[0], gr.tv_usec = o[1];
		lo = sizeof o;
		if (getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO_OLD, o, &lo)) die("getsockopt SO_SNDTIMEO_OLD");
		gs.tv_sec = o[0], gs.tv_usec = o[1];
	} else {
		if (getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &gr, &lr)) die("getsockopt SO_RCVTIMEO");
		if (getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &gs, &ls)) die("getsockopt SO_SNDTIMEO");
	}
	t = now();
	if (accept(fd, 0, 0) >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) die("accept");
	t = now() - t;
	printf("rcvtimeo=%lld.%06lld sndtimeo=%lld.%06lld accept_timeout=%s\n",
		(long long)gr.tv_sec, (long long)gr.tv_usec,
		(long long)gs.tv_sec, (long long)gs.tv_usec,
		t > 0.3 && t < 3 ? "ok" : "wrong");
	return 0;
}

static int mmsg(int n)
{
	struct mmsghdr m[16];
	struct iovec iov[16];
	char b[16][8];
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0), i, r;
	if (fd < 0) die("socket");
	if (n < 1 || n > 16) n = 16;
	memset(m, 0, sizeof m);
	for (i = 0; i < n; i++) {
		snprintf(b[i], sizeof b[i], "m%d", i);
		iov[i].iov_base = b[i];
		iov[i].iov_len = strlen(b[i]);
		m[i].msg_hdr.msg_name = &ss;
		m[i].msg_hdr.msg_namelen = sl;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	r = sendmmsg(fd, m, n, 0);
	if (r < 0) die("sendmmsg");
	printf("sent=%d len0=%u\n", r, m[0].msg_len);
	return 0;
}

static int recv_udp(int n)
{
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0), i;
	struct timeval tv = { 10, 0 };
	char b[64];
	if (fd < 0) die("socket");
	if (bind(fd, (void *)&ss, sl)) die("bind");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	ready(fd);
	for (i = 0; i < n; i++) {
		ssize_t k = recv(fd, b, sizeof b - 1, 0);
		if (k < 0) die("recv");
		b[k] = 0;
		printf("%s%s", i ? " " : "", b);
	}
	printf(" done\n");
	return 0;
}

static int tstamp(void)
{
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0), one = 1, got = 0;
	union { struct cmsghdr h; char b[256]; } cb;
	struct timeval tv = { 10, 0 };
	char buf[64];
	struct iovec iov = { buf, sizeof buf };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cb.b, .msg_controllen = sizeof cb.b };
	struct cmsghdr *c;
	struct timeval ts = { 0, 0 }, t0;
	if (fd < 0) die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof one)) die("SO_TIMESTAMP");
	if (bind(fd, (void *)&ss, sl)) die("bind");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	ready(fd);
	if (recvmsg(fd, &mh, 0) < 0) die("recvmsg");
	gettimeofday(&t0, 0);
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP) {
			memcpy(&ts, CMSG_DATA(c), sizeof ts);
			got = 1;
		}
	printf("timestamp=%s\n", !got ? "missing" :
		llabs((long long)(t0.tv_sec - ts.tv_sec)) < 60 && ts.tv_usec >= 0
		&& ts.tv_usec < 1000000 ? "ok" : "wrong");
	return 0;
}

static int send_udp(void)
{
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) die("socket");
	if (sendto(fd, "ping", 4, 0, (void *)&ss, sl) != 4) die("sendto");
	printf("sent\n");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, 0, _IONBF, 0);
	if (argc == 2 && !strcmp(argv[1], "sizes")) {
		printf("time_t=%zu timeval=%zu SO_RCVTIMEO=%d SO_TIMESTAMP=%d long=%zu\n",
			sizeof(time_t), sizeof(struct timeval), SO_RCVTIMEO, SO_TIMESTAMP,
			sizeof(long));
		return 0;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: abi_net timeo|mmsg|recv-udp|tstamp|send-udp ADDR PORT [N]\n");
		return 2;
	}
	addr(argv[2], argv[3]);
	if (!strcmp(argv[1], "timeo")) return timeo();
	if (!strcmp(argv[1], "mmsg")) return mmsg(argc > 4 ? atoi(argv[4]) : 4);
	if (!strcmp(argv[1], "recv-udp")) return recv_udp(argc > 4 ? atoi(argv[4]) : 1);
	if (!strcmp(argv[1], "tstamp")) return tstamp();
	if (!strcmp(argv[1], "send-udp")) return send_udp();
	fprintf(stderr, "abi_net: unknown mode %s\n", argv[1]);
	return 2;
}
