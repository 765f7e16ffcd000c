/* fork_net.c - fork() while another thread is in the middle of a graftd
 * exchange: the child must not inherit the broker lock held by a thread
 * it does not have (src/graft/hook_fork.c).
 *
 *   fork_net BROKER_PATH
 *
 * GRAFT_CONF must name BROKER_PATH and an egress rule for 192.0.2.0/24
 * (run it in a namespace with only lo: nothing is ever sent there).  A
 * fake broker in this process accepts every connection; it reads the
 * first request and never answers it, so the thread's connect() waits in
 * the exchange; later requests get a refusal (ENOENT).  Then fork(): the
 * child's own connect() must come back refused within 3 s.  Prints one
 * line, exits 0 when it did. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>
#include "../../src/common/graft_proto.h"

static int lfd;
static volatile int first_seen;

static void refuse(int c)
{
	struct graft_req q;
	struct graft_rep r;

	while (recv(c, &q, sizeof q, 0) > 0) {
		memset(&r, 0, sizeof r);
		r.magic = GRAFT_PROTO_MAGIC;
		r.version = GRAFT_PROTO_VERSION;
		r.op = GRAFT_OP_REPLY;
		r.error = ENOENT;
		r.reason = GRAFT_R_NOENT;
		send(c, &r, sizeof r, MSG_NOSIGNAL);
	}
	close(c);
}

static void *broker(void *arg)
{
	char buf[512];
	int c;

	(void)arg;
	c = accept(lfd, 0, 0);			/* the thread's: never answered */
	if (c >= 0 && recv(c, buf, sizeof buf, 0) > 0) first_seen = 1;
	while ((c = accept(lfd, 0, 0)) >= 0) refuse(c);
	return 0;
}

static int try_connect(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(80) };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	if (s < 0) return errno;
	if (connect(s, (struct sockaddr *)&sin, sizeof sin) == 0) return 0;
	return errno;
}

static void *stuck(void *arg)
{
	(void)arg;
	try_connect();				/* waits in the exchange */
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	pthread_t b, t;
	int i, st;
	pid_t pid;

	if (argc != 2 || strlen(argv[1]) >= sizeof sun.sun_path) {
		fprintf(stderr, "usage: fork_net BROKER_PATH\n");
		return 2;
	}
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof sun) || listen(lfd, 8)) {
		perror("fork_net: broker socket");
		return 2;
	}
	pthread_create(&b, 0, broker, 0);
	pthread_create(&t, 0, stuck, 0);
	for (i = 0; i < 300 && !first_seen; i++) usleep(10000);
	if (!first_seen) {
		printf("the thread's request never reached the fake broker\n");
		return 1;
	}
	usleep(50000);		/* the thread is now in recvmsg, lock held */
	pid = fork();
	if (pid < 0) {
		perror("fork_net: fork");
		return 2;
	}
	if (!pid) {
		alarm(3);
		_exit(try_connect() == ENOENT ? 0 : 1);
	}
	if (waitpid(pid, &st, 0) != pid) return 2;
	if (WIFEXITED(st) && !WEXITSTATUS(st)) {
		printf("child: connect refused by the broker (ENOENT), no hang\n");
		return 0;
	}
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		printf("child: hung for 3 s (behind the parent thread's exchange or lock)\n");
	else
		printf("child: unexpected end, status 0x%x\n", st);
	return 1;
}
