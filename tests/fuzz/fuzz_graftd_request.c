/* fuzz_graftd_request.c - graftd's request parser (src/graftd/request.c)
 * and the table lookup behind it (table.c, with the unit tests' fake
 * netns resolver).  Input: one byte of receive flags (bit 0: MSG_TRUNC,
 * bit 1: the peer is in netns "a" instead of the host), then the record
 * exactly as recvmsg() would have returned it.  Checks that every refusal
 * carries the errno docs/protocol.md gives for its reason, and that an
 * accepted request really is well-formed. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "graftd.h"
#include "fuzz.h"

void	fake_ns_set(const char *, ino_t);

static struct tableset *ts;
static struct ep_def eps[4];

static int
errno_of(uint32_t reason)
{
	switch (reason) {
	case GRAFT_R_MALFORMED: case GRAFT_R_FDS: return EBADMSG;
	case GRAFT_R_VERSION: return EPROTONOSUPPORT;
	case GRAFT_R_PEER: return EPERM;
	case GRAFT_R_NONS: case GRAFT_R_PORT: return EACCES;
	case GRAFT_R_NOENT: return ENOENT;
	case GRAFT_R_TYPE: return EPROTOTYPE;
	case GRAFT_R_OPT: return ENOPROTOOPT;
	case GRAFT_R_LIMIT: return EAGAIN;
	case GRAFT_R_BATCH: return EOPNOTSUPP;
	case GRAFT_R_DIRECTION: return EACCES;
	}
	return -1;
}

static void
setup(void)
{
	static const char *const defs[4][13] = {
		{ "ep-a", "type", "ipv4", "addr", "127.0.0.1", "port", "8080",
		    "netns", "a" },
		{ "ep-r", "type", "ipv4", "addr", "0.0.0.0", "port",
		    "9000-9099", "netns", "a", "direction", "ingress" },
		{ "ep-6", "type", "ipv6", "addr", "::1", "port", "dynamic",
		    "direction", "egress", "netns", "host" },
		{ "ep-u", "type", "unix", "path", "/run/x.sock", "netns", "a" },
	};
	static const int argcs[4] = { 9, 11, 11, 7 };
	char err[ERRBUFSZ];
	int i;

	fake_ns_set("a", 700);
	ts = ts_new();
	FUZZ_CHECK(ts != NULL);
	for (i = 0; i < 4; i++) {
		FUZZ_CHECK(parse_endpoint(argcs[i], (char **)defs[i], &eps[i],
		    err, sizeof(err)) == 0);
		FUZZ_CHECK(ts_add(ts, &eps[i], err, sizeof(err)) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct graft_req req;
	struct nsid id = { 1, 100 };
	struct endpoint *ep;
	char name[EP_NAMESZ];
	uint32_t reason = 0xdead;
	uint16_t port;
	int err, i, e2;
	unsigned k;

	if (ts == NULL)
		setup();
	if (size < 1)
		return 0;
	if (data[0] & 2)
		id.ino = 700;
	err = req_validate(data + 1, size - 1, (data[0] & 1) ? MSG_TRUNC : 0,
	    &req, &reason);
	(void)reason_str(reason);
	(void)errno_name(err);
	if (err != 0) {
		FUZZ_CHECK(reason >= 1 && reason <= GRAFT_R_MAX);
		FUZZ_CHECK(errno_of(reason) == err);
		return 0;
	}
	/* accepted: exactly one well-formed record */
	FUZZ_CHECK(reason == GRAFT_R_OK);
	FUZZ_CHECK(size - 1 == sizeof(req) && !(data[0] & 1));
	FUZZ_CHECK(req.magic == GRAFT_PROTO_MAGIC &&
	    req.version == GRAFT_PROTO_VERSION);
	if (req.op == GRAFT_OP_RULES) {		/* all zero after op */
		for (k = offsetof(struct graft_req, flags); k < sizeof(req); k++)
			FUZZ_CHECK(((const uint8_t *)&req)[k] == 0);
		return 0;
	}
	FUZZ_CHECK(req.op == GRAFT_OP_GRAFT);
	FUZZ_CHECK(!(req.flags & ~GRAFT_F_ALL) && req.nopts <= 8);
	if (req.flags & GRAFT_F_BATCH)
		FUZZ_CHECK((req.flags & ~GRAFT_F_INOS) ==
		    (GRAFT_F_BATCH | GRAFT_F_EGRESS) &&
		    req.port >= 1 && req.port <= GRAFT_PROTO_MAXBATCH);
	if (req.flags & GRAFT_F_INOS)
		FUZZ_CHECK(req.flags & GRAFT_F_BATCH);
	if (req.flags & GRAFT_F_REACH)
		FUZZ_CHECK(req.flags == (GRAFT_F_REACH | GRAFT_F_PORT));
	FUZZ_CHECK(req.epname[0] > 0x20 && req.epname[0] < 0x7f);
	FUZZ_CHECK(req.type == SOCK_STREAM || req.type == SOCK_DGRAM ||
	    req.type == SOCK_SEQPACKET);
	epname_copy(&req, name);
	FUZZ_CHECK(strlen(name) >= 1 && strlen(name) <= GRAFT_PROTO_EPNAME);
	/* what graftd does next: the lookup, then the per-endpoint checks */
	err = ts_lookup(ts, &id, name, &ep);
	FUZZ_CHECK(err == 0 || err == ENOENT || err == EACCES);
	FUZZ_CHECK((err == 0) == (ep != NULL));
	FUZZ_CHECK(err == 0 || ep == NULL);
	if (err == 0)
		FUZZ_CHECK(strcmp(ep->def.name, name) == 0);
	for (i = 0; i < 4; i++) {
		reason = GRAFT_R_OK;
		if (req.flags & GRAFT_F_REACH) {
			/* only to the endpoint's own address family and port */
			struct sockaddr_storage ss;
			socklen_t sl;
			if (req_check_reach(&eps[i], &req, &ss, &sl,
			    &reason) != 0)
				continue;
			FUZZ_CHECK(eps[i].family != AF_UNIX &&
			    !eps[i].dynamic && req.type == SOCK_STREAM &&
			    eps[i].dir != EP_DIR_EGRESS);
			FUZZ_CHECK(ss.ss_family == AF_INET ||
			    ss.ss_family == AF_INET6);
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
			FUZZ_CHECK(port >= eps[i].port_lo &&
			    port <= eps[i].port_hi);
			continue;
		}
		if ((e2 = req_check_dir(&eps[i], &req, &reason)) != 0) {
			FUZZ_CHECK(e2 == EACCES && reason == GRAFT_R_DIRECTION);
			FUZZ_CHECK(eps[i].dir != EP_DIR_BOTH);
			continue;
		}
		if ((e2 = req_check_type(&eps[i], &req, &reason)) != 0) {
			FUZZ_CHECK(e2 == EPROTOTYPE && reason == GRAFT_R_TYPE);
			continue;
		}
		if ((e2 = req_check_opts(&eps[i], &req, &reason)) != 0) {
			FUZZ_CHECK(e2 == ENOPROTOOPT && reason == GRAFT_R_OPT);
			continue;
		}
		if ((e2 = req_check_batch(&eps[i], &req, &reason)) != 0) {
			FUZZ_CHECK(e2 == EOPNOTSUPP && reason == GRAFT_R_BATCH);
			FUZZ_CHECK(eps[i].family == AF_UNIX || !eps[i].dynamic ||
			    req.type != SOCK_STREAM);
			continue;
		}
		for (k = 0; k < req.nopts; k++) {	/* all allowed */
			const struct optrule *r = opt_find(req.opts[k].level,
			    req.opts[k].name);
			FUZZ_CHECK(r != NULL && req.opts[k].value >= r->min &&
			    req.opts[k].value <= r->max);
			(void)opt_applies(r, &eps[i], req.type);
		}
		if ((e2 = req_port(&eps[i], &req, &port, &reason)) != 0) {
			FUZZ_CHECK(e2 == EACCES && reason == GRAFT_R_PORT);
			continue;
		}
		if (eps[i].family == AF_UNIX || eps[i].dynamic)
			FUZZ_CHECK(port == 0);
		else
			FUZZ_CHECK(port >= eps[i].port_lo &&
			    port <= eps[i].port_hi);
	}
	return 0;
}
