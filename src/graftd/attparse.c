/* attparse.c - the words of the control commands a CNI plugin sends:
 *
 *   attach ID netns PATH [network NAME]
 *       { endpoint NAME EPWORDS... [match SPEC] }...
 *   detach ID
 *   check ID netns PATH
 *   attachments [network NAME]
 *
 * ID is 1..255 of [A-Za-z0-9_.:/-]; NAME, the CNI network the attachment
 * belongs to (what a CNI GC collects), 1..255 of [A-Za-z0-9_.-] not
 * starting with "_", "." or "-"; PATH an absolute netns file path
 * (at most 255 bytes, printable, no blanks, no "." or ".." component, no
 * empty one); EPWORDS the endpoint keywords of parse.c but netns; SPEC
 * the container-side rule of the endpoint (GRAFT_OP_RULES): an ingress
 * address (*:PORT[-PORT], A.B.C.D:PORT[-PORT], [V6]:PORT[-PORT]) or an
 * egress prefix (PREFIX[/LEN], v6 brackets optional).  Pure code, shared
 * by graftd, graftctl and the tests. */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graftd.h"

#define SEG_MAXWORDS	24	/* NAME, every keyword and its value */

static int
isattachid(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
	    c == '/' || c == '-';
}

int
parse_attach_id(const char *s, char *out, size_t outsz)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > ATTACH_IDMAX || n >= outsz)
		return -1;
	for (i = 0; i < n; i++)
		if (!isattachid((unsigned char)s[i]))
			return -1;
	memcpy(out, s, n + 1);
	return 0;
}

/* A CNI network name: a letter or digit, then letters, digits, _ . - */
int
parse_network(const char *s, char *out, size_t outsz)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > ATTACH_NETMAX || n >= outsz ||
	    !isattachid((unsigned char)s[0]) || s[0] == '_' || s[0] == '.' ||
	    s[0] == '-')
		return -1;
	for (i = 0; i < n; i++)
		if (!isattachid((unsigned char)s[i]) || s[i] == ':' ||
		    s[i] == '/')
			return -1;
	memcpy(out, s, n + 1);
	return 0;
}

int
parse_ns_path(const char *s, struct ns_spec *ns, char *err, size_t errsz)
{
	const char *p, *c;
	size_t n = strlen(s), len;

	memset(ns, 0, sizeof(*ns));
	if (s[0] != '/' || n < 2 || n > NS_NAMEMAX)
		goto bad;
	for (p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			goto bad;
	for (c = s + 1; ; c = p + 1) {
		p = strchr(c, '/');
		len = p ? (size_t)(p - c) : strlen(c);
		if (len == 0 || (len == 1 && c[0] == '.') ||
		    (len == 2 && c[0] == '.' && c[1] == '.'))
			goto bad;
		if (p == NULL)
			break;
	}
	ns->kind = NS_PATH;
	memcpy(ns->name, s, n + 1);
	return 0;
bad:
	snprintf(err, errsz, "invalid netns path \"%.64s\" (absolute, at most "
	    "%d bytes, no blanks, no empty, \".\" or \"..\" component)", s,
	    NS_NAMEMAX);
	return EINVAL;
}

static int
match_ports(const char *s, struct graft_wrule *w)
{
	struct ep_def tmp;

	if (strcmp(s, "dynamic") == 0 || parse_port(s, &tmp) == -1)
		return -1;
	w->port_lo = tmp.port_lo;
	w->port_hi = tmp.port_hi;
	return 0;
}

/* *:PORT[-PORT], A.B.C.D:PORT[-PORT], [V6]:PORT[-PORT] */
static int
match_ingress(const char *s, struct graft_wrule *w)
{
	char a[INET6_ADDRSTRLEN + 2];
	const char *colon;
	size_t n;

	w->dir = GRAFT_WR_INGRESS;
	if (s[0] == '[') {
		if ((colon = strstr(s, "]:")) == NULL ||
		    (n = (size_t)(colon - s - 1)) >= sizeof(a))
			return -1;
		memcpy(a, s + 1, n);
		a[n] = '\0';
		if (inet_pton(AF_INET6, a, w->addr) != 1)
			return -1;
		w->family = 6;
		return match_ports(colon + 2, w);
	}
	if ((colon = strchr(s, ':')) == NULL ||
	    (n = (size_t)(colon - s)) >= sizeof(a))
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	if (strcmp(a, "*") == 0)
		w->family = 0;
	else if (inet_pton(AF_INET, a, w->addr) == 1)
		w->family = 4;
	else
		return -1;
	return match_ports(colon + 1, w);
}

/* No bit set past the prefix length. */
static int
prefix_clean(const uint8_t *a, unsigned plen, unsigned bits)
{
	unsigned i;

	for (i = plen; i < bits; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

/* PREFIX[/LEN]: A.B.C.D, V6 or [V6] */
static int
match_egress(const char *s, struct graft_wrule *w)
{
	char a[INET6_ADDRSTRLEN + 2];
	const char *slash = strchr(s, '/');
	unsigned long len;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned bits;

	w->dir = GRAFT_WR_EGRESS;
	if (n >= sizeof(a))
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	if (n >= 2 && a[0] == '[' && a[n - 1] == ']') {
		memmove(a, a + 1, n - 2);
		a[n - 2] = '\0';
		if (inet_pton(AF_INET6, a, w->addr) != 1)
			return -1;
		w->family = 6;
	} else if (inet_pton(AF_INET, a, w->addr) == 1)
		w->family = 4;
	else if (inet_pton(AF_INET6, a, w->addr) == 1)
		w->family = 6;
	else
		return -1;
	bits = w->family == 4 ? 32 : 128;
	len = bits;
	if (slash && parse_uint(slash + 1, bits, &len) == -1)
		return -1;
	w->plen = (uint8_t)len;
	return prefix_clean(w->addr, w->plen, bits) ? 0 : -1;
}

/* dir: EP_DIR_INGRESS or EP_DIR_EGRESS; 0 or -1. */
int
parse_match(const char *s, int dir, struct graft_wrule *w)
{
	memset(w, 0, sizeof(*w));
	if (dir == EP_DIR_INGRESS)
		return match_ingress(s, w);
	if (dir == EP_DIR_EGRESS)
		return match_egress(s, w);
	return -1;
}

size_t
match_str(const struct graft_wrule *w, char *buf, size_t sz)
{
	char a[INET6_ADDRSTRLEN], p[16];
	int af = w->family == 6 ? AF_INET6 : AF_INET, n;

	if (w->family != 0)
		inet_ntop(af, w->addr, a, sizeof(a));
	if (w->dir == GRAFT_WR_EGRESS) {
		n = snprintf(buf, sz, "%s/%u", a, w->plen);
		return n < 0 ? 0 : (size_t)n;
	}
	if (w->port_lo == w->port_hi)
		snprintf(p, sizeof(p), "%u", w->port_lo);
	else
		snprintf(p, sizeof(p), "%u-%u", w->port_lo, w->port_hi);
	if (w->family == 0)
		n = snprintf(buf, sz, "*:%s", p);
	else if (w->family == 4)
		n = snprintf(buf, sz, "%s:%s", a, p);
	else
		n = snprintf(buf, sz, "[%s]:%s", a, p);
	return n < 0 ? 0 : (size_t)n;
}

/* The words of one endpoint, argv[0] its name: "match SPEC" taken out,
 * "netns" refused (the attachment gives it). */
static int
attach_ep(int argc, char **argv, const struct ns_spec *ns, struct ep_def *ep,
    char *err, size_t errsz)
{
	char *w[SEG_MAXWORDS + 2];
	const char *spec = NULL;
	int i, n = 0, rv;

	if (argc > SEG_MAXWORDS) {
		snprintf(err, errsz, "endpoint \"%.16s\": too many words",
		    argv[0]);
		return EINVAL;
	}
	w[n++] = argv[0];
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "netns") == 0) {
			snprintf(err, errsz, "endpoint \"%.16s\": \"netns\" "
			    "is the attachment's, not an endpoint's", argv[0]);
			return EINVAL;
		}
		if (strcmp(argv[i], "match") == 0 && i + 1 < argc && !spec) {
			spec = argv[++i];
			continue;
		}
		w[n++] = argv[i];
		if (strcmp(argv[i], "shared") == 0)
			continue;
		if (i + 1 >= argc) {
			snprintf(err, errsz, "\"%.16s\" needs a value",
			    argv[i]);
			return EINVAL;
		}
		w[n++] = argv[++i];
	}
	w[n++] = "netns";
	w[n++] = "host";
	if ((rv = parse_endpoint(n, w, ep, err, errsz)) != 0)
		return rv;
	ep->ns = *ns;
	if (spec == NULL)
		return 0;
	if (ep->family == AF_UNIX || ep->dir == EP_DIR_BOTH) {
		snprintf(err, errsz, "endpoint \"%s\": \"match\" needs type "
		    "ipv4 or ipv6 and direction ingress or egress", ep->name);
		return EINVAL;
	}
	if (parse_match(spec, ep->dir, &ep->match) == -1) {
		snprintf(err, errsz, "argument \"%.64s\" is wrong: invalid "
		    "%s match", spec, ep->dir == EP_DIR_INGRESS ? "ingress" :
		    "egress");
		return EINVAL;
	}
	memcpy(ep->match.epname, ep->name, strlen(ep->name));
	ep->hasmatch = 1;
	return 0;
}

static int
dup_name(const struct ep_def *eps, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(eps[i].name, eps[n].name) == 0)
			return 1;
	return 0;
}

/* argv: ID netns PATH [network NAME] {endpoint NAME ...}...; id has
 * ATTACH_IDMAX + 1 bytes, network ATTACH_NETMAX + 1 ("" when none), eps
 * ATTACH_MAXEPS entries.  Endpoints may be none (a netns attached with
 * no port mapping: its rules are none). */
int
parse_attach(int argc, char **argv, char *id, char *network,
    struct ns_spec *ns, struct ep_def *eps, unsigned *neps, char *err,
    size_t errsz)
{
	int i, j, rv;

	*neps = 0;
	network[0] = '\0';
	if (argc < 3 || strcmp(argv[1], "netns") != 0) {
		snprintf(err, errsz, "usage: attach ID netns PATH [network "
		    "NAME] { endpoint NAME ... [ match SPEC ] }...");
		return EINVAL;
	}
	if (parse_attach_id(argv[0], id, ATTACH_IDMAX + 1) == -1) {
		snprintf(err, errsz, "invalid attachment ID \"%.64s\" (1 to "
		    "%d of A-Z a-z 0-9 _ . : / -)", argv[0], ATTACH_IDMAX);
		return EINVAL;
	}
	if ((rv = parse_ns_path(argv[2], ns, err, errsz)) != 0)
		return rv;
	i = 3;
	if (argc > 3 && strcmp(argv[3], "network") == 0) {
		if (argc < 5 || parse_network(argv[4], network,
		    ATTACH_NETMAX + 1) == -1) {
			snprintf(err, errsz, "invalid network name \"%.64s\" "
			    "(1 to %d of A-Z a-z 0-9 _ . -, first a letter or "
			    "digit)", argc < 5 ? "" : argv[4], ATTACH_NETMAX);
			return EINVAL;
		}
		i = 5;
	}
	for (; i < argc; i = j) {
		if (strcmp(argv[i], "endpoint") != 0 || i + 1 >= argc) {
			snprintf(err, errsz, "expected \"endpoint NAME\" at "
			    "\"%.64s\"", argv[i]);
			return EINVAL;
		}
		if (*neps == ATTACH_MAXEPS) {
			snprintf(err, errsz, "too many endpoints (at most %d "
			    "per attachment)", ATTACH_MAXEPS);
			return E2BIG;
		}
		for (j = i + 2; j < argc && strcmp(argv[j], "endpoint") != 0;)
			j += strcmp(argv[j], "shared") == 0 ? 1 : 2;
		if (j > argc)
			j = argc;
		if ((rv = attach_ep(j - i - 1, argv + i + 1, ns, &eps[*neps],
		    err, errsz)) != 0)
			return rv;
		if (dup_name(eps, *neps)) {
			snprintf(err, errsz, "duplicate endpoint \"%s\"",
			    eps[*neps].name);
			return EINVAL;
		}
		(*neps)++;
	}
	return 0;
}
