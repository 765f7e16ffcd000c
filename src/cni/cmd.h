/* cmd.h - the graftd control commands graft-cni sends, as records of
 * NUL-terminated words (src/graftd/control.c). */
#ifndef GRAFT_CNI_CMD_H
#define GRAFT_CNI_CMD_H

#include <stddef.h>

#include "control.h"
#include "conf.h"

#define CNI_IDMAX	255	/* graftd's attach ID */
#define CNI_NSMAX	255	/* a netns path graftd takes */

/* a set of attach IDs */
struct cni_idset {
	char	**v;	/* sorted */
	size_t	  n;
};

struct cmd {
	char	rec[CTL_MAXREC];
	size_t	len;
	int	nwords;
	int	full;
};

int	cni_cmd_id(char *, size_t, const char *, const char *, struct cni_err *);
int	cni_cmd_netns(const char *, struct cni_err *);
int	cni_cmd_attach(struct cmd *, const struct cni_conf *, const char *,
	    const char *, struct cni_err *);
void	cni_cmd_detach(struct cmd *, const char *);
void	cni_cmd_check(struct cmd *, const char *, const char *);
void	cni_cmd_attachments(struct cmd *, const char *);
int	cni_att_record(const char *, const char *, char *, size_t);
int	cni_validset(struct cni_idset *, const struct cni_conf *,
	    struct cni_err *);
int	cni_idset_has(const struct cni_idset *, const char *);
void	cni_idset_free(struct cni_idset *);

#endif
