/* test_graftd_reasons.c - every GRAFT_R_* reason graft_proto.h defines has
 * a key and a text in graft_reasons.h, within GRAFT_R_MAX, and no two
 * reasons share a key (graftctl stats would merge them).  The header is
 * read as text, so that a reason added there cannot be forgotten here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "graft_reasons.h"

#ifndef PROTO_H		/* graftd.mk gives the absolute path */
#define PROTO_H	"src/common/graft_proto.h"
#endif

static void
test_every_reason_named(void **state)
{
	char line[256], name[64];
	unsigned long v;
	unsigned seen[GRAFT_R_MAX + 1] = { 0 }, n = 0, i, j;
	FILE *f;

	(void)state;
	f = fopen(PROTO_H, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "#define GRAFT_R_%63s %lu", name, &v) != 2 ||
		    strcmp(name, "MAX") == 0)
			continue;
		n++;
		if (v > GRAFT_R_MAX)
			fail_msg("GRAFT_R_%s = %lu beyond GRAFT_R_MAX", name, v);
		if (graft_reasons[v].key[0] == '\0' ||
		    graft_reasons[v].text[0] == '\0')
			fail_msg("GRAFT_R_%s has no key or text", name);
		seen[v]++;
	}
	fclose(f);
	assert_int_equal(n, GRAFT_R_MAX + 1);
	for (i = 0; i <= GRAFT_R_MAX; i++) {
		assert_int_equal(seen[i], 1);
		for (j = 0; j < i; j++)
			assert_string_not_equal(graft_reasons[i].key,
			    graft_reasons[j].key);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_reason_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
