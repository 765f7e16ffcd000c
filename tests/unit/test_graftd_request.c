/* test_graftd_request.c - graftd's request validation, option allow-list,
 * port choice and the making of host sockets (request.c). */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "graftd.h"

static struct graft_req
good(void)
{
	struct graft_req r;

	memset(&r, 0, sizeof(r));
	r.magic = GRAFT_PROTO_MAGIC;
	r.version = GRAFT_PROTO_VERSION;
	r.op = GRAFT_OP_GRAFT;
	r.flags = GRAFT_F_INGRESS;
	r.family = AF_INET;
	r.type = SOCK_STREAM;
	memcpy(r.epname, "ep-http", 7);
	return r;
}

static int
check(const struct graft_req *r, size_t len, int flags, uint32_t *reason)
{
	struct graft_req out;

	return req_validate(r, len, flags, &out, reason);
}

#define REFUSED(r, e, why) do {						\
	uint32_t reason_;						\
	assert_int_equal(check(&(r), sizeof(r), 0, &reason_), (e));	\
	assert_int_equal(reason_, (why));				\
} while (0)

static void
test_valid(void **state)
{
	struct graft_req r = good(), out;
	uint32_t reason = 99;

	(void)state;
	assert_int_equal(req_validate(&r, sizeof(r), 0, &out, &reason), 0);
	assert_int_equal(reason, GRAFT_R_OK);
	assert_memory_equal(&r, &out, sizeof(r));
	r.flags = GRAFT_F_INGRESS | GRAFT_F_EGRESS | GRAFT_F_PORT;
	r.port = 8080;
	r.protocol = IPPROTO_TCP;
	memcpy(r.epname, "abcdefghijklmnop", 16);	/* 16, no NUL */
	r.nopts = 1;
	r.opts[0].level = SOL_SOCKET;
	r.opts[0].name = SO_REUSEADDR;
	r.opts[0].value = 1;
	assert_int_equal(check(&r, sizeof(r), 0, &reason), 0);
}

static void
test_sizes(void **state)
{
	struct graft_req r = good();
	uint32_t reason;

	(void)state;
	assert_int_equal(check(&r, sizeof(r) - 1, 0, &reason), EBADMSG);
	assert_int_equal(reason, GRAFT_R_MALFORMED);
	assert_int_equal(check(&r, 4, 0, &reason), EBADMSG);
	assert_int_equal(check(&r, 0, 0, &reason), EBADMSG);
	assert_int_equal(check(&r, sizeof(r), MSG_TRUNC, &reason), EBADMSG);
	assert_int_equal(reason, GRAFT_R_MALFORMED);
}

static void
test_header(void **state)
{
	struct graft_req r;
	uint32_t reason;

	(void)state;
	r = good(); r.magic = 0x12345678;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r = good(); r.version = 2;
	REFUSED(r, EPROTONOSUPPORT, GRAFT_R_VERSION);
	/* another version is reported as such, whatever its record size */
	assert_int_equal(check(&r, 60, 0, &reason), EPROTONOSUPPORT);
	assert_int_equal(check(&r, sizeof(r), MSG_TRUNC, &reason),
	    EPROTONOSUPPORT);
	r = good(); r.op = GRAFT_OP_REPLY;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r = good(); r.flags = 0x8;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r = good(); r.port = 80;		/* port without GRAFT_F_PORT */
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r = good(); r.family = AF_PACKET;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r = good(); r.family = 4;		/* AF_GRAFT */
	REFUSED(r, 0, GRAFT_R_OK);
}

static void
test_types(void **state)
{
	struct graft_req r;

	(void)state;
	r = good(); r.type = SOCK_RAW;
	REFUSED(r, EPROTOTYPE, GRAFT_R_TYPE);
	r = good(); r.type = SOCK_STREAM | SOCK_NONBLOCK;
	REFUSED(r, EPROTOTYPE, GRAFT_R_TYPE);
	r = good(); r.protocol = IPPROTO_UDP;
	REFUSED(r, EPROTOTYPE, GRAFT_R_TYPE);
	r = good(); r.type = SOCK_DGRAM; r.protocol = IPPROTO_UDP;
	REFUSED(r, 0, GRAFT_R_OK);
	r = good(); r.type = SOCK_DGRAM; r.protocol = IPPROTO_TCP;
	REFUSED(r, EPROTOTYPE, GRAFT_R_TYPE);
	r = good(); r.type = SOCK_SEQPACKET;
	REFUSED(r, 0, GRAFT_R_OK);
	r.protocol = IPPROTO_SCTP;
	REFUSED(r, EPROTOTYPE, GRAFT_R_TYPE);
}

static void
test_opts_layout(void **state)
{
	struct graft_req r;

	(void)state;
	r = good(); r.nopts = GRAFT_PROTO_MAXOPTS + 1;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r = good(); r.nopts = 1; r.opts[1].value = 1;	/* unused, not zero */
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r = good(); r.opts[7].level = 1;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r = good(); r.nopts = GRAFT_PROTO_MAXOPTS;
	REFUSED(r, 0, GRAFT_R_OK);
}

static void
test_epname(void **state)
{
	struct graft_req r;

	(void)state;
	r = good(); memset(r.epname, 0, sizeof(r.epname));
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r = good(); r.epname[2] = '\n';
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r = good(); r.epname[2] = ' ';
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r = good(); r.epname[2] = (char)0xc3;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r = good(); r.epname[12] = 'x';		/* data after the NUL */
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r = good(); r.epname[15] = 'x';
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
}

static void
test_garbage(void **state)
{
	unsigned char buf[sizeof(struct graft_req)];
	struct graft_req out;
	uint32_t reason;
	int i, j;

	(void)state;
	srand(1);
	for (i = 0; i < 10000; i++) {
		for (j = 0; j < (int)sizeof(buf); j++)
			buf[j] = (unsigned char)rand();
		if (i & 1)	/* right header, random body */
			memcpy(buf, &(struct graft_req){ .magic =
			    GRAFT_PROTO_MAGIC, .version = 1, .op = 1 }, 8);
		assert_int_not_equal(req_validate(buf, (size_t)(rand() %
		    (sizeof(buf) + 1)), 0, &out, &reason), 0);
		assert_true(reason > 0 && reason <= GRAFT_R_MAX);
	}
}

static struct ep_def
ep4(const char *addr, uint16_t lo, uint16_t hi, int dynamic)
{
	struct ep_def ep;

	memset(&ep, 0, sizeof(ep));
	strcpy(ep.name, "ep-http");
	ep.family = AF_INET;
	inet_pton(AF_INET, addr, &ep.addr.v4);
	ep.port_lo = lo;
	ep.port_hi = hi;
	ep.dynamic = dynamic;
	return ep;
}

static void
test_check_type(void **state)
{
	struct ep_def ep = ep4("127.0.0.1", 0, 0, 1);
	struct graft_req r = good();
	uint32_t reason;

	(void)state;
	assert_int_equal(req_check_type(&ep, &r, &reason), 0);
	r.type = SOCK_SEQPACKET;
	assert_int_equal(req_check_type(&ep, &r, &reason), EPROTOTYPE);
	assert_int_equal(reason, GRAFT_R_TYPE);
	ep.family = AF_UNIX;
	assert_int_equal(req_check_type(&ep, &r, &reason), 0);
	/* the app's inet protocol (getaddrinfo's ai_protocol) on a unix
	 * endpoint, as graftd(8) says (issue 20) */
	r.type = SOCK_STREAM;
	r.protocol = IPPROTO_TCP;
	assert_int_equal(req_check_type(&ep, &r, &reason), 0);
	r.type = SOCK_DGRAM;
	r.protocol = IPPROTO_UDP;
	assert_int_equal(req_check_type(&ep, &r, &reason), 0);
}

/* proto tcp|udp: the other type, and seqpacket, refused; REACH (a
 * stream connect) refused on a udp endpoint. */
static void
test_check_proto(void **state)
{
	struct ep_def ep = ep4("127.0.0.1", 80, 80, 0);
	struct sockaddr_storage ss;
	socklen_t len;
	struct graft_req r = good();
	uint32_t reason;

	(void)state;
	ep.proto = EP_PROTO_TCP;
	assert_int_equal(req_check_type(&ep, &r, &reason), 0);
	r.type = SOCK_DGRAM;
	assert_int_equal(req_check_type(&ep, &r, &reason), EPROTOTYPE);
	assert_int_equal(reason, GRAFT_R_TYPE);
	ep.proto = EP_PROTO_UDP;
	assert_int_equal(req_check_type(&ep, &r, &reason), 0);
	r.type = SOCK_STREAM;
	assert_int_equal(req_check_type(&ep, &r, &reason), EPROTOTYPE);
	r.flags = GRAFT_F_REACH | GRAFT_F_PORT;
	r.port = 80;
	assert_int_equal(req_check_reach(&ep, &r, &ss, &len, &reason),
	    EPROTOTYPE);
	assert_int_equal(reason, GRAFT_R_TYPE);
	ep.proto = EP_PROTO_ANY;
	assert_int_equal(req_check_reach(&ep, &r, &ss, &len, &reason), 0);
}

/* GRAFT_OP_RULES: valid with every field after op zero, else malformed. */
static void
test_rules_validate(void **state)
{
	struct graft_req r;
	uint32_t reason;
	size_t off;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.magic = GRAFT_PROTO_MAGIC;
	r.version = GRAFT_PROTO_VERSION;
	r.op = GRAFT_OP_RULES;
	assert_int_equal(check(&r, sizeof(r), 0, &reason), 0);
	assert_int_equal(reason, GRAFT_R_OK);
	for (off = offsetof(struct graft_req, flags); off < sizeof(r); off++) {
		((unsigned char *)&r)[off] = 1;
		REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
		((unsigned char *)&r)[off] = 0;
	}
	assert_int_equal(check(&r, sizeof(r) - 1, 0, &reason), EBADMSG);
	r.op = 3;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
}

static int
opt_result(int level, int name, int value)
{
	struct ep_def ep = ep4("127.0.0.1", 80, 80, 0);
	struct graft_req r = good();
	uint32_t reason = GRAFT_R_OK;
	int rv;

	r.nopts = 1;
	r.opts[0] = (struct graft_opt){ level, name, value };
	rv = req_check_opts(&ep, &r, &reason);
	if (rv != 0)
		assert_int_equal(reason, GRAFT_R_OPT);
	return rv;
}

static void
test_optlist(void **state)
{
	(void)state;
	assert_int_equal(opt_result(SOL_SOCKET, SO_REUSEADDR, 1), 0);
	assert_int_equal(opt_result(SOL_SOCKET, SO_REUSEPORT, 1), 0);
	assert_int_equal(opt_result(SOL_SOCKET, SO_KEEPALIVE, 1), 0);
	assert_int_equal(opt_result(SOL_SOCKET, SO_BROADCAST, 1), 0);
	assert_int_equal(opt_result(SOL_SOCKET, SO_RCVBUF, 65536), 0);
	assert_int_equal(opt_result(SOL_SOCKET, SO_SNDBUF, 65536), 0);
	assert_int_equal(opt_result(SOL_SOCKET, SO_PRIORITY, 6), 0);
	assert_int_equal(opt_result(IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
	assert_int_equal(opt_result(IPPROTO_IP, IP_TOS, 0x10), 0);
	assert_int_equal(opt_result(IPPROTO_IP, IP_FREEBIND, 1), 0);
	assert_int_equal(opt_result(IPPROTO_TCP, TCP_NODELAY, 1), 0);
	assert_int_equal(opt_result(IPPROTO_TCP, TCP_FASTOPEN, 5), 0);
	/* privileged, or reaching outside the socket */
	assert_int_equal(opt_result(SOL_SOCKET, SO_PRIORITY, 7), ENOPROTOOPT);
	assert_int_equal(opt_result(SOL_SOCKET, SO_BINDTODEVICE, 1),
	    ENOPROTOOPT);
	assert_int_equal(opt_result(SOL_SOCKET, SO_MARK, 1), ENOPROTOOPT);
	assert_int_equal(opt_result(SOL_SOCKET, SO_RCVBUFFORCE, 1 << 20),
	    ENOPROTOOPT);
	assert_int_equal(opt_result(SOL_SOCKET, SO_SNDBUFFORCE, 1 << 20),
	    ENOPROTOOPT);
	assert_int_equal(opt_result(IPPROTO_IP, IP_TRANSPARENT, 1),
	    ENOPROTOOPT);
	assert_int_equal(opt_result(IPPROTO_IP, IP_MULTICAST_IF, 1),
	    ENOPROTOOPT);
	assert_int_equal(opt_result(SOL_SOCKET, SO_ATTACH_FILTER, 0),
	    ENOPROTOOPT);
	assert_int_equal(opt_result(IPPROTO_IP, IP_TOS, 256), ENOPROTOOPT);
	assert_int_equal(opt_result(SOL_SOCKET, SO_RCVBUF, -1), ENOPROTOOPT);
	assert_int_equal(opt_result(12345, 1, 1), ENOPROTOOPT);
}

static void
test_opt_applies(void **state)
{
	struct ep_def ep = ep4("127.0.0.1", 80, 80, 0);

	(void)state;
	assert_false(opt_applies(opt_find(IPPROTO_IPV6, IPV6_V6ONLY), &ep,
	    SOCK_STREAM));
	assert_true(opt_applies(opt_find(IPPROTO_TCP, TCP_NODELAY), &ep,
	    SOCK_STREAM));
	assert_false(opt_applies(opt_find(IPPROTO_TCP, TCP_NODELAY), &ep,
	    SOCK_DGRAM));
	ep.family = AF_INET6;
	assert_true(opt_applies(opt_find(IPPROTO_IPV6, IPV6_V6ONLY), &ep,
	    SOCK_STREAM));
	ep.family = AF_UNIX;
	assert_false(opt_applies(opt_find(IPPROTO_TCP, TCP_NODELAY), &ep,
	    SOCK_STREAM));
	assert_true(opt_applies(opt_find(SOL_SOCKET, SO_SNDBUF), &ep,
	    SOCK_DGRAM));
}

static void
test_port(void **state)
{
	struct ep_def ep = ep4("127.0.0.1", 18080, 18080, 0);
	struct graft_req r = good();
	uint32_t reason = 0;
	uint16_t port;

	(void)state;
	assert_int_equal(req_port(&ep, &r, &port, &reason), 0);
	assert_int_equal(port, 18080);
	r.flags |= GRAFT_F_PORT;
	r.port = 80;		/* the app's own port: the endpoint decides */
	assert_int_equal(req_port(&ep, &r, &port, &reason), 0);
	assert_int_equal(port, 18080);
	ep = ep4("127.0.0.1", 0, 0, 1);
	assert_int_equal(req_port(&ep, &r, &port, &reason), 0);
	assert_int_equal(port, 0);
	ep = ep4("127.0.0.1", 8000, 8999, 0);
	r.port = 8080;
	assert_int_equal(req_port(&ep, &r, &port, &reason), 0);
	assert_int_equal(port, 8080);
	r.port = 9000;
	assert_int_equal(req_port(&ep, &r, &port, &reason), EACCES);
	assert_int_equal(reason, GRAFT_R_PORT);
	r.port = 7999;
	assert_int_equal(req_port(&ep, &r, &port, &reason), EACCES);
	r.flags &= ~GRAFT_F_PORT;
	r.port = 0;
	assert_int_equal(req_port(&ep, &r, &port, &reason), EACCES);
}

static void
test_grant_inet(void **state)
{
	struct ep_def ep = ep4("127.0.0.1", 0, 0, 1);
	struct graft_req r = good();
	struct sockaddr_in sin;
	struct reply rep;
	socklen_t len = sizeof(int);
	int v = 0;

	(void)state;
	r.flags = GRAFT_F_EGRESS;
	r.nopts = 2;
	r.opts[0] = (struct graft_opt){ IPPROTO_TCP, TCP_NODELAY, 1 };
	r.opts[1] = (struct graft_opt){ IPPROTO_IPV6, IPV6_V6ONLY, 1 };
	assert_int_equal(req_grant(&ep, &r, &rep), 0);
	assert_true(rep.fds[0] >= 0);
	assert_int_equal(rep.rep.error, 0);
	assert_int_equal(rep.rep.addrlen, sizeof(sin));
	memcpy(&sin, rep.rep.addr, sizeof(sin));
	assert_int_equal(sin.sin_family, AF_INET);
	assert_int_equal(sin.sin_port, 0);	/* IP_BIND_ADDRESS_NO_PORT */
	assert_int_equal(getsockopt(rep.fds[0], IPPROTO_TCP, TCP_NODELAY, &v,
	    &len), 0);
	assert_int_equal(v, 1);
	assert_true(fcntl(rep.fds[0], F_GETFD) & FD_CLOEXEC);
	close(rep.fds[0]);

	r.flags = GRAFT_F_INGRESS;		/* ingress: a real port now */
	assert_int_equal(req_grant(&ep, &r, &rep), 0);
	memcpy(&sin, rep.rep.addr, sizeof(sin));
	assert_int_not_equal(sin.sin_port, 0);
	close(rep.fds[0]);

	r.type = SOCK_SEQPACKET;
	assert_int_equal(req_grant(&ep, &r, &rep), EPROTOTYPE);
	assert_int_equal(rep.nfds, 0);
	assert_int_equal(rep.rep.reason, GRAFT_R_TYPE);
	assert_int_equal(rep.rep.magic, GRAFT_PROTO_MAGIC);
	assert_int_equal(rep.rep.op, GRAFT_OP_REPLY);

	ep = ep4("192.0.2.1", 0, 0, 1);		/* not a local address */
	r.type = SOCK_STREAM;
	assert_int_equal(req_grant(&ep, &r, &rep), EADDRNOTAVAIL);
	assert_int_equal(rep.rep.reason, GRAFT_R_BIND);
}

static struct ep_def
ep6(const char *addr, uint16_t lo, uint16_t hi, int dynamic)
{
	struct ep_def ep = ep4("0.0.0.0", lo, hi, dynamic);

	ep.family = AF_INET6;
	inet_pton(AF_INET6, addr, &ep.addr.v6);
	return ep;
}

/* family and port the reply's socket is bound to; V6ONLY in *v6only */
static int
bound(const struct reply *rep, uint16_t *port, int *v6only)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss), ol = sizeof(int);

	assert_int_equal(getsockname(rep->fds[0], (struct sockaddr *)&ss,
	    &len), 0);
	*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	*v6only = -1;
	if (ss.ss_family == AF_INET6)
		assert_int_equal(getsockopt(rep->fds[0], IPPROTO_IPV6,
		    IPV6_V6ONLY, v6only, &ol), 0);
	return ss.ss_family;
}

/* An ipv6 endpoint at :: is both wildcards: an AF_INET request gets an
 * AF_INET socket at 0.0.0.0, an AF_INET6 one a dual-stack socket unless
 * it asks IPV6_V6ONLY; the 0.0.0.0 one and a v6-only [::] one share a
 * port (nginx's pair), a dual-stack one does not. */
static void
test_grant_dual(void **state)
{
	struct ep_def ep = ep6("::", 0, 0, 1), tmp, fixed;
	struct graft_req r = good();
	struct reply a, b;
	uint16_t pa, pb;
	int v6only, s;

	(void)state;
	if ((s = socket(AF_INET6, SOCK_STREAM, 0)) == -1)
		skip();
	close(s);
	assert_true(ep_dual(&ep));
	assert_ptr_equal(req_ep(&ep, &r, &tmp), &tmp);
	assert_int_equal(tmp.family, AF_INET);
	assert_int_equal(tmp.addr.v4.s_addr, htonl(INADDR_ANY));
	assert_int_equal(tmp.dynamic, 1);
	r.family = AF_INET6;
	assert_ptr_equal(req_ep(&ep, &r, &tmp), &ep);
	r.family = AF_INET;
	fixed = ep6("::1", 0, 0, 1);		/* not the wildcard */
	assert_false(ep_dual(&fixed));
	assert_ptr_equal(req_ep(&fixed, &r, &tmp), &fixed);
	fixed = ep4("0.0.0.0", 0, 0, 1);
	assert_false(ep_dual(&fixed));
	assert_ptr_equal(req_ep(&fixed, &r, &tmp), &fixed);

	/* AF_INET: 0.0.0.0, a port of its own */
	assert_int_equal(req_grant(&ep, &r, &a), 0);
	assert_int_equal(bound(&a, &pa, &v6only), AF_INET);
	assert_int_equal(a.rep.addrlen, sizeof(struct sockaddr_in));
	assert_int_not_equal(pa, 0);

	/* at that port, fixed: AF_INET6 asking V6ONLY shares it */
	fixed = ep6("::", pa, pa, 0);
	r.family = AF_INET6;
	r.nopts = 1;
	r.opts[0] = (struct graft_opt){ IPPROTO_IPV6, IPV6_V6ONLY, 1 };
	assert_int_equal(req_grant(&fixed, &r, &b), 0);
	assert_int_equal(bound(&b, &pb, &v6only), AF_INET6);
	assert_int_equal(pb, pa);
	assert_int_equal(v6only, 1);
	close(b.fds[0]);
	/* without it the socket is dual-stack, so the port is taken */
	r.nopts = 0;
	memset(r.opts, 0, sizeof(r.opts));
	assert_int_equal(req_grant(&fixed, &r, &b), EADDRINUSE);
	assert_int_equal(b.rep.reason, GRAFT_R_BIND);
	close(a.fds[0]);
	assert_int_equal(req_grant(&fixed, &r, &b), 0);
	assert_int_equal(bound(&b, &pb, &v6only), AF_INET6);
	assert_int_equal(v6only, 0);
	/* ...and an AF_INET request then finds 0.0.0.0 taken */
	r.family = AF_INET;
	assert_int_equal(req_grant(&fixed, &r, &a), EADDRINUSE);
	close(b.fds[0]);
	/* an explicit V6ONLY 0 is the same */
	r.family = AF_INET6;
	r.nopts = 1;
	r.opts[0] = (struct graft_opt){ IPPROTO_IPV6, IPV6_V6ONLY, 0 };
	assert_int_equal(req_grant(&fixed, &r, &b), 0);
	assert_int_equal(bound(&b, &pb, &v6only), AF_INET6);
	assert_int_equal(v6only, 0);
	close(b.fds[0]);
}

static void
test_grant_unix(void **state)
{
	char dir[] = "/tmp/graftd-unit.XXXXXX", file[128];
	struct ep_def ep;
	struct graft_req r = good();
	struct reply a, b;
	struct sockaddr_un sun;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(&ep, 0, sizeof(ep));
	strcpy(ep.name, "ep-unix");
	ep.family = AF_UNIX;
	strcpy(ep.user, "0");		/* root: the directory is root's */
	snprintf(ep.path, sizeof(ep.path), "%s/sock", dir);
	r.family = AF_UNIX;
	assert_int_equal(req_grant(&ep, &r, &a), 0);
	memcpy(&sun, a.rep.addr, sizeof(sun));
	assert_int_equal(sun.sun_family, AF_UNIX);
	assert_string_equal(sun.sun_path, ep.path);
	assert_int_equal(listen(a.fds[0], 1), 0);
	/* in use: refused, and the live socket is left alone */
	assert_int_equal(req_grant(&ep, &r, &b), EADDRINUSE);
	assert_int_equal(b.rep.reason, GRAFT_R_BIND);
	close(a.fds[0]);
	/* stale now: replaced */
	assert_int_equal(req_grant(&ep, &r, &b), 0);
	close(b.fds[0]);
	/* egress: connected to the path */
	r.type = SOCK_DGRAM;
	assert_int_equal(req_grant(&ep, &r, &a), 0);
	r.flags = GRAFT_F_EGRESS;
	assert_int_equal(req_grant(&ep, &r, &b), 0);
	assert_int_equal(send(b.fds[0], "x", 1, 0), 1);
	close(a.fds[0]);
	close(b.fds[0]);
	/* not a socket: never removed */
	unlink(ep.path);
	snprintf(file, sizeof(file), "%s", ep.path);
	assert_true((fd = open(file, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	r.flags = GRAFT_F_INGRESS;
	assert_int_equal(req_grant(&ep, &r, &a), EADDRINUSE);
	assert_int_equal(access(file, F_OK), 0);
	unlink(file);
	rmdir(dir);
}

/* A unix endpoint in dir, with a listener of type at its path (-1: none). */
static int
unix_ep(struct ep_def *ep, const char *dir, int type, int backlog)
{
	struct sockaddr_un sun;
	int l = -1;

	memset(ep, 0, sizeof(*ep));
	strcpy(ep->name, "ep-unix");
	ep->family = AF_UNIX;
	snprintf(ep->path, sizeof(ep->path), "%s/sock", dir);
	if (type == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, ep->path);
	unlink(ep->path);
	assert_true((l = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(chmod(ep->path, 0666), 0);
	if (type != SOCK_DGRAM)
		assert_int_equal(listen(l, backlog), 0);
	return l;
}

static int
egress(const struct ep_def *ep, int type, struct reply *rep)
{
	struct graft_req r = good();

	r.family = AF_UNIX;
	r.type = type;
	r.flags = GRAFT_F_EGRESS;
	return req_grant(ep, &r, rep);
}

/* The egress path: no symlink, nothing but a socket, none of graftd's
 * own; the endpoint's identity (nobody without user); never blocking. */
static void
test_unix_egress(void **state)
{
	char dir[] = "/tmp/graftd-unit.XXXXXX";
	char other[] = "/tmp/graftd-o.XXXXXX";
	struct ep_def ep, ep2;
	struct reply a;
	struct ucred uc;
	socklen_t len = sizeof(uc);
	struct stat st;
	int l, l2, c, n;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	assert_non_null(mkdtemp(other));
	/* the default identity: nobody may not walk root's 0700 directory */
	l = unix_ep(&ep, dir, SOCK_STREAM, 8);
	assert_int_equal(egress(&ep, SOCK_STREAM, &a), EACCES);
	assert_int_equal(geteuid(), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	/* ... and the service sees nobody, not root */
	assert_int_equal(egress(&ep, SOCK_STREAM, &a), 0);
	assert_false(fcntl(a.fds[0], F_GETFL) & O_NONBLOCK);
	assert_true((c = accept(l, NULL, NULL)) >= 0);
	assert_int_equal(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &len), 0);
	assert_int_equal(uc.uid, EP_NOBODY);
	assert_int_equal(uc.gid, EP_NOBODY);
	assert_int_equal(geteuid(), 0);		/* and graftd is back */
	assert_int_equal(getegid(), 0);
	close(c);
	close(a.fds[0]);
	/* user 1234:5678 */
	strcpy(ep.user, "1234:5678");
	ep.uid = 1234;
	ep.gid = 5678;
	assert_int_equal(egress(&ep, SOCK_STREAM, &a), 0);
	assert_true((c = accept(l, NULL, NULL)) >= 0);
	assert_int_equal(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &len), 0);
	assert_int_equal(uc.uid, 1234);
	assert_int_equal(uc.gid, 5678);
	close(c);
	close(a.fds[0]);
	/* the file's permissions are checked for that user */
	assert_int_equal(chmod(ep.path, 0600), 0);
	assert_int_equal(egress(&ep, SOCK_STREAM, &a), EACCES);
	assert_int_equal(a.rep.reason, GRAFT_R_BIND);
	assert_int_equal(chmod(ep.path, 0666), 0);
	/* a full backlog: EAGAIN at once, not a wait */
	close(l);
	l = unix_ep(&ep, dir, SOCK_STREAM, 0);
	for (n = 0; n < 8 && egress(&ep, SOCK_STREAM, &a) == 0; n++)
		close(a.fds[0]);
	assert_true(n < 8);
	assert_int_equal(a.rep.error, EAGAIN);
	assert_int_equal(a.rep.reason, GRAFT_R_BIND);
	close(l);
	/* a symlink to a live socket elsewhere: ELOOP, never followed */
	l2 = unix_ep(&ep2, other, SOCK_STREAM, 8);
	assert_int_equal(chmod(other, 0755), 0);
	unlink(ep.path);
	assert_int_equal(symlink(ep2.path, ep.path), 0);
	assert_int_equal(egress(&ep, SOCK_STREAM, &a), ELOOP);
	assert_int_equal(a.rep.reason, GRAFT_R_BIND);
	assert_int_equal(a.nfds, 0);
	n = fcntl(l2, F_GETFL);
	assert_int_equal(fcntl(l2, F_SETFL, n | O_NONBLOCK), 0);
	assert_int_equal(accept(l2, NULL, NULL), -1);	/* nothing came */
	unlink(ep.path);
	/* a regular file, a directory, a fifo: ENOTSOCK */
	assert_true((c = open(ep.path, O_CREAT | O_WRONLY, 0666)) >= 0);
	close(c);
	assert_int_equal(egress(&ep, SOCK_STREAM, &a), ENOTSOCK);
	unlink(ep.path);
	assert_int_equal(mkdir(ep.path, 0755), 0);
	assert_int_equal(egress(&ep, SOCK_STREAM, &a), ENOTSOCK);
	rmdir(ep.path);
	assert_int_equal(mkfifo(ep.path, 0666), 0);
	assert_int_equal(egress(&ep, SOCK_DGRAM, &a), ENOTSOCK);
	unlink(ep.path);
	assert_int_equal(egress(&ep, SOCK_STREAM, &a), ENOENT);
	/* one of graftd's own sockets, even by a hard link: EACCES */
	assert_int_equal(stat(ep2.path, &st), 0);
	unixep_self(st.st_dev, st.st_ino);
	assert_int_equal(egress(&ep2, SOCK_STREAM, &a), EACCES);
	assert_int_equal(link(ep2.path, ep.path), 0);
	assert_int_equal(egress(&ep, SOCK_STREAM, &a), EACCES);
	assert_int_equal(accept(l2, NULL, NULL), -1);
	unlink(ep.path);
	unlink(ep2.path);
	close(l2);
	rmdir(dir);
	rmdir(other);
}

/* direction: egress-only refuses ingress and plain binds, ingress-only
 * refuses anything with GRAFT_F_EGRESS */
static void
test_direction(void **state)
{
	struct ep_def ep;
	struct graft_req r = good();
	struct reply rep;
	uint32_t reason = 0;

	(void)state;
	memset(&ep, 0, sizeof(ep));
	ep.family = AF_INET;
	r.flags = GRAFT_F_INGRESS;
	assert_int_equal(req_check_dir(&ep, &r, &reason), 0);
	ep.dir = EP_DIR_EGRESS;
	assert_int_equal(req_check_dir(&ep, &r, &reason), EACCES);
	assert_int_equal(reason, GRAFT_R_DIRECTION);
	r.flags = 0;
	assert_int_equal(req_check_dir(&ep, &r, &reason), EACCES);
	r.flags = GRAFT_F_INGRESS | GRAFT_F_EGRESS;
	assert_int_equal(req_check_dir(&ep, &r, &reason), EACCES);
	r.flags = GRAFT_F_EGRESS | GRAFT_F_BATCH;
	assert_int_equal(req_check_dir(&ep, &r, &reason), 0);
	ep.dir = EP_DIR_INGRESS;
	reason = 0;
	assert_int_equal(req_check_dir(&ep, &r, &reason), EACCES);
	assert_int_equal(reason, GRAFT_R_DIRECTION);
	r.flags = GRAFT_F_INGRESS | GRAFT_F_PORT;
	assert_int_equal(req_check_dir(&ep, &r, &reason), 0);
	r.flags = 0;
	assert_int_equal(req_check_dir(&ep, &r, &reason), 0);
	/* req_grant checks it first */
	r.flags = GRAFT_F_EGRESS;
	ep.addr.v4.s_addr = htonl(INADDR_LOOPBACK);
	ep.dynamic = 1;
	assert_int_equal(req_grant(&ep, &r, &rep), EACCES);
	assert_int_equal(rep.rep.reason, GRAFT_R_DIRECTION);
	assert_int_equal(rep.nfds, 0);
	assert_string_equal(reason_str(GRAFT_R_DIRECTION),
	    "direction not allowed by the endpoint");
}

/* GRAFT_F_BATCH: egress alone, a count 1..MAXBATCH in port */
static void
test_batch_validate(void **state)
{
	struct graft_req r = good();
	uint32_t reason;

	(void)state;
	r.flags = GRAFT_F_EGRESS | GRAFT_F_BATCH;
	r.port = 1;
	assert_int_equal(check(&r, sizeof(r), 0, &reason), 0);
	r.port = GRAFT_PROTO_MAXBATCH;
	assert_int_equal(check(&r, sizeof(r), 0, &reason), 0);
	r.port = 0;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r.port = GRAFT_PROTO_MAXBATCH + 1;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r.port = 4;
	r.flags = GRAFT_F_BATCH;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r.flags = GRAFT_F_EGRESS | GRAFT_F_INGRESS | GRAFT_F_BATCH;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r.flags = GRAFT_F_EGRESS | GRAFT_F_PORT | GRAFT_F_BATCH;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	/* GRAFT_F_INOS only with a batch; no flag above it */
	r.flags = GRAFT_F_EGRESS | GRAFT_F_BATCH | GRAFT_F_INOS;
	assert_int_equal(check(&r, sizeof(r), 0, &reason), 0);
	r.flags = GRAFT_F_EGRESS | GRAFT_F_INOS;
	r.port = 0;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r.flags = GRAFT_F_INGRESS | GRAFT_F_INOS;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r.flags = GRAFT_F_EGRESS | GRAFT_F_BATCH | 0x40;
	r.port = 4;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
}

static void
test_batch_endpoint(void **state)
{
	struct ep_def dyn = ep4("127.0.0.1", 0, 0, 1);
	struct ep_def fixed = ep4("127.0.0.1", 18080, 18080, 0);
	struct ep_def range = ep4("127.0.0.1", 18080, 18090, 0);
	struct ep_def un;
	struct graft_req r = good();
	uint32_t reason = GRAFT_R_OK;

	(void)state;
	memset(&un, 0, sizeof(un));
	un.family = AF_UNIX;
	strcpy(un.path, "/nonexistent/graft-test.sock");
	r.flags = GRAFT_F_EGRESS | GRAFT_F_BATCH;
	r.port = 8;
	assert_int_equal(req_check_batch(&dyn, &r, &reason), 0);
	assert_int_equal(req_check_batch(&fixed, &r, &reason), EOPNOTSUPP);
	assert_int_equal(reason, GRAFT_R_BATCH);
	reason = GRAFT_R_OK;
	assert_int_equal(req_check_batch(&range, &r, &reason), EOPNOTSUPP);
	assert_int_equal(reason, GRAFT_R_BATCH);
	assert_int_equal(req_check_batch(&un, &r, &reason), EOPNOTSUPP);
	r.type = SOCK_DGRAM;
	reason = GRAFT_R_OK;
	assert_int_equal(req_check_batch(&dyn, &r, &reason), EOPNOTSUPP);
	assert_int_equal(reason, GRAFT_R_BATCH);
	/* no batch: nothing to say */
	r.flags = GRAFT_F_EGRESS;
	r.port = 0;
	reason = GRAFT_R_OK;
	assert_int_equal(req_check_batch(&fixed, &r, &reason), 0);
	assert_int_equal(reason, GRAFT_R_OK);
}

/* GRAFT_F_REACH: only with GRAFT_F_PORT, nothing else */
static void
test_reach_validate(void **state)
{
	struct graft_req r = good();
	uint32_t reason;

	(void)state;
	r.flags = GRAFT_F_REACH | GRAFT_F_PORT;
	r.port = 8080;
	assert_int_equal(check(&r, sizeof(r), 0, &reason), 0);
	r.flags = GRAFT_F_REACH;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r.flags = GRAFT_F_REACH | GRAFT_F_PORT | GRAFT_F_EGRESS;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r.flags = GRAFT_F_REACH | GRAFT_F_PORT | GRAFT_F_INGRESS;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
	r.flags = GRAFT_F_REACH | GRAFT_F_PORT | GRAFT_F_BATCH;
	REFUSED(r, EBADMSG, GRAFT_R_MALFORMED);
}

static struct graft_req
reach_req(uint16_t port)
{
	struct graft_req r = good();

	r.flags = GRAFT_F_REACH | GRAFT_F_PORT;
	r.port = port;
	return r;
}

/* The destination is the endpoint's own: its address (the wildcard as
 * loopback), its fixed port or the asked one inside its range. */
static void
test_reach_check(void **state)
{
	struct ep_def fixed = ep4("127.0.0.7", 18080, 18080, 0);
	struct ep_def wild = ep4("0.0.0.0", 18080, 18080, 0);
	struct ep_def range = ep4("127.0.0.1", 18080, 18090, 0);
	struct ep_def dyn = ep4("127.0.0.1", 0, 0, 1);
	struct ep_def out = ep4("127.0.0.1", 18080, 18080, 0);
	struct ep_def six = ep6("::", 18080, 18080, 0);
	struct ep_def ux;
	struct graft_req r = reach_req(8080);
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	uint32_t reason;

	(void)state;
	assert_int_equal(req_check_reach(&fixed, &r, &ss, &len, &reason), 0);
	assert_int_equal(len, sizeof(*sin));
	assert_int_equal(sin->sin_addr.s_addr, inet_addr("127.0.0.7"));
	assert_int_equal(ntohs(sin->sin_port), 18080);
	assert_int_equal(req_check_reach(&wild, &r, &ss, &len, &reason), 0);
	assert_int_equal(sin->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	/* a range: the asked port inside it, nothing outside */
	r.port = 18085;
	assert_int_equal(req_check_reach(&range, &r, &ss, &len, &reason), 0);
	assert_int_equal(ntohs(sin->sin_port), 18085);
	r.port = 8080;
	assert_int_equal(req_check_reach(&range, &r, &ss, &len, &reason),
	    EACCES);
	assert_int_equal(reason, GRAFT_R_PORT);
	/* a dynamic endpoint's port is unknown to graftd */
	assert_int_equal(req_check_reach(&dyn, &r, &ss, &len, &reason),
	    EADDRNOTAVAIL);
	assert_int_equal(reason, GRAFT_R_PORT);
	/* only an endpoint that serves ingress */
	out.dir = EP_DIR_EGRESS;
	assert_int_equal(req_check_reach(&out, &r, &ss, &len, &reason), EACCES);
	assert_int_equal(reason, GRAFT_R_DIRECTION);
	out.dir = EP_DIR_INGRESS;
	assert_int_equal(req_check_reach(&out, &r, &ss, &len, &reason), 0);
	/* stream only, inet only */
	r.type = SOCK_DGRAM;
	assert_int_equal(req_check_reach(&fixed, &r, &ss, &len, &reason),
	    EPROTOTYPE);
	assert_int_equal(reason, GRAFT_R_TYPE);
	r.type = SOCK_STREAM;
	memset(&ux, 0, sizeof(ux));
	ux.family = AF_UNIX;
	strcpy(ux.path, "/run/x.sock");
	assert_int_equal(req_check_reach(&ux, &r, &ss, &len, &reason),
	    EPROTOTYPE);
	/* an option off the allow-list */
	r.nopts = 1;
	r.opts[0].level = SOL_SOCKET;
	r.opts[0].name = SO_BINDTODEVICE;
	assert_int_equal(req_check_reach(&fixed, &r, &ss, &len, &reason),
	    ENOPROTOOPT);
	r.nopts = 0;
	memset(&r.opts[0], 0, sizeof(r.opts[0]));
	/* a dual endpoint: ::1 for an IPv6 socket, 127.0.0.1 for an IPv4 one */
	r.family = AF_INET6;
	assert_int_equal(req_check_reach(&six, &r, &ss, &len, &reason), 0);
	assert_int_equal(len, sizeof(*sin6));
	assert_true(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	r.family = AF_INET;
	assert_int_equal(req_check_reach(&six, &r, &ss, &len, &reason), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(sin->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
}

/* A real listener: graftd's socket comes connecting to it; a refusal is
 * the client's connect()'s. */
static void
test_reach_grant(void **state)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	struct graft_req r = reach_req(8080);
	struct ep_def ep;
	struct reply rep;
	int l, c, fl;

	(void)state;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((l = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(l, 4), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sin, &sl), 0);
	ep = ep4("0.0.0.0", ntohs(sin.sin_port), ntohs(sin.sin_port), 0);
	assert_int_equal(req_grant(&ep, &r, &rep), 0);
	assert_int_equal(rep.nfds, 1);
	assert_int_equal(rep.rep.nfds, 1);
	assert_int_equal(rep.rep.addrlen, sizeof(sin));
	assert_memory_equal(rep.rep.addr, &sin, sizeof(sin));
	fl = fcntl(rep.fds[0], F_GETFL);
	assert_false(fl & O_NONBLOCK);
	assert_true(fcntl(rep.fds[0], F_GETFD) & FD_CLOEXEC);
	/* the client's own connect() to the reply's address completes it */
	if (connect(rep.fds[0], (struct sockaddr *)rep.rep.addr,
	    rep.rep.addrlen) == -1)
		assert_int_equal(errno, EISCONN);
	assert_true((c = accept(l, NULL, NULL)) >= 0);
	assert_int_equal(write(rep.fds[0], "x", 1), 1);
	assert_int_equal(read(c, &fl, 1), 1);
	close(c);
	reply_close(&rep);
	/* nobody listening: graftd does not wait; the client's connect()
	 * to the reply's address learns it */
	close(l);
	assert_int_equal(req_grant(&ep, &r, &rep), 0);
	assert_int_equal(rep.nfds, 1);
	assert_int_equal(connect(rep.fds[0], (struct sockaddr *)rep.rep.addr,
	    rep.rep.addrlen), -1);
	assert_int_equal(errno, ECONNREFUSED);
	reply_close(&rep);
}

static void
test_grant_batch(void **state)
{
	struct ep_def ep = ep4("127.0.0.1", 0, 0, 1);
	struct ep_def fixed = ep4("127.0.0.1", 1, 1, 0);
	struct graft_req r = good();
	struct sockaddr_in sin;
	struct reply rep;
	struct stat a, b;
	unsigned i;
	int v = 1;

	(void)state;
	r.flags = GRAFT_F_EGRESS | GRAFT_F_BATCH;
	r.port = 5;
	assert_int_equal(req_grant(&ep, &r, &rep), 0);
	assert_int_equal(rep.nfds, 5);
	assert_int_equal(rep.rep.nfds, 5);
	assert_int_equal(rep.rep.addrlen, sizeof(sin));
	memcpy(&sin, rep.rep.addr, sizeof(sin));
	assert_int_equal(sin.sin_port, 0);	/* no port held before connect */
	for (i = 0; i < rep.nfds; i++) {
		assert_true(fcntl(rep.fds[i], F_GETFD) & FD_CLOEXEC);
		assert_int_equal(fstat(rep.fds[i], &a), 0);
		if (i) {
			assert_int_equal(fstat(rep.fds[i - 1], &b), 0);
			assert_true(a.st_ino != b.st_ino);
		}
	}
	assert_int_equal(rep.ninos, 0);		/* not asked */
	reply_close(&rep);
	assert_int_equal(rep.nfds, 0);
	assert_int_equal(fcntl(rep.fds[0], F_GETFD), -1);	/* closed */
	/* GRAFT_F_INOS: each socket's identity, in the order of the fds */
	r.flags = GRAFT_F_EGRESS | GRAFT_F_BATCH | GRAFT_F_INOS;
	assert_int_equal(req_grant(&ep, &r, &rep), 0);
	assert_int_equal(rep.nfds, 5);
	assert_int_equal(rep.ninos, 5);
	for (i = 0; i < rep.nfds; i++) {
		assert_int_equal(fstat(rep.fds[i], &a), 0);
		assert_true(rep.inos.ino[i] == (uint64_t)a.st_ino);
		assert_int_equal(rep.inos.dev_major, major(a.st_dev));
		assert_int_equal(rep.inos.dev_minor, minor(a.st_dev));
	}
	reply_close(&rep);
	assert_int_equal(rep.ninos, 0);
	/* a plain egress grant says it carries one */
	r.flags = GRAFT_F_EGRESS;
	r.port = 0;
	assert_int_equal(req_grant(&ep, &r, &rep), 0);
	assert_int_equal(rep.nfds, 1);
	assert_int_equal(rep.rep.nfds, 1);
	reply_close(&rep);
	/* refused before any socket is made */
	r.flags = GRAFT_F_EGRESS | GRAFT_F_BATCH;
	r.port = 3;
	assert_int_equal(req_grant(&fixed, &r, &rep), EOPNOTSUPP);
	assert_int_equal(rep.nfds, 0);
	assert_int_equal(rep.rep.reason, GRAFT_R_BATCH);
	r.nopts = 1;
	r.opts[0] = (struct graft_opt){ SOL_SOCKET, SO_BINDTODEVICE, 1 };
	assert_int_equal(req_grant(&ep, &r, &rep), ENOPROTOOPT);
	assert_int_equal(rep.nfds, 0);
	/* the options apply to every socket of the batch */
	r.opts[0] = (struct graft_opt){ IPPROTO_TCP, TCP_NODELAY, 1 };
	assert_int_equal(req_grant(&ep, &r, &rep), 0);
	assert_int_equal(rep.nfds, 3);
	for (i = 0; i < rep.nfds; i++) {
		socklen_t len = sizeof(v);
		v = 0;
		assert_int_equal(getsockopt(rep.fds[i], IPPROTO_TCP,
		    TCP_NODELAY, &v, &len), 0);
		assert_int_equal(v, 1);
	}
	reply_close(&rep);
}

static void
test_names(void **state)
{
	uint32_t r;

	(void)state;
	for (r = 0; r <= GRAFT_R_MAX; r++)
		assert_non_null(reason_str(r));
	assert_string_equal(reason_str(GRAFT_R_MAX + 1), "unknown reason");
	assert_string_equal(errno_name(EBADMSG), "EBADMSG");
	assert_string_equal(errno_name(123456), "E?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_opts_layout),
		cmocka_unit_test(test_epname),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_check_type),
		cmocka_unit_test(test_check_proto),
		cmocka_unit_test(test_rules_validate),
		cmocka_unit_test(test_optlist),
		cmocka_unit_test(test_opt_applies),
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_grant_inet),
		cmocka_unit_test(test_grant_dual),
		cmocka_unit_test(test_grant_unix),
		cmocka_unit_test(test_unix_egress),
		cmocka_unit_test(test_direction),
		cmocka_unit_test(test_batch_validate),
		cmocka_unit_test(test_batch_endpoint),
		cmocka_unit_test(test_grant_batch),
		cmocka_unit_test(test_reach_validate),
		cmocka_unit_test(test_reach_check),
		cmocka_unit_test(test_reach_grant),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
