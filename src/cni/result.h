/* result.h - what graft-cni prints on stdout: the ADD result, the
 * VERSION answer, an error. */
#ifndef GRAFT_CNI_RESULT_H
#define GRAFT_CNI_RESULT_H

#include "conf.h"
#include "json.h"

#define CNI_LATEST	"1.1.0"

void	result_add(struct jbuf *, const struct cni_conf *);
void	result_version(struct jbuf *);
void	result_error(struct jbuf *, const char *, const struct cni_err *);

#endif
