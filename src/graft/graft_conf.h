/* graft_conf.h - graft.conf: limits, rules, the configuration, its parsing,
 * loading and matching.
 * Internal to libc: hidden, __graft_-prefixed (docs/core.md). */
#ifndef GRAFT_CONF_H
#define GRAFT_CONF_H

#include "graft_sys.h"
#include "graft_proto.h"
#include "graft.h"		/* the public AF_GRAFT header, include/ */

/* Limits of graft.conf (documented in graft.conf(5)). */
#define GRAFT_MAX_INGRESS	64
#define GRAFT_MAX_EGRESS	64
#define GRAFT_MAX_HOSTS		32
#define GRAFT_MAX_HADDR		8
#define GRAFT_HOSTNAME_MAX	253
#define GRAFT_PATH_MAX		108	/* sizeof sun_path */
#define GRAFT_LINE_MAX		1024
#define GRAFT_CONF_MAXSIZE	(1 << 20)
#define GRAFT_MAX_EPS		64	/* "endpoint" names */
#define GRAFT_EGRESS_BATCH	8	/* default of "egress-batch" */
#define GRAFT_MAX_BRULES	GRAFT_PROTO_MAXRULES	/* "rules broker": 32, both directions */

#define GRAFT_DEFAULT_CONF	"/etc/graft.conf"
#define GRAFT_DEFAULT_BROKER	"/run/graft/graftd.sock"

_Static_assert(GRAFT_PROTO_EPNAME == AF_GRAFT_EPNAME_MAX, "endpoint names");
_Static_assert(sizeof(struct sockaddr_gr) == 18, "sockaddr_gr layout");

/* errnos of our own (see docs/core.md) */
#define GRAFT_EBROKEN		ENOTRECOVERABLE	/* config is broken: refuse */
#define GRAFT_EUNREACH		ENETUNREACH	/* graftd cannot be reached */

/* An address as rules see it; v4-mapped IPv6 is stored as AF_INET.  An
 * ingress rule's "*" is family AF_UNSPEC: the wildcard of both. */
struct graft_ip {
	int family;
	uint8_t a[16];
};

enum { GRAFT_SRC_FILE, GRAFT_SRC_ENV_IN, GRAFT_SRC_ENV_EG, GRAFT_SRC_BUILTIN, GRAFT_SRC_DNS, GRAFT_SRC_BROKER };

struct graft_rule {
	struct graft_ip ip;
	uint16_t lo, hi;	/* ingress: port range */
	uint8_t plen;		/* egress: prefix length */
	uint8_t local;		/* endpoint "local": stays in the namespace */
	uint8_t src;		/* GRAFT_SRC_* */
	uint8_t view;		/* ingress: GRAFT_VIEW_*, 0: the global one */
	uint16_t line;		/* line of the file, item of the variable, rule of the reply */
	uint8_t type;		/* broker: SOCK_STREAM (tcp), SOCK_DGRAM (udp); 0: any */
	char ep[GRAFT_PROTO_EPNAME + 1];
};

struct graft_host {
	char name[GRAFT_HOSTNAME_MAX + 1];
	uint16_t line;
	uint8_t n;
	struct graft_ip addr[GRAFT_MAX_HADDR];
};

/* "view": what getsockname shows of a grafted ingress socket (view.c) */
enum { GRAFT_VIEW_DEFAULT, GRAFT_VIEW_PROGRAM, GRAFT_VIEW_HOST };

enum { GRAFT_CONF_INACTIVE, GRAFT_CONF_ACTIVE, GRAFT_CONF_BROKEN };
/* "provider": where host sockets come from (docs/afgraft.md) */
enum { GRAFT_PROV_AUTO, GRAFT_PROV_BROKER, GRAFT_PROV_KERNEL };

struct graft_conf {
	int state;
	int verbose;
	int fallback;		/* "fallback local": graftd unreachable -> local */
	int off;		/* GRAFT=off: stock musl, AF_GRAFT included */
	int secure;		/* AT_SECURE: no GRAFT* variable, no token echoed */
	int env;		/* some GRAFT* variable is set (not secure) */
	int provider;		/* GRAFT_PROV_* */
	int egress_batch;	/* "egress-batch": sockets per graftd request, 0 off */
	int view;		/* GRAFT_VIEW_PROGRAM (default) or _HOST */
	unsigned nview;		/* ingress rules to a host endpoint with the program's view */
	const char *file;	/* for messages */
	char broker[GRAFT_PATH_MAX];
	unsigned nin, neg, nhost;
	unsigned ndns;		/* a "dns" line: every resolver query takes dns */
	unsigned rules;		/* line of "rules broker", 0: none */
	/* the broker's rules are the last nbin of in[] and nbeg of eg[]:
	 * matched only when none of the file's (and variables') match */
	unsigned nbin, nbeg;
	struct graft_rule dns;
	struct graft_rule in[GRAFT_MAX_INGRESS + GRAFT_MAX_BRULES];
	struct graft_rule eg[GRAFT_MAX_EGRESS + GRAFT_MAX_BRULES];
	struct graft_host host[GRAFT_MAX_HOSTS];
	unsigned nep;		/* "endpoint" names getaddrinfo(AF_GRAFT) knows */
	char eps[GRAFT_MAX_EPS][GRAFT_PROTO_EPNAME + 1];
	char err[320];		/* the one line printed for a broken config */
};

/* conf_parse.c, conf_env.c, conf_addr.c: pure parsing */
hidden void __graft_conf_init(struct graft_conf *);
hidden void __graft_conf_defaults(struct graft_conf *);
hidden int __graft_conf_parse(struct graft_conf *, const char *file, const char *buf, size_t len);
hidden int __graft_conf_env(struct graft_conf *, const char *var, const char *val);
hidden void __graft_conf_finish(struct graft_conf *);
hidden int __graft_conf_error(struct graft_conf *, int src, unsigned line, const char *what, const char *arg);
hidden int __graft_parse_ip(const char *, size_t, struct graft_ip *);
hidden int __graft_parse_port(const char *, size_t, uint16_t *);
hidden const char *__graft_parse_ingress(const char *, struct graft_rule *, int lastcolon);
hidden const char *__graft_parse_egress(const char *, struct graft_rule *);
hidden const char *__graft_parse_epname(const char *, struct graft_rule *);
hidden int __graft_add_ingress(struct graft_conf *, const struct graft_rule *);
hidden int __graft_add_egress(struct graft_conf *, const struct graft_rule *);
/* conf_wrule.c: a GRAFT_OP_RULES reply record; rules added or -1, why */
struct graft_msg;
hidden int __graft_conf_wrules(struct graft_conf *, const void *rec, size_t len, struct graft_msg *why);

/* conf_load.c: the process's configuration, loaded once */
hidden const struct graft_conf *__graft_conf(void);
/* broker_rules.c: "rules broker": ask graftd, add what it gives */
hidden void __graft_broker_rules(struct graft_conf *);

/* conf_match.c */
hidden int __graft_sa_ip(const struct sockaddr *, socklen_t, struct graft_ip *, unsigned *port);
hidden int __graft_ip_any(const struct graft_ip *);
hidden int __graft_ip_loopback(const struct graft_ip *);
/* type: the socket's SOCK_STREAM, SOCK_DGRAM...: a broker rule for tcp
 * or udp holds only its own */
hidden int __graft_rule_type(const struct graft_rule *, int type);
hidden const struct graft_rule *__graft_match_in(const struct graft_conf *, const struct graft_ip *, unsigned port, int type);
hidden const struct graft_rule *__graft_match_reach(const struct graft_conf *, const struct graft_ip *, unsigned port);
hidden const struct graft_rule *__graft_match_eg(const struct graft_conf *, const struct graft_ip *, int type);
hidden const struct graft_rule *__graft_match_eg_user(const struct graft_conf *, const struct graft_ip *, int type);
hidden const struct graft_rule *__graft_match_dns(const struct graft_conf *, const struct graft_ip *, int type);

/* conf_epname.c: what an endpoint name may be (graft.conf and AF_GRAFT) */
hidden int __graft_epname_ok(const char *, size_t);

#endif
