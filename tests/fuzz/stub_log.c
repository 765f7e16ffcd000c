/* stub_log.c - graftd's log.h for the fuzz targets: messages are
 * formatted (so format bugs still show) but not printed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static void
fmt(const char *f, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), f, ap);
}

#define STUB(name)				\
void						\
name(const char *f, ...)			\
{						\
	va_list ap;				\
						\
	va_start(ap, f);			\
	fmt(f, ap);				\
	va_end(ap);				\
}
STUB(log_warn)
STUB(log_warnx)
STUB(log_info)
STUB(log_debug)

void
log_init(int foreground, int verbose)
{
	(void)foreground;
	(void)verbose;
}

void
fatal(const char *f, ...)
{
	(void)f;
	abort();
}

void
fatalx(const char *f, ...)
{
	(void)f;
	abort();
}
