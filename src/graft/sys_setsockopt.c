/* sys_setsockopt.c - setsockopt on our own calls the way musl's public
 * setsockopt does it on 32-bit time64 targets: when the kernel refuses the
 * 64-bit time options (before 5.1, qemu-user), retry with the old ones.
 * The graft core replays options with raw syscalls, so it needs this too. */
#include <string.h>
#include <sys/time.h>
#include "graft_sys.h"

long __graft_setsockopt_t64(int fd, int level, int name, const void *val, socklen_t len)
{
	long r = g_setsockopt(fd, level, name, val, len);
	struct timeval tv;
	long old[2];

	if (r != -ENOPROTOOPT || level != SOL_SOCKET || SO_RCVTIMEO == SO_RCVTIMEO_OLD)
		return r;
	switch (name) {
	case SO_RCVTIMEO:
	case SO_SNDTIMEO:
		if (len < sizeof tv || !val) return -EINVAL;
		memcpy(&tv, val, sizeof tv);
		old[0] = tv.tv_sec;
		old[1] = tv.tv_usec;
		if (old[0] != tv.tv_sec) return -ENOTSUP;	/* beyond 2038 */
		return g_setsockopt(fd, level, name == SO_RCVTIMEO ? SO_RCVTIMEO_OLD
			: SO_SNDTIMEO_OLD, old, sizeof old);
	case SO_TIMESTAMP:
	case SO_TIMESTAMPNS:
		return g_setsockopt(fd, level, name == SO_TIMESTAMP ? SO_TIMESTAMP_OLD
			: SO_TIMESTAMPNS_OLD, val, len);
	}
	return r;
}
