/* test_core_afgraft.c - the AF_GRAFT API in the core, on the host: the
 * graft.conf keywords, getaddrinfo/getnameinfo with AF_GRAFT, and AF_GRAFT
 * sockets before their graft (options, names, errors).  The grafting
 * itself runs in tests/e2e/afgraft-*.sh against graftd and the stand-in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <cmocka.h>
#include "graft_conf.h"
#include "graft_fd.h"
#include "graft_hooks.h"

static char confpath[64];

static int setup(void **s)
{
	FILE *f;
	int fd;
	(void)s;
	strcpy(confpath, "/tmp/graft-afg-XXXXXX");
	if ((fd = mkstemp(confpath)) < 0) return -1;
	f = fdopen(fd, "w");
	fprintf(f, "broker /nonexistent/graftd.sock\nprovider broker\nendpoint ep-a ep-b\nendpoint ep-sixteen-chars\n");
	fclose(f);
	setenv("GRAFT_CONF", confpath, 1);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	unlink(confpath);
	return 0;
}

static void t_keywords(void **s)
{
	static struct graft_conf c;
	const char *t;
	(void)s;
#define PARSE(x) (__graft_conf_init(&c), t = (x), __graft_conf_parse(&c, "f", t, strlen(t)))
	assert_int_equal(PARSE("provider kernel\n"), 0);
	assert_int_equal(c.provider, GRAFT_PROV_KERNEL);
	assert_int_equal(PARSE("provider broker\nprovider auto\n"), 0);
	assert_int_equal(c.provider, GRAFT_PROV_AUTO);
	assert_int_equal(PARSE("provider\n"), -1);
	assert_string_equal(c.err, "graft: f:1: 'provider' needs 'auto', 'broker' or 'kernel'");
	assert_int_equal(PARSE("endpoint a b a\nendpoint c\n"), 0);
	assert_int_equal(c.nep, 3);
	assert_string_equal(c.eps[2], "c");
	assert_int_equal(PARSE("endpoint ep-seventeen-chars\n"), -1);
	assert_string_equal(c.err, "graft: f:1: bad endpoint name (1 to 16 printable characters): 'ep-seventeen-chars'");
	assert_int_equal(PARSE("endpoint\n"), -1);
	assert_int_equal(PARSE("endpoint local\n"), -1);
	/* endpoint lines alone graft nothing: inet sockets stay unrecorded */
	assert_int_equal(PARSE("endpoint a\n"), 0);
	__graft_conf_finish(&c);
	assert_int_equal(c.state, GRAFT_CONF_INACTIVE);
}

static void t_getaddrinfo(void **s)
{
	struct addrinfo h = { .ai_family = AF_GRAFT, .ai_socktype = SOCK_STREAM, .ai_flags = AI_CANONNAME }, *r = 0;
	struct sockaddr_gr *g;
	(void)s;
	assert_int_equal(__graft_getaddrinfo("ep-a", 0, &h, &r), 0);
	assert_non_null(r);
	assert_null(r->ai_next);
	assert_int_equal(r->ai_family, AF_GRAFT);
	assert_int_equal(r->ai_socktype, SOCK_STREAM);
	assert_int_equal(r->ai_addrlen, sizeof(struct sockaddr_gr));
	g = (void *)r->ai_addr;
	assert_int_equal(g->sgr_family, AF_GRAFT);
	assert_memory_equal(g->sgr_epname, "ep-a\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_string_equal(r->ai_canonname, "ep-a");
	/* one allocation, as musl's freeaddrinfo expects (slot 0, ref 1) */
	free(r);
	r = 0;
	assert_int_equal(__graft_getaddrinfo("ep-sixteen-chars", "80", &h, &r), 0);
	assert_memory_equal(((struct sockaddr_gr *)r->ai_addr)->sgr_epname, "ep-sixteen-chars", 16);
	free(r);
	assert_int_equal(__graft_getaddrinfo("ep-c", 0, &h, &r), EAI_NONAME);
	assert_int_equal(__graft_getaddrinfo(0, "80", &h, &r), EAI_NONAME);
	assert_int_equal(__graft_getaddrinfo("ep a", 0, &h, &r), EAI_NONAME);
	h.ai_flags = 0x40000;
	assert_int_equal(__graft_getaddrinfo("ep-a", 0, &h, &r), EAI_BADFLAGS);
	h.ai_family = AF_UNSPEC;
	h.ai_flags = 0;
	assert_int_equal(__graft_getaddrinfo("ep-a", 0, &h, &r), GRAFT_PASS);
	assert_int_equal(__graft_getaddrinfo("ep-a", 0, 0, &r), GRAFT_PASS);
}

static void t_getnameinfo(void **s)
{
	struct sockaddr_gr g = { .sgr_family = AF_GRAFT, .sgr_epname = "ep-sixteen-chars" };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char host[32], small[16], serv[8] = "x";
	(void)s;
	assert_int_equal(__graft_getnameinfo((void *)&g, sizeof g, host, sizeof host, serv, sizeof serv, 0), 0);
	assert_string_equal(host, "ep-sixteen-chars");
	assert_string_equal(serv, "");
	assert_int_equal(__graft_getnameinfo((void *)&g, sizeof g, small, sizeof small, 0, 0, 0), EAI_OVERFLOW);
	assert_int_equal(__graft_getnameinfo((void *)&g, 17, host, sizeof host, 0, 0, 0), EAI_FAMILY);
	assert_int_equal(__graft_getnameinfo((void *)&sin, sizeof sin, host, sizeof host, 0, 0, 0), GRAFT_PASS);
}

static int gint(int fd, int level, int name, long *r)
{
	int v = -1;
	socklen_t l = sizeof v;
	*r = __graft_getsockopt(fd, level, name, &v, &l);
	return v;
}

static void t_socket(void **s)
{
	struct sockaddr_gr g;
	socklen_t l = sizeof g;
	int one = 1, i, fd;
	long r;
	(void)s;
	assert_int_equal(__graft_socket(AF_GRAFT, SOCK_RAW, 0), -ESOCKTNOSUPPORT);
	assert_int_equal(__graft_socket(AF_GRAFT, SOCK_STREAM, IPPROTO_UDP), -EPROTONOSUPPORT);
	assert_int_equal(__graft_socket(AF_INET, SOCK_STREAM, 0), GRAFT_PASS);
	fd = __graft_socket(AF_GRAFT, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP);
	assert_true(fd >= 0);
	assert_int_equal(__graft_fd_has(fd), GRAFT_FD_PENDING);
	assert_int_equal(gint(fd, SOL_SOCKET, SO_DOMAIN, &r), AF_GRAFT);
	assert_int_equal(r, 0);
	assert_int_equal(gint(fd, SOL_SOCKET, SO_PROTOCOL, &r), IPPROTO_TCP);
	assert_int_equal(gint(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED, &r), 0);
	gint(fd, IPPROTO_TCP, TCP_NODELAY, &r);
	assert_int_equal(r, -EADDRNOTAVAIL);
	memset(&g, 0x55, sizeof g);
	assert_int_equal(__graft_getsockname(fd, (void *)&g, &l), 0);
	assert_int_equal(l, 18);
	assert_int_equal(g.sgr_family, AF_GRAFT);
	assert_int_equal(g.sgr_epname[0], 0);
	/* options */
	assert_int_equal(__graft_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), -EADDRNOTAVAIL);
	assert_int_equal(__graft_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), GRAFT_PASS);
	assert_int_equal(__graft_setsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED, &one, 2), -EINVAL);
	assert_int_equal(__graft_setsockopt(fd, IPPROTO_GRAFT, 99, &one, sizeof one), -ENOPROTOOPT);
	assert_int_equal(__graft_setsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED_EXECUTE, 0, 0), -EADDRNOTAVAIL);
	assert_int_equal(__graft_setsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED, &one, sizeof one), 0);
	assert_int_equal(gint(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED, &r), 1);
	for (i = 0; i < GRAFT_FD_MAXOPTS; i++)
		assert_int_equal(__graft_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), 0);
	assert_int_equal(__graft_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), -ENOBUFS);
	{
		char big[40] = { 0 };
		assert_int_equal(__graft_setsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_TRANSPARENT, big, 8), -EINVAL);
		((struct graft_sso_trans *)big)->optlen = 29;
		assert_int_equal(__graft_setsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_TRANSPARENT, big, sizeof big), -EINVAL);
	}
	/* nothing executed yet: no results */
	{
		struct graft_sso_result res[4];
		socklen_t rl = sizeof res;
		assert_int_equal(__graft_getsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED_RESULT, res, &rl), 0);
		assert_int_equal(rl, 0);
	}
	/* bind errors as the module's; graftd unreachable */
	memset(&g, 0, sizeof g);
	g.sgr_family = AF_GRAFT;
	memcpy(g.sgr_epname, "ep-a", 4);
	assert_int_equal(__graft_bind(fd, (void *)&g, 17), -EINVAL);
	g.sgr_family = AF_INET;
	assert_int_equal(__graft_bind(fd, (void *)&g, sizeof g), -EAFNOSUPPORT);
	g.sgr_family = AF_GRAFT;
	g.sgr_epname[0] = ' ';
	assert_int_equal(__graft_bind(fd, (void *)&g, sizeof g), -ENOENT);
	g.sgr_epname[0] = 'e';
	assert_int_equal(__graft_bind(fd, (void *)&g, sizeof g), -ENETUNREACH);
	assert_int_equal(__graft_fd_has(fd), GRAFT_FD_PENDING);	/* a retry fails again */
	__graft_close(fd);
	close(fd);
	assert_int_equal(__graft_fd_has(fd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_keywords),
		cmocka_unit_test(t_getaddrinfo),
		cmocka_unit_test(t_getnameinfo),
		cmocka_unit_test(t_socket),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
