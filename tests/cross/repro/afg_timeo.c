/* afg_timeo.c - a delayed SO_RCVTIMEO on an AF_GRAFT socket: prints the
 * GRAFT_SO_DELAYED_RESULT entries as LEVEL/NAME=RET (see afgraft-timeo.sh) */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <graft.h>
#include <sys/socket.h>
#include <sys/time.h>
int main(int argc, char **argv)
{
	struct sockaddr_gr g = { .sgr_family = AF_GRAFT };
	struct timeval tv = { 0, 400000 };
	struct graft_sso_result r[4];
	socklen_t l = sizeof r;
	int one = 1, fd = socket(AF_GRAFT, SOCK_STREAM, 0), i;
	if (fd < 0 || setsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED, &one, sizeof one)) { perror("setup"); return 1; }
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv)) { perror("SO_RCVTIMEO"); return 1; }
	strncpy(g.sgr_epname, argv[1], sizeof g.sgr_epname);
	if (bind(fd, (void *)&g, sizeof g)) { perror("bind"); return 1; }
	if (getsockopt(fd, IPPROTO_GRAFT, GRAFT_SO_DELAYED_RESULT, r, &l)) { perror("RESULT"); return 1; }
	for (i = 0; i < (int)(l / sizeof *r); i++) printf("%d/%d=%d\n", r[i].level, r[i].optname, r[i].ret);
	return 0;
}
