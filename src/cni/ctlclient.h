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
#define CTL_MAXLINES	4096	/* data lines graft-cni takes from one answer */

/* Called with each line of graftd's data records (without its newline);
 * 0, or -1 with a message when the line is not what the command gives. */
typedef int	(*ctl_line_fn)(const char *, void *, char *, size_t);

enum ctl_result	ctl_call(const char *, const char *, size_t, ctl_line_fn,
		    void *, int *, char *, size_t);

#endif
