/* result.c - the JSON graft-cni prints.  The ADD result is the previous
 * plugin's when chained, in the config's cniVersion (the runtime gives
 * prevResult in that version already; only the "version" member of an IP
 * differs between 0.3.x/0.4.0 and 1.0.0; 1.1.0's result is 1.0.0's), else
 * an empty result: graft adds no interface and no address. */
#include <stdio.h>
#include <string.h>

#include "result.h"

#define JB_LIT(b, s)	jb_raw(b, s, sizeof(s) - 1)

static void
key(struct jbuf *b, const char *k, int first)
{
	if (!first)
		JB_LIT(b, ",");
	jb_str(b, k);
	JB_LIT(b, ":");
}

/* An entry of "ips": 1.0.0 and later have no "version", the ones before
 * require it. */
static void
ip_entry(struct jbuf *b, const struct json *ip, const char *version)
{
	const struct json *a = json_get(ip, "address");
	int v1 = version_ge(version, "1.0.0"), first = 1;
	size_t i;

	JB_LIT(b, "{");
	if (!v1 && json_get(ip, "version") == NULL) {
		key(b, "version", first);
		jb_str(b, a && strchr(a->str, ':') ? "6" : "4");
		first = 0;
	}
	for (i = 0; i < ip->n; i++) {
		if (v1 && strcmp(ip->v[i]->key, "version") == 0)
			continue;
		key(b, ip->v[i]->key, first);
		jb_value(b, ip->v[i]);
		first = 0;
	}
	JB_LIT(b, "}");
}

void
result_add(struct jbuf *b, const struct cni_conf *c)
{
	const struct json *p = c->prev, *m;
	size_t i, k;

	JB_LIT(b, "{");
	key(b, "cniVersion", 1);
	jb_str(b, c->version);
	if (p == NULL) {
		JB_LIT(b, ",\"interfaces\":[],\"ips\":[]}\n");
		return;
	}
	for (i = 0; i < p->n; i++) {
		m = p->v[i];
		if (strcmp(m->key, "cniVersion") == 0)
			continue;
		key(b, m->key, 0);
		if (strcmp(m->key, "ips") != 0) {
			jb_value(b, m);
			continue;
		}
		JB_LIT(b, "[");
		for (k = 0; k < m->n; k++) {
			if (k)
				JB_LIT(b, ",");
			ip_entry(b, m->v[k], c->version);
		}
		JB_LIT(b, "]");
	}
	JB_LIT(b, "}\n");
}

void
result_version(struct jbuf *b)
{
	size_t i;

	JB_LIT(b, "{\"cniVersion\":");
	jb_str(b, CNI_LATEST);
	JB_LIT(b, ",\"supportedVersions\":[");
	for (i = 0; cni_versions[i]; i++) {
		if (i)
			JB_LIT(b, ",");
		jb_str(b, cni_versions[i]);
	}
	JB_LIT(b, "]}\n");
}

void
result_error(struct jbuf *b, const char *version, const struct cni_err *e)
{
	char code[16];
	int n;

	n = snprintf(code, sizeof(code), "%d", e->code);
	JB_LIT(b, "{\"cniVersion\":");
	jb_str(b, version ? version : CNI_LATEST);
	JB_LIT(b, ",\"code\":");
	jb_raw(b, code, (size_t)n);
	JB_LIT(b, ",\"msg\":");
	jb_str(b, e->msg);
	if (e->details[0]) {
		JB_LIT(b, ",\"details\":");
		jb_str(b, e->details);
	}
	JB_LIT(b, "}\n");
}
