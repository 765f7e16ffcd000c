/* json.c - a strict JSON parser and writer (see json.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct parser {
	const unsigned char	*s, *p, *end;
	struct json_doc		*doc;
	char			*err;
	size_t			 errsz;
	int			 failed;
};

static void
perr(struct parser *ps, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errsz, "offset %zu: %s",
	    (size_t)(ps->p - ps->s), msg);
}

static struct json *
node(struct parser *ps, enum json_type t)
{
	struct json *j;

	if (ps->doc->count >= JSON_MAXITEMS) {
		perr(ps, "more than %d values", JSON_MAXITEMS);
		return NULL;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		perr(ps, "out of memory");
		return NULL;
	}
	j->type = t;
	j->next = ps->doc->all;
	ps->doc->all = j;
	ps->doc->count++;
	return j;
}

static void
skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
	    *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int
hex4(struct parser *ps, unsigned *out)
{
	unsigned v = 0, d;
	int i;

	if (ps->end - ps->p < 4) {
		perr(ps, "short \\u escape");
		return -1;
	}
	for (i = 0; i < 4; i++) {
		d = ps->p[i];
		if (d >= '0' && d <= '9')
			d -= '0';
		else if (d >= 'a' && d <= 'f')
			d -= 'a' - 10;
		else if (d >= 'A' && d <= 'F')
			d -= 'A' - 10;
		else {
			perr(ps, "bad hex digit in \\u escape");
			return -1;
		}
		v = v << 4 | d;
	}
	ps->p += 4;
	*out = v;
	return 0;
}

static size_t
put_utf8(char *o, unsigned c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | (c >> 6 & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | (c >> 12 & 0x3f));
	o[2] = (char)(0x80 | (c >> 6 & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* The length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static int
escape(struct parser *ps, char *o, size_t *olen)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	unsigned c, lo;

	if (ps->p >= ps->end) {
		perr(ps, "unterminated string");
		return -1;
	}
	if (*ps->p != 'u') {
		if (*ps->p == '\0' || (e = strchr(from, *ps->p)) == NULL) {
			perr(ps, *ps->p > 0x20 && *ps->p < 0x7f ?
			    "bad escape \\%c" : "bad escape \\ and byte 0x%02x",
			    *ps->p);
			return -1;
		}
		ps->p++;
		o[(*olen)++] = to[e - from];
		return 0;
	}
	ps->p++;
	if (hex4(ps, &c) == -1)
		return -1;
	if (c >= 0xdc00 && c <= 0xdfff) {
		perr(ps, "lone low surrogate \\u%04x", c);
		return -1;
	}
	if (c >= 0xd800 && c <= 0xdbff) {
		if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
			perr(ps, "high surrogate \\u%04x without its pair", c);
			return -1;
		}
		ps->p += 2;
		if (hex4(ps, &lo) == -1)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff) {
			perr(ps, "high surrogate \\u%04x without its pair", c);
			return -1;
		}
		c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (c == 0) {
		perr(ps, "\\u0000 in a string");
		return -1;
	}
	*olen += put_utf8(o + *olen, c);
	return 0;
}

/* A string at ps->p (after the quote); the decoded text, NUL-terminated.
 * The decoded form is never longer than the source. */
static char *
string(struct parser *ps)
{
	const unsigned char *start = ps->p;
	char *o;
	size_t olen = 0, n;

	while (start < ps->end && *start != '"') {
		if (*start == '\\' && start + 1 < ps->end)
			start++;
		start++;
	}
	if ((o = malloc((size_t)(start - ps->p) + 1)) == NULL) {
		perr(ps, "out of memory");
		return NULL;
	}
	for (;;) {
		if (ps->p >= ps->end) {
			perr(ps, "unterminated string");
			break;
		}
		if (*ps->p == '"') {
			ps->p++;
			o[olen] = '\0';
			return o;
		}
		if (*ps->p == '\\') {
			ps->p++;
			if (escape(ps, o, &olen) == -1)
				break;
			continue;
		}
		if (*ps->p < 0x20) {
			perr(ps, "control character 0x%02x in a string", *ps->p);
			break;
		}
		if ((n = utf8_len(ps->p, ps->end)) == 0) {
			perr(ps, "invalid UTF-8");
			break;
		}
		memcpy(o + olen, ps->p, n);
		olen += n;
		ps->p += n;
	}
	free(o);
	return NULL;
}

static int
digits(struct parser *ps)
{
	const unsigned char *s = ps->p;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return ps->p > s ? 0 : -1;
}

static struct json *
number(struct parser *ps)
{
	const unsigned char *s = ps->p;
	struct json *j;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (digits(ps) == -1)
		goto bad;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (digits(ps) == -1)
			goto bad;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (digits(ps) == -1)
			goto bad;
	}
	if ((j = node(ps, JSON_NUMBER)) == NULL)
		return NULL;
	if ((j->str = strndup((const char *)s, (size_t)(ps->p - s))) == NULL) {
		perr(ps, "out of memory");
		return NULL;
	}
	return j;
bad:
	perr(ps, "bad number");
	return NULL;
}

static struct json *value(struct parser *, int);

/* Append to a's element vector. */
static int
push(struct parser *ps, struct json *a, struct json *e, size_t *cap)
{
	struct json **v;

	if (a->n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		if ((v = realloc(a->v, *cap * sizeof(*v))) == NULL) {
			perr(ps, "out of memory");
			return -1;
		}
		a->v = v;
	}
	a->v[a->n++] = e;
	return 0;
}

static int
keycmp(const void *a, const void *b)
{
	return strcmp((*(struct json *const *)a)->key,
	    (*(struct json *const *)b)->key);
}

static int
no_duplicates(struct parser *ps, struct json *o)
{
	struct json **v;
	size_t i;
	int rv = 0;

	if (o->n < 2)
		return 0;
	if ((v = malloc(o->n * sizeof(*v))) == NULL) {
		perr(ps, "out of memory");
		return -1;
	}
	memcpy(v, o->v, o->n * sizeof(*v));
	qsort(v, o->n, sizeof(*v), keycmp);
	for (i = 1; i < o->n; i++)
		if (strcmp(v[i - 1]->key, v[i]->key) == 0) {
			perr(ps, "duplicate key \"%.64s\"", v[i]->key);
			rv = -1;
			break;
		}
	free(v);
	return rv;
}

static struct json *
container(struct parser *ps, int depth, int obj)
{
	struct json *a, *e;
	size_t cap = 0;
	char *key = NULL;
	int close = obj ? '}' : ']';

	if (depth >= JSON_MAXDEPTH) {
		perr(ps, "nested deeper than %d", JSON_MAXDEPTH);
		return NULL;
	}
	if ((a = node(ps, obj ? JSON_OBJECT : JSON_ARRAY)) == NULL)
		return NULL;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return a;
	}
	for (;;) {
		skip_ws(ps);
		if (obj) {
			if (ps->p >= ps->end || *ps->p != '"') {
				perr(ps, "expected a key");
				return NULL;
			}
			ps->p++;
			if ((key = string(ps)) == NULL)
				return NULL;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				perr(ps, "expected ':'");
				return NULL;
			}
			ps->p++;
		}
		if ((e = value(ps, depth + 1)) == NULL) {
			free(key);
			return NULL;
		}
		e->key = key;
		key = NULL;
		if (push(ps, a, e, &cap) == -1)
			return NULL;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			break;
		}
		perr(ps, "expected ',' or '%c'", close);
		return NULL;
	}
	if (obj && no_duplicates(ps, a) == -1)
		return NULL;
	return a;
}

static int
word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0) {
		perr(ps, "unexpected character");
		return -1;
	}
	ps->p += n;
	return 0;
}

static struct json *
value(struct parser *ps, int depth)
{
	struct json *j;

	skip_ws(ps);
	if (ps->p >= ps->end) {
		perr(ps, "unexpected end of input");
		return NULL;
	}
	switch (*ps->p) {
	case '{':
	case '[':
		return container(ps, depth, *ps->p == '{');
	case '"':
		if ((j = node(ps, JSON_STRING)) == NULL)
			return NULL;
		ps->p++;
		return (j->str = string(ps)) ? j : NULL;
	case 't':
		return word(ps, "true") ? NULL : node(ps, JSON_TRUE);
	case 'f':
		return word(ps, "false") ? NULL : node(ps, JSON_FALSE);
	case 'n':
		return word(ps, "null") ? NULL : node(ps, JSON_NULL);
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return number(ps);
		perr(ps, "unexpected character");
		return NULL;
	}
}

int
json_parse(struct json_doc *doc, const char *text, size_t len, char *err,
    size_t errsz)
{
	struct parser ps;

	memset(doc, 0, sizeof(*doc));
	memset(&ps, 0, sizeof(ps));
	ps.s = ps.p = (const unsigned char *)text;
	ps.end = ps.s + len;
	ps.doc = doc;
	ps.err = err;
	ps.errsz = errsz;
	if (len > JSON_MAXSIZE) {
		perr(&ps, "input longer than %d bytes", JSON_MAXSIZE);
		return -1;
	}
	doc->root = value(&ps, 0);
	if (doc->root != NULL) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			perr(&ps, "trailing data after the JSON text");
	}
	if (ps.failed) {
		json_free(doc);
		return -1;
	}
	return 0;
}

void
json_free(struct json_doc *doc)
{
	struct json *j, *next;

	for (j = doc->all; j != NULL; j = next) {
		next = j->next;
		free(j->str);
		free(j->key);
		free(j->v);
		free(j);
	}
	memset(doc, 0, sizeof(*doc));
}

struct json *
json_get(const struct json *o, const char *key)
{
	size_t i;

	if (o == NULL || o->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (strcmp(o->v[i]->key, key) == 0)
			return o->v[i];
	return NULL;
}

const char *
json_typename(enum json_type t)
{
	static const char *const names[] = { "null", "false", "true",
	    "number", "string", "array", "object" };

	return names[t];
}

/* --- the writer --- */

void
jb_raw(struct jbuf *b, const char *s, size_t n)
{
	char *nb;
	size_t cap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((nb = realloc(b->buf, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

/* Escapes quotes, backslashes and control characters; valid UTF-8 goes
 * as it is, a byte that is not (a message cut in a sequence, a byte of
 * bad input quoted in a message) as U+FFFD. */
void
jb_str(struct jbuf *b, const char *s)
{
	const unsigned char *end = (const unsigned char *)s + strlen(s);
	char u[8];
	const char *run = s;
	size_t n;

	jb_raw(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80 && (n = utf8_len((const unsigned char *)s,
		    end)) != 0) {
			s += n - 1;
			continue;
		}
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
			continue;
		jb_raw(b, run, (size_t)(s - run));
		run = s + 1;
		if (c >= 0x80)
			jb_raw(b, "\\ufffd", 6);
		else if (c == '"' || c == '\\') {
			u[0] = '\\';
			u[1] = (char)c;
			jb_raw(b, u, 2);
		} else {
			snprintf(u, sizeof(u), "\\u%04x", c);
			jb_raw(b, u, 6);
		}
	}
	jb_raw(b, run, (size_t)(s - run));
	jb_raw(b, "\"", 1);
}

void
jb_value(struct jbuf *b, const struct json *j)
{
	size_t i;

	switch (j->type) {
	case JSON_NULL:
	case JSON_FALSE:
	case JSON_TRUE:
		jb_raw(b, json_typename(j->type), strlen(json_typename(j->type)));
		break;
	case JSON_NUMBER:
		jb_raw(b, j->str, strlen(j->str));
		break;
	case JSON_STRING:
		jb_str(b, j->str);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		jb_raw(b, j->type == JSON_ARRAY ? "[" : "{", 1);
		for (i = 0; i < j->n; i++) {
			if (i)
				jb_raw(b, ",", 1);
			if (j->type == JSON_OBJECT) {
				jb_str(b, j->v[i]->key);
				jb_raw(b, ":", 1);
			}
			jb_value(b, j->v[i]);
		}
		jb_raw(b, j->type == JSON_ARRAY ? "]" : "}", 1);
		break;
	}
}

void
jb_free(struct jbuf *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}
