/* tusk_rpc_parse: strict UTF-8, NUL bytes, nesting depth, duplicate keys
 * and syntax errors, each reported as a parse error a person can act on. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/jsonrpc.h"
#include "tests/lib/tt-check.h"

/* Parse len bytes; expect failure with a message containing want. */
static void expect_parse_error(const char *text, size_t len, const char *want)
{
	TuskError e = TUSK_ERROR_INIT;
	json_t *v = tusk_rpc_parse(text, len, TUSK_RPC_DEFAULT_MAX_DEPTH, &e);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(e.kind, TUSK_ERR_PARSE);
	ck_assert_msg(strstr(tusk_error_message(&e), want), "message \"%s\" lacks \"%s\"",
	              tusk_error_message(&e), want);
	tusk_error_clear(&e);
}

static json_t *parse_ok(const char *text, size_t len)
{
	TuskError e = TUSK_ERROR_INIT;
	json_t *v = tusk_rpc_parse(text, len, TUSK_RPC_DEFAULT_MAX_DEPTH, &e);
	ck_assert_msg(v != NULL, "parse failed: %s", tusk_error_message(&e));
	ck_assert_int_eq(e.kind, TUSK_ERR_NONE);
	return v;
}

START_TEST(valid_request)
{
	const char *s = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"daemon.ping\"}";
	json_t *v = parse_ok(s, strlen(s));
	ck_assert(json_is_object(v));
	ck_assert_str_eq(json_string_value(json_object_get(v, "method")), "daemon.ping");
	json_decref(v);
}
END_TEST

/* The byte string "{\"s\":\"" + seq + "\"}" puts seq at byte 6. */
static const struct {
	const char *seq;
	const char *reason;
} bad_utf8[] = {
    {"\x80", "unexpected continuation byte"},
    {"\xBF", "unexpected continuation byte"},
    {"\xC0\xAF", "overlong encoding"},
    {"\xC1\xBF", "overlong encoding"},
    {"\xE0\x80\xAF", "overlong encoding"},
    {"\xE0\x9F\xBF", "overlong encoding"},
    {"\xF0\x80\x80\xAF", "overlong encoding"},
    {"\xF0\x8F\xBF\xBF", "overlong encoding"},
    {"\xED\xA0\x80", "UTF-16 surrogate"},
    {"\xED\xBF\xBF", "UTF-16 surrogate"},
    {"\xF4\x90\x80\x80", "code point above U+10FFFF"},
    {"\xF5\x80\x80\x80", "code point above U+10FFFF"},
    {"\xF7\xBF\xBF\xBF", "code point above U+10FFFF"},
    {"\xFF", "a byte that never occurs in UTF-8"},
    {"\xF8\x88\x80\x80\x80", "a byte that never occurs in UTF-8"},
    {"\xE2\x28\xA1", "incomplete sequence"},
    {"\xC3", "incomplete sequence"},
};

START_TEST(invalid_utf8)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "{\"s\":\"%s\"}", bad_utf8[_i].seq);
	char want[96];
	snprintf(want, sizeof(want), "invalid UTF-8 at byte 6: %s", bad_utf8[_i].reason);
	expect_parse_error(buf, (size_t)n, want);
}
END_TEST

START_TEST(truncated_at_end_of_line)
{
	/* A multi-byte sequence cut off by the end of the line. */
	expect_parse_error("\"\xE2\x82", 3, "invalid UTF-8 at byte 1: incomplete sequence");
	/* Outside a string, too: the check does not depend on JSON syntax. */
	expect_parse_error("{\"a\":1}\xC3\xA9\xE2", 10, "invalid UTF-8 at byte 9");
}
END_TEST

START_TEST(valid_utf8_edges)
{
	/* é, €, U+1F600, the last code point before the surrogates, the first
	 * after them, and U+10FFFF. */
	const char *s = "[\"\xC3\xA9\",\"\xE2\x82\xAC\",\"\xF0\x9F\x98\x80\",\"\xED\x9F\xBF\","
	                "\"\xEE\x80\x80\",\"\xF4\x8F\xBF\xBF\"]";
	json_t *v = parse_ok(s, strlen(s));
	ck_assert_uint_eq(json_array_size(v), 6);
	ck_assert_str_eq(json_string_value(json_array_get(v, 2)), "\xF0\x9F\x98\x80");
	json_decref(v);
}
END_TEST

START_TEST(nul_bytes)
{
	expect_parse_error("{\"a\0\":1}", 8, "NUL byte at byte 3");
	expect_parse_error("{}\0", 3, "NUL byte at byte 2");
	expect_parse_error("\0{}", 3, "NUL byte at byte 0");
	/* The escaped form is refused too (by jansson), so no NUL reaches a
	 * C string in the daemon. */
	const char *esc = "{\"a\":\"x\\u0000y\"}";
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_ptr_null(tusk_rpc_parse(esc, strlen(esc), 0, &e));
	ck_assert_int_eq(e.kind, TUSK_ERR_PARSE);
	tusk_error_clear(&e);
}
END_TEST

static char *nested(size_t depth, char open, char close)
{
	char *s = malloc(2 * depth + 1);
	memset(s, open, depth);
	memset(s + depth, close, depth);
	s[2 * depth] = '\0';
	return s;
}

START_TEST(depth_limit)
{
	char *ok = nested(64, '[', ']');
	json_t *v = parse_ok(ok, strlen(ok));
	json_decref(v);

	char *deep = nested(65, '[', ']');
	expect_parse_error(deep, strlen(deep), "nesting deeper than 64 at byte 64");

	/* Objects count like arrays. */
	char mixed[2048] = "";
	for (int i = 0; i < 65; i++)
		strcat(mixed, i % 2 ? "[" : "{\"k\":");
	expect_parse_error(mixed, strlen(mixed), "nesting deeper than 64");

	/* Brackets inside strings, escaped quotes included, are text. */
	char str[512];
	snprintf(str, sizeof(str), "{\"a\":\"\\\"%s\"}", deep);
	v = parse_ok(str, strlen(str));
	json_decref(v);

	/* Siblings do not add up: 100 arrays side by side at depth 2. */
	char wide[512] = "[";
	for (int i = 0; i < 100; i++)
		strcat(wide, i ? ",[]" : "[]");
	strcat(wide, "]");
	v = parse_ok(wide, strlen(wide));
	ck_assert_uint_eq(json_array_size(v), 100);
	json_decref(v);
	free(ok);
	free(deep);
}
END_TEST

START_TEST(custom_depth_and_default)
{
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_ptr_null(tusk_rpc_parse("[[[]]]", 6, 2, &e));
	ck_assert_str_eq(tusk_error_message(&e), "nesting deeper than 2 at byte 2");
	tusk_error_clear(&e);
	json_t *v = tusk_rpc_parse("[[]]", 4, 2, &e);
	ck_assert_ptr_nonnull(v);
	json_decref(v);
	/* 0 means the default limit. */
	char *deep = nested(65, '[', ']');
	ck_assert_ptr_null(tusk_rpc_parse(deep, strlen(deep), 0, &e));
	ck_assert_int_eq(e.kind, TUSK_ERR_PARSE);
	tusk_error_clear(&e);
	free(deep);
}
END_TEST

START_TEST(duplicate_keys)
{
	const char *s = "{\"id\":1,\"method\":\"a\",\"id\":2}";
	expect_parse_error(s, strlen(s), "duplicate object key");
}
END_TEST

START_TEST(syntax_errors)
{
	expect_parse_error("{} x", 4, "invalid JSON at byte");
	expect_parse_error("{}{}", 4, "invalid JSON");
	expect_parse_error("{\"a\":}", 6, "invalid JSON");
	expect_parse_error("{\"a\":1", 6, "invalid JSON");
	expect_parse_error("   ", 3, "invalid JSON");
	expect_parse_error("", 0, "invalid JSON");
	/* A lone UTF-16 surrogate escape is refused by jansson. */
	const char *sur = "[\"\\ud800\"]";
	expect_parse_error(sur, strlen(sur), "invalid JSON");
}
END_TEST

START_TEST(scalars_parse_for_validation_to_refuse)
{
	/* JSON-RPC calls valid JSON that is not a request "invalid request",
	 * so parse accepts it and leaves the verdict to validation. */
	json_t *v = parse_ok("42", 2);
	ck_assert(json_is_integer(v));
	json_decref(v);
}
END_TEST

static Suite *parse_suite(void)
{
	Suite *s = suite_create("protocol-parse");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, valid_request);
	tcase_add_loop_test(tc, invalid_utf8, 0, sizeof(bad_utf8) / sizeof(bad_utf8[0]));
	tcase_add_test(tc, truncated_at_end_of_line);
	tcase_add_test(tc, valid_utf8_edges);
	tcase_add_test(tc, nul_bytes);
	tcase_add_test(tc, depth_limit);
	tcase_add_test(tc, custom_depth_and_default);
	tcase_add_test(tc, duplicate_keys);
	tcase_add_test(tc, syntax_errors);
	tcase_add_test(tc, scalars_parse_for_validation_to_refuse);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tt_run_suite(parse_suite());
}
