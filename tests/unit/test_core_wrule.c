/* test_core_wrule.c - "rules broker": the GRAFT_OP_RULES reply decoder
 * (conf_wrule.c), each field of the header and of a rule, how the
 * broker's rules rank after the file's and hold only sockets of their
 * protocol (conf_match.c), and how a line says one (log.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "graft_conf.h"
#include "graft_log.h"

static struct graft_conf c;
static struct {
	struct graft_rep rep;
	struct graft_wrule w[GRAFT_PROTO_MAXRULES + 2];
} rec;
static unsigned nw;
static struct graft_msg why;

static void reset(const char *file)
{
	__graft_conf_init(&c);
	assert_int_equal(__graft_conf_parse(&c, "/etc/graft.conf", file, strlen(file)), 0);
	memset(&rec, 0, sizeof rec);
	rec.rep.magic = GRAFT_PROTO_MAGIC;
	rec.rep.version = GRAFT_PROTO_VERSION;
	rec.rep.op = GRAFT_OP_REPLY;
	nw = 0;
}

static struct graft_wrule *in(int family, const char *addr, unsigned lo, unsigned hi, const char *ep)
{
	struct graft_wrule *w = rec.w + nw++;
	w->dir = GRAFT_WR_INGRESS;
	w->family = family;
	w->port_lo = lo;
	w->port_hi = hi;
	if (addr) inet_pton(family == 4 ? AF_INET : AF_INET6, addr, w->addr);
	memcpy(w->epname, ep, strnlen(ep, sizeof w->epname));
	return w;
}

static struct graft_wrule *eg(int family, const char *addr, unsigned plen, const char *ep)
{
	struct graft_wrule *w = rec.w + nw++;
	w->dir = GRAFT_WR_EGRESS;
	w->family = family;
	w->plen = plen;
	inet_pton(family == 4 ? AF_INET : AF_INET6, addr, w->addr);
	memcpy(w->epname, ep, strnlen(ep, sizeof w->epname));
	return w;
}

static int decode_len(size_t len)
{
	why.n = 0;
	memset(why.b, 0, sizeof why.b);
	return __graft_conf_wrules(&c, &rec, len, &why);
}

static int decode(void)
{
	return decode_len(sizeof rec.rep + nw * sizeof *rec.w);
}

/* refused with this message, and nothing added */
static void bad(const char *msg)
{
	unsigned nin = c.nin, neg = c.neg;
	assert_int_equal(decode(), -1);
	assert_string_equal(why.b, msg);
	assert_int_equal(c.nin, nin);
	assert_int_equal(c.neg, neg);
	assert_int_equal(c.nbin + c.nbeg, 0);
}

static void ip(const struct graft_ip *a, int family, const char *s)
{
	uint8_t b[16] = { 0 };
	assert_int_equal(a->family, family);
	if (family != AF_UNSPEC) inet_pton(family, s, b);
	assert_memory_equal(a->a, b, 16);
}

static void t_layout(void **s)
{
	(void)s;
	assert_int_equal(sizeof(struct graft_wrule), 40);
	assert_int_equal(offsetof(struct graft_wrule, proto), 3);
	assert_int_equal(offsetof(struct graft_wrule, port_lo), 4);
	assert_int_equal(offsetof(struct graft_wrule, addr), 8);
	assert_int_equal(offsetof(struct graft_wrule, epname), 24);
	assert_int_equal(sizeof rec.rep, 148);
}

static void t_good(void **s)
{
	(void)s;
	reset("rules broker\ningress 0.0.0.0:22 ep-file\n");
	in(0, 0, 80, 80, "p0");
	eg(4, "10.0.0.0", 8, "e0")->proto = IPPROTO_UDP;
	in(4, "10.1.2.3", 8000, 8999, "p1")->proto = IPPROTO_TCP;
	in(6, "::", 443, 443, "0123456789abcdef");	/* 16 bytes, no NUL */
	in(6, "::ffff:10.9.9.9", 0, 10, "p3");		/* v4-mapped: IPv4 */
	eg(6, "fd00::", 8, "e1");
	eg(6, "::ffff:192.168.0.0", 112, "e2");		/* IPv4 /16 */
	eg(6, "::", 0, "e3");
	assert_int_equal(decode(), 8);
	assert_int_equal(c.nin, 5);
	assert_int_equal(c.nbin, 4);
	assert_int_equal(c.neg, 4);
	assert_int_equal(c.nbeg, 4);
	/* the file's rule first, the broker's after it, in reply order */
	assert_string_equal(c.in[0].ep, "ep-file");
	ip(&c.in[1].ip, AF_UNSPEC, 0);
	assert_int_equal(c.in[1].lo, 80);
	assert_int_equal(c.in[1].hi, 80);
	assert_int_equal(c.in[1].src, GRAFT_SRC_BROKER);
	assert_int_equal(c.in[1].line, 1);
	assert_int_equal(c.in[1].local, 0);
	assert_int_equal(c.in[1].type, 0);		/* proto 0: any */
	assert_string_equal(c.in[1].ep, "p0");
	ip(&c.in[2].ip, AF_INET, "10.1.2.3");
	assert_int_equal(c.in[2].lo, 8000);
	assert_int_equal(c.in[2].hi, 8999);
	assert_int_equal(c.in[2].line, 3);
	assert_int_equal(c.in[2].type, SOCK_STREAM);	/* tcp */
	ip(&c.in[3].ip, AF_INET6, "::");
	assert_string_equal(c.in[3].ep, "0123456789abcdef");
	ip(&c.in[4].ip, AF_INET, "10.9.9.9");
	assert_int_equal(c.in[4].lo, 0);
	ip(&c.eg[0].ip, AF_INET, "10.0.0.0");
	assert_int_equal(c.eg[0].plen, 8);
	assert_int_equal(c.eg[0].line, 2);
	assert_int_equal(c.eg[0].type, SOCK_DGRAM);	/* udp */
	assert_int_equal(c.eg[1].type, 0);
	ip(&c.eg[1].ip, AF_INET6, "fd00::");
	assert_int_equal(c.eg[1].plen, 8);
	ip(&c.eg[2].ip, AF_INET, "192.168.0.0");
	assert_int_equal(c.eg[2].plen, 16);
	ip(&c.eg[3].ip, AF_INET6, "::");
	assert_int_equal(c.eg[3].plen, 0);
	__graft_conf_finish(&c);
	assert_int_equal(c.state, GRAFT_CONF_ACTIVE);
}

/* "rules broker" alone is active exactly when the broker gives a rule */
static void t_alone(void **s)
{
	(void)s;
	reset("rules broker\n");
	assert_int_equal(decode(), 0);
	__graft_conf_finish(&c);
	assert_int_equal(c.state, GRAFT_CONF_INACTIVE);
	reset("rules broker\n");
	eg(4, "0.0.0.0", 0, "out");
	assert_int_equal(decode(), 1);
	__graft_conf_finish(&c);
	assert_int_equal(c.state, GRAFT_CONF_ACTIVE);
}

static void t_count(void **s)
{
	unsigned i;
	(void)s;
	/* 32 rules next to the file's 64 + 64 */
	reset("");
	for (i = 0; i < GRAFT_MAX_INGRESS; i++) c.in[c.nin++].ip.family = AF_INET;
	for (i = 0; i < GRAFT_MAX_EGRESS; i++) c.eg[c.neg++].ip.family = AF_INET;
	for (i = 0; i < GRAFT_PROTO_MAXRULES; i++)
		if (i & 1) in(0, 0, i, i, "p");
		else eg(4, "10.0.0.0", 8, "e");
	assert_int_equal(decode(), 32);
	assert_int_equal(c.nin, 80);
	assert_int_equal(c.neg, 80);
	/* 33 */
	reset("");
	for (i = 0; i <= GRAFT_PROTO_MAXRULES; i++) in(0, 0, i, i, "p");
	bad("bad reply: 1320 bytes of rules");
	/* not a multiple of 40 */
	reset("");
	in(0, 0, 80, 80, "p");
	assert_int_equal(decode_len(sizeof rec.rep + 39), -1);
	assert_string_equal(why.b, "bad reply: 39 bytes of rules");
	assert_int_equal(decode_len(sizeof rec.rep + 41), -1);
	assert_string_equal(why.b, "bad reply: 41 bytes of rules");
	assert_int_equal(decode_len(sizeof rec.rep - 1), -1);
	assert_string_equal(why.b, "bad reply: 147 bytes");
	assert_int_equal(decode_len(0), -1);
	assert_int_equal(c.nin + c.neg, 0);
}

static void t_header(void **s)
{
	(void)s;
	reset("");
	in(0, 0, 80, 80, "p");
	rec.rep.magic ^= 1;
	bad("bad reply header");
	reset("");
	rec.rep.version = 2;
	bad("bad reply header");
	reset("");
	rec.rep.op = GRAFT_OP_RULES;
	bad("bad reply header");
	reset("");
	in(0, 0, 80, 80, "p");
	rec.rep.reason = GRAFT_R_OK + 1;
	bad("bad reply: a field of the grant not zero");
	reset("");
	rec.rep.addrlen = 4;
	bad("bad reply: a field of the grant not zero");
	reset("");
	rec.rep.addr[GRAFT_PROTO_ADDRMAX - 1] = 1;
	bad("bad reply: a field of the grant not zero");
	reset("");
	rec.rep.nfds = 1;
	bad("bad reply: a field of the grant not zero");
	reset("");
	rec.rep.zero[11] = 1;
	bad("bad reply: a field of the grant not zero");
}

static void t_refused(void **s)
{
	char msg[200];
	(void)s;
	reset("");
	rec.rep.error = EINVAL;
	rec.rep.reason = GRAFT_R_MALFORMED;
	bad("graftd refused the request as malformed (one older than GRAFT_OP_RULES)");
	rec.rep.error = ENOENT;
	rec.rep.reason = GRAFT_R_NONS;
	bad("no endpoint table for this network namespace");
	rec.rep.error = EACCES;
	rec.rep.reason = GRAFT_R_PEER;
	snprintf(msg, sizeof msg, "refused: %s (reason 4)", strerror(EACCES));
	bad(msg);
	rec.rep.error = -1;
	bad("bad refusal");
	rec.rep.error = 4096;
	bad("bad refusal");
	rec.rep.error = ENOENT;
	rec.rep.reason = GRAFT_R_MAX + 1;
	bad("bad refusal");
	/* a refusal carries no rules */
	rec.rep.reason = GRAFT_R_NONS;
	in(0, 0, 80, 80, "p");
	bad("bad refusal");
}

/* one bad field of the second rule: no rule at all */
#define BAD(setup, msg) do { \
	reset(""); \
	in(0, 0, 80, 80, "p0"); \
	{ setup; } \
	bad("bad reply: rule 2: " msg); \
} while (0)

static void t_fields(void **s)
{
	struct graft_wrule *w;
	(void)s;
	BAD(w = in(0, 0, 1, 1, "p"); w->dir = 0, "bad direction");
	BAD(w = in(0, 0, 1, 1, "p"); w->dir = 3, "bad direction");
	BAD(in(0, 0, 1, 1, "p")->proto = 1, "bad protocol");	/* icmp */
	BAD(in(0, 0, 1, 1, "p")->proto = 58, "bad protocol");	/* icmpv6 */
	BAD(in(0, 0, 1, 1, "p")->proto = 132, "bad protocol");	/* sctp */
	BAD(in(0, 0, 1, 1, "p")->proto = 255, "bad protocol");
	BAD(eg(4, "10.0.0.0", 8, "p")->proto = 7, "bad protocol");
	BAD(eg(4, "10.0.0.0", 8, "p")->proto = SOCK_STREAM, "bad protocol");
	BAD(in(5, 0, 1, 1, "p"), "bad family");
	BAD(in(0, 0, 1, 1, "p")->addr[15] = 1, "address in a '*' rule");
	BAD(in(4, "10.0.0.1", 1, 1, "p")->addr[4] = 1, "IPv4 address not zero padded");
	BAD(in(4, "10.0.0.1", 1, 1, "p")->plen = 32, "prefix length in an ingress rule");
	BAD(in(4, "10.0.0.1", 2, 1, "p"), "empty port range");
	BAD(eg(4, "10.0.0.0", 8, "p")->port_lo = 1, "ports in an egress rule");
	BAD(eg(4, "10.0.0.0", 8, "p")->port_hi = 1, "ports in an egress rule");
	BAD(eg(4, "10.0.0.0", 8, "p")->family = 0, "bad family");
	BAD(eg(4, "10.0.0.0", 8, "p")->family = 7, "bad family");
	BAD(eg(4, "10.0.0.0", 33, "p"), "bad prefix length");
	BAD(eg(6, "fd00::", 129, "p"), "bad prefix length");
	BAD(eg(4, "10.0.0.1", 31, "p"), "host bits set beyond the prefix length");
	BAD(eg(4, "10.128.0.0", 8, "p"), "host bits set beyond the prefix length");
	BAD(eg(6, "fd00::1", 64, "p"), "host bits set beyond the prefix length");
	BAD(eg(6, "::ffff:10.0.0.0", 95, "p"), "host bits set beyond the prefix length");
	BAD(eg(6, "::ffff:0.0.0.0", 80, "p"), "host bits set beyond the prefix length");
	BAD(in(0, 0, 1, 1, ""), "no endpoint name");
	BAD(memcpy(in(0, 0, 1, 1, "p")->epname, "ab\0c", 4), "endpoint name not NUL padded");
	BAD(in(0, 0, 1, 1, "a b"), "bad endpoint name");
	BAD(in(0, 0, 1, 1, "a\tb"), "bad endpoint name");
	BAD(in(0, 0, 1, 1, "\x7f"), "bad endpoint name");
	BAD(in(0, 0, 1, 1, "\xc3\xa9"), "bad endpoint name");
	BAD(in(0, 0, 1, 1, "local"), "endpoint name 'local'");
	/* a good one decodes: the macro's setup is sound */
	reset("");
	in(0, 0, 80, 80, "p0");
	eg(6, "::ffff:0.0.0.0", 96, "e");
	assert_int_equal(decode(), 2);
	ip(&c.eg[0].ip, AF_INET, "0.0.0.0");
	assert_int_equal(c.eg[0].plen, 0);
}

static struct graft_ip addr_of(const char *addr)
{
	struct graft_ip a = { 0 };
	a.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	inet_pton(a.family, addr, a.a);
	return a;
}

/* the rules of a bind, a destination, of a socket of type */
static const struct graft_rule *bind_type(const char *addr, unsigned port, int type)
{
	struct graft_ip a = addr_of(addr);
	return __graft_match_in(&c, &a, port, type);
}

static const struct graft_rule *dest_type(const char *addr, int type)
{
	struct graft_ip a = addr_of(addr);
	return __graft_match_eg(&c, &a, type);
}

static const struct graft_rule *bind_rule(const char *addr, unsigned port)
{
	return bind_type(addr, port, SOCK_STREAM);
}

static const struct graft_rule *dest_rule(const char *addr)
{
	return dest_type(addr, SOCK_STREAM);
}

#define EP(r, name) do { const struct graft_rule *r_ = (r); \
	assert_non_null(r_); assert_string_equal(r_->ep, name); } while (0)

/* The file's rules, "local" ones included, are matched first; the
 * broker's only when none of them matches, even a narrower one. */
static void t_precedence(void **s)
{
	(void)s;
	reset("rules broker\n"
		"ingress *:8000-8999 ep-file\n"
		"ingress 0.0.0.0:80 local\n"
		"egress 0.0.0.0/0 out\n"
		"egress 192.168.0.0/16 local\n");
	in(0, 0, 8080, 8080, "p-shadowed");	/* inside the file's range */
	in(0, 0, 80, 80, "p80");
	in(0, 0, 9000, 9000, "p9000");
	in(0, 0, 9000, 9000, "p9000-dup");	/* alike: the first matches */
	in(4, "127.0.0.1", 9001, 9001, "p-lo");
	eg(4, "10.0.0.0", 8, "e-shadowed");
	eg(6, "fd00::", 8, "e6");
	eg(6, "::", 0, "e6-all");
	eg(4, "127.0.0.0", 8, "e-lo");
	assert_int_equal(decode(), 9);
	__graft_conf_finish(&c);
	EP(bind_rule("0.0.0.0", 8080), "ep-file");
	EP(bind_type("0.0.0.0", 8080, SOCK_DGRAM), "ep-file");
	EP(bind_rule("::", 8080), "ep-file");
	/* the file's local rule takes 0.0.0.0:80; [::]:80 it does not */
	assert_true(bind_rule("0.0.0.0", 80)->local);
	EP(bind_rule("::", 80), "p80");
	EP(bind_rule("0.0.0.0", 9000), "p9000");
	EP(bind_rule("10.0.0.1", 9000), "p9000");
	assert_null(bind_rule("127.0.0.1", 9000));	/* loopback: never widened */
	EP(bind_rule("127.0.0.1", 9001), "p-lo");
	assert_null(bind_rule("0.0.0.0", 9002));
	/* egress: 0.0.0.0/0 of the file holds every IPv4 destination */
	EP(dest_rule("10.1.1.1"), "out");
	assert_true(dest_rule("192.168.1.1")->local);
	EP(dest_rule("fd00::1"), "e6");
	EP(dest_rule("2001:db8::1"), "e6-all");
	/* the builtin local rules beat a shorter broker rule */
	assert_int_equal(dest_rule("::1")->src, GRAFT_SRC_BUILTIN);
	/* the file's 0.0.0.0/0 shadows the broker's 127.0.0.0/8, and
	 * the builtin 127.0.0.0/8 beats the file's /0 */
	assert_int_equal(dest_rule("127.0.0.1")->src, GRAFT_SRC_BUILTIN);
	/* reaching a broker-grafted listener from inside */
	{
		struct graft_ip lo = { AF_INET, { 127, 0, 0, 1 } };
		EP(__graft_match_reach(&c, &lo, 9000), "p9000");
	}
}

/* A port mapped for tcp and for udp: a rule for each, each holding
 * only sockets of its own type; one mapped for tcp alone leaves a udp
 * bind in the namespace (no mapping for it, as docker's and podman's);
 * a rule of proto 0, and the file's, hold any type. */
static void t_proto(void **s)
{
	struct graft_msg m = { 0 };
	struct graft_ip lo = { AF_INET, { 127, 0, 0, 1 } };
	(void)s;
	reset("rules broker\ningress *:7000 ep-file\n");
	in(0, 0, 53, 53, "pt")->proto = IPPROTO_TCP;
	in(0, 0, 53, 53, "pu")->proto = IPPROTO_UDP;
	in(0, 0, 80, 80, "p80")->proto = IPPROTO_TCP;
	in(4, "10.0.0.1", 81, 81, "p81-exact")->proto = IPPROTO_TCP;
	in(0, 0, 81, 81, "p81-star")->proto = IPPROTO_UDP;
	in(0, 0, 7000, 7000, "p7000")->proto = IPPROTO_UDP;
	in(0, 0, 90, 90, "p90");
	in(0, 0, 5000, 5000, "p5000")->proto = IPPROTO_UDP;
	eg(4, "10.0.0.0", 8, "e-tcp")->proto = IPPROTO_TCP;
	eg(4, "10.1.0.0", 16, "e-udp")->proto = IPPROTO_UDP;
	eg(4, "0.0.0.0", 0, "e-any");
	assert_int_equal(decode(), 11);
	__graft_conf_finish(&c);
	EP(bind_type("0.0.0.0", 53, SOCK_STREAM), "pt");
	EP(bind_type("0.0.0.0", 53, SOCK_DGRAM), "pu");
	EP(bind_type("::", 53, SOCK_DGRAM), "pu");
	EP(bind_type("0.0.0.0", 80, SOCK_STREAM), "p80");
	assert_null(bind_type("0.0.0.0", 80, SOCK_DGRAM));	/* tcp only */
	assert_null(bind_type("::", 80, SOCK_DGRAM));
	assert_null(bind_type("10.0.0.1", 80, SOCK_DGRAM));
	assert_null(bind_type("0.0.0.0", 80, SOCK_RAW));
	/* an exact rule of the other protocol does not beat a "*" one */
	EP(bind_type("10.0.0.1", 81, SOCK_STREAM), "p81-exact");
	EP(bind_type("10.0.0.1", 81, SOCK_DGRAM), "p81-star");
	/* the file's rule, of no protocol, wins for both */
	EP(bind_type("0.0.0.0", 7000, SOCK_STREAM), "ep-file");
	EP(bind_type("0.0.0.0", 7000, SOCK_DGRAM), "ep-file");
	EP(bind_type("0.0.0.0", 90, SOCK_STREAM), "p90");
	EP(bind_type("0.0.0.0", 90, SOCK_DGRAM), "p90");
	/* egress: the longest prefix of the socket's protocol */
	EP(dest_type("10.1.1.1", SOCK_STREAM), "e-tcp");
	EP(dest_type("10.1.1.1", SOCK_DGRAM), "e-udp");
	EP(dest_type("10.2.1.1", SOCK_DGRAM), "e-any");
	EP(dest_type("192.0.2.1", SOCK_STREAM), "e-any");
	/* a resolver query over udp, then tcp */
	{
		struct graft_ip ns = addr_of("10.0.0.53");
		EP(__graft_match_dns(&c, &ns, SOCK_DGRAM), "e-any");
		EP(__graft_match_dns(&c, &ns, SOCK_STREAM), "e-tcp");
	}
	/* a connect from inside reaches only a listener of a tcp (or any)
	 * rule */
	EP(__graft_match_reach(&c, &lo, 53), "pt");
	EP(__graft_match_reach(&c, &lo, 80), "p80");
	assert_null(__graft_match_reach(&c, &lo, 5000));
	/* the lines say the protocol */
	__graft_msgf(&m, "%R", bind_type("0.0.0.0", 53, SOCK_DGRAM), 1);
	__graft_msgf(&m, "; %R", dest_type("10.1.1.1", SOCK_STREAM), 0);
	__graft_msgf(&m, "; %R", bind_type("0.0.0.0", 90, SOCK_STREAM), 1);
	m.b[m.n] = 0;
	assert_string_equal(m.b, "ingress *:53 udp -> pu; egress 10.0.0.0/8 tcp -> e-tcp; "
		"ingress *:90 -> p90");
}

/* Without file rules a broker rule for 127.0.0.0/8 takes loopback */
static void t_broker_loopback(void **s)
{
	(void)s;
	reset("rules broker\n");
	eg(4, "127.0.0.0", 8, "e-lo");
	eg(4, "0.0.0.0", 0, "e-all");
	assert_int_equal(decode(), 2);
	EP(dest_rule("127.0.0.1"), "e-lo");
	EP(dest_rule("8.8.8.8"), "e-all");
	assert_int_equal(dest_rule("0.0.0.0")->src, GRAFT_SRC_BUILTIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_layout),
		cmocka_unit_test(t_good),
		cmocka_unit_test(t_alone),
		cmocka_unit_test(t_count),
		cmocka_unit_test(t_header),
		cmocka_unit_test(t_refused),
		cmocka_unit_test(t_fields),
		cmocka_unit_test(t_precedence),
		cmocka_unit_test(t_proto),
		cmocka_unit_test(t_broker_loopback),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
