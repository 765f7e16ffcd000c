/* graft_reasons.h - the name of each refusal reason (GRAFT_R_* in
 * graft_proto.h): its key in graftd's statistics (graftctl stats) and
 * the text of log and error lines, one table for the libc, graftd and
 * graftctl.  No stdio: the libc includes it.  A reason added to
 * graft_proto.h without its line here fails test_graftd_reasons. */
#ifndef GRAFT_REASONS_H
#define GRAFT_REASONS_H

#include "graft_proto.h"

/* arrays, not pointers: in the libc a table of pointers is 32 relocations
 * every dynamically linked process's loader applies at start */
struct graft_reason {
	const char	key[12];
	const char	text[56];
};

/* a reason from a newer graftd */
#define GRAFT_REASON_UNKNOWN	"unknown reason"

/* static: include it in one file of a program */
static const struct graft_reason graft_reasons[GRAFT_R_MAX + 1] = {
	[GRAFT_R_OK] = { "ok", "granted" },
	[GRAFT_R_MALFORMED] = { "malformed", "malformed request" },
	[GRAFT_R_VERSION] = { "version", "unsupported protocol version" },
	[GRAFT_R_FDS] = { "fds", "request carried file descriptors" },
	[GRAFT_R_PEER] = { "peer", "requesting process not identified" },
	[GRAFT_R_NONS] = { "nons",
	    "no endpoint table for this network namespace" },
	[GRAFT_R_NOENT] = { "noent",
	    "no such endpoint in this network namespace" },
	[GRAFT_R_TYPE] = { "type",
	    "socket type or protocol not allowed for the endpoint" },
	[GRAFT_R_OPT] = { "opt", "socket option not allowed" },
	[GRAFT_R_PORT] = { "port", "port not allowed by the endpoint" },
	[GRAFT_R_SOCKET] = { "socket", "host socket() failed" },
	[GRAFT_R_SETOPT] = { "setopt", "setting an option failed" },
	[GRAFT_R_BIND] = { "bind", "host bind() failed" },
	[GRAFT_R_LIMIT] = { "limit", "limit reached" },
	[GRAFT_R_BATCH] = { "batch", "batch not possible for the endpoint" },
	[GRAFT_R_DIRECTION] = { "direction",
	    "direction not allowed by the endpoint" },
	[GRAFT_R_CONNECT] = { "connect",
	    "connect() to the endpoint's listener failed" },
};

#endif
