/* sys/cdefs.h - the glibc/BSD declaration macros that code written for
 * those systems includes; musl leaves this header out.  Written for
 * graft, and kept to macros that cannot clash with musl's own headers
 * (no __unused: musl names struct members so). */
#ifndef _SYS_CDEFS_H
#define _SYS_CDEFS_H

#ifdef __cplusplus
#define __BEGIN_DECLS	extern "C" {
#define __END_DECLS	}
#else
#define __BEGIN_DECLS
#define __END_DECLS
#endif

#define __THROW
#define __P(args)	args
#define __PMT(args)	args
#define __CONCAT(x, y)	x ## y
#define __STRING(x)	#x
#define __XSTRING(x)	__STRING(x)

#endif
