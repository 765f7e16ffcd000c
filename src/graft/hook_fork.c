/* hook_fork.c - the child's side of fork(), called by musl's _Fork
 * (musl-patches/0006) while the child is single threaded.  A parent's
 * other thread may have held any of the core's locks at the fork; nobody
 * releases them in the child, and musl stops locking in a single-threaded
 * child only after its first LOCK, which would wait forever on such a
 * lock.  So they are reset.  The parent's spare egress sockets are closed:
 * a child holding them would keep the parent's later connections open
 * after the parent closes them. */
#include "graft_fork.h"
#include "graft_hooks.h"

/* _Fork links this file; each part is reset only if the program linked
 * it (a weak reference does not pull it in). */
static void dummy(void) { }
weak_alias(dummy, __graft_conf_forked);
weak_alias(dummy, __graft_broker_forked);
weak_alias(dummy, __graft_fd_forked);
weak_alias(dummy, __graft_pool_forked);

void __graft_fork_child(void)
{
	__graft_conf_forked();
	__graft_broker_forked();
	__graft_fd_forked();
	__graft_pool_forked();
}
