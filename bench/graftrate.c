/* graftrate.c - how many grafts per second graftd hands out.
 *
 *   graftrate SOCKET EPNAME CLIENTS SECONDS
 *
 * CLIENTS processes each open one connection to graftd and ask, one
 * request after the other, for a TCP egress socket on EPNAME (a dynamic
 * endpoint, so no port is held), closing every socket they get.  Prints
 * "graftrate clients=N grafts_per_s=R refused=K".  Run it in a namespace
 * that has EPNAME. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "graft_proto.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One request and its reply; returns 1 granted, 0 refused, -1 broken. */
static int ask(int s, const struct graft_req *req)
{
	struct graft_rep rep;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &rep, sizeof rep };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof cbuf };
	struct cmsghdr *c;

	if (send(s, req, sizeof *req, MSG_NOSIGNAL) != sizeof *req) return -1;
	if (recvmsg(s, &mh, MSG_CMSG_CLOEXEC) != sizeof rep) return -1;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int fd;
			memcpy(&fd, CMSG_DATA(c), sizeof fd);
			close(fd);
		}
	return rep.error == 0;
}

static void client(const char *path, const char *ep, double end, long *out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct graft_req req = {
		.magic = GRAFT_PROTO_MAGIC, .version = GRAFT_PROTO_VERSION,
		.op = GRAFT_OP_GRAFT, .flags = GRAFT_F_EGRESS,
		.family = 2 /* AF_INET */, .type = SOCK_STREAM,
	};
	long ok = 0, no = 0;
	int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	strncpy(sun.sun_path, path, sizeof sun.sun_path - 1);
	strncpy(req.epname, ep, sizeof req.epname);
	if (s < 0 || connect(s, (void *)&sun, sizeof sun) < 0) {
		perror("graftrate: connect");
		exit(1);
	}
	while (now() < end) {
		int r = ask(s, &req);
		if (r < 0) {
			perror("graftrate: exchange");
			exit(1);
		}
		r ? ok++ : no++;
	}
	out[0] = ok;
	out[1] = no;
	exit(0);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: graftrate SOCKET EPNAME CLIENTS SECONDS\n");
		return 2;
	}
	int n = atoi(argv[3]);
	double secs = atof(argv[4]);
	if (n < 1 || n > 256 || secs <= 0 || secs > 30) {
		fprintf(stderr, "graftrate: 1..256 clients, 0..30 seconds\n");
		return 2;
	}
	long *res = mmap(0, 2 * n * sizeof *res, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) return 1;
	double t0 = now(), end = t0 + secs;
	for (int i = 0; i < n; i++)
		if (!fork()) client(argv[1], argv[2], end, res + 2 * i);
	int st, bad = 0;
	while (wait(&st) > 0) bad |= !WIFEXITED(st) || WEXITSTATUS(st);
	double dt = now() - t0;
	long ok = 0, no = 0;
	for (int i = 0; i < n; i++) ok += res[2 * i], no += res[2 * i + 1];
	printf("graftrate clients=%d grafts_per_s=%.0f refused=%ld\n", n, ok / dt, no);
	return bad;
}
