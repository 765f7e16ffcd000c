/* ctlclient.h - one command to graftd's control socket. */
#ifndef GRAFT_CNI_CTLCLIENT_H
#define GRAFT_CNI_CTLCLIENT_H

#include <stddef.h>

enum ctl_result {
	CTL_OK,		/* graftd answered OK */
	CTL_REFUSED,	/* graftd answered E<errno> msg */
	CTL_DOWN,	/* no graftd: no socket, or nobody listening */
	CTL_FAILED	/* cannot talk to it, or a malformed answer */
};

#define CTL_TIMEOUT	10	/* seconds for each send and receive */

enum ctl_result	ctl_call(const char *, const char *, size_t, int *, char *,
		    size_t);

#endif
