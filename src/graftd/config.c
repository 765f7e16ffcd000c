/* config.c - graftd.conf: one statement per line, '#' starts a comment.
 *
 *   endpoint NAME type ipv4|ipv6 addr ADDR port PORT|LO-HI|dynamic [netns NS]
 *	[shared] [direction ingress|egress|both]
 *   endpoint NAME type unix path PATH [netns NS] [direction ...]
 *	[user USER[:GROUP]]
 *   socket-owner USER[:GROUP]
 *   socket-mode MODE
 *   max-clients N			(default 1024)
 *   netns-max-clients N		(default 64, at most max-clients)
 *   netns-max-inflight N		(default 256 sockets unread per netns)
 *   netns-max-ports N			(default 1024, 0: no limit)
 *   socket-uid-base UID		(default 2147483648)
 *   idle-timeout SECONDS		(default 120)
 *   privileged-ports yes|no|auto	(default auto)
 *   state-file PATH|none		(default: attachments in the control
 *					 socket's directory)
 *
 * The whole file is parsed into a new table set; any error rejects the
 * whole file with "FILE:LINE: message". */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graftd.h"

#define MAXWORDS	32
#define MAXLINE		4096

void
settings_default(struct settings *s)
{
	s->sock_uid = -1;
	s->sock_gid = -1;
	s->sock_mode = 0660;
	s->max_clients = 1024;
	s->netns_max_clients = 64;
	s->netns_max_inflight = 256;
	s->idle_timeout = 120;
	s->lowports = -1;
	s->max_ports = 1024;
	s->uid_base = SOCKUID_BASE;
}

static int
split(char *line, char **argv)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			*p++ = '\0';
		if (*p == '\0' || *p == '#')
			break;
		if (argc == MAXWORDS)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
		    *p != '\n')
			p++;
	}
	*p = '\0';
	return argc;
}

static int
lookup_id(const char *s, int user, int *out)
{
	unsigned long v;
	struct passwd *pw;
	struct group *gr;

	if (parse_uint(s, INT_MAX - 1, &v) == 0) {
		*out = (int)v;
		return 0;
	}
	if (user && (pw = getpwnam(s)) != NULL) {
		*out = (int)pw->pw_uid;
		return 0;
	}
	if (!user && (gr = getgrnam(s)) != NULL) {
		*out = (int)gr->gr_gid;
		return 0;
	}
	return -1;
}

static int
set_owner(char *v, struct settings *s, char *err, size_t errsz)
{
	char *grp = strchr(v, ':');

	if (grp)
		*grp++ = '\0';
	if ((*v && lookup_id(v, 1, &s->sock_uid) == -1) ||
	    (grp && *grp && lookup_id(grp, 0, &s->sock_gid) == -1) ||
	    (!*v && (!grp || !*grp))) {
		snprintf(err, errsz, "socket-owner: unknown user or group");
		return EINVAL;
	}
	return 0;
}

/* The names parse_endpoint() left in an endpoint's user: looked up once,
 * when the endpoint is loaded or added.  Without a group, the user's
 * primary group. */
int
ep_resolve_user(struct ep_def *ep, char *err, size_t errsz)
{
	char name[EP_USERMAX], *grp;
	struct passwd *pw = NULL;
	struct group *gr;

	if (ep->user[0] == '\0')
		return 0;
	memcpy(name, ep->user, sizeof(name));
	if ((grp = strchr(name, ':')) != NULL)
		*grp++ = '\0';
	if (ep->uid == (uid_t)-1 || (grp == NULL && ep->gid == (gid_t)-1)) {
		pw = ep->uid == (uid_t)-1 ? getpwnam(name) : getpwuid(ep->uid);
		if (pw == NULL)
			goto bad;
		ep->uid = pw->pw_uid;
		if (grp == NULL)
			ep->gid = pw->pw_gid;
	}
	if (ep->gid == (gid_t)-1) {
		if ((gr = getgrnam(grp)) == NULL)
			goto bad;
		ep->gid = gr->gr_gid;
	}
	return 0;
bad:
	snprintf(err, errsz, "endpoint \"%s\": user %s: unknown user or group",
	    ep->name, ep->user);
	return EINVAL;
}

static int
set_mode(const char *v, struct settings *s, char *err, size_t errsz)
{
	unsigned long m = 0;
	const char *p;

	for (p = v; *p >= '0' && *p <= '7'; p++)
		m = m * 8 + (unsigned long)(*p - '0');
	if (*v == '\0' || *p != '\0' || p - v > 4 || m > 0777) {
		snprintf(err, errsz, "socket-mode: invalid mode \"%.16s\"", v);
		return EINVAL;
	}
	s->sock_mode = (int)m;
	return 0;
}

static int
set_number(const char *key, const char *v, unsigned long min,
    unsigned long max, unsigned *out, char *err, size_t errsz)
{
	unsigned long n;

	if (parse_uint(v, max, &n) == -1 || n < min) {
		snprintf(err, errsz, "%s: \"%.16s\" is not a number in "
		    "%lu..%lu", key, v, min, max);
		return EINVAL;
	}
	*out = (unsigned)n;
	return 0;
}

static int
set_lowports(const char *v, struct settings *s, char *err, size_t errsz)
{
	if (strcmp(v, "yes") == 0)
		s->lowports = 1;
	else if (strcmp(v, "no") == 0)
		s->lowports = 0;
	else if (strcmp(v, "auto") == 0)
		s->lowports = -1;
	else {
		snprintf(err, errsz, "privileged-ports: yes, no or auto");
		return EINVAL;
	}
	return 0;
}

/* An absolute path as a netns path is (attparse.c), or "none". */
static int
set_state_file(const char *v, struct settings *s, char *err, size_t errsz)
{
	struct ns_spec tmp;

	if (strcmp(v, "none") != 0 && parse_ns_path(v, &tmp, err, errsz) != 0) {
		snprintf(err, errsz, "state-file: \"%.64s\" is not \"none\" or "
		    "an absolute path (at most %d bytes, no blanks, no empty, "
		    "\".\" or \"..\" component)", v, NS_NAMEMAX);
		return EINVAL;
	}
	snprintf(s->state_file, sizeof(s->state_file), "%s", v);
	return 0;
}

static int
setting(int argc, char **argv, struct settings *s, char *err, size_t errsz)
{
	if (argc != 2) {
		snprintf(err, errsz, "%s takes exactly one value", argv[0]);
		return EINVAL;
	}
	if (strcmp(argv[0], "socket-owner") == 0)
		return set_owner(argv[1], s, err, errsz);
	if (strcmp(argv[0], "socket-mode") == 0)
		return set_mode(argv[1], s, err, errsz);
	if (strcmp(argv[0], "max-clients") == 0)
		return set_number(argv[0], argv[1], 1, 65536, &s->max_clients,
		    err, errsz);
	if (strcmp(argv[0], "netns-max-clients") == 0)
		return set_number(argv[0], argv[1], 1, 65536,
		    &s->netns_max_clients, err, errsz);
	if (strcmp(argv[0], "netns-max-inflight") == 0)
		return set_number(argv[0], argv[1], 1, 1048576,
		    &s->netns_max_inflight, err, errsz);
	if (strcmp(argv[0], "idle-timeout") == 0)
		return set_number(argv[0], argv[1], 0, 86400, &s->idle_timeout,
		    err, errsz);
	if (strcmp(argv[0], "privileged-ports") == 0)
		return set_lowports(argv[1], s, err, errsz);
	if (strcmp(argv[0], "netns-max-ports") == 0)
		return set_number(argv[0], argv[1], 0, 65535, &s->max_ports,
		    err, errsz);
	if (strcmp(argv[0], "socket-uid-base") == 0)
		return set_number(argv[0], argv[1], 1, SOCKUID_BASEMAX,
		    &s->uid_base, err, errsz);
	if (strcmp(argv[0], "state-file") == 0)
		return set_state_file(argv[1], s, err, errsz);
	snprintf(err, errsz, "unknown keyword \"%.32s\"", argv[0]);
	return EINVAL;
}

/* One line (modified in place); errors without the FILE:LINE prefix. */
int
config_line(char *line, unsigned lineno, struct tableset *ts,
    struct settings *s, char *err, size_t errsz)
{
	char *argv[MAXWORDS];
	struct ep_def ep;
	int argc, rv;

	(void)lineno;
	if ((argc = split(line, argv)) == -1) {
		snprintf(err, errsz, "too many words");
		return EINVAL;
	}
	if (argc == 0)
		return 0;
	if (strcmp(argv[0], "endpoint") != 0)
		return setting(argc, argv, s, err, errsz);
	if ((rv = parse_endpoint(argc - 1, argv + 1, &ep, err, errsz)) != 0 ||
	    (rv = ep_resolve_user(&ep, err, errsz)) != 0)
		return rv;
	return ts_add(ts, &ep, err, errsz);
}

static int
read_lines(FILE *f, const char *path, struct tableset *ts, struct settings *s,
    char *err, size_t errsz)
{
	char *line = NULL, msg[ERRBUFSZ];
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t n;
	int rv = 0;

	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (n > MAXLINE)
			snprintf(msg, sizeof(msg), "line too long");
		else if (memchr(line, '\0', (size_t)n) != NULL)
			snprintf(msg, sizeof(msg), "NUL byte in line");
		else if ((rv = config_line(line, lineno, ts, s, msg,
		    sizeof(msg))) == 0)
			continue;
		snprintf(err, errsz, "%s:%u: %s", path, lineno, msg);
		rv = rv ? rv : EINVAL;
		break;
	}
	if (rv == 0 && ferror(f)) {
		rv = EIO;
		snprintf(err, errsz, "%s: read error", path);
	}
	free(line);
	return rv;
}

/* Parse PATH into a new table set and settings; nothing changes on error. */
int
config_load(const char *path, struct tableset **tsp, struct settings *out,
    char *err, size_t errsz)
{
	struct tableset *ts;
	struct settings s;
	FILE *f;
	int rv;

	settings_default(&s);
	if ((ts = ts_new()) == NULL)
		return ENOMEM;
	if ((f = fopen(path, "re")) == NULL) {
		rv = errno;
		snprintf(err, errsz, "%s: %s", path, strerror(rv));
		ts_free(ts);
		return rv;
	}
	rv = read_lines(f, path, ts, &s, err, errsz);
	fclose(f);
	if (rv != 0) {
		ts_free(ts);
		return rv;
	}
	*tsp = ts;
	*out = s;
	return 0;
}
