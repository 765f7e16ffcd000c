/* test_core_match.c - which rule a bind address or a destination meets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>
#include "graft_conf.h"

static struct graft_conf c;

static void load(const char *text)
{
	__graft_conf_init(&c);
	assert_int_equal(__graft_conf_parse(&c, "t", text, strlen(text)), 0);
	__graft_conf_finish(&c);
}

static struct graft_ip ip(const char *s)
{
	struct graft_ip a;
	assert_int_equal(__graft_parse_ip(s, strlen(s), &a), 0);
	return a;
}

static const char *in(const char *addr, unsigned port)
{
	struct graft_ip a = ip(addr);
	const struct graft_rule *r = __graft_match_in(&c, &a, port, SOCK_STREAM);
	return r ? r->ep : "-";
}

static const char *eg(const char *addr)
{
	struct graft_ip a = ip(addr);
	const struct graft_rule *r = __graft_match_eg(&c, &a, SOCK_STREAM);
	return r ? r->ep : "-";
}

static const char *reach(const char *addr, unsigned port)
{
	struct graft_ip a = ip(addr);
	const struct graft_rule *r = __graft_match_reach(&c, &a, port);
	return r ? r->ep : "-";
}

static void t_ports(void **s)
{
	(void)s;
	load("ingress 0.0.0.0:8080 one\n"
	     "ingress 0.0.0.0:9000-9099 range\n"
	     "ingress 0.0.0.0:9050 narrow\n"
	     "ingress 0.0.0.0:0 eph\n");
	assert_string_equal(in("0.0.0.0", 8080), "one");
	assert_string_equal(in("0.0.0.0", 8081), "-");
	assert_string_equal(in("0.0.0.0", 9000), "range");
	assert_string_equal(in("0.0.0.0", 9099), "range");
	assert_string_equal(in("0.0.0.0", 9100), "-");
	assert_string_equal(in("0.0.0.0", 9050), "narrow");
	assert_string_equal(in("0.0.0.0", 0), "eph");
}

static void t_wildcard(void **s)
{
	(void)s;
	load("ingress 0.0.0.0:80 any4\n"
	     "ingress 10.0.0.5:80 exact\n"
	     "ingress [::]:80 any6\n"
	     "ingress 127.0.0.1:81 lo\n");
	assert_string_equal(in("0.0.0.0", 80), "any4");
	assert_string_equal(in("10.0.0.5", 80), "exact");
	/* a specific non-loopback address falls under the wildcard rule */
	assert_string_equal(in("192.168.1.1", 80), "any4");
	/* loopback binds are never widened to the host */
	assert_string_equal(in("127.0.0.1", 80), "-");
	assert_string_equal(in("::1", 80), "-");
	assert_string_equal(in("127.0.0.1", 81), "lo");
	/* families stay apart; v4-mapped is IPv4 */
	assert_string_equal(in("::", 80), "any6");
	assert_string_equal(in("fd00::1", 80), "any6");
	assert_string_equal(in("::ffff:0.0.0.0", 80), "any4");
	assert_string_equal(in("::ffff:10.0.0.5", 80), "exact");
	load("ingress [::]:80 any6\n");
	assert_string_equal(in("0.0.0.0", 80), "-");
}

/* "*" is 0.0.0.0 and [::] in one rule; a family's own rule beats it */
static void t_star(void **s)
{
	(void)s;
	load("ingress *:80 both\n"
	     "ingress *:9000-9099 range\n");
	assert_string_equal(in("0.0.0.0", 80), "both");
	assert_string_equal(in("::", 80), "both");
	assert_string_equal(in("::ffff:0.0.0.0", 80), "both");
	assert_string_equal(in("192.168.1.1", 80), "both");
	assert_string_equal(in("fd00::1", 80), "both");
	assert_string_equal(in("::", 9050), "range");
	/* loopback binds stay local, other ports are not taken */
	assert_string_equal(in("127.0.0.1", 80), "-");
	assert_string_equal(in("::1", 80), "-");
	assert_string_equal(in("0.0.0.0", 81), "-");
	assert_string_equal(in("::", 81), "-");
	load("ingress *:80 both\n"
	     "ingress 0.0.0.0:80 any4\n"
	     "ingress [fd00::5]:80 exact6\n"
	     "ingress *:70-90 wide\n"
	     "ingress 127.0.0.1:80 lo\n");
	assert_string_equal(in("0.0.0.0", 80), "any4");
	assert_string_equal(in("10.0.0.1", 80), "any4");
	assert_string_equal(in("::", 80), "both");
	assert_string_equal(in("fd00::5", 80), "exact6");
	assert_string_equal(in("fd00::6", 80), "both");
	assert_string_equal(in("127.0.0.1", 80), "lo");
	assert_string_equal(in("::", 85), "wide");
	assert_string_equal(in("0.0.0.0", 85), "wide");
	/* an address's own rule beats a narrower "*" range */
	load("ingress 0.0.0.0:70-90 any4\n"
	     "ingress *:80 both\n");
	assert_string_equal(in("0.0.0.0", 80), "any4");
	assert_string_equal(in("::", 80), "both");
	/* the explicit wildcards keep their meaning: one family each */
	load("ingress 0.0.0.0:80 any4\n");
	assert_string_equal(in("::", 80), "-");
}

static void t_prefix(void **s)
{
	(void)s;
	load("egress 0.0.0.0/0 default\n"
	     "egress 10.0.0.0/8 ten\n"
	     "egress 10.1.0.0/16 ten-one\n"
	     "egress 10.1.2.3/32 host\n"
	     "egress ::/0 default6\n"
	     "egress 2001:db8::/32 doc\n"
	     "egress 192.168.0.0/16 local\n");
	assert_string_equal(eg("8.8.8.8"), "default");
	assert_string_equal(eg("10.9.9.9"), "ten");
	assert_string_equal(eg("10.1.9.9"), "ten-one");
	assert_string_equal(eg("10.1.2.3"), "host");
	assert_string_equal(eg("192.168.3.4"), "local");
	assert_string_equal(eg("2001:db8::1"), "doc");
	assert_string_equal(eg("2001:db9::1"), "default6");
	/* v4-mapped destinations match IPv4 rules */
	assert_string_equal(eg("::ffff:10.1.2.3"), "host");
	assert_string_equal(eg("::ffff:8.8.4.4"), "default");
	/* loopback and unspecified stay local despite 0/0 */
	assert_string_equal(eg("127.0.0.1"), "local");
	assert_string_equal(eg("127.5.5.5"), "local");
	assert_string_equal(eg("0.0.0.0"), "local");
	assert_string_equal(eg("::1"), "local");
	assert_string_equal(eg("::"), "local");
	assert_string_equal(eg("::ffff:127.0.0.1"), "local");
	/* ... unless a rule at least as long says otherwise */
	load("egress 127.0.0.0/8 hostlo\negress ::1/128 hostlo6\n");
	assert_string_equal(eg("127.0.0.1"), "hostlo");
	assert_string_equal(eg("::1"), "hostlo6");
	load("egress 127.0.0.53/32 dns\n");
	assert_string_equal(eg("127.0.0.53"), "dns");
	assert_string_equal(eg("127.0.0.1"), "local");
	/* no rule at all */
	load("egress 10.0.0.0/8 ten\n");
	assert_string_equal(eg("11.0.0.1"), "-");
	assert_string_equal(eg("fd00::1"), "-");
	/* a /7 and odd lengths */
	load("egress fc00::/7 ula\negress 172.16.0.0/12 rfc1918\n");
	assert_string_equal(eg("fd12::1"), "ula");
	assert_string_equal(eg("fe00::1"), "-");
	assert_string_equal(eg("172.31.255.255"), "rfc1918");
	assert_string_equal(eg("172.32.0.0"), "-");
}

static void t_sockaddr(void **s)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(80) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(443) };
	struct graft_ip a;
	unsigned port;
	(void)s;
	inet_pton(AF_INET, "10.0.0.1", &sin.sin_addr);
	assert_int_equal(__graft_sa_ip((void *)&sin, sizeof sin, &a, &port), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(port, 80);
	assert_int_equal(__graft_sa_ip((void *)&sin, sizeof sin - 1, &a, &port), -1);
	assert_int_equal(__graft_sa_ip(0, 16, &a, &port), -1);
	inet_pton(AF_INET6, "::ffff:10.0.0.1", &sin6.sin6_addr);
	assert_int_equal(__graft_sa_ip((void *)&sin6, sizeof sin6, &a, &port), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(port, 443);
	assert_memory_equal(a.a, &sin.sin_addr, 4);
	assert_int_equal(__graft_sa_ip((void *)&sin6, sizeof sin, &a, &port), -1);
	sin.sin_family = AF_UNIX;
	assert_int_equal(__graft_sa_ip((void *)&sin, sizeof sin, &a, &port), -1);
}

/* connect() from inside to a listener grafted from here: loopback and
 * wildcard destinations only, as a bind there or at the wildcard would
 * match; a local rule keeps it here */
static void t_reach(void **s)
{
	(void)s;
	load("ingress 0.0.0.0:8080 web\n"
	     "ingress *:9000-9009 both\n"
	     "ingress 127.0.0.1:7000 lo\n"
	     "ingress 0.0.0.0:7000 wild\n"
	     "ingress 127.0.0.1:6000 local\n"
	     "ingress 0.0.0.0:6000 six\n");
	assert_string_equal(reach("127.0.0.1", 8080), "web");
	assert_string_equal(reach("127.0.0.9", 8080), "web");
	assert_string_equal(reach("0.0.0.0", 8080), "web");
	assert_string_equal(reach("::1", 8080), "-");		/* IPv4 rule only */
	assert_string_equal(reach("127.0.0.1", 8081), "-");	/* no rule */
	assert_string_equal(reach("10.1.2.3", 8080), "-");	/* not ours: the world */
	assert_string_equal(reach("::1", 9005), "both");
	assert_string_equal(reach("127.0.0.1", 9005), "both");
	assert_string_equal(reach("::", 9009), "both");
	assert_string_equal(reach("127.0.0.1", 7000), "lo");	/* exact first */
	assert_string_equal(reach("127.0.0.2", 7000), "wild");
	assert_string_equal(reach("127.0.0.1", 6000), "-");	/* local rule */
	assert_string_equal(reach("127.0.0.2", 6000), "six");
	load("egress 10.0.0.0/8 out\n");
	assert_string_equal(reach("127.0.0.1", 8080), "-");	/* no ingress rule */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_ports),
		cmocka_unit_test(t_wildcard),
		cmocka_unit_test(t_star),
		cmocka_unit_test(t_prefix),
		cmocka_unit_test(t_sockaddr),
		cmocka_unit_test(t_reach),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
