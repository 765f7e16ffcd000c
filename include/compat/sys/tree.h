/* sys/tree.h - the BSD ordered-tree macros (SPLAY and RB) that servers
 * written for the BSDs include; musl leaves this header out.  Written for
 * graft: the usual names, field layout and semantics.
 *
 * Trees are intrusive: an element embeds an ENTRY field, a tree is a HEAD.
 * NAME_PROTOTYPE declares and NAME_GENERATE defines the functions for one
 * tree type (name, element type, entry field, cmp), where cmp(a, b) is a
 * function or macro returning <0, 0 or >0 as a sorts before, with or after
 * b.  Keys are unique:
 *   INSERT  links elm and returns NULL, or returns the element already
 *           holding an equal key (elm is then not linked)
 *   REMOVE  unlinks elm (which must be in the tree for RB) and returns it
 *   FIND    the element equal to elm (any element with the key), or NULL
 *   NFIND   (RB) the least element not less than elm, or NULL
 * SPLAY_NEXT, SPLAY_FIND and SPLAY_MIN/MAX restructure the tree (that is
 * how a splay tree stays balanced, amortized); RB lookups only read it.
 *
 * RB_AUGMENT(elm), when defined before this header is included, is called
 * on every element whose subtree changed, children before parents (for
 * subtree sizes, interval maxima and the like). */
#ifndef _SYS_TREE_H
#define _SYS_TREE_H

#if defined(__GNUC__) || defined(__clang__)
#define _TREE_UNUSED	__attribute__((__unused__))
#else
#define _TREE_UNUSED
#endif

/* ---- SPLAY ---------------------------------------------------------------- */
#define SPLAY_HEAD(name, type)	struct name { struct type *sph_root; }
#define SPLAY_INITIALIZER(root)	{ 0 }
#define SPLAY_ENTRY(type)	struct { struct type *spe_left, *spe_right; }

#define SPLAY_INIT(root)	do { (root)->sph_root = 0; } while (0)
#define SPLAY_ROOT(head)	((head)->sph_root)
#define SPLAY_EMPTY(head)	(SPLAY_ROOT(head) == 0)
#define SPLAY_LEFT(elm, field)	((elm)->field.spe_left)
#define SPLAY_RIGHT(elm, field)	((elm)->field.spe_right)

#define SPLAY_NEGINF	-1
#define SPLAY_INF	1

#define SPLAY_INSERT(name, x, y)	name##_SPLAY_INSERT(x, y)
#define SPLAY_REMOVE(name, x, y)	name##_SPLAY_REMOVE(x, y)
#define SPLAY_FIND(name, x, y)		name##_SPLAY_FIND(x, y)
#define SPLAY_NEXT(name, x, y)		name##_SPLAY_NEXT(x, y)
#define SPLAY_MIN(name, x) \
	(SPLAY_EMPTY(x) ? 0 : name##_SPLAY_MIN_MAX(x, SPLAY_NEGINF))
#define SPLAY_MAX(name, x) \
	(SPLAY_EMPTY(x) ? 0 : name##_SPLAY_MIN_MAX(x, SPLAY_INF))
/* NEXT splays the current element: no removal inside the loop */
#define SPLAY_FOREACH(x, name, head) \
	for ((x) = SPLAY_MIN(name, head); (x) != 0; (x) = SPLAY_NEXT(name, head, x))

#define SPLAY_PROTOTYPE(name, type, field, cmp) \
void name##_SPLAY(struct name *, struct type *); \
void name##_SPLAY_MINMAX(struct name *, int); \
struct type *name##_SPLAY_INSERT(struct name *, struct type *); \
struct type *name##_SPLAY_REMOVE(struct name *, struct type *); \
_TREE_UNUSED static __inline struct type * \
name##_SPLAY_FIND(struct name *head, struct type *elm) \
{ \
	if (SPLAY_EMPTY(head)) \
		return 0; \
	name##_SPLAY(head, elm); \
	return cmp(elm, SPLAY_ROOT(head)) == 0 ? SPLAY_ROOT(head) : 0; \
} \
_TREE_UNUSED static __inline struct type * \
name##_SPLAY_NEXT(struct name *head, struct type *elm) \
{ \
	struct type *t; \
	name##_SPLAY(head, elm); \
	if ((t = SPLAY_RIGHT(SPLAY_ROOT(head), field)) != 0) \
		while (SPLAY_LEFT(t, field) != 0) \
			t = SPLAY_LEFT(t, field); \
	return t; \
} \
_TREE_UNUSED static __inline struct type * \
name##_SPLAY_MIN_MAX(struct name *head, int val) \
{ \
	name##_SPLAY_MINMAX(head, val); \
	return SPLAY_ROOT(head); \
}

/* Top-down splay: walking from the root towards the key, the nodes passed
 * on the left (smaller than the key) are hung in order on a "left" tree,
 * those on the right on a "right" tree, rotating once whenever two steps
 * go the same way (that halves the depth of the path); the node where the
 * walk stops becomes the root with the two trees as its subtrees.  lh and
 * rh point at the empty slot where the next node goes: the right spine of
 * the left tree, the left spine of the right tree. */
#define _SPLAY_BODY(name, type, field, c1, c2) \
	struct type *t = SPLAY_ROOT(head), *y, *lt = 0, *rt = 0; \
	struct type **lh = &lt, **rh = &rt; \
	int c; \
	if (t == 0) \
		return; \
	for (;;) { \
		if ((c = (c1)) < 0) { \
			if ((y = SPLAY_LEFT(t, field)) == 0) \
				break; \
			if ((c2) < 0) {	/* zig-zig: rotate right */ \
				SPLAY_LEFT(t, field) = SPLAY_RIGHT(y, field); \
				SPLAY_RIGHT(y, field) = t; \
				t = y; \
				if ((y = SPLAY_LEFT(t, field)) == 0) \
					break; \
			} \
			*rh = t; rh = &SPLAY_LEFT(t, field); t = y; \
		} else if (c > 0) { \
			if ((y = SPLAY_RIGHT(t, field)) == 0) \
				break; \
			if ((c2) > 0) {	/* zag-zag: rotate left */ \
				SPLAY_RIGHT(t, field) = SPLAY_LEFT(y, field); \
				SPLAY_LEFT(y, field) = t; \
				t = y; \
				if ((y = SPLAY_RIGHT(t, field)) == 0) \
					break; \
			} \
			*lh = t; lh = &SPLAY_RIGHT(t, field); t = y; \
		} else \
			break; \
	} \
	*lh = SPLAY_LEFT(t, field); \
	*rh = SPLAY_RIGHT(t, field); \
	SPLAY_LEFT(t, field) = lt; \
	SPLAY_RIGHT(t, field) = rt; \
	SPLAY_ROOT(head) = t;

#define SPLAY_GENERATE(name, type, field, cmp) \
void name##_SPLAY(struct name *head, struct type *elm) \
{ \
	_SPLAY_BODY(name, type, field, cmp(elm, t), cmp(elm, y)) \
} \
void name##_SPLAY_MINMAX(struct name *head, int val) \
{ \
	_SPLAY_BODY(name, type, field, val, val) \
} \
struct type *name##_SPLAY_INSERT(struct name *head, struct type *elm) \
{ \
	struct type *r; \
	int c; \
	if (SPLAY_EMPTY(head)) { \
		SPLAY_LEFT(elm, field) = SPLAY_RIGHT(elm, field) = 0; \
	} else { \
		name##_SPLAY(head, elm); \
		r = SPLAY_ROOT(head); \
		if ((c = cmp(elm, r)) == 0) \
			return r; \
		if (c < 0) { \
			SPLAY_LEFT(elm, field) = SPLAY_LEFT(r, field); \
			SPLAY_RIGHT(elm, field) = r; \
			SPLAY_LEFT(r, field) = 0; \
		} else { \
			SPLAY_RIGHT(elm, field) = SPLAY_RIGHT(r, field); \
			SPLAY_LEFT(elm, field) = r; \
			SPLAY_RIGHT(r, field) = 0; \
		} \
	} \
	SPLAY_ROOT(head) = elm; \
	return 0; \
} \
/* returns the element unlinked (elm itself when elm is in the tree) */ \
struct type *name##_SPLAY_REMOVE(struct name *head, struct type *elm) \
{ \
	struct type *r, *right; \
	if (SPLAY_EMPTY(head)) \
		return 0; \
	name##_SPLAY(head, elm); \
	r = SPLAY_ROOT(head); \
	if (cmp(elm, r) != 0) \
		return 0; \
	right = SPLAY_RIGHT(r, field); \
	if (SPLAY_LEFT(r, field) == 0) { \
		SPLAY_ROOT(head) = right; \
	} else { \
		/* the left subtree's greatest element comes up with no \
		 * right child: the right subtree goes there */ \
		SPLAY_ROOT(head) = SPLAY_LEFT(r, field); \
		name##_SPLAY(head, elm); \
		SPLAY_RIGHT(SPLAY_ROOT(head), field) = right; \
	} \
	return r; \
}

/* ---- RB ------------------------------------------------------------------- */
#define RB_HEAD(name, type)	struct name { struct type *rbh_root; }
#define RB_INITIALIZER(root)	{ 0 }
#define RB_ENTRY(type) \
	struct { struct type *rbe_left, *rbe_right, *rbe_parent; int rbe_color; }

#define RB_BLACK	0
#define RB_RED		1
#define RB_INIT(root)		do { (root)->rbh_root = 0; } while (0)
#define RB_ROOT(head)		((head)->rbh_root)
#define RB_EMPTY(head)		(RB_ROOT(head) == 0)
#define RB_LEFT(elm, field)	((elm)->field.rbe_left)
#define RB_RIGHT(elm, field)	((elm)->field.rbe_right)
#define RB_PARENT(elm, field)	((elm)->field.rbe_parent)
#define RB_COLOR(elm, field)	((elm)->field.rbe_color)

#define RB_NEGINF	-1
#define RB_INF		1

#define RB_INSERT(name, x, y)	name##_RB_INSERT(x, y)
#define RB_REMOVE(name, x, y)	name##_RB_REMOVE(x, y)
#define RB_FIND(name, x, y)	name##_RB_FIND(x, y)
#define RB_NFIND(name, x, y)	name##_RB_NFIND(x, y)
#define RB_NEXT(name, x, y)	name##_RB_NEXT(y)
#define RB_PREV(name, x, y)	name##_RB_PREV(y)
#define RB_MIN(name, x)		name##_RB_MINMAX(x, RB_NEGINF)
#define RB_MAX(name, x)		name##_RB_MINMAX(x, RB_INF)

#define RB_FOREACH(x, name, head) \
	for ((x) = RB_MIN(name, head); (x) != 0; (x) = name##_RB_NEXT(x))
#define RB_FOREACH_FROM(x, name, y) \
	for ((x) = (y); (x) != 0 && ((y) = name##_RB_NEXT(x), 1); (x) = (y))
#define RB_FOREACH_SAFE(x, name, head, y) \
	for ((x) = RB_MIN(name, head); \
	     (x) != 0 && ((y) = name##_RB_NEXT(x), 1); (x) = (y))
#define RB_FOREACH_REVERSE(x, name, head) \
	for ((x) = RB_MAX(name, head); (x) != 0; (x) = name##_RB_PREV(x))
#define RB_FOREACH_REVERSE_FROM(x, name, y) \
	for ((x) = (y); (x) != 0 && ((y) = name##_RB_PREV(x), 1); (x) = (y))
#define RB_FOREACH_REVERSE_SAFE(x, name, head, y) \
	for ((x) = RB_MAX(name, head); \
	     (x) != 0 && ((y) = name##_RB_PREV(x), 1); (x) = (y))

#define RB_PROTOTYPE(name, type, field, cmp) \
	RB_PROTOTYPE_INTERNAL(name, type, field, cmp, )
#define RB_PROTOTYPE_STATIC(name, type, field, cmp) \
	RB_PROTOTYPE_INTERNAL(name, type, field, cmp, _TREE_UNUSED static)
#define RB_PROTOTYPE_INTERNAL(name, type, field, cmp, attr) \
attr void name##_RB_INSERT_COLOR(struct name *, struct type *); \
attr void name##_RB_REMOVE_COLOR(struct name *, struct type *, struct type *); \
attr struct type *name##_RB_REMOVE(struct name *, struct type *); \
attr struct type *name##_RB_INSERT(struct name *, struct type *); \
attr struct type *name##_RB_FIND(struct name *, struct type *); \
attr struct type *name##_RB_NFIND(struct name *, struct type *); \
attr struct type *name##_RB_NEXT(struct type *); \
attr struct type *name##_RB_PREV(struct type *); \
attr struct type *name##_RB_MINMAX(struct name *, int);

#ifdef RB_AUGMENT
#define _RB_AUGMENT_UP(elm, field) do { \
	for (; (elm) != 0; (elm) = RB_PARENT(elm, field)) \
		RB_AUGMENT(elm); \
} while (0)
#else
#define RB_AUGMENT(x)	do { } while (0)
#define _RB_AUGMENT_UP(elm, field)	do { } while (0)
#endif

/* Make the link that led to old (from its parent, or the root) lead to new. */
#define _RB_REPLACE(head, parent, old, new, field) do { \
	if ((parent) == 0) \
		RB_ROOT(head) = (new); \
	else if (RB_LEFT(parent, field) == (old)) \
		RB_LEFT(parent, field) = (new); \
	else \
		RB_RIGHT(parent, field) = (new); \
} while (0)

/* Rotations about x; y is scratch.  Left: x's right child y takes x's
 * place and x becomes y's left child (mirrored for right). */
#define _RB_ROTATE(head, x, y, field, LEFT, RIGHT) do { \
	(y) = RIGHT(x, field); \
	if ((RIGHT(x, field) = LEFT(y, field)) != 0) \
		RB_PARENT(LEFT(y, field), field) = (x); \
	RB_PARENT(y, field) = RB_PARENT(x, field); \
	_RB_REPLACE(head, RB_PARENT(x, field), x, y, field); \
	LEFT(y, field) = (x); \
	RB_PARENT(x, field) = (y); \
	RB_AUGMENT(x); \
	RB_AUGMENT(y); \
} while (0)
#define _RB_ROTATE_LEFT(head, x, y, field) \
	_RB_ROTATE(head, x, y, field, RB_LEFT, RB_RIGHT)
#define _RB_ROTATE_RIGHT(head, x, y, field) \
	_RB_ROTATE(head, x, y, field, RB_RIGHT, RB_LEFT)

#define _RB_IS_BLACK(elm, field)	((elm) == 0 || RB_COLOR(elm, field) == RB_BLACK)

#define RB_GENERATE(name, type, field, cmp) \
	RB_GENERATE_INTERNAL(name, type, field, cmp, )
#define RB_GENERATE_STATIC(name, type, field, cmp) \
	RB_GENERATE_INTERNAL(name, type, field, cmp, _TREE_UNUSED static)

/* Invariants: the root is black, a red element has no red child, and
 * every path from an element down to a missing child passes the same
 * number of black elements.  Missing children count as black. */
#define RB_GENERATE_INTERNAL(name, type, field, cmp, attr) \
/* elm was just linked red: repair a red parent, from elm upwards */ \
attr void name##_RB_INSERT_COLOR(struct name *head, struct type *elm) \
{ \
	struct type *p, *g, *u, *t; \
	while ((p = RB_PARENT(elm, field)) != 0 && RB_COLOR(p, field) == RB_RED) { \
		g = RB_PARENT(p, field);	/* p is red: not the root */ \
		if (p == RB_LEFT(g, field)) { \
			u = RB_RIGHT(g, field); \
			if (!_RB_IS_BLACK(u, field)) { \
				/* red uncle: push g's black down a level */ \
				RB_COLOR(u, field) = RB_COLOR(p, field) = RB_BLACK; \
				RB_COLOR(g, field) = RB_RED; \
				elm = g; \
				continue; \
			} \
			if (elm == RB_RIGHT(p, field)) { \
				_RB_ROTATE_LEFT(head, p, t, field); \
				t = p; p = elm; elm = t; \
			} \
			RB_COLOR(p, field) = RB_BLACK; \
			RB_COLOR(g, field) = RB_RED; \
			_RB_ROTATE_RIGHT(head, g, t, field); \
		} else { \
			u = RB_LEFT(g, field); \
			if (!_RB_IS_BLACK(u, field)) { \
				RB_COLOR(u, field) = RB_COLOR(p, field) = RB_BLACK; \
				RB_COLOR(g, field) = RB_RED; \
				elm = g; \
				continue; \
			} \
			if (elm == RB_LEFT(p, field)) { \
				_RB_ROTATE_RIGHT(head, p, t, field); \
				t = p; p = elm; elm = t; \
			} \
			RB_COLOR(p, field) = RB_BLACK; \
			RB_COLOR(g, field) = RB_RED; \
			_RB_ROTATE_LEFT(head, g, t, field); \
		} \
	} \
	RB_COLOR(RB_ROOT(head), field) = RB_BLACK; \
} \
/* A black element was unlinked: the paths through elm (a child of \
 * parent, maybe missing) lack one black; borrow one from elm's sibling's \
 * side, or take one from the sibling and carry the lack up a level. */ \
attr void name##_RB_REMOVE_COLOR(struct name *head, struct type *parent, \
    struct type *elm) \
{ \
	struct type *s, *t; \
	while (_RB_IS_BLACK(elm, field) && elm != RB_ROOT(head)) { \
		if (elm == RB_LEFT(parent, field)) { \
			s = RB_RIGHT(parent, field); \
			if (RB_COLOR(s, field) == RB_RED) { \
				RB_COLOR(s, field) = RB_BLACK; \
				RB_COLOR(parent, field) = RB_RED; \
				_RB_ROTATE_LEFT(head, parent, t, field); \
				s = RB_RIGHT(parent, field); \
			} \
			if (_RB_IS_BLACK(RB_LEFT(s, field), field) && \
			    _RB_IS_BLACK(RB_RIGHT(s, field), field)) { \
				RB_COLOR(s, field) = RB_RED; \
				elm = parent; \
				parent = RB_PARENT(elm, field); \
				continue; \
			} \
			if (_RB_IS_BLACK(RB_RIGHT(s, field), field)) { \
				RB_COLOR(RB_LEFT(s, field), field) = RB_BLACK; \
				RB_COLOR(s, field) = RB_RED; \
				_RB_ROTATE_RIGHT(head, s, t, field); \
				s = RB_RIGHT(parent, field); \
			} \
			RB_COLOR(s, field) = RB_COLOR(parent, field); \
			RB_COLOR(parent, field) = RB_BLACK; \
			RB_COLOR(RB_RIGHT(s, field), field) = RB_BLACK; \
			_RB_ROTATE_LEFT(head, parent, t, field); \
		} else { \
			s = RB_LEFT(parent, field); \
			if (RB_COLOR(s, field) == RB_RED) { \
				RB_COLOR(s, field) = RB_BLACK; \
				RB_COLOR(parent, field) = RB_RED; \
				_RB_ROTATE_RIGHT(head, parent, t, field); \
				s = RB_LEFT(parent, field); \
			} \
			if (_RB_IS_BLACK(RB_LEFT(s, field), field) && \
			    _RB_IS_BLACK(RB_RIGHT(s, field), field)) { \
				RB_COLOR(s, field) = RB_RED; \
				elm = parent; \
				parent = RB_PARENT(elm, field); \
				continue; \
			} \
			if (_RB_IS_BLACK(RB_LEFT(s, field), field)) { \
				RB_COLOR(RB_RIGHT(s, field), field) = RB_BLACK; \
				RB_COLOR(s, field) = RB_RED; \
				_RB_ROTATE_LEFT(head, s, t, field); \
				s = RB_LEFT(parent, field); \
			} \
			RB_COLOR(s, field) = RB_COLOR(parent, field); \
			RB_COLOR(parent, field) = RB_BLACK; \
			RB_COLOR(RB_LEFT(s, field), field) = RB_BLACK; \
			_RB_ROTATE_RIGHT(head, parent, t, field); \
		} \
		elm = RB_ROOT(head); \
		break; \
	} \
	if (elm != 0) \
		RB_COLOR(elm, field) = RB_BLACK; \
} \
attr struct type *name##_RB_REMOVE(struct name *head, struct type *elm) \
{ \
	struct type *child, *parent, *y; \
	int color; \
	if (RB_LEFT(elm, field) == 0 || RB_RIGHT(elm, field) == 0) { \
		/* at most one child: it takes elm's place */ \
		child = RB_LEFT(elm, field) ? RB_LEFT(elm, field) : RB_RIGHT(elm, field); \
		parent = RB_PARENT(elm, field); \
		color = RB_COLOR(elm, field); \
		if (child != 0) \
			RB_PARENT(child, field) = parent; \
		_RB_REPLACE(head, parent, elm, child, field); \
	} else { \
		/* two: elm's successor y (no left child) is unlinked from \
		 * its place, its right child moving up, and takes elm's */ \
		for (y = RB_RIGHT(elm, field); RB_LEFT(y, field) != 0; ) \
			y = RB_LEFT(y, field); \
		child = RB_RIGHT(y, field); \
		parent = RB_PARENT(y, field); \
		color = RB_COLOR(y, field); \
		if (parent == elm) { \
			parent = y; \
		} else { \
			if ((RB_LEFT(parent, field) = child) != 0) \
				RB_PARENT(child, field) = parent; \
			RB_RIGHT(y, field) = RB_RIGHT(elm, field); \
			RB_PARENT(RB_RIGHT(y, field), field) = y; \
		} \
		RB_LEFT(y, field) = RB_LEFT(elm, field); \
		RB_PARENT(RB_LEFT(y, field), field) = y; \
		RB_PARENT(y, field) = RB_PARENT(elm, field); \
		RB_COLOR(y, field) = RB_COLOR(elm, field); \
		_RB_REPLACE(head, RB_PARENT(y, field), elm, y, field); \
	} \
	y = parent; \
	_RB_AUGMENT_UP(y, field); \
	if (color == RB_BLACK) \
		name##_RB_REMOVE_COLOR(head, parent, child); \
	return elm; \
} \
attr struct type *name##_RB_INSERT(struct name *head, struct type *elm) \
{ \
	struct type *parent = 0, *t = RB_ROOT(head); \
	int c = 0; \
	while (t != 0) { \
		parent = t; \
		if ((c = cmp(elm, t)) < 0) \
			t = RB_LEFT(t, field); \
		else if (c > 0) \
			t = RB_RIGHT(t, field); \
		else \
			return t; \
	} \
	RB_LEFT(elm, field) = RB_RIGHT(elm, field) = 0; \
	RB_PARENT(elm, field) = parent; \
	RB_COLOR(elm, field) = RB_RED; \
	if (parent == 0) \
		RB_ROOT(head) = elm; \
	else if (c < 0) \
		RB_LEFT(parent, field) = elm; \
	else \
		RB_RIGHT(parent, field) = elm; \
	t = elm; \
	_RB_AUGMENT_UP(t, field); \
	name##_RB_INSERT_COLOR(head, elm); \
	return 0; \
} \
attr struct type *name##_RB_FIND(struct name *head, struct type *elm) \
{ \
	struct type *t = RB_ROOT(head); \
	int c; \
	while (t != 0) { \
		if ((c = cmp(elm, t)) < 0) \
			t = RB_LEFT(t, field); \
		else if (c > 0) \
			t = RB_RIGHT(t, field); \
		else \
			return t; \
	} \
	return 0; \
} \
attr struct type *name##_RB_NFIND(struct name *head, struct type *elm) \
{ \
	struct type *t = RB_ROOT(head), *best = 0; \
	int c; \
	while (t != 0) { \
		if ((c = cmp(elm, t)) < 0) { \
			best = t; \
			t = RB_LEFT(t, field); \
		} else if (c > 0) \
			t = RB_RIGHT(t, field); \
		else \
			return t; \
	} \
	return best; \
} \
/* in order: the leftmost of the right subtree, else the first ancestor \
 * reached from a left child */ \
attr struct type *name##_RB_NEXT(struct type *elm) \
{ \
	struct type *p; \
	if (RB_RIGHT(elm, field) != 0) { \
		for (elm = RB_RIGHT(elm, field); RB_LEFT(elm, field) != 0; ) \
			elm = RB_LEFT(elm, field); \
		return elm; \
	} \
	while ((p = RB_PARENT(elm, field)) != 0 && elm == RB_RIGHT(p, field)) \
		elm = p; \
	return p; \
} \
attr struct type *name##_RB_PREV(struct type *elm) \
{ \
	struct type *p; \
	if (RB_LEFT(elm, field) != 0) { \
		for (elm = RB_LEFT(elm, field); RB_RIGHT(elm, field) != 0; ) \
			elm = RB_RIGHT(elm, field); \
		return elm; \
	} \
	while ((p = RB_PARENT(elm, field)) != 0 && elm == RB_LEFT(p, field)) \
		elm = p; \
	return p; \
} \
attr struct type *name##_RB_MINMAX(struct name *head, int val) \
{ \
	struct type *t = RB_ROOT(head), *last = 0; \
	while (t != 0) { \
		last = t; \
		t = val < 0 ? RB_LEFT(t, field) : RB_RIGHT(t, field); \
	} \
	return last; \
}

#endif
