/* stub_share.c - share.c's budget for the control fuzz target: ctlcmd.c
 * recomputes it after add and del; the fuzzer has no clients to share. */
#include "graftd.h"

void
share_configure(const struct settings *s, const struct tableset *ts)
{
	(void)s;
	(void)ts;
}
