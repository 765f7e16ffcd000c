/* log.c - one-line messages to stderr, built in a stack buffer and
 * written with a single write(2): no stdio, no allocation, and lines from
 * different threads never interleave.  Async-signal-safe; a line longer
 * than the buffer is cut. */
#include <stdarg.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "graft_conf.h"
#include "graft_log.h"

/* Only printable ASCII reaches the terminal: a path, a token of a file
 * or an endpoint name may hold control bytes or escape sequences.  At
 * most max bytes of s (an endpoint's name may fill its array). */
static void put(struct graft_msg *m, const char *s, size_t max)
{
	unsigned char ch;
	/* keep one byte for the newline __graft_log adds */
	while (max-- && (ch = *s++) && m->n < sizeof m->b - 1)
		m->b[m->n++] = ch >= 0x20 && ch < 0x7f ? ch : '?';
}

static void msg_str(struct graft_msg *m, const char *s)
{
	put(m, s, -1);
}

static void msg_num(struct graft_msg *m, unsigned long v)
{
	char t[3*sizeof v + 1], *p = t + sizeof t - 1;
	*p = 0;
	do *--p = '0' + v % 10; while (v /= 10);
	msg_str(m, p);
}

static void msg_ip(struct graft_msg *m, const struct graft_ip *ip, int brackets)
{
	char t[INET6_ADDRSTRLEN];
	if (ip->family == AF_UNSPEC)	/* an ingress rule's "*" */
		msg_str(m, "*");
	else if (!inet_ntop(ip->family, ip->a, t, sizeof t))
		msg_str(m, "?");
	else if (brackets && ip->family == AF_INET6)
		__graft_msgf(m, "[%s]", t);
	else
		msg_str(m, t);
}

/* "ingress 0.0.0.0:8080 -> ep-http", "egress 10.0.0.0/8 -> ep-out",
 * "dns -> ep-dns"; a broker rule for one protocol says it:
 * "ingress *:8080 tcp -> p0" */
static void msg_rule(struct graft_msg *m, const struct graft_rule *r, int ingress)
{
	if (r->src == GRAFT_SRC_DNS)
		msg_str(m, "dns");
	else if (!ingress)
		__graft_msgf(m, "egress %A/%u", &r->ip, r->plen);
	else if (r->hi != r->lo)
		__graft_msgf(m, "ingress %I:%u-%u", &r->ip, r->lo, r->hi);
	else
		__graft_msgf(m, "ingress %I:%u", &r->ip, r->lo);
	if (r->type) msg_str(m, r->type == SOCK_STREAM ? " tcp" : " udp");
	__graft_msgf(m, " -> %s", r->local ? "local" : r->ep);
}

static void msg_sa(struct graft_msg *m, const void *p, unsigned len)
{
	struct graft_ip ip;
	unsigned port;
	if (__graft_sa_ip(p, len, &ip, &port)) msg_str(m, "?");
	else __graft_msgf(m, "%I:%u", &ip, port);
}

/* Appends fmt to m.  The conversions, and nothing else:
 *   %s  const char * (%.*s: int, then at most that many bytes of it)
 *   %u  unsigned    %d  int
 *   %I  const struct graft_ip *, an IPv6 one in brackets; %A without
 *   %R  const struct graft_rule *, int ingress: "ingress ADDR:PORT -> EP"
 *   %S  const void *sockaddr, unsigned len: "ADDR:PORT"
 *   %E  int errno (positive): its text
 *   %%  a '%' */
void __graft_vmsgf(struct graft_msg *m, const char *fmt, va_list ap)
{
	const void *p = 0;
	size_t max;
	int c, d = 0;

	for (; *fmt; fmt++) {
		if (*fmt != '%' || !fmt[1]) {
			put(m, fmt, 1);
			continue;
		}
		c = *++fmt;
		max = -1;
		if (c == '.' && fmt[1] == '*' && fmt[2] == 's') {
			max = va_arg(ap, int);
			c = *(fmt += 2);
		}
		/* one va_arg per kind of argument: each costs code */
		if (c && strchr("sIARS", c)) p = va_arg(ap, const void *);
		if (c && strchr("udERS", c)) d = va_arg(ap, int);
		switch (c) {
		case 's': put(m, p, max); break;
		case 'u': msg_num(m, (unsigned)d); break;
		case 'd':
			if (d < 0) put(m, "-", 1);
			msg_num(m, d < 0 ? -(unsigned long)d : (unsigned long)d);
			break;
		case 'A':
		case 'I': msg_ip(m, p, c == 'I'); break;
		case 'R': msg_rule(m, p, d); break;
		case 'S': msg_sa(m, p, d); break;
		case 'E': msg_str(m, strerror(d)); break;
		default: put(m, fmt, 1);
		}
	}
}

void __graft_msgf(struct graft_msg *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	__graft_vmsgf(m, fmt, ap);
	va_end(ap);
}

/* One whole line to stderr. */
void __graft_logf(const char *fmt, ...)
{
	struct graft_msg m;
	va_list ap;

	m.n = 0;
	va_start(ap, fmt);
	__graft_vmsgf(&m, fmt, ap);
	va_end(ap);
	__graft_log(&m);
}

void __graft_log(struct graft_msg *m)
{
	m->b[m->n++] = '\n';
	g_write(2, m->b, m->n);
	m->n--;
}
