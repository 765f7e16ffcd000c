/* json.h - a strict JSON (RFC 8259) parser and writer for graft-cni.
 *
 * json_parse() reads a whole text into a tree: it rejects what RFC 8259
 * does not allow (trailing garbage, leading zeros, lone surrogates, control
 * characters in strings, invalid UTF-8), duplicate keys in an object,
 * \u0000 (the plugin's strings are C strings), and inputs over the limits
 * below.  Every value lives in one allocation list freed by json_free(). */
#ifndef GRAFT_CNI_JSON_H
#define GRAFT_CNI_JSON_H

#include <stddef.h>

#define JSON_MAXSIZE	(1024 * 1024)	/* bytes of input */
#define JSON_MAXDEPTH	64		/* nested arrays and objects */
#define JSON_MAXITEMS	65536		/* values in one text */

enum json_type { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING,
	JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type	 type;
	char		*str;	/* STRING: the decoded text; NUMBER: as written;
				   a member: its key (in key) */
	char		*key;	/* the key when this is an object member */
	size_t		 n;	/* ARRAY, OBJECT: number of elements */
	struct json	**v;	/* ARRAY, OBJECT: the elements, in order */
	struct json	*next;	/* allocation list */
};

struct json_doc {
	struct json	*root;
	struct json	*all;	/* every node, for json_free */
	size_t		 count;
};

/* 0, or -1 with a message in err ("offset N: what") */
int		 json_parse(struct json_doc *, const char *, size_t, char *,
		    size_t);
void		 json_free(struct json_doc *);
struct json	*json_get(const struct json *, const char *);
const char	*json_typename(enum json_type);

/* the writer: an append-only buffer; oom set on allocation failure */
struct jbuf {
	char	*buf;
	size_t	 len, cap;
	int	 oom;
};

void	jb_raw(struct jbuf *, const char *, size_t);
void	jb_str(struct jbuf *, const char *);	/* a quoted, escaped string */
void	jb_value(struct jbuf *, const struct json *);
void	jb_free(struct jbuf *);

#endif
