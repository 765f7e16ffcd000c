/* ctlclient.c - send one command record to graftd's control socket
 * (SOCK_SEQPACKET, root only) and read its answer: data records 'D...'
 * (which graft-cni's commands do not produce, and which are skipped),
 * then "OK" or "E<errno> message" (src/graftd/control.c). */
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

enum ctl_result
ctl_call(const char *path, const char *rec, size_t len, int *err, char *msg,
    size_t msgsz)
{
	char buf[CTL_MAXREC + 1];
	enum ctl_result res;
	ssize_t r;
	int s;

	*err = 0;
	if ((s = ctl_connect(path, msg, msgsz, &res)) == -1)
		return res;
	if (send(s, rec, len, MSG_NOSIGNAL) == -1) {
		snprintf(msg, msgsz, "cannot send to graftd on %s: %s%s", path,
		    strerror(errno), errno == EPIPE || errno == ECONNRESET ?
		    " (only root may use it)" : "");
		close(s);
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
		if (buf[0] == 'D')
			continue;
		res = ctl_final(buf, (size_t)r, err, msg, msgsz);
		break;
	}
	close(s);
	return res;
}
