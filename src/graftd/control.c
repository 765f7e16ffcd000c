/* control.c - the control socket's clients: accept (uid 0 only), read
 * one command, run it (ctlcmd.c), send its output, close.  A client has
 * CTL_TIMEOUT seconds for all of it. */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graftd.h"
#include "control.h"
#include "log.h"

#define CTL_MAXCLIENTS	16
#define CTL_TIMEOUT	5

struct ctlclient {
	struct evsrc		 ev;	/* first */
	TAILQ_ENTRY(ctlclient)	 entry;
	struct obuf		 out;
	size_t			 off;
	char			 final[ERRBUFSZ + 16];
	int			 answered;
	time_t			 start;
};

static TAILQ_HEAD(, ctlclient)	 ctls = TAILQ_HEAD_INITIALIZER(ctls);
static unsigned			 nctls;


static void
ctl_drop(struct ctlclient *cc)
{
	close(cc->ev.fd);
	obuf_free(&cc->out);
	TAILQ_REMOVE(&ctls, cc, entry);
	nctls--;
	free(cc);
}

static int
ctl_send(int fd, char tag, const char *data, size_t len)
{
	char rec[CTL_MAXDATA];

	rec[0] = tag;
	memcpy(rec + 1, data, len);
	if (send(fd, rec, len + 1, MSG_DONTWAIT | MSG_NOSIGNAL) == -1)
		return errno;
	return 0;
}

/* Send data records then the final one; 1 while blocked, -1 when done. */
static int
ctl_flush(struct ctlclient *cc)
{
	size_t n;
	int rv;

	while (cc->off < cc->out.len) {
		n = cc->out.len - cc->off;
		if (n > CTL_MAXDATA - 1)
			n = CTL_MAXDATA - 1;
		if ((rv = ctl_send(cc->ev.fd, 'D', cc->out.buf + cc->off, n)))
			return rv == EAGAIN ? 1 : -1;
		cc->off += n;
	}
	rv = ctl_send(cc->ev.fd, cc->final[0], cc->final + 1,
	    strlen(cc->final + 1));
	return rv == EAGAIN ? 1 : -1;
}

static void
ctl_answer(struct ctlclient *cc, char *rec, size_t len, int flags, int nfds)
{
	char err[ERRBUFSZ] = "";
	int rv;

	if ((flags & MSG_TRUNC) || nfds) {
		rv = EBADMSG;
		snprintf(err, sizeof(err), "malformed control request");
	} else
		rv = control_run(rec, len, env, &cc->out, err, sizeof(err));
	if (rv == 0)
		snprintf(cc->final, sizeof(cc->final), "OK");
	else {
		cc->out.len = 0;
		snprintf(cc->final, sizeof(cc->final), "E%d %s", rv, err);
		log_info("control: command refused: %s", err);
	}
	cc->answered = 1;
}

void
ctl_event(struct ctlclient *cc, uint32_t events)
{
	char rec[CTL_MAXREC];
	ssize_t n;
	int flags = 0, nfds;

	if (!cc->answered) {
		n = recv_record(cc->ev.fd, rec, sizeof(rec), &flags, &nfds);
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			ctl_drop(cc);
			return;
		}
		ctl_answer(cc, rec, (size_t)n, flags, nfds);
		ev_set(&cc->ev, EPOLL_CTL_MOD, EPOLLOUT);
	} else if (!(events & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
		return;
	if (ctl_flush(cc) != 1)
		ctl_drop(cc);
}

void
ctl_accept(int fd)
{
	struct ctlclient *cc;
	struct ucred uc = { .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1 ||
	    uc.uid != 0) {
		ctl_send(fd, 'E', "1 permission denied", 19);
		close(fd);
		if (lograte_ok())
			log_warnx("control: connection from uid %d refused",
			    (int)uc.uid);
		return;
	}
	if (nctls >= CTL_MAXCLIENTS || (cc = calloc(1, sizeof(*cc))) == NULL) {
		close(fd);
		return;
	}
	cc->ev.kind = EV_CTL;
	cc->ev.fd = fd;
	cc->start = now();
	TAILQ_INSERT_TAIL(&ctls, cc, entry);
	nctls++;
	ev_set(&cc->ev, EPOLL_CTL_ADD, EPOLLIN);
}

void
ctls_timers(time_t t)
{
	struct ctlclient *cc, *ccn;

	TAILQ_FOREACH_SAFE(cc, &ctls, entry, ccn)
		if (t - cc->start >= CTL_TIMEOUT)
			ctl_drop(cc);
}
