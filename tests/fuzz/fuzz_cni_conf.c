/* fuzz_cni_conf.c - graft-cni's JSON parser and network configuration
 * (src/cni/json.c, conf.c) with what is built from them: the attach
 * command (cmd.c) and the ADD result (result.c).  The input is the text
 * the runtime would give on stdin.  Invariants: a parsed text written
 * back parses again and is written the same; a refused config has a CNI
 * error code and a message; an accepted one has a CNI network name, gives
 * an attach record of NUL-terminated words within graftd's limits, tagged
 * with that name, and a result that parses; GC's set of valid attachments
 * holds every entry of cni.dev/valid-attachments, sorted; a line of
 * "attachments network NAME" built with the name gives back its ID; the
 * input read as such a line gives an ID only when it begins with one. */
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

/* The attach record has "network NAME" right after the netns. */
static void
check_tag(const struct cmd *c, const char *name)
{
	static const char head[] = "attach\0c0ffee/eth0\0netns\0"
	    "/run/netns/fuzz\0network";
	size_t n = strlen(name) + 1;

	FUZZ_CHECK(c->len >= sizeof(head) + n);
	FUZZ_CHECK(memcmp(c->rec, head, sizeof(head)) == 0);
	FUZZ_CHECK(memcmp(c->rec + sizeof(head), name, n) == 0);
}

static void
check_valid(const struct cni_conf *c)
{
	const struct json *o;
	struct cni_idset s;
	struct cni_err e;
	char id[1024];
	size_t i;

	if (cni_validset(&s, c, &e) != 0) {
		FUZZ_CHECK(e.code == CNI_E_IO);
		return;
	}
	FUZZ_CHECK(s.n == (c->valid != NULL ? c->valid->n : 0));
	for (i = 0; i < s.n; i++) {
		FUZZ_CHECK(i == 0 || strcmp(s.v[i - 1], s.v[i]) <= 0);
		o = c->valid->v[i];
		FUZZ_CHECK(o->type == JSON_OBJECT);
		if ((size_t)snprintf(id, sizeof(id), "%s/%s",
		    json_get(o, "containerID")->str,
		    json_get(o, "ifname")->str) < sizeof(id))
			FUZZ_CHECK(cni_idset_has(&s, id));
	}
	cni_idset_free(&s);
}

/* graftd's line for an attachment of the network */
static void
check_line(const char *name)
{
	char line[CTL_MAXDATA], id[CNI_IDMAX + 1];

	snprintf(line, sizeof(line), "c0ffee/eth0 netns /run/netns/fuzz "
	    "endpoints 2 network %s", name);
	FUZZ_CHECK(cni_att_record(line, name, id, sizeof(id)) == 0);
	FUZZ_CHECK(strcmp(id, "c0ffee/eth0") == 0);
	FUZZ_CHECK(cni_att_record(line, "other", id, sizeof(id)) == -1 ||
	    strcmp(name, "other") == 0);
}

/* The input as a line of "attachments network A": an ID only from its
 * first word. */
static void
check_input_line(const uint8_t *data, size_t size)
{
	char line[CTL_MAXDATA], id[CNI_IDMAX + 1];
	size_t n;

	n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;
	memcpy(line, data, n);
	line[n] = '\0';
	if (cni_att_record(line, "A", id, sizeof(id)) == 0) {
		n = strlen(id);
		FUZZ_CHECK(n > 0 && n <= CNI_IDMAX);
		FUZZ_CHECK(memcmp(line, id, n) == 0 && line[n] == ' ');
	}
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
	check_input_line(data, size);
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
	FUZZ_CHECK(c.name != NULL && c.name[0] != '\0');
	if (conf_tag_name(&c, &e) != 0) {	/* DEL and CHECK only */
		FUZZ_CHECK(e.code == CNI_E_CONFIG && !cni_name_ok(c.name));
		conf_free(&c);
		return 0;
	}
	if (cni_cmd_attach(&cmd, &c, "c0ffee/eth0", "/run/netns/fuzz", &e) == 0) {
		check_record(&cmd);
		check_tag(&cmd, c.name);
	} else
		FUZZ_CHECK(e.code == CNI_E_CONFIG && cmd.full);
	result_add(&b, &c);
	FUZZ_CHECK(!b.oom);
	FUZZ_CHECK(json_parse(&d, b.buf, b.len, err, sizeof(err)) == 0);
	json_free(&d);
	jb_free(&b);
	check_valid(&c);
	check_line(c.name);
	conf_free(&c);
	return 0;
}
