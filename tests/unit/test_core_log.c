/* test_core_log.c - the message formatter of log.c: each conversion,
 * the old chained helpers' bytes, and a line that does not fit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "graft_conf.h"
#include "graft_log.h"

static struct graft_ip ip(int family, const char *s)
{
	struct graft_ip a = { .family = family };
	inet_pton(family, s, a.a);
	return a;
}

static struct graft_rule rule(int family, const char *s, unsigned lo, unsigned hi,
	unsigned plen, const char *ep)
{
	struct graft_rule r = { .ip = ip(family, s), .lo = lo, .hi = hi, .plen = plen };
	if (ep) strcpy(r.ep, ep);
	else r.local = 1;
	return r;
}

#define expect(want, ...) do { \
	struct graft_msg m_ = { 0 }; \
	__graft_msgf(&m_, __VA_ARGS__); \
	assert_int_equal(m_.n, strlen(want)); \
	assert_memory_equal(m_.b, want, m_.n); \
} while (0)

static void t_conversions(void **state)
{
	struct graft_ip v4 = ip(AF_INET, "10.1.2.3"), v6 = ip(AF_INET6, "fd00::1");
	(void)state;
	expect("plain", "plain");
	expect("a b", "%s %s", "a", "b");
	expect("0 4294967295 7", "%u %u %u", 0, -1, 7);
	expect("-12 0 2147483647 -2147483648", "%d %d %d %d", -12, 0, 2147483647, -2147483647 - 1);
	expect("10.1.2.3 10.1.2.3", "%I %A", &v4, &v4);
	expect("[fd00::1] fd00::1", "%I %A", &v6, &v6);
	expect("100%", "%u%%", 100);
	expect("abc|", "%.*s|", 3, "abcdef");
	expect("ab|", "%.*s|", 16, "ab");
	expect(strerror(ENOENT), "%E", ENOENT);
	expect("xqy", "x%qy");	/* no such conversion: the letter */
	expect("end%", "end%");
}

/* the chained helpers' output, which tests/ grep for */
static void t_rules(void **state)
{
	struct graft_rule a = rule(AF_INET, "0.0.0.0", 8080, 8080, 0, "ep-http");
	struct graft_rule b = rule(AF_INET6, "::", 80, 90, 0, 0);
	struct graft_rule c = rule(AF_INET, "10.0.0.0", 0, 0, 8, "ep-out");
	struct graft_rule d = rule(AF_INET6, "fd00::", 0, 0, 64, "x");
	struct graft_msg m = { 0 };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(443) };
	(void)state;
	expect("ingress 0.0.0.0:8080 -> ep-http", "%R", &a, 1);
	expect("ingress [::]:80-90 -> local", "%R", &b, 1);
	expect("egress 10.0.0.0/8 -> ep-out", "%R", &c, 0);
	expect("egress fd00::/64 -> x", "%R", &d, 0);
	a.ip.family = AF_UNSPEC;	/* an ingress rule's "*" */
	expect("ingress *:8080 -> ep-http", "%R", &a, 1);
	a.ip.family = AF_INET;
	expect("at [::]:443.", "at %S.", &s6, (unsigned)sizeof s6);
	expect("at ?.", "at %S.", &s6, 1u);
	__graft_msgf(&m, "%R", &b, 1);
	__graft_msgf(&m, "|%S", &s6, (unsigned)sizeof s6);
	assert_string_equal(m.b, "ingress [::]:80-90 -> local|[::]:443");
}

/* control bytes never reach the terminal; a long line is cut, one byte
 * kept for the newline */
static void t_bounds(void **state)
{
	struct { struct graft_msg m; char canary[8]; } x;
	char big[1000];
	(void)state;
	expect("a?b?", "%s", "a\033b\n");
	expect("e?d?", "%.*s", 4, "e\001d\177xyz");
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = 0;
	memset(&x, 0, sizeof x);
	memset(x.canary, 'C', sizeof x.canary);
	__graft_msgf(&x.m, "%s%s%u", big, big, 12345u);
	assert_int_equal(x.m.n, sizeof x.m.b - 1);
	__graft_msgf(&x.m, "more %d", 1);
	assert_int_equal(x.m.n, sizeof x.m.b - 1);
	assert_memory_equal(x.canary, "CCCCCCCC", 8);
	/* a precision larger than the buffer is bounded by it too */
	x.m.n = 0;
	__graft_msgf(&x.m, "%.*s", 100000, big);
	assert_int_equal(x.m.n, sizeof x.m.b - 1);
}

/* __graft_logf: one write of the line and its newline to fd 2 */
static void t_logf(void **state)
{
	int p[2], saved = dup(2);
	char buf[128];
	ssize_t n;
	(void)state;
	assert_int_equal(pipe(p), 0);
	dup2(p[1], 2);
	__graft_logf("graft: fd %d: %s", 5, "x");
	dup2(saved, 2);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, sizeof buf);
	close(p[0]);
	assert_int_equal(n, 15);
	assert_memory_equal(buf, "graft: fd 5: x\n", 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_conversions),
		cmocka_unit_test(t_rules),
		cmocka_unit_test(t_bounds),
		cmocka_unit_test(t_logf),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
