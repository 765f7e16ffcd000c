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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_show_del, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_commands, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
