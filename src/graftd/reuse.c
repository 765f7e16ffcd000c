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
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>

#include "graftd.h"

struct owners {
	uint16_t	port;
	uid_t		uid;
	int		foreign;
};

static void
owner_msg(const struct inet_diag_msg *m, void *arg)
{
	struct owners *o = arg;

	if (ntohs(m->id.idiag_sport) == o->port && m->idiag_uid != o->uid)
		o->foreign = 1;
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
	struct owners o = { 0, 0, 0 };
	struct stat sb;

	if (reuseaddr(s, 0) == -1)
		return errno;
	if (bind(s, sa, len) == 0)
		return reuseaddr(s, 1) == -1 ? errno : 0;
	if (errno != EADDRINUSE || port == 0)
		return errno;
	if (fstat(s, &sb) == -1)
		return errno;
	o.port = port;
	o.uid = sb.st_uid;
	if (diag_dump(AF_INET, IPPROTO_UDP, ~0U, port, owner_msg, &o) == -1 ||
	    diag_dump(AF_INET6, IPPROTO_UDP, ~0U, port, owner_msg, &o) == -1)
		return errno;
	if (o.foreign)
		return EADDRINUSE;
	if (reuseaddr(s, 1) == -1 || bind(s, sa, len) == -1)
		return errno;
	return 0;
}
