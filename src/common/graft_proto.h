/* graft_proto.h - the wire protocol between the graft core in libc and graftd.
 *
 * One request record, one reply record, over a SOCK_SEQPACKET UNIX socket so
 * that record boundaries are kept by the kernel.  Both records have a fixed
 * size and only fixed-width fields, naturally aligned, so that 32- and 64-bit
 * peers agree on the layout (checked by the static asserts below).  Integers
 * are in the host's byte order: both peers always run on the same kernel.
 * The reply carries the host socket as SCM_RIGHTS when error == 0, or with
 * GRAFT_F_BATCH up to req.port egress sockets at once (rep.nfds says how
 * many); a graftd that predates batches refuses the flag as malformed.
 * A batch asked with GRAFT_F_INOS has a struct graft_inos after the reply
 * in the same record, ino[] cut to rep.nfds entries: the client learns the
 * sockets' identities without an fstat() each (a graftd that predates it
 * refuses the flag as malformed, too).
 * GRAFT_F_REACH asks for a host stream socket whose connect() graftd has
 * started to an ingress endpoint's own address (its wildcard as loopback)
 * and port, so that a program reaches a listener grafted from its own
 * namespace; the reply's addr is that destination, which the client
 * connect()s to again to learn the outcome.  An older graftd refuses the flag as
 * malformed: the client then stays local, as before.
 * docs/protocol.md is the prose version of this file; keep them together. */
#ifndef GRAFT_PROTO_H
#define GRAFT_PROTO_H

#include <stdint.h>

#define GRAFT_PROTO_MAGIC    0x54465247u	/* "GRFT" in little endian */
#define GRAFT_PROTO_VERSION  1
#define GRAFT_PROTO_EPNAME   16		/* = AF_GRAFT_EPNAME_MAX */
#define GRAFT_PROTO_MAXOPTS  8
#define GRAFT_PROTO_ADDRMAX  112	/* >= sizeof(struct sockaddr_un) */
#define GRAFT_PROTO_MAXBATCH 16		/* sockets one GRAFT_F_BATCH reply may carry */
#define GRAFT_PROTO_MAXRULES 32		/* rules one GRAFT_OP_RULES reply may carry */

/* op */
#define GRAFT_OP_GRAFT   1	/* give me a host socket for an endpoint */
#define GRAFT_OP_RULES   2	/* the rules graftd holds for my netns */
#define GRAFT_OP_REPLY   0x81

/* request flags */
#define GRAFT_F_INGRESS  0x1u	/* for bind(): the app will listen/receive on it */
#define GRAFT_F_EGRESS   0x2u	/* for connect()/sendto(): the app will talk out */
#define GRAFT_F_PORT     0x4u	/* req.port is the port the app asked for */
#define GRAFT_F_BATCH    0x8u	/* egress only: req.port sockets at once, 1..MAXBATCH */
#define GRAFT_F_INOS     0x10u	/* with GRAFT_F_BATCH: a graft_inos after the reply */
#define GRAFT_F_REACH    0x20u	/* with GRAFT_F_PORT only: a stream socket connecting
				 * to ingress endpoint epname's own listener */
#define GRAFT_F_ALL      0x3fu

/* reason codes in a reply (error carries the errno) */
#define GRAFT_R_OK        0	/* granted */
#define GRAFT_R_MALFORMED 1	/* bad magic, size, op, flags or padding */
#define GRAFT_R_VERSION   2	/* unsupported protocol version */
#define GRAFT_R_FDS       3	/* the request carried file descriptors */
#define GRAFT_R_PEER      4	/* could not identify the requesting process */
#define GRAFT_R_NONS      5	/* the peer's netns has no endpoint table */
#define GRAFT_R_NOENT     6	/* no such endpoint in the peer's netns */
#define GRAFT_R_TYPE      7	/* socket type/protocol not allowed for endpoint */
#define GRAFT_R_OPT       8	/* a socket option not on the allow-list */
#define GRAFT_R_PORT      9	/* requested port not allowed by the endpoint */
#define GRAFT_R_SOCKET   10	/* socket() on the host failed (error says why) */
#define GRAFT_R_SETOPT   11	/* applying an allowed option failed */
#define GRAFT_R_BIND     12	/* bind() on the host failed (error says why) */
#define GRAFT_R_LIMIT    13	/* per-client, global or netns port limit reached */
#define GRAFT_R_BATCH    14	/* GRAFT_F_BATCH not possible for this endpoint/type */
#define GRAFT_R_DIRECTION 15	/* the endpoint is for the other direction only */
#define GRAFT_R_CONNECT  16	/* GRAFT_F_REACH: connect() to the endpoint failed */
#define GRAFT_R_MAX      16

/* An int-valued socket option to apply before the host bind(). */
struct graft_opt {
	int32_t level;
	int32_t name;
	int32_t value;
};

struct graft_req {
	uint32_t magic;		/* GRAFT_PROTO_MAGIC */
	uint16_t version;	/* GRAFT_PROTO_VERSION */
	uint16_t op;		/* GRAFT_OP_GRAFT */
	uint32_t flags;		/* GRAFT_F_* */
	int32_t  family;	/* family of the app's socket: AF_INET, AF_INET6, AF_GRAFT */
	int32_t  type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET; no flags */
	int32_t  protocol;	/* 0 or the IPPROTO_* matching type */
	uint16_t port;		/* GRAFT_F_PORT: the port; GRAFT_F_BATCH: the count */
	uint16_t nopts;		/* used entries of opts; the rest must be zero */
	char     epname[GRAFT_PROTO_EPNAME];	/* NUL padded, need not be terminated */
	struct graft_opt opts[GRAFT_PROTO_MAXOPTS];
};

struct graft_rep {
	uint32_t magic;		/* GRAFT_PROTO_MAGIC */
	uint16_t version;	/* GRAFT_PROTO_VERSION */
	uint16_t op;		/* GRAFT_OP_REPLY */
	int32_t  error;		/* 0, or a positive errno (Linux generic numbering) */
	uint32_t reason;	/* GRAFT_R_* */
	uint32_t addrlen;	/* valid bytes of addr: where the host socket is bound */
	uint8_t  addr[GRAFT_PROTO_ADDRMAX];
	uint32_t nfds;		/* fds attached; 0 from an older graftd: 1 if granted */
	uint8_t  zero[12];	/* reserved, 0 */
};

/* The identities (fstat) of a batch's sockets, in the order of the fds.
 * The device as major/minor: the peers' dev_t encodings may differ. */
struct graft_inos {
	uint32_t dev_major;
	uint32_t dev_minor;
	uint64_t ino[GRAFT_PROTO_MAXBATCH];
};
#define GRAFT_INOS_LEN(n)	(8 + 8 * (n))	/* bytes sent for n sockets */

/* GRAFT_OP_RULES: the request is a graft_req with every field after op
 * zero; the reply is a graft_rep (no fds) followed, in the same record,
 * by 0..GRAFT_PROTO_MAXRULES of these: the container-side rules of the
 * endpoints a CNI attachment gave the peer's netns (graft.conf's
 * "rules broker").  An older graftd refuses the op as malformed. */
#define GRAFT_WR_INGRESS 1	/* a bind to addr and a port in lo..hi */
#define GRAFT_WR_EGRESS  2	/* a destination in addr/plen */

struct graft_wrule {
	uint8_t  dir;		/* GRAFT_WR_* */
	uint8_t  family;	/* 4, 6; 0 with ingress: both wildcards ("*") */
	uint8_t  plen;		/* egress: prefix length; ingress: 0 */
	uint8_t  proto;		/* 0: any, 6: tcp, 17: udp (IPPROTO_*) */
	uint16_t port_lo;	/* ingress: the container-side ports; egress: 0 */
	uint16_t port_hi;
	uint8_t  addr[16];	/* ipv4 in the first 4 bytes, rest 0 */
	char     epname[GRAFT_PROTO_EPNAME];	/* NUL padded */
};

_Static_assert(sizeof(struct graft_wrule) == 40, "graft_wrule layout");
_Static_assert(sizeof(struct graft_inos) == 8 + 8 * GRAFT_PROTO_MAXBATCH, "graft_inos layout");
_Static_assert(sizeof(struct graft_opt) == 12, "graft_opt layout");
_Static_assert(sizeof(struct graft_req) == 140, "graft_req layout");
_Static_assert(sizeof(struct graft_rep) == 148, "graft_rep layout");

#endif
