/* test_graftd_state.c - the attachments' state file: its parser
 * (stateparse.c) and the file written ahead and restored (state.c), in
 * a scratch directory, with a fake netns resolver (/fake/ns/N is the
 * netns (1, N)). */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "graftd.h"
#include "control.h"

static struct graftd g;
static char dir[64], ctlpath[96];
static int dirfd = -1;
static char err[ERRBUFSZ];

void
share_configure(const struct settings *s, const struct tableset *ts)
{
	(void)s;
	(void)ts;
}

/* ---- the parser */

struct got {
	unsigned	n;
	unsigned	lineno[4];
	unsigned long	ino[4];
	char		id[4][32];
	int		argc[4];
};

static void
collect(void *arg, unsigned lineno, const struct nsid *id, int argc,
    char **argv)
{
	struct got *got = arg;

	assert_true(got->n < 4);
	got->lineno[got->n] = lineno;
	got->ino[got->n] = (unsigned long)id->ino;
	snprintf(got->id[got->n], sizeof(got->id[0]), "%s", argv[0]);
	got->argc[got->n++] = argc;
}

static int
parse(const char *s, unsigned *lineno, struct got *got)
{
	err[0] = '\0';
	return state_parse(s, strlen(s), got ? collect : NULL, got, lineno,
	    err, sizeof(err));
}

static void
test_parse_ok(void **state)
{
	struct got got = { 0 };
	unsigned ln;

	(void)state;
	assert_int_equal(parse("graftd-attachments 1\n"
	    "1 7 c1/eth0 netns /run/netns/a endpoint p1 type ipv4 addr "
	    "127.0.0.1 port 80 direction ingress match *:8080\n"
	    "18446744073709551615 8 c2 netns /proc/12/ns/net\n", &ln, &got), 0);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.lineno[0], 2);
	assert_int_equal(got.lineno[1], 3);
	assert_string_equal(got.id[0], "c1/eth0");
	assert_int_equal(got.ino[1], 8);
	assert_int_equal(got.argc[0], 3 + 10 + 2);
	assert_int_equal(got.argc[1], 3);
	memset(&got, 0, sizeof(got));
	assert_int_equal(parse("graftd-attachments 1\n", &ln, &got), 0);
	assert_int_equal(got.n, 0);
}

static void
test_parse_errors(void **state)
{
	static const struct {
		const char	*in;
		unsigned	 line;
		const char	*msg;
	} t[] = {
		{ "", 1, "empty" },
		{ "graftd-attachments 1", 1, "truncated" },
		{ "graftd-attachments 2\n", 1, "not a state file" },
		{ "graftd-attachments 1 \n", 1, "not a state file" },
		{ "garbage\n", 1, "not a state file" },
		{ "graftd-attachments 1\n1 2 c1 netns /a/b", 2, "truncated" },
		{ "graftd-attachments 1\n1 2 c1 netns /a/../b\n", 2,
		    "invalid netns path" },
		{ "graftd-attachments 1\n1 2 c1 netns /a//b\n", 2,
		    "invalid netns path" },
		{ "graftd-attachments 1\n1 2 c1 netns a/b\n", 2,
		    "invalid netns path" },
		{ "graftd-attachments 1\n1 2 c*1 netns /a\n", 2,
		    "invalid attachment ID" },
		{ "graftd-attachments 1\n1 2 c1 netns /a network -n\n", 2,
		    "invalid network name" },
		{ "graftd-attachments 1\n1 2 c1 netns /a network\n", 2,
		    "invalid network name" },
		{ "graftd-attachments 1\n1  2 c1 netns /a\n", 2, "one blank" },
		{ "graftd-attachments 1\n1 2 c1 netns /a \n", 2, "one blank" },
		{ "graftd-attachments 1\n 1 2 c1 netns /a\n", 2, "one blank" },
		{ "graftd-attachments 1\n1 2 c1\tnetns /a\n", 2, "one blank" },
		{ "graftd-attachments 1\n1 2 c1 netns /\xe9\n", 2, "one blank" },
		{ "graftd-attachments 1\n\n", 2, "one blank" },
		{ "graftd-attachments 1\n01 2 c1 netns /a\n", 2, "DEV INO" },
		{ "graftd-attachments 1\n1 -2 c1 netns /a\n", 2, "DEV INO" },
		{ "graftd-attachments 1\n1 18446744073709551616 c1 netns /a\n",
		    2, "DEV INO" },
		{ "graftd-attachments 1\n1 2 c1 netns\n", 2, "DEV INO" },
		{ "graftd-attachments 1\n1 2 c1 host /a\n", 2, "usage" },
		{ "graftd-attachments 1\n1 2 c1 netns /a endpoint x type ipv4 "
		    "addr 127.0.0.1 port 80 netns host\n", 2, "attachment's" },
		{ "graftd-attachments 1\n1 2 c1 netns /a endpoint x type ipv4 "
		    "addr 127.0.0.1 port 0\n", 2, "invalid port" },
		{ "graftd-attachments 1\n1 2 c1 netns /a\n1 3 c2 netns /b\n"
		    "1 4 c1 netns /c\n", 4, "ID attached twice" },
		{ "graftd-attachments 1\n1 2 c1 netns /a\n1 3 c2 netns /b\n"
		    "1 2 c3 netns /c\n", 4, "netns attached twice" },
	};
	unsigned i, ln;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(parse(t[i].in, &ln, NULL), EINVAL);
		if (ln != t[i].line || strstr(err, t[i].msg) == NULL)
			fail_msg("case %u: line %u \"%s\"", i, ln, err);
	}
}

static void
test_parse_limits(void **state)
{
	char *buf;
	size_t n, cap = (size_t)(ATTACH_MAX + 2) * 40 + 64;
	unsigned i, ln;

	(void)state;
	buf = malloc(STATE_MAXLINE + 64);
	assert_non_null(buf);
	n = (size_t)sprintf(buf, "graftd-attachments 1\n1 2 c netns /");
	memset(buf + n, 'a', STATE_MAXLINE);
	strcpy(buf + n + STATE_MAXLINE, "\n");
	assert_int_equal(parse(buf, &ln, NULL), EINVAL);
	assert_int_equal(ln, 2);
	assert_non_null(strstr(err, "too long"));
	free(buf);
	/* ATTACH_MAX records, then one more */
	buf = malloc(cap);
	assert_non_null(buf);
	n = (size_t)sprintf(buf, "graftd-attachments 1\n");
	for (i = 1; i <= ATTACH_MAX; i++)
		n += (size_t)sprintf(buf + n, "1 %u c%u netns /n/%u\n", i, i, i);
	assert_int_equal(state_parse(buf, n, NULL, NULL, &ln, err,
	    sizeof(err)), 0);
	n += (size_t)sprintf(buf + n, "1 99999 x netns /n/x\n");
	assert_int_equal(state_parse(buf, n, NULL, NULL, &ln, err,
	    sizeof(err)), EINVAL);
	assert_int_equal(ln, ATTACH_MAX + 2);
	assert_non_null(strstr(err, "more than"));
	free(buf);
}

/* ---- the file, written ahead and restored */

static int
run(const char *cmd)
{
	char rec[CTL_MAXREC];
	struct obuf o = { 0 };
	size_t i, n = strlen(cmd) + 1;
	int rv;

	memcpy(rec, cmd, n);
	for (i = 0; i < n; i++)
		if (rec[i] == ' ')
			rec[i] = '\0';
	err[0] = '\0';
	rv = control_run(rec, n, &g, &o, err, sizeof(err));
	obuf_free(&o);
	return rv;
}

static char *
slurp(const char *name)
{
	static char buf[8192];
	char path[160];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static void
put(const char *name, const char *s)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(s, f);
	fclose(f);
}

static void
fresh(void)
{
	if (g.ts)
		ts_free(g.ts);
	if (g.state.on)
		close(g.state.dirfd);
	assert_non_null(g.ts = ts_new());
	settings_default(&g.conf);
	g.conf.lowports = 1;
	state_setup(&g.state, "", dirfd, ctlpath);
	assert_true(g.state.on);
}

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/graftd-state-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(ctlpath, sizeof(ctlpath), "%s/graftd.ctl", dir);
	assert_int_not_equal(dirfd = open(dir, O_PATH | O_DIRECTORY), -1);
	memset(&g, 0, sizeof(g));
	fresh();
	return 0;
}

static int
teardown(void **state)
{
	static const char *const f[] = { "attachments", "attachments.tmp",
	    "attachments.bad" };
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++)
		unlinkat(dirfd, f[i], 0);
	close(g.state.dirfd);
	close(dirfd);
	rmdir(dir);
	ts_free(g.ts);
	g.ts = NULL;
	return 0;
}

static void
test_write_ahead(void **state)
{
	struct stat st;
	char *s;

	(void)state;
	state_restore(&g);		/* none yet: an empty one written */
	assert_string_equal(slurp("attachments"), "graftd-attachments 1\n");
	assert_int_equal(run("attach c1/eth0 netns /fake/ns/7 endpoint p1 type "
	    "ipv4 addr 0.0.0.0 port 8080 direction ingress proto tcp match "
	    "*:80 endpoint e1 type ipv6 addr :: port dynamic direction egress "
	    "match [::]"), 0);
	assert_int_equal(run("attach c2 netns /fake/ns/8"), 0);
	assert_string_equal(slurp("attachments"), "graftd-attachments 1\n"
	    "1 7 c1/eth0 netns /fake/ns/7 endpoint p1 type ipv4 addr 0.0.0.0 "
	    "port 8080 direction ingress proto tcp match *:80 endpoint e1 "
	    "type ipv6 addr :: port dynamic direction egress match ::/128\n"
	    "1 8 c2 netns /fake/ns/8\n");
	assert_int_equal(fstatat(dirfd, "attachments", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(faccessat(dirfd, "attachments.tmp", F_OK, 0), -1);
	/* a replace is written in place; a refused attach changes nothing */
	assert_int_equal(run("attach c1/eth0 netns /fake/ns/7 endpoint q type "
	    "unix path /x/y user 12:34 direction egress"), 0);
	assert_int_equal(run("attach c3 netns /fake/ns/8"), EEXIST);
	assert_string_equal(slurp("attachments"), "graftd-attachments 1\n"
	    "1 7 c1/eth0 netns /fake/ns/7 endpoint q type unix path /x/y "
	    "direction egress user 12:34\n1 8 c2 netns /fake/ns/8\n");
	/* a stale .tmp is replaced */
	put("attachments.tmp", "junk");
	assert_int_equal(run("detach c2"), 0);
	assert_string_equal(slurp("attachments"), "graftd-attachments 1\n"
	    "1 7 c1/eth0 netns /fake/ns/7 endpoint q type unix path /x/y "
	    "direction egress user 12:34\n");
	assert_int_equal(run("detach c2"), 0);	/* idempotent, no write */
	/* restored into a fresh graftd: the same set, the same file */
	s = strdup(slurp("attachments"));
	fresh();
	state_restore(&g);
	assert_non_null(ts_attached(g.ts, "c1/eth0"));
	assert_int_equal(g.ts->count, 1);
	assert_string_equal(slurp("attachments"), s);
	free(s);
}

static void
test_write_fails(void **state)
{
	(void)state;
	state_restore(&g);
	assert_int_equal(run("attach c1 netns /fake/ns/7"), 0);
	/* a directory nothing can be made in */
	close(g.state.dirfd);
	g.state.dirfd = open("/proc", O_RDONLY | O_DIRECTORY);
	assert_int_not_equal(run("attach c2 netns /fake/ns/8"), 0);
	assert_non_null(strstr(err, "state file"));
	assert_null(ts_attached(g.ts, "c2"));
	assert_int_not_equal(run("attach c1 netns /fake/ns/7 endpoint x type "
	    "ipv4 addr 127.0.0.1 port 80"), 0);
	assert_int_equal(g.ts->count, 0);	/* the old c1 as it was */
	assert_non_null(ts_attached(g.ts, "c1"));
	assert_int_equal(run("detach c1"), 0);	/* detached anyway */
	assert_null(ts_attached(g.ts, "c1"));
}

static void
test_restore(void **state)
{
	(void)state;
	/* 2: another netns now, 3: gone, 4: kept, 5: a port taken */
	put("attachments", "graftd-attachments 1\n"
	    "1 99 a netns /fake/ns/9\n"
	    "1 3 b netns /fake/gone\n"
	    "1 4 c netns /fake/ns/4 network net-1 endpoint p type ipv4 addr "
	    "127.0.0.1 port 80\n"
	    "1 5 d netns /fake/ns/5 endpoint p type ipv4 addr 0.0.0.0 "
	    "port 80\n");
	state_restore(&g);
	assert_null(ts_attached(g.ts, "a"));
	assert_null(ts_attached(g.ts, "b"));
	assert_non_null(ts_attached(g.ts, "c"));
	assert_string_equal(ts_attached(g.ts, "c")->network, "net-1");
	assert_null(ts_attached(g.ts, "d"));
	assert_string_equal(slurp("attachments"), "graftd-attachments 1\n"
	    "1 4 c netns /fake/ns/4 network net-1 endpoint p type ipv4 addr "
	    "127.0.0.1 port 80\n");
	/* a corrupt file: .bad, none restored, a fresh file */
	put("attachments", "graftd-attachments 1\n1 4 c netns /fake/ns/4\n"
	    "1 5 c netns /fake/ns/5\n");
	fresh();
	state_restore(&g);
	assert_int_equal(ts_nattached(g.ts), 0);
	assert_string_equal(slurp("attachments.bad"), "graftd-attachments 1\n"
	    "1 4 c netns /fake/ns/4\n1 5 c netns /fake/ns/5\n");
	assert_string_equal(slurp("attachments"), "graftd-attachments 1\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test_setup_teardown(test_write_ahead, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restore, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
