/* fuzz_cni_conf.c - graft-cni's JSON parser and network configuration
 * (src/cni/json.c, conf.c) with what is built from them: the attach
 * command (cmd.c) and the ADD result (result.c).  The input is the text
 * the runtime would give on stdin.  Invariants: a parsed text written
 * back parses again and is written the same; a refused config has a CNI
 * error code and a message; an accepted one gives an attach record of
 * NUL-terminated words within graftd's limits and a result that parses. */
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "fuzz.h"
#include "json.h"
#include "result.h"

static void
roundtrip(const uint8_t *data, size_t size)
{
	struct json_doc d, d2;
	struct jbuf b = { 0 }, b2 = { 0 };
	char err[256];

	if (json_parse(&d, (const char *)data, size, err, sizeof(err)) != 0) {
		FUZZ_CHECK(d.root == NULL && strnlen(err, sizeof(err)) > 0);
		return;
	}
	jb_value(&b, d.root);
	FUZZ_CHECK(!b.oom);
	FUZZ_CHECK(json_parse(&d2, b.buf, b.len, err, sizeof(err)) == 0);
	jb_value(&b2, d2.root);
	FUZZ_CHECK(b.len == b2.len && memcmp(b.buf, b2.buf, b.len) == 0);
	json_free(&d);
	json_free(&d2);
	jb_free(&b);
	jb_free(&b2);
}

static void
check_record(const struct cmd *c)
{
	size_t i;
	int words = 0;

	FUZZ_CHECK(c->len > 0 && c->len <= CTL_MAXREC);
	FUZZ_CHECK(c->rec[c->len - 1] == '\0');
	for (i = 0; i < c->len; i++) {
		if (c->rec[i] == '\0') {
			FUZZ_CHECK(i > 0 && c->rec[i - 1] != '\0');
			words++;
		}
	}
	FUZZ_CHECK(words == c->nwords && words <= CTL_MAXWORDS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_conf c;
	struct cni_err e;
	struct cmd cmd;
	struct json_doc d;
	struct jbuf b = { 0 };
	char err[256];

	if (size > 1 << 16)
		return 0;
	roundtrip(data, size);
	memset(&e, 0, sizeof(e));
	if (conf_parse(&c, (const char *)data, size, &e) != 0) {
		FUZZ_CHECK(e.code == CNI_E_VERSION || e.code == CNI_E_FIELD ||
		    e.code == CNI_E_DECODE || e.code == CNI_E_CONFIG);
		FUZZ_CHECK(e.msg[0] != '\0');
		result_error(&b, c.version, &e);
		FUZZ_CHECK(json_parse(&d, b.buf, b.len, err, sizeof(err)) == 0);
		json_free(&d);
		jb_free(&b);
		return 0;
	}
	FUZZ_CHECK(c.nmap + c.negress <= CNI_MAXEP);
	if (cni_cmd_attach(&cmd, &c, "c0ffee/eth0", "/run/netns/fuzz", &e) == 0)
		check_record(&cmd);
	else
		FUZZ_CHECK(e.code == CNI_E_CONFIG && cmd.full);
	result_add(&b, &c);
	FUZZ_CHECK(!b.oom);
	FUZZ_CHECK(json_parse(&d, b.buf, b.len, err, sizeof(err)) == 0);
	json_free(&d);
	jb_free(&b);
	conf_free(&c);
	return 0;
}
