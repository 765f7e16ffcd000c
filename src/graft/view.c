/* view.c - the program's address view (graft.conf "view", docs/core.md).
 * A grafted ingress socket is a host socket: getsockname would tell the
 * endpoint's address and port, not what the program bound, and programs
 * that match listeners by address (haproxy -x, dnsmasq's TCP check) miss.
 * With "view program" (the default) getsockname answers the program's
 * address and port (a port-0 bind: the real port) for the listener and
 * for the sockets accepted from it; getpeername is untouched.
 *
 * The bind that grafts records host address -> program address here.
 * Nothing of it travels with the socket, so a process that received the
 * listener (SCM_RIGHTS, exec) knows it as a listening socket of another
 * network namespace (SO_NETNS_COOKIE) and derives the view from its own
 * ingress rules; that entry then serves its accepted sockets too.  An
 * entry is applied only to sockets of another namespace: a namespace
 * socket at the same address and port is left alone. */
#include <string.h>
#include <netinet/in.h>
#include "graft_conf.h"
#include "graft_view.h"
#include "graft_fd.h"
#include "graft_uaccess.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define GRAFT_MAX_VIEWS 128

struct view {
	volatile int ready;
	int on;				/* 0: "view host", the host socket as it is */
	int domain;			/* the program's socket family */
	int hdomain;			/* the host socket's */
	struct graft_ip host, app;
	unsigned hport, aport;
};

/* Entries are appended, never changed once ready: lookups take no lock
 * (getsockname is async-signal-safe); the newest entry wins. */
__attribute__((__common__)) hidden struct view __graft_views[GRAFT_MAX_VIEWS];
#define views __graft_views
static volatile int nviews, anyon;
static uint64_t own_cookie;		/* our namespace's, once own_known is 1 */
static volatile int own_known;		/* -1: the kernel cannot tell (< 5.14);
					 * no 64-bit atomics on 32-bit targets */

int __graft_view_of(const struct graft_conf *c, const struct graft_rule *r)
{
	return !r->local && (r->view ? r->view : c->view) == GRAFT_VIEW_PROGRAM;
}

static int cookie(int fd, uint64_t *ck)
{
	socklen_t l = sizeof *ck;
	return g_getsockopt_int(fd, SOL_SOCKET, SO_NETNS_COOKIE, ck, &l) ? -1 : 0;
}

/* 1: fd is a socket of another network namespace; 0: of ours; -1: the
 * kernel cannot tell (before 5.14), remembered: no more system calls */
static int foreign(int fd)
{
	uint64_t ck, own;
	int k = g_load(&own_known);
	if (k < 0) return -1;
	if (k) {
		own = own_cookie;
	} else {
		/* racing threads store the same value */
		long s = g_socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0);
		int e;
		if (s < 0) return -1;
		e = cookie(s, &own);
		g_close(s);
		if (e) {
			/* no SO_NETNS_COOKIE (a failed socket() is asked
			 * again: no fd left may pass) */
			g_store(&own_known, -1);
			return -1;
		}
		own_cookie = own;
		g_store(&own_known, 1);
	}
	if (cookie(fd, &ck)) return -1;
	return ck != own;
}

static int count(void)
{
	return g_load(&nviews);
}

/* The newest entry for host address h:port of a socket of family dom.  A
 * wildcard host socket also covers the specific addresses of the
 * connections it accepts, which have its family: a dual-stack [::]
 * listener's IPv4 ones (v4-mapped) too, a 0.0.0.0 one's never IPv6, and
 * the 0.0.0.0 and [::] listeners of one port (nginx's pair) stay apart. */
static const struct view *find(const struct graft_ip *h, unsigned port, int dom)
{
	int i = count();
	while (i-- > 0) {
		const struct view *v = views + i;
		if (!g_load((volatile int *)&v->ready) || v->hport != port) continue;
		if (__graft_ip_any(&v->host)
		 ? v->hdomain == dom
		 : v->host.family == h->family && !memcmp(v->host.a, h->a, 16))
			return v;
	}
	return 0;
}

static void add(int on, int domain, int hdom, const struct graft_ip *h, unsigned hport,
	const struct graft_ip *a, unsigned aport)
{
	const struct view *o = find(h, hport, hdom);
	struct view *v;
	int i;

	if (o && o->on == on && o->domain == domain && o->hdomain == hdom && o->aport == aport
	 && !memcmp(&o->host, h, sizeof *h) && !memcmp(&o->app, a, sizeof *a))
		return;
	/* a full table stays full: nviews never passes the maximum */
	i = g_load(&nviews);
	do if (i >= GRAFT_MAX_VIEWS) return;
	while (!__atomic_compare_exchange_n(&nviews, &i, i+1, 0,
		__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	v = views + i;
	v->on = on;
	v->domain = domain;
	v->hdomain = hdom;
	v->host = *h;
	v->hport = hport;
	v->app = *a;
	v->aport = aport;
	g_store(&v->ready, 1);
	if (on) g_store(&anyon, 1);
}

/* bind grafted fd for the program's ip:port by a rule with view on or
 * off (hook_inet.c); "off" entries keep derive() away from the socket */
void __graft_view_add(int fd, int on, int domain, const struct graft_ip *ip, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	struct graft_ip h;
	unsigned hport;

	if (g_getsockname(fd, &ss, &sl) || __graft_sa_ip((void *)&ss, sl, &h, &hport)) return;
	add(on, domain, ss.ss_family, &h, hport, ip, port ? port : hport);
}

/* The one ingress rule a host socket at h:port can come from: tried with
 * all grafting rules, then those whose port range holds port, then those
 * of h's family, then both. */
static const struct graft_rule *pick(const struct graft_conf *c, const struct graft_ip *h, unsigned port)
{
	const struct graft_rule *r = 0;
	unsigned k, i, n;

	for (k = 0; k < 4; k++) {
		for (n = i = 0; i < c->nin; i++) {
			const struct graft_rule *x = c->in + i;
			if (x->local) continue;
			if ((k & 1) && (port < x->lo || port > x->hi)) continue;
			if ((k & 2) && x->ip.family != h->family && x->ip.family != AF_UNSPEC) continue;
			r = x;
			n++;
		}
		if (n == 1) return r;
	}
	return 0;
}

/* A listener of another namespace with no entry: one received from the
 * process that bound it. */
static const struct view *derive(const struct graft_conf *c, int fd,
	const struct graft_ip *h, unsigned port, int hdom)
{
	const struct graft_rule *r;
	struct graft_ip a;
	int on = 0, dom = 0;
	socklen_t l = sizeof on;

	if (g_getsockopt_int(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &l) || !on) return 0;
	/* a module's AF_GRAFT socket (NAME_TRANSPARENT) is no program's bind */
	l = sizeof dom;
	if (g_getsockopt_int(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) || dom == AF_GRAFT) return 0;
	if (!(r = pick(c, h, port))) return 0;
	/* a "*" rule: the program's family is the host socket's (graftd
	 * makes a :: endpoint's socket of the requested family) */
	a = r->ip;
	if (a.family == AF_UNSPEC) a.family = dom;
	add(__graft_view_of(c, r), a.family, hdom, h, port, &a,
		r->lo == r->hi && r->lo ? r->lo : port);
	return find(h, port, hdom);
}

/* Whether fd is connected (an accepted socket), not a listener or an
 * unconnected datagram socket. */
static int connected(int fd)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(struct sockaddr_in);	/* at most the name's length */
	return !g_getsockopt_int(fd, SOL_SOCKET, SO_PEERNAME, &ss, &l);
}

/* v as a sockaddr of the program's family; real: the kernel's address.
 * A connection has a real local address: a wildcard view keeps it. */
static socklen_t fill(int fd, const struct view *v, const struct graft_ip *real,
	struct sockaddr_storage *out)
{
	struct graft_ip a = v->app;

	memset(out, 0, sizeof *out);
	if (__graft_ip_any(&a) && !__graft_ip_any(real)
	 && (v->domain == AF_INET6 || real->family == AF_INET)
	 && (__graft_ip_any(&v->host) || connected(fd)))
		a = *real;
	if (v->domain == AF_INET6) {
		struct sockaddr_in6 *s = (void *)out;
		s->sin6_family = AF_INET6;
		s->sin6_port = htons(v->aport);
		if (a.family == AF_INET) {
			s->sin6_addr.s6_addr[10] = s->sin6_addr.s6_addr[11] = 0xff;
			memcpy(s->sin6_addr.s6_addr + 12, a.a, 4);
		} else {
			memcpy(&s->sin6_addr, a.a, 16);
		}
		return sizeof *s;
	}
	struct sockaddr_in *s = (void *)out;
	s->sin_family = AF_INET;
	s->sin_port = htons(v->aport);
	memcpy(&s->sin_addr, a.a, 4);
	return sizeof *s;
}

/* Before getsockname: whether a view may apply, and then the size of the
 * caller's buffer.  *len is read without faulting: SO_NETNS_COOKIE reads
 * it and refuses any length but 8 with EINVAL, writing nothing; with 8 it
 * writes the cookie to our ck.  An AF_GRAFT socket the core records has
 * no view (GRAFT_NAME_TRANSPARENT: the host name as it is). */
int __graft_view_cap(int fd, socklen_t *len, socklen_t *cap)
{
	const struct graft_conf *c;
	uint64_t ck;
	long r;

	if (!len) return 0;
	c = __graft_conf();
	if (!c->nview && !g_load(&anyon)) return 0;
	if (__graft_fd_afgraft(fd)) return 0;
	r = g_getsockopt_int(fd, SOL_SOCKET, SO_NETNS_COOKIE, &ck, len);
	if (!r) {
		*cap = sizeof ck;
		return 1;
	}
	if (r != -EINVAL && r != -ENOPROTOOPT) return 0;
	*cap = *len;
	return (int)*cap > 0;
}

/* After a successful getsockname into sa (cap bytes, *len the full
 * length): the program's view if fd is a grafted ingress socket.  The
 * kernel checked sa for the bytes it wrote (k); a view longer than the
 * host address (IPv6 program, IPv4 endpoint) writes the rest of cap
 * through __graft_copyout.  If that faults (a length larger than the
 * buffer) the caller gets the first k bytes and the full length: the
 * name truncated, as for a buffer of k bytes, where stock succeeds too. */
void __graft_view(int fd, struct sockaddr *sa, socklen_t *len, socklen_t cap)
{
	const struct graft_conf *c = __graft_conf();
	struct sockaddr_storage ss;
	const void *src = sa;
	struct graft_ip h;
	unsigned port;
	const struct view *v;
	socklen_t n = *len, k = n < cap ? n : cap, w;
	int f, dom;

	if (n > cap) {
		/* truncated: ask again for the whole host address */
		n = sizeof ss;
		if (g_getsockname(fd, &ss, &n)) return;
		src = &ss;
	}
	if (__graft_sa_ip(src, n, &h, &port)) return;
	dom = ((const struct sockaddr *)src)->sa_family;
	v = find(&h, port, dom);
	if (v ? !v->on : !c->nview) return;
	/* a lo-only namespace has no other address: skip asking the kernel */
	f = v && !__graft_ip_any(&h) && !__graft_ip_loopback(&h) ? 1 : foreign(fd);
	if (!v && f == 1) v = derive(c, fd, &h, port, dom);
	if (!v || !v->on || !f) return;
	n = fill(fd, v, &h, &ss);
	w = cap < n ? cap : n;
	memcpy(sa, &ss, k < w ? k : w);
	if (w > k) __graft_copyout((char *)sa + k, (char *)&ss + k, w - k);
	*len = n;
}

/* Sockets grafted to a unix endpoint (swap.c): the program made them
 * AF_INET, so its TCP-level options are accepted and ignored
 * (hook_call.c).  The inodes of the latest are kept; a socket this
 * process did not graft (exec, SCM_RIGHTS) is known by being a unix
 * socket of another network namespace.  Lock-free: a racing note may
 * overwrite another's slot, which then falls back to the namespace. */
#define GRAFT_MAX_UNIX 64
/* two 32-bit halves: no 64-bit atomics on 32-bit targets; a torn pair
 * costs at most a wrong answer for a TCP option on a unix socket */
static volatile uint32_t unix_lo[GRAFT_MAX_UNIX], unix_hi[GRAFT_MAX_UNIX];
static volatile int unix_next;

void __graft_unix_note(int fd)
{
	uint64_t ino;
	unsigned i;
	if (g_fd_ino(fd, &ino)) return;
	i = (unsigned)__atomic_fetch_add(&unix_next, 1, __ATOMIC_RELAXED) % GRAFT_MAX_UNIX;
	unix_hi[i] = ino >> 32;
	unix_lo[i] = (uint32_t)ino;
}

/* connected to a peer: a second connect() is then EISCONN */
int __graft_unix_peer(int fd)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof ss;

	return !g_getpeername(fd, (void *)&ss, &l);
}

int __graft_unix_grafted(int fd)
{
	uint64_t ino;
	int dom = 0, i;
	socklen_t l = sizeof dom;

	if (g_getsockopt_int(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) || dom != AF_UNIX) return 0;
	if (!g_fd_ino(fd, &ino))
		for (i = 0; i < GRAFT_MAX_UNIX; i++)
			if (unix_lo[i] == (uint32_t)ino && unix_hi[i] == (uint32_t)(ino >> 32)
			 && ino) return 1;
	return foreign(fd) == 1;
}
