/* fuzz_graft_conf.c - graft.conf as the libc side parses it
 * (src/graft/conf_parse.c, conf_addr.c), then the matcher and the
 * message formatter on what was parsed.  The input is the file.  Every
 * rule and host must also name the line it came from. */
#include "core_check.h"

static struct graft_conf c;

/* Does line ln (1-based) of data start with word, after blanks? */
static int
line_starts(const uint8_t *data, size_t size, unsigned ln, const char *word)
{
	size_t i = 0, n = strlen(word);
	unsigned l = 1;

	while (l < ln && i < size)
		if (data[i++] == '\n')
			l++;
	if (l != ln)
		return 0;
	while (i < size && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r'))
		i++;
	return size - i >= n && memcmp(data + i, word, n) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned i;

	if (size > GRAFT_CONF_MAXSIZE)
		return 0;
	__graft_conf_init(&c);
	__graft_conf_parse(&c, "/etc/graft.conf", (const char *)data, size);
	__graft_conf_finish(&c);
	check_conf(&c);
	for (i = 0; i < c.nin; i++)
		FUZZ_CHECK(line_starts(data, size, c.in[i].line, "ingress"));
	for (i = 0; i < c.neg; i++)
		FUZZ_CHECK(line_starts(data, size, c.eg[i].line, "egress"));
	for (i = 0; i < c.nhost; i++)
		FUZZ_CHECK(line_starts(data, size, c.host[i].line, "host"));
	if (c.rules)	/* "rules broker" */
		FUZZ_CHECK(line_starts(data, size, c.rules, "rules"));
	FUZZ_CHECK(!c.nbin && !c.nbeg);	/* the broker's come at load only */
	return 0;
}
