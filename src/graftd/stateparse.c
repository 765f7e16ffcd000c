/* stateparse.c - the attachments' state file (state.c writes and reads
 * it), its text:
 *
 *   graftd-attachments 1
 *   DEV INO ID netns PATH { endpoint NAME EPWORDS... [match SPEC] }...
 *
 * one line per attachment, in attach order: DEV and INO the identity of
 * the netns it pins (decimal), then the words of the attach command that
 * makes it again, regenerated from the endpoints in memory (a replace is
 * what is written).  Words are separated by one blank; none holds a blank
 * or a byte outside 0x21..0x7e (the grammars of attparse.c and parse.c
 * refuse them), so nothing needs escaping.  Every line ends in '\n'.
 * Pure code: no I/O, errors written to a caller's buffer. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graftd.h"
#include "control.h"

/* Appends the words of ep_format() but "netns NS" (the attachment's):
 * its first "netns" after the name (no value before it can be one). */
static int
ep_words(const struct ep_def *d, char *buf, size_t sz, size_t *n)
{
	char line[640], *w, *save = NULL;
	int skip = 0, done = 0;

	if (ep_format(d, line, sizeof(line)) >= sizeof(line))
		return -1;
	for (w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (skip) {
			skip = 0;
			continue;
		}
		if (!done && w != line && strcmp(w, "netns") == 0) {
			skip = done = 1;
			continue;
		}
		if (*n + strlen(w) + 1 >= sz)
			return -1;
		*n += (size_t)snprintf(buf + *n, sz - *n, " %s", w);
	}
	return 0;
}

/* One line, with its '\n'; 0 when it does not fit in sz. */
size_t
state_format(const struct nstable *nt, char *buf, size_t sz)
{
	const struct endpoint *ep;
	size_t n;
	int k;

	k = snprintf(buf, sz, "%llu %llu %s netns %s%s%s",
	    (unsigned long long)nt->id.dev, (unsigned long long)nt->id.ino,
	    nt->attach, nt->spec.name, nt->network ? " network " : "",
	    nt->network ? nt->network : "");
	if (k < 0 || (size_t)k >= sz)
		return 0;
	n = (size_t)k;
	TAILQ_FOREACH(ep, &nt->eps, entry) {
		if (n + 10 >= sz)
			return 0;
		n += (size_t)snprintf(buf + n, sz - n, " endpoint");
		if (ep_words(&ep->def, buf, sz, &n) == -1)
			return 0;
	}
	if (n + 2 > sz)
		return 0;
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

/* Strict unsigned 64-bit decimal, no leading zero. */
static int
parse_u64(const char *s, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9' ||
		    v > (UINT64_MAX - (unsigned)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	*out = v;
	return 0;
}

/* Words separated by exactly one blank, none empty; line is modified. */
static int
split_words(char *line, char **argv, int max)
{
	char *p = line;
	int argc = 0;

	for (;;) {
		if (*p == ' ' || *p == '\0' || argc == max)
			return -1;
		argv[argc++] = p;
		while (*p != ' ' && *p != '\0') {
			if ((unsigned char)*p <= 0x20 ||
			    (unsigned char)*p >= 0x7f)
				return -1;
			p++;
		}
		if (*p == '\0')
			return argc;
		*p++ = '\0';
	}
}

struct seen {
	const char	*id;
	struct nsid	 ns;
	unsigned	 lineno;
};

static int
seen_cmp_id(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->id,
	    ((const struct seen *)b)->id);
}

static int
seen_cmp_ns(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;

	if (x->ns.dev != y->ns.dev)
		return x->ns.dev < y->ns.dev ? -1 : 1;
	if (x->ns.ino != y->ns.ino)
		return x->ns.ino < y->ns.ino ? -1 : 1;
	return 0;
}

/* The later line of a pair that compares equal, or 0. */
static unsigned
dup_line(struct seen *s, size_t n, int (*cmp)(const void *, const void *))
{
	size_t i;

	qsort(s, n, sizeof(*s), cmp);
	for (i = 1; i < n; i++)
		if (cmp(&s[i - 1], &s[i]) == 0)
			return s[i - 1].lineno > s[i].lineno ?
			    s[i - 1].lineno : s[i].lineno;
	return 0;
}

/* One record line (NUL-terminated, no '\n'): checked as an attach;
 * its ID and netns kept in *s (id points into line). */
static int
parse_record(char *line, char **argv, int *argcp, struct seen *s,
    char *err, size_t errsz)
{
	static struct ep_def eps[ATTACH_MAXEPS];
	unsigned long long dev, ino;
	struct ns_spec ns;
	char id[ATTACH_IDMAX + 1], network[ATTACH_NETMAX + 1];
	unsigned neps;
	int argc;

	if ((argc = split_words(line, argv, CTL_MAXWORDS + 2)) == -1) {
		snprintf(err, errsz, "not one blank between words, or a byte "
		    "not printable, or too many words");
		return EINVAL;
	}
	if (argc < 5 || parse_u64(argv[0], &dev) == -1 ||
	    parse_u64(argv[1], &ino) == -1) {
		snprintf(err, errsz, "expected \"DEV INO ID netns PATH ...\"");
		return EINVAL;
	}
	if (parse_attach(argc - 2, argv + 2, id, network, &ns, eps, &neps, err,
	    errsz) != 0)
		return EINVAL;
	s->id = argv[2];
	s->ns.dev = (dev_t)dev;
	s->ns.ino = (ino_t)ino;
	if ((unsigned long long)s->ns.dev != dev ||
	    (unsigned long long)s->ns.ino != ino) {
		snprintf(err, errsz, "netns identity out of range");
		return EINVAL;
	}
	*argcp = argc;
	return 0;
}

static int
lines(const char *buf, size_t len, state_fn fn, void *arg, struct seen *seen,
    size_t *nseen, unsigned *lineno, char *err, size_t errsz)
{
	static char line[STATE_MAXLINE + 1];
	static char *argv[CTL_MAXWORDS + 2];
	const char *p = buf, *end = buf + len, *nl;
	size_t n;
	int argc;

	for (*lineno = 1; p < end; (*lineno)++, p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			snprintf(err, errsz, "truncated line (no newline)");
			return EINVAL;
		}
		if ((n = (size_t)(nl - p)) > STATE_MAXLINE) {
			snprintf(err, errsz, "line too long");
			return EINVAL;
		}
		if (memchr(p, '\0', n) != NULL) {
			snprintf(err, errsz, "NUL byte in line");
			return EINVAL;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (*lineno == 1) {
			if (strcmp(line, STATE_MAGIC) == 0)
				continue;
			snprintf(err, errsz, "not a state file of this graftd "
			    "(expected \"%s\")", STATE_MAGIC);
			return EINVAL;
		}
		if (*nseen == ATTACH_MAX) {
			snprintf(err, errsz, "more than %d attachments",
			    ATTACH_MAX);
			return EINVAL;
		}
		if (parse_record(line, argv, &argc, &seen[*nseen], err,
		    errsz) != 0)
			return EINVAL;
		if (fn) {
			fn(arg, *lineno, &seen[*nseen].ns, argc - 2, argv + 2);
			continue;
		}
		if ((seen[*nseen].id = strdup(seen[*nseen].id)) == NULL) {
			snprintf(err, errsz, "out of memory");
			return ENOMEM;
		}
		seen[(*nseen)++].lineno = *lineno;
	}
	if (*lineno == 1) {
		snprintf(err, errsz, "empty (no \"%s\" line)", STATE_MAGIC);
		return EINVAL;
	}
	return 0;
}

/* Checks the whole file (buf, len): the first line, every record as an
 * attach, no ID or netns twice, at most ATTACH_MAX records.  Then, if
 * all is well and fn is set, calls fn with each record's line number,
 * netns identity and attach words (valid until it returns), in order.
 * On an error: its line in *lineno, the message in err. */
int
state_parse(const char *buf, size_t len, state_fn fn, void *arg,
    unsigned *lineno, char *err, size_t errsz)
{
	struct seen *seen;
	size_t nseen = 0, i;
	unsigned ln = 0;
	int rv;

	*lineno = 0;
	if (len > STATE_MAXSIZE) {
		snprintf(err, errsz, "larger than %zu bytes", STATE_MAXSIZE);
		return EFBIG;
	}
	if ((seen = calloc(ATTACH_MAX, sizeof(*seen))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return ENOMEM;
	}
	rv = lines(buf, len, NULL, NULL, seen, &nseen, lineno, err, errsz);
	if (rv == 0 && (ln = dup_line(seen, nseen, seen_cmp_id)) != 0)
		snprintf(err, errsz, "an ID attached twice");
	else if (rv == 0 && (ln = dup_line(seen, nseen, seen_cmp_ns)) != 0)
		snprintf(err, errsz, "a netns attached twice");
	if (ln != 0) {
		*lineno = ln;
		rv = EINVAL;
	}
	for (i = 0; i < nseen; i++)
		free((char *)seen[i].id);
	nseen = 0;
	if (rv == 0 && fn)
		rv = lines(buf, len, fn, arg, seen, &nseen, &ln, err, errsz);
	free(seen);
	return rv;
}
