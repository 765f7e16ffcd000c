/* conf_env.c - the original converter's variables, kept for its users:
 *   GRAFT_INGRESS_CONVERT="ADDR:PORT[-PORT]=EP ..."   (split at the last ':')
 *   GRAFT_EGRESS_CONVERT="PREFIX/LEN=EP ..."
 * Items are separated by blanks; each becomes a rule like a graft.conf
 * line, and a problem is reported with the item's number. */
#include <string.h>
#include "graft_conf.h"

int __graft_conf_env(struct graft_conf *c, const char *var, const char *val)
{
	int in = !strcmp(var, "GRAFT_INGRESS_CONVERT");
	int src = in ? GRAFT_SRC_ENV_IN : GRAFT_SRC_ENV_EG;
	char item[256], *eq;
	unsigned k = 0;
	const char *e;
	size_t n;

	for (;;) {
		struct graft_rule r;
		while (*val == ' ' || *val == '\t' || *val == ',') val++;
		if (!*val) return 0;
		n = strcspn(val, " \t,");
		k++;
		if (n >= sizeof item) return __graft_conf_error(c, src, k, "item too long", 0);
		memcpy(item, val, n);
		item[n] = 0;
		val += n;
		memset(&r, 0, sizeof r);
		r.src = src;
		r.line = k;
		eq = strrchr(item, '=');
		if (!eq) return __graft_conf_error(c, src, k, "missing =ENDPOINT in", item);
		*eq = 0;
		e = in ? __graft_parse_ingress(item, &r, 1) : __graft_parse_egress(item, &r);
		if (e) return __graft_conf_error(c, src, k, e, item);
		if ((e = __graft_parse_epname(eq + 1, &r))) return __graft_conf_error(c, src, k, e, eq + 1);
		if (in ? __graft_add_ingress(c, &r) : __graft_add_egress(c, &r)) return -1;
	}
}
