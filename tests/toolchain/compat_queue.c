/* compat_queue.c - the sysroot's <sys/queue.h> and <sys/cdefs.h>
 * (include/compat/) as BSD code uses them: built with graft-cc -Wall
 * -Werror by toolchain.sh, exits 0 when every list behaves, else prints
 * the first check that failed. */
#include <sys/cdefs.h>
#include <sys/queue.h>
#include <stdio.h>
#include <string.h>

__BEGIN_DECLS
int order(const char *what, const char *want, const char *got);
__END_DECLS

struct n {
	int v;
	SLIST_ENTRY(n) s;
	LIST_ENTRY(n) l;
	STAILQ_ENTRY(n) q;
	TAILQ_ENTRY(n) t;
};
SLIST_HEAD(shead, n);
LIST_HEAD(lhead, n);
STAILQ_HEAD(qhead, n);
TAILQ_HEAD(thead, n);

static struct n e[6];
static char buf[32];
static int bad;

int order(const char *what, const char *want, const char *got)
{
	if (strcmp(want, got)) {
		printf("%s: want %s, got %s\n", what, want, got);
		bad = 1;
	}
	return !bad;
}

#define WALK(kind, head, field) do { \
	struct n *_w; size_t _k = 0; \
	kind##_FOREACH(_w, head, field) buf[_k++] = '0' + _w->v; \
	buf[_k] = 0; \
} while (0)

static void slist(void)
{
	struct shead h = SLIST_HEAD_INITIALIZER(h);
	struct n *x, *t;
	SLIST_INSERT_HEAD(&h, &e[1], s);
	SLIST_INSERT_HEAD(&h, &e[0], s);
	SLIST_INSERT_AFTER(&e[1], &e[3], s);
	SLIST_INSERT_AFTER(&e[1], &e[2], s);
	WALK(SLIST, &h, s);
	order("SLIST insert", "0123", buf);
	SLIST_REMOVE(&h, &e[2], n, s);
	SLIST_REMOVE(&h, &e[0], n, s);
	WALK(SLIST, &h, s);
	order("SLIST remove", "13", buf);
	SLIST_FOREACH_SAFE(x, &h, s, t) SLIST_REMOVE(&h, x, n, s);
	if (!SLIST_EMPTY(&h)) order("SLIST empty", "", "not empty");
}

static void list(void)
{
	struct lhead h;
	struct n *x, *t;
	LIST_INIT(&h);
	LIST_INSERT_HEAD(&h, &e[3], l);
	LIST_INSERT_BEFORE(&e[3], &e[1], l);
	LIST_INSERT_AFTER(&e[1], &e[2], l);
	LIST_INSERT_HEAD(&h, &e[0], l);
	WALK(LIST, &h, l);
	order("LIST insert", "0123", buf);
	LIST_REMOVE(&e[0], l);
	LIST_REMOVE(&e[3], l);
	LIST_REMOVE(&e[2], l);
	WALK(LIST, &h, l);
	order("LIST remove", "1", buf);
	LIST_FOREACH_SAFE(x, &h, l, t) LIST_REMOVE(x, l);
	if (!LIST_EMPTY(&h) || LIST_FIRST(&h)) order("LIST empty", "", "not empty");
}

static void stailq(void)
{
	struct qhead h = STAILQ_HEAD_INITIALIZER(h), h2;
	struct n *x, *t;
	STAILQ_INIT(&h2);
	STAILQ_INSERT_TAIL(&h, &e[2], q);
	STAILQ_INSERT_HEAD(&h, &e[0], q);
	STAILQ_INSERT_AFTER(&h, &e[0], &e[1], q);
	STAILQ_INSERT_AFTER(&h, &e[2], &e[3], q);
	STAILQ_INSERT_TAIL(&h, &e[4], q);
	WALK(STAILQ, &h, q);
	order("STAILQ insert", "01234", buf);
	STAILQ_REMOVE(&h, &e[4], n, q);	/* the tail: stqh_last follows */
	STAILQ_INSERT_TAIL(&h, &e[5], q);
	STAILQ_REMOVE_HEAD(&h, q);
	WALK(STAILQ, &h, q);
	order("STAILQ remove", "1235", buf);
	STAILQ_INSERT_TAIL(&h2, &e[0], q);
	STAILQ_CONCAT(&h2, &h);
	STAILQ_INSERT_TAIL(&h2, &e[4], q);
	WALK(STAILQ, &h2, q);
	order("STAILQ concat", "012354", buf);
	if (!STAILQ_EMPTY(&h)) order("STAILQ concat empties", "", "not empty");
	STAILQ_FOREACH_SAFE(x, &h2, q, t) if (x->v % 2) STAILQ_REMOVE(&h2, x, n, q);
	WALK(STAILQ, &h2, q);
	order("STAILQ foreach_safe", "024", buf);
}

static void tailq(void)
{
	struct thead h = TAILQ_HEAD_INITIALIZER(h), h2;
	struct n *x, *y;
	size_t k = 0;
	TAILQ_INIT(&h2);
	TAILQ_INSERT_TAIL(&h, &e[2], t);
	TAILQ_INSERT_HEAD(&h, &e[1], t);
	TAILQ_INSERT_BEFORE(&e[1], &e[0], t);
	TAILQ_INSERT_AFTER(&h, &e[2], &e[4], t);
	TAILQ_INSERT_BEFORE(&e[4], &e[3], t);
	WALK(TAILQ, &h, t);
	order("TAILQ insert", "01234", buf);
	TAILQ_FOREACH_REVERSE(x, &h, thead, t) buf[k++] = '0' + x->v;
	buf[k] = 0;
	order("TAILQ reverse", "43210", buf);
	if (TAILQ_LAST(&h, thead) != &e[4] || TAILQ_PREV(&e[2], thead, t) != &e[1]
	 || TAILQ_PREV(&e[0], thead, t) != 0)
		order("TAILQ last/prev", "4 1 none", "other");
	TAILQ_REMOVE(&h, &e[4], t);	/* the tail: tqh_last follows */
	TAILQ_INSERT_TAIL(&h, &e[5], t);
	TAILQ_REMOVE(&h, &e[0], t);
	WALK(TAILQ, &h, t);
	order("TAILQ remove", "1235", buf);
	TAILQ_INSERT_TAIL(&h2, &e[0], t);
	TAILQ_CONCAT(&h2, &h, t);
	TAILQ_INSERT_TAIL(&h2, &e[4], t);
	k = 0;
	TAILQ_FOREACH_REVERSE(x, &h2, thead, t) buf[k++] = '0' + x->v;
	buf[k] = 0;
	order("TAILQ concat (reverse)", "453210", buf);
	TAILQ_FOREACH_REVERSE_SAFE(x, &h2, thead, t, y) if (x->v % 2) TAILQ_REMOVE(&h2, x, t);
	WALK(TAILQ, &h2, t);
	order("TAILQ foreach_reverse_safe", "024", buf);
	TAILQ_FOREACH_SAFE(x, &h2, t, y) TAILQ_REMOVE(&h2, x, t);
	if (!TAILQ_EMPTY(&h2) || h2.tqh_last != &h2.tqh_first)
		order("TAILQ empty", "", "not empty");
}

int main(void)
{
	int i;
	for (i = 0; i < 6; i++) e[i].v = i;
	slist();
	list();
	stailq();
	tailq();
	puts(bad ? "compat_queue: FAILED" : "compat_queue: ok " __STRING(TAILQ));
	return bad;
}
