/* fuzz_graftd_state.c - the attachments' state file parser
 * (src/graftd/stateparse.c) with the attach grammar behind it (parse.c,
 * attparse.c).  The input is a whole file.  Invariants: an error names
 * a line of the file; when the file is accepted, every record's words
 * parse as an attach, and the line state_format() makes of it again
 * (what graftd writes) is accepted alone and is a fixed point: formatting
 * what it parses to gives the same line. */
#include <errno.h>
#include <string.h>

#include "graftd.h"
#include "fuzz.h"

static char line1[STATE_MAXLINE + 64], line2[STATE_MAXLINE + 64];

/* The table an attach of these words makes, formatted. */
static size_t
format_words(const struct nsid *nid, int argc, char **argv, char *out,
    size_t outsz)
{
	static struct ep_def eps[ATTACH_MAXEPS];
	static struct endpoint ep[ATTACH_MAXEPS];
	struct nstable nt;
	char id[ATTACH_IDMAX + 1], network[ATTACH_NETMAX + 1], err[ERRBUFSZ];
	unsigned neps, i;

	FUZZ_CHECK(parse_attach(argc, argv, id, network, &nt.spec, eps, &neps,
	    err, sizeof(err)) == 0);
	nt.id = *nid;
	nt.attach = id;
	nt.network = network[0] ? network : NULL;
	TAILQ_INIT(&nt.eps);
	for (i = 0; i < neps; i++) {
		ep[i].def = eps[i];
		TAILQ_INSERT_TAIL(&nt.eps, &ep[i], entry);
	}
	return state_format(&nt, out, outsz);
}

static void
again(void *arg, unsigned lineno, const struct nsid *nid, int argc,
    char **argv)
{
	size_t n = *(size_t *)arg;

	(void)lineno;
	FUZZ_CHECK(n == strlen(line1));
	FUZZ_CHECK(format_words(nid, argc, argv, line2, sizeof(line2)) == n);
	FUZZ_CHECK(memcmp(line1, line2, n) == 0);
}

static void
record(void *arg, unsigned lineno, const struct nsid *nid, int argc,
    char **argv)
{
	static char file[sizeof(STATE_MAGIC) + sizeof(line1)];
	char err[ERRBUFSZ];
	unsigned ln, *count = arg;
	size_t n, i, fn;

	FUZZ_CHECK(lineno >= 2 && argc >= 3);
	(*count)++;
	n = format_words(nid, argc, argv, line1, sizeof(line1));
	FUZZ_CHECK(n > 0 && n <= STATE_MAXLINE + 1 && line1[n - 1] == '\n');
	for (i = 0; i + 1 < n; i++)
		FUZZ_CHECK(line1[i] > 0x20 && line1[i] < 0x7f ?
		    1 : line1[i] == ' ');
	fn = (size_t)snprintf(file, sizeof(file), "%s\n%s", STATE_MAGIC,
	    line1);
	FUZZ_CHECK(state_parse(file, fn, again, &n, &ln, err,
	    sizeof(err)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ERRBUFSZ];
	unsigned ln, count = 0, lines = 0;
	size_t i;
	int rv;

	if (size > 1 << 20)
		return 0;
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	err[0] = '\0';
	rv = state_parse((const char *)data, size, record, &count, &ln, err,
	    sizeof(err));
	FUZZ_CHECK(strnlen(err, sizeof(err)) < sizeof(err));
	if (rv != 0) {
		FUZZ_CHECK(err[0] != '\0' && ln >= 1 && ln <= lines + 1);
		FUZZ_CHECK(count == 0);		/* none applied */
	} else
		FUZZ_CHECK(lines >= 1 && count == lines - 1);
	return 0;
}
