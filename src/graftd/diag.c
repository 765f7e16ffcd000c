/* diag.c - the kernel's list of inet sockets (NETLINK_SOCK_DIAG), in
 * graftd's netns where the sockets it hands out live: one dump of a
 * family and protocol, each socket given to a callback.  Used by ports.c
 * (which ports a table still holds) and reuse.c (who owns a port). */
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "graftd.h"

/* One part of a dump: 0 for more, 1 at its end, -1 on error. */
static int
diag_part(const char *buf, size_t len, diag_fn fn, void *arg)
{
	const struct nlmsghdr *h;
	const struct nlmsgerr *e;

	for (h = (const struct nlmsghdr *)buf; NLMSG_OK(h, len);
	    h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			e = NLMSG_DATA(h);
			errno = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ?
			    -e->error : EPROTO;
			return -1;
		}
		if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
			fn(NLMSG_DATA(h), arg);
	}
	return 0;
}

/* Every socket of family/proto in the states of the mask (1 << state;
 * ~0U: all, bound-only TCP sockets from Linux 6.8, TCP_BOUND_INACTIVE), on
 * local port sport when not 0 (the UDP and TCP dumps filter on it).  0,
 * or -1 with errno. */
int
diag_dump(int family, int proto, uint32_t states, uint16_t sport, diag_fn fn,
    void *arg)
{
	struct {
		struct nlmsghdr		nlh;
		struct inet_diag_req_v2	r;
	} req;
	union {
		char			buf[32768];
		struct nlmsghdr		align;
	} u;
	struct timeval tv = { 1, 0 };
	ssize_t n;
	int nl, rv = 0;

	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl == -1)
		return -1;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = (uint8_t)proto;
	req.r.idiag_states = states;
	req.r.id.idiag_sport = htons(sport);
	/* the kernel answers at once; the timeout only bounds a surprise */
	if (setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    send(nl, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		rv = -1;
	while (rv == 0) {
		if ((n = recv(nl, u.buf, sizeof(u.buf), 0)) <= 0) {
			if (n == 0)
				errno = EPROTO;
			rv = -1;
		} else
			rv = diag_part(u.buf, (size_t)n, fn, arg);
	}
	close(nl);
	return rv == 1 ? 0 : -1;
}
