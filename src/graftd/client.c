/* client.c - the request clients: accept, read, reply, and lifetime.
 *
 * Client sockets are non-blocking, a reply that cannot be sent is kept
 * (one per client) and the client is not read again until it has taken
 * it; a client that does not read within CLIENT_WTIMEOUT seconds, or stays
 * silent longer than idle-timeout, is dropped.  What each netns may hold
 * (connections, sockets sent and not read) is counted in share.c; a
 * connection over a limit is kept until it sends its request, which is
 * answered with a refusal record, so that the client reads it instead of
 * meeting a closed socket. */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graftd.h"
#include "log.h"

#define CLIENT_BURST	8	/* requests read per client per wakeup */
#define CLIENT_WTIMEOUT	5	/* seconds a reply may wait to be read */
#define REFUSE_MAX	32	/* refused connections waiting for their request */
#define REFUSE_TIMEOUT	2	/* seconds they may wait */

enum cstate {
	C_ACTIVE,		/* served, in clients */
	C_LINGER,		/* dropped, sockets unread: in clients, shut down */
	C_REFUSED,		/* over a limit, waiting for its request: refusing */
	C_DEAD			/* closed, freed after this round of events */
};

struct client {
	struct evsrc		 ev;	/* first */
	TAILQ_ENTRY(client)	 entry;
	enum cstate		 state;
	struct peer		 peer;
	struct shmember		 sm;	/* C_ACTIVE, C_LINGER */
	struct reply		 pending;
	int			 haspending;
	time_t			 last;
	time_t			 blocked;
};

static TAILQ_HEAD(, client)	 clients = TAILQ_HEAD_INITIALIZER(clients);
static TAILQ_HEAD(, client)	 refusing = TAILQ_HEAD_INITIALIZER(refusing);
static TAILQ_HEAD(, client)	 graveyard = TAILQ_HEAD_INITIALIZER(graveyard);
static unsigned			 nclients, nrefusing;


/* Closed now, freed once the events already fetched are handled: one of
 * them may be this client's (it was evicted by an accept). */
static void
client_free(struct client *c)
{
	if (c->state == C_REFUSED) {
		TAILQ_REMOVE(&refusing, c, entry);
		nrefusing--;
	} else {
		share_detach(&c->sm);
		TAILQ_REMOVE(&clients, c, entry);
	}
	close(c->ev.fd);	/* also leaves the epoll set */
	c->state = C_DEAD;
	TAILQ_INSERT_TAIL(&graveyard, c, entry);
}

void
clients_reap(void)
{
	struct client *c;

	while ((c = TAILQ_FIRST(&graveyard)) != NULL) {
		TAILQ_REMOVE(&graveyard, c, entry);
		free(c);
	}
}

/* A client whose queue still holds host sockets keeps them charged to
 * graftd's user until it reads or closes its end: graftd keeps its own,
 * shut down, out of the epoll set, until SIOCOUTQ says the queue is
 * empty (timers). */
static void
client_drop(struct client *c, const char *why)
{
	if (why)
		log_info("client pid %d: %s, dropped", (int)c->peer.pid, why);
	if (c->haspending) {
		reply_close(&c->pending);
		share_unsend(&c->sm);
		c->haspending = 0;
	}
	nclients--;
	if (share_refresh(&c->sm) == 0) {
		client_free(c);
		return;
	}
	shutdown(c->ev.fd, SHUT_RDWR);
	ev_set(&c->ev, EPOLL_CTL_DEL, 0);
	share_linger(&c->sm);
	c->state = C_LINGER;
}

static int
send_reply(int fd, struct reply *r)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * GRAFT_PROTO_MAXBATCH)];
		struct cmsghdr align;
	} cm;
	struct iovec iov[2] = { { &r->rep, sizeof(r->rep) },
	    { &r->inos, GRAFT_INOS_LEN(r->ninos) } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;

	if (r->nrules > 0) {	/* GRAFT_OP_RULES: no fds */
		iov[1].iov_base = r->rules;
		iov[1].iov_len = sizeof(r->rules[0]) * r->nrules;
		msg.msg_iovlen = 2;
	} else if (r->nfds > 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * r->nfds);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * r->nfds);
		memcpy(CMSG_DATA(cmsg), r->fds, sizeof(int) * r->nfds);
		if (r->ninos)
			msg.msg_iovlen = 2;
	}
	while (sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) == -1) {
		if (errno != EINTR)
			return errno;
	}
	reply_close(r);		/* our copies: the client has its own */
	return 0;
}

/* Wait for the client to read: EPOLLOUT instead of EPOLLIN, and the
 * CLIENT_WTIMEOUT clock runs. */
static void
client_wait_out(struct client *c)
{
	if (c->blocked == 0) {
		c->blocked = now();
		ev_set(&c->ev, EPOLL_CTL_MOD, EPOLLOUT);
	}
}

static void
client_unblock(struct client *c)
{
	if (c->blocked) {
		c->blocked = 0;
		ev_set(&c->ev, EPOLL_CTL_MOD, EPOLLIN);
	}
}

/* Has the client taken its replies?  Its socket's send buffer is the
 * minimum (client_accept), so it is writable only while at most about
 * one reply (and its descriptor) sits unread in the client's queue.  An
 * empty queue (the usual case, one ioctl that also settles the share's
 * count) spares the poll. */
static int
client_caught_up(struct client *c)
{
	struct pollfd p = { .fd = c->ev.fd, .events = POLLOUT };

	if (share_flushed(&c->sm))
		return 1;
	/* a hangup or error: let the read see it */
	return poll(&p, 1, 0) == 1 &&
	    (p.revents & (POLLOUT | POLLHUP | POLLERR));
}

/* 0 when nothing is left to send, 1 while blocked, -1 when the client
 * must go. */
static int
client_flush(struct client *c)
{
	int rv;

	if (!c->haspending)
		return 0;
	rv = send_reply(c->ev.fd, &c->pending);
	if (rv == ETOOMANYREFS && c->pending.nfds > 0) {
		/* too many descriptors in flight for graftd's user: a
		 * refusal the client can act on, not a dropped connection;
		 * a batch is withdrawn whole */
		env->st.sockets -= c->pending.nfds;
		reply_close(&c->pending);
		share_unsend(&c->sm);
		reply_init(&c->pending, EAGAIN, GRAFT_R_LIMIT);
		env->st.grants--;
		env->st.refusals++;
		env->st.by_reason[GRAFT_R_LIMIT]++;
		if (lograte_ok())
			log_warnx("client pid %d: too many descriptors in "
			    "flight, grant withdrawn", (int)c->peer.pid);
		rv = send_reply(c->ev.fd, &c->pending);
	}
	if (rv == EAGAIN || rv == EWOULDBLOCK || rv == ENOBUFS) {
		client_wait_out(c);
		return 1;
	}
	if (rv != 0) {
		errno = rv;
		return -1;
	}
	share_sent(&c->sm);
	c->haspending = 0;
	client_unblock(c);
	return 0;
}

static void
log_refusal(const struct client *c, const char *name, const struct reply *r)
{
	if (!lograte_ok())
		return;
	log_info("refused pid %d netns %lu endpoint \"%s\": %s (%s: %s)",
	    (int)c->peer.pid, (unsigned long)c->peer.id.ino, name,
	    reason_str(r->rep.reason), errno_name(r->rep.error),
	    strerror(r->rep.error));
}

static void
account(const char *name, struct endpoint *ep, const struct reply *r,
    const struct client *c)
{
	if (r->rep.error == 0) {
		env->st.grants++;
		env->st.sockets += r->nfds;
		if (ep)
			ep->st.grants++;
		log_debug("granted pid %d endpoint \"%s\" (%u socket%s)",
		    (int)c->peer.pid, name, r->nfds, r->nfds == 1 ? "" : "s");
		return;
	}
	env->st.refusals++;
	if (r->rep.reason <= GRAFT_R_MAX)
		env->st.by_reason[r->rep.reason]++;
	if (ep)
		ep->st.refusals++;
	log_refusal(c, name, r);
}

/* Grant within what the client and its netns may still have unread: a
 * batch shrinks to fit, a request with no room left is refused before
 * any socket is made. */
static void
client_grant(struct client *c, struct endpoint *ep, struct graft_req *req,
    struct reply *r)
{
	unsigned want, room;

	want = (req->flags & GRAFT_F_BATCH) ? req->port : 1;
	if ((room = share_room(&c->sm, want)) == 0) {
		reply_init(r, EAGAIN, GRAFT_R_LIMIT);
		return;
	}
	if (room < want)
		req->port = (uint16_t)room;
	if (ep_grant(ep, req, r) == 0)
		share_charge(&c->sm, r->nfds);
}

/* GRAFT_OP_RULES: the rules of the peer's netns, no socket; counted as
 * a grant of none.  The reply goes the way of the others (one pending at
 * most, not read again before the client took it). */
static void
client_rules(struct client *c, struct reply *r)
{
	int err;

	reply_init(r, 0, GRAFT_R_OK);
	if (c->peer.error != 0) {
		reply_init(r, EPERM, GRAFT_R_PEER);
		return;
	}
	if ((err = ts_rules(env->ts, &c->peer.id, r->rules, &r->nrules)) != 0)
		reply_init(r, ENOENT, GRAFT_R_NONS);
}

static void
client_request(struct client *c, const char *buf, size_t len, int flags,
    int nfds)
{
	struct graft_req req;
	struct endpoint *ep = NULL;
	struct reply *r = &c->pending;
	char name[EP_NAMESZ] = "-";
	uint32_t reason = GRAFT_R_OK;
	int err;

	env->st.requests++;
	err = req_validate(buf, len, flags, &req, &reason);
	if (nfds > 0) {
		err = EBADMSG;
		reason = GRAFT_R_FDS;
	} else if (err == 0)
		epname_copy(&req, name);
	if (err == 0 && req.op == GRAFT_OP_RULES) {
		client_rules(c, r);
		c->haspending = 1;
		account("(rules)", NULL, r, c);
		return;
	}
	if (err == 0 && c->peer.error != 0) {
		err = EPERM;
		reason = GRAFT_R_PEER;
	}
	if (err == 0 && (err = ts_lookup(env->ts, &c->peer.id, name, &ep)))
		reason = err == ENOENT ? GRAFT_R_NOENT : GRAFT_R_NONS;
	if (err == 0) {
		ep->st.requests++;
		client_grant(c, ep, &req, r);
	} else
		reply_init(r, err, reason);
	c->haspending = 1;
	account(name, ep, r, c);
}

/* Receive one record; fds attached by the client are closed at once. */
ssize_t
recv_record(int fd, char *buf, size_t sz, int *flags, int *nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 32)];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { buf, sz };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
	struct cmsghdr *cmsg;
	ssize_t n;
	size_t i, cnt;
	int f;

	while ((n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)) == -1
	    && errno == EINTR)
		;
	*nfds = (msg.msg_flags & MSG_CTRUNC) ? 1 : 0;
	if (n == -1)
		return -1;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < cnt; i++) {
			memcpy(&f, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(f));
			close(f);
			(*nfds)++;
		}
	}
	*flags = msg.msg_flags;
	return n;
}

static void
client_read(struct client *c)
{
	char buf[sizeof(struct graft_req)];
	ssize_t n;
	int i, flags = 0, nfds;

	for (i = 0; i < CLIENT_BURST && !c->haspending; i++) {
		/* no new request while earlier replies wait unread: a client
		 * cannot pile up host sockets in its receive queue */
		if (!client_caught_up(c)) {
			client_wait_out(c);
			return;
		}
		client_unblock(c);
		n = recv_record(c->ev.fd, buf, sizeof(buf), &flags, &nfds);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			client_drop(c, n == 0 ? NULL : strerror(errno));
			return;
		}
		c->last = now();
		share_touch(&c->sm);
		client_request(c, buf, (size_t)n, flags, nfds);
		if (client_flush(c) == -1) {
			client_drop(c, strerror(errno));
			return;
		}
	}
}

/* Refused: one record, EAGAIN and GRAFT_R_LIMIT, then the close. */
static void
refuse_answer(struct client *c)
{
	struct reply r;

	reply_init(&r, EAGAIN, GRAFT_R_LIMIT);
	send_reply(c->ev.fd, &r);
	client_free(c);
}

static void
refused_event(struct client *c)
{
	char buf[sizeof(struct graft_req)];
	int flags, nfds;

	if (recv_record(c->ev.fd, buf, sizeof(buf), &flags, &nfds) == -1 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	refuse_answer(c);
}

void
client_event(struct client *c, uint32_t events)
{
	if (c->state == C_REFUSED) {
		refused_event(c);
		return;
	}
	if (c->state != C_ACTIVE)
		return;		/* evicted during this round */
	if (events & EPOLLOUT) {
		if (client_flush(c) == -1) {
			client_drop(c, strerror(errno));
			return;
		}
		if (c->haspending)
			return;
		/* the client read its replies: its next requests */
		events |= EPOLLIN;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		client_read(c);
}

/* Over a limit: the connection waits (REFUSE_TIMEOUT at most) for its
 * request, answered with the refusal record; a client that sent nothing
 * yet would otherwise meet a closed socket (EPIPE) instead of a reply.
 * Beyond REFUSE_MAX waiting, the oldest is answered and closed at once. */
static void
refuse_connection(struct client *c, const char *why)
{
	env->st.refusals++;
	env->st.by_reason[GRAFT_R_LIMIT]++;
	if (lograte_ok())
		log_warnx("client pid %d netns %lu: %s: connection refused",
		    (int)c->peer.pid, (unsigned long)c->peer.id.ino, why);
	if (nrefusing >= REFUSE_MAX)
		refuse_answer(TAILQ_FIRST(&refusing));
	c->state = C_REFUSED;
	TAILQ_INSERT_TAIL(&refusing, c, entry);
	nrefusing++;
	ev_set(&c->ev, EPOLL_CTL_ADD, EPOLLIN);
}

/* Room for another netns: the idlest client of the largest share goes,
 * told why when it waits for nothing.  A request it just sent is taken
 * (the record answers it): closing with it unread would make the peer's
 * receive fail with ECONNRESET before it reads the record. */
static void
client_evict(struct shmember *m)
{
	struct client *c;
	struct reply r;
	char buf[sizeof(struct graft_req)];
	int i, flags, nfds;

	c = (struct client *)(void *)((char *)m - offsetof(struct client, sm));
	if (!c->haspending) {
		for (i = 0; i < CLIENT_BURST && recv_record(c->ev.fd, buf,
		    sizeof(buf), &flags, &nfds) > 0; i++)
			;
		reply_init(&r, EAGAIN, GRAFT_R_LIMIT);
		send_reply(c->ev.fd, &r);
	}
	client_drop(c, lograte_ok() ? "evicted for a client of another netns" :
	    NULL);
}

static int
client_admit(struct client *c)
{
	struct shmember *v;
	int rv;

	if ((rv = share_attach(&c->sm, &c->peer, c->ev.fd)) != 0) {
		refuse_connection(c, rv == EAGAIN ? "netns-max-clients reached"
		    : strerror(rv));
		return -1;
	}
	if (nclients >= env->conf.max_clients &&
	    (v = share_victim(&c->sm)) != NULL)
		client_evict(v);
	if (nclients >= env->conf.max_clients) {
		share_detach(&c->sm);
		refuse_connection(c, "max-clients reached");
		return -1;
	}
	return 0;
}

void
client_accept(int fd)
{
	struct timespec t;
	struct client *c;
	int one = 1;

	clock_gettime(CLOCK_BOOTTIME, &t);
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->ev.kind = EV_CLIENT;
	c->ev.fd = fd;
	c->pending.nfds = 0;
	/* the kernel's minimum (about 4.5 KiB): few replies, each holding
	 * a host socket, can wait in the client's queue (client_caught_up) */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &one, sizeof(one));
	c->last = now();
	peer_identify(fd, &t, &c->peer);
	if (c->peer.error && lograte_ok())
		log_info("client pid %d: cannot identify its netns: %s",
		    (int)c->peer.pid, strerror(c->peer.error));
	else
		log_debug("client pid %d uid %d netns %lu connected",
		    (int)c->peer.pid, (int)c->peer.uid,
		    (unsigned long)c->peer.id.ino);
	if (client_admit(c) == -1)
		return;
	c->state = C_ACTIVE;
	TAILQ_INSERT_TAIL(&clients, c, entry);
	nclients++;
	ev_set(&c->ev, EPOLL_CTL_ADD, EPOLLIN);
}

/* Once a second: lingering clients that emptied their queue, replies not
 * read in time, idle clients, refused connections that sent nothing. */
void
clients_timers(time_t t)
{
	struct client *c, *cn;

	TAILQ_FOREACH_SAFE(c, &clients, entry, cn) {
		if (c->state == C_LINGER) {
			if (share_refresh(&c->sm) == 0)
				client_free(c);
		} else if (c->blocked && t - c->blocked >= CLIENT_WTIMEOUT)
			client_drop(c, "reply not read in time");
		else if (!c->blocked && env->conf.idle_timeout &&
		    t - c->last >= (time_t)env->conf.idle_timeout)
			client_drop(c, NULL);
	}
	TAILQ_FOREACH_SAFE(c, &refusing, entry, cn)
		if (t - c->last >= REFUSE_TIMEOUT)
			refuse_answer(c);
}
