/* The typed CellValue mapping on texts PostgreSQL 15 really prints (copied
 * from psql -At output of the queries named beside them). */
#include "common/cellvalue.h"
#include "common/cleanup.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tests/lib/tt-check.h"

static json_t *typed(TuskOid oid, const char *text)
{
	return tusk_cell_typed(oid, text, text ? strlen(text) : 0);
}

/* The exact dump of the mapping of text. */
static char *typed_dump(TuskOid oid, const char *text)
{
	_cleanup_json_ json_t *v = typed(oid, text);
	ck_assert_ptr_nonnull(v);
	char *s = tusk_json_dumps_exact(v);
	ck_assert_ptr_nonnull(s);
	return s;
}

#define ck_typed(oid, text, want)                                  \
	do {                                                       \
		_cleanup_free_ char *got_ = typed_dump(oid, text); \
		ck_assert_str_eq(got_, want);                      \
	} while (0)

START_TEST(nulls_and_bools)
{
	ck_typed(TUSK_OID_TEXT, NULL, "null");
	ck_typed(TUSK_OID_INT4, NULL, "null");
	ck_typed(TUSK_OID_BOOL, "t", "true");
	ck_typed(TUSK_OID_BOOL, "f", "false");
	ck_typed(TUSK_OID_BOOL, "yes", "\"yes\"");
	ck_typed(TUSK_OID_TEXT, "", "\"\"");
	ck_typed(TUSK_OID_TEXT, "NULL", "\"NULL\"");
}
END_TEST

START_TEST(integers)
{
	_cleanup_json_ json_t *min = typed(TUSK_OID_INT8, "-9223372036854775808");
	_cleanup_json_ json_t *max = typed(TUSK_OID_INT8, "9223372036854775807");
	ck_assert(json_is_integer(min) && json_is_integer(max));
	ck_assert(json_integer_value(min) == INT64_MIN);
	ck_assert(json_integer_value(max) == INT64_MAX);
	ck_typed(TUSK_OID_INT8, "-9223372036854775808", "-9223372036854775808");
	ck_typed(TUSK_OID_INT8, "9223372036854775807", "9223372036854775807");
	ck_typed(TUSK_OID_INT2, "-32768", "-32768");
	ck_typed(TUSK_OID_INT4, "2147483647", "2147483647");
	ck_typed(TUSK_OID_OID, "4294967295", "4294967295");
	ck_typed(TUSK_OID_INT4, "0", "0");
	/* Not what int8out prints: kept as text rather than guessed at. */
	ck_typed(TUSK_OID_INT8, "9223372036854775808", "\"9223372036854775808\"");
	ck_typed(TUSK_OID_INT4, " 1", "\" 1\"");
	ck_typed(TUSK_OID_INT4, "-", "\"-\"");
	ck_typed(TUSK_OID_INT4, "1e3", "\"1e3\"");
}
END_TEST

/* select 1e15::float8, 1e14::float8, …, '-0'::float8 (PostgreSQL 15,
 * extra_float_digits 1): each must come back as the very same text. */
static const char *const pg_float8_texts[] = {
    "1e+15",
    "100000000000000",
    "123456789012345.6",
    "0.0001",
    "1e-05",
    "0.1",
    "1.7976931348623157e+308",
    "-1.7976931348623157e+308",
    "2.2250738585072014e-308",
    "5e-324",
    "1e-310",
    "1e+22",
    "-1.5e-07",
    "-0",
    "0",
    "3.141592653589793",
    "1.5",
    "-123.456",
    "4.35",
    "0.30000000000000004",
    "2.5e-05",
    "123456789012345",
    "1.2345678901234568e+15",
    "3.4028235e+38",
    "1e-45",
};

START_TEST(floats_print_back_as_postgresql_did)
{
	for (size_t i = 0; i < sizeof(pg_float8_texts) / sizeof(pg_float8_texts[0]); i++) {
		const char *t = pg_float8_texts[i];
		_cleanup_json_ json_t *v = typed(TUSK_OID_FLOAT8, t);
		ck_assert_msg(json_is_real(v), "%s is a JSON number", t);
		ck_assert_double_eq(json_real_value(v), strtod(t, NULL));
		ck_assert(signbit(json_real_value(v)) == (t[0] == '-'));
		_cleanup_free_ char *s = tusk_json_dumps_exact(v);
		ck_assert_str_eq(s, t);
	}
	/* float8out leaves out a shorter decimal lying exactly halfway
	 * between two doubles (select 1e23::float8); we print the shorter
	 * one, which names the very same double. */
	_cleanup_json_ json_t *half = typed(TUSK_OID_FLOAT8, "9.999999999999999e+22");
	ck_assert_double_eq(json_real_value(half), 1e23);
	_cleanup_free_ char *half_s = tusk_json_dumps_exact(half);
	ck_assert_str_eq(half_s, "1e+23");
	ck_typed(TUSK_OID_FLOAT8, "NaN", "\"NaN\"");
	ck_typed(TUSK_OID_FLOAT8, "Infinity", "\"Infinity\"");
	ck_typed(TUSK_OID_FLOAT8, "-Infinity", "\"-Infinity\"");
	ck_typed(TUSK_OID_FLOAT4, "NaN", "\"NaN\"");
	/* float4 texts name their decimal; the double nearest to it prints
	 * back as the same text, which float4in reads as the same float. */
	ck_typed(TUSK_OID_FLOAT4, "0.1", "0.1");
	ck_typed(TUSK_OID_FLOAT4, "3.4028235e+38", "3.4028235e+38");
	ck_typed(TUSK_OID_FLOAT4, "1e-45", "1e-45");
	ck_typed(TUSK_OID_FLOAT4, "1e+06", "1000000");
	/* No strtod extensions: PostgreSQL never prints these for floats. */
	ck_typed(TUSK_OID_FLOAT8, "0x1p3", "\"0x1p3\"");
	ck_typed(TUSK_OID_FLOAT8, "inf", "\"inf\"");
}
END_TEST

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* No double changes value on the way through the mapping and either dump:
 * ours (shortest) and jansson's own (17 digits). */
START_TEST(every_double_round_trips)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < 100000; i++) {
		uint64_t bits = xorshift(&seed);
		/* Every third one a small-exponent or subnormal pattern. */
		if (i % 3 == 0)
			bits &= 0x800fffffffffffffULL | ((bits & 3) << 52);
		double d;
		memcpy(&d, &bits, sizeof(d));
		if (!isfinite(d))
			continue;
		char text[TUSK_DOUBLE_STRLEN];
		size_t n = tusk_double_text(d, text);
		ck_assert_uint_eq(n, strlen(text));
		double back = strtod(text, NULL);
		ck_assert_msg(memcmp(&back, &d, sizeof(d)) == 0, "%a → %s → %a", d, text, back);

		/* Shortest: with one significant digit fewer, the nearest
		 * decimal no longer reads back. */
		char sigdigits[32];
		int sig = 0;
		for (const char *p = text; *p && *p != 'e'; p++)
			if (*p >= '0' && *p <= '9' && (sig > 0 || *p != '0'))
				sigdigits[sig++] = *p;
		while (sig > 0 && sigdigits[sig - 1] == '0')
			sig--;
		if (sig > 1) {
			char shorter[48];
			snprintf(shorter, sizeof(shorter), "%.*e", sig - 2, d);
			ck_assert_msg(strtod(shorter, NULL) != d,
			              "%s is not the shortest (%s reads back)", text, shorter);
		}

		_cleanup_json_ json_t *v = tusk_cell_typed(TUSK_OID_FLOAT8, text, n);
		ck_assert(json_is_real(v));
		_cleanup_free_ char *jd = json_dumps(v, JSON_ENCODE_ANY);
		_cleanup_json_ json_t *jback = json_loads(jd, JSON_DECODE_ANY, NULL);
		ck_assert_ptr_nonnull(jback);
		double jv = json_number_value(jback);
		ck_assert_msg(memcmp(&jv, &d, sizeof(d)) == 0, "jansson: %s → %s", text, jd);
	}
}
END_TEST

START_TEST(json_kept_when_lossless)
{
	/* select '{"a": 1, "b": [true, null, 2.5]}'::jsonb */
	ck_typed(TUSK_OID_JSONB, "{\"a\": 1, \"b\": [true, null, 2.5]}",
	         "{\"a\":1,\"b\":[true,null,2.5]}");
	ck_typed(TUSK_OID_JSON, "[1, 2.5e3, -7]", "[1,2500,-7]");
	/* select '1.000'::jsonb — the same number. */
	ck_typed(TUSK_OID_JSONB, "1.000", "1");
	ck_typed(TUSK_OID_JSONB, "true", "true");
	ck_typed(TUSK_OID_JSONB, "{\"é\": \"\\u00e9😀\"}", "{\"é\":\"é😀\"}");
	ck_typed(TUSK_OID_JSONB, "9223372036854775807", "9223372036854775807");
	ck_typed(TUSK_OID_JSONB, "{\"x\": 0.1, \"y\": 1e-310}", "{\"x\":0.1,\"y\":1e-310}");
	/* Key order is kept. */
	ck_typed(TUSK_OID_JSON, "{\"z\":1,\"a\":2}", "{\"z\":1,\"a\":2}");
}
END_TEST

START_TEST(json_kept_as_text_when_parsing_would_change_it)
{
	const char *const texts[] = {
	    "{\"a\":1,\"a\":2}",                    /* json keeps duplicate keys */
	    "{\"x\": {\"k\": 1, \"k\": 1}}",        /* nested too */
	    "12345678901234567890123",              /* beyond long long */
	    "[-9223372036854775809]",               /* just beyond */
	    "0.1000000000000000055511151231257827", /* beyond a double's digits */
	    "{\"n\": 1.00000000000000001}",         /* rounds to 1 */
	    "[-0]",                                 /* -0 would print as 0 */
	    "1e400",                                /* overflow */
	    "[1e-400]",                             /* underflow to 0 */
	    "4.9406564584124654e-324",              /* not 5e-324's decimal */
	    "\"\\u0000\"",                          /* NUL in a string */
	    "[\"\\ud800\"]",                        /* lone surrogate */
	    "\"abc\"",                              /* a JSON string: its text */
	    "null",                                 /* JSON null is not SQL NULL */
	    "[1,]",                                 /* not JSON (cannot come from PG) */
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		_cleanup_json_ json_t *v = typed(TUSK_OID_JSON, texts[i]);
		ck_assert_msg(json_is_string(v), "%s stays text", texts[i]);
		ck_assert_str_eq(json_string_value(v), texts[i]);
	}
	/* A JSON string that looks like the text of an object stays
	 * distinguishable from an object with duplicate keys kept as text. */
	ck_typed(TUSK_OID_JSON, "\"{\\\"a\\\":1}\"", "\"\\\"{\\\\\\\"a\\\\\\\":1}\\\"\"");
}
END_TEST

START_TEST(arrays)
{
	/* select array['a,b','NULL',null,'','q"x','b\s','{}',' sp','null']::text[] */
	ck_typed(1009, "{\"a,b\",\"NULL\",NULL,\"\",\"q\\\"x\",\"b\\\\s\",\"{}\",\" sp\",\"null\"}",
	         "[\"a,b\",\"NULL\",null,\"\",\"q\\\"x\",\"b\\\\s\",\"{}\",\" sp\",\"null\"]");
	ck_typed(1007, "{{1,2},{3,NULL}}", "[[1,2],[3,null]]");
	ck_typed(1007, "{}", "[]");
	ck_typed(1007, "{{{{{{1}}}}}}", "[[[[[[1]]]]]]");
	/* Explicit bounds stay text. */
	ck_typed(1007, "[0:2]={1,2,3}", "\"[0:2]={1,2,3}\"");
	/* box[] separates with ';' (pg_type.typdelim). */
	ck_typed(1020, "{(1,1),(0,0);(3,3),(2,2)}", "[\"(1,1),(0,0)\",\"(3,3),(2,2)\"]");
	/* Elements typed: floats, bools, int8 extremes. */
	ck_typed(1022, "{1.5,NaN,-Infinity,-0,1e-310}", "[1.5,\"NaN\",\"-Infinity\",-0,1e-310]");
	ck_typed(1000, "{t,f,NULL}", "[true,false,null]");
	ck_typed(1016, "{-9223372036854775808,9223372036854775807}",
	         "[-9223372036854775808,9223372036854775807]");
	/* json[] elements stay JSON text. */
	ck_typed(199, "{\"{\\\"a\\\":1}\",\"[1,2]\",\"null\",\"\\\"s\\\"\"}",
	         "[\"{\\\"a\\\":1}\",\"[1,2]\",\"null\",\"\\\"s\\\"\"]");
	/* record[] and bytea[] elements are text. */
	ck_typed(2287, "{\"(1,\\\"a b\\\",)\",\"(2,\\\"x\\\"\\\"y\\\",\\\"\\\")\"}",
	         "[\"(1,\\\"a b\\\",)\",\"(2,\\\"x\\\"\\\"y\\\",\\\"\\\")\"]");
	ck_typed(1001, "{\"\\\\x00ff\"}", "[\"\\\\x00ff\"]");
	ck_typed(1231, "{1.50,NaN}", "[\"1.50\",\"NaN\"]");
	/* Not array_out's text: kept. */
	ck_typed(1007, "{1,2", "\"{1,2\"");
	ck_typed(1007, "{1,,2}", "\"{1,,2}\"");
	ck_typed(1007, "{1}x", "\"{1}x\"");
	ck_typed(1007, "{{{{{{{1}}}}}}}", "\"{{{{{{{1}}}}}}}\"");
	ck_typed(1007, "", "\"\"");
	/* int2vector prints "1 2": not an array text. */
	ck_assert_uint_eq(tusk_cell_array_elem(22), 0);
	ck_assert_uint_eq(tusk_cell_array_elem(30), 0);
	ck_assert_uint_eq(tusk_cell_array_elem(1007), 23);
	ck_assert_uint_eq(tusk_cell_array_elem(1020), 603);
	ck_assert_uint_eq(tusk_cell_array_elem(6157), 4536);
	ck_assert_uint_eq(tusk_cell_array_elem(23), 0);
	/* A user type's array with its element OID, or as text elements. */
	const char *t = "{1,NULL}";
	_cleanup_json_ json_t *u = tusk_cell_typed_elem(70000, TUSK_OID_INT4, t, strlen(t));
	_cleanup_free_ char *us = tusk_json_dumps_exact(u);
	ck_assert_str_eq(us, "[1,null]");
	_cleanup_json_ json_t *u0 = tusk_cell_typed_elem(70000, 0, t, strlen(t));
	_cleanup_free_ char *u0s = tusk_json_dumps_exact(u0);
	ck_assert_str_eq(u0s, "[\"1\",null]");
}
END_TEST

START_TEST(other_types_are_text)
{
	ck_typed(TUSK_OID_NUMERIC, "123456789012345678901234567890.000000000000000000001",
	         "\"123456789012345678901234567890.000000000000000000001\"");
	ck_typed(TUSK_OID_NUMERIC, "NaN", "\"NaN\"");
	ck_typed(TUSK_OID_BYTEA, "\\x00ff", "\"\\\\x00ff\"");
	ck_typed(1184, "2024-01-01 12:00:00+00", "\"2024-01-01 12:00:00+00\"");
	ck_typed(1082, "infinity", "\"infinity\"");
	ck_typed(1186, "-1 years -2 mons +3 days -04:05:06",
	         "\"-1 years -2 mons +3 days -04:05:06\"");
	/* Not NUL-terminated: only len bytes count. */
	_cleanup_json_ json_t *v = tusk_cell_typed(TUSK_OID_INT4, "12345", 2);
	ck_assert_int_eq(json_integer_value(v), 12);
	_cleanup_json_ json_t *s = tusk_cell_typed(TUSK_OID_TEXT, "abcdef", 3);
	ck_assert_str_eq(json_string_value(s), "abc");
	/* Invalid UTF-8 cannot become a JSON string. */
	ck_assert_ptr_null(tusk_cell_typed(TUSK_OID_TEXT, "\xff", 1));
}
END_TEST

static json_t *sample_value(void)
{
	return json_pack("{s:s, s:[i, b, n, s#], s:{s:s}, s:s}", "ctl",
	                 "a\"b\\c\n\r\t\b\f\x01\x1f/\x7f", "arr", (json_int_t)-5, 1, "x\0y", (int)3,
	                 "nested", "é", "😀 ‏עברית", "", "empty key");
}

/* Without reals our dump is jansson's compact dump, byte for byte. */
START_TEST(dump_matches_jansson_without_reals)
{
	_cleanup_json_ json_t *v = sample_value();
	ck_assert_ptr_nonnull(v);
	_cleanup_free_ char *ours = tusk_json_dumps_exact(v);
	_cleanup_free_ char *theirs = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	ck_assert_str_eq(ours, theirs);
	_cleanup_json_ json_t *back = json_loads(ours, JSON_ALLOW_NUL, NULL);
	ck_assert(json_equal(back, v));
	/* Non-finite reals have no JSON form. */
	_cleanup_json_ json_t *r = json_real(1.0);
	ck_assert_ptr_nonnull(r);
	_cleanup_free_ char *one = tusk_json_dumps_exact(r);
	ck_assert_str_eq(one, "1");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cellvalue");
	TCase *tc = tcase_create("mapping");
	tcase_add_test(tc, nulls_and_bools);
	tcase_add_test(tc, integers);
	tcase_add_test(tc, floats_print_back_as_postgresql_did);
	tcase_add_test(tc, every_double_round_trips);
	tcase_add_test(tc, json_kept_when_lossless);
	tcase_add_test(tc, json_kept_as_text_when_parsing_would_change_it);
	tcase_add_test(tc, arrays);
	tcase_add_test(tc, other_types_are_text);
	tcase_add_test(tc, dump_matches_jansson_without_reals);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
