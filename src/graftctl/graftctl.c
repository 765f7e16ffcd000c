/* graftctl.c - change and show graftd's endpoint tables, with the grammar
 * of iproute2's "ip graft".  Exit status: 0 done, 1 the command failed
 * (graftd refused it or cannot be reached), 255 bad usage. */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graftd.h"
#include "control.h"

#define EXIT_USAGE	255

static const char *ctlpath = GRAFTD_CTL;

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: graftctl [-c CONTROL_SOCKET] [-j] COMMAND\n"
	    "  add NAME type { ipv4 | ipv6 } addr ADDR"
	    " port { PORT | LO-HI | dynamic }\n"
	    "      netns NS [ shared ] [ direction DIR ] [ proto { tcp | udp } ]\n"
	    "  add NAME type unix path PATH netns NS [ direction DIR ]\n"
	    "      [ user USER[:GROUP] ]\n"
	    "  del NAME netns NS\n"
	    "  attach ID netns PATH [ network NET ]\n"
	    "      [ endpoint NAME EPWORDS [ match SPEC ] ]...\n"
	    "  detach ID\n"
	    "  check ID netns PATH\n"
	    "  attachments [ network NET ]\n"
	    "  NS := { host | NAME | PID }  DIR := { ingress | egress | both }\n"
	    "  EPWORDS := the words of add after NAME but netns;"
	    " [ proto { tcp | udp } ]\n"
	    "  SPEC := { *:PORT | ADDR:PORT | [ADDR6]:PORT } (ingress)"
	    " | PREFIX[/LEN] (egress)\n"
	    "  show [ -j ]\n"
	    "  stats [ -j ]\n"
	    "  help\n");
	exit(status);
}

static void __attribute__((noreturn))
usage_error(const char *msg)
{
	fprintf(stderr, "Error: %s.\n", msg);
	exit(EXIT_USAGE);
}

/* iproute2 style: a command may be abbreviated. */
static int
matches(const char *arg, const char *cmd)
{
	size_t n = strlen(arg);

	return n > 0 && strncmp(arg, cmd, n) == 0;
}

static int
connect_ctl(void)
{
	struct sockaddr_un sun;
	struct timeval tv = { 10, 0 };
	int s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(ctlpath) >= sizeof(sun.sun_path))
		usage_error("control socket path too long");
	strcpy(sun.sun_path, ctlpath);
	if ((s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
	    connect(s, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "Cannot talk to graftd on %s: %s\n", ctlpath,
		    strerror(errno));
		exit(1);
	}
	return s;
}

static int
answer(const char *rec, size_t n)
{
	char *end;
	long e;

	if (n >= 1 && rec[0] == 'D') {
		fwrite(rec + 1, 1, n - 1, stdout);
		return -1;
	}
	if (n == 2 && memcmp(rec, "OK", 2) == 0)
		return 0;
	if (n >= 2 && rec[0] == 'E') {
		e = strtol(rec + 1, &end, 10);
		fprintf(stderr, "graftd answers: %s: %s\n",
		    strerror((int)e), *end == ' ' ? end + 1 : end);
		return 1;
	}
	fprintf(stderr, "graftd answers with a malformed record\n");
	return 1;
}

/* Send the words as one record, print what comes back. */
static int
run(int argc, char **argv)
{
	char rec[CTL_MAXREC + 1];
	size_t len = 0, n;
	ssize_t r;
	int i, s, rv;

	if (argc > CTL_MAXWORDS)
		usage_error("command too long");
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]) + 1;
		if (len + n > CTL_MAXREC)
			usage_error("command too long");
		memcpy(rec + len, argv[i], n);
		len += n;
	}
	s = connect_ctl();
	if (send(s, rec, len, MSG_NOSIGNAL) == -1) {
		/* graftd hangs up at once on a peer that is not root */
		if (errno == EPIPE || errno == ECONNRESET)
			fprintf(stderr, "graftd closed the control connection "
			    "(only root may use it)\n");
		else
			fprintf(stderr, "Cannot send to graftd: %s\n",
			    strerror(errno));
		return 1;
	}
	for (;;) {
		if ((r = recv(s, rec, CTL_MAXREC, 0)) <= 0) {
			fprintf(stderr, "graftd closed the connection%s%s\n",
			    r ? ": " : "", r ? strerror(errno) : "");
			return 1;
		}
		rec[r] = '\0';
		if ((rv = answer(rec, (size_t)r)) != -1)
			break;
	}
	close(s);
	fflush(stdout);
	return rv;
}

static int
do_add(int argc, char **argv)
{
	struct ep_def ep;
	char err[ERRBUFSZ];

	if (argc < 2)
		usage_error("\"add\" needs an endpoint name and its type");
	if (parse_endpoint(argc - 1, argv + 1, &ep, err, sizeof(err)) != 0)
		usage_error(err);
	argv[0] = "add";
	return run(argc, argv);
}

static int
do_del(int argc, char **argv)
{
	struct ns_spec ns;
	char name[EP_NAMESZ], err[ERRBUFSZ];

	if (argc < 2 || parse_epname(argv[1], name, sizeof(name)) != 0)
		usage_error("\"del\" needs a valid endpoint name");
	if (argc != 4 || !matches(argv[2], "netns"))
		usage_error("usage: del NAME netns { host | NAME | PID }");
	if (parse_ns(argv[3], &ns, err, sizeof(err)) != 0)
		usage_error(err);
	argv[2] = "netns";
	argv[0] = "del";
	return run(argc, argv);
}

static int
do_attach(int argc, char **argv)
{
	static struct ep_def eps[ATTACH_MAXEPS];
	struct ns_spec ns;
	char id[ATTACH_IDMAX + 1], network[ATTACH_NETMAX + 1], err[ERRBUFSZ];
	unsigned neps;

	if (argc < 4)
		usage_error("usage: attach ID netns PATH [ network NAME ] "
		    "[ endpoint NAME ... ]...");
	if (parse_attach(argc - 1, argv + 1, id, network, &ns, eps, &neps, err,
	    sizeof(err)) != 0)
		usage_error(err);
	argv[0] = "attach";
	return run(argc, argv);
}

static int
do_detach(int argc, char **argv)
{
	char id[ATTACH_IDMAX + 1];

	if (argc != 2 || parse_attach_id(argv[1], id, sizeof(id)) == -1)
		usage_error("usage: detach ID (1 to 255 of A-Z a-z 0-9 _ . : "
		    "/ -)");
	argv[0] = "detach";
	return run(argc, argv);
}

static int
do_check(int argc, char **argv)
{
	struct ns_spec ns;
	char id[ATTACH_IDMAX + 1], err[ERRBUFSZ];

	if (argc != 4 || strcmp(argv[2], "netns") != 0 ||
	    parse_attach_id(argv[1], id, sizeof(id)) == -1)
		usage_error("usage: check ID netns PATH");
	if (parse_ns_path(argv[3], &ns, err, sizeof(err)) != 0)
		usage_error(err);
	argv[0] = "check";
	return run(argc, argv);
}

static int
do_attachments(int argc, char **argv)
{
	char net[ATTACH_NETMAX + 1];

	if (argc != 1 && (argc != 3 || strcmp(argv[1], "network") != 0))
		usage_error("usage: attachments [ network NAME ]");
	if (argc == 3 && parse_network(argv[2], net, sizeof(net)) == -1)
		usage_error("invalid network name (1 to 255 of A-Z a-z 0-9 _ . "
		    "-, first a letter or digit)");
	argv[0] = "attachments";
	return run(argc, argv);
}

static int
do_view(int argc, char **argv, const char *cmd, int json)
{
	char *words[2] = { (char *)cmd, "json" };

	if (argc == 2 && (strcmp(argv[1], "-j") == 0 ||
	    strcmp(argv[1], "-json") == 0 || strcmp(argv[1], "--json") == 0))
		json = 1;
	else if (argc != 1)
		usage_error("too many arguments");
	return run(json ? 2 : 1, words);
}

int
main(int argc, char *argv[])
{
	int json = 0;

	while (argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0') {
		if (strcmp(argv[1], "-c") == 0 && argc > 2) {
			ctlpath = argv[2];
			argc--, argv++;
		} else if (strcmp(argv[1], "-j") == 0 ||
		    strcmp(argv[1], "-json") == 0)
			json = 1;
		else if (strcmp(argv[1], "-h") == 0 ||
		    strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-help") == 0)
			usage(0);
		else {
			fprintf(stderr, "Option \"%s\" is unknown, try "
			    "\"graftctl --help\".\n", argv[1]);
			return EXIT_USAGE;
		}
		argc--, argv++;
	}
	if (argc < 2)
		usage(EXIT_USAGE);
	argc--, argv++;
	if (matches(argv[0], "help"))
		usage(0);
	if (matches(argv[0], "add"))
		return do_add(argc, argv);
	if (matches(argv[0], "delete"))
		return do_del(argc, argv);
	if (matches(argv[0], "attach"))
		return do_attach(argc, argv);
	if (matches(argv[0], "attachments"))
		return do_attachments(argc, argv);
	if (matches(argv[0], "detach"))
		return do_detach(argc, argv);
	if (matches(argv[0], "check"))
		return do_check(argc, argv);
	if (matches(argv[0], "show") || matches(argv[0], "list") ||
	    strcmp(argv[0], "lst") == 0)
		return do_view(argc, argv, "show", json);
	if (matches(argv[0], "stats") || matches(argv[0], "statistics"))
		return do_view(argc, argv, "stats", json);
	fprintf(stderr, "Command \"%s\" is unknown, try \"graftctl help\".\n",
	    argv[0]);
	return EXIT_USAGE;
}
