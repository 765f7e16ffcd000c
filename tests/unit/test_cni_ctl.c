/* test_cni_ctl.c - graft-cni's control socket client (src/cni/ctlclient.c)
 * against a scripted graftd (a child process on a socket in a temporary
 * directory): the request arrives as sent; the answer's data lines reach
 * the callback whole however graftd cuts its text into records, at most
 * CTL_MAXLINES of them, NUL bytes and overlong lines refused; OK, E<errno>
 * and no graftd give CTL_OK, CTL_REFUSED and CTL_DOWN. */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "control.h"
#include "ctlclient.h"

#define REQ	"attachments\0network\0A"

static char dir[64], path[128];
static int lfd = -1;

/* what the callback got: the lines joined with '|' */
struct got {
	char	text[65536];
	size_t	n;
	int	fail_at;	/* refuse the line of this number (1-based) */
};

static int
collect(const char *line, void *arg, char *msg, size_t msgsz)
{
	struct got *g = arg;
	size_t len = strlen(g->text);

	g->n++;
	if ((int)g->n == g->fail_at) {
		snprintf(msg, msgsz, "line %zu refused", g->n);
		return -1;
	}
	if (len + strlen(line) + 2 < sizeof(g->text))
		snprintf(g->text + len, sizeof(g->text) - len, "%s%s",
		    len ? "|" : "", line);
	return 0;
}

static int
setup(void **state)
{
	struct sockaddr_un sun;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_cni_ctl.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/graftd.ctl", dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if ((lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(lfd, 4) == -1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	close(lfd);
	unlink(path);
	rmdir(dir);
	return 0;
}

struct rec {
	const char	*p;
	size_t		 len;
};

/* Serve one connection with the records (each of len bytes, or a string
 * when len is 0); the child's exit status: 0, or 1 when the request was
 * not REQ. */
static pid_t
serve(const struct rec *recs, size_t n)
{
	char buf[CTL_MAXREC];
	ssize_t r;
	size_t i;
	pid_t pid;
	int c;

	if ((pid = fork()) != 0)
		return pid;
	if ((c = accept(lfd, NULL, NULL)) == -1)
		_exit(2);
	r = recv(c, buf, sizeof(buf), 0);
	/* until the client hangs up (it stops at what it refuses) */
	for (i = 0; i < n; i++)
		if (send(c, recs[i].p, recs[i].len ? recs[i].len :
		    strlen(recs[i].p), MSG_NOSIGNAL) == -1)
			break;
	close(c);
	_exit(r != sizeof(REQ) || memcmp(buf, REQ, sizeof(REQ)) != 0);
}

static enum ctl_result
run(const struct rec *recs, size_t n, struct got *g, int *err, char *msg,
    size_t msgsz)
{
	enum ctl_result res;
	pid_t pid = serve(recs, n);
	int st;

	assert_true(pid > 0);
	res = ctl_call(path, REQ, sizeof(REQ), g ? collect : NULL, g, err, msg,
	    msgsz);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	return res;
}

static void
test_lines(void **state)
{
	static struct got g;
	char msg[200], *big;
	int err;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(run((const struct rec[]){ { "Da x\nb y\n", 0 },
	    { "Dc\n", 0 }, { "OK", 0 } }, 3, &g, &err, msg, sizeof(msg)),
	    CTL_OK);
	assert_string_equal(g.text, "a x|b y|c");
	assert_int_equal(g.n, 3);

	/* graftd's cut: full records (CTL_MAXDATA - 1 bytes of text) in the
	 * middle of a line; the last record's line without a newline */
	big = malloc(2 * CTL_MAXDATA);
	assert_non_null(big);
	big[0] = 'D';
	memset(big + 1, 'x', CTL_MAXDATA - 1);
	memcpy(big + 1, "first\n", 6);
	memset(&g, 0, sizeof(g));
	assert_int_equal(run((const struct rec[]){ { big, CTL_MAXDATA },
	    { "Dyz\nlast", 0 }, { "OK", 0 } }, 3, &g, &err, msg, sizeof(msg)),
	    CTL_OK);
	assert_int_equal(g.n, 3);
	assert_int_equal(strncmp(g.text, "first|xxx", 9), 0);
	assert_int_equal(strlen(g.text), 6 + CTL_MAXDATA - 1 - 6 + 2 + 1 + 4);
	assert_string_equal(g.text + strlen(g.text) - 9, "xxyz|last");

	/* a stream: short records end no line, only a newline or OK does */
	memset(&g, 0, sizeof(g));
	assert_int_equal(run((const struct rec[]){ { "Dc1/eth0 a", 0 },
	    { "Db\nc2/", 0 }, { "Deth0", 0 }, { "OK", 0 } }, 4, &g, &err,
	    msg, sizeof(msg)), CTL_OK);
	assert_string_equal(g.text, "c1/eth0 ab|c2/eth0");
	assert_int_equal(g.n, 2);
	/* a refusal after data: no half line handed on */
	memset(&g, 0, sizeof(g));
	assert_int_equal(run((const struct rec[]){ { "Da\nb", 0 },
	    { "E5 gone", 0 } }, 2, &g, &err, msg, sizeof(msg)), CTL_REFUSED);
	assert_int_equal(g.n, 1);

	/* a line longer than a record: refused */
	memset(&g, 0, sizeof(g));
	memset(big + 1, 'x', CTL_MAXDATA - 1);
	assert_int_equal(run((const struct rec[]){ { big, CTL_MAXDATA },
	    { "Dx\n", 0 }, { "OK", 0 } }, 3, &g, &err, msg, sizeof(msg)),
	    CTL_FAILED);
	assert_non_null(strstr(msg, "line longer than 4095 bytes"));
	assert_int_equal(g.n, 0);
	free(big);

	/* a NUL byte in the text */
	memset(&g, 0, sizeof(g));
	assert_int_equal(run((const struct rec[]){ { "Da\0b\n", 5 },
	    { "OK", 0 } }, 2, &g, &err, msg, sizeof(msg)), CTL_FAILED);
	assert_non_null(strstr(msg, "NUL"));

	/* the callback refuses a line: the call fails with its message */
	memset(&g, 0, sizeof(g));
	g.fail_at = 2;
	assert_int_equal(run((const struct rec[]){ { "Da\nb\nc\n", 0 },
	    { "OK", 0 } }, 2, &g, &err, msg, sizeof(msg)), CTL_FAILED);
	assert_string_equal(msg, "line 2 refused");
	assert_int_equal(g.n, 2);

	/* no callback: the data is skipped */
	assert_int_equal(run((const struct rec[]){ { "Da\nb\n", 0 },
	    { "OK", 0 } }, 2, NULL, &err, msg, sizeof(msg)), CTL_OK);
}

/* graftd's records of text: 'D' and CTL_MAXDATA - 1 bytes each, the last
 * one shorter, then OK; the number of records. */
static size_t
cut(const char *text, size_t len, char (*buf)[CTL_MAXDATA], struct rec *recs)
{
	size_t off, k = 0, m;

	for (off = 0; off < len; off += m, k++) {
		m = len - off < CTL_MAXDATA - 1 ? len - off : CTL_MAXDATA - 1;
		buf[k][0] = 'D';
		memcpy(buf[k] + 1, text + off, m);
		recs[k].p = buf[k];
		recs[k].len = m + 1;
	}
	recs[k].p = "OK";
	recs[k].len = 0;
	return k + 1;
}

/* CTL_MAXLINES lines are taken, one more is not: in graftd's records of
 * many lines, and in one record each (its newline ending it) */
static void
test_bound(void **state)
{
	static struct got g;
	static char buf[CTL_MAXLINES / 1000 + 2][CTL_MAXDATA];
	struct rec *recs;
	char msg[200], *text;
	size_t i, n, k;
	int err;

	(void)state;
	recs = calloc(CTL_MAXLINES + 2, sizeof(*recs));
	text = malloc((CTL_MAXLINES + 1) * 3);
	assert_non_null(recs);
	assert_non_null(text);
	for (i = 0; i < CTL_MAXLINES + 1; i++)
		memcpy(text + 3 * i, "ab\n", 3);
	for (n = CTL_MAXLINES; n <= CTL_MAXLINES + 1; n++) {
		k = cut(text, 3 * n, buf, recs);
		assert_true(k > 2);
		memset(&g, 0, sizeof(g));
		assert_int_equal(run(recs, k, &g, &err, msg, sizeof(msg)),
		    n == CTL_MAXLINES ? CTL_OK : CTL_FAILED);
		assert_int_equal(g.n, CTL_MAXLINES);
		if (n > CTL_MAXLINES)
			assert_non_null(strstr(msg, "more than 4096 lines"));

		for (i = 0; i < n; i++) {
			recs[i].p = "Dab\n";
			recs[i].len = 0;
		}
		recs[n].p = "OK";
		memset(&g, 0, sizeof(g));
		assert_int_equal(run(recs, n + 1, &g, &err, msg, sizeof(msg)),
		    n == CTL_MAXLINES ? CTL_OK : CTL_FAILED);
		assert_int_equal(g.n, CTL_MAXLINES);
		if (n > CTL_MAXLINES)
			assert_non_null(strstr(msg, "more than 4096 lines"));
	}
	free(recs);
	free(text);
}

static void
test_final(void **state)
{
	static struct got g;
	char msg[200], nothere[160];
	int err;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(run((const struct rec[]){ { "E22 usage: attachments "
	    "[network NAME]", 0 } }, 1, &g, &err, msg, sizeof(msg)),
	    CTL_REFUSED);
	assert_int_equal(err, 22);
	assert_string_equal(msg, "usage: attachments [network NAME]");
	assert_int_equal(g.n, 0);
	assert_int_equal(run((const struct rec[]){ { "Da\n", 0 },
	    { "OK?", 0 } }, 2, &g, &err, msg, sizeof(msg)), CTL_FAILED);
	assert_non_null(strstr(msg, "malformed"));
	assert_int_equal(run((const struct rec[]){ { "Da\n", 0 } }, 1, &g,
	    &err, msg, sizeof(msg)), CTL_FAILED);	/* no final record */
	assert_non_null(strstr(msg, "closed the connection"));

	snprintf(nothere, sizeof(nothere), "%s/nothere.ctl", dir);
	assert_int_equal(ctl_call(nothere, REQ, sizeof(REQ), collect, &g, &err,
	    msg, sizeof(msg)), CTL_DOWN);
	assert_non_null(strstr(msg, "nothere.ctl"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_final),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
