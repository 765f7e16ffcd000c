/* ctlclient.c - send one command record to graftd's control socket
 * (SOCK_SEQPACKET, root only) and read its answer: data records 'D...',
 * then "OK" or "E<errno> message" (src/graftd/control.c).  The data is
 * a byte stream of lines ending in a newline, which graftd cuts into
 * records of at most CTL_MAXDATA - 1 bytes anywhere (a line may span two);
 * the caller gets it line by line, at most CTL_MAXLINES lines of at most
 * CTL_MAXDATA - 1 bytes (a last line without its newline too), or skips
 * it. */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "ctlclient.h"

static int
ctl_connect(const char *path, char *msg, size_t msgsz, enum ctl_result *res)
{
	struct sockaddr_un sun;
	struct timeval tv = { CTL_TIMEOUT, 0 };
	int s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(msg, msgsz, "control socket path too long");
		*res = CTL_FAILED;
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1) {
		snprintf(msg, msgsz, "socket: %s", strerror(errno));
		*res = CTL_FAILED;
	} else if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		*res = errno == ENOENT || errno == ECONNREFUSED ? CTL_DOWN :
		    CTL_FAILED;
		snprintf(msg, msgsz, "cannot connect to graftd on %s: %s",
		    path, strerror(errno));
	} else
		return s;
	if (s != -1)
		close(s);
	return -1;
}

/* The final record: OK, or E<errno> message. */
static enum ctl_result
ctl_final(const char *rec, size_t n, int *err, char *msg, size_t msgsz)
{
	char *end;
	long e;

	if (n == 2 && memcmp(rec, "OK", 2) == 0)
		return CTL_OK;
	if (n >= 2 && rec[0] == 'E' && rec[1] >= '1' && rec[1] <= '9') {
		e = strtol(rec + 1, &end, 10);
		if (e > 0 && e < 4096 && (*end == ' ' || *end == '\0')) {
			*err = (int)e;
			snprintf(msg, msgsz, "%s", *end ? end + 1 : strerror(*err));
			return CTL_REFUSED;
		}
	}
	snprintf(msg, msgsz, "graftd answered with a malformed record");
	return CTL_FAILED;
}

struct lines {
	ctl_line_fn	 fn;
	void		*arg;
	char		 line[CTL_MAXDATA];
	size_t		 len;		/* of the line being read */
	size_t		 count;
};

static enum ctl_result
line_end(struct lines *l, char *msg, size_t msgsz)
{
	if (++l->count > CTL_MAXLINES) {
		snprintf(msg, msgsz, "graftd answered with more than %d lines",
		    CTL_MAXLINES);
		return CTL_FAILED;
	}
	l->line[l->len] = '\0';
	l->len = 0;
	if (l->fn(l->line, l->arg, msg, msgsz) == -1)
		return CTL_FAILED;
	return CTL_OK;
}

/* The text of one data record: the stream goes on. */
static enum ctl_result
data(struct lines *l, const char *p, size_t n, char *msg, size_t msgsz)
{
	if (memchr(p, '\0', n) != NULL) {
		snprintf(msg, msgsz, "graftd answered with a NUL byte in text");
		return CTL_FAILED;
	}
	for (; n > 0; p++, n--) {
		if (*p == '\n') {
			if (line_end(l, msg, msgsz) != CTL_OK)
				return CTL_FAILED;
			continue;
		}
		if (l->len == sizeof(l->line) - 1) {
			snprintf(msg, msgsz, "graftd answered with a line "
			    "longer than %d bytes", CTL_MAXDATA - 1);
			return CTL_FAILED;
		}
		l->line[l->len++] = *p;
	}
	return CTL_OK;
}

/* Send rec (len bytes), read the answer; fn, unless NULL, gets the lines
 * of the data records, which are skipped without it.  *err: the errno of
 * CTL_REFUSED; msg: what went wrong. */
enum ctl_result
ctl_call(const char *path, const char *rec, size_t len, ctl_line_fn fn,
    void *arg, int *err, char *msg, size_t msgsz)
{
	char buf[CTL_MAXREC + 1];
	struct lines *l = NULL;
	enum ctl_result res;
	ssize_t r;
	int s;

	*err = 0;
	if (fn != NULL) {
		if ((l = calloc(1, sizeof(*l))) == NULL) {
			snprintf(msg, msgsz, "out of memory");
			return CTL_FAILED;
		}
		l->fn = fn;
		l->arg = arg;
	}
	if ((s = ctl_connect(path, msg, msgsz, &res)) == -1) {
		free(l);
		return res;
	}
	if (send(s, rec, len, MSG_NOSIGNAL) == -1) {
		snprintf(msg, msgsz, "cannot send to graftd on %s: %s%s", path,
		    strerror(errno), errno == EPIPE || errno == ECONNRESET ?
		    " (only root may use it)" : "");
		close(s);
		free(l);
		return CTL_FAILED;
	}
	for (;;) {
		if ((r = recv(s, buf, CTL_MAXREC, 0)) <= 0) {
			snprintf(msg, msgsz, "graftd closed the connection%s%s",
			    r ? ": " : "", r ? strerror(errno) : "");
			res = CTL_FAILED;
			break;
		}
		buf[r] = '\0';
		if (buf[0] != 'D') {
			res = ctl_final(buf, (size_t)r, err, msg, msgsz);
			if (res == CTL_OK && l != NULL && l->len > 0)
				res = line_end(l, msg, msgsz);
			break;
		}
		if (l != NULL && data(l, buf + 1, (size_t)r - 1, msg,
		    msgsz) != CTL_OK) {
			res = CTL_FAILED;
			break;
		}
	}
	close(s);
	free(l);
	return res;
}
