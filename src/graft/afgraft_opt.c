/* afgraft_opt.c - options and names of AF_GRAFT sockets emulated by libc,
 * as the original module documents them, without its bugs:
 *
 * IPPROTO_GRAFT (handled here, never by the kernel):
 *   GRAFT_SO_DELAYED (int)        on: options of other levels set before the
 *                                 host socket exists are queued (16 at most:
 *                                 ENOBUFS; values up to 24 bytes) and run at
 *                                 bind, before the host bind; off: they fail
 *                                 with EADDRNOTAVAIL (no host socket yet),
 *                                 except SOL_SOCKET ones, which act on the
 *                                 placeholder as the module's socket face.
 *   GRAFT_SO_DELAYED_EXECUTE      before bind: EADDRNOTAVAIL; after: 0 (the
 *                                 queue ran at bind, each entry once).
 *   GRAFT_SO_DELAYED_RESULT (get) the executed entries, as many whole
 *                                 struct graft_sso_result as fit; returned
 *                                 entries are dropped.
 *   GRAFT_SO_TRANSPARENT          a struct graft_sso_trans (optlen checked
 *                                 against the buffer): queued when delayed,
 *                                 else set on the host socket.
 *   GRAFT_NAME_TRANSPARENT (int)  getsockname answers the host address.
 * Before the graft, SO_DOMAIN/SO_TYPE/SO_PROTOCOL answer AF_GRAFT and the
 * socket's type and protocol; other getsockopt levels EADDRNOTAVAIL.  Once
 * grafted, every option but IPPROTO_GRAFT is the host socket's own. */
#include <string.h>
#include "graft_fd.h"
#include "graft_uaccess.h"
#include "graft_afgraft.h"
#include "graft_hooks.h"

/* The caller's memory is read and written through sys_uaccess.c: a bad
 * pointer is EFAULT, as from the module. */
static long get_int(const void *val, socklen_t len, int *v)
{
	if (!val || len < sizeof(int)) return -EINVAL;
	return __graft_copyin(v, val, sizeof *v);
}

static long put_int(void *val, socklen_t *len, int v)
{
	socklen_t l;
	if (!val || !len) return -EINVAL;
	if (__graft_copyin(&l, len, sizeof l)) return -EFAULT;
	if (l < sizeof(int)) return -EINVAL;
	return __graft_name_out(val, len, &v, sizeof v);
}

/* Queue an option for the host socket under the slot lock. */
static long enqueue(int fd, uint64_t ino, int level, int name, const void *val, socklen_t len)
{
	struct graft_fdstate *p;
	unsigned char v[GRAFT_OPT_VALMAX];
	unsigned i;
	long r = 0;

	if (len <= sizeof v && len && (!val || __graft_copyin(v, val, len))) return -EFAULT;
	if (!(p = __graft_fd_lock(fd, ino))) return -EBADF;
	if (len > GRAFT_OPT_VALMAX) r = -ENOBUFS;
	else if (p->afg & GRAFT_AFG_GRAFTED) r = 1;	/* grafted meanwhile */
	else if (p->nopt == GRAFT_FD_MAXOPTS) r = -ENOBUFS;
	else {
		/* a queue, not a set: the same option twice runs twice */
		i = p->nopt++;
		memset(p->opt + i, 0, sizeof p->opt[i]);
		p->opt[i].level = level;
		p->opt[i].name = name;
		p->opt[i].len = len;
		if (len) memcpy(p->opt[i].val, v, len);
	}
	__graft_fd_unlock(fd);
	return r == 1 ? __graft_setsockopt_t64(fd, level, name, val, len) : r;
}

static long setflag(int fd, uint64_t ino, unsigned flag, const void *val, socklen_t len)
{
	struct graft_fdstate *p;
	int v;
	long r = get_int(val, len, &v);
	if (r) return r;
	if (!(p = __graft_fd_lock(fd, ino))) return -EBADF;
	if (v > 0) p->afg |= flag;
	else p->afg &= ~flag;
	__graft_fd_unlock(fd);
	return 0;
}

long __graft_afg_setsockopt(int fd, const struct graft_fdstate *st, int level, int name, const void *val, socklen_t len)
{
	int grafted = st->afg & GRAFT_AFG_GRAFTED;

	if (level != IPPROTO_GRAFT) {
		if (grafted) return GRAFT_PASS;
		if (st->afg & GRAFT_AFG_DELAYED) return enqueue(fd, st->ino, level, name, val, len);
		return level == SOL_SOCKET ? GRAFT_PASS : -EADDRNOTAVAIL;
	}
	switch (name) {
	case GRAFT_SO_DELAYED:
		return setflag(fd, st->ino, GRAFT_AFG_DELAYED, val, len);
	case GRAFT_NAME_TRANSPARENT:
		return setflag(fd, st->ino, GRAFT_AFG_NAMETRANS, val, len);
	case GRAFT_SO_DELAYED_EXECUTE:
		return grafted ? 0 : -EADDRNOTAVAIL;
	case GRAFT_SO_TRANSPARENT: {
		struct graft_sso_trans t;
		const char *v = val;
		if (!val || len < sizeof t || len > GRAFT_SSO_TRANS_SIZE) return -EINVAL;
		if (__graft_copyin(&t, val, sizeof t)) return -EFAULT;
		if (t.optlen > len - sizeof t) return -EINVAL;
		if (grafted) return __graft_setsockopt_t64(fd, t.level, t.optname, v + sizeof t, t.optlen);
		if (st->afg & GRAFT_AFG_DELAYED)
			return enqueue(fd, st->ino, t.level, t.optname, v + sizeof t, t.optlen);
		return -EADDRNOTAVAIL;
	}
	}
	return -ENOPROTOOPT;
}

/* Move the executed results out, as many whole entries as fit. */
static long results(int fd, uint64_t ino, void *val, socklen_t *len)
{
	struct graft_fdstate *p;
	struct graft_sso_result r, out[GRAFT_FD_MAXOPTS];
	socklen_t l;
	unsigned i, k, n = 0, max;

	if (!len || __graft_copyin(&l, len, sizeof l) || (l && !val)) return -EFAULT;
	max = l / sizeof r;
	/* written after the lock: a bad buffer must not lose the results */
	if (max > GRAFT_FD_MAXOPTS) max = GRAFT_FD_MAXOPTS;
	if (__graft_copyin(out, val, max * sizeof r) || __graft_copyout(val, out, max * sizeof r))
		return -EFAULT;
	if (!(p = __graft_fd_lock(fd, ino))) return -EBADF;
	for (i = k = 0; i < p->nopt; i++) {
		if (p->opt[i].done && n < max) {
			r.level = p->opt[i].level;
			r.optname = p->opt[i].name;
			r.ret = p->opt[i].ret;
			out[n++] = r;
			continue;
		}
		if (k != i) p->opt[k] = p->opt[i];
		k++;
	}
	p->nopt = k;
	__graft_fd_unlock(fd);
	l = n * sizeof r;
	if (__graft_copyout(val, out, l)) return -EFAULT;
	return __graft_copyout(len, &l, sizeof l);
}

long __graft_afg_getsockopt(int fd, const struct graft_fdstate *st, int level, int name, void *val, socklen_t *len)
{
	int grafted = st->afg & GRAFT_AFG_GRAFTED;

	if (level == IPPROTO_GRAFT) switch (name) {
	case GRAFT_SO_DELAYED:
		return put_int(val, len, !!(st->afg & GRAFT_AFG_DELAYED));
	case GRAFT_NAME_TRANSPARENT:
		return put_int(val, len, !!(st->afg & GRAFT_AFG_NAMETRANS));
	case GRAFT_SO_DELAYED_RESULT:
		return results(fd, st->ino, val, len);
	default:
		return -ENOPROTOOPT;
	}
	if (grafted) return GRAFT_PASS;
	if (level != SOL_SOCKET) return -EADDRNOTAVAIL;
	switch (name) {
	case SO_DOMAIN:
		return put_int(val, len, AF_GRAFT);
	case SO_TYPE:
		return put_int(val, len, st->type);
	case SO_PROTOCOL:
		return put_int(val, len, st->protocol);
	}
	return GRAFT_PASS;
}

/* The sockaddr_gr: the bound endpoint, or an empty name before bind. */
long __graft_afg_getsockname(int fd, const struct graft_fdstate *st, struct sockaddr *sa, socklen_t *len)
{
	struct sockaddr_gr gr;
	(void)fd;
	if ((st->afg & GRAFT_AFG_GRAFTED) && (st->afg & GRAFT_AFG_NAMETRANS)) return GRAFT_PASS;
	memset(&gr, 0, sizeof gr);
	gr.sgr_family = AF_GRAFT;
	if (st->afg & GRAFT_AFG_GRAFTED) memcpy(gr.sgr_epname, st->ep, sizeof gr.sgr_epname);
	return __graft_name_out(sa, len, &gr, sizeof gr);
}
