/* main.c - graft-cni, the CNI plugin of graft (CNI spec 1.1.0; configs of
 * 0.3.1, 0.4.0 and 1.0.0 too).  The runtime runs it with CNI_* in the
 * environment and the network configuration on stdin; it tells graftd to
 * attach the container's netns, tagged with the network's name (ADD), to
 * detach it (DEL), or whether it is attached (CHECK), asks graftd whether
 * it answers (STATUS), and detaches the network's attachments the runtime
 * no longer knows (GC), over graftd's control socket, whose path comes
 * only from the configuration.  Results and errors go to stdout as JSON;
 * exit 0 on success, 1 on an error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "ctlclient.h"
#include "json.h"
#include "result.h"

#define MAXID	(CNI_IDMAX + 1)

struct run {
	const char	*command;
	struct cni_conf	 conf;
	int		 have_conf;
	struct cni_err	 err;
	struct jbuf	 out;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: graft-cni [--help | --version]\n"
	    "graft-cni is a CNI plugin: a container runtime runs it with "
	    "CNI_COMMAND\n(ADD, DEL, CHECK, STATUS, GC or VERSION) and the "
	    "other CNI_* variables set,\nand the network configuration on "
	    "stdin; see graft-cni(8).\n");
}

static void
print_versions(void)
{
	size_t i;

	printf("graft-cni (graft)\nCNI protocol versions supported:");
	for (i = 0; cni_versions[i]; i++)
		printf(" %s", cni_versions[i]);
	printf("\n");
}

/* Write all of the buffer to stdout; 0, or -1. */
static int
emit(struct jbuf *b)
{
	size_t off = 0;
	ssize_t n;

	if (b->oom)
		return -1;
	while (off < b->len) {
		if ((n = write(1, b->buf + off, b->len - off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

static int
fail(struct run *r)
{
	struct jbuf b = { 0 };

	result_error(&b, r->conf.version, &r->err);
	emit(&b);
	jb_free(&b);
	fprintf(stderr, "graft-cni: %s%s%s\n", r->err.msg,
	    r->err.details[0] ? ": " : "", r->err.details);
	return 1;
}

/* A variable the command needs: set and not empty. */
static const char *
need(struct run *r, const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0') {
		cni_fail(&r->err, CNI_E_ENV, "%s is not set (required for %s)",
		    name, r->command);
		return NULL;
	}
	return v;
}

/* CNI_ARGS: KEY=VALUE pairs separated by ';' (none of them used). */
static int
check_args(struct run *r)
{
	const char *a = getenv("CNI_ARGS"), *s;
	size_t n;

	if (a == NULL || a[0] == '\0')
		return 0;
	for (s = a;; s += n + 1) {
		n = strcspn(s, ";");
		if (n == 0 || s[0] == '=' || memchr(s, '=', n) == NULL)
			return cni_fail(&r->err, CNI_E_ENV, "CNI_ARGS \"%.64s\" "
			    "is not KEY=VALUE;...", a);
		if (s[n] == '\0')
			return 0;
	}
}

static int
read_stdin(struct run *r, char **text, size_t *len)
{
	size_t cap = 4096, n = 0;
	ssize_t k;
	char *p, *t;

	if ((p = malloc(cap)) == NULL)
		return cni_fail(&r->err, CNI_E_IO, "out of memory");
	for (;;) {
		if (n == cap) {
			if (cap > JSON_MAXSIZE) {
				free(p);
				return cni_fail(&r->err, CNI_E_DECODE, "the "
				    "network configuration is longer than %d "
				    "bytes", JSON_MAXSIZE);
			}
			if ((t = realloc(p, cap *= 2)) == NULL) {
				free(p);
				return cni_fail(&r->err, CNI_E_IO, "out of memory");
			}
			p = t;
		}
		if ((k = read(0, p + n, cap - n)) == -1) {
			if (errno == EINTR)
				continue;
			free(p);
			return cni_fail(&r->err, CNI_E_IO, "reading stdin: %s",
			    strerror(errno));
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	*text = p;
	*len = n;
	return 0;
}

static int
load_conf(struct run *r)
{
	char *text = NULL;
	size_t len = 0;
	int rv;

	if (read_stdin(r, &text, &len))
		return r->err.code;
	rv = conf_parse(&r->conf, text, len, &r->err);
	free(text);
	r->have_conf = rv == 0;
	return rv;
}

/* Send a command; 0 when graftd answered OK.  *down: graftd is not there.
 * fn, unless NULL, gets the lines of graftd's answer (ctl_call). */
static int
call_data(struct run *r, const struct cmd *c, const char *what, int *down,
    ctl_line_fn fn, void *arg)
{
	char msg[200];
	int e;

	*down = 0;
	r->err.details[0] = '\0';
	switch (ctl_call(r->conf.control, c->rec, c->len, fn, arg, &e, msg,
	    sizeof(msg))) {
	case CTL_OK:
		return 0;
	case CTL_REFUSED:
		cni_fail(&r->err, CNI_E_REFUSED, "graftd refused the %s: %s",
		    what, msg);
		snprintf(r->err.details, sizeof(r->err.details),
		    "errno %d (%s)", e, strerror(e));
		return -1;
	case CTL_DOWN:
		*down = 1;
		cni_fail(&r->err, CNI_E_AGAIN, "graftd is not running: %s", msg);
		return -1;
	default:
		cni_fail(&r->err, CNI_E_IO, "%s", msg);
		return -1;
	}
}

static int
call(struct run *r, const struct cmd *c, const char *what, int *down)
{
	return call_data(r, c, what, down, NULL, NULL);
}

/* STATUS and GC are of CNI 1.1.0. */
static int
need_11(struct run *r)
{
	if (version_ge(r->conf.version, "1.1.0"))
		return 0;
	return cni_fail(&r->err, CNI_E_VERSION, "%s needs cniVersion 1.1.0 or "
	    "later, the configuration has %s", r->command, r->conf.version);
}

static int
cmd_env(struct run *r, char *id, int netns_needed, const char **netns)
{
	const char *cid, *ifname;

	if ((cid = need(r, "CNI_CONTAINERID")) == NULL ||
	    (ifname = need(r, "CNI_IFNAME")) == NULL ||
	    need(r, "CNI_PATH") == NULL)
		return -1;
	if (netns_needed && (*netns = need(r, "CNI_NETNS")) == NULL)
		return -1;
	if (check_args(r) || cni_cmd_id(id, MAXID, cid, ifname, &r->err))
		return -1;
	if (netns_needed && cni_cmd_netns(*netns, &r->err))
		return -1;
	return 0;
}

static int
do_add(struct run *r)
{
	struct cmd c;
	char id[MAXID];
	const char *netns;
	int down;

	if (cmd_env(r, id, 1, &netns) || load_conf(r) ||
	    conf_tag_name(&r->conf, &r->err) ||
	    cni_cmd_attach(&c, &r->conf, id, netns, &r->err) ||
	    call(r, &c, "attach", &down))
		return fail(r);
	result_add(&r->out, &r->conf);
	if (emit(&r->out) == -1) {
		cni_fail(&r->err, CNI_E_IO, "cannot write the result");
		return fail(r);
	}
	return 0;
}

/* DEL tolerates what is gone: the netns (not even read), an attachment
 * (graftd's detach is idempotent), graftd itself (a DEL must not fail
 * for good; graftd restores from its state file only attachments whose
 * netns still exists, and the runtime removes it after DEL). */
static int
do_del(struct run *r)
{
	struct cmd c;
	char id[MAXID];
	int down;

	if (cmd_env(r, id, 0, NULL) || load_conf(r))
		return fail(r);
	cni_cmd_detach(&c, id);
	if (call(r, &c, "detach", &down) == 0)
		return 0;
	if (!down)
		return fail(r);
	fprintf(stderr, "graft-cni: warning: %s; nothing to detach\n",
	    r->err.msg);
	return 0;
}

static int
do_check(struct run *r)
{
	struct cmd c;
	char id[MAXID];
	const char *netns;
	int down;

	if (cmd_env(r, id, 1, &netns) || load_conf(r))
		return fail(r);
	if (!version_ge(r->conf.version, "0.4.0")) {
		cni_fail(&r->err, CNI_E_VERSION, "CHECK needs cniVersion "
		    "0.4.0 or later, the configuration has %s",
		    r->conf.version);
		return fail(r);
	}
	cni_cmd_check(&c, id, netns);
	if (call(r, &c, "check", &down))
		return fail(r);
	return 0;
}

/* STATUS: can graftd serve an ADD?  Asked with the command GC uses; the
 * message says what call() found, the details all it said. */
static int
do_status(struct run *r)
{
	struct cmd c;
	char why[sizeof(r->err.msg)], errno_txt[sizeof(r->err.details)];
	int down;

	if (load_conf(r) || need_11(r) || conf_tag_name(&r->conf, &r->err))
		return fail(r);
	cni_cmd_attachments(&c, r->conf.name);
	if (call(r, &c, "attachments query", &down) == 0)
		return 0;
	memcpy(why, r->err.msg, sizeof(why));
	memcpy(errno_txt, r->err.details, sizeof(errno_txt));
	snprintf(r->err.details, sizeof(r->err.details), "%.200s%s%.50s", why,
	    errno_txt[0] ? "; " : "", errno_txt);
	cni_fail(&r->err, CNI_E_UNAVAIL, "graft-cni cannot serve ADD: %.*s",
	    (int)strcspn(why, ":"), why);
	return fail(r);
}

struct gc {
	char	*id[CTL_MAXLINES];
	size_t	 n;
	char	 network[CNI_NAMEMAX + 1];
};

static int
gc_line(const char *line, void *arg, char *msg, size_t msgsz)
{
	struct gc *g = arg;
	char id[CNI_IDMAX + 1];

	if (g->n == CTL_MAXLINES || cni_att_record(line, g->network, id,
	    sizeof(id)) == -1) {
		snprintf(msg, msgsz, "graftd listed \"%.64s\", not an "
		    "attachment of network %.64s", line, g->network);
		return -1;
	}
	if ((g->id[g->n] = strdup(id)) == NULL) {
		snprintf(msg, msgsz, "out of memory");
		return -1;
	}
	g->n++;
	return 0;
}

/* GC: detach the network's attachments that are not in
 * cni.dev/valid-attachments; past failures, reporting the first. */
static int
do_gc(struct run *r)
{
	struct cni_idset valid;
	struct cni_err first;
	struct cmd c;
	struct gc *g;
	char what[CNI_IDMAX + 16];
	size_t i;
	int down = 0, failed = 0;

	memset(&first, 0, sizeof(first));
	if (need(r, "CNI_PATH") == NULL || load_conf(r) || need_11(r) ||
	    conf_tag_name(&r->conf, &r->err))
		return fail(r);
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		cni_fail(&r->err, CNI_E_IO, "out of memory");
		return fail(r);
	}
	snprintf(g->network, sizeof(g->network), "%s", r->conf.name);
	cni_cmd_attachments(&c, r->conf.name);
	if (cni_validset(&valid, &r->conf, &r->err) ||
	    call_data(r, &c, "attachments query", &down, gc_line, g)) {
		failed = 1;
		if (down)
			snprintf(r->err.msg + strlen(r->err.msg),
			    sizeof(r->err.msg) - strlen(r->err.msg),
			    " (nothing can be collected now)");
		goto out;
	}
	for (i = 0; i < g->n; i++) {
		if (cni_idset_has(&valid, g->id[i]))
			continue;
		cni_cmd_detach(&c, g->id[i]);
		snprintf(what, sizeof(what), "detach of %s", g->id[i]);
		if (call(r, &c, what, &down) == 0) {
			fprintf(stderr, "graft-cni: GC: detached %s\n",
			    g->id[i]);
			continue;
		}
		fprintf(stderr, "graft-cni: GC: %s\n", r->err.msg);
		if (!failed)
			first = r->err;
		failed = 1;
	}
	if (failed)
		r->err = first;
out:
	for (i = 0; i < g->n; i++)
		free(g->id[i]);
	free(g);
	cni_idset_free(&valid);
	return failed ? fail(r) : 0;
}

static int
do_version(struct run *r)
{
	result_version(&r->out);
	return emit(&r->out) == -1;
}

int
main(int argc, char **argv)
{
	struct run r;
	int rv;

	memset(&r, 0, sizeof(r));
	if ((r.command = getenv("CNI_COMMAND")) == NULL) {
		if (argc == 2 && strcmp(argv[1], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (argc == 2 && strcmp(argv[1], "--version") == 0) {
			print_versions();
			return 0;
		}
		usage(stderr);
		cni_fail(&r.err, CNI_E_ENV, "CNI_COMMAND is not set");
		return fail(&r);
	}
	if (strcmp(r.command, "ADD") == 0)
		rv = do_add(&r);
	else if (strcmp(r.command, "DEL") == 0)
		rv = do_del(&r);
	else if (strcmp(r.command, "CHECK") == 0)
		rv = do_check(&r);
	else if (strcmp(r.command, "STATUS") == 0)
		rv = do_status(&r);
	else if (strcmp(r.command, "GC") == 0)
		rv = do_gc(&r);
	else if (strcmp(r.command, "VERSION") == 0)
		rv = do_version(&r);
	else {
		cni_fail(&r.err, CNI_E_ENV, "CNI_COMMAND \"%.32s\" is not a "
		    "command (ADD, DEL, CHECK, STATUS, GC, VERSION)", r.command);
		rv = fail(&r);
	}
	if (r.have_conf)
		conf_free(&r.conf);
	jb_free(&r.out);
	return rv;
}
