/* request.c - check a request record against the protocol and the
 * endpoint, then make the host socket.  Everything but req_grant() is pure
 * and covered by tests/unit/test_graftd_request.c. */
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "graft_reasons.h"
#include "graftd.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT	24
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND		78
#endif
#ifndef TCP_FASTOPEN_CONNECT
#define TCP_FASTOPEN_CONNECT	30
#endif

#define AF_GRAFT_NUM	4	/* AF_GRAFT, <graft.h> */

static socklen_t ep_sockaddr(const struct ep_def *, uint16_t,
    struct sockaddr_storage *);
static int	 owned_socket(int, int, int, uid_t);

#define B_MIN	INT_MIN		/* booleans: any value, the kernel tests != 0 */
#define B_MAX	INT_MAX
#define INET	(OPT_INET | OPT_INET6)

/* The allow-list: int options a request may carry, applied before bind.
 * Anything else (SO_BINDTODEVICE, SO_MARK, IP_TRANSPARENT, SO_RCVBUFFORCE,
 * multicast interfaces, filters...) is refused: it needs privilege or
 * reaches outside the requester's own socket.  Keep graftd(8) in step. */
const struct optrule optrules[] = {
	{ SOL_SOCKET, SO_REUSEADDR, B_MIN, B_MAX, OPT_ALLFAM, "SO_REUSEADDR" },
	{ SOL_SOCKET, SO_REUSEPORT, B_MIN, B_MAX, INET, "SO_REUSEPORT" },
	{ SOL_SOCKET, SO_KEEPALIVE, B_MIN, B_MAX, OPT_ALLFAM, "SO_KEEPALIVE" },
	{ SOL_SOCKET, SO_BROADCAST, B_MIN, B_MAX, INET, "SO_BROADCAST" },
	{ SOL_SOCKET, SO_RCVBUF, 0, INT_MAX, OPT_ALLFAM, "SO_RCVBUF" },
	{ SOL_SOCKET, SO_SNDBUF, 0, INT_MAX, OPT_ALLFAM, "SO_SNDBUF" },
	{ SOL_SOCKET, SO_PRIORITY, 0, 6, OPT_ALLFAM, "SO_PRIORITY" },
	{ SOL_SOCKET, SO_OOBINLINE, B_MIN, B_MAX, INET, "SO_OOBINLINE" },
	{ SOL_SOCKET, SO_RCVLOWAT, 0, INT_MAX, OPT_ALLFAM, "SO_RCVLOWAT" },
	{ SOL_SOCKET, SO_TIMESTAMP, B_MIN, B_MAX, OPT_ALLFAM, "SO_TIMESTAMP" },
	{ SOL_SOCKET, SO_TIMESTAMPNS, B_MIN, B_MAX, OPT_ALLFAM,
	    "SO_TIMESTAMPNS" },
	{ SOL_SOCKET, SO_PASSCRED, B_MIN, B_MAX, OPT_UNIX, "SO_PASSCRED" },
	{ IPPROTO_IP, IP_TOS, 0, 255, INET, "IP_TOS" },
	{ IPPROTO_IP, IP_TTL, -1, 255, INET, "IP_TTL" },
	{ IPPROTO_IP, IP_FREEBIND, B_MIN, B_MAX, INET, "IP_FREEBIND" },
	{ IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, B_MIN, B_MAX, INET,
	    "IP_BIND_ADDRESS_NO_PORT" },
	{ IPPROTO_IP, IP_RECVTOS, B_MIN, B_MAX, INET, "IP_RECVTOS" },
	{ IPPROTO_IP, IP_RECVTTL, B_MIN, B_MAX, INET, "IP_RECVTTL" },
	{ IPPROTO_IP, IP_PKTINFO, B_MIN, B_MAX, INET, "IP_PKTINFO" },
	{ IPPROTO_IP, IP_RECVERR, B_MIN, B_MAX, INET, "IP_RECVERR" },
	{ IPPROTO_IP, IP_MTU_DISCOVER, 0, 5, INET, "IP_MTU_DISCOVER" },
	{ IPPROTO_IP, IP_MULTICAST_TTL, 0, 255, INET, "IP_MULTICAST_TTL" },
	{ IPPROTO_IP, IP_MULTICAST_LOOP, B_MIN, B_MAX, INET,
	    "IP_MULTICAST_LOOP" },
	{ IPPROTO_IPV6, IPV6_V6ONLY, B_MIN, B_MAX, OPT_INET6, "IPV6_V6ONLY" },
	{ IPPROTO_IPV6, IPV6_TCLASS, -1, 255, OPT_INET6, "IPV6_TCLASS" },
	{ IPPROTO_IPV6, IPV6_UNICAST_HOPS, -1, 255, OPT_INET6,
	    "IPV6_UNICAST_HOPS" },
	{ IPPROTO_IPV6, IPV6_MULTICAST_HOPS, -1, 255, OPT_INET6,
	    "IPV6_MULTICAST_HOPS" },
	{ IPPROTO_IPV6, IPV6_MULTICAST_LOOP, B_MIN, B_MAX, OPT_INET6,
	    "IPV6_MULTICAST_LOOP" },
	{ IPPROTO_IPV6, IPV6_RECVPKTINFO, B_MIN, B_MAX, OPT_INET6,
	    "IPV6_RECVPKTINFO" },
	{ IPPROTO_IPV6, IPV6_RECVTCLASS, B_MIN, B_MAX, OPT_INET6,
	    "IPV6_RECVTCLASS" },
	{ IPPROTO_IPV6, IPV6_RECVERR, B_MIN, B_MAX, OPT_INET6,
	    "IPV6_RECVERR" },
	{ IPPROTO_IPV6, IPV6_MTU_DISCOVER, 0, 5, OPT_INET6,
	    "IPV6_MTU_DISCOVER" },
	{ IPPROTO_IPV6, IPV6_FREEBIND, B_MIN, B_MAX, OPT_INET6,
	    "IPV6_FREEBIND" },
	{ IPPROTO_TCP, TCP_NODELAY, B_MIN, B_MAX, INET | OPT_TCP,
	    "TCP_NODELAY" },
	{ IPPROTO_TCP, TCP_FASTOPEN, 0, INT_MAX, INET | OPT_TCP,
	    "TCP_FASTOPEN" },
	{ IPPROTO_TCP, TCP_FASTOPEN_CONNECT, B_MIN, B_MAX, INET | OPT_TCP,
	    "TCP_FASTOPEN_CONNECT" },
	{ IPPROTO_TCP, TCP_KEEPIDLE, 1, 32767, INET | OPT_TCP,
	    "TCP_KEEPIDLE" },
	{ IPPROTO_TCP, TCP_KEEPINTVL, 1, 32767, INET | OPT_TCP,
	    "TCP_KEEPINTVL" },
	{ IPPROTO_TCP, TCP_KEEPCNT, 1, 127, INET | OPT_TCP, "TCP_KEEPCNT" },
	{ IPPROTO_TCP, TCP_CORK, B_MIN, B_MAX, INET | OPT_TCP, "TCP_CORK" },
	{ IPPROTO_TCP, TCP_QUICKACK, B_MIN, B_MAX, INET | OPT_TCP,
	    "TCP_QUICKACK" },
	{ IPPROTO_TCP, TCP_DEFER_ACCEPT, 0, INT_MAX, INET | OPT_TCP,
	    "TCP_DEFER_ACCEPT" },
	{ IPPROTO_TCP, TCP_MAXSEG, 0, 65535, INET | OPT_TCP, "TCP_MAXSEG" },
	{ IPPROTO_TCP, TCP_USER_TIMEOUT, 0, INT_MAX, INET | OPT_TCP,
	    "TCP_USER_TIMEOUT" },
	{ IPPROTO_TCP, TCP_NOTSENT_LOWAT, 0, INT_MAX, INET | OPT_TCP,
	    "TCP_NOTSENT_LOWAT" },
	{ IPPROTO_TCP, TCP_SYNCNT, 1, 127, INET | OPT_TCP, "TCP_SYNCNT" },
	{ IPPROTO_TCP, TCP_WINDOW_CLAMP, 0, INT_MAX, INET | OPT_TCP,
	    "TCP_WINDOW_CLAMP" },
	{ 0, 0, 0, 0, 0, NULL }
};

const char *
reason_str(uint32_t r)
{
	return r <= GRAFT_R_MAX ? graft_reasons[r].text :
	    GRAFT_REASON_UNKNOWN;
}

const char *
errno_name(int e)
{
	static const struct { int e; const char *s; } names[] = {
		{ 0, "0" }, { EBADMSG, "EBADMSG" },
		{ EPROTONOSUPPORT, "EPROTONOSUPPORT" }, { EPERM, "EPERM" },
		{ EACCES, "EACCES" }, { ENOENT, "ENOENT" },
		{ EPROTOTYPE, "EPROTOTYPE" }, { ENOPROTOOPT, "ENOPROTOOPT" },
		{ EAGAIN, "EAGAIN" }, { EADDRINUSE, "EADDRINUSE" },
		{ EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { EINVAL, "EINVAL" },
		{ EMFILE, "EMFILE" }, { ENFILE, "ENFILE" },
		{ ENOBUFS, "ENOBUFS" }, { ENOMEM, "ENOMEM" },
		{ EAFNOSUPPORT, "EAFNOSUPPORT" },
		{ ECONNREFUSED, "ECONNREFUSED" }, { ENOTDIR, "ENOTDIR" },
		{ ENAMETOOLONG, "ENAMETOOLONG" }, { EROFS, "EROFS" },
		{ ESRCH, "ESRCH" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ELOOP, "ELOOP" }, { ENOTSOCK, "ENOTSOCK" },
		{ ECONNRESET, "ECONNRESET" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].s;
	return "E?";
}

void
reply_init(struct reply *r, int error, uint32_t reason)
{
	memset(r, 0, sizeof(*r));
	r->rep.magic = GRAFT_PROTO_MAGIC;
	r->rep.version = GRAFT_PROTO_VERSION;
	r->rep.op = GRAFT_OP_REPLY;
	r->rep.error = error;
	r->rep.reason = reason;
	r->nfds = 0;
}

/* Withdraw a grant: its sockets are closed, none is passed. */
void
reply_close(struct reply *r)
{
	unsigned i;

	for (i = 0; i < r->nfds; i++)
		close(r->fds[i]);
	r->nfds = 0;
	r->ninos = 0;
	r->nrules = 0;
	r->rep.nfds = 0;
}

void
epname_copy(const struct graft_req *req, char *out)
{
	memcpy(out, req->epname, GRAFT_PROTO_EPNAME);
	out[GRAFT_PROTO_EPNAME] = '\0';
}

static int
fail(uint32_t *reason, uint32_t r, int e)
{
	*reason = r;
	return e;
}

static int
epname_ok(const char *n)
{
	int i = 0;

	if (n[0] == '\0')
		return 0;
	for (; i < GRAFT_PROTO_EPNAME && n[i] != '\0'; i++)
		if (n[i] <= 0x20 || n[i] >= 0x7f)
			return 0;
	for (; i < GRAFT_PROTO_EPNAME; i++)
		if (n[i] != '\0')
			return 0;
	return 1;
}

static int
opts_ok(const struct graft_req *req)
{
	static const struct graft_opt zero;
	unsigned i;

	if (req->nopts > GRAFT_PROTO_MAXOPTS)
		return 0;
	for (i = req->nopts; i < GRAFT_PROTO_MAXOPTS; i++)
		if (memcmp(&req->opts[i], &zero, sizeof(zero)) != 0)
			return 0;
	return 1;
}

/* GRAFT_F_BATCH: outward only, the count in port, 1..MAXBATCH;
 * GRAFT_F_INOS only with it. */
static int
flags_ok(const struct graft_req *req)
{
	if (req->flags & ~GRAFT_F_ALL)
		return 0;
	/* GRAFT_F_REACH: with the port the program asked for, nothing else */
	if (req->flags & GRAFT_F_REACH)
		return req->flags == (GRAFT_F_REACH | GRAFT_F_PORT);
	if (req->flags & GRAFT_F_BATCH)
		return (req->flags & ~(GRAFT_F_BATCH | GRAFT_F_INOS)) ==
		    GRAFT_F_EGRESS &&
		    req->port >= 1 && req->port <= GRAFT_PROTO_MAXBATCH;
	if (req->flags & GRAFT_F_INOS)
		return 0;
	return (req->flags & GRAFT_F_PORT) || req->port == 0;
}

static int
type_ok(const struct graft_req *req)
{
	switch (req->type) {
	case SOCK_STREAM:
		return req->protocol == 0 || req->protocol == IPPROTO_TCP;
	case SOCK_DGRAM:
		return req->protocol == 0 || req->protocol == IPPROTO_UDP;
	case SOCK_SEQPACKET:
		return req->protocol == 0;
	}
	return 0;
}

/* GRAFT_OP_RULES: every field after op zero. */
static int
rules_ok(const struct graft_req *req)
{
	static const struct graft_req zero;

	return memcmp((const char *)req + offsetof(struct graft_req, flags),
	    (const char *)&zero + offsetof(struct graft_req, flags),
	    sizeof(*req) - offsetof(struct graft_req, flags)) == 0;
}

/*
 * Check one received record: buf/len as read, msgflags from recvmsg().
 * Magic and version are checked first, so that a peer speaking another
 * version learns so even when its records have another size.  Returns 0
 * with *out filled, or an errno with *reason set.
 */
int
req_validate(const void *buf, size_t len, int msgflags, struct graft_req *out,
    uint32_t *reason)
{
	struct graft_req *req = out;

	memset(out, 0, sizeof(*out));
	memcpy(out, buf, len < sizeof(*out) ? len : sizeof(*out));
	if (len < 8 || req->magic != GRAFT_PROTO_MAGIC)
		return fail(reason, GRAFT_R_MALFORMED, EBADMSG);
	if (req->version != GRAFT_PROTO_VERSION)
		return fail(reason, GRAFT_R_VERSION, EPROTONOSUPPORT);
	if ((msgflags & MSG_TRUNC) || len != sizeof(*req))
		return fail(reason, GRAFT_R_MALFORMED, EBADMSG);
	if (req->op == GRAFT_OP_RULES) {
		if (!rules_ok(req))
			return fail(reason, GRAFT_R_MALFORMED, EBADMSG);
		*reason = GRAFT_R_OK;
		return 0;
	}
	if (req->op != GRAFT_OP_GRAFT || !flags_ok(req))
		return fail(reason, GRAFT_R_MALFORMED, EBADMSG);
	if (req->family != AF_INET && req->family != AF_INET6 &&
	    req->family != AF_UNIX && req->family != AF_GRAFT_NUM)
		return fail(reason, GRAFT_R_MALFORMED, EBADMSG);
	if (!opts_ok(req) || !epname_ok(req->epname))
		return fail(reason, GRAFT_R_MALFORMED, EBADMSG);
	if (!type_ok(req))
		return fail(reason, GRAFT_R_TYPE, EPROTOTYPE);
	*reason = GRAFT_R_OK;
	return 0;
}

/* direction ingress|egress: a request with GRAFT_F_EGRESS is outward, one
 * with GRAFT_F_INGRESS or neither flag is inward (a plain bind); one with
 * both needs both. */
int
req_check_dir(const struct ep_def *ep, const struct graft_req *req,
    uint32_t *reason)
{
	int out = (req->flags & GRAFT_F_EGRESS) != 0;
	int in = (req->flags & GRAFT_F_INGRESS) || !out;

	if ((in && ep->dir == EP_DIR_EGRESS) ||
	    (out && ep->dir == EP_DIR_INGRESS))
		return fail(reason, GRAFT_R_DIRECTION, EACCES);
	return 0;
}

/* Types by endpoint: ipv4/ipv6 stream and dgram; unix also seqpacket. */
int
req_check_type(const struct ep_def *ep, const struct graft_req *req,
    uint32_t *reason)
{
	/* the app's inet protocol (getaddrinfo's ai_protocol) is fine on a
	 * unix endpoint: req_validate checked it matches the type, and the
	 * unix socket is made with protocol 0 (grant_one) */
	if (ep->family == AF_UNIX)
		return 0;
	if (req->type == SOCK_SEQPACKET)
		return fail(reason, GRAFT_R_TYPE, EPROTOTYPE);
	/* proto tcp|udp: the other type is refused */
	if ((ep->proto == EP_PROTO_TCP && req->type != SOCK_STREAM) ||
	    (ep->proto == EP_PROTO_UDP && req->type != SOCK_DGRAM))
		return fail(reason, GRAFT_R_TYPE, EPROTOTYPE);
	return 0;
}

const struct optrule *
opt_find(int level, int name)
{
	const struct optrule *r;

	for (r = optrules; r->label != NULL; r++)
		if (r->level == level && r->name == name)
			return r;
	return NULL;
}

/* An allowed option that means nothing for this endpoint (IPV6_V6ONLY on
 * an ipv4 endpoint, TCP_NODELAY on a datagram socket) is skipped. */
int
opt_applies(const struct optrule *r, const struct ep_def *ep, int type)
{
	unsigned fam;

	fam = ep->family == AF_INET ? OPT_INET :
	    ep->family == AF_INET6 ? OPT_INET6 : OPT_UNIX;
	if (!(r->where & fam))
		return 0;
	if ((r->where & OPT_TCP) && type != SOCK_STREAM)
		return 0;
	return 1;
}

int
req_check_opts(const struct ep_def *ep, const struct graft_req *req,
    uint32_t *reason)
{
	const struct optrule *r;
	unsigned i;

	(void)ep;
	for (i = 0; i < req->nopts; i++) {
		r = opt_find(req->opts[i].level, req->opts[i].name);
		if (r == NULL || req->opts[i].value < r->min ||
		    req->opts[i].value > r->max)
			return fail(reason, GRAFT_R_OPT, ENOPROTOOPT);
	}
	return 0;
}

/* The port to bind: fixed endpoints decide alone, dynamic ones use 0, a
 * range takes the requester's port (GRAFT_F_PORT) when it lies inside. */
int
req_port(const struct ep_def *ep, const struct graft_req *req,
    uint16_t *port, uint32_t *reason)
{
	*port = 0;
	if (ep->family == AF_UNIX || ep->dynamic)
		return 0;
	if (ep->port_lo == ep->port_hi) {
		*port = ep->port_lo;
		return 0;
	}
	if (!(req->flags & GRAFT_F_PORT) || req->port < ep->port_lo ||
	    req->port > ep->port_hi)
		return fail(reason, GRAFT_R_PORT, EACCES);
	*port = req->port;
	return 0;
}

/* Batches only where spare sockets hold nothing and are all alike: stream
 * sockets of a dynamic ipv4/ipv6 endpoint, which get no port before their
 * connect().  A fixed or range port can be bound once; a unix egress socket
 * is connected by graftd, which a listener would see ahead of time. */
int
req_check_batch(const struct ep_def *ep, const struct graft_req *req,
    uint32_t *reason)
{
	if (!(req->flags & GRAFT_F_BATCH))
		return 0;
	if (ep->family == AF_UNIX || !ep->dynamic || req->type != SOCK_STREAM)
		return fail(reason, GRAFT_R_BATCH, EOPNOTSUPP);
	return 0;
}

/* Every check of the request against the endpoint; the port to bind. */
int
req_check(const struct ep_def *ep, const struct graft_req *req,
    uint16_t *port, uint32_t *reason)
{
	int rv;

	if ((rv = req_check_dir(ep, req, reason)) != 0 ||
	    (rv = req_check_type(ep, req, reason)) != 0 ||
	    (rv = req_check_opts(ep, req, reason)) != 0 ||
	    (rv = req_check_batch(ep, req, reason)) != 0 ||
	    (rv = req_port(ep, req, port, reason)) != 0)
		return rv;
	return 0;
}

/*
 * GRAFT_F_REACH: a program connects to a listener grafted from its own
 * namespace.  Only an endpoint that serves ingress, of a fixed port or a
 * range (a dynamic one's port is the kernel's choice, unknown here), and
 * only a stream socket: one connected stream socket is all it gets.  The
 * destination is the endpoint's own address, its wildcard as the
 * loopback of its family, and its port, a range's translated as for a
 * bind; never an address of the request.  sa, len: the destination.
 */
int
req_check_reach(const struct ep_def *ep, const struct graft_req *req,
    struct sockaddr_storage *sa, socklen_t *len, uint32_t *reason)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)sa;
	struct ep_def tmp;
	uint16_t port;
	int rv;

	if (ep->dir == EP_DIR_EGRESS)
		return fail(reason, GRAFT_R_DIRECTION, EACCES);
	if (ep->family == AF_UNIX || req->type != SOCK_STREAM ||
	    ep->proto == EP_PROTO_UDP)
		return fail(reason, GRAFT_R_TYPE, EPROTOTYPE);
	if ((rv = req_check_opts(ep, req, reason)) != 0)
		return rv;
	if (ep->dynamic)
		return fail(reason, GRAFT_R_PORT, EADDRNOTAVAIL);
	ep = req_ep(ep, req, &tmp);
	if ((rv = req_port(ep, req, &port, reason)) != 0)
		return rv;
	*len = ep_sockaddr(ep, port, sa);
	if (ep->family == AF_INET && sin->sin_addr.s_addr == htonl(INADDR_ANY))
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ep->family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
		sin6->sin6_addr = in6addr_loopback;
	*reason = GRAFT_R_OK;
	return 0;
}

/* A dynamic inet endpoint's stream socket for egress is bound with
 * IP_BIND_ADDRESS_NO_PORT: it holds no port until its connect(). */
int
req_noport(const struct ep_def *ep, const struct graft_req *req)
{
	return ep->family != AF_UNIX && ep->dynamic &&
	    req->type == SOCK_STREAM && (req->flags & GRAFT_F_EGRESS);
}

/* ---- making the socket */

/* An ipv6 endpoint at :: : the host's wildcard of both families. */
int
ep_dual(const struct ep_def *ep)
{
	return ep->family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&ep->addr.v6);
}

/*
 * The endpoint as the request's socket is made: a dual one answers a
 * request for an AF_INET socket with one at 0.0.0.0, same port.  What
 * it grants is no more than its dual-stack socket would take (IPv4 on
 * [::] with IPV6_V6ONLY off, which any request may ask for), and the
 * program's accept() and getpeername() see its own family; a [::] one
 * with IPV6_V6ONLY on and a 0.0.0.0 one can then share the port, as on a
 * host (nginx's "listen 80; listen [::]:80").
 */
const struct ep_def *
req_ep(const struct ep_def *ep, const struct graft_req *req,
    struct ep_def *tmp)
{
	if (!ep_dual(ep) || req->family != AF_INET)
		return ep;
	*tmp = *ep;
	tmp->family = AF_INET;
	memset(&tmp->addr, 0, sizeof(tmp->addr));	/* INADDR_ANY */
	return tmp;
}

static int
apply_opts(int s, const struct ep_def *ep, const struct graft_req *req)
{
	const struct optrule *r;
	unsigned i;
	int v;

	for (i = 0; i < req->nopts; i++) {
		r = opt_find(req->opts[i].level, req->opts[i].name);
		if (r == NULL || !opt_applies(r, ep, req->type))
			continue;
		v = req->opts[i].value;
		if (setsockopt(s, r->level, r->name, &v, sizeof(v)) == -1)
			return errno;
	}
	return 0;
}

static socklen_t
ep_sockaddr(const struct ep_def *ep, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ep->family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = ep->addr.v4;
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_addr = ep->addr.v6;
	return sizeof(*sin6);
}

static int
inet_setup(int s, const struct ep_def *ep, const struct graft_req *req,
    uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len, olen = sizeof(int);
	int one = 1, on = 0;

	if (req_noport(ep, req) &&
	    setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
	    sizeof(one)) == -1)
		return errno;
	len = ep_sockaddr(ep, port, &ss);
	if (req->type == SOCK_DGRAM && getsockopt(s, SOL_SOCKET, SO_REUSEADDR,
	    &on, &olen) == 0 && on)
		return reuse_bind_dgram(s, (struct sockaddr *)&ss, len, port);
	if (bind(s, (struct sockaddr *)&ss, len) == -1)
		return errno;
	return 0;
}

/*
 * GRAFT_F_REACH: a stream socket of owner whose connect() graftd starts
 * itself to the endpoint's listener (req_check_reach() says where),
 * without waiting: a full backlog cannot stall graftd.  The client calls
 * connect() again with the reply's address, so the program sees the
 * kernel's result (0, EINPROGRESS, ECONNREFUSED...) as for any connect().
 * Only a connect() that fails at once is the reply's error.
 */
int
req_reach_as(const struct ep_def *ep, uid_t owner, const struct graft_req *req,
    struct reply *r)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	uint32_t reason = GRAFT_R_OK;
	int s, rv, fl;

	if ((rv = req_check_reach(ep, req, &ss, &len, &reason)) != 0)
		goto refuse;
	s = owned_socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, req->protocol, owner);
	if (s == -1) {
		rv = errno;
		reason = GRAFT_R_SOCKET;
		goto refuse;
	}
	if ((rv = apply_opts(s, ep, req)) != 0) {
		reason = GRAFT_R_SETOPT;
		goto close;
	}
	if (connect(s, (struct sockaddr *)&ss, len) == -1 &&
	    errno != EINPROGRESS) {
		rv = errno;
		reason = GRAFT_R_CONNECT;
		goto close;
	}
	/* the client sets O_NONBLOCK again if the program's socket has it */
	if ((fl = fcntl(s, F_GETFL)) == -1 ||
	    fcntl(s, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		rv = errno;
		reason = GRAFT_R_SOCKET;
		goto close;
	}
	reply_init(r, 0, GRAFT_R_OK);
	r->fds[r->nfds++] = s;
	r->rep.nfds = 1;
	r->rep.addrlen = len;
	memcpy(r->rep.addr, &ss, len);
	return 0;
close:
	close(s);
refuse:
	reply_init(r, rv, reason);
	return rv;
}

/* GRAFT_F_INOS: the identities of the granted sockets, sent after the
 * reply so that the client need not fstat() each. */
static int
inos(struct reply *r)
{
	struct stat sb;
	unsigned i;

	for (i = 0; i < r->nfds; i++) {
		if (fstat(r->fds[i], &sb) == -1)
			return errno;
		r->inos.ino[i] = sb.st_ino;
	}
	r->inos.dev_major = major(sb.st_dev);
	r->inos.dev_minor = minor(sb.st_dev);
	r->ninos = r->nfds;
	return 0;
}

/* socket() with the fsuid switched to owner ((uid_t)-1: graftd's own), so
 * that the socket belongs to owner (sk_uid, the file's credentials): the
 * kernel joins SO_REUSEPORT sockets of one owner only.  Needs CAP_SETUID;
 * without it the request fails rather than make a socket of graftd's. */
static int
owned_socket(int family, int type, int protocol, uid_t owner)
{
	uid_t prev, was;
	int s, e;

	if (owner == (uid_t)-1)
		return socket(family, type, protocol);
	prev = (uid_t)setfsuid(owner);
	s = socket(family, type, protocol);
	e = errno;
	was = (uid_t)setfsuid(prev);	/* the fsuid socket() ran with */
	if (was != owner && s != -1) {
		close(s);
		s = -1;
		e = EPERM;
	}
	errno = e;
	return s;
}

/* One host socket, set up and bound: the socket, or -1 with *err and
 * *reason set.  ss/len: the bound address. */
static int
grant_one(const struct ep_def *ep, uid_t owner, const struct graft_req *req,
    uint16_t port, struct sockaddr_storage *ss, socklen_t *len, int *err,
    uint32_t *reason)
{
	int s, rv, off = 0;

	s = owned_socket(ep->family, req->type | SOCK_CLOEXEC,
	    ep->family == AF_UNIX ? 0 : req->protocol, owner);
	if (s == -1) {
		*err = errno;
		*reason = GRAFT_R_SOCKET;
		return -1;
	}
	/* a dual endpoint's socket is dual-stack unless the request sets
	 * IPV6_V6ONLY: the kernel's default, not the host's bindv6only */
	if (ep_dual(ep) && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof(off)) == -1) {
		rv = errno;
		*reason = GRAFT_R_SETOPT;
		goto close;
	}
	if ((rv = apply_opts(s, ep, req)) != 0) {
		*reason = GRAFT_R_SETOPT;
		goto close;
	}
	rv = ep->family == AF_UNIX ? unixep_setup(s, ep, req) :
	    inet_setup(s, ep, req, port);
	if (rv == 0 && req_noport(ep, req)) {
		*len = ep_sockaddr(ep, 0, ss);	/* bound so, no port yet */
		return s;
	}
	*len = sizeof(*ss);
	if (rv != 0 || getsockname(s, (struct sockaddr *)ss, len) == -1) {
		rv = rv ? rv : errno;
		*reason = GRAFT_R_BIND;
		goto close;
	}
	return s;
close:
	close(s);
	*err = rv;
	return -1;
}

/* Make, set up and bind the host socket(s): r->fds and the bound address.
 * A batch that runs short after its first socket (EMFILE...) is granted
 * with the sockets made so far; the client accepts fewer than it asked. */
int
req_grant(const struct ep_def *ep, const struct graft_req *req,
    struct reply *r)
{
	return req_grant_as(ep, (uid_t)-1, req, r);
}

/* The same, the inet sockets owned by owner (see owned_socket()). */
int
req_grant_as(const struct ep_def *ep, uid_t owner, const struct graft_req *req,
    struct reply *r)
{
	struct sockaddr_storage ss, ss2;
	struct ep_def eff;
	socklen_t len = 0, len2;
	uint32_t reason = GRAFT_R_OK, reason2;
	uint16_t port;
	unsigned want = 1;
	int s, rv = 0, rv2;

	if (req->flags & GRAFT_F_REACH)
		return req_reach_as(ep, owner, req, r);
	ep = req_ep(ep, req, &eff);
	if (ep->family == AF_UNIX)
		owner = (uid_t)-1;
	if ((rv = req_check(ep, req, &port, &reason)) != 0)
		goto refuse;
	if ((s = grant_one(ep, owner, req, port, &ss, &len, &rv,
	    &reason)) == -1)
		goto refuse;
	reply_init(r, 0, GRAFT_R_OK);
	r->fds[r->nfds++] = s;
	if (req->flags & GRAFT_F_BATCH)
		want = req->port;
	while (r->nfds < want && (s = grant_one(ep, owner, req, port, &ss2,
	    &len2, &rv2, &reason2)) != -1)
		r->fds[r->nfds++] = s;
	r->rep.nfds = r->nfds;
	if ((req->flags & GRAFT_F_INOS) && (rv = inos(r)) != 0) {
		reply_close(r);
		reason = GRAFT_R_SOCKET;
		goto refuse;
	}
	if (len > sizeof(r->rep.addr))
		len = sizeof(r->rep.addr);
	r->rep.addrlen = len;
	memcpy(r->rep.addr, &ss, len);
	return 0;
refuse:
	reply_init(r, rv, reason);
	return rv;
}
