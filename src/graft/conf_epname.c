/* conf_epname.c - what an endpoint name may be, for graft.conf and AF_GRAFT
 * alike; on its own so that the config parser does not link the AF_GRAFT
 * resolver (and malloc) into every program. */
#include "graft_conf.h"

/* 1..16 bytes, each printable and not blank (graftd's rule) */
int __graft_epname_ok(const char *s, size_t n)
{
	size_t i;
	if (!n || n > GRAFT_PROTO_EPNAME) return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e) return 0;
	return 1;
}
