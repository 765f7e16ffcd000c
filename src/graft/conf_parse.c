/* conf_parse.c - graft.conf: one directive per line, '#' starts a comment.
 *
 *   broker   PATH
 *   ingress  ADDR:PORT[-PORT]  ENDPOINT|local  [view program|host]
 *   egress   PREFIX[/LEN]      ENDPOINT|local
 *   host     NAME ADDR...
 *   verbose
 *   fallback none|local
 *   provider auto|broker|kernel
 *   endpoint NAME...
 *   egress-batch N             (0..16, default 8)
 *   view     program|host      (default program)
 *   rules    broker            (also the rules graftd gives this netns)
 *
 * The first problem breaks the whole configuration: its message is kept
 * as one line naming the file and line, and nothing is ever grafted. */
#include <string.h>
#include "graft_conf.h"
#include "graft_log.h"
#include "graft_view.h"

void __graft_conf_init(struct graft_conf *c)
{
	memset(c, 0, sizeof *c);
	__graft_conf_defaults(c);
}

/* the nonzero defaults, on a struct known to be zero */
void __graft_conf_defaults(struct graft_conf *c)
{
	c->file = GRAFT_DEFAULT_CONF;
	memcpy(c->broker, GRAFT_DEFAULT_BROKER, sizeof GRAFT_DEFAULT_BROKER);
	c->egress_batch = GRAFT_EGRESS_BATCH;
	c->view = GRAFT_VIEW_PROGRAM;
}

/* "FILE:LINE" or "GRAFT_INGRESS_CONVERT item N" */
void __graft_msg_src(struct graft_msg *m, const struct graft_conf *c, int src, unsigned line)
{
	static const char *const what[] = {
		[GRAFT_SRC_ENV_IN] = "GRAFT_INGRESS_CONVERT item ",
		[GRAFT_SRC_ENV_EG] = "GRAFT_EGRESS_CONVERT item ",
		[GRAFT_SRC_BUILTIN] = "builtin rule ",
		[GRAFT_SRC_BROKER] = "broker rule ",
	};
	if (src == GRAFT_SRC_FILE) __graft_msgf(m, "%s:%u", c->file, line);
	else __graft_msgf(m, "%s%u", what[src], line);
}

/* Keeps the first problem only; always returns -1.  A secure program
 * does not quote arg: the file may be one its caller cannot read. */
int __graft_conf_error(struct graft_conf *c, int src, unsigned line, const char *what, const char *arg)
{
	struct graft_msg m = { 0 };
	if (c->state == GRAFT_CONF_BROKEN) return -1;
	c->state = GRAFT_CONF_BROKEN;
	__graft_msgf(&m, "graft: ");
	if (line) {
		__graft_msg_src(&m, c, src, line);
		__graft_msgf(&m, ": ");
	} else if (src == GRAFT_SRC_FILE) {
		__graft_msgf(&m, "%s: ", c->file);
	}
	__graft_msgf(&m, "%s", what);
	if (arg && c->secure && m.b[m.n - 1] == ':') m.n--;
	if (arg && !c->secure) __graft_msgf(&m, " '%s'", arg);
	if (m.n >= sizeof c->err) m.n = sizeof c->err - 1;
	memcpy(c->err, m.b, m.n);
	c->err[m.n] = 0;
	return -1;
}

static int is_space(int ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

/* Splits a line copy into at most max words; a '#' ends the line. */
static int split(char *s, char **w, int max)
{
	int n = 0;
	for (;;) {
		while (is_space(*s)) s++;
		if (!*s || *s == '#') return n;
		if (n == max) return max + 1;
		w[n++] = s;
		while (*s && !is_space(*s) && *s != '#') s++;
		if (*s == '#') { *s = 0; return n; }
		if (*s) *s++ = 0;
	}
}

static int valid_hostname(const char *s)
{
	size_t n = strlen(s), i;
	if (!n || n > GRAFT_HOSTNAME_MAX || *s == '.' || *s == '-') return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = s[i];
		if (!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z')
		 && !(ch >= '0' && ch <= '9') && ch != '.' && ch != '-' && ch != '_')
			return 0;
	}
	return 1;
}

static int lower_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		unsigned char x = *a | (*a >= 'A' && *a <= 'Z' ? 0x20 : 0);
		unsigned char y = *b | (*b >= 'A' && *b <= 'Z' ? 0x20 : 0);
		if (x != y) return 0;
	}
	return *a == *b;
}

static int do_host(struct graft_conf *c, unsigned ln, char **w, int n)
{
	struct graft_host *h;
	unsigned i;
	int k;
	if (n < 3) return __graft_conf_error(c, 0, ln, "'host' needs a name and at least one address", 0);
	if (n > 2 + GRAFT_MAX_HADDR) return __graft_conf_error(c, 0, ln, "too many addresses for host (at most 8):", w[1]);
	if (!valid_hostname(w[1])) return __graft_conf_error(c, 0, ln, "bad host name", w[1]);
	for (i = 0; i < c->nhost; i++) {
		if (!lower_eq(c->host[i].name, w[1])) continue;
		struct graft_msg m = { 0 };
		__graft_msgf(&m, "host already named on line %u:", c->host[i].line);
		return __graft_conf_error(c, 0, ln, m.b, w[1]);
	}
	if (c->nhost == GRAFT_MAX_HOSTS) return __graft_conf_error(c, 0, ln, "too many host lines (at most 32)", 0);
	h = c->host + c->nhost;
	memset(h, 0, sizeof *h);
	memcpy(h->name, w[1], strlen(w[1]));
	h->line = ln;
	for (k = 2; k < n; k++)
		if (__graft_parse_ip(w[k], strlen(w[k]), h->addr + h->n++))
			return __graft_conf_error(c, 0, ln, "bad address", w[k]);
	c->nhost++;
	return 0;
}

/* "program" or "host": GRAFT_VIEW_*, 0 for anything else */
static int view_word(const char *s)
{
	if (!strcmp(s, "program")) return GRAFT_VIEW_PROGRAM;
	if (!strcmp(s, "host")) return GRAFT_VIEW_HOST;
	return 0;
}

static int do_rule(struct graft_conf *c, unsigned ln, char **w, int n, int in)
{
	struct graft_rule r;
	const char *e;
	if (in && n == 5 && strcmp(w[3], "view"))
		return __graft_conf_error(c, 0, ln, "unknown ingress option", w[3]);
	if (in && n == 5 && !view_word(w[4]))
		return __graft_conf_error(c, 0, ln, "'view' needs 'program' or 'host'", 0);
	if (n != 3 && !(in && n == 5)) return __graft_conf_error(c, 0, ln, in
		? "'ingress' needs ADDR:PORT and an endpoint"
		: "'egress' needs PREFIX/LEN and an endpoint", 0);
	memset(&r, 0, sizeof r);
	if (n == 5) r.view = view_word(w[4]);
	r.src = GRAFT_SRC_FILE;
	r.line = ln;
	e = in ? __graft_parse_ingress(w[1], &r, 0) : __graft_parse_egress(w[1], &r);
	if (e) return __graft_conf_error(c, 0, ln, e, w[1]);
	if ((e = __graft_parse_epname(w[2], &r))) return __graft_conf_error(c, 0, ln, e, w[2]);
	return in ? __graft_add_ingress(c, &r) : __graft_add_egress(c, &r);
}

/* "dns ENDPOINT|local": the resolver's queries to any nameserver */
static int do_dns(struct graft_conf *c, unsigned ln, char **w, int n)
{
	struct graft_rule r;
	const char *e;
	if (n != 2) return __graft_conf_error(c, 0, ln, "'dns' needs an endpoint or 'local'", 0);
	if (c->ndns) return __graft_conf_error(c, 0, ln, "'dns' given twice", 0);
	memset(&r, 0, sizeof r);
	if ((e = __graft_parse_epname(w[1], &r))) return __graft_conf_error(c, 0, ln, e, w[1]);
	r.src = GRAFT_SRC_DNS;
	r.line = ln;
	c->dns = r;
	c->ndns = 1;
	return 0;
}

/* "rules broker": graftd's rules for this netns are added at load
 * (broker_rules.c), after the file's, which they never override */
static int do_rules(struct graft_conf *c, unsigned ln, char **w, int n)
{
	if (n != 2 || strcmp(w[1], "broker"))
		return __graft_conf_error(c, 0, ln, "'rules' needs 'broker'", 0);
	if (c->rules) return __graft_conf_error(c, 0, ln, "'rules' given twice", 0);
	c->rules = ln;
	return 0;
}

/* "endpoint NAME...": the names getaddrinfo(AF_GRAFT) resolves */
static int do_endpoint(struct graft_conf *c, unsigned ln, char **w, int n)
{
	int k;
	unsigned i;
	if (n < 2) return __graft_conf_error(c, 0, ln, "'endpoint' needs at least one name", 0);
	for (k = 1; k < n; k++) {
		size_t l = strlen(w[k]);
		if (!__graft_epname_ok(w[k], l) || !strcmp(w[k], "local"))
			return __graft_conf_error(c, 0, ln, "bad endpoint name (1 to 16 printable characters):", w[k]);
		for (i = 0; i < c->nep && strcmp(c->eps[i], w[k]); i++);
		if (i < c->nep) continue;
		if (c->nep == GRAFT_MAX_EPS) return __graft_conf_error(c, 0, ln, "too many endpoint names (at most 64)", 0);
		memcpy(c->eps[c->nep++], w[k], l + 1);
	}
	return 0;
}

static int do_line(struct graft_conf *c, unsigned ln, char *s)
{
	char *w[2 + GRAFT_MAX_HADDR + 2];
	int n = split(s, w, sizeof w / sizeof *w - 1);

	if (!n) return 0;
	if (n >= (int)(sizeof w / sizeof *w)) return __graft_conf_error(c, 0, ln, "too many words", 0);
	/* rules and hosts keep their line in 16 bits (for messages) */
	if (ln > 0xffff) return __graft_conf_error(c, 0, ln, "directive past line 65535", 0);
	if (!strcmp(w[0], "ingress")) return do_rule(c, ln, w, n, 1);
	if (!strcmp(w[0], "egress")) return do_rule(c, ln, w, n, 0);
	if (!strcmp(w[0], "host")) return do_host(c, ln, w, n);
	if (!strcmp(w[0], "dns")) return do_dns(c, ln, w, n);
	if (!strcmp(w[0], "rules")) return do_rules(c, ln, w, n);
	if (!strcmp(w[0], "broker")) {
		size_t l;
		if (n != 2) return __graft_conf_error(c, 0, ln, "'broker' needs one path", 0);
		l = strlen(w[1]);
		if (w[1][0] != '/') return __graft_conf_error(c, 0, ln, "broker path must be absolute:", w[1]);
		if (l >= GRAFT_PATH_MAX) return __graft_conf_error(c, 0, ln, "broker path longer than 107 bytes:", w[1]);
		memcpy(c->broker, w[1], l + 1);
		return 0;
	}
	if (!strcmp(w[0], "verbose")) {
		if (n != 1) return __graft_conf_error(c, 0, ln, "'verbose' takes no argument", 0);
		c->verbose = 1;
		return 0;
	}
	if (!strcmp(w[0], "fallback")) {
		if (n == 2 && !strcmp(w[1], "local")) c->fallback = 1;
		else if (n == 2 && !strcmp(w[1], "none")) c->fallback = 0;
		else return __graft_conf_error(c, 0, ln, "'fallback' needs 'local' or 'none'", 0);
		return 0;
	}
	if (!strcmp(w[0], "provider")) {
		if (n == 2 && !strcmp(w[1], "auto")) c->provider = GRAFT_PROV_AUTO;
		else if (n == 2 && !strcmp(w[1], "broker")) c->provider = GRAFT_PROV_BROKER;
		else if (n == 2 && !strcmp(w[1], "kernel")) c->provider = GRAFT_PROV_KERNEL;
		else return __graft_conf_error(c, 0, ln, "'provider' needs 'auto', 'broker' or 'kernel'", 0);
		return 0;
	}
	if (!strcmp(w[0], "egress-batch")) {
		/* sockets per graftd request for egress; 0 (or 1): one each */
		const char *d = n == 2 ? w[1] : "";
		unsigned v = 0;
		if (!*d || strlen(d) > 2) d = "x";
		for (; *d >= '0' && *d <= '9'; d++) v = v * 10 + (*d - '0');
		if (*d || v > GRAFT_PROTO_MAXBATCH)
			return __graft_conf_error(c, 0, ln, "'egress-batch' needs a number from 0 to 16", 0);
		c->egress_batch = v;
		return 0;
	}
	if (!strcmp(w[0], "endpoint")) return do_endpoint(c, ln, w, n);
	if (!strcmp(w[0], "view")) {
		if (n != 2 || !view_word(w[1]))
			return __graft_conf_error(c, 0, ln, "'view' needs 'program' or 'host'", 0);
		c->view = view_word(w[1]);
		return 0;
	}
	return __graft_conf_error(c, 0, ln, "unknown keyword", w[0]);
}

int __graft_conf_parse(struct graft_conf *c, const char *file, const char *buf, size_t len)
{
	char line[GRAFT_LINE_MAX];
	const char *p = buf, *end = buf + len, *nl;
	unsigned ln = 0;

	c->file = file;
	while (p < end) {
		size_t n;
		nl = memchr(p, '\n', end - p);
		if (!nl) nl = end;
		n = nl - p;
		ln++;
		if (n >= sizeof line) return __graft_conf_error(c, 0, ln, "line longer than 1023 bytes", 0);
		if (memchr(p, 0, n)) return __graft_conf_error(c, 0, ln, "NUL byte in line", 0);
		memcpy(line, p, n);
		line[n] = 0;
		if (do_line(c, ln, line)) return -1;
		p = nl + 1;
	}
	return 0;
}

/* Active when something can match: rules or host names. */
void __graft_conf_finish(struct graft_conf *c)
{
	unsigned i;
	if (c->state == GRAFT_CONF_BROKEN) return;
	for (c->nview = i = 0; i < c->nin; i++)
		c->nview += __graft_view_of(c, c->in + i);
	c->state = c->nin || c->neg || c->nhost || c->ndns ? GRAFT_CONF_ACTIVE : GRAFT_CONF_INACTIVE;
}
