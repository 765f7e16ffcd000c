/* fuzz_graftd_control.c - the control socket's command parser
 * (src/graftd/ctlcmd.c: split_record, add/del/show/stats; attach.c:
 * attach/detach/check/attachments) with the endpoint grammar graftctl also uses
 * (parse.c, attparse.c) and table.c behind it.  Netns paths are the fake
 * resolver's: /fake/ns/N a netns, /fake/file none.
 * The input is a sequence of control records separated by '\n' (a byte
 * no valid record can hold), run in order on one table set, so that
 * add/del/show sequences are explored; then show and stats, text and
 * JSON, and attachments on what is left. */
#include <errno.h>
#include <string.h>

#include "graftd.h"
#include "control.h"
#include "fuzz.h"

void	fake_ns_set(const char *, ino_t);

static void
check_out(const struct obuf *o)
{
	size_t i;

	FUZZ_CHECK(o->len <= CTL_MAXOUT);
	for (i = 0; i < o->len; i++)
		FUZZ_CHECK(o->buf[i] == '\n' ||
		    ((unsigned char)o->buf[i] >= 0x20 &&
		    (unsigned char)o->buf[i] < 0x7f));
}

/* The count is the endpoints of the tables; an attachment pins its
 * netns, no two have one ID or one netns. */
static void
check_tables(const struct tableset *ts)
{
	const struct nstable *nt, *nt2;
	const struct endpoint *ep;
	unsigned n = 0;

	char net[ATTACH_NETMAX + 1];

	TAILQ_FOREACH(nt, &ts->tables, entry) {
		TAILQ_FOREACH(ep, &nt->eps, entry)
			n++;
		if (nt->attach == NULL) {
			FUZZ_CHECK(nt->network == NULL);
			continue;
		}
		FUZZ_CHECK(nt->nsfd != -1 && nt->spec.kind == NS_PATH);
		FUZZ_CHECK(nt->network == NULL ||
		    parse_network(nt->network, net, sizeof(net)) == 0);
		for (nt2 = TAILQ_NEXT(nt, entry); nt2;
		    nt2 = TAILQ_NEXT(nt2, entry))
			FUZZ_CHECK(nt2->attach == NULL ||
			    (strcmp(nt->attach, nt2->attach) != 0 &&
			    nt->id.ino != nt2->id.ino));
	}
	FUZZ_CHECK(n == ts->count);
}

static int
run(struct graftd *g, char *rec, size_t len, int json)
{
	struct obuf o = { 0 };
	char err[ERRBUFSZ] = "";
	int rv;

	rv = control_run(rec, len, g, &o, err, sizeof(err));
	FUZZ_CHECK(strnlen(err, sizeof(err)) < sizeof(err));
	if (rv != 0)
		FUZZ_CHECK(err[0] != '\0' && rv > 0 && rv < 4096);
	else
		check_out(&o);
	if (rv == 0 && json)
		check_json(o.buf, o.len);
	obuf_free(&o);
	return rv;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const views[] = { "show", "show\0json", "stats",
	    "stats\0json", "attachments" };
	static const size_t vlen[] = { 5, 10, 6, 11, 12 };
	struct graftd g;
	char rec[CTL_MAXREC + 1];
	const uint8_t *p = data, *end = data + size, *nl;
	unsigned before;
	size_t n;
	int i, rv;

	if (size > 1 << 16)
		return 0;
	fake_ns_set("web", 700);
	memset(&g, 0, sizeof(g));
	FUZZ_CHECK((g.ts = ts_new()) != NULL);
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		p = nl + 1;
		if (n > CTL_MAXREC)	/* graftd reads at most that */
			continue;
		memcpy(rec, nl - n, n);
		before = g.ts->count;
		rv = run(&g, rec, n, 0);
		if (n >= 4 && memcmp(rec, "add", 4) == 0)
			FUZZ_CHECK(g.ts->count == before + (rv == 0));
		else if (n >= 4 && memcmp(rec, "del", 4) == 0)
			FUZZ_CHECK(g.ts->count == before - (rv == 0));
		else if ((n >= 7 && (memcmp(rec, "attach", 7) == 0 ||
		    memcmp(rec, "detach", 7) == 0)) && rv == 0)
			check_tables(g.ts);
		else
			FUZZ_CHECK(g.ts->count == before);
	}
	for (i = 0; i < 5; i++) {
		memcpy(rec, views[i], vlen[i]);
		FUZZ_CHECK(run(&g, rec, vlen[i], i & 1) == 0);
	}
	ts_free(g.ts);
	return 0;
}
