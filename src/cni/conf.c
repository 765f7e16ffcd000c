/* conf.c - the network configuration of graft-cni: the plugin's keys,
 * runtimeConfig.portMappings, prevResult and the keys of CNI 1.1 (GC's
 * cni.dev/valid-attachments), all validated (see man/graft-cni.8 for what
 * each key means). */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"

const char *const cni_versions[] = { "0.3.1", "0.4.0", "1.0.0", "1.1.0",
	NULL };

/* the keys a plugin entry may have: the spec's well-known ones, what
 * libcni adds (the conflist's cniVersions, disableCheck and disableGC
 * too, and the valid attachments for GC), and ours */
static const char *const conf_keys[] = { "cniVersion", "name", "type",
	"args", "ipam", "dns", "capabilities", "runtimeConfig", "prevResult",
	"cniVersions", "disableCheck", "disableGC", CNI_VALIDKEY,
	"control", "hostIP", "egress", NULL };

int
cni_fail(struct cni_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

/* a >= b, for the versions of cni_versions */
int
version_ge(const char *a, const char *b)
{
	unsigned x[3] = { 0 }, y[3] = { 0 };
	int i;

	sscanf(a, "%u.%u.%u", &x[0], &x[1], &x[2]);
	sscanf(b, "%u.%u.%u", &y[0], &y[1], &y[2]);
	for (i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] > y[i];
	return 1;
}

/* The member key of o, which must be of type t when present. */
static int
member(const struct json *o, const char *key, enum json_type t,
    const struct json **out, const char *where, struct cni_err *e)
{
	const struct json *j = json_get(o, key);

	*out = j;
	if (j == NULL || j->type == t ||
	    (t == JSON_TRUE && j->type == JSON_FALSE))
		return 0;
	return cni_fail(e, CNI_E_CONFIG, "%s\"%s\" must be %s %s, not %s",
	    where, key, t == JSON_ARRAY || t == JSON_OBJECT ? "an" : "a",
	    t == JSON_TRUE ? "boolean" : json_typename(t),
	    json_typename(j->type));
}

static int
parse_addr(const char *s, struct cni_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->a.v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->a.v6) == 1)
		a->family = AF_INET6;
	else
		return -1;
	inet_ntop(a->family, &a->a, a->text, sizeof(a->text));
	return 0;
}

static int
is_any(const struct cni_addr *a)
{
	static const struct in6_addr any6;

	if (a->family == AF_INET)
		return a->a.v4.s_addr == 0;
	return memcmp(&a->a.v6, &any6, sizeof(any6)) == 0;
}

static int
same_addr(const struct cni_addr *a, const struct cni_addr *b)
{
	return a->family == b->family &&
	    memcmp(&a->a, &b->a, a->family == AF_INET ? 4 : 16) == 0;
}

/* An integer 1..65535 written as plain digits. */
static int
port_value(const struct json *j, unsigned *out)
{
	const char *s = j->str;
	unsigned long v = 0;

	if (j->type != JSON_NUMBER || *s == '0' || strlen(s) > 5)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int
host_addr(const struct json *o, const struct cni_addr *dflt,
    struct cni_addr *a, const char *where, struct cni_err *e)
{
	const struct json *h;

	if (member(o, "hostIP", JSON_STRING, &h, where, e))
		return e->code;
	if (h == NULL || h->str[0] == '\0') {
		*a = *dflt;
		return 0;
	}
	if (parse_addr(h->str, a) == -1)
		return cni_fail(e, CNI_E_CONFIG, "%s\"hostIP\": \"%.64s\" is "
		    "not an IPv4 or IPv6 address", where, h->str);
	return 0;
}

static int
one_mapping(struct cni_conf *c, const struct json *m, size_t i,
    struct cni_err *e)
{
	struct cni_map *pm = &c->map[c->nmap];
	const struct json *hp, *cp, *pr;
	char where[64];

	snprintf(where, sizeof(where), "portMappings[%zu]: ", i);
	if (m->type != JSON_OBJECT)
		return cni_fail(e, CNI_E_CONFIG, "%sis %s, not an object",
		    where, json_typename(m->type));
	hp = json_get(m, "hostPort");
	cp = json_get(m, "containerPort");
	if (hp == NULL || port_value(hp, &pm->hostport) == -1)
		return cni_fail(e, CNI_E_CONFIG, "%s\"hostPort\" must be a "
		    "port number 1..65535", where);
	if (cp == NULL || port_value(cp, &pm->cport) == -1)
		return cni_fail(e, CNI_E_CONFIG, "%s\"containerPort\" must be "
		    "a port number 1..65535", where);
	if (member(m, "protocol", JSON_STRING, &pr, where, e))
		return e->code;
	if (pr == NULL || pr->str[0] == '\0' || strcasecmp(pr->str, "tcp") == 0)
		pm->udp = 0;
	else if (strcasecmp(pr->str, "udp") == 0)
		pm->udp = 1;
	else
		return cni_fail(e, CNI_E_CONFIG, "%sprotocol \"%.32s\" is not "
		    "supported (tcp or udp)", where, pr->str);
	return host_addr(m, &c->hostip, &pm->host, where, e);
}

/* Two mappings may not take the same host port (the wildcard address
 * takes the port on every address of its family) nor graft the same
 * container port twice: a container socket has one host socket. */
static int
mapping_conflicts(const struct cni_conf *c, size_t i, struct cni_err *e)
{
	const struct cni_map *a = &c->map[i], *b;
	size_t j;

	for (j = 0; j < i; j++) {
		b = &c->map[j];
		if (a->udp != b->udp)
			continue;
		if (a->hostport == b->hostport && a->host.family ==
		    b->host.family && (same_addr(&a->host, &b->host) ||
		    is_any(&a->host) || is_any(&b->host)))
			return cni_fail(e, CNI_E_CONFIG, "portMappings[%zu]: "
			    "host port %s %u/%s is already mapped by "
			    "portMappings[%zu]", i, a->host.text, a->hostport,
			    a->udp ? "udp" : "tcp", j);
		if (a->cport == b->cport)
			return cni_fail(e, CNI_E_CONFIG, "portMappings[%zu]: "
			    "container port %u/%s is already mapped by "
			    "portMappings[%zu] (a grafted socket has one host "
			    "address)", i, a->cport, a->udp ? "udp" : "tcp", j);
	}
	return 0;
}

static int
port_mappings(struct cni_conf *c, const struct json *rc, struct cni_err *e)
{
	const struct json *pms;
	size_t i;

	if (member(rc, "portMappings", JSON_ARRAY, &pms, "runtimeConfig: ", e))
		return e->code;
	if (pms == NULL)
		return 0;
	for (i = 0; i < pms->n; i++) {
		if (c->nmap + c->negress >= CNI_MAXEP)
			return cni_fail(e, CNI_E_CONFIG, "too many endpoints: "
			    "%zu port mappings and %zu egress entries (at "
			    "most %d in all)", pms->n, c->negress, CNI_MAXEP);
		if (one_mapping(c, pms->v[i], i, e) ||
		    mapping_conflicts(c, i, e))
			return e->code;
		c->nmap++;
	}
	return 0;
}

/* PREFIX[/LEN], v4 or v6, the v6 address in brackets or not. */
static int
parse_prefix(const char *s, struct cni_addr *a)
{
	char buf[CNI_PREFIXSZ], *slash, *addr = buf, *end;
	unsigned long len;
	size_t n;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	n = strlen(addr);
	if (n > 2 && addr[0] == '[' && addr[n - 1] == ']') {
		addr[n - 1] = '\0';
		addr++;
		if (strchr(addr, ':') == NULL)
			return -1;
	}
	if (parse_addr(addr, a) == -1)
		return -1;
	if (slash == NULL)
		return 0;
	if (*slash < '0' || *slash > '9' || (slash[0] == '0' && slash[1]))
		return -1;
	len = strtoul(slash, &end, 10);
	if (*end != '\0' || len > (a->family == AF_INET ? 32u : 128u))
		return -1;
	return 0;
}

static int
one_egress(struct cni_conf *c, const struct json *g, size_t i,
    struct cni_err *e)
{
	static struct cni_addr any4, any6;
	struct cni_egress *eg = &c->egress[c->negress];
	const struct json *p;
	struct cni_addr pa;
	char where[64];

	if (any4.family == 0) {
		parse_addr("0.0.0.0", &any4);
		parse_addr("::", &any6);
	}
	snprintf(where, sizeof(where), "egress[%zu]: ", i);
	if (g->type != JSON_OBJECT)
		return cni_fail(e, CNI_E_CONFIG, "%sis %s, not an object",
		    where, json_typename(g->type));
	if (member(g, "prefix", JSON_STRING, &p, where, e))
		return e->code;
	if (p == NULL)
		return cni_fail(e, CNI_E_CONFIG, "%s\"prefix\" is required",
		    where);
	if (parse_prefix(p->str, &pa) == -1)
		return cni_fail(e, CNI_E_CONFIG, "%s\"prefix\": \"%.64s\" is "
		    "not an address prefix (ADDR[/LEN])", where, p->str);
	strcpy(eg->prefix, p->str);
	if (host_addr(g, pa.family == AF_INET ? &any4 : &any6, &eg->host,
	    where, e))
		return e->code;
	if (eg->host.family != pa.family)
		return cni_fail(e, CNI_E_CONFIG, "%s\"hostIP\" %s is not of "
		    "the family of prefix %.64s", where, eg->host.text, p->str);
	return 0;
}

static int
egress(struct cni_conf *c, const struct json *root, struct cni_err *e)
{
	const struct json *eg;
	size_t i;

	if (member(root, "egress", JSON_ARRAY, &eg, "", e))
		return e->code;
	if (eg == NULL)
		return 0;
	for (i = 0; i < eg->n; i++) {
		if (c->negress >= CNI_MAXEP)
			return cni_fail(e, CNI_E_CONFIG, "too many egress "
			    "entries: %zu (at most %d endpoints)", eg->n,
			    CNI_MAXEP);
		if (one_egress(c, eg->v[i], i, e))
			return e->code;
		c->negress++;
	}
	return 0;
}

/* Every element of the array key of o must be an object; required: a
 * member every element must have, of type STRING. */
static int
objects(const struct json *o, const char *key, const char *required,
    struct cni_err *e)
{
	const struct json *a, *r;
	char where[64];
	size_t i;

	if (member(o, key, JSON_ARRAY, &a, "prevResult: ", e))
		return e->code;
	for (i = 0; a != NULL && i < a->n; i++) {
		snprintf(where, sizeof(where), "prevResult: %s[%zu]: ", key, i);
		if (a->v[i]->type != JSON_OBJECT)
			return cni_fail(e, CNI_E_CONFIG, "%sis %s, not an "
			    "object", where, json_typename(a->v[i]->type));
		if (member(a->v[i], required, JSON_STRING, &r, where, e))
			return e->code;
		if (r == NULL)
			return cni_fail(e, CNI_E_CONFIG, "%s\"%s\" is required",
			    where, required);
	}
	return 0;
}

/* The result of the plugins before this one: passed on, so its shape
 * matters (a runtime reads what we print). */
static int
prev_result(struct cni_conf *c, const struct json *root, struct cni_err *e)
{
	const struct json *p, *v;

	if (member(root, "prevResult", JSON_OBJECT, &p, "", e))
		return e->code;
	if ((c->prev = p) == NULL)
		return 0;
	if (member(p, "cniVersion", JSON_STRING, &v, "prevResult: ", e) ||
	    member(p, "dns", JSON_OBJECT, &v, "prevResult: ", e) ||
	    objects(p, "interfaces", "name", e) ||
	    objects(p, "ips", "address", e) ||
	    objects(p, "routes", "dst", e))
		return e->code;
	return 0;
}

static int
control_path(struct cni_conf *c, const struct json *root, struct cni_err *e)
{
	const struct json *ctl;

	if (member(root, "control", JSON_STRING, &ctl, "", e))
		return e->code;
	if (ctl == NULL) {
		strcpy(c->control, CNI_DEFCTL);
		return 0;
	}
	if (ctl->str[0] != '/')
		return cni_fail(e, CNI_E_CONFIG, "\"control\": \"%.64s\" is "
		    "not an absolute path", ctl->str);
	if (strlen(ctl->str) >= sizeof(c->control))
		return cni_fail(e, CNI_E_CONFIG, "\"control\": path longer "
		    "than %zu bytes", sizeof(c->control) - 1);
	strcpy(c->control, ctl->str);
	return 0;
}

static int
top_keys(const struct json *root, struct cni_err *e)
{
	size_t i, k;

	for (i = 0; i < root->n; i++) {
		for (k = 0; conf_keys[k]; k++)
			if (strcmp(root->v[i]->key, conf_keys[k]) == 0)
				break;
		if (conf_keys[k] == NULL)
			return cni_fail(e, CNI_E_FIELD, "unknown key \"%.64s\" "
			    "in the network configuration", root->v[i]->key);
	}
	return 0;
}

static int
version(struct cni_conf *c, const struct json *root, struct cni_err *e)
{
	const struct json *v;
	size_t i;

	if (member(root, "cniVersion", JSON_STRING, &v, "", e))
		return e->code;
	if (v == NULL)
		return cni_fail(e, CNI_E_CONFIG, "\"cniVersion\" is required");
	for (i = 0; cni_versions[i]; i++)
		if (strcmp(v->str, cni_versions[i]) == 0) {
			c->version = cni_versions[i];
			return 0;
		}
	return cni_fail(e, CNI_E_VERSION, "CNI version \"%.32s\" is not "
	    "supported (0.3.1, 0.4.0, 1.0.0, 1.1.0)", v->str);
}

/* The CNI spec's network name: an ASCII letter or digit, then letters,
 * digits, "_", "." and "-"; at most CNI_NAMEMAX bytes (graftd's tag). */
int
cni_name_ok(const char *s)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = strlen(s);

	if (n == 0 || n > CNI_NAMEMAX || strchr(alnum, s[0]) == NULL)
		return 0;
	for (s++; *s; s++)
		if (strchr(alnum, *s) == NULL && strchr("_.-", *s) == NULL)
			return 0;
	return 1;
}

static int
net_name(struct cni_conf *c, const struct json *root, struct cni_err *e)
{
	const struct json *j;

	if (member(root, "name", JSON_STRING, &j, "", e))
		return e->code;
	if (j == NULL || j->str[0] == '\0')
		return cni_fail(e, CNI_E_CONFIG, "\"name\" is required");
	c->name = j->str;
	return 0;
}

/* ADD, STATUS and GC send the name to graftd (the attachment's tag);
 * DEL and CHECK do not need it, and take a name that was accepted before
 * there were tags. */
int
conf_tag_name(const struct cni_conf *c, struct cni_err *e)
{
	if (cni_name_ok(c->name))
		return 0;
	return cni_fail(e, CNI_E_CONFIG, "\"name\": \"%.64s%s\" is not a "
	    "network name (an ASCII letter or digit, then letters, digits, "
	    "\"_\", \".\", \"-\"; at most %d bytes)", c->name,
	    strlen(c->name) > 64 ? "..." : "", CNI_NAMEMAX);
}

/* CNI 1.1: the conflist's cniVersions, disableCheck and disableGC, which
 * libcni may pass on (not used), and the attachments GC must keep. */
static int
cni11_keys(struct cni_conf *c, const struct json *root, struct cni_err *e)
{
	const struct json *j, *v, *r;
	char where[80];
	size_t i;

	if (member(root, "disableCheck", JSON_TRUE, &j, "", e) ||
	    member(root, "disableGC", JSON_TRUE, &j, "", e) ||
	    member(root, "cniVersions", JSON_ARRAY, &j, "", e))
		return e->code;
	for (i = 0; j != NULL && i < j->n; i++)
		if (j->v[i]->type != JSON_STRING)
			return cni_fail(e, CNI_E_CONFIG, "\"cniVersions\"[%zu] "
			    "is %s, not a string", i,
			    json_typename(j->v[i]->type));
	/* libcni marshals a runtime's empty (nil) list as null */
	if ((v = json_get(root, CNI_VALIDKEY)) != NULL && v->type == JSON_NULL)
		return 0;
	if (member(root, CNI_VALIDKEY, JSON_ARRAY, &v, "", e))
		return e->code;
	for (i = 0; v != NULL && i < v->n; i++) {
		snprintf(where, sizeof(where), "\"%s\"[%zu]: ", CNI_VALIDKEY,
		    i);
		if (v->v[i]->type != JSON_OBJECT)
			return cni_fail(e, CNI_E_CONFIG, "%sis %s, not an "
			    "object", where, json_typename(v->v[i]->type));
		if (member(v->v[i], "containerID", JSON_STRING, &r, where, e))
			return e->code;
		if (r == NULL)
			return cni_fail(e, CNI_E_CONFIG, "%s\"containerID\" is "
			    "required", where);
		if (member(v->v[i], "ifname", JSON_STRING, &r, where, e))
			return e->code;
		if (r == NULL)
			return cni_fail(e, CNI_E_CONFIG, "%s\"ifname\" is "
			    "required", where);
	}
	c->valid = v;
	return 0;
}

static int
check_conf(struct cni_conf *c, struct cni_err *e)
{
	const struct json *root = c->doc.root, *j;

	if (root->type != JSON_OBJECT)
		return cni_fail(e, CNI_E_CONFIG, "the network configuration "
		    "is %s, not an object", json_typename(root->type));
	if (version(c, root, e) || top_keys(root, e))
		return e->code;
	if (net_name(c, root, e) || cni11_keys(c, root, e))
		return e->code;
	if (member(root, "type", JSON_STRING, &j, "", e) ||
	    member(root, "capabilities", JSON_OBJECT, &j, "", e) ||
	    member(root, "args", JSON_OBJECT, &j, "", e) ||
	    control_path(c, root, e))
		return e->code;
	parse_addr("0.0.0.0", &c->hostip);
	if (host_addr(root, &c->hostip, &c->hostip, "", e) ||
	    egress(c, root, e))
		return e->code;
	if (member(root, "runtimeConfig", JSON_OBJECT, &j, "", e))
		return e->code;
	if (j != NULL && port_mappings(c, j, e))
		return e->code;
	return prev_result(c, root, e);
}

int
conf_parse(struct cni_conf *c, const char *text, size_t len,
    struct cni_err *e)
{
	char err[200];

	memset(c, 0, sizeof(*c));
	if (json_parse(&c->doc, text, len, err, sizeof(err)) == -1)
		return cni_fail(e, CNI_E_DECODE, "the network configuration is "
		    "not valid JSON: %s", err);
	if (check_conf(c, e) != 0) {
		conf_free(c);
		return e->code;
	}
	return 0;
}

void
conf_free(struct cni_conf *c)
{
	json_free(&c->doc);
	c->prev = NULL;
	c->valid = NULL;
	c->name = NULL;
}
