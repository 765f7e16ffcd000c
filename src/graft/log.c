/* log.c - one-line messages to stderr, built in a stack buffer and
 * written with a single write(2): no stdio, no allocation, and lines from
 * different threads never interleave. */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "graft_core.h"

/* Only printable ASCII reaches the terminal: a path, a token of a file
 * or an endpoint name may hold control bytes or escape sequences. */
void __graft_msg_str(struct graft_msg *m, const char *s)
{
	unsigned char ch;
	/* keep one byte for the newline __graft_log adds */
	while ((ch = *s++) && m->n < sizeof m->b - 1)
		m->b[m->n++] = ch >= 0x20 && ch < 0x7f ? ch : '?';
}

void __graft_msg_num(struct graft_msg *m, unsigned long v)
{
	char t[3*sizeof v + 1], *p = t + sizeof t - 1;
	*p = 0;
	do *--p = '0' + v % 10; while (v /= 10);
	__graft_msg_str(m, p);
}

void __graft_msg_ip(struct graft_msg *m, const struct graft_ip *ip, int brackets)
{
	char t[INET6_ADDRSTRLEN];
	if (!inet_ntop(ip->family, ip->a, t, sizeof t)) {
		__graft_msg_str(m, "?");
		return;
	}
	if (brackets && ip->family == AF_INET6) __graft_msg_str(m, "[");
	__graft_msg_str(m, t);
	if (brackets && ip->family == AF_INET6) __graft_msg_str(m, "]");
}

/* "ingress 0.0.0.0:8080 -> ep-http", "egress 10.0.0.0/8 -> ep-out" */
void __graft_msg_rule(struct graft_msg *m, const struct graft_rule *r, int ingress)
{
	__graft_msg_str(m, ingress ? "ingress " : "egress ");
	__graft_msg_ip(m, &r->ip, ingress);
	if (ingress) {
		__graft_msg_str(m, ":");
		__graft_msg_num(m, r->lo);
		if (r->hi != r->lo) {
			__graft_msg_str(m, "-");
			__graft_msg_num(m, r->hi);
		}
	} else {
		__graft_msg_str(m, "/");
		__graft_msg_num(m, r->plen);
	}
	__graft_msg_str(m, " -> ");
	__graft_msg_str(m, r->local ? "local" : r->ep);
}

void __graft_msg_sa(struct graft_msg *m, const void *p, unsigned len)
{
	struct graft_ip ip;
	unsigned port;
	if (__graft_sa_ip(p, len, &ip, &port)) {
		__graft_msg_str(m, "?");
		return;
	}
	__graft_msg_ip(m, &ip, 1);
	__graft_msg_str(m, ":");
	__graft_msg_num(m, port);
}

void __graft_log(struct graft_msg *m)
{
	m->b[m->n++] = '\n';
	g_write(2, m->b, m->n);
	m->n--;
}
