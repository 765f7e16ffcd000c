/* conf.h - graft-cni's network configuration (the plugin's entry of a
 * conflist, as the runtime hands it on stdin): validated into a struct
 * cni_conf, which then says all the plugin does. */
#ifndef GRAFT_CNI_CONF_H
#define GRAFT_CNI_CONF_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/un.h>

#include "json.h"

#define CNI_MAXEP	32	/* endpoints of one attach (GRAFT_PROTO_MAXRULES) */
#define CNI_ADDRSZ	46	/* INET6_ADDRSTRLEN */
#define CNI_PREFIXSZ	(CNI_ADDRSZ + 8)
#define CNI_DEFCTL	"/run/graftd/graftd.ctl"
#define CNI_NAMEMAX	255	/* a network name graftd takes */
#define CNI_VALIDKEY	"cni.dev/valid-attachments"

/* the CNI error codes this plugin answers with */
#define CNI_E_VERSION	1	/* incompatible CNI version */
#define CNI_E_FIELD	2	/* unsupported field in the network config */
#define CNI_E_ENV	4	/* invalid necessary environment variables */
#define CNI_E_IO	5	/* I/O failure */
#define CNI_E_DECODE	6	/* failed to decode content */
#define CNI_E_CONFIG	7	/* invalid network config */
#define CNI_E_AGAIN	11	/* try again later */
#define CNI_E_UNAVAIL	50	/* the plugin is not available (STATUS) */
#define CNI_E_REFUSED	100	/* graftd refused the command */

struct cni_err {
	int	code;
	char	msg[256];
	char	details[256];
};

struct cni_addr {
	int	family;			/* AF_INET, AF_INET6 */
	char	text[CNI_ADDRSZ];	/* canonical form (inet_ntop) */
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
	} a;
};

struct cni_map {
	struct cni_addr	host;
	unsigned	hostport, cport;
	int		udp;
};

struct cni_egress {
	struct cni_addr	host;
	char		prefix[CNI_PREFIXSZ];
};

struct cni_conf {
	struct json_doc		 doc;
	const char		*version;	/* cniVersion */
	const char		*name;
	char			 control[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct cni_addr		 hostip;	/* default host address */
	struct cni_map		 map[CNI_MAXEP];
	size_t			 nmap;
	struct cni_egress	 egress[CNI_MAXEP];
	size_t			 negress;
	const struct json	*prev;		/* prevResult, or NULL */
	const struct json	*valid;		/* cni.dev/valid-attachments
						   (GC), or NULL */
};

extern const char *const cni_versions[];	/* NULL-terminated */

int	conf_parse(struct cni_conf *, const char *, size_t, struct cni_err *);
void	conf_free(struct cni_conf *);
int	cni_fail(struct cni_err *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	version_ge(const char *, const char *);
int	cni_name_ok(const char *);
int	conf_tag_name(const struct cni_conf *, struct cni_err *);

#endif
