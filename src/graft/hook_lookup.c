/* hook_lookup.c - name lookups: graft.conf "host" lines answer before
 * /etc/hosts (for getaddrinfo and gethostbyname* alike).  AF_GRAFT
 * answers from getaddrinfo/getnameinfo: afgraft_lookup.c. */
#include <string.h>
#include <netdb.h>
#include "graft_conf.h"
#include "graft_hooks.h"

/* Must stay identical to musl's src/network/lookup.h (not on our path). */
struct address {
	int family;
	unsigned scopeid;
	uint8_t addr[16];
	int sortkey;
};
_Static_assert(sizeof(struct address) == 28, "musl's struct address");

static int name_eq(const char *h, const char *name)
{
	for (; *h && *name; h++, name++) {
		unsigned char x = *h | (*h >= 'A' && *h <= 'Z' ? 0x20 : 0);
		unsigned char y = *name | (*name >= 'A' && *name <= 'Z' ? 0x20 : 0);
		if (x != y) return 0;
	}
	/* "name." is the same name, fully qualified */
	return !*h && (!*name || (name[0] == '.' && !name[1]));
}

int __graft_lookup_host(struct address *buf, char *canon, const char *name, int family)
{
	const struct graft_conf *c = __graft_conf();
	unsigned i, k;
	int n = 0;

	if (c->state != GRAFT_CONF_ACTIVE || !c->nhost) return 0;
	for (i = 0; i < c->nhost; i++) {
		const struct graft_host *h = c->host + i;
		if (!name_eq(h->name, name)) continue;
		for (k = 0; k < h->n; k++) {
			if (family != AF_UNSPEC && family != h->addr[k].family) continue;
			memset(buf + n, 0, sizeof *buf);
			buf[n].family = h->addr[k].family;
			memcpy(buf[n].addr, h->addr[k].a, 16);
			n++;
		}
		memcpy(canon, h->name, strlen(h->name) + 1);
		/* the name is ours: no fall-through to /etc/hosts or DNS */
		return n ? n : EAI_NONAME;
	}
	return 0;
}
