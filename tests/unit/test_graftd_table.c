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
	assert_int_equal(parse("ep-http type ipv4 addr 127.0.0.1 port 18080 "
	    "netns host", &ep), 0);
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
	assert_int_equal(parse("u type unix path /run/app.sock netns host", &ep), 0);
	assert_int_equal(ep.family, AF_UNIX);
	assert_string_equal(ep.path, "/run/app.sock");
	assert_int_equal(parse("abcdefghijklmnop type unix path /a netns 1", &ep),
	    0);
	/* netns is required: the host table is never implied */
	assert_int_equal(parse("u type unix path /a", &ep), EINVAL);
	assert_non_null(strstr(err, "\"netns host\""));
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
		"abcdefghijklmnopq type unix path /a netns host",	/* 17 chars */
		"x",
		"x type",
		"x type ipv5 addr 1.2.3.4 port 1 netns host",
		"x type ipv4 addr 1.2.3 port 1 netns host",
		"x type ipv4 addr ::1 port 1 netns host",
		"x type ipv6 addr 1.2.3.4 port 1 netns host",
		"x type ipv4 addr 1.2.3.4 netns host",
		"x type ipv4 port 80 netns host",
		"x type ipv4 addr 1.2.3.4 port 0 netns host",
		"x type ipv4 addr 1.2.3.4 port 65536 netns host",
		"x type ipv4 addr 1.2.3.4 port 080 netns host",
		"x type ipv4 addr 1.2.3.4 port -1 netns host",
		"x type ipv4 addr 1.2.3.4 port 10-5 netns host",
		"x type ipv4 addr 1.2.3.4 port 10-10 netns host",
		"x type ipv4 addr 1.2.3.4 port 1- netns host",
		"x type ipv4 addr 1.2.3.4 port dyn netns host",
		"x type ipv4 addr 1.2.3.4 port 1 path /a netns host",
		"x type ipv4 addr 1.2.3.4 port 1 port 2 netns host",
		"x type ipv4 addr 1.2.3.4 port 1 netns",
		"x type ipv4 addr 1.2.3.4 port 1 netns a/b",
		"x type ipv4 addr 1.2.3.4 port 1 netns ..",
		"x type ipv4 addr 1.2.3.4 port 1 netns 0",
		"x type ipv4 addr 1.2.3.4 port 1 bogus 1 netns host",
		"x type unix path relative netns host",
		"x type unix path /a addr 1.2.3.4 netns host",
		"x type unix netns host",
		"x type unix path /a direction netns host",
		"x type unix path /a direction in netns host",
		"x type unix path /a direction Egress netns host",
		"x type unix path /a direction egress direction ingress netns host",
		"x type ipv4 addr 1.2.3.4 port 1 direction out netns host",
		"x type unix path /a user netns host",
		"x type unix path /a user : netns host",
		"x type unix path /a user a: netns host",
		"x type unix path /a user :g netns host",
		"x type unix path /a user -a netns host",
		"x type unix path /a user a:b:c netns host",
		"x type unix path /a user a/b netns host",
		"x type unix path /a user a$b netns host",
		"x type unix path /a user 4294967295 netns host",
		"x type unix path /a user 0:4294967295 netns host",
		"x type unix path /a user 010 netns host",
		"x type unix path /a user 123456789012345678901 netns host",
		"x type unix path /a user abcdefghijabcdefghijabcdefghijabc netns host",
		"x type unix path /a user root user root netns host",
		"x type ipv4 addr 1.2.3.4 port 1 user root netns host",
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

	assert_int_equal(add(ts, "a type ipv4 addr 127.0.0.1 port 80 netns host"), 0);
	assert_int_equal(add(ts, "b type ipv4 addr 127.0.0.1 port 81 netns host"), 0);
	assert_int_equal(add(ts, "a type ipv4 addr 127.0.0.1 port 82 netns host"),
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
	assert_int_equal(add(ts, "a type ipv4 addr 127.0.0.1 port 80 netns host"), 0);
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

	assert_int_equal(add(ts, "a type ipv4 addr 127.0.0.1 port 8080 netns host"), 0);
	assert_false(ts_need_lowports(ts));
	assert_int_equal(ts_lookup(ts, &HOST, "a", &ep), 0);
	ep->st.requests = 5;
	ep->st.grants = 4;
	assert_non_null(nts = ts_new());
	assert_int_equal(add(nts, "a type ipv4 addr 127.0.0.1 port 80 netns host"), 0);
	assert_int_equal(add(nts, "b type ipv4 addr 127.0.0.1 port dynamic "
	    "netns host"),
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
		snprintf(line, sizeof(line), "e%d type unix path /x netns host", i);
		assert_int_equal(add(ts, line), 0);
	}
	assert_int_equal(add(ts, "one-more type unix path /x netns host"), ENOSPC);
}

/* The keyword shared: a flag, inet endpoints with a fixed port or range. */
static void
test_shared(void **state)
{
	struct ep_def ep, back;
	char line[256], out[256], *argv[32], *p;
	int argc = 0;

	(void)state;
	assert_int_equal(parse("w type ipv4 addr 127.0.0.1 port 80 shared netns 1", &ep),
	    0);
	assert_true(ep.shared);
	assert_int_equal(parse("w shared type ipv6 addr ::1 port 80-90 netns x",
	    &ep), 0);
	assert_true(ep.shared);
	ep_format(&ep, line, sizeof(line));
	assert_string_equal(line, "w type ipv6 addr ::1 port 80-90 netns x "
	    "shared");
	for (p = strtok(line, " "); p; p = strtok(NULL, " "))
		argv[argc++] = p;
	assert_int_equal(parse_endpoint(argc, argv, &back, err, sizeof(err)),
	    0);
	assert_memory_equal(&ep, &back, sizeof(ep));
	ep_format_json(&ep, out, sizeof(out));
	assert_non_null(strstr(out, ",\"shared\":true}"));
	assert_int_equal(parse("w type ipv4 addr 127.0.0.1 port 80 netns 1", &ep), 0);
	assert_false(ep.shared);
	assert_int_equal(parse("w type ipv4 addr 1.2.3.4 port dynamic shared netns 1",
	    &ep), EINVAL);
	assert_non_null(strstr(err, "fixed port or a range"));
	assert_int_equal(parse("w type unix path /a shared netns 1", &ep), EINVAL);
	assert_non_null(strstr(err, "ipv4 and ipv6"));
	assert_int_equal(parse("w type ipv4 addr 1.2.3.4 port 1 shared shared netns 1",
	    &ep), EINVAL);
	assert_non_null(strstr(err, "duplicate"));
	assert_int_equal(parse("w type ipv4 shared addr 1.2.3.4 port 1 netns 1", &ep),
	    0);
	assert_int_equal(parse("w type ipv4 addr 1.2.3.4 port shared netns 1", &ep),
	    EINVAL);
}

static uid_t
owner(struct tableset *ts, ino_t ino, const char *name)
{
	struct nsid id = { 1, ino };
	struct endpoint *ep;

	assert_int_equal(ts_lookup(ts, &id, name, &ep), 0);
	return ep_owner(ep, SOCKUID_BASE);
}

/* Socket owners: one per (table, endpoint), kept across add, del and
 * reload; shared endpoints alike in every table share one. */
static void
test_owners(void **state)
{
	struct tableset *ts = *state, *nts;
	uid_t a, b, c, w1, w2;

	fake_ns_set("n1", 201);
	fake_ns_set("n2", 202);
	assert_int_equal(add(ts, "a type ipv4 addr 127.0.0.1 port 80 netns n1"),
	    0);
	assert_int_equal(add(ts, "a type ipv4 addr 127.0.0.1 port 80 netns n2"),
	    0);
	assert_int_equal(add(ts, "b type ipv4 addr 127.0.0.1 port dynamic "
	    "netns n1"), 0);
	assert_int_equal(add(ts, "w type ipv4 addr 127.0.0.1 port 90 netns n1 "
	    "shared"), 0);
	assert_int_equal(add(ts, "w type ipv4 addr 127.0.0.1 port 90 netns n2 "
	    "shared"), 0);
	a = owner(ts, 201, "a");
	b = owner(ts, 201, "b");
	c = owner(ts, 202, "a");
	w1 = owner(ts, 201, "w");
	w2 = owner(ts, 202, "w");
	assert_true(a >= SOCKUID_BASE && a < SOCKUID_BASE + SOCKUID_SPAN);
	assert_true(a != b && a != c && b != c);
	assert_int_equal(w1, w2);
	assert_true(w1 >= SOCKUID_BASE + SOCKUID_SPAN &&
	    w1 < SOCKUID_BASE + 2 * SOCKUID_SPAN);
	/* another endpoint deleted: the others keep theirs; a new one gets
	 * a fresh one */
	assert_int_equal(ts_del(ts, "b", &(struct ns_spec){ .kind = NS_NAME,
	    .name = "n1" }, err, sizeof(err)), 0);
	assert_int_equal(owner(ts, 201, "a"), a);
	assert_int_equal(add(ts, "b type ipv4 addr 127.0.0.1 port dynamic "
	    "netns n1"), 0);
	assert_true(owner(ts, 201, "b") != b && owner(ts, 201, "b") != a &&
	    owner(ts, 201, "b") != c);
	b = owner(ts, 201, "b");
	/* a reload: the same endpoints keep their owners, new ones differ */
	assert_non_null(nts = ts_new());
	assert_int_equal(add(nts, "z type ipv4 addr 127.0.0.1 port 81 netns n1"),
	    0);
	assert_int_equal(add(nts, "b type ipv4 addr 127.0.0.1 port dynamic "
	    "netns n1"), 0);
	assert_int_equal(add(nts, "a type ipv4 addr 127.0.0.1 port 80 netns n2"),
	    0);
	ts_carry_stats(nts, ts);
	assert_int_equal(owner(nts, 201, "b"), b);
	assert_int_equal(owner(nts, 202, "a"), c);
	assert_true(owner(nts, 201, "z") != a && owner(nts, 201, "z") != b &&
	    owner(nts, 201, "z") != c);
	ts_free(nts);
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
	    "netns-max-ports 0\n"
	    "socket-uid-base 100000\n"
	    "endpoint ep-http type ipv4 addr 127.0.0.1 port 18080 netns web\n"
	    "\tendpoint ep-out type ipv6 addr ::1 port dynamic netns host\n"
	    "endpoint ep-u type unix path /run/u.sock netns host");	/* no newline */
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
	assert_int_equal(s.max_ports, 0);
	assert_int_equal(s.uid_base, 100000);
	ts_free(ts);
	unlink(path);
	path = write_conf("netns-max-ports 65535\nsocket-uid-base 3221225470\n");
	assert_int_equal(config_load(path, &ts, &s, err, sizeof(err)), 0);
	assert_int_equal(s.max_ports, 65535);
	assert_int_equal(s.uid_base, SOCKUID_BASEMAX);
	ts_free(ts);
	unlink(path);
	path = write_conf("");
	assert_int_equal(config_load(path, &ts, &s, err, sizeof(err)), 0);
	assert_int_equal(s.max_ports, 1024);
	assert_int_equal(s.uid_base, 2147483648U);
	ts_free(ts);
	unlink(path);
}

static void
test_config_errors(void **state)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "endpoint a type unix path /a netns host\n\nbogus 1\n", ":3: unknown" },
		{ "endpoint a type unix path /a netns host\n"
		    "endpoint a type unix path /b netns host\n",
		    ":2: endpoint \"a\" exists" },
		{ "endpoint a type ipv4 addr 1.2.3.4 port x netns host\n", ":1: argument" },
		{ "socket-mode 0999\n", ":1: socket-mode" },
		{ "socket-mode\n", ":1: socket-mode takes" },
		{ "max-clients 0\n", ":1: max-clients" },
		{ "netns-max-clients 0\n", ":1: netns-max-clients" },
		{ "\nnetns-max-inflight 1048577\n", ":2: netns-max-inflight" },
		{ "netns-max-inflight 5 6\n", ":1: netns-max-inflight takes" },
		{ "idle-timeout 99999999\n", ":1: idle-timeout" },
		{ "privileged-ports maybe\n", ":1: privileged-ports" },
		{ "socket-owner no-such-user-here\n", ":1: socket-owner" },
		{ "netns-max-ports 65536\n", ":1: netns-max-ports" },
		{ "netns-max-ports -1\n", ":1: netns-max-ports" },
		{ "netns-max-ports\n", ":1: netns-max-ports takes" },
		{ "socket-uid-base 0\n", ":1: socket-uid-base" },
		{ "socket-uid-base 3221225471\n", ":1: socket-uid-base" },
		{ "socket-uid-base 1 2\n", ":1: socket-uid-base takes" },
		{ "endpoint a type ipv4 addr 1.2.3.4 port dynamic shared "
		    "netns host\n",
		    ":1: endpoint \"a\": \"shared\"" },
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

/* direction and user: parsed, defaults, printed only when given, and
 * names resolved by ep_resolve_user() */
static void
test_parse_dir_user(void **state)
{
	static const char *const lines[] = {
		"u type unix path /a netns web direction egress user "
		    "nobody:nogroup",
		"u type unix path /a netns host direction ingress user 0",
		"u type unix path /a netns host user 1000:1001",
		"i type ipv4 addr 1.2.3.4 port 80 netns host direction ingress",
		"e type ipv6 addr ::1 port dynamic netns host direction egress",
		"u type unix path /a netns host user svc$",
	};
	struct ep_def ep, ep2;
	char out[512], out2[512];
	size_t i;

	(void)state;
	assert_int_equal(parse("u type unix path /a netns host", &ep), 0);
	assert_int_equal(ep.dir, EP_DIR_BOTH);
	assert_string_equal(ep.user, "");
	assert_int_equal(ep_resolve_user(&ep, err, sizeof(err)), 0);
	ep_format(&ep, out, sizeof(out));
	assert_string_equal(out, "u type unix path /a netns host");
	assert_int_equal(parse("u type unix path /a netns host direction both", &ep), 0);
	ep_format(&ep, out, sizeof(out));
	assert_string_equal(out, "u type unix path /a netns host");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(parse(lines[i], &ep), 0);
		ep_format(&ep, out, sizeof(out));
		assert_string_equal(out, lines[i]);
		assert_int_equal(parse(out, &ep2), 0);
		ep_format(&ep2, out2, sizeof(out2));
		assert_string_equal(out2, out);
	}
	/* numbers are parsed here, names left to graftd */
	assert_int_equal(parse("u type unix path /a netns host user 1000:1001", &ep), 0);
	assert_int_equal(ep.uid, 1000);
	assert_int_equal(ep.gid, 1001);
	assert_int_equal(parse("u type unix path /a netns host user root direction "
	    "egress", &ep), 0);
	assert_int_equal(ep.dir, EP_DIR_EGRESS);
	assert_int_equal(ep.uid, (uid_t)-1);
	assert_int_equal(ep.gid, (gid_t)-1);
	assert_int_equal(ep_resolve_user(&ep, err, sizeof(err)), 0);
	assert_int_equal(ep.uid, 0);
	assert_int_equal(ep.gid, 0);
	assert_int_equal(parse("u type unix path /a netns host user 0", &ep), 0);
	assert_int_equal(ep_resolve_user(&ep, err, sizeof(err)), 0);
	assert_int_equal(ep.uid, 0);
	assert_int_equal(ep.gid, 0);		/* root's primary group */
	assert_int_equal(parse("u type unix path /a netns host user root:7", &ep), 0);
	assert_int_equal(ep_resolve_user(&ep, err, sizeof(err)), 0);
	assert_int_equal(ep.gid, 7);
	assert_int_equal(parse("u type unix path /a netns host user no-such-user-x", &ep),
	    0);
	assert_int_equal(ep_resolve_user(&ep, err, sizeof(err)), EINVAL);
	assert_non_null(strstr(err, "unknown user"));
	assert_int_equal(parse("u type unix path /a netns host user 0:no-such-group-x",
	    &ep), 0);
	assert_int_equal(ep_resolve_user(&ep, err, sizeof(err)), EINVAL);
	/* json: only when given; the resolved ids with the user */
	assert_int_equal(parse("u type unix path /a netns host direction egress user "
	    "root", &ep), 0);
	ep_resolve_user(&ep, err, sizeof(err));
	ep_format_json(&ep, out, sizeof(out));
	assert_string_equal(out, "{\"name\":\"u\",\"type\":\"unix\","
	    "\"path\":\"/a\",\"netns\":\"host\",\"direction\":\"egress\",\"user\":\"root\","
	    "\"uid\":0,\"gid\":0}");
}

/* graftd.conf resolves the names, and an unknown one is a line's error */
static void
test_config_user(void **state)
{
	struct tableset *ts = *state;
	struct settings s;
	struct endpoint *ep;
	char line[128];

	settings_default(&s);
	snprintf(line, sizeof(line), "endpoint u type unix path /a netns host "
	    "user root");
	assert_int_equal(config_line(line, 1, ts, &s, err, sizeof(err)), 0);
	assert_int_equal(ts_lookup(ts, &HOST, "u", &ep), 0);
	assert_int_equal(ep->def.uid, 0);
	assert_int_equal(ep->def.gid, 0);
	snprintf(line, sizeof(line), "endpoint v type unix path /a netns host user "
	    "no-such-user-x");
	assert_int_equal(config_line(line, 2, ts, &s, err, sizeof(err)),
	    EINVAL);
	assert_int_equal(ts_lookup(ts, &HOST, "v", &ep), ENOENT);
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
	assert_int_equal(parse("d type ipv4 addr 1.2.3.4 port dynamic netns host",
	    &ep), 0);
	ep_format_json(&ep, out, sizeof(out));
	assert_string_equal(out, "{\"name\":\"d\",\"type\":\"ipv4\","
	    "\"addr\":\"1.2.3.4\",\"port\":0,\"dynamic\":true,"
	    "\"netns\":\"host\"}");
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
		cmocka_unit_test(test_shared),
		cmocka_unit_test_setup_teardown(test_owners, setup, teardown),
		cmocka_unit_test(test_config_ok),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_parse_dir_user),
		cmocka_unit_test_setup_teardown(test_config_user, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
