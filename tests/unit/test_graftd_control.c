/* test_graftd_control.c - the control commands (ctlcmd.c) on a table
 * set, with a fake netns resolver. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "graftd.h"
#include "control.h"
#include "log.h"

void	fake_ns_clear(void);

static struct graftd g;
static int configured;		/* share_configure() calls */

/* share.c is not linked: the budgets are recomputed after add and del */
void
share_configure(const struct settings *s, const struct tableset *ts)
{
	(void)s;
	assert_ptr_equal(ts, g.ts);
	configured++;
}

static struct obuf out;
static char err[ERRBUFSZ];

/* Run a command given as one string, words split on blanks. */
static int
run(const char *cmd)
{
	char rec[CTL_MAXREC];
	size_t n = strlen(cmd) + 1;
	size_t i;

	assert_true(n < sizeof(rec));
	memcpy(rec, cmd, n);
	for (i = 0; i < n; i++)
		if (rec[i] == ' ')
			rec[i] = '\0';
	obuf_free(&out);
	err[0] = '\0';
	return control_run(rec, n, &g, &out, err, sizeof(err));
}

static int
setup(void **state)
{
	(void)state;
	fake_ns_clear();
	configured = 0;
	log_init(1, 0);
	g.ts = ts_new();
	memset(&g.st, 0, sizeof(g.st));
	return g.ts == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	ts_free(g.ts);
	obuf_free(&out);
	return 0;
}

static void
test_add_show_del(void **state)
{
	(void)state;
	assert_int_equal(run("add ep-http type ipv4 addr 127.0.0.1 port 18080 "
	    "netns web"), 0);
	assert_int_equal(run("add u type unix path /run/u.sock netns host"), 0);
	assert_int_equal(configured, 2);
	assert_int_equal(run("add u type unix path /run/u.sock netns host"), EEXIST);
	assert_int_equal(configured, 2);
	assert_non_null(strstr(err, "exists"));
	assert_int_equal(run("show"), 0);
	assert_non_null(out.buf);
	assert_string_equal(out.buf, "ep-http type ipv4 addr 127.0.0.1 port "
	    "18080 netns web\nu type unix path /run/u.sock netns host\n");
	assert_int_equal(run("show json"), 0);
	assert_string_equal(out.buf, "[{\"name\":\"ep-http\",\"type\":\"ipv4\","
	    "\"addr\":\"127.0.0.1\",\"port\":18080,\"netns\":\"web\"},"
	    "{\"name\":\"u\",\"type\":\"unix\",\"path\":\"/run/u.sock\","
	    "\"netns\":\"host\"}]\n");
	assert_int_equal(run("del ep-http"), EINVAL);	/* netns required */
	assert_int_equal(run("del ep-http netns host"), ENOENT);
	assert_int_equal(run("del ep-http netns web"), 0);
	assert_int_equal(run("del u netns host"), 0);
	assert_int_equal(configured, 4);
	assert_int_equal(run("show"), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(run("show json"), 0);
	assert_string_equal(out.buf, "[]\n");
}

static void
test_stats(void **state)
{
	(void)state;
	assert_int_equal(run("add a type ipv4 addr 127.0.0.1 port 1 netns host"), 0);
	g.st.requests = 3;
	g.st.refusals = 1;
	g.st.by_reason[GRAFT_R_NOENT] = 1;
	assert_int_equal(run("stats"), 0);
	assert_non_null(strstr(out.buf, "a netns host requests 0 grants 0 "
	    "refusals 0\n"));
	assert_non_null(strstr(out.buf, "total requests 3 grants 0 refusals "
	    "1 sockets 0\n"));
	assert_non_null(strstr(out.buf, "refused noent 1\n"));
	assert_int_equal(run("stats json"), 0);
	assert_non_null(strstr(out.buf, "\"refused\":{\"malformed\":0,"));
	assert_int_equal(run("stats json extra"), EINVAL);
}

static void
test_bad_commands(void **state)
{
	char rec[8];

	(void)state;
	assert_int_equal(run("frobnicate"), EINVAL);
	assert_int_equal(run("add"), EINVAL);
	assert_int_equal(run("add x type ipv4"), EINVAL);
	assert_int_equal(run("del"), EINVAL);
	assert_int_equal(run("del a netns"), EINVAL);
	assert_int_equal(run("show  json"), EBADMSG);	/* empty word */
	/* no terminating NUL, control bytes, empty record */
	memcpy(rec, "show", 4);
	assert_int_equal(control_run(rec, 4, &g, &out, err, sizeof(err)),
	    EBADMSG);
	memcpy(rec, "sh\now", 6);
	assert_int_equal(control_run(rec, 6, &g, &out, err, sizeof(err)),
	    EBADMSG);
	assert_int_equal(control_run(rec, 0, &g, &out, err, sizeof(err)),
	    EBADMSG);
}

/* The words' parsers: IDs, netns paths, matches, proto. */
static void
test_parsers(void **state)
{
	struct ns_spec ns;
	struct graft_wrule w;
	struct ep_def ep;
	char id[ATTACH_IDMAX + 1], big[300], m[64];
	char *words[] = { "p", "type", "ipv4", "addr", "0.0.0.0", "port", "80",
	    "netns", "host", "proto", "udp" };

	(void)state;
	assert_int_equal(parse_attach_id("abc123/eth0", id, sizeof(id)), 0);
	assert_int_equal(parse_attach_id("A-b_c.d:e", id, sizeof(id)), 0);
	assert_int_equal(parse_attach_id("", id, sizeof(id)), -1);
	assert_int_equal(parse_attach_id("a b", id, sizeof(id)), -1);
	assert_int_equal(parse_attach_id("a*", id, sizeof(id)), -1);
	memset(big, 'a', 255);
	big[255] = '\0';
	assert_int_equal(parse_attach_id(big, id, sizeof(id)), 0);
	big[255] = 'a';
	big[256] = '\0';
	assert_int_equal(parse_attach_id(big, id, sizeof(id)), -1);

	assert_int_equal(parse_ns_path("/run/netns/x", &ns, err, sizeof(err)), 0);
	assert_int_equal(ns.kind, NS_PATH);
	assert_string_equal(ns.name, "/run/netns/x");
	assert_int_equal(parse_ns_path("/proc/12/ns/net", &ns, err,
	    sizeof(err)), 0);
	assert_int_equal(parse_ns_path("run/netns/x", &ns, err, sizeof(err)),
	    EINVAL);
	assert_int_equal(parse_ns_path("/", &ns, err, sizeof(err)), EINVAL);
	assert_int_equal(parse_ns_path("/run//x", &ns, err, sizeof(err)),
	    EINVAL);
	assert_int_equal(parse_ns_path("/run/x/", &ns, err, sizeof(err)),
	    EINVAL);
	assert_int_equal(parse_ns_path("/run/./x", &ns, err, sizeof(err)),
	    EINVAL);
	assert_int_equal(parse_ns_path("/run/../x", &ns, err, sizeof(err)),
	    EINVAL);
	assert_int_equal(parse_ns_path("/run/..", &ns, err, sizeof(err)),
	    EINVAL);
	assert_int_equal(parse_ns_path("/run/...", &ns, err, sizeof(err)), 0);
	assert_int_equal(parse_ns_path("/run/a b", &ns, err, sizeof(err)),
	    EINVAL);
	big[0] = '/';
	assert_int_equal(parse_ns_path(big, &ns, err, sizeof(err)), EINVAL);
	big[255] = '\0';
	assert_int_equal(parse_ns_path(big, &ns, err, sizeof(err)), 0);
	/* add keeps its grammar: no path */
	assert_int_equal(parse_ns("/run/netns/x", &ns, err, sizeof(err)),
	    EINVAL);

	assert_int_equal(parse_match("*:8080", EP_DIR_INGRESS, &w), 0);
	assert_int_equal(w.dir, GRAFT_WR_INGRESS);
	assert_int_equal(w.family, 0);
	assert_int_equal(w.port_lo, 8080);
	assert_int_equal(w.port_hi, 8080);
	assert_int_equal(parse_match("10.1.2.3:80-90", EP_DIR_INGRESS, &w), 0);
	assert_int_equal(w.family, 4);
	assert_int_equal(w.addr[0], 10);
	assert_int_equal(w.port_hi, 90);
	match_str(&w, m, sizeof(m));
	assert_string_equal(m, "10.1.2.3:80-90");
	assert_int_equal(parse_match("[::1]:443", EP_DIR_INGRESS, &w), 0);
	assert_int_equal(w.family, 6);
	match_str(&w, m, sizeof(m));
	assert_string_equal(m, "[::1]:443");
	assert_int_equal(parse_match("*:0", EP_DIR_INGRESS, &w), -1);
	assert_int_equal(parse_match("*:dynamic", EP_DIR_INGRESS, &w), -1);
	assert_int_equal(parse_match("*:90-80", EP_DIR_INGRESS, &w), -1);
	assert_int_equal(parse_match("::1:443", EP_DIR_INGRESS, &w), -1);
	assert_int_equal(parse_match("10.0.0.0/8", EP_DIR_INGRESS, &w), -1);
	assert_int_equal(parse_match("10.0.0.0/8", EP_DIR_EGRESS, &w), 0);
	assert_int_equal(w.dir, GRAFT_WR_EGRESS);
	assert_int_equal(w.family, 4);
	assert_int_equal(w.plen, 8);
	assert_int_equal(parse_match("10.0.0.1", EP_DIR_EGRESS, &w), 0);
	assert_int_equal(w.plen, 32);
	assert_int_equal(parse_match("10.0.0.1/8", EP_DIR_EGRESS, &w), -1);
	assert_int_equal(parse_match("10.0.0.0/33", EP_DIR_EGRESS, &w), -1);
	assert_int_equal(parse_match("::/0", EP_DIR_EGRESS, &w), 0);
	assert_int_equal(w.family, 6);
	assert_int_equal(parse_match("[2001:db8::]/32", EP_DIR_EGRESS, &w), 0);
	match_str(&w, m, sizeof(m));
	assert_string_equal(m, "2001:db8::/32");
	assert_int_equal(parse_match("*:80", EP_DIR_EGRESS, &w), -1);
	assert_int_equal(parse_match("*:80", EP_DIR_BOTH, &w), -1);

	assert_int_equal(parse_endpoint(11, words, &ep, err, sizeof(err)), 0);
	assert_int_equal(ep.proto, EP_PROTO_UDP);
	ep_format(&ep, big, sizeof(big));
	assert_string_equal(big, "p type ipv4 addr 0.0.0.0 port 80 netns host "
	    "proto udp");
	ep_format_json(&ep, big, sizeof(big));
	assert_non_null(strstr(big, ",\"proto\":\"udp\"}"));
	words[10] = "sctp";
	assert_int_equal(parse_endpoint(11, words, &ep, err, sizeof(err)),
	    EINVAL);
}

/* attach, replace, EEXIST, EADDRINUSE, all or nothing, detach, check,
 * show and the rules of a netns (the fake resolver: /fake/ns/N is the
 * netns (1, N), /fake/file not a netns). */
static void
test_attach(void **state)
{
	struct graft_wrule w[GRAFT_PROTO_MAXRULES];
	struct nsid id = { 1, 7 };
	unsigned n;

	(void)state;
	assert_int_equal(run("add cfg type ipv4 addr 127.0.0.1 port 9000 "
	    "netns host"), 0);
	assert_int_equal(run("attach c1/eth0 netns /fake/ns/7 endpoint p1 "
	    "type ipv4 addr 0.0.0.0 port 8080 direction ingress proto tcp "
	    "match *:80 endpoint e1 type ipv6 addr :: port dynamic "
	    "direction egress match ::/0"), 0);
	assert_int_equal(g.ts->count, 3);
	assert_int_equal(ts_rules(g.ts, &id, w, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(w[0].dir, GRAFT_WR_INGRESS);
	assert_int_equal(w[0].port_lo, 80);
	assert_int_equal(w[0].proto, IPPROTO_TCP);	/* proto tcp */
	assert_string_equal(w[0].epname, "p1");
	assert_int_equal(w[1].dir, GRAFT_WR_EGRESS);
	assert_int_equal(w[1].family, 6);
	assert_int_equal(w[1].proto, 0);		/* no proto: any */
	id.ino = 8;
	assert_int_equal(ts_rules(g.ts, &id, w, &n), EACCES);
	assert_int_equal(run("show"), 0);
	assert_non_null(strstr(out.buf, "p1 type ipv4 addr 0.0.0.0 port 8080 "
	    "netns /fake/ns/7 direction ingress proto tcp match *:80\n"));
	assert_int_equal(run("show json"), 0);
	assert_non_null(strstr(out.buf, "\"match\":\"::/0\","
	    "\"attach\":\"c1/eth0\"}"));
	/* another ID, same netns; ports of others */
	assert_int_equal(run("attach c2 netns /fake/ns/7"), EEXIST);
	assert_int_equal(run("attach c2 netns /fake/ns/8 endpoint x type ipv4 "
	    "addr 127.0.0.1 port 8000-8080"), EADDRINUSE);
	assert_string_equal(err, "host port 8080 already mapped by c1/eth0");
	assert_int_equal(run("attach c2 netns /fake/ns/8 endpoint x type ipv4 "
	    "addr 127.0.0.1 port 8080 proto udp direction ingress "
	    "match *:53"), 0);
	assert_int_equal(ts_rules(g.ts, &id, w, &n), 0);	/* ns 8 */
	assert_int_equal(n, 1);
	assert_int_equal(w[0].proto, IPPROTO_UDP);		/* proto udp */
	/* graftd without CAP_NET_BIND_SERVICE: host ports below 1024 */
	assert_int_equal(run("attach c3 netns /fake/ns/9 endpoint low type "
	    "ipv4 addr 127.0.0.2 port 1023 direction ingress"), EACCES);
	assert_non_null(strstr(err, "privileged-ports yes"));
	assert_int_equal(run("attach c3 netns /fake/ns/9 endpoint low type "
	    "ipv4 addr 127.0.0.2 port dynamic direction egress"), 0);
	assert_int_equal(run("detach c3"), 0);
	g.conf.lowports = 1;			/* privileged-ports yes */
	assert_int_equal(run("attach c3 netns /fake/ns/9 endpoint low type "
	    "ipv4 addr 127.0.0.2 port 1023 direction ingress"), 0);
	assert_int_equal(run("detach c3"), 0);
	g.conf.lowports = 0;
	assert_int_equal(run("attach c3 netns /fake/ns/9 endpoint ok type "
	    "ipv4 addr 127.0.0.2 port 1024 endpoint x type ipv4 addr 0.0.0.0 "
	    "port 9000 direction ingress"), EADDRINUSE);
	assert_non_null(strstr(err, "endpoint \"cfg\" netns host"));
	assert_null(ts_attached(g.ts, "c3"));
	assert_int_equal(run("attach c3 netns /fake/file"), EINVAL);
	assert_string_equal(err, "netns /fake/file: not a network namespace");
	assert_int_equal(run("attach c3 netns /fake/none"), ENOENT);
	/* replace: atomically, or not at all */
	assert_int_equal(run("attach c1/eth0 netns /fake/ns/7 endpoint p2 "
	    "type ipv4 addr 0.0.0.0 port 9000"), EADDRINUSE);
	assert_int_equal(g.ts->count, 4);
	assert_int_equal(run("attach c1/eth0 netns /fake/ns/7 endpoint p2 "
	    "type ipv4 addr 0.0.0.0 port 7000"), 0);
	assert_int_equal(g.ts->count, 3);
	id.ino = 7;
	assert_int_equal(ts_rules(g.ts, &id, w, &n), 0);
	assert_int_equal(n, 0);
	/* check */
	assert_int_equal(run("check c1/eth0 netns /fake/ns/7"), 0);
	assert_int_equal(run("check c1/eth0 netns /fake/ns/8"), ESTALE);
	assert_int_equal(run("check c1/eth0 netns /fake/none"), ESTALE);
	assert_int_equal(run("check c9 netns /fake/ns/7"), ENOENT);
	assert_string_equal(err, "c9 not attached");
	assert_int_equal(run("check c1/eth0 netns rel"), EINVAL);
	/* detach: idempotent */
	assert_int_equal(run("detach c1/eth0"), 0);
	assert_int_equal(run("detach c1/eth0"), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(run("detach"), EINVAL);
	assert_int_equal(run("detach a*b"), EINVAL);
	assert_int_equal(run("check c1/eth0 netns /fake/ns/7"), ENOENT);
	assert_int_equal(g.ts->count, 2);
	/* the words */
	assert_int_equal(run("attach c4 netns /fake/ns/4 endpoint"), EINVAL);
	assert_int_equal(run("attach c4 netns /fake/ns/4 bogus"), EINVAL);
	assert_int_equal(run("attach c4 netns /fake/ns/4 endpoint a type ipv4 "
	    "addr 127.0.0.1 port 1 netns host"), EINVAL);
	assert_int_equal(run("attach c4 netns /fake/ns/4 endpoint a type ipv4 "
	    "addr 127.0.0.1 port 1 match *:1"), EINVAL);	/* direction */
	assert_int_equal(run("attach c4 netns /fake/ns/4 endpoint a type ipv4 "
	    "addr 127.0.0.1 port 1 endpoint a type ipv4 addr 127.0.0.1 "
	    "port 2"), EINVAL);				/* duplicate name */
	assert_int_equal(run("attach c4 netns /fake/ns/4 endpoint a type unix "
	    "path /x direction egress match 10.0.0.0/8"), EINVAL);
	assert_int_equal(run("attach c4 netns /fake/ns/4 endpoint a type ipv4 "
	    "addr 127.0.0.1 port 1 match"), EINVAL);
	assert_null(ts_attached(g.ts, "c4"));
}

/* The network tag: kept, shown, listed, replaced; what a CNI GC lists. */
static void
test_attach_network(void **state)
{
	char net[ATTACH_NETMAX + 1], big[ATTACH_NETMAX + 2];

	(void)state;
	assert_int_equal(parse_network("graft", net, sizeof(net)), 0);
	assert_int_equal(parse_network("0a_b.c-d", net, sizeof(net)), 0);
	assert_int_equal(parse_network("", net, sizeof(net)), -1);
	assert_int_equal(parse_network("-a", net, sizeof(net)), -1);
	assert_int_equal(parse_network("_a", net, sizeof(net)), -1);
	assert_int_equal(parse_network(".a", net, sizeof(net)), -1);
	assert_int_equal(parse_network("a/b", net, sizeof(net)), -1);
	assert_int_equal(parse_network("a:b", net, sizeof(net)), -1);
	assert_int_equal(parse_network("a b", net, sizeof(net)), -1);
	memset(big, 'n', ATTACH_NETMAX);
	big[ATTACH_NETMAX] = '\0';
	assert_int_equal(parse_network(big, net, sizeof(net)), 0);
	big[ATTACH_NETMAX] = 'n';
	big[ATTACH_NETMAX + 1] = '\0';
	assert_int_equal(parse_network(big, net, sizeof(net)), -1);

	assert_int_equal(run("attach a1 netns /fake/ns/1 network netA "
	    "endpoint p0 type ipv4 addr 0.0.0.0 port 8081 direction ingress "
	    "match *:80"), 0);
	assert_int_equal(run("attach a2 netns /fake/ns/2 network netA"), 0);
	assert_int_equal(run("attach b1 netns /fake/ns/3 network netB"), 0);
	assert_int_equal(run("attach h1 netns /fake/ns/4"), 0);
	assert_int_equal(run("attachments"), 0);
	assert_string_equal(out.buf,
	    "a1 netns /fake/ns/1 endpoints 1 network netA\n"
	    "a2 netns /fake/ns/2 endpoints 0 network netA\n"
	    "b1 netns /fake/ns/3 endpoints 0 network netB\n"
	    "h1 netns /fake/ns/4 endpoints 0\n");
	assert_int_equal(run("attachments network netA"), 0);
	assert_string_equal(out.buf,
	    "a1 netns /fake/ns/1 endpoints 1 network netA\n"
	    "a2 netns /fake/ns/2 endpoints 0 network netA\n");
	assert_int_equal(run("attachments network none"), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(run("show json"), 0);
	assert_non_null(strstr(out.buf, "\"attach\":\"a1\",\"network\":"
	    "\"netA\"}"));
	assert_int_equal(run("stats json"), 0);
	assert_non_null(strstr(out.buf, "\"attach\":\"a1\",\"network\":"
	    "\"netA\","));
	/* a re-attach replaces the tag too, or drops it */
	assert_int_equal(run("attach a2 netns /fake/ns/2 network netB"), 0);
	assert_int_equal(run("attach a1 netns /fake/ns/1"), 0);
	assert_int_equal(run("attachments network netB"), 0);
	assert_string_equal(out.buf,
	    "a2 netns /fake/ns/2 endpoints 0 network netB\n"
	    "b1 netns /fake/ns/3 endpoints 0 network netB\n");
	assert_int_equal(run("attachments network netA"), 0);
	assert_int_equal(out.len, 0);
	/* the words */
	assert_int_equal(run("attach c netns /fake/ns/5 network"), EINVAL);
	assert_int_equal(run("attach c netns /fake/ns/5 network -x"), EINVAL);
	assert_non_null(strstr(err, "invalid network name"));
	assert_int_equal(run("attach c netns /fake/ns/5 network a/b"), EINVAL);
	assert_int_equal(run("attach c netns /fake/ns/5 endpoint x type ipv4 "
	    "addr 127.0.0.1 port 1024 network n"), EINVAL);	/* its place */
	assert_null(ts_attached(g.ts, "c"));
	assert_int_equal(run("attachments network"), EINVAL);
	assert_int_equal(run("attachments net netA"), EINVAL);
	assert_int_equal(run("attachments network a:b"), EINVAL);
	assert_int_equal(run("attachments network a b"), EINVAL);
}

/* 32 endpoints, not 33. */
static void
test_attach_limit(void **state)
{
	static char cmd[CTL_MAXREC];
	size_t n;
	int i;

	(void)state;
	n = (size_t)snprintf(cmd, sizeof(cmd), "attach big netns /fake/ns/5");
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " endpoint e%d "
		    "type ipv4 addr 127.0.0.1 port dynamic", i);
	assert_int_equal(run(cmd), E2BIG);
	*strstr(cmd, " endpoint e32 ") = '\0';
	assert_int_equal(run(cmd), 0);
	assert_int_equal(g.ts->count, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_show_del, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test_setup_teardown(test_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_network, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_attach_limit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_commands, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
