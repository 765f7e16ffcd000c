/* sys_tlock.c - the contended path of g_tlock (graft_sys.h). */
#include "graft_sys.h"

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
		if (!(v & G_TLOCK_WAIT) && (t = g_cas(l, v, v | G_TLOCK_WAIT)) != v) {
			v = t;
			continue;
		}
		g_futexwait(l, v | G_TLOCK_WAIT);
		v = *l;
	}
}
