/* priv.c - drop what graftd does not need once its sockets are set up.
 *
 * graftd stays uid 0 (it must be able to read the root-only config file
 * again at SIGHUP and bind unix endpoints in root-owned directories) but
 * keeps only these capabilities:
 *   CAP_SYS_PTRACE        reading /proc/PID/ns/net of a peer running under
 *                         another uid, or non-dumpable (a PTRACE_MODE_READ
 *                         check; graftd never calls ptrace());
 *   CAP_SETUID, CAP_SETGID
 *                         connecting a unix egress as the endpoint's user
 *                         (unixep.c), so that the host service sees that
 *                         uid, not root; and making each inet host socket
 *                         under the fsuid that names its (table, endpoint)
 *                         (request.c's owned_socket()): the kernel groups
 *                         SO_REUSEPORT sockets of one owner only, so a
 *                         namespace cannot join a root service's or
 *                         another namespace's group.  CAP_SYS_PTRACE is as
 *                         strong already, so this widens nothing real;
 *   CAP_NET_BIND_SERVICE  only if an endpoint needs a port below 1024
 *                         (or "privileged-ports yes").
 * The bounding set is emptied of everything else, securebits make uid 0
 * carry no implicit capabilities, and no_new_privs is set. */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "graftd.h"
#include "log.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT			47
#define PR_CAP_AMBIENT_CLEAR_ALL	4
#endif

static void
drop_bounding(uint64_t keep)
{
	int c;

	for (c = 0; c < 64; c++) {
		if (keep & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == -1) {
			if (errno == EINVAL)
				break;		/* past the last capability */
			log_warn("cannot drop capability %d from the bounding "
			    "set", c);
			return;
		}
	}
}

static void
set_caps(uint64_t keep)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data) == -1)
		fatal("capset");
}

void
priv_drop(int lowports)
{
	uint64_t keep = 1ULL << CAP_SYS_PTRACE | 1ULL << CAP_SETUID |
	    1ULL << CAP_SETGID;

	if (geteuid() != 0) {
		log_info("not running as root: privileges left as they are");
		return;
	}
	if (lowports)
		keep |= 1ULL << CAP_NET_BIND_SERVICE;
	drop_bounding(keep);
	if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	    SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
	    SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0) == -1)
		log_warn("cannot set securebits");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		log_warn("cannot clear ambient capabilities");
	set_caps(keep);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("no_new_privs");
	log_info("privileges dropped: keeping CAP_SYS_PTRACE CAP_SETUID "
	    "CAP_SETGID%s",
	    lowports ? " CAP_NET_BIND_SERVICE" : "");
}
