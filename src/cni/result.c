/* result.c - the JSON graft-cni prints.  The ADD result is the previous
 * plugin's when chained, in the config's cniVersion (the runtime gives
 * prevResult in that version already; only the "version" member of an IP
 * differs between 0.3.x/0.4.0 and 1.0.0), else an empty result: graft
 * adds no interface and no address. */
#include <stdio.h>
#include <string.h>

#include "result.h"

static void
key(struct jbuf *b, const char *k, int first)
{
	if (!first)
		jb_raw(b, ",", 1);
	jb_str(b, k);
	jb_raw(b, ":", 1);
}

/* An entry of "ips": 1.0.0 has no "version", the ones before require it. */
static void
ip_entry(struct jbuf *b, const struct json *ip, const char *version)
{
	const struct json *a = json_get(ip, "address");
	int v1 = version_ge(version, "1.0.0"), first = 1;
	size_t i;

	jb_raw(b, "{", 1);
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
	jb_raw(b, "}", 1);
}

void
result_add(struct jbuf *b, const struct cni_conf *c)
{
	const struct json *p = c->prev, *m;
	size_t i, k;

	jb_raw(b, "{", 1);
	key(b, "cniVersion", 1);
	jb_str(b, c->version);
	if (p == NULL) {
		jb_raw(b, ",\"interfaces\":[],\"ips\":[]}\n", 26);
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
		jb_raw(b, "[", 1);
		for (k = 0; k < m->n; k++) {
			if (k)
				jb_raw(b, ",", 1);
			ip_entry(b, m->v[k], c->version);
		}
		jb_raw(b, "]", 1);
	}
	jb_raw(b, "}\n", 2);
}

void
result_version(struct jbuf *b)
{
	size_t i;

	jb_raw(b, "{\"cniVersion\":", 14);
	jb_str(b, CNI_LATEST);
	jb_raw(b, ",\"supportedVersions\":[", 22);
	for (i = 0; cni_versions[i]; i++) {
		if (i)
			jb_raw(b, ",", 1);
		jb_str(b, cni_versions[i]);
	}
	jb_raw(b, "]}\n", 3);
}

void
result_error(struct jbuf *b, const char *version, const struct cni_err *e)
{
	char code[16];
	int n;

	n = snprintf(code, sizeof(code), "%d", e->code);
	jb_raw(b, "{\"cniVersion\":", 14);
	jb_str(b, version ? version : CNI_LATEST);
	jb_raw(b, ",\"code\":", 8);
	jb_raw(b, code, (size_t)n);
	jb_raw(b, ",\"msg\":", 7);
	jb_str(b, e->msg);
	if (e->details[0]) {
		jb_raw(b, ",\"details\":", 11);
		jb_str(b, e->details);
	}
	jb_raw(b, "}\n", 2);
}
