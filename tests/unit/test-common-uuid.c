/* UUID v4: canonical form, version and variant bits, no repeats. */
#include "common/uuid.h"

#include <check.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "tests/lib/tt-check.h"

#define MANY 10000

START_TEST(format_and_bits)
{
	for (int n = 0; n < 100; n++) {
		char u[TUSK_UUID_STRLEN + 1];
		ck_assert_int_eq(tusk_uuid_v4(u), 0);
		ck_assert_uint_eq(strlen(u), 36);
		for (int i = 0; i < 36; i++) {
			if (i == 8 || i == 13 || i == 18 || i == 23)
				ck_assert_int_eq(u[i], '-');
			else
				ck_assert_msg(isxdigit((unsigned char)u[i]) &&
				                  !isupper((unsigned char)u[i]),
				              "%s", u);
		}
		ck_assert_int_eq(u[14], '4');                 /* version */
		ck_assert_ptr_nonnull(strchr("89ab", u[19])); /* RFC 4122 variant */
		ck_assert(tusk_uuid_valid(u));
	}
}
END_TEST

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

START_TEST(no_repeats)
{
	char(*u)[TUSK_UUID_STRLEN + 1] = calloc(MANY, sizeof(*u));
	for (int i = 0; i < MANY; i++)
		ck_assert_int_eq(tusk_uuid_v4(u[i]), 0);
	qsort(u, MANY, sizeof(*u), cmp);
	for (int i = 1; i < MANY; i++)
		ck_assert_str_ne(u[i - 1], u[i]);
	free(u);
}
END_TEST

START_TEST(validity)
{
	ck_assert(tusk_uuid_valid("0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7e"));
	ck_assert(tusk_uuid_valid("0B0E8F4E-5B8A-4C57-9D1E-2F3A4B5C6D7E"));
	ck_assert(!tusk_uuid_valid(NULL));
	ck_assert(!tusk_uuid_valid(""));
	ck_assert(!tusk_uuid_valid("0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7"));   /* short */
	ck_assert(!tusk_uuid_valid("0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7e0")); /* long */
	ck_assert(!tusk_uuid_valid("0b0e8f4e5b8a-4c57-9d1e-2f3a4b5c6d7e0"));  /* dash moved */
	ck_assert(!tusk_uuid_valid("0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7g"));  /* not hex */
	ck_assert(!tusk_uuid_valid("{0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7}"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("common-uuid");
	TCase *tc = tcase_create("uuid");
	tcase_add_test(tc, format_and_bits);
	tcase_add_test(tc, no_repeats);
	tcase_add_test(tc, validity);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
