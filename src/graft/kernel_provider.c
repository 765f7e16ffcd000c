/* kernel_provider.c - where host sockets come from: graftd (the broker) or the
 * AF_GRAFT kernel module.  Whether the kernel has AF_GRAFT is probed once
 * per process, on first need, with a raw socket(AF_GRAFT): a racing second
 * probe only repeats the answer.  graft.conf "provider" chooses:
 *   auto    the module where the kernel has it, else graftd (default)
 *   broker  always graftd, even where the module is loaded
 *   kernel  always the module; without it grafting fails (EAFNOSUPPORT) */
#include "graft_conf.h"
#include "graft_kernel.h"

enum { K_UNKNOWN, K_ABSENT, K_PRESENT };
static volatile int kstate;

int __graft_kernel_has(void)
{
	int k = g_load(&kstate);
	if (k == K_UNKNOWN) {
		long s = g_socket(AF_GRAFT, SOCK_STREAM|SOCK_CLOEXEC, 0);
		if (s >= 0) g_close(s);
		k = s >= 0 ? K_PRESENT : K_ABSENT;
		g_store(&kstate, k);
	}
	return k == K_PRESENT;
}

/* GRAFT_PROV_BROKER, GRAFT_PROV_KERNEL, or -EAFNOSUPPORT when the
 * configuration demands the module and the kernel lacks it. */
int __graft_provider(const struct graft_conf *c)
{
	switch (c->provider) {
	case GRAFT_PROV_BROKER:
		return GRAFT_PROV_BROKER;
	case GRAFT_PROV_KERNEL:
		return __graft_kernel_has() ? GRAFT_PROV_KERNEL : -EAFNOSUPPORT;
	default:
		return __graft_kernel_has() ? GRAFT_PROV_KERNEL : GRAFT_PROV_BROKER;
	}
}
