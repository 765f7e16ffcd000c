/* test_cni_json.c - graft-cni's JSON parser (src/cni/json.c): what RFC 8259
 * allows parses to the right tree, what it does not is refused with an
 * offset; escapes, surrogates, UTF-8, numbers, limits; the writer gives
 * back text that parses to the same values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"

static char err[256];

static int
parse(struct json_doc *d, const char *s)
{
	return json_parse(d, s, strlen(s), err, sizeof(err));
}

static void
bad(const char *s, const char *why)
{
	struct json_doc d;

	if (json_parse(&d, s, strlen(s), err, sizeof(err)) == 0) {
		json_free(&d);
		fail_msg("accepted: %s", s);
	}
	if (why != NULL && strstr(err, why) == NULL)
		fail_msg("%s: error \"%s\" lacks \"%s\"", s, err, why);
	assert_null(d.root);
}

/* s parses to one string whose bytes are want */
static void
str_is(const char *s, const char *want)
{
	struct json_doc d;

	if (parse(&d, s) != 0)
		fail_msg("%s: %s", s, err);
	assert_int_equal(d.root->type, JSON_STRING);
	assert_string_equal(d.root->str, want);
	json_free(&d);
}

static void
test_values(void **state)
{
	struct json_doc d;
	const struct json *a, *o;

	(void)state;
	assert_int_equal(parse(&d, " {\"a\": [1, -0.5e+3, true, false, null,"
	    " \"x\", {}, []], \"b\": {\"c\": 2}}\n"), 0);
	assert_int_equal(d.root->type, JSON_OBJECT);
	assert_int_equal(d.root->n, 2);
	a = json_get(d.root, "a");
	assert_non_null(a);
	assert_int_equal(a->type, JSON_ARRAY);
	assert_int_equal(a->n, 8);
	assert_string_equal(a->v[0]->str, "1");
	assert_string_equal(a->v[1]->str, "-0.5e+3");
	assert_int_equal(a->v[2]->type, JSON_TRUE);
	assert_int_equal(a->v[3]->type, JSON_FALSE);
	assert_int_equal(a->v[4]->type, JSON_NULL);
	assert_string_equal(a->v[5]->str, "x");
	assert_int_equal(a->v[6]->type, JSON_OBJECT);
	assert_int_equal(a->v[6]->n, 0);
	assert_int_equal(a->v[7]->type, JSON_ARRAY);
	o = json_get(d.root, "b");
	assert_string_equal(json_get(o, "c")->str, "2");
	assert_null(json_get(d.root, "c"));
	assert_null(json_get(a, "a"));		/* not an object */
	json_free(&d);
	assert_int_equal(parse(&d, "0"), 0);	/* any value at the top */
	assert_int_equal(d.root->type, JSON_NUMBER);
	json_free(&d);
}

static void
test_escapes(void **state)
{
	(void)state;
	str_is("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "a\"b\\c/d\b\f\n\r\t");
	str_is("\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac");
	str_is("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80");	/* U+1F600 */
	str_is("\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf");	/* U+10FFFF */
	str_is("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");		/* raw UTF-8 */
	bad("\"\\x41\"", "bad escape");
	bad("\"\\u00\"", "\\u escape");
	bad("\"\\u12G4\"", "hex");
	bad("\"\\ud83d\"", "surrogate");		/* high alone */
	bad("\"\\ud83dx\"", "surrogate");
	bad("\"\\ud83d\\u0041\"", "surrogate");	/* high + not low */
	bad("\"\\ude00\"", "low surrogate");		/* low alone */
	bad("\"\\u0000\"", "\\u0000");
	bad("\"a\tb\"", "control character");
	bad("\"a\nb\"", "control character");
	bad("\"abc", "unterminated");
	bad("\"abc\\", "unterminated");
}

static void
test_utf8(void **state)
{
	(void)state;
	bad("\"\x80\"", "UTF-8");			/* continuation alone */
	bad("\"\xc0\xaf\"", "UTF-8");			/* overlong '/' */
	bad("\"\xe0\x80\xaf\"", "UTF-8");		/* overlong */
	bad("\"\xed\xa0\x80\"", "UTF-8");		/* encoded surrogate */
	bad("\"\xf4\x90\x80\x80\"", "UTF-8");		/* above U+10FFFF */
	bad("\"\xf5\x80\x80\x80\"", "UTF-8");
	bad("\"\xc3\"", "UTF-8");			/* cut short */
	bad("\"\xe2\x82\"", "UTF-8");
	bad("\"\xff\"", "UTF-8");
	str_is("\"\xed\x9f\xbf\"", "\xed\x9f\xbf");	/* U+D7FF */
	str_is("\"\xef\xbf\xbd\"", "\xef\xbf\xbd");	/* U+FFFD */
}

static void
test_numbers(void **state)
{
	static const char *good[] = { "0", "-0", "1", "123", "1.5", "-1.5e10",
	    "1E-2", "0.0", "1e+0", NULL };
	static const char *wrong[] = { "01", "-", "+1", ".5", "1.", "1e",
	    "1e+", "0x10", "- 1", "1.e5", "Infinity", "NaN", "-01", NULL };
	struct json_doc d;
	int i;

	(void)state;
	for (i = 0; good[i]; i++) {
		if (parse(&d, good[i]) != 0)
			fail_msg("%s: %s", good[i], err);
		assert_string_equal(d.root->str, good[i]);
		json_free(&d);
	}
	for (i = 0; wrong[i]; i++)
		bad(wrong[i], NULL);
}

static void
test_syntax(void **state)
{
	(void)state;
	bad("", "end of input");
	bad("   ", "end of input");
	bad("{} x", "trailing");
	bad("{}{}", "trailing");
	bad("[1,]", NULL);
	bad("[,1]", NULL);
	bad("{\"a\":1,}", "key");
	bad("{\"a\" 1}", "':'");
	bad("{a:1}", "key");
	bad("{'a':1}", "key");
	bad("[1 2]", "','");
	bad("[", NULL);
	bad("{\"a\":", NULL);
	bad("tru", NULL);
	bad("nulll", "trailing");
	bad("[True]", NULL);
	bad("/* c */ {}", NULL);
	{
		struct json_doc d;

		assert_int_equal(json_parse(&d, "{}\0", 3, err, sizeof(err)),
		    -1);
		assert_non_null(strstr(err, "trailing"));
		assert_int_equal(json_parse(&d, "\"a\0b\"", 5, err,
		    sizeof(err)), -1);
		assert_non_null(strstr(err, "control character"));
	}
}

static void
test_duplicates(void **state)
{
	struct json_doc d;

	(void)state;
	bad("{\"a\":1,\"b\":2,\"a\":3}", "duplicate key \"a\"");
	bad("{\"x\":{\"k\":1,\"k\":1}}", "duplicate key \"k\"");
	bad("[{\"k\":1,\"k\":2}]", "duplicate");
	bad("{\"\\u0061\":1,\"a\":2}", "duplicate key \"a\"");	/* decoded */
	/* CNI 1.1's key, "/" escaped or not (encoders may write "\/") */
	bad("{\"cni.dev/valid-attachments\":[],\"cni.dev\\/valid-attachments\""
	    ":[]}", "duplicate key \"cni.dev/valid-attachments\"");
	assert_int_equal(parse(&d, "{\"cni.dev\\/valid-attachments\":[]}"), 0);
	assert_non_null(json_get(d.root, "cni.dev/valid-attachments"));
	json_free(&d);
	/* the same key in different objects is fine */
	assert_int_equal(parse(&d, "[{\"k\":1},{\"k\":2}]"), 0);
	json_free(&d);
	assert_int_equal(parse(&d, "{\"a\":1,\"A\":2,\"\":3}"), 0);
	json_free(&d);
}

static void
test_limits(void **state)
{
	struct json_doc d;
	char *s;
	size_t i, n;

	(void)state;
	/* depth: JSON_MAXDEPTH containers parse, one more does not */
	s = malloc(2 * JSON_MAXDEPTH + 3);
	assert_non_null(s);
	for (n = 0; n < JSON_MAXDEPTH; n++)
		s[n] = '[';
	for (i = 0; i < JSON_MAXDEPTH; i++)
		s[n++] = ']';
	s[n] = '\0';
	assert_int_equal(parse(&d, s), 0);
	json_free(&d);
	memmove(s + 1, s, n + 1);
	s[0] = '[';
	s[n + 1] = ']';
	s[n + 2] = '\0';
	bad(s, "nested deeper");
	free(s);

	/* size */
	n = JSON_MAXSIZE + 1;
	s = malloc(n + 1);
	assert_non_null(s);
	memset(s, ' ', n);
	s[0] = '0';
	s[n] = '\0';
	bad(s, "longer than");
	s[n - 1] = '\0';			/* exactly the limit: fine */
	assert_int_equal(parse(&d, s), 0);
	json_free(&d);

	/* values: an array of JSON_MAXITEMS values is one too many */
	n = 0;
	s[n++] = '[';
	for (i = 0; i < JSON_MAXITEMS; i++) {
		s[n++] = '0';
		s[n++] = ',';
	}
	s[n - 1] = ']';
	s[n] = '\0';
	bad(s, "more than");
	s[n - 3] = ']';			/* JSON_MAXITEMS - 1 numbers + the array */
	s[n - 2] = '\0';
	assert_int_equal(parse(&d, s), 0);
	assert_int_equal(d.root->n, JSON_MAXITEMS - 1);
	json_free(&d);
	free(s);
}

/* What the writer gives back parses to the same text again. */
static void
test_writer(void **state)
{
	static const char *in = "{\"s\":\"q\\\"b\\\\ \\u0001 \\u00e9 \\n\","
	    "\"n\":[-1.5e3,0,true,false,null],\"o\":{\"\":{}},\"a\":[]}";
	struct json_doc d, d2;
	struct jbuf b = { 0 }, b2 = { 0 };

	(void)state;
	assert_int_equal(parse(&d, in), 0);
	jb_value(&b, d.root);
	assert_false(b.oom);
	assert_string_equal(b.buf, "{\"s\":\"q\\\"b\\\\ \\u0001 \xc3\xa9 "
	    "\\u000a\",\"n\":[-1.5e3,0,true,false,null],\"o\":{\"\":{}},"
	    "\"a\":[]}");
	assert_int_equal(parse(&d2, b.buf), 0);
	jb_value(&b2, d2.root);
	assert_string_equal(b.buf, b2.buf);
	json_free(&d);
	json_free(&d2);
	jb_free(&b);
	jb_free(&b2);
}

/* The writer's strings are JSON even from bytes that are not UTF-8 (a
 * message quoting bad input, or cut inside a sequence). */
static void
test_writer_bytes(void **state)
{
	struct jbuf b = { 0 };
	struct json_doc d;

	(void)state;
	jb_str(&b, "a\xe6" "b\xc3\xa9\xe2\x82\x7f\x01");
	assert_string_equal(b.buf, "\"a\\ufffd" "b\xc3\xa9\\ufffd\\ufffd\x7f"
	    "\\u0001\"");
	assert_int_equal(parse(&d, b.buf), 0);
	json_free(&d);
	jb_free(&b);
	bad("\"\\\xe6\"", "bad escape \\ and byte 0xe6");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_writer_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
