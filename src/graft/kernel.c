/* kernel.c - a host socket for an inet graft from the AF_GRAFT
 * kernel module: socket(AF_GRAFT) of the same type, getsockname showing
 * the host address (GRAFT_NAME_TRANSPARENT, so the app sees what it would
 * see with graftd), the recorded options queued with GRAFT_SO_DELAYED
 * (SOL_SOCKET ones through GRAFT_SO_TRANSPARENT, since the module applies
 * plain SOL_SOCKET options to its own face) and run by bind(sockaddr_gr)
 * before the host bind; their results are checked afterwards.  The
 * caller dup3()s the result over the app's fd. */
#include <string.h>
#include "graft_fd.h"
#include "graft_kernel.h"

static long setopt(int fd, int name, const void *v, socklen_t l)
{
	return g_setsockopt(fd, IPPROTO_GRAFT, name, v, l);
}

long __graft_kernel_obtain(const struct graft_fdstate *st, const char *ep,
	int *badopt, const char **step)
{
	struct sockaddr_gr gr;
	struct graft_sso_result rs[GRAFT_FD_MAXOPTS];
	socklen_t rl = sizeof rs;
	size_t n = strlen(ep);
	int one = 1, fd;
	unsigned i, k;
	long r;

	*step = "socket(AF_GRAFT)";
	fd = g_socket(AF_GRAFT, st->type|SOCK_CLOEXEC, st->protocol);
	if (fd < 0) return fd;
	*step = "setsockopt(IPPROTO_GRAFT)";
	if ((r = setopt(fd, GRAFT_NAME_TRANSPARENT, &one, sizeof one)) < 0) goto fail;
	if (st->nopt && (r = setopt(fd, GRAFT_SO_DELAYED, &one, sizeof one)) < 0) goto fail;
	for (i = 0; i < st->nopt; i++) {
		const struct graft_sopt *o = st->opt + i;
		*badopt = i;
		if (o->level == SOL_SOCKET) {
			union {
				struct graft_sso_trans t;
				char b[GRAFT_SSO_TRANS_SIZE];
			} u;
			u.t.level = o->level;
			u.t.optname = o->name;
			u.t.optlen = o->len;
			memcpy(u.t.optval, o->val, o->len);
			r = setopt(fd, GRAFT_SO_TRANSPARENT, &u, sizeof u.t + o->len);
		} else {
			r = __graft_setsockopt_t64(fd, o->level, o->name, o->val, o->len);
		}
		if (r < 0) goto fail;
	}
	*badopt = -1;
	memset(&gr, 0, sizeof gr);
	gr.sgr_family = AF_GRAFT;
	memcpy(gr.sgr_epname, ep, n < sizeof gr.sgr_epname ? n : sizeof gr.sgr_epname);
	*step = "bind(sockaddr_gr)";
	if ((r = g_bind(fd, &gr, sizeof gr)) < 0) goto fail;
	if (!st->nopt) return fd;
	*step = "GRAFT_SO_DELAYED_RESULT";
	if ((r = g_getsockopt_int(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED_RESULT, rs, &rl)) < 0) goto fail;
	for (k = 0; k < rl / sizeof *rs; k++) {
		if (!rs[k].ret) continue;
		for (i = 0; i < st->nopt; i++)
			if (st->opt[i].level == rs[k].level && st->opt[i].name == rs[k].optname) *badopt = i;
		*step = "replaying";
		r = rs[k].ret < 0 ? rs[k].ret : -rs[k].ret;
		goto fail;
	}
	return fd;
fail:
	g_close(fd);
	return r;
}
