/* control.h - the control socket's record format, shared with graftctl. */
#ifndef GRAFTD_CONTROL_H
#define GRAFTD_CONTROL_H

#include <stddef.h>

#define CTL_MAXREC	16384		/* a request record */
#define CTL_MAXDATA	4096		/* a data or final answer record */
#define CTL_MAXWORDS	512
#define CTL_MAXOUT	(4 * 1024 * 1024)	/* all output of one command */

struct graftd;
struct nsid;

struct obuf {
	char	*buf;
	size_t	 len, cap;
	int	 oom;
};

void	obuf_printf(struct obuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	obuf_free(struct obuf *);
int	cmd_attach(int, char **, struct graftd *, char *, size_t);
int	attach_words(int, char **, struct graftd *, int, const struct nsid *,
	    char *, size_t);
int	cmd_detach(int, char **, struct graftd *, char *, size_t);
int	cmd_check(int, char **, struct graftd *, char *, size_t);
int	control_run(char *, size_t, struct graftd *, struct obuf *, char *,
	    size_t);

#endif
