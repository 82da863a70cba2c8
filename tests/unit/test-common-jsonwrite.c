/* The compact JSON writer writes exactly jansson's JSON_COMPACT bytes:
 * compared with json_dumps on fixed values (escapes, reals, key order,
 * nesting) and on many random trees. */
#include "common/jsonwrite.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/tt-check.h"

static void check_same(const json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	ck_assert_ptr_nonnull(want);
	struct tusk_jbuf b = {0};
	ck_assert_int_eq(tusk_json_write(&b, v), 0);
	ck_assert_uint_eq(b.len, strlen(want));
	ck_assert_str_eq(b.p, want);
	free(want);
	free(b.p);
}

START_TEST(fixed_values)
{
	static const double reals[] = {0.0,    -0.0,    1.0,     0.1,    0.299,
	                               1e300,  1e-300,  123e20,  1.5e-7, -2.5,
	                               1e17,   DBL_MAX, DBL_MIN, 5e-324, 12345678901234567890.0,
	                               0.5e-5, 100.0};
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		json_t *r = json_real(reals[i]);
		check_same(r);
		json_decref(r);
	}
	static const json_int_t ints[] = {0,         1,        -1, 9, 10, -10, 1234567890123LL,
	                                  INT64_MAX, INT64_MIN};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		json_t *n = json_integer(ints[i]);
		check_same(n);
		json_decref(n);
	}
	json_t *v = json_pack("{s:s, s:s, s:s, s:[n, b, b, {}, []], s:{s:i, s:f}, s:s#}", "plain",
	                      "select 1", "escapes", "q\"b\\s/\n\r\t\b\f\x01\x1f\x7f", "utf8",
	                      "é€𝄞 ünïcödé", "mixed", 1, 0, "nested", "z", 3, "a", 0.25, "nul",
	                      "a\0b", (size_t)3);
	/* Keys in insertion order, keys that need escaping. */
	json_object_set_new(v, "k\"ey\n", json_string("x"));
	json_object_set_new(v, "", json_null());
	check_same(v);
	json_decref(v);
}
END_TEST

static json_t *random_tree(unsigned *seed, int depth)
{
	int kind = rand_r(seed) % (depth > 4 ? 6 : 8);
	char s[16];
	switch (kind) {
	case 0:
		return json_null();
	case 1:
		return json_boolean(rand_r(seed) % 2);
	case 2:
		return json_integer((json_int_t)rand_r(seed) * (rand_r(seed) % 2 ? -1 : 1));
	case 3:
		return json_real(
		    ldexp((double)rand_r(seed) - RAND_MAX / 2, rand_r(seed) % 200 - 100));
	case 4:
	case 5:
		for (size_t i = 0; i < sizeof(s) - 1; i++)
			s[i] = (char)(1 + rand_r(seed) % 127);
		s[rand_r(seed) % (sizeof(s) - 1)] = '\0';
		return json_string(s);
	case 6: {
		json_t *a = json_array();
		for (int i = rand_r(seed) % 5; i > 0; i--)
			json_array_append_new(a, random_tree(seed, depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (int i = rand_r(seed) % 5; i > 0; i--) {
			snprintf(s, sizeof(s), "k%d\t%d", rand_r(seed) % 100, i);
			json_object_set_new(o, s, random_tree(seed, depth + 1));
		}
		return o;
	}
	}
}

START_TEST(random_trees)
{
	unsigned seed = 14;
	for (int i = 0; i < 2000; i++) {
		json_t *v = random_tree(&seed, 0);
		check_same(v);
		json_decref(v);
	}
}
END_TEST

START_TEST(refusals)
{
	/* Nothing, a NaN or infinity (jansson refuses them too) and nesting
	 * deeper than the limit fail rather than write something else. */
	struct tusk_jbuf b = {0};
	char buf[32];
	ck_assert_int_eq(tusk_json_write(&b, NULL), -1);
	ck_assert_uint_eq(tusk_json_real_text(NAN, buf), 0);
	ck_assert_uint_eq(tusk_json_real_text(INFINITY, buf), 0);
	json_t *deep = json_array();
	for (int i = 0; i < 3000; i++) {
		json_t *outer = json_array();
		json_array_append_new(outer, deep);
		deep = outer;
	}
	ck_assert_int_eq(tusk_json_write(&b, deep), -1);
	free(b.p);
	json_decref(deep);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("common-jsonwrite");
	TCase *tc = tcase_create("jsonwrite");
	tcase_add_test(tc, fixed_values);
	tcase_add_test(tc, random_trees);
	tcase_add_test(tc, refusals);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
