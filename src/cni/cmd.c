/* cmd.c - the attach, detach, check and attachments commands of
 * graft-cni for graftd: one endpoint per port mapping (pN), one per
 * egress entry (eN), the attachment tagged with the network's name; the
 * records "attachments network NAME" answers; the attachments GC keeps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static void
word(struct cmd *c, const char *w)
{
	size_t n = strlen(w) + 1;

	if (c->full || c->len + n > sizeof(c->rec) || c->nwords >= CTL_MAXWORDS) {
		c->full = 1;
		return;
	}
	memcpy(c->rec + c->len, w, n);
	c->len += n;
	c->nwords++;
}

static void
words(struct cmd *c, const char *const *w)
{
	for (; *w; w++)
		word(c, *w);
}

static int
id_chars(const char *s)
{
	return s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-")] == '\0';
}

/* The attach ID CONTAINERID/IFNAME: graftd's ID characters, which the
 * CNI spec's container ID characters are; an interface name may hold
 * more (the kernel's), which graftd would refuse. */
int
cni_cmd_id(char *id, size_t sz, const char *cid, const char *ifname,
    struct cni_err *e)
{
	if (cid[0] == '\0' || !id_chars(cid))
		return cni_fail(e, CNI_E_ENV, "CNI_CONTAINERID \"%.64s\" is not "
		    "a container ID (letters, digits, \"_\", \".\", \"-\")", cid);
	if (ifname[0] == '\0' || !id_chars(ifname) || strlen(ifname) > 15 ||
	    strcmp(ifname, ".") == 0 || strcmp(ifname, "..") == 0)
		return cni_fail(e, CNI_E_ENV, "CNI_IFNAME \"%.64s\" is not an "
		    "interface name graft-cni takes (at most 15 letters, "
		    "digits, \"_\", \".\", \"-\")", ifname);
	if ((size_t)snprintf(id, sz, "%s/%s", cid, ifname) >= sz ||
	    strlen(id) > CNI_IDMAX)
		return cni_fail(e, CNI_E_ENV, "CNI_CONTAINERID is too long "
		    "(the attach ID CONTAINERID/IFNAME has at most %d bytes)",
		    CNI_IDMAX);
	return 0;
}

/* An absolute path, at most CNI_NSMAX bytes, no "." or ".." component,
 * no "//": what graftd takes. */
int
cni_cmd_netns(const char *p, struct cni_err *e)
{
	const char *s;
	size_t n;

	if (p[0] != '/' || strlen(p) > CNI_NSMAX)
		goto bad;
	for (s = p + 1;; s += n + 1) {
		n = strcspn(s, "/");
		if (n == 0 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			goto bad;
		if (s[n] == '\0')
			return 0;
	}
bad:
	return cni_fail(e, CNI_E_ENV, "CNI_NETNS \"%.64s\" is not a netns "
	    "path graftd takes (absolute, at most %d bytes, no \".\", \"..\" "
	    "or empty components)", p, CNI_NSMAX);
}

static void
endpoint(struct cmd *c, char type, size_t i, const struct cni_addr *a)
{
	char name[16];

	snprintf(name, sizeof(name), "%c%zu", type, i);
	words(c, (const char *const[]){ "endpoint", name, "type",
	    a->family == AF_INET ? "ipv4" : "ipv6", "addr", a->text, NULL });
}

int
cni_cmd_attach(struct cmd *c, const struct cni_conf *cf, const char *id,
    const char *netns, struct cni_err *e)
{
	const struct cni_map *m;
	char port[8], match[16];
	size_t i;

	memset(c, 0, sizeof(*c));
	words(c, (const char *const[]){ "attach", id, "netns", netns,
	    "network", cf->name, NULL });
	for (i = 0; i < cf->nmap; i++) {
		m = &cf->map[i];
		snprintf(port, sizeof(port), "%u", m->hostport);
		snprintf(match, sizeof(match), "*:%u", m->cport);
		endpoint(c, 'p', i, &m->host);
		words(c, (const char *const[]){ "port", port, "direction",
		    "ingress", "proto", m->udp ? "udp" : "tcp", "match", match,
		    NULL });
	}
	for (i = 0; i < cf->negress; i++) {
		endpoint(c, 'e', i, &cf->egress[i].host);
		words(c, (const char *const[]){ "port", "dynamic", "direction",
		    "egress", "match", cf->egress[i].prefix, NULL });
	}
	if (c->full)
		return cni_fail(e, CNI_E_CONFIG, "the attach command for %zu "
		    "port mappings and %zu egress entries is longer than "
		    "graftd takes (%d bytes, %d words)", cf->nmap, cf->negress,
		    CTL_MAXREC, CTL_MAXWORDS);
	return 0;
}

void
cni_cmd_detach(struct cmd *c, const char *id)
{
	memset(c, 0, sizeof(*c));
	words(c, (const char *const[]){ "detach", id, NULL });
}

void
cni_cmd_check(struct cmd *c, const char *id, const char *netns)
{
	memset(c, 0, sizeof(*c));
	words(c, (const char *const[]){ "check", id, "netns", netns, NULL });
}

void
cni_cmd_attachments(struct cmd *c, const char *network)
{
	memset(c, 0, sizeof(*c));
	words(c, (const char *const[]){ "attachments", "network", network,
	    NULL });
}

/* A line of the answer to "attachments network NAME":
 *	ID netns PATH endpoints N network NAME
 * ID into id (sz bytes); 0, or -1 when the line is not that.  Read from
 * both ends, so that the path is whatever lies between (graftd's paths
 * hold no blank today). */
int
cni_att_record(const char *line, const char *network, char *id, size_t sz)
{
	const char *p, *end = line + strlen(line), *num;
	size_t n = strcspn(line, " "), tail;

	if (n == 0 || n > CNI_IDMAX || n >= sz)
		return -1;
	memcpy(id, line, n);
	id[n] = '\0';
	if (id[strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.:/-")] != '\0')	/* graftd's ID characters */
		return -1;
	p = line + n;
	if (strncmp(p, " netns /", 8) != 0)
		return -1;
	p += 7;				/* the path */
	tail = strlen(network) + sizeof(" network ") - 1;
	if ((size_t)(end - p) < tail || strncmp(end - tail, " network ", 9) != 0 ||
	    strcmp(end - tail + 9, network) != 0)
		return -1;
	end -= tail;			/* ... endpoints N */
	for (num = end; num > p && num[-1] >= '0' && num[-1] <= '9'; num--)
		;
	if (num == end || end - num > 3 || (size_t)(num - p) <
	    sizeof(" endpoints ") || strncmp(num - 11, " endpoints ", 11) != 0)
		return -1;
	return 0;
}

static int
idcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The attach IDs of cni.dev/valid-attachments, CONTAINERID/IFNAME, sorted
 * (duplicates are harmless). */
int
cni_validset(struct cni_idset *s, const struct cni_conf *cf, struct cni_err *e)
{
	const struct json *v = cf->valid, *o;
	const char *cid, *ifname;
	size_t i, n;

	memset(s, 0, sizeof(*s));
	if (v == NULL || v->n == 0)
		return 0;
	if ((s->v = calloc(v->n, sizeof(*s->v))) == NULL)
		return cni_fail(e, CNI_E_IO, "out of memory");
	for (i = 0; i < v->n; i++) {
		o = v->v[i];
		cid = json_get(o, "containerID")->str;
		ifname = json_get(o, "ifname")->str;
		n = strlen(cid) + strlen(ifname) + 2;
		if ((s->v[i] = malloc(n)) == NULL) {
			cni_idset_free(s);
			return cni_fail(e, CNI_E_IO, "out of memory");
		}
		snprintf(s->v[i], n, "%s/%s", cid, ifname);
		s->n++;
	}
	qsort(s->v, s->n, sizeof(*s->v), idcmp);
	return 0;
}

int
cni_idset_has(const struct cni_idset *s, const char *id)
{
	return s->n > 0 &&
	    bsearch(&id, s->v, s->n, sizeof(*s->v), idcmp) != NULL;
}

void
cni_idset_free(struct cni_idset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
