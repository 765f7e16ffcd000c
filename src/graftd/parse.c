/* parse.c - the endpoint grammar, shared by graftd.conf, the control
 * socket and graftctl (which checks a command before sending it):
 *
 *   NAME type ipv4|ipv6 addr ADDR port PORT|LO-HI|dynamic netns NS
 *	[shared] [direction ingress|egress|both] [proto tcp|udp]
 *   NAME type unix path PATH netns NS [direction ingress|egress|both]
 *	[user USER[:GROUP]]
 *
 * NS is host, a name in /var/run/netns or a PID.  netns is required: the
 * host's own table (every host process and every --net=host container) is
 * never reached by leaving a word out.  Keywords after NAME come in any
 * order, each at most once; all but the flag "shared" take a value.  Pure
 * code: no I/O, errors are written to a caller's buffer; user names are
 * left to graftd to resolve (ep_resolve_user() in config.c). */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graftd.h"

static int
isname(int c)
{
	return c > 0x20 && c < 0x7f;
}

/* Strict unsigned decimal: digits only, no sign, no leading zeros. */
int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *p;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/* An endpoint name: 1..16 printable characters, no blanks. */
int
parse_epname(const char *s, char *out, size_t outsz)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > GRAFT_PROTO_EPNAME || n >= outsz)
		return -1;
	for (i = 0; i < n; i++)
		if (!isname((unsigned char)s[i]))
			return -1;
	memcpy(out, s, n + 1);
	return 0;
}

int
parse_ns(const char *s, struct ns_spec *ns, char *err, size_t errsz)
{
	unsigned long pid;
	size_t i, n = strlen(s);

	memset(ns, 0, sizeof(*ns));
	if (strcmp(s, "host") == 0) {
		ns->kind = NS_HOST;	/* so no /var/run/netns/host */
		return 0;
	}
	if (parse_uint(s, INT_MAX, &pid) == 0) {
		if (pid == 0)
			goto bad;
		ns->kind = NS_PID;
		ns->pid = (pid_t)pid;
		return 0;
	}
	if (n == 0 || n > NS_NAMEMAX || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		goto bad;
	for (i = 0; i < n; i++)
		if (!isname((unsigned char)s[i]) || s[i] == '/')
			goto bad;
	ns->kind = NS_NAME;
	memcpy(ns->name, s, n + 1);
	return 0;
bad:
	snprintf(err, errsz, "invalid netns \"%.64s\"", s);
	return EINVAL;
}

int
parse_port(const char *s, struct ep_def *ep)
{
	unsigned long lo, hi;
	char buf[16];
	char *dash;

	ep->dynamic = 0;
	if (strcmp(s, "dynamic") == 0) {
		ep->dynamic = 1;
		ep->port_lo = ep->port_hi = 0;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if ((dash = strchr(buf, '-')) != NULL)
		*dash++ = '\0';
	if (parse_uint(buf, 65535, &lo) == -1 || lo == 0)
		return -1;
	hi = lo;
	if (dash && (parse_uint(dash, 65535, &hi) == -1 || hi <= lo))
		return -1;
	ep->port_lo = (uint16_t)lo;
	ep->port_hi = (uint16_t)hi;
	return 0;
}

static int
parse_path(const char *s, struct ep_def *ep)
{
	size_t i, n = strlen(s);

	if (s[0] != '/' || n >= sizeof(ep->path))
		return -1;
	for (i = 0; i < n; i++)
		if (!isname((unsigned char)s[i]))
			return -1;
	memcpy(ep->path, s, n + 1);
	return 0;
}

static int
parse_type(const char *s, struct ep_def *ep)
{
	if (strcmp(s, "ipv4") == 0)
		ep->family = AF_INET;
	else if (strcmp(s, "ipv6") == 0)
		ep->family = AF_INET6;
	else if (strcmp(s, "unix") == 0)
		ep->family = AF_UNIX;
	else
		return -1;
	return 0;
}

static int
parse_dir(const char *s, struct ep_def *ep)
{
	if (strcmp(s, "both") == 0)
		ep->dir = EP_DIR_BOTH;
	else if (strcmp(s, "ingress") == 0)
		ep->dir = EP_DIR_INGRESS;
	else if (strcmp(s, "egress") == 0)
		ep->dir = EP_DIR_EGRESS;
	else
		return -1;
	return 0;
}

static int
parse_proto(const char *s, struct ep_def *ep)
{
	if (strcmp(s, "tcp") == 0)
		ep->proto = EP_PROTO_TCP;
	else if (strcmp(s, "udp") == 0)
		ep->proto = EP_PROTO_UDP;
	else
		return -1;
	return 0;
}

static int
isidchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* One half of USER:GROUP: a number, or a name for graftd to look up
 * ((unsigned)-1 here).  Names: 1..32 of [A-Za-z0-9._-], not all digits
 * and not starting with '-'; the last may be '$' (as useradd allows). */
static int
parse_id(const char *s, size_t n, unsigned *out)
{
	unsigned long v;
	char num[16];
	size_t i;
	int digits = 1;

	if (n == 0 || n > 32 || s[0] == '-')
		return -1;
	for (i = 0; i < n; i++) {
		if (!isidchar(s[i]) && !(s[i] == '$' && i == n - 1))
			return -1;
		if (s[i] < '0' || s[i] > '9')
			digits = 0;
	}
	if (!digits) {
		*out = (unsigned)-1;
		return 0;
	}
	if (n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (parse_uint(num, 0xfffffffeUL, &v) == -1)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* USER[:GROUP]; without GROUP, graftd takes the user's primary group
 * (the gid stays -1 here). */
static int
parse_user(const char *s, struct ep_def *ep)
{
	const char *colon = strchr(s, ':');
	size_t n = strlen(s);
	unsigned uid, gid = (unsigned)-1;

	if (n >= sizeof(ep->user) ||
	    parse_id(s, colon ? (size_t)(colon - s) : n, &uid) == -1 ||
	    (colon && parse_id(colon + 1, strlen(colon + 1), &gid) == -1))
		return -1;
	memcpy(ep->user, s, n + 1);
	ep->uid = (uid_t)uid;
	ep->gid = (gid_t)gid;
	return 0;
}

enum { K_TYPE, K_ADDR, K_PORT, K_PATH, K_NETNS, K_DIR, K_USER, K_SHARED,
    K_PROTO, K_MAX };
static const char *const keywords[K_MAX] = {
	"type", "addr", "port", "path", "netns", "direction", "user", "shared",
	"proto"
};

static int
keyword(const char *s)
{
	int i;

	for (i = 0; i < K_MAX; i++)
		if (strcmp(s, keywords[i]) == 0)
			return i;
	return -1;
}

static int
check_complete(const struct ep_def *ep, const char **val, char *err,
    size_t errsz)
{
	if (val[K_TYPE] == NULL || val[K_NETNS] == NULL) {
		snprintf(err, errsz, "endpoint \"%s\": \"%s\" is required%s",
		    ep->name, val[K_TYPE] == NULL ? "type" : "netns",
		    val[K_TYPE] == NULL ? "" : " (\"netns host\" for the "
		    "host's own table)");
		return EINVAL;
	}
	if (ep->family == AF_UNIX) {
		if (val[K_PATH] == NULL || val[K_ADDR] || val[K_PORT]) {
			snprintf(err, errsz, "endpoint \"%s\": type unix takes "
			    "\"path\" and no \"addr\" or \"port\"", ep->name);
			return EINVAL;
		}
		if (val[K_SHARED] == NULL && val[K_PROTO] == NULL)
			return 0;
		snprintf(err, errsz, "endpoint \"%s\": \"%s\" is for "
		    "ipv4 and ipv6 endpoints", ep->name,
		    val[K_SHARED] ? "shared" : "proto");
		return EINVAL;
	}
	if (val[K_USER]) {
		snprintf(err, errsz, "endpoint \"%s\": \"user\" is for type "
		    "unix only", ep->name);
		return EINVAL;
	}
	if (val[K_ADDR] == NULL || val[K_PORT] == NULL || val[K_PATH]) {
		snprintf(err, errsz, "endpoint \"%s\": type %s takes \"addr\" "
		    "and \"port\" and no \"path\"", ep->name,
		    ep->family == AF_INET ? "ipv4" : "ipv6");
		return EINVAL;
	}
	if (val[K_SHARED] && ep->dynamic) {
		snprintf(err, errsz, "endpoint \"%s\": \"shared\" needs a "
		    "fixed port or a range", ep->name);
		return EINVAL;
	}
	return 0;
}

static int
parse_value(int k, const char *v, struct ep_def *ep, char *err, size_t errsz)
{
	switch (k) {
	case K_TYPE:
		if (parse_type(v, ep) == 0)
			return 0;
		break;
	case K_ADDR:
		return 0;	/* needs the type: done at the end */
	case K_PORT:
		if (parse_port(v, ep) == 0)
			return 0;
		break;
	case K_PATH:
		if (parse_path(v, ep) == 0)
			return 0;
		break;
	case K_NETNS:
		return parse_ns(v, &ep->ns, err, errsz);
	case K_DIR:
		if (parse_dir(v, ep) == 0)
			return 0;
		break;
	case K_USER:
		if (parse_user(v, ep) == 0)
			return 0;
		break;
	case K_SHARED:
		ep->shared = 1;
		return 0;
	case K_PROTO:
		if (parse_proto(v, ep) == 0)
			return 0;
		break;
	}
	snprintf(err, errsz, "argument \"%.64s\" is wrong: invalid %s", v,
	    keywords[k]);
	return EINVAL;
}

static int
parse_addr(const char *v, struct ep_def *ep, char *err, size_t errsz)
{
	if (inet_pton(ep->family, v, &ep->addr) == 1)
		return 0;
	snprintf(err, errsz, "argument \"%.64s\" is wrong: invalid %s address",
	    v, ep->family == AF_INET ? "ipv4" : "ipv6");
	return EINVAL;
}

/* argv[0] is the endpoint name, then keyword/value pairs. */
int
parse_endpoint(int argc, char **argv, struct ep_def *ep, char *err,
    size_t errsz)
{
	const char *val[K_MAX] = { NULL };
	int i, k, rv;

	memset(ep, 0, sizeof(*ep));
	ep->ns.kind = NS_HOST;
	if (argc < 1 || parse_epname(argv[0], ep->name, sizeof(ep->name))) {
		snprintf(err, errsz, "invalid endpoint name \"%.64s\" (1 to %d "
		    "printable characters, no blanks)", argc < 1 ? "" : argv[0],
		    GRAFT_PROTO_EPNAME);
		return EINVAL;
	}
	for (i = 1; i < argc; i += k == K_SHARED ? 1 : 2) {
		if ((k = keyword(argv[i])) == -1) {
			snprintf(err, errsz, "unknown keyword \"%.64s\"",
			    argv[i]);
			return EINVAL;
		}
		if (k != K_SHARED && i + 1 >= argc) {
			snprintf(err, errsz, "\"%s\" needs a value", argv[i]);
			return EINVAL;
		}
		if (val[k] != NULL) {
			snprintf(err, errsz, "duplicate argument \"%s\"",
			    argv[i]);
			return EINVAL;
		}
		val[k] = k == K_SHARED ? argv[i] : argv[i + 1];
		if ((rv = parse_value(k, val[k], ep, err, errsz)) != 0)
			return rv;
	}
	if ((rv = check_complete(ep, val, err, errsz)) != 0)
		return rv;
	if (ep->family != AF_UNIX)
		return parse_addr(val[K_ADDR], ep, err, errsz);
	return 0;
}

void
ns_spec_str(const struct ns_spec *ns, char *buf, size_t sz)
{
	switch (ns->kind) {
	case NS_HOST:
		snprintf(buf, sz, "host");
		break;
	case NS_PID:
		snprintf(buf, sz, "%d", (int)ns->pid);
		break;
	case NS_NAME:
	case NS_PATH:
		snprintf(buf, sz, "%s", ns->name);
		break;
	}
}

int
ns_spec_eq(const struct ns_spec *a, const struct ns_spec *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind == NS_PID)
		return a->pid == b->pid;
	if (a->kind == NS_NAME || a->kind == NS_PATH)
		return strcmp(a->name, b->name) == 0;
	return 1;
}

static void
port_str(const struct ep_def *ep, char *buf, size_t sz)
{
	if (ep->dynamic)
		snprintf(buf, sz, "dynamic");
	else if (ep->port_lo == ep->port_hi)
		snprintf(buf, sz, "%u", ep->port_lo);
	else
		snprintf(buf, sz, "%u-%u", ep->port_lo, ep->port_hi);
}

static const char *
dir_str(int dir)
{
	return dir == EP_DIR_INGRESS ? "ingress" :
	    dir == EP_DIR_EGRESS ? "egress" : "both";
}

/* The keywords after netns, only those not at their default, so that an
 * endpoint without them prints as it always did. */
static const char *
proto_str(int proto)
{
	return proto == EP_PROTO_TCP ? "tcp" : "udp";
}

static void
tail_str(const struct ep_def *ep, char *buf, size_t sz)
{
	char m[INET6_ADDRSTRLEN + 16];
	size_t n = 0;

#define ADD(...) do { if (n < sz) { int k_ = snprintf(buf + n, sz - n, \
    __VA_ARGS__); n += k_ > 0 ? (size_t)k_ : 0; } } while (0)
	buf[0] = '\0';
	if (ep->dir != EP_DIR_BOTH)
		ADD(" direction %s", dir_str(ep->dir));
	if (ep->user[0] != '\0')
		ADD(" user %s", ep->user);
	if (ep->proto != EP_PROTO_ANY)
		ADD(" proto %s", proto_str(ep->proto));
	if (ep->hasmatch) {
		match_str(&ep->match, m, sizeof(m));
		ADD(" match %s", m);
	}
#undef ADD
}

/* One line in the grammar above (no newline); returns snprintf's count. */
size_t
ep_format(const struct ep_def *ep, char *buf, size_t sz)
{
	char addr[INET6_ADDRSTRLEN], port[16], ns[NS_NAMEMAX + 8] = " netns ";
	char tail[EP_USERMAX + INET6_ADDRSTRLEN + 64];
	int n;

	ns_spec_str(&ep->ns, ns + 7, sizeof(ns) - 7);
	tail_str(ep, tail, sizeof(tail));
	if (ep->family == AF_UNIX)
		n = snprintf(buf, sz, "%s type unix path %s%s%s", ep->name,
		    ep->path, ns, tail);
	else {
		inet_ntop(ep->family, &ep->addr, addr, sizeof(addr));
		port_str(ep, port, sizeof(port));
		n = snprintf(buf, sz, "%s type %s addr %s port %s%s%s%s",
		    ep->name, ep->family == AF_INET ? "ipv4" : "ipv6", addr,
		    port, ns, ep->shared ? " shared" : "", tail);
	}
	return n < 0 ? 0 : (size_t)n;
}

/* A JSON string literal; the input is printable ASCII (see isname). */
size_t
json_str(const char *s, char *buf, size_t sz)
{
	size_t n = 0;

#define PUT(c) do { if (n + 1 < sz) buf[n] = (c); n++; } while (0)
	PUT('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			PUT('\\');
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			PUT('?');
		else
			PUT(*s);
	}
	PUT('"');
#undef PUT
	if (sz)
		buf[n < sz ? n : sz - 1] = '\0';
	return n;
}

_Static_assert(NS_NAMEMAX >= EP_PATHMAX, "ep_format_json's buffer");

/* ,"direction":D and ,"user":U,"uid":N,"gid":N when not at the default */
static void
tail_json(const struct ep_def *ep, char *buf, size_t sz)
{
	char u[2 * EP_USERMAX + 3], m[INET6_ADDRSTRLEN + 16];
	size_t n = 0;

#define ADD(...) do { if (n < sz) { int k_ = snprintf(buf + n, sz - n, \
    __VA_ARGS__); n += k_ > 0 ? (size_t)k_ : 0; } } while (0)
	buf[0] = '\0';
	if (ep->dir != EP_DIR_BOTH)
		ADD(",\"direction\":\"%s\"", dir_str(ep->dir));
	if (ep->user[0] != '\0') {
		json_str(ep->user, u, sizeof(u));
		if (ep->uid == (uid_t)-1 || ep->gid == (gid_t)-1)
			ADD(",\"user\":%s", u);
		else
			ADD(",\"user\":%s,\"uid\":%u,\"gid\":%u", u,
			    (unsigned)ep->uid, (unsigned)ep->gid);
	}
	if (ep->proto != EP_PROTO_ANY)
		ADD(",\"proto\":\"%s\"", proto_str(ep->proto));
	if (ep->hasmatch) {
		match_str(&ep->match, m, sizeof(m));
		ADD(",\"match\":\"%s\"", m);	/* no character to escape */
	}
#undef ADD
}

size_t
ep_format_json(const struct ep_def *ep, char *buf, size_t sz)
{
	/* s holds the path or the netns name, each character escaped */
	char name[2 * EP_NAMESZ + 3], s[2 * NS_NAMEMAX + 3];
	char ns[2 * NS_NAMEMAX + 32] = "", addr[INET6_ADDRSTRLEN];
	char port[64], tail[2 * EP_USERMAX + INET6_ADDRSTRLEN + 128];
	int n;

	json_str(ep->name, name, sizeof(name));
	if (ep->ns.kind == NS_NAME || ep->ns.kind == NS_PATH) {
		json_str(ep->ns.name, s, sizeof(s));
		snprintf(ns, sizeof(ns), ",\"netns\":%s", s);
	} else if (ep->ns.kind == NS_PID)
		snprintf(ns, sizeof(ns), ",\"netns_pid\":%d", (int)ep->ns.pid);
	else
		snprintf(ns, sizeof(ns), ",\"netns\":\"host\"");
	tail_json(ep, tail, sizeof(tail));
	if (ep->family == AF_UNIX) {
		json_str(ep->path, s, sizeof(s));
		n = snprintf(buf, sz, "{\"name\":%s,\"type\":\"unix\","
		    "\"path\":%s%s%s}", name, s, ns, tail);
		return n < 0 ? 0 : (size_t)n;
	}
	inet_ntop(ep->family, &ep->addr, addr, sizeof(addr));
	if (ep->dynamic)
		snprintf(port, sizeof(port), "\"port\":0,\"dynamic\":true");
	else if (ep->port_lo == ep->port_hi)
		snprintf(port, sizeof(port), "\"port\":%u", ep->port_lo);
	else
		snprintf(port, sizeof(port), "\"port\":%u,\"port_max\":%u",
		    ep->port_lo, ep->port_hi);
	n = snprintf(buf, sz, "{\"name\":%s,\"type\":\"%s\",\"addr\":\"%s\","
	    "%s%s%s%s}", name, ep->family == AF_INET ? "ipv4" : "ipv6", addr,
	    port, ns, ep->shared ? ",\"shared\":true" : "", tail);
	return n < 0 ? 0 : (size_t)n;
}
