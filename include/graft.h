/* <graft.h> - the AF_GRAFT socket API, binary compatible with the original
 * af-graft kernel module.  With graft-cc the same calls work without the
 * module: the graft core in libc asks graftd for the host socket. */
#ifndef _GRAFT_H
#define _GRAFT_H

#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AF_GRAFT		4	/* the number AF_IPX had; free since Linux 4.18 */
#define PF_GRAFT		AF_GRAFT
#define AF_GRAFT_EPNAME_MAX	16

/* 18 bytes; sgr_epname need not be NUL terminated. */
struct sockaddr_gr {
	sa_family_t sgr_family;
	char sgr_epname[AF_GRAFT_EPNAME_MAX];
};

/* Endpoint name an unbound AF_GRAFT socket uses when it connects. */
#define GRAFT_DEFAULT_SOURCE	"default-source"

/* setsockopt/getsockopt level and options */
#define IPPROTO_GRAFT			254
#define GRAFT_SO_DELAYED		1	/* queue an option until the host socket exists */
#define GRAFT_SO_DELAYED_EXECUTE	2	/* apply the queue now (after bind) */
#define GRAFT_SO_DELAYED_RESULT		3	/* read back struct graft_sso_result[] */
#define GRAFT_SO_TRANSPARENT		4	/* pass an option to the host socket */
#define GRAFT_NAME_TRANSPARENT		5	/* getsockname returns the host address */

#define GRAFT_SO_DELAYED_MAX		64	/* queued options per socket */
#define GRAFT_SSO_TRANS_SIZE		128	/* graft_sso_trans with its optval */

/* One entry of the GRAFT_SO_DELAYED_RESULT array. */
struct graft_sso_result {
	int level;
	int optname;
	int ret;		/* 0 or -errno of the replayed setsockopt */
} __attribute__((__packed__));

/* The value of GRAFT_SO_TRANSPARENT: an option for the host socket. */
struct graft_sso_trans {
	int level;
	int optname;
	unsigned int optlen;
	char optval[];
} __attribute__((__packed__));

#ifdef __cplusplus
}
#endif

#endif
