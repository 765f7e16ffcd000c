/* test_graftd_table.c - endpoint tables (table.c), the endpoint grammar
 * (parse.c) and graftd.conf (config.c), with a fake netns resolver. */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "graftd.h"

void	fake_ns_set(const char *, ino_t);
void	fake_ns_clear(void);
extern int fake_resolves;

static const struct nsid HOST = { 1, 100 };

static char err[ERRBUFSZ];

/* Parse a line of the grammar (words split on blanks). */
static int
parse(const char *line, struct ep_def *ep)
{
	char buf[512], *argv[32], *p;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (p = strtok(buf, " "); p && argc < 32; p = strtok(NULL, " "))
		argv[argc++] = p;
	return parse_endpoint(argc, argv, ep, err, sizeof(err));
}

static int
add(struct tableset *ts, const char *line)
{
	struct ep_def ep;
	int rv;

	if ((rv = parse(line, &ep)) != 0)
		return rv;
	return ts_add(ts, &ep, err, sizeof(err));
}

static int
lookup(struct tableset *ts, ino_t ino, const char *name)
{
	struct nsid id = { 1, ino };
	struct endpoint *ep;

	return ts_lookup(ts, &id, name, &ep);
}

static int
setup(void **state)
{
	fake_ns_clear();
	*state = ts_new();
	return *state == NULL;
}

static int
teardown(void **state)
{
	ts_free(*state);
	return 0;
}

static void
test_parse_ok(void **state)
{
	struct ep_def ep;
	char out[512];

	(void)state;
	assert_int_equal(parse("ep-http type ipv4 addr 127.0.0.1 port 18080",
	    &ep), 0);
	assert_int_equal(ep.family, AF_INET);
	assert_int_equal(ep.port_lo, 18080);
	assert_int_equal(ep.port_hi, 18080);
	assert_int_equal(ep.ns.kind, NS_HOST);
	assert_int_equal(parse("x port dynamic netns web addr ::1 type ipv6",
	    &ep), 0);
	assert_int_equal(ep.family, AF_INET6);
	assert_true(ep.dynamic);
	assert_int_equal(ep.ns.kind, NS_NAME);
	assert_string_equal(ep.ns.name, "web");
	assert_int_equal(parse("r type ipv4 addr 0.0.0.0 port 8000-8999 "
	    "netns 1234", &ep), 0);
	assert_int_equal(ep.port_lo, 8000);
	assert_int_equal(ep.port_hi, 8999);
	assert_int_equal(ep.ns.kind, NS_PID);
	assert_int_equal(ep.ns.pid, 1234);
	assert_int_equal(parse("u type unix path /run/app.sock", &ep), 0);
	assert_int_equal(ep.family, AF_UNIX);
	assert_string_equal(ep.path, "/run/app.sock");
	assert_int_equal(parse("abcdefghijklmnop type unix path /a", &ep), 0);
	/* format and parse again: the same endpoint */
	assert_int_equal(parse("r type ipv4 addr 10.1.2.3 port 8000-8999 "
	    "netns web", &ep), 0);
	ep_format(&ep, out, sizeof(out));
	assert_string_equal(out, "r type ipv4 addr 10.1.2.3 port 8000-8999 "
	    "netns web");
}

static void
test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"",
		"abcdefghijklmnopq type unix path /a",	/* 17 chars */
		"x",
		"x type",
		"x type ipv5 addr 1.2.3.4 port 1",
		"x type ipv4 addr 1.2.3 port 1",
		"x type ipv4 addr ::1 port 1",
		"x type ipv6 addr 1.2.3.4 port 1",
		"x type ipv4 addr 1.2.3.4",
		"x type ipv4 port 80",
		"x type ipv4 addr 1.2.3.4 port 0",
		"x type ipv4 addr 1.2.3.4 port 65536",
		"x type ipv4 addr 1.2.3.4 port 080",
		"x type ipv4 addr 1.2.3.4 port -1",
		"x type ipv4 addr 1.2.3.4 port 10-5",
		"x type ipv4 addr 1.2.3.4 port 10-10",
		"x type ipv4 addr 1.2.3.4 port 1-",
		"x type ipv4 addr 1.2.3.4 port dyn",
		"x type ipv4 addr 1.2.3.4 port 1 path /a",
		"x type ipv4 addr 1.2.3.4 port 1 port 2",
		"x type ipv4 addr 1.2.3.4 port 1 netns",
		"x type ipv4 addr 1.2.3.4 port 1 netns a/b",
		"x type ipv4 addr 1.2.3.4 port 1 netns ..",
		"x type ipv4 addr 1.2.3.4 port 1 netns 0",
		"x type ipv4 addr 1.2.3.4 port 1 bogus 1",
		"x type unix path relative",
		"x type unix path /a addr 1.2.3.4",
		"x type unix",
	};
	struct ep_def ep;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (parse(bad[i], &ep) != EINVAL)
			fail_msg("accepted: \"%s\"", bad[i]);
		assert_true(err[0] != '\0');
	}
}

static void
test_add_lookup(void **state)
{
	struct tableset *ts = *state;
	struct endpoint *ep;

	assert_int_equal(add(ts, "a type ipv4 addr 127.0.0.1 port 80"), 0);
	assert_int_equal(add(ts, "b type ipv4 addr 127.0.0.1 port 81"), 0);
	assert_int_equal(add(ts, "a type ipv4 addr 127.0.0.1 port 82"),
	    EEXIST);
	assert_int_equal(ts->count, 2);
	assert_int_equal(ts_lookup(ts, &HOST, "a", &ep), 0);
	assert_int_equal(ep->def.port_lo, 80);
	assert_int_equal(ts_lookup(ts, &HOST, "b", &ep), 0);
	assert_int_equal(ep->def.port_lo, 81);
	assert_int_equal(ts_lookup(ts, &HOST, "c", &ep), ENOENT);
	assert_null(ep);
	assert_int_equal(lookup(ts, 4242, "a"), EACCES);	/* no table */
}

static void
test_per_netns(void **state)
{
	struct tableset *ts = *state;

	fake_ns_set("A", 201);
	fake_ns_set("B", 202);
	assert_int_equal(add(ts, "ep type ipv4 addr 127.0.0.1 port 80 "
	    "netns A"), 0);
	assert_int_equal(add(ts, "ep type ipv4 addr 127.0.0.1 port 81 "
	    "netns B"), 0);
	assert_int_equal(add(ts, "only-b type unix path /x netns B"), 0);
	assert_int_equal(lookup(ts, 201, "ep"), 0);
	assert_int_equal(lookup(ts, 202, "ep"), 0);
	assert_int_equal(lookup(ts, 201, "only-b"), ENOENT);
	assert_int_equal(lookup(ts, 202, "only-b"), 0);
	assert_int_equal(lookup(ts, 100, "ep"), EACCES);	/* host */
}

static void
test_lazy_names(void **state)
{
	struct tableset *ts = *state;

	/* a namespace that does not exist yet */
	assert_int_equal(add(ts, "ep type ipv4 addr 127.0.0.1 port 80 "
	    "netns later"), 0);
	assert_int_equal(lookup(ts, 300, "ep"), EACCES);
	fake_ns_set("later", 300);
	assert_int_equal(lookup(ts, 300, "ep"), 0);
	/* deleted and made again under the same name */
	fake_ns_set("later", 301);
	assert_int_equal(lookup(ts, 300, "ep"), EACCES);
	assert_int_equal(lookup(ts, 301, "ep"), 0);
	/* deleted: its old inode number must not keep matching */
	fake_ns_set("later", 0);
	assert_int_equal(lookup(ts, 301, "ep"), EACCES);
}

static void
test_pid_tables(void **state)
{
	struct tableset *ts = *state;

	assert_int_equal(add(ts, "ep type ipv4 addr 127.0.0.1 port 80 "
	    "netns 42"), 0);
	assert_int_equal(lookup(ts, 542, "ep"), 0);
	assert_int_equal(add(ts, "ep type ipv4 addr 127.0.0.1 port 80 "
	    "netns 9999"), ESRCH);
	assert_int_equal(ts->count, 1);
}

static void
test_del(void **state)
{
	struct tableset *ts = *state;
	struct ns_spec ns;

	fake_ns_set("A", 201);
	assert_int_equal(add(ts, "a type ipv4 addr 127.0.0.1 port 80"), 0);
	assert_int_equal(add(ts, "a type ipv4 addr 127.0.0.1 port 80 "
	    "netns A"), 0);
	memset(&ns, 0, sizeof(ns));
	ns.kind = NS_HOST;
	assert_int_equal(ts_del(ts, "a", &ns, err, sizeof(err)), 0);
	assert_int_equal(ts_del(ts, "a", &ns, err, sizeof(err)), ENOENT);
	assert_int_equal(lookup(ts, 100, "a"), EACCES);	/* table gone */
	assert_int_equal(lookup(ts, 201, "a"), 0);
	assert_int_equal(parse_ns("A", &ns, err, sizeof(err)), 0);
	assert_int_equal(ts_del(ts, "b", &ns, err, sizeof(err)), ENOENT);
	assert_int_equal(ts_del(ts, "a", &ns, err, sizeof(err)), 0);
	assert_int_equal(ts->count, 0);
	assert_true(TAILQ_EMPTY(&ts->tables));
}

static void
test_stats_and_ports(void **state)
{
	struct tableset *ts = *state, *nts;
	struct endpoint *ep;

	assert_int_equal(add(ts, "a type ipv4 addr 127.0.0.1 port 8080"), 0);
	assert_false(ts_need_lowports(ts));
	assert_int_equal(ts_lookup(ts, &HOST, "a", &ep), 0);
	ep->st.requests = 5;
	ep->st.grants = 4;
	assert_non_null(nts = ts_new());
	assert_int_equal(add(nts, "a type ipv4 addr 127.0.0.1 port 80"), 0);
	assert_int_equal(add(nts, "b type ipv4 addr 127.0.0.1 port dynamic"),
	    0);
	assert_true(ts_need_lowports(nts));
	ts_carry_stats(nts, ts);
	assert_int_equal(ts_lookup(nts, &HOST, "a", &ep), 0);
	assert_int_equal(ep->st.requests, 5);
	assert_int_equal(ep->st.grants, 4);
	assert_int_equal(ts_lookup(nts, &HOST, "b", &ep), 0);
	assert_int_equal(ep->st.requests, 0);
	ts_free(nts);
}

static void
test_limit(void **state)
{
	struct tableset *ts = *state;
	char line[128];
	int i;

	for (i = 0; i < TS_MAXENDPOINTS; i++) {
		snprintf(line, sizeof(line), "e%d type unix path /x", i);
		assert_int_equal(add(ts, line), 0);
	}
	assert_int_equal(add(ts, "one-more type unix path /x"), ENOSPC);
}

static const char *
write_conf(const char *text)
{
	static char path[] = "/tmp/graftd-conf.XXXXXX";
	int fd;

	strcpy(path, "/tmp/graftd-conf.XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_config_ok(void **state)
{
	struct tableset *ts;
	struct settings s;
	const char *path;

	(void)state;
	path = write_conf("# graftd.conf\n\n"
	    "socket-mode 0660\n"
	    "socket-owner 0:0   # root\n"
	    "max-clients 10\n"
	    "netns-max-clients 4\n"
	    "netns-max-inflight 40\n"
	    "idle-timeout 0\n"
	    "privileged-ports no\n"
	    "endpoint ep-http type ipv4 addr 127.0.0.1 port 18080 netns web\n"
	    "\tendpoint ep-out type ipv6 addr ::1 port dynamic\n"
	    "endpoint ep-u type unix path /run/u.sock");	/* no newline */
	assert_int_equal(config_load(path, &ts, &s, err, sizeof(err)), 0);
	assert_int_equal(ts->count, 3);
	assert_int_equal(s.sock_mode, 0660);
	assert_int_equal(s.sock_uid, 0);
	assert_int_equal(s.sock_gid, 0);
	assert_int_equal(s.max_clients, 10);
	assert_int_equal(s.netns_max_clients, 4);
	assert_int_equal(s.netns_max_inflight, 40);
	assert_int_equal(s.idle_timeout, 0);
	assert_int_equal(s.lowports, 0);
	ts_free(ts);
	unlink(path);
}

static void
test_config_errors(void **state)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "endpoint a type unix path /a\n\nbogus 1\n", ":3: unknown" },
		{ "endpoint a type unix path /a\nendpoint a type unix path /b\n",
		    ":2: endpoint \"a\" exists" },
		{ "endpoint a type ipv4 addr 1.2.3.4 port x\n", ":1: argument" },
		{ "socket-mode 0999\n", ":1: socket-mode" },
		{ "socket-mode\n", ":1: socket-mode takes" },
		{ "max-clients 0\n", ":1: max-clients" },
		{ "netns-max-clients 0\n", ":1: netns-max-clients" },
		{ "\nnetns-max-inflight 1048577\n", ":2: netns-max-inflight" },
		{ "netns-max-inflight 5 6\n", ":1: netns-max-inflight takes" },
		{ "idle-timeout 99999999\n", ":1: idle-timeout" },
		{ "privileged-ports maybe\n", ":1: privileged-ports" },
		{ "socket-owner no-such-user-here\n", ":1: socket-owner" },
		{ "# ok\nendpoint a type ipv4 addr 1.2.3.4 port 1 netns 9999\n",
		    ":2: netns of pid 9999" },
	};
	struct tableset *ts = NULL;
	struct settings s;
	const char *path;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		path = write_conf(bad[i].text);
		assert_int_not_equal(config_load(path, &ts, &s, err,
		    sizeof(err)), 0);
		if (strstr(err, bad[i].msg) == NULL)
			fail_msg("\"%s\" does not contain \"%s\"", err,
			    bad[i].msg);
		unlink(path);
	}
	assert_int_equal(config_load("/nonexistent/graftd.conf", &ts, &s, err,
	    sizeof(err)), ENOENT);
}

static void
test_json(void **state)
{
	struct ep_def ep;
	char out[1024];

	(void)state;
	assert_int_equal(parse("q\"\\ type unix path /a\"b\\c netns 12", &ep),
	    0);
	ep_format_json(&ep, out, sizeof(out));
	assert_string_equal(out, "{\"name\":\"q\\\"\\\\\",\"type\":\"unix\","
	    "\"path\":\"/a\\\"b\\\\c\",\"netns_pid\":12}");
	assert_int_equal(parse("d type ipv4 addr 1.2.3.4 port dynamic", &ep),
	    0);
	ep_format_json(&ep, out, sizeof(out));
	assert_string_equal(out, "{\"name\":\"d\",\"type\":\"ipv4\","
	    "\"addr\":\"1.2.3.4\",\"port\":0,\"dynamic\":true}");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test_setup_teardown(test_add_lookup, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_per_netns, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lazy_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pid_tables, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_and_ports, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test(test_config_ok),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
