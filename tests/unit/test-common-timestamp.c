/* ISO-8601 UTC times: checked against the C library's own gmtime/timegm. */
#include "common/timestamp.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tests/lib/tt-check.h"

START_TEST(format_matches_gmtime)
{
	/* Every 37 hours and a bit, 1901..2099: leap years and month ends. */
	for (int64_t s = -INT64_C(2208988800); s < INT64_C(4102444800); s += 133337) {
		time_t t = (time_t)s;
		struct tm tm;
		char want[64], got[TUSK_TIMESTAMP_STRLEN];
		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S.042Z", &tm);
		ck_assert_int_eq(tusk_timestamp_format(s * 1000000 + 42999, 3, got), 0);
		ck_assert_str_eq(got, want);

		int64_t back;
		ck_assert_int_eq(tusk_timestamp_parse(got, &back), 0);
		ck_assert_int_eq(back, s * 1000000 + 42000);
		ck_assert_int_eq(tusk_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
		                                      (unsigned)tm.tm_mday),
		                 (int64_t)(timegm(&tm) / 86400 - (s < 0 && s % 86400 ? 1 : 0)));
	}
}
END_TEST

START_TEST(digits)
{
	char out[TUSK_TIMESTAMP_STRLEN];
	int64_t us = INT64_C(1795702101123456);
	tusk_timestamp_format(us, 0, out);
	ck_assert_str_eq(out, "2026-11-26T14:08:21Z");
	tusk_timestamp_format(us, 3, out);
	ck_assert_str_eq(out, "2026-11-26T14:08:21.123Z");
	tusk_timestamp_format(us, 6, out);
	ck_assert_str_eq(out, "2026-11-26T14:08:21.123456Z");
	ck_assert_int_eq(tusk_timestamp_format(INT64_MAX, 6, out), -EINVAL);
}
END_TEST

START_TEST(parse_forms)
{
	int64_t us = 0;
	const int64_t want = INT64_C(1795702101123456);
	ck_assert_int_eq(tusk_timestamp_parse("2026-11-26T14:08:21.123456Z", &us), 0);
	ck_assert_int_eq(us, want);
	ck_assert_int_eq(tusk_timestamp_parse("2026-11-26 14:08:21.123456789z", &us), 0);
	ck_assert_int_eq(us, want);
	ck_assert_int_eq(tusk_timestamp_parse("2026-11-26T09:38:21.123456-04:30", &us), 0);
	ck_assert_int_eq(us, want);
	ck_assert_int_eq(tusk_timestamp_parse("2024-02-29T00:00:00Z", &us), 0);

	const char *bad[] = {
	    "2025-02-29T00:00:00Z",
	    "2026-13-01T00:00:00Z",
	    "2026-11-26T24:00:00Z",
	    "2026-11-26T14:08:21",
	    "2026-11-26T14:08:21.Z",
	    "2026-11-26T14:08:21Zjunk",
	    "2026-11-26",
	    "",
	    "2026-11-26T14:08:21.1234567890Z",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(tusk_timestamp_parse(bad[i], &us) == -EINVAL, "%s", bad[i]);
	ck_assert_int_eq(tusk_timestamp_parse(NULL, &us), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("common-timestamp");
	TCase *tc = tcase_create("timestamp");
	tcase_add_test(tc, format_matches_gmtime);
	tcase_add_test(tc, digits);
	tcase_add_test(tc, parse_forms);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
