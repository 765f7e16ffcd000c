/* afgraft-kmod.c - a stand-in for the AF_GRAFT kernel module, for tests.
 *
 *   afgraft-kmod [-n NETNS_PATH] -e NAME=IPV4:PORT ... -- PROG [ARG...]
 *
 * Forks; the child enters NETNS_PATH (a lo-only namespace), installs a
 * seccomp filter whose notifications go to the parent
 * (SECCOMP_FILTER_FLAG_NEW_LISTENER), and execs PROG.  The parent stays in
 * the host's network namespace and answers, for the child and its
 * descendants, the calls the module would handle, with the module's
 * documented semantics (upa/af-graft include/graft.h, kmod/af_graft.c):
 *
 *   socket(AF_GRAFT, type, proto)  a placeholder (AF_UNIX socket of the
 *                                  type) installed with SECCOMP_IOCTL_NOTIF_ADDFD
 *   bind(fd, sockaddr_gr, len)     EINVAL if len < 18, ENOENT for a name not
 *                                  in the -e table; else a host socket of
 *                                  the endpoint is made, the delayed options
 *                                  run on it, it is bound, and it replaces
 *                                  the placeholder (SECCOMP_ADDFD_FLAG_SETFD)
 *   connect on an unbound one      bind to "default-source" first
 *   setsockopt/getsockopt          IPPROTO_GRAFT: GRAFT_SO_DELAYED, _EXECUTE,
 *                                  _RESULT, GRAFT_SO_TRANSPARENT,
 *                                  GRAFT_NAME_TRANSPARENT; other levels
 *                                  queued when delayed, else EADDRNOTAVAIL
 *                                  (SOL_SOCKET acts on the placeholder)
 *   getsockname                    the sockaddr_gr, or the host address
 *                                  with GRAFT_NAME_TRANSPARENT
 * Everything else continues in the kernel.  Exit status: PROG's.  x86_64
 * only (qemu-user does not emulate seccomp). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "graft.h"

#ifndef __x86_64__
int main(void)
{
	fprintf(stderr, "afgraft-kmod: x86_64 only\n");
	return 77;
}
#else

#define MAXEP 16
#define MAXSOCK 1024
#define MAXQ 64

static struct ep {
	char name[AF_GRAFT_EPNAME_MAX + 1];
	struct sockaddr_in sin;
} eps[MAXEP];
static int neps;

struct q {
	int level, name;
	unsigned len;
	char val[GRAFT_SSO_TRANS_SIZE];
	int ret, done;
};

static struct gs {
	uint64_t ino;		/* placeholder, then host socket */
	int used, type, proto, delayed, nametrans, bound;
	struct sockaddr_gr gr;
	int nq;
	struct q q[MAXQ];
} socks[MAXSOCK];

static int listener;

static void die(const char *w)
{
	fprintf(stderr, "afgraft-kmod: %s: %s\n", w, strerror(errno));
	exit(125);
}

/* ---- the child's side ---- */

static int filter(void)
{
#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
	struct sock_filter f[] = {
		/* 0 */ LD(offsetof(struct seccomp_data, arch)),
		/* 1 */ JEQ(AUDIT_ARCH_X86_64, 1, 0),
		/* 2 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 3 */ LD(offsetof(struct seccomp_data, nr)),
		/* 4 */ JEQ(__NR_socket, 0, 2),
		/* 5 */ LD(offsetof(struct seccomp_data, args[0])),
		/* 6 */ JEQ(AF_GRAFT, 8, 7),
		/* 7 */ JEQ(__NR_getsockopt, 0, 2),
		/* 8 */ LD(offsetof(struct seccomp_data, args[1])),
		/* 9 */ JEQ(IPPROTO_GRAFT, 5, 4),
		/* 10 */ JEQ(__NR_bind, 4, 0),
		/* 11 */ JEQ(__NR_connect, 3, 0),
		/* 12 */ JEQ(__NR_setsockopt, 2, 0),
		/* 13 */ JEQ(__NR_getsockname, 1, 0),
		/* 14 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 15 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog p = { sizeof f / sizeof *f, f };
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &p);
}

static void child(int sv, const char *netns, char **argv)
{
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } cb;
	struct iovec iov = { "L", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.b, .msg_controllen = sizeof cb.b };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	char ack;
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (netns) {
		if ((fd = open(netns, O_RDONLY | O_CLOEXEC)) < 0 || setns(fd, CLONE_NEWNET)) die(netns);
		close(fd);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) die("no_new_privs");
	if ((fd = filter()) < 0) die("seccomp");
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	if (sendmsg(sv, &mh, 0) != 1 || read(sv, &ack, 1) != 1) die("handing over the listener");
	close(fd);
	close(sv);
	execvp(argv[0], argv);
	die(argv[0]);
}

/* ---- the supervisor ---- */

static int rd(pid_t pid, uint64_t addr, void *b, size_t n)
{
	struct iovec l = { b, n }, r = { (void *)(uintptr_t)addr, n };
	return process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)n ? 0 : -EFAULT;
}

static int wr(pid_t pid, uint64_t addr, const void *b, size_t n)
{
	struct iovec l = { (void *)b, n }, r = { (void *)(uintptr_t)addr, n };
	return process_vm_writev(pid, &l, 1, &r, 1, 0) == (ssize_t)n ? 0 : -EFAULT;
}

/* a copy of the target's fd (the same open file), or -1 */
static int tfd(pid_t pid, int fd)
{
	int p = syscall(SYS_pidfd_open, pid, 0), r;
	if (p < 0) return -1;
	r = syscall(SYS_pidfd_getfd, p, fd, 0);
	close(p);
	return r;
}

static struct gs *lookup(pid_t pid, int fd, int *copy)
{
	struct stat sb;
	int i, c = tfd(pid, fd);
	if (copy) *copy = c;
	if (c < 0 || fstat(c, &sb)) return 0;
	for (i = 0; i < MAXSOCK; i++)
		if (socks[i].used && socks[i].ino == (uint64_t)sb.st_ino) {
			if (!copy) close(c);
			return socks + i;
		}
	if (!copy) close(c);
	return 0;
}

static void execute(struct gs *g, int hfd)
{
	int i;
	for (i = 0; i < g->nq; i++) {
		if (g->q[i].done) continue;
		g->q[i].ret = setsockopt(hfd, g->q[i].level, g->q[i].name, g->q[i].val, g->q[i].len) ? -errno : 0;
		g->q[i].done = 1;
	}
}

static int cloexec(pid_t pid, int fd)
{
	char p[64], line[128];
	unsigned long fl = 0;
	FILE *f;
	snprintf(p, sizeof p, "/proc/%d/fdinfo/%d", (int)pid, fd);
	if (!(f = fopen(p, "r"))) return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "flags: %lo", &fl) == 1) break;
	fclose(f);
	return (fl & O_CLOEXEC) != 0;
}

/* the module's graft_bind(): returns 0 or -errno */
static int do_bind(struct seccomp_notif *n, struct gs *g, int copy, const struct sockaddr_gr *gr)
{
	struct seccomp_notif_addfd a;
	struct stat sb;
	int i, h, fl;

	for (i = 0; i < neps && strncmp(eps[i].name, gr->sgr_epname, AF_GRAFT_EPNAME_MAX); i++);
	if (i == neps) return -ENOENT;
	if ((h = socket(AF_INET, g->type | SOCK_CLOEXEC, g->proto)) < 0) return -errno;
	fl = fcntl(copy, F_GETFL);
	if (fl >= 0 && (fl & O_NONBLOCK)) fcntl(h, F_SETFL, O_NONBLOCK);
	execute(g, h);
	if (bind(h, (void *)&eps[i].sin, sizeof eps[i].sin) || fstat(h, &sb)) {
		int e = -errno;
		close(h);
		return e;
	}
	memset(&a, 0, sizeof a);
	a.id = n->id;
	a.flags = SECCOMP_ADDFD_FLAG_SETFD;
	a.srcfd = h;
	a.newfd = n->data.args[0];
	a.newfd_flags = cloexec(n->pid, n->data.args[0]) ? O_CLOEXEC : 0;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a) < 0) {
		int e = -errno;
		close(h);
		return e;
	}
	close(h);
	g->ino = sb.st_ino;
	g->bound = 1;
	g->gr = *gr;
	return 0;
}

/* returns 1 to continue in the kernel, else sets *err (0 or -errno) */
static int handle(struct seccomp_notif *n, long *val, int *err)
{
	const __u64 *a = n->data.args;
	pid_t pid = n->pid;
	struct gs *g;
	int copy = -1, i, v;
	*val = 0;
	*err = 0;

	switch (n->data.nr) {
	case __NR_socket: {
		struct seccomp_notif_addfd ad;
		int t = a[1] & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), s;
		for (i = 0; i < MAXSOCK && socks[i].used; i++);
		if (i == MAXSOCK) { *err = -ENOMEM; return 0; }
		if ((s = socket(AF_UNIX, t | (a[1] & SOCK_NONBLOCK), 0)) < 0) { *err = -errno; return 0; }
		g = socks + i;
		memset(g, 0, sizeof *g);
		struct stat sb;
		fstat(s, &sb);
		g->ino = sb.st_ino;
		g->type = t;
		g->proto = a[2];
		g->gr.sgr_family = AF_GRAFT;
		memset(&ad, 0, sizeof ad);
		ad.id = n->id;
		ad.flags = SECCOMP_ADDFD_FLAG_SEND;
		ad.srcfd = s;
		ad.newfd_flags = (a[1] & SOCK_CLOEXEC) ? O_CLOEXEC : 0;
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &ad) < 0) {
			close(s);
			return -1;	/* the target went away */
		}
		close(s);
		g->used = 1;
		return -1;		/* answered by ADDFD_FLAG_SEND */
	}
	case __NR_bind: {
		struct sockaddr_gr gr;
		memset(&gr, 0, sizeof gr);
		if (a[2] < 2 || rd(pid, a[1], &gr, a[2] < sizeof gr ? a[2] : sizeof gr)) return 1;
		if (gr.sgr_family != AF_GRAFT || !(g = lookup(pid, a[0], &copy))) {
			if (copy >= 0) close(copy);
			return 1;
		}
		if (a[2] < sizeof gr) *err = -EINVAL;
		else if (g->bound) *err = -EINVAL;
		else *err = do_bind(n, g, copy, &gr);
		close(copy);
		return 0;
	}
	case __NR_connect:
		if (!(g = lookup(pid, a[0], &copy)) || g->bound) {
			if (copy >= 0) close(copy);
			return 1;
		} else {
			struct sockaddr_gr gr = { .sgr_family = AF_GRAFT, .sgr_epname = GRAFT_DEFAULT_SOURCE };
			*err = do_bind(n, g, copy, &gr);
			close(copy);
			return !*err;
		}
	case __NR_getsockname: {
		uint32_t len;
		if (!(g = lookup(pid, a[0], 0)) || (g->nametrans && g->bound)) return 1;
		if (rd(pid, a[2], &len, sizeof len)) { *err = -EFAULT; return 0; }
		*err = wr(pid, a[1], &g->gr, len < sizeof g->gr ? len : sizeof g->gr);
		len = sizeof g->gr;
		if (!*err) *err = wr(pid, a[2], &len, sizeof len);
		return 0;
	}
	case __NR_setsockopt: {
		char b[GRAFT_SSO_TRANS_SIZE];
		unsigned len = a[4];
		if (!(g = lookup(pid, a[0], &copy))) return 1;
		if (len > sizeof b || (len && rd(pid, a[3], b, len))) { *err = -EINVAL; goto out; }
		if (a[1] != IPPROTO_GRAFT) {
			if (g->bound) { close(copy); return 1; }
			if (!g->delayed) {
				if (a[1] == SOL_SOCKET) { close(copy); return 1; }
				*err = -EADDRNOTAVAIL;
				goto out;
			}
			if (g->nq == MAXQ) { *err = -ENOBUFS; goto out; }
			g->q[g->nq] = (struct q){ .level = a[1], .name = a[2], .len = len };
			memcpy(g->q[g->nq++].val, b, len);
			goto out;
		}
		switch (a[2]) {
		case GRAFT_SO_DELAYED:
		case GRAFT_NAME_TRANSPARENT:
			if (len < sizeof v) { *err = -EINVAL; break; }
			memcpy(&v, b, sizeof v);
			if (a[2] == GRAFT_SO_DELAYED) g->delayed = v > 0;
			else g->nametrans = v > 0;
			break;
		case GRAFT_SO_DELAYED_EXECUTE:
			if (!g->bound) *err = -EADDRNOTAVAIL;
			else execute(g, copy);
			break;
		case GRAFT_SO_TRANSPARENT: {
			struct graft_sso_trans t;
			if (len < sizeof t) { *err = -EINVAL; break; }
			memcpy(&t, b, sizeof t);
			if (t.optlen > len - sizeof t) { *err = -EINVAL; break; }
			if (g->bound) {
				*err = setsockopt(copy, t.level, t.optname, b + sizeof t, t.optlen) ? -errno : 0;
			} else if (!g->delayed) {
				*err = -EADDRNOTAVAIL;
			} else if (g->nq == MAXQ) {
				*err = -ENOBUFS;
			} else {
				g->q[g->nq] = (struct q){ .level = t.level, .name = t.optname, .len = t.optlen };
				memcpy(g->q[g->nq++].val, b + sizeof t, t.optlen);
			}
			break;
		}
		default:
			*err = -ENOPROTOOPT;
		}
	out:
		close(copy);
		return 0;
	}
	case __NR_getsockopt: {
		uint32_t len;
		if (!(g = lookup(pid, a[0], 0))) return 1;
		if (rd(pid, a[4], &len, sizeof len)) { *err = -EFAULT; return 0; }
		if (a[2] == GRAFT_SO_DELAYED || a[2] == GRAFT_NAME_TRANSPARENT) {
			v = a[2] == GRAFT_SO_DELAYED ? g->delayed : g->nametrans;
			if (len < sizeof v) { *err = -EINVAL; return 0; }
			len = sizeof v;
			*err = wr(pid, a[3], &v, sizeof v);
		} else if (a[2] == GRAFT_SO_DELAYED_RESULT) {
			unsigned k = 0, j;
			for (i = j = 0; i < g->nq; i++) {
				struct graft_sso_result r = { g->q[i].level, g->q[i].name, g->q[i].ret };
				if (g->q[i].done && (k + 1) * sizeof r <= len) {
					if ((*err = wr(pid, a[3] + k++ * sizeof r, &r, sizeof r))) return 0;
					continue;
				}
				g->q[j++] = g->q[i];
			}
			g->nq = j;
			len = k * sizeof(struct graft_sso_result);
		} else {
			*err = -ENOPROTOOPT;
			return 0;
		}
		if (!*err) *err = wr(pid, a[4], &len, sizeof len);
		return 0;
	}
	}
	return 1;
}

static void supervise(pid_t kid)
{
	struct seccomp_notif_sizes sz;
	struct seccomp_notif *n;
	struct seccomp_notif_resp *r;
	int st;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz)) die("SECCOMP_GET_NOTIF_SIZES");
	n = calloc(1, sz.seccomp_notif > sizeof *n ? sz.seccomp_notif : sizeof *n);
	r = calloc(1, sz.seccomp_notif_resp > sizeof *r ? sz.seccomp_notif_resp : sizeof *r);
	for (;;) {
		struct pollfd p = { listener, POLLIN, 0 };
		pid_t w = waitpid(kid, &st, WNOHANG);
		long val;
		int err, c;
		if (w == kid) exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		if (poll(&p, 1, 100) <= 0 || !(p.revents & POLLIN)) {
			if (p.revents & (POLLHUP | POLLERR)) {
				waitpid(kid, &st, 0);
				exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
			}
			continue;
		}
		memset(n, 0, sz.seccomp_notif);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, n) < 0) continue;
		c = handle(n, &val, &err);
		if (c < 0) continue;
		memset(r, 0, sz.seccomp_notif_resp);
		r->id = n->id;
		if (c) r->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		else {
			r->error = err;
			r->val = val;
		}
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, r);
	}
}

int main(int argc, char **argv)
{
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } cb;
	char x;
	struct iovec iov = { &x, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.b, .msg_controllen = sizeof cb.b };
	const char *netns = 0;
	int sv[2], o;
	pid_t kid;

	while ((o = getopt(argc, argv, "+n:e:")) != -1) {
		char *eq, *colon;
		if (o == 'n') { netns = optarg; continue; }
		if (o != 'e' || neps == MAXEP || !(eq = strchr(optarg, '=')) || !(colon = strrchr(eq, ':'))) goto usage;
		*eq = *colon = 0;
		snprintf(eps[neps].name, sizeof eps[neps].name, "%s", optarg);
		eps[neps].sin.sin_family = AF_INET;
		eps[neps].sin.sin_port = htons(atoi(colon + 1));
		if (inet_pton(AF_INET, eq + 1, &eps[neps].sin.sin_addr) != 1) goto usage;
		neps++;
	}
	if (optind >= argc) goto usage;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) die("socketpair");
	if ((kid = fork()) < 0) die("fork");
	if (!kid) {
		close(sv[0]);
		child(sv[1], netns, argv + optind);
	}
	close(sv[1]);
	if (recvmsg(sv[0], &mh, 0) != 1 || !CMSG_FIRSTHDR(&mh)) {
		waitpid(kid, 0, 0);
		fprintf(stderr, "afgraft-kmod: the child could not install its filter\n");
		return 125;
	}
	memcpy(&listener, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof listener);
	if (write(sv[0], "A", 1) != 1) die("ack");
	close(sv[0]);
	supervise(kid);
	return 0;
usage:
	fprintf(stderr, "usage: afgraft-kmod [-n NETNS] -e NAME=IPV4:PORT... -- PROG [ARG...]\n");
	return 2;
}
#endif
