/* reuse.c - SO_REUSEADDR on datagram sockets, within one owner only.
 *
 * Two UDP sockets that both ask SO_REUSEADDR may bind one address and
 * port whoever owns them, and the later one gets the unicast datagrams:
 * a container whose endpoint covers a host service's port would take its
 * traffic (the SO_REUSEPORT groups are kept apart by owner, request.c).
 * So a datagram socket that asks it is bound without it first; only when
 * that fails with EADDRINUSE and every UDP socket on that port (either
 * family: a wildcard or dual-stack socket overlaps the other's) has this
 * socket's owner (its file-system uid at socket(), SOCKET OWNERS in
 * graftd(8)) is it bound with it.  The option is set after the bind
 * either way, so that the app sees what it asked for.  Costs one sock_diag
 * dump, only when the port is taken. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "graftd.h"

/* One part of a dump: *foreign set when a socket on port has another
 * owner than uid.  0 for more, 2 at the dump's end, -1 on error. */
static int
foreign_part(const char *buf, size_t len, uint16_t port, uid_t uid,
    int *foreign)
{
	const struct nlmsghdr *h;
	const struct inet_diag_msg *m;
	const struct nlmsgerr *e;

	for (h = (const struct nlmsghdr *)buf; NLMSG_OK(h, len);
	    h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 2;
		if (h->nlmsg_type == NLMSG_ERROR) {
			e = NLMSG_DATA(h);
			errno = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ?
			    -e->error : EPROTO;
			return -1;
		}
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
			continue;
		m = NLMSG_DATA(h);
		if (ntohs(m->id.idiag_sport) == port && m->idiag_uid != uid)
			*foreign = 1;
	}
	return 0;
}

/* Is a UDP socket of another owner than uid bound to port (family)?
 * 1, 0, or -1 with errno. */
static int
foreign_on_port(int family, uint16_t port, uid_t uid)
{
	struct {
		struct nlmsghdr		nlh;
		struct inet_diag_req_v2	r;
	} req;
	union {
		char			buf[16384];
		struct nlmsghdr		align;
	} u;
	ssize_t n;
	int nl, rv = 0, foreign = 0;

	if ((nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG)) == -1)
		return -1;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = IPPROTO_UDP;
	req.r.idiag_states = ~0U;
	req.r.id.idiag_sport = htons(port);
	if (send(nl, &req, sizeof(req), 0) == -1)
		rv = -1;
	while (rv == 0) {
		if ((n = recv(nl, u.buf, sizeof(u.buf), 0)) <= 0) {
			rv = -1;
			if (n == 0)
				errno = EPROTO;
			break;
		}
		rv = foreign_part(u.buf, (size_t)n, port, uid, &foreign);
	}
	close(nl);
	return rv == -1 ? -1 : foreign;
}

static int
reuseaddr(int s, int on)
{
	return setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
}

/* bind() for a datagram socket the app asked SO_REUSEADDR on (already
 * set on s by apply_opts): 0 or an errno. */
int
reuse_bind_dgram(int s, const struct sockaddr *sa, socklen_t len,
    uint16_t port)
{
	struct stat sb;
	int f4, f6;

	if (reuseaddr(s, 0) == -1)
		return errno;
	if (bind(s, sa, len) == 0)
		return reuseaddr(s, 1) == -1 ? errno : 0;
	if (errno != EADDRINUSE || port == 0)
		return errno;
	if (fstat(s, &sb) == -1)
		return errno;
	if ((f4 = foreign_on_port(AF_INET, port, sb.st_uid)) == -1 ||
	    (f6 = foreign_on_port(AF_INET6, port, sb.st_uid)) == -1)
		return errno;
	if (f4 || f6)
		return EADDRINUSE;
	if (reuseaddr(s, 1) == -1 || bind(s, sa, len) == -1)
		return errno;
	return 0;
}
