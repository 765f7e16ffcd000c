/* hook_fork.c - the child's side of fork(), called by musl's _Fork
 * (musl-patches/0006) while the child is single threaded.  A parent's
 * other thread may have held any of the core's locks at the fork; nobody
 * releases them in the child, and musl stops locking in a single-threaded
 * child only after its first LOCK, which would wait forever on such a
 * lock.  The core's own locks (g_tlock) carry the fork generation they
 * were taken in: bumping it frees them all without writing any (the fd
 * table has one per slot).  The few others are cleared if held.  The
 * parent's spare egress sockets are closed: a child holding them would
 * keep the parent's later connections open.  A fork must cost the same
 * with graft as without: nothing here walks a table or writes a page
 * that nobody held (docs/performance.md). */
#include "graft_fork.h"
#include "graft_hooks.h"

/* _Fork links this file; each part is reset only if the program linked
 * it (a weak reference does not pull it in). */
static void dummy(void) { }
static int dummy_gen(void) { return 0; }
static void dummy_fd(int wrapped) { (void)wrapped; }
weak_alias(dummy_gen, __graft_tlock_forked);
weak_alias(dummy, __graft_conf_forked);
weak_alias(dummy, __graft_broker_forked);
weak_alias(dummy_fd, __graft_fd_forked);
weak_alias(dummy, __graft_pool_forked);

void __graft_fork_child(void)
{
	int wrapped = __graft_tlock_forked();
	__graft_conf_forked();
	__graft_broker_forked();
	__graft_fd_forked(wrapped);
	__graft_pool_forked();
}
