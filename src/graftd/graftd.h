/* graftd.h - types and interfaces shared by graftd's files (and by the
 * pure parts that graftctl and the unit tests link). */
#ifndef GRAFTD_H
#define GRAFTD_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "graft_proto.h"

#define GRAFTD_CONF		"/etc/graft/graftd.conf"
#define GRAFTD_SOCK		"/run/graft/graftd.sock"	/* given to containers */
#define GRAFTD_CTL		"/run/graftd/graftd.ctl"	/* never shared */
#define GRAFTD_NETNS_DIR	"/var/run/netns"

#define EP_NAMESZ	(GRAFT_PROTO_EPNAME + 1)
#define EP_PATHMAX	108		/* sizeof(sun_path) */
#define NS_NAMEMAX	255
#define EP_USERMAX	66		/* "USER:GROUP", each at most 32 */
#define EP_NOBODY	65534		/* unix egress uid, gid without user */
#define ERRBUFSZ	256

/* ---- parse.c: the endpoint grammar shared by graftd.conf and graftctl */

enum ns_kind { NS_HOST, NS_NAME, NS_PID, NS_PATH };

struct ns_spec {
	enum ns_kind	kind;
	pid_t		pid;			/* NS_PID */
	char		name[NS_NAMEMAX + 1];	/* NS_NAME: /var/run/netns/NAME;
						 * NS_PATH: the absolute path */
};

/* direction: which requests an endpoint answers (0, both, when absent) */
#define EP_DIR_BOTH	0
#define EP_DIR_INGRESS	1
#define EP_DIR_EGRESS	2

/* proto: the socket types an inet endpoint answers (0, both, when absent) */
#define EP_PROTO_ANY	0
#define EP_PROTO_TCP	1	/* SOCK_STREAM */
#define EP_PROTO_UDP	2	/* SOCK_DGRAM */

struct ep_def {
	char		name[EP_NAMESZ];
	int		family;		/* AF_INET, AF_INET6, AF_UNIX */
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
	} addr;
	int		dynamic;	/* port dynamic: bind port 0 */
	int		shared;		/* one socket owner for every netns */
	uint16_t	port_lo;	/* fixed: lo == hi; range: lo < hi */
	uint16_t	port_hi;
	char		path[EP_PATHMAX];
	struct ns_spec	ns;
	int		dir;		/* EP_DIR_* */
	char		user[EP_USERMAX]; /* "USER[:GROUP]" as given, or "" */
	uid_t		uid;		/* with user: the identity of a unix */
	gid_t		gid;		/* egress; -1 (a name) until resolved */
	int		proto;		/* EP_PROTO_* */
	int		hasmatch;	/* attachments: match SPEC given */
	struct graft_wrule match;	/* its wire form (epname: name) */
};

int	parse_epname(const char *, char *, size_t);
int	parse_ns(const char *, struct ns_spec *, char *, size_t);
int	parse_endpoint(int, char **, struct ep_def *, char *, size_t);
int	parse_port(const char *, struct ep_def *);
int	parse_uint(const char *, unsigned long, unsigned long *);
void	ns_spec_str(const struct ns_spec *, char *, size_t);
int	ns_spec_eq(const struct ns_spec *, const struct ns_spec *);
size_t	ep_format(const struct ep_def *, char *, size_t);
size_t	ep_format_json(const struct ep_def *, char *, size_t);
size_t	json_str(const char *, char *, size_t);

/* ---- attparse.c: the words of attach, detach and check (pure) */

#define ATTACH_IDMAX	255
#define ATTACH_NETMAX	255		/* network tag (CNI network name) */
#define ATTACH_MAXEPS	GRAFT_PROTO_MAXRULES
#define ATTACH_MAX	4096		/* attachments (each holds an fd) */

int	parse_attach_id(const char *, char *, size_t);
int	parse_network(const char *, char *, size_t);
int	parse_ns_path(const char *, struct ns_spec *, char *, size_t);
int	parse_match(const char *, int, struct graft_wrule *);
size_t	match_str(const struct graft_wrule *, char *, size_t);
int	parse_attach(int, char **, char *, char *, struct ns_spec *,
	    struct ep_def *, unsigned *, char *, size_t);

/* ---- nsid.c: netns identities */

struct nsid {
	dev_t	dev;
	ino_t	ino;
};

int	nsid_resolve(const struct ns_spec *, int, struct nsid *);
int	nsid_recheck(const struct ns_spec *, int, struct nsid *);
int	nsid_open_pid(pid_t, int *);
int	nsid_open_path(const char *, int *, struct nsid *);
int	nsid_path_is(const char *, const struct nsid *);

/* ---- table.c: endpoint tables per netns */

struct ep_stats {
	uint64_t	requests;
	uint64_t	grants;
	uint64_t	refusals;
};

/* Ports held through a table's dynamic endpoints (ports.c): the cookie
 * of each granted socket that took a port at bind. */
struct portrec {
	uint64_t	cookie;
	uint8_t		family;
	uint8_t		proto;
	uint8_t		alive;
};

struct portset {
	struct portrec	*rec;
	unsigned	 n, cap;
	unsigned	 escaped;	/* portless sockets that listen (check) */
	unsigned	 since;		/* portless sockets since the check */
	uint64_t	 full_at;	/* ms: a check found the table full */
};

struct nstable;

struct endpoint {
	TAILQ_ENTRY(endpoint)	 entry;
	struct ep_def		 def;
	struct ep_stats		 st;
	struct nstable		*nt;
	uint32_t		 uidx;	/* socket owner: uid base + uidx */
};

struct nstable {
	TAILQ_ENTRY(nstable)	 entry;
	struct ns_spec		 spec;
	struct nsid		 id;
	int			 resolved;
	int			 nsfd;		/* NS_PID, NS_PATH: pins the netns */
	char			*attach;	/* attachments: the ID, else NULL */
	char			*network;	/* its network tag, or NULL */
	TAILQ_HEAD(, endpoint)	 eps;
	struct portset		 ports;
};

struct tableset {
	TAILQ_HEAD(, nstable)	 tables;
	unsigned		 count;		/* endpoints */
	uint32_t		 next_uidx;
};

#define TS_MAXENDPOINTS	4096

/* Socket owners: base + index for one (table, endpoint), indexes below
 * SOCKUID_SPAN; base + SOCKUID_SPAN + a hash for "shared" endpoints. */
#define SOCKUID_SPAN		(1U << 29)
#define SOCKUID_BASE		2147483648U
#define SOCKUID_BASEMAX		(0xfffffffeU - 2 * SOCKUID_SPAN)

struct tableset	*ts_new(void);
void		 ts_free(struct tableset *);
int		 ts_add(struct tableset *, const struct ep_def *, char *, size_t);
int		 ts_del(struct tableset *, const char *, const struct ns_spec *,
		    char *, size_t);
int		 ts_lookup(struct tableset *, const struct nsid *, const char *,
		    struct endpoint **);
void		 ts_carry_stats(struct tableset *, struct tableset *);
int		 ts_need_lowports(const struct tableset *);
uid_t		 ep_owner(const struct endpoint *, uint32_t);
int		 ts_rules(struct tableset *, const struct nsid *,
		    struct graft_wrule *, unsigned *);

/* ---- attach.c: tables a CNI plugin attaches (control commands) */

struct nstable	*ts_attached(const struct tableset *, const char *);
unsigned	 ts_nattached(const struct tableset *);
int		 ts_attach_prepare(struct tableset *, const char *,
		    const char *, const struct ns_spec *, const struct ep_def *,
		    unsigned, struct nstable **, char *, size_t);
void		 ts_attach_commit(struct tableset *, struct nstable *);
void		 ts_attach_abort(struct tableset *, struct nstable *);
int		 ts_detach(struct tableset *, const char *);
void		 ts_carry_attach(struct tableset *, struct tableset *);
void		 nt_free(struct nstable *);

/* ---- request.c: validation and grant */

struct reply {
	struct graft_rep	rep;
	unsigned		nfds;	/* host sockets to pass: 0 or rep.nfds */
	int			fds[GRAFT_PROTO_MAXBATCH];
	unsigned		ninos;	/* GRAFT_F_INOS: entries of inos to send */
	struct graft_inos	inos;
	unsigned		nrules;	/* GRAFT_OP_RULES: entries of rules */
	struct graft_wrule	rules[GRAFT_PROTO_MAXRULES];
};

struct optrule {
	int		level;
	int		name;
	int		min, max;	/* accepted values */
	unsigned	where;		/* OPT_* : endpoint kinds it applies to */
	const char     *label;
};
#define OPT_INET	0x1	/* ipv4 endpoints */
#define OPT_INET6	0x2	/* ipv6 endpoints */
#define OPT_UNIX	0x4	/* unix endpoints */
#define OPT_TCP		0x8	/* only stream sockets on inet endpoints */
#define OPT_ALLFAM	(OPT_INET | OPT_INET6 | OPT_UNIX)

extern const struct optrule optrules[];

int		 req_validate(const void *, size_t, int, struct graft_req *,
		    uint32_t *);
int		 req_check_dir(const struct ep_def *, const struct graft_req *,
		    uint32_t *);
int		 req_check_type(const struct ep_def *, const struct graft_req *,
		    uint32_t *);
int		 req_check_opts(const struct ep_def *, const struct graft_req *,
		    uint32_t *);
int		 req_port(const struct ep_def *, const struct graft_req *,
		    uint16_t *, uint32_t *);
int		 req_check_batch(const struct ep_def *, const struct graft_req *,
		    uint32_t *);
const struct optrule *opt_find(int, int);
int		 opt_applies(const struct optrule *, const struct ep_def *, int);
int		 req_check(const struct ep_def *, const struct graft_req *,
		    uint16_t *, uint32_t *);
int		 req_noport(const struct ep_def *, const struct graft_req *);
int		 req_check_reach(const struct ep_def *, const struct graft_req *,
		    struct sockaddr_storage *, socklen_t *, uint32_t *);
int		 req_reach_as(const struct ep_def *, uid_t,
		    const struct graft_req *, struct reply *);
int		 ep_dual(const struct ep_def *);
const struct ep_def *req_ep(const struct ep_def *, const struct graft_req *,
		    struct ep_def *);
int		 req_grant(const struct ep_def *, const struct graft_req *,
		    struct reply *);
int		 req_grant_as(const struct ep_def *, uid_t,
		    const struct graft_req *, struct reply *);
void		 reply_init(struct reply *, int, uint32_t);
void		 reply_close(struct reply *);
const char	*reason_str(uint32_t);
const char	*errno_name(int);
void		 epname_copy(const struct graft_req *, char *);

/* ---- unixep.c: the sockets of unix endpoints */

void	unixep_self(dev_t, ino_t);
int	unixep_setup(int, const struct ep_def *, const struct graft_req *);

/* ---- peer.c: the requesting process's netns */

struct peer {
	pid_t		pid;
	uid_t		uid;
	struct nsid	id;
	int		error;		/* 0 when id is valid */
};

int	peer_init(void);
void	peer_identify(int, const struct timespec *, struct peer *);

/* ---- config.c: graftd.conf */

struct settings {
	int		sock_uid;	/* -1: unchanged */
	int		sock_gid;
	int		sock_mode;
	unsigned	max_clients;
	unsigned	netns_max_clients;
	unsigned	netns_max_inflight;
	unsigned	idle_timeout;	/* seconds */
	int		lowports;	/* -1 auto, 0 no, 1 yes */
	unsigned	max_ports;	/* per table, dynamic endpoints; 0: any */
	unsigned	uid_base;	/* socket owners */
	char		state_file[NS_NAMEMAX + 1];	/* "": the default */
};

void	settings_default(struct settings *);
int	ep_resolve_user(struct ep_def *, char *, size_t);
int	config_load(const char *, struct tableset **, struct settings *,
	    char *, size_t);
int	config_line(char *, unsigned, struct tableset *, struct settings *,
	    char *, size_t);

/* ---- diag.c: the kernel's list of inet sockets */

struct inet_diag_msg;
typedef void (*diag_fn)(const struct inet_diag_msg *, void *);

int	diag_dump(int, int, uint32_t, uint16_t, diag_fn, void *);

/* ---- reuse.c: SO_REUSEADDR on datagram sockets within one owner */

int	reuse_bind_dgram(int, const struct sockaddr *, socklen_t, uint16_t);

/* ---- listen.c: the request and control sockets */

struct sockspec {
	const char	*path;
	int		 mode;		/* the socket file's */
	int		 uid, gid;	/* -1: unchanged */
	int		 dirmode;	/* for a directory we make */
	int		 backlog;
	struct stat	 dir;		/* out: the directory's identity */
	struct stat	 sock;		/* out: the socket file's */
	int		 dirfd;		/* out: the directory, as checked */
};

int	listen_unix(struct sockspec *);
int	listen_same_dir(const struct sockspec *, const struct sockspec *);

/* ---- share.c: what each netns may hold (connections, sockets unread) */

#define SHARE_CLIENT_MAX	(2 * GRAFT_PROTO_MAXBATCH)	/* per client */

struct share;

struct shmember {
	TAILQ_ENTRY(shmember)	 entry;
	struct share		*sh;
	int			 fd;
	int			 lingering;
	unsigned		 inflight;	/* sent since its queue was empty */
	unsigned		 unsent;	/* of which not sent yet */
};

void		 share_configure(const struct settings *,
		    const struct tableset *);
unsigned	 share_budget(void);
int		 share_attach(struct shmember *, const struct peer *, int);
void		 share_detach(struct shmember *);
void		 share_touch(struct shmember *);
void		 share_linger(struct shmember *);
struct shmember	*share_victim(const struct shmember *);
void		 share_charge(struct shmember *, unsigned);
void		 share_sent(struct shmember *);
void		 share_unsend(struct shmember *);
unsigned	 share_refresh(struct shmember *);
int		 share_flushed(struct shmember *);
unsigned	 share_room(struct shmember *, unsigned);

/* ---- ctlcmd.c, priv.c, graftd.c */

struct graftd_stats {
	uint64_t	requests;
	uint64_t	grants;
	uint64_t	refusals;
	uint64_t	sockets;	/* host sockets handed out (batches: all) */
	uint64_t	by_reason[GRAFT_R_MAX + 1];
};

/* ---- stateparse.c (pure), state.c: the attachments' state file */

#define STATE_MAGIC	"graftd-attachments 1"
#define STATE_NAME	"attachments"	/* default: in the control socket's dir */
#define STATE_MAXLINE	(16384 + 128)	/* dev, ino and an attach record */
#define STATE_MAXSIZE	((size_t)(ATTACH_MAX + 1) * STATE_MAXLINE)

typedef void (*state_fn)(void *, unsigned, const struct nsid *, int, char **);

size_t	state_format(const struct nstable *, char *, size_t);
int	state_parse(const char *, size_t, state_fn, void *, unsigned *, char *,
	    size_t);

struct statefile {
	int		 on;		/* 0: none (memset 0 is off) */
	int		 dirfd;		/* its directory, checked, O_RDONLY */
	char		 name[NS_NAMEMAX + 1];	/* in dirfd */
	char		 path[NS_NAMEMAX + 1];	/* for messages */
};

struct graftd {
	struct tableset		*ts;
	struct settings		 conf;
	struct graftd_stats	 st;
	const char		*conffile;
	struct statefile	 state;
};

void	state_setup(struct statefile *, const char *, int, const char *);
void	state_restore(struct graftd *);
int	state_save(struct graftd *, const struct nstable *,
	    const struct nstable *, char *, size_t);

extern struct graftd	*env;

/* ---- ports.c: the grant, with its socket owner and port accounting */

int	ep_grant(struct endpoint *, const struct graft_req *, struct reply *);

void	priv_drop(int);

/* ---- graftd.c, client.c, control.c: the event loop */

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) && ((tvar) = TAILQ_NEXT(var, field), 1);		\
	    (var) = (tvar))
#endif

enum evkind { EV_LISTEN, EV_CTLLISTEN, EV_SIGNAL, EV_CLIENT, EV_CTL };

struct evsrc {			/* first in what epoll hands back */
	enum evkind	kind;
	int		fd;
	int		paused;		/* listeners: out of the set for now */
};

struct client;
struct ctlclient;

time_t		 now(void);
int		 lograte_ok(void);
void		 ev_set(struct evsrc *, int, uint32_t);

ssize_t		 recv_record(int, char *, size_t, int *, int *);
void		 client_accept(int);
void		 client_event(struct client *, uint32_t);
void		 clients_timers(time_t);
void		 clients_reap(void);

void		 ctl_accept(int);
void		 ctl_event(struct ctlclient *, uint32_t);
void		 ctls_timers(time_t);

#endif
