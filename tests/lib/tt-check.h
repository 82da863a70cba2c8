/* The one main of every Check suite: run all its tests in forked children
 * and turn the failures into the process's exit status. */
#pragma once

#include <check.h>
#include <stdlib.h>

/* Runs every test of s (the runner frees s); EXIT_FAILURE when any failed. */
static inline int tt_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* The main of a file that holds one slow test: a suite and a test case both
 * called name, timeout_s seconds for the test. */
static inline int tt_run_one(const char *name, const TTest *test, double timeout_s)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);
	tcase_set_timeout(tc, timeout_s);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
