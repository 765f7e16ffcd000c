/* fuzz_graftd_config.c - graftd.conf (src/graftd/config.c) and the
 * endpoint grammar it shares with graftctl and the control socket
 * (parse.c), with table.c behind it and the unit tests' fake netns
 * resolver.  The input is the file, read through config_load() from a
 * memfd.  Every endpoint accepted must print (ep_format) as a line that
 * parses back to the same endpoint, and print as JSON; deleting them
 * all must empty the table set. */
#include <sys/mman.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "graftd.h"
#include "fuzz.h"

void	fake_ns_set(const char *, ino_t);

static int mfd = -1;
static char path[64];

/* The buffers are those of ctlcmd.c (show: 512, show json: 1024). */
static void
roundtrip(const struct ep_def *def)
{
	char line[512], json[1024], err[ERRBUFSZ], *argv[32], *p;
	struct ep_def back;
	size_t n;
	int argc = 0;

	n = ep_format(def, line, sizeof(line));
	FUZZ_CHECK(n < sizeof(line));
	n = ep_format_json(def, json, sizeof(json));
	FUZZ_CHECK(n < sizeof(json) && json[0] == '{' && json[n - 1] == '}');
	check_json(json, n);
	for (p = strtok(line, " "); p && argc < 32; p = strtok(NULL, " "))
		argv[argc++] = p;
	FUZZ_CHECK(parse_endpoint(argc, argv, &back, err, sizeof(err)) == 0);
	/* names and a user's primary group are resolved as graftd.conf does */
	FUZZ_CHECK(ep_resolve_user(&back, err, sizeof(err)) == 0);
	FUZZ_CHECK(memcmp(&back, def, sizeof(back)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tableset *ts, *ts2;
	struct settings s;
	struct nstable *nt;
	struct endpoint *ep;
	char err[ERRBUFSZ];
	struct { char name[EP_NAMESZ]; struct ns_spec ns; } *names;
	unsigned i, n;
	int rv;

	if (size > 1 << 20)
		return 0;
	if (mfd == -1) {
		fake_ns_set("web", 700);
		fake_ns_set("db", 701);
		FUZZ_CHECK((mfd = memfd_create("graftd.conf", 0)) != -1);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	}
	FUZZ_CHECK(ftruncate(mfd, 0) == 0);
	FUZZ_CHECK(pwrite(mfd, data, size, 0) == (ssize_t)size);
	err[0] = '\0';
	rv = config_load(path, &ts, &s, err, sizeof(err));
	FUZZ_CHECK(strnlen(err, sizeof(err)) < sizeof(err));
	if (rv != 0) {
		FUZZ_CHECK(err[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(s.max_clients >= 1 && s.max_clients <= 65536);
	FUZZ_CHECK(s.idle_timeout <= 86400 && s.sock_mode <= 0777);
	FUZZ_CHECK(ts->count <= TS_MAXENDPOINTS);
	names = calloc(ts->count + 1, sizeof(*names));
	FUZZ_CHECK(names != NULL);
	n = 0;
	TAILQ_FOREACH(nt, &ts->tables, entry) {
		FUZZ_CHECK(!TAILQ_EMPTY(&nt->eps));
		TAILQ_FOREACH(ep, &nt->eps, entry) {
			FUZZ_CHECK(ns_spec_eq(&ep->def.ns, &nt->spec));
			roundtrip(&ep->def);
			FUZZ_CHECK(n < ts->count);
			memcpy(names[n].name, ep->def.name, EP_NAMESZ);
			names[n].ns = ep->def.ns;
			n++;
		}
	}
	FUZZ_CHECK(n == ts->count);
	(void)ts_need_lowports(ts);
	/* a reload of the same file keeps the counters */
	if (config_load(path, &ts2, &s, err, sizeof(err)) == 0) {
		ts_carry_stats(ts2, ts);
		ts_free(ts2);
	}
	for (i = 0; i < n; i++)
		FUZZ_CHECK(ts_del(ts, names[i].name, &names[i].ns, err,
		    sizeof(err)) == 0);
	FUZZ_CHECK(ts->count == 0 && TAILQ_EMPTY(&ts->tables));
	free(names);
	ts_free(ts);
	return 0;
}
