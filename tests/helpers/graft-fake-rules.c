/* graft-fake-rules.c - a stand-in for graftd's GRAFT_OP_RULES, for
 * tests/e2e/core-rules-broker.sh until graftd answers it (and for the
 * malformed replies a real graftd never sends).
 *
 *   graft-fake-rules [-m MODE] SOCK RULE...
 *
 *   RULE:  in FAMILY ADDR LO HI EP [HOSTPORT] [tcp|udp]
 *                                  (FAMILY 0, 4, 6; ADDR - for 0)
 *          eg FAMILY PREFIX PLEN EP [tcp|udp]
 *
 * Listens on SOCK (SOCK_SEQPACKET); each connection is served by a child
 * until it closes.  A GRAFT_OP_RULES request is answered with the rules
 * in wire form; a GRAFT_OP_GRAFT request for an endpoint of an "in" rule
 * with HOSTPORT gets a host socket of the request's family and type bound
 * to loopback (127.0.0.1 or ::1) at HOSTPORT, one for an "eg" rule's
 * endpoint an unbound one; anything else is refused ENOENT (GRAFT_R_NOENT),
 * batches (GRAFT_R_BATCH) and reach-inside connects (GRAFT_R_CONNECT) too;
 * a rule's tcp or udp is its wire proto, and its endpoint refuses sockets
 * of the other type (GRAFT_R_TYPE), as graftd's "proto tcp|udp" ones.
 * Each request is one line on stdout: "rules" or "graft EP in|eg PORT".
 * MODE breaks the rules reply: nons, malformed (graftd's refusals), short
 * (147 bytes), odd (41 bytes of rules), fd (a descriptor attached),
 * badrule (the last rule's proto 1), many (33 rules).  Prints "ready" when listening. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "graft_proto.h"

static struct graft_wrule rules[GRAFT_PROTO_MAXRULES + 2];
static unsigned hostport[GRAFT_PROTO_MAXRULES + 2], nrules;
static const char *mode = "";

static void usage(void)
{
	fprintf(stderr, "usage: graft-fake-rules [-m MODE] SOCK RULE...\n");
	exit(2);
}

static void address(struct graft_wrule *w, const char *a)
{
	if (w->family && inet_pton(w->family == 4 ? AF_INET : AF_INET6, a, w->addr) != 1) usage();
}

static int parse(char **av, int ac)
{
	struct graft_wrule *w = rules + nrules;
	int n;

	if (nrules == GRAFT_PROTO_MAXRULES) usage();
	if (ac >= 6 && !strcmp(av[0], "in")) {
		w->dir = GRAFT_WR_INGRESS;
		w->family = atoi(av[1]);
		address(w, av[2]);
		w->port_lo = atoi(av[3]);
		w->port_hi = atoi(av[4]);
		memcpy(w->epname, av[5], strnlen(av[5], sizeof w->epname));
		n = 6;
		if (ac > 6 && strcmp(av[6], "in") && strcmp(av[6], "eg")) hostport[nrules] = atoi(av[n++]);
	} else if (ac >= 5 && !strcmp(av[0], "eg")) {
		w->dir = GRAFT_WR_EGRESS;
		w->family = atoi(av[1]);
		address(w, av[2]);
		w->plen = atoi(av[3]);
		memcpy(w->epname, av[4], strnlen(av[4], sizeof w->epname));
		n = 5;
	} else usage();
	if (ac > n && (!strcmp(av[n], "tcp") || !strcmp(av[n], "udp")))
		w->proto = !strcmp(av[n++], "tcp") ? IPPROTO_TCP : IPPROTO_UDP;
	nrules++;
	return n;
}

static void reply_head(struct graft_rep *rep, int error, unsigned reason)
{
	memset(rep, 0, sizeof *rep);
	rep->magic = GRAFT_PROTO_MAGIC;
	rep->version = GRAFT_PROTO_VERSION;
	rep->op = GRAFT_OP_REPLY;
	rep->error = error;
	rep->reason = reason;
}

static void send_rec(int c, const void *b, size_t n, int fd)
{
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } cb;
	struct iovec iov = { (void *)b, n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		memset(&cb, 0, sizeof cb);
		mh.msg_control = cb.b;
		mh.msg_controllen = sizeof cb.b;
		cb.h.cmsg_level = SOL_SOCKET;
		cb.h.cmsg_type = SCM_RIGHTS;
		cb.h.cmsg_len = CMSG_LEN(sizeof fd);
		memcpy(CMSG_DATA(&cb.h), &fd, sizeof fd);
	}
	sendmsg(c, &mh, MSG_NOSIGNAL);
}

static void answer_rules(int c)
{
	struct {
		struct graft_rep rep;
		struct graft_wrule w[GRAFT_PROTO_MAXRULES + 2];
	} r;
	size_t n = sizeof r.rep;
	unsigned k = nrules;

	puts("rules");
	fflush(stdout);
	reply_head(&r.rep, 0, GRAFT_R_OK);
	memcpy(r.w, rules, sizeof rules);
	if (!strcmp(mode, "nons")) reply_head(&r.rep, ENOENT, GRAFT_R_NONS);
	else if (!strcmp(mode, "malformed")) reply_head(&r.rep, EINVAL, GRAFT_R_MALFORMED);
	else if (!strcmp(mode, "many"))
		for (k = nrules; k < GRAFT_PROTO_MAXRULES + 1; k++)
			r.w[k] = rules[0];
	else if (!strcmp(mode, "badrule") && k) r.w[k - 1].proto = 1;
	if (!r.rep.error) n += k * sizeof *r.w;
	if (!strcmp(mode, "short")) n = sizeof r.rep - 1;
	if (!strcmp(mode, "odd")) n = sizeof r.rep + 41;
	send_rec(c, &r, n, !strcmp(mode, "fd") ? 0 : -1);
}

static void answer_graft(int c, const struct graft_req *q)
{
	struct graft_rep rep;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	unsigned i;
	int fd, one = 1;

	for (i = 0; i < nrules; i++)
		if (!strncmp(rules[i].epname, q->epname, sizeof q->epname)) break;
	printf("graft %.16s %s %u\n", q->epname, q->flags & GRAFT_F_INGRESS ? "in" : "eg", q->port);
	fflush(stdout);
	if (i == nrules || (rules[i].dir == GRAFT_WR_INGRESS && !hostport[i])) {
		reply_head(&rep, ENOENT, GRAFT_R_NOENT);
		send_rec(c, &rep, sizeof rep, -1);
		return;
	}
	/* a tcp rule's endpoint serves stream sockets only, a udp one's
	 * datagram ones (graftd's "proto tcp|udp") */
	if ((rules[i].proto == IPPROTO_TCP && q->type != SOCK_STREAM)
	 || (rules[i].proto == IPPROTO_UDP && q->type != SOCK_DGRAM)) {
		reply_head(&rep, EPROTOTYPE, GRAFT_R_TYPE);
		send_rec(c, &rep, sizeof rep, -1);
		return;
	}
	/* one socket a request, and no reach-inside connect (graftd's
	 * refusals for an endpoint that cannot) */
	if (q->flags & (GRAFT_F_BATCH|GRAFT_F_REACH)) {
		if (q->flags & GRAFT_F_BATCH) reply_head(&rep, EINVAL, GRAFT_R_BATCH);
		else reply_head(&rep, EADDRNOTAVAIL, GRAFT_R_CONNECT);
		send_rec(c, &rep, sizeof rep, -1);
		return;
	}
	fd = socket(q->family == AF_INET6 ? AF_INET6 : AF_INET, q->type, 0);
	if (fd < 0) exit(1);
	memset(&ss, 0, sizeof ss);
	if (hostport[i] && q->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (void *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		s6->sin6_port = htons(hostport[i]);
	} else if (hostport[i]) {
		struct sockaddr_in *s4 = (void *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s4->sin_port = htons(hostport[i]);
	}
	reply_head(&rep, 0, GRAFT_R_OK);
	if (hostport[i]) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, (void *)&ss, sizeof ss) || getsockname(fd, (void *)&ss, &sl)) {
			reply_head(&rep, errno, GRAFT_R_BIND);
			send_rec(c, &rep, sizeof rep, -1);
			close(fd);
			return;
		}
		rep.addrlen = sl;
		memcpy(rep.addr, &ss, sl);
	}
	rep.nfds = 1;
	send_rec(c, &rep, sizeof rep, fd);
	close(fd);
}

static void serve(int c)
{
	struct graft_req q;
	ssize_t n;

	while ((n = recv(c, &q, sizeof q, 0)) == sizeof q) {
		if (q.op == GRAFT_OP_RULES) answer_rules(c);
		else answer_graft(c, &q);
	}
	exit(0);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int s, c, i;

	if (argc > 2 && !strcmp(argv[1], "-m")) {
		mode = argv[2];
		argv += 2, argc -= 2;
	}
	if (argc < 2 || strlen(argv[1]) >= sizeof sun.sun_path) usage();
	for (i = 2; i < argc; i += parse(argv + i, argc - i));
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	signal(SIGCHLD, SIG_IGN);
	if ((s = socket(AF_UNIX, SOCK_SEQPACKET, 0)) < 0 || bind(s, (void *)&sun, sizeof sun)
	 || listen(s, 16)) {
		perror("graft-fake-rules");
		return 1;
	}
	puts("ready");
	fflush(stdout);
	for (;;) {
		if ((c = accept(s, 0, 0)) < 0) continue;
		if (!fork()) {
			close(s);
			serve(c);
		}
		close(c);
	}
}
