/* sys_tlock.c - the contended path of g_tlock (graft_sys.h), and the
 * fork generation its held words carry. */
#include "graft_sys.h"
#include "graft_fork.h"

/* bits 22..29 of a held lock word: bumped in each forked child */
int __graft_tlock_gen;

/* In a forked child (hook_fork.c): locks taken before are stale.  Nonzero
 * when the count wrapped: a stale word may then look current, and the
 * parts clear their held words (__graft_fd_forked...). */
int __graft_tlock_forked(void)
{
	__graft_tlock_gen = (__graft_tlock_gen + G_TLOCK_GEN1) & G_TLOCK_GEN;
	return !__graft_tlock_gen;
}

/* v: what the lock held when this thread (me) tried it. */
int __graft_tlock_wait(volatile int *l, int me, int v)
{
	int t;

	for (;;) {
		if ((v & ~G_TLOCK_WAIT) == me) return -EDEADLK;
		if (!v) {
			/* others may still wait: keep the bit, the unlock wakes */
			if (!(v = g_cas(l, 0, me | G_TLOCK_WAIT))) return 0;
			continue;
		}
		if ((v & G_TLOCK_GEN) != (me & G_TLOCK_GEN)) {
			/* held at a fork by a thread this process does not have;
			 * nobody here waits for such a word: take it */
			if ((t = g_cas(l, v, me)) == v) return 0;
			v = t;
			continue;
		}
		if (!(v & G_TLOCK_WAIT) && (t = g_cas(l, v, v | G_TLOCK_WAIT)) != v) {
			v = t;
			continue;
		}
		g_futexwait(l, v | G_TLOCK_WAIT);
		v = *l;
	}
}
