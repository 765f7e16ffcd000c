/* compat_tree.c - the sysroot's <sys/tree.h> (include/compat/) as BSD code
 * uses it: built with graft-cc -Wall -Wextra -Werror by toolchain.sh, exits
 * 0 and prints "compat_tree: ok" when every check held, else prints the
 * first checks that failed.
 *
 * Thousands of random keys (with repeats) go in and out of an RB tree and
 * a splay tree; after every batch the trees are compared with a plain
 * array of which keys are present, and the RB tree's invariants are
 * checked (ordering, parent links, black root, no red-red, equal black
 * heights, and a subtree size kept by RB_AUGMENT). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RB_AUGMENT(x)	augment(x)
#include <sys/tree.h>

#define NODES	4000
#define KEYS	3000	/* < NODES: inserts collide */

struct node {
	int key;
	int size;		/* elements in the subtree in "byrb" */
	RB_ENTRY(node) rb;
	RB_ENTRY(node) down;	/* a second, static tree: keys descending */
	SPLAY_ENTRY(node) sp;
	int in_rb, in_sp;
};

static void augment(struct node *);

static int cmp(struct node *a, struct node *b)
{
	return a->key < b->key ? -1 : a->key > b->key;
}
#define cmp_desc(a, b)	cmp(b, a)	/* a macro, as some servers pass */

RB_HEAD(byrb, node) rbh = RB_INITIALIZER(&rbh);
RB_PROTOTYPE(byrb, node, rb, cmp);
RB_GENERATE(byrb, node, rb, cmp)

RB_HEAD(bydown, node);
RB_PROTOTYPE_STATIC(bydown, node, down, cmp_desc);
RB_GENERATE_STATIC(bydown, node, down, cmp_desc)

SPLAY_HEAD(bysp, node) sph = SPLAY_INITIALIZER(&sph);
SPLAY_PROTOTYPE(bysp, node, sp, cmp);
SPLAY_GENERATE(bysp, node, sp, cmp)

static struct node nodes[NODES];
static struct node *holder[KEYS];	/* the node holding each key in byrb */
static struct node *spholder[KEYS];	/* ... in bysp */
static int bad;
static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 11) % n;
}

static void fail(const char *what, int a, int b)
{
	if (bad++ < 10)
		printf("%s (%d, %d)\n", what, a, b);
}

static void augment(struct node *n)
{
	n->size = 1 + (RB_LEFT(n, rb) ? RB_LEFT(n, rb)->size : 0)
		+ (RB_RIGHT(n, rb) ? RB_RIGHT(n, rb)->size : 0);
}

/* returns the black height of n's subtree (missing children count one) */
static int rb_check(struct node *n, struct node *parent, int lo, int hi)
{
	int l, r;
	if (n == NULL)
		return 1;
	if (RB_PARENT(n, rb) != parent)
		fail("RB parent link", n->key, parent ? parent->key : -1);
	if (n->key < lo || n->key > hi)
		fail("RB ordering", n->key, lo);
	if (RB_COLOR(n, rb) != RB_BLACK && RB_COLOR(n, rb) != RB_RED)
		fail("RB color value", n->key, RB_COLOR(n, rb));
	if (RB_COLOR(n, rb) == RB_RED && parent && RB_COLOR(parent, rb) == RB_RED)
		fail("RB red element with a red parent", n->key, parent->key);
	l = rb_check(RB_LEFT(n, rb), n, lo, n->key - 1);
	r = rb_check(RB_RIGHT(n, rb), n, n->key + 1, hi);
	if (l != r)
		fail("RB black heights differ", n->key, l - r);
	if (n->size != 1 + (RB_LEFT(n, rb) ? RB_LEFT(n, rb)->size : 0)
	    + (RB_RIGHT(n, rb) ? RB_RIGHT(n, rb)->size : 0))
		fail("RB_AUGMENT: subtree size", n->key, n->size);
	return l + (RB_COLOR(n, rb) == RB_BLACK);
}

static int height(struct node *n)
{
	int l, r;
	if (n == NULL)
		return 0;
	l = height(RB_LEFT(n, rb));
	r = height(RB_RIGHT(n, rb));
	return 1 + (l > r ? l : r);
}

static void sp_check(struct node *n, int lo, int hi, int *count)
{
	if (n == NULL)
		return;
	if (n->key < lo || n->key > hi || !n->in_sp || spholder[n->key] != n)
		fail("SPLAY ordering or membership", n->key, lo);
	++*count;
	sp_check(SPLAY_LEFT(n, sp), lo, n->key - 1, count);
	sp_check(SPLAY_RIGHT(n, sp), n->key + 1, hi, count);
}

/* everything byrb and bysp should say, given holder[] and spholder[] */
static void verify(void)
{
	struct node *n, *m, probe;
	int k, count = 0, first = -1, last = -1, want;

	if (RB_ROOT(&rbh)) {
		if (RB_COLOR(RB_ROOT(&rbh), rb) != RB_BLACK)
			fail("RB root is red", RB_ROOT(&rbh)->key, 0);
		rb_check(RB_ROOT(&rbh), NULL, 0, KEYS - 1);
	}
	k = 0;
	RB_FOREACH(n, byrb, &rbh) {
		while (k < KEYS && !holder[k])
			k++;
		if (k == KEYS || n != holder[k] || !n->in_rb)
			fail("RB_FOREACH order", n->key, k);
		if (first < 0)
			first = n->key;
		last = n->key;
		k++, count++;
	}
	for (want = 0, k = 0; k < KEYS; k++)
		want += holder[k] != NULL;
	if (count != want || (RB_ROOT(&rbh) && RB_ROOT(&rbh)->size != want))
		fail("RB element count", count, want);
	if (RB_EMPTY(&rbh) != (want == 0))
		fail("RB_EMPTY", RB_EMPTY(&rbh), want);
	if ((RB_MIN(byrb, &rbh) ? RB_MIN(byrb, &rbh)->key : -1) != first
	    || (RB_MAX(byrb, &rbh) ? RB_MAX(byrb, &rbh)->key : -1) != last)
		fail("RB_MIN/RB_MAX", first, last);
	k = KEYS - 1;
	RB_FOREACH_REVERSE(n, byrb, &rbh) {
		while (k >= 0 && !holder[k])
			k--;
		if (k < 0 || n != holder[k])
			fail("RB_FOREACH_REVERSE order", n->key, k);
		k--;
	}
	/* FIND and NFIND of every key, NEXT and PREV of every element */
	for (k = 0; k < KEYS; k++) {
		probe.key = k;
		if (RB_FIND(byrb, &rbh, &probe) != holder[k])
			fail("RB_FIND", k, holder[k] != NULL);
		for (want = k; want < KEYS && !holder[want]; want++)
			;
		m = RB_NFIND(byrb, &rbh, &probe);
		if (m != (want < KEYS ? holder[want] : NULL))
			fail("RB_NFIND", k, m ? m->key : -1);
		if (!holder[k])
			continue;
		for (want = k + 1; want < KEYS && !holder[want]; want++)
			;
		if (RB_NEXT(byrb, &rbh, holder[k]) != (want < KEYS ? holder[want] : NULL))
			fail("RB_NEXT", k, want);
		for (want = k - 1; want >= 0 && !holder[want]; want--)
			;
		if (RB_PREV(byrb, &rbh, holder[k]) != (want >= 0 ? holder[want] : NULL))
			fail("RB_PREV", k, want);
	}

	/* the splay tree: shape, then the walk (which reshapes it) */
	count = 0;
	sp_check(SPLAY_ROOT(&sph), 0, KEYS - 1, &count);
	k = 0;
	SPLAY_FOREACH(n, bysp, &sph) {
		while (k < KEYS && !spholder[k])
			k++;
		if (k == KEYS || n != spholder[k])
			fail("SPLAY_FOREACH order", n->key, k);
		k++, count--;
	}
	if (count != 0)
		fail("SPLAY element count", count, 0);
	for (k = 0; k < KEYS; k += 7) {
		probe.key = k;
		if (SPLAY_FIND(bysp, &sph, &probe) != spholder[k])
			fail("SPLAY_FIND", k, spholder[k] != NULL);
	}
	for (first = 0; first < KEYS && !spholder[first]; first++)
		;
	for (last = KEYS - 1; last >= 0 && !spholder[last]; last--)
		;
	n = SPLAY_MIN(bysp, &sph);
	m = SPLAY_MAX(bysp, &sph);
	if ((n ? n->key : KEYS) != first || (m ? m->key : -1) != last)
		fail("SPLAY_MIN/SPLAY_MAX", first, last);
	if (SPLAY_EMPTY(&sph) != (first == KEYS))
		fail("SPLAY_EMPTY", SPLAY_EMPTY(&sph), first);
	count = 0;
	sp_check(SPLAY_ROOT(&sph), 0, KEYS - 1, &count);
}

static void rb_insert(struct node *n)
{
	struct node *r = RB_INSERT(byrb, &rbh, n);
	if (r != holder[n->key])
		fail("RB_INSERT result (the element with the key, or NULL)", n->key, r != NULL);
	if (r == NULL) {
		holder[n->key] = n;
		n->in_rb = 1;
	}
}

static void rb_remove(struct node *n)
{
	if (RB_REMOVE(byrb, &rbh, n) != n)
		fail("RB_REMOVE result", n->key, 0);
	holder[n->key] = NULL;
	n->in_rb = 0;
}

static void sp_insert(struct node *n)
{
	struct node *r = SPLAY_INSERT(bysp, &sph, n);
	if (r != spholder[n->key])
		fail("SPLAY_INSERT result (the element with the key, or NULL)", n->key, r != NULL);
	if (r == NULL) {
		spholder[n->key] = n;
		n->in_sp = 1;
	}
}

static void sp_remove(struct node *n)
{
	if (SPLAY_REMOVE(bysp, &sph, n) != n)
		fail("SPLAY_REMOVE result", n->key, 0);
	spholder[n->key] = NULL;
	n->in_sp = 0;
}

static void random_batches(void)
{
	int round, i, j;
	struct node probe;
	for (round = 0; round < 60; round++) {
		/* grow for a while, then shrink to empty, then grow again */
		int grow = round % 20 < 12;
		for (i = 0; i < 300; i++) {
			struct node *n = &nodes[rnd(NODES)];
			if (grow) {
				if (!n->in_rb)
					rb_insert(n);
				if (!n->in_sp)
					sp_insert(n);
			} else {
				if (n->in_rb)
					rb_remove(n);
				if (n->in_sp)
					sp_remove(n);
			}
		}
		if (round % 20 == 19) {	/* empty both, half by key only */
			for (j = 0; j < KEYS; j++) {
				if (holder[j])
					rb_remove(holder[j]);
				probe.key = j;
				if (spholder[j] && (j & 1)) {
					struct node *m = spholder[j];
					if (SPLAY_REMOVE(bysp, &sph, &probe) != m)
						fail("SPLAY_REMOVE by key returns the element", j, 0);
					spholder[j] = NULL;
					m->in_sp = 0;
				} else if (spholder[j])
					sp_remove(spholder[j]);
				if (SPLAY_REMOVE(bysp, &sph, &probe) != NULL)
					fail("SPLAY_REMOVE of a missing key", j, 0);
			}
			if (!RB_EMPTY(&rbh) || !SPLAY_EMPTY(&sph))
				fail("trees empty after removing every key", 0, 0);
		}
		verify();
	}
}

static void foreach_safe(void)
{
	struct node *n, *t, probe;
	int k, left = 0;
	for (k = 0; k < NODES; k++)
		if (!nodes[k].in_rb)
			rb_insert(&nodes[k]);
	/* remove every odd key while walking, then every key from the top */
	RB_FOREACH_SAFE(n, byrb, &rbh, t)
		if (n->key & 1)
			rb_remove(n);
	verify();
	RB_FOREACH(n, byrb, &rbh) {
		if (n->key & 1)
			fail("RB_FOREACH_SAFE left an odd key", n->key, 0);
		left++;
	}
	if (left != (KEYS + 1) / 2)
		fail("RB_FOREACH_SAFE removal count", left, (KEYS + 1) / 2);
	/* FROM: walk from the first key >= 1000 (both sides) */
	probe.key = 1000;
	t = RB_NFIND(byrb, &rbh, &probe);
	k = 1000;
	RB_FOREACH_FROM(n, byrb, t) {
		if (n->key != k)
			fail("RB_FOREACH_FROM", n->key, k);
		k += 2;
	}
	t = RB_FIND(byrb, &rbh, &probe);
	k = 1000;
	RB_FOREACH_REVERSE_FROM(n, byrb, t) {
		if (n->key != k)
			fail("RB_FOREACH_REVERSE_FROM", n->key, k);
		k -= 2;
	}
	k = KEYS;
	RB_FOREACH_REVERSE_SAFE(n, byrb, &rbh, t) {
		if (n->key >= k)
			fail("RB_FOREACH_REVERSE_SAFE order", n->key, k);
		k = n->key;
		rb_remove(n);
	}
	if (!RB_EMPTY(&rbh) || k != 0)
		fail("RB_FOREACH_REVERSE_SAFE emptied the tree", k, 0);
	verify();
}

/* sorted input, the worst case for a plain binary tree */
static void sorted(void)
{
	int k, h;
	for (k = 0; k < KEYS; k++) {
		nodes[k].key = k;
		rb_insert(&nodes[k]);
		sp_insert(&nodes[k]);
	}
	verify();
	h = height(RB_ROOT(&rbh));
	if (h > 2 * 12)	/* 2 log2(KEYS + 1) */
		fail("RB height after sorted inserts", h, 24);
	for (k = 0; k < KEYS; k++) {
		rb_remove(&nodes[k]);
		sp_remove(&nodes[k]);
	}
	verify();
}

/* the second tree: static functions, a comparison macro, RB_INIT (its
 * rotations call RB_AUGMENT too, which rewrites the unused size field) */
static void descending(void)
{
	struct bydown d;
	struct node *n, *t;
	int k, prev = KEYS;
	RB_INIT(&d);
	for (k = 0; k < 500; k++)
		if (RB_INSERT(bydown, &d, &nodes[k]) != NULL)
			fail("RB_INSERT (static tree)", k, 0);
	if (RB_INSERT(bydown, &d, &nodes[KEYS + 7]) != &nodes[7])
		fail("RB_INSERT (static tree) duplicate", 7, 0);
	RB_FOREACH(n, bydown, &d) {
		if (n->key >= prev)
			fail("RB_FOREACH (static tree, descending)", n->key, prev);
		prev = n->key;
	}
	if (prev != 0 || RB_MIN(bydown, &d)->key != 499)
		fail("RB_MIN (static tree)", prev, RB_MIN(bydown, &d)->key);
	RB_FOREACH_SAFE(n, bydown, &d, t)
		if (RB_REMOVE(bydown, &d, n) != n)
			fail("RB_REMOVE (static tree)", n->key, 0);
	if (!RB_EMPTY(&d))
		fail("RB_EMPTY (static tree)", 0, 0);
}

int main(void)
{
	int i;
	for (i = 0; i < NODES; i++)
		nodes[i].key = rnd(KEYS);
	verify();	/* empty trees */
	random_batches();	/* ends with both trees empty */
	for (i = 0; i < NODES; i++)
		nodes[i].key = i % KEYS;	/* every key, some twice */
	foreach_safe();
	sorted();
	descending();
	puts(bad ? "compat_tree: FAILED" : "compat_tree: ok");
	return bad != 0;
}
