/* daemon/db/meta-types.c against the real server's format_type(): every
 * built-in type with typmod -1, and every kind of modifier on the types
 * that take one, as real column declarations produce them. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/db/meta-types.h"
#include "tests/lib/tt-pg.h"
#include "tests/lib/tt-check.h"

static PGconn *conn;

static void setup(void)
{
	struct tt_pg pg;
	tt_pg_shared(&pg);
	conn = tt_pg_connect(&pg, NULL);
}

static void teardown(void)
{
	PQfinish(conn);
}

static PGresult *query(const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK ||
	                  PQresultStatus(res) == PGRES_COMMAND_OK,
	              "%s: %s", sql, PQresultErrorMessage(res));
	return res;
}

/* Rows of (oid, typmod, format_type): each must match. */
static void compare(PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		uint32_t oid = (uint32_t)strtoul(PQgetvalue(res, i, 0), NULL, 10);
		int32_t typmod = (int32_t)strtol(PQgetvalue(res, i, 1), NULL, 10);
		const char *want = PQgetvalue(res, i, 2);
		char *got = meta_builtin_format_type(oid, typmod);
		ck_assert_msg(got && strcmp(got, want) == 0, "format_type(%u, %d): %s, server %s",
		              oid, typmod, got ? got : "(null)", want);
		free(got);
	}
}

START_TEST(every_builtin_type)
{
	PGresult *res = query("select oid, -1, format_type(oid, -1) from pg_type "
	                      "where oid < 10000 order by oid");
	ck_assert_int_gt(PQntuples(res), 150);
	compare(res);
	PQclear(res);
	/* And nothing more: a type the server has not is not named. */
	ck_assert_ptr_null(meta_builtin_type_name(9999));
	ck_assert_ptr_null(meta_builtin_format_type(16384, -1));
	ck_assert_ptr_null(meta_builtin_format_type(23, 5)); /* int4 takes no typmod */
}
END_TEST

START_TEST(every_modifier)
{
	static const char *const types[] = {
	    "char",
	    "char(1)",
	    "character(20)",
	    "varchar",
	    "varchar(1)",
	    "varchar(20)",
	    "varchar(10485760)",
	    "numeric",
	    "numeric(10,2)",
	    "numeric(1000,0)",
	    "numeric(5)",
	    "numeric(3,-2)",
	    "numeric(3,5)",
	    "time(0)",
	    "time(6)",
	    "timetz(3)",
	    "timestamp(0)",
	    "timestamp(3)",
	    "timestamptz(3)",
	    "timestamptz(6)",
	    "interval(3)",
	    "interval year",
	    "interval month",
	    "interval day",
	    "interval hour",
	    "interval minute",
	    "interval second",
	    "interval second(2)",
	    "interval year to month",
	    "interval day to hour",
	    "interval day to minute",
	    "interval day to second",
	    "interval day to second(0)",
	    "interval hour to minute",
	    "interval hour to second",
	    "interval hour to second(4)",
	    "interval minute to second",
	    "interval minute to second(6)",
	    "bit",
	    "bit(5)",
	    "bit varying",
	    "bit varying(5)",
	};
	char sql[8192] = "create temp table mods (";
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = strlen(sql);
		snprintf(sql + n, sizeof(sql) - n, "%sc%zu %s, a%zu %s[]", i ? ", " : "", i,
		         types[i], i, types[i]);
	}
	strcat(sql, ")");
	PQclear(query(sql));
	PGresult *res = query("select atttypid, atttypmod, format_type(atttypid, atttypmod) "
	                      "from pg_attribute where attrelid = 'mods'::regclass and attnum > 0");
	ck_assert_int_eq(PQntuples(res), (int)(2 * sizeof(types) / sizeof(types[0])));
	compare(res);
	PQclear(res);
	PQclear(query("drop table mods"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("integration-meta-types");
	TCase *tc = tcase_create("meta-types");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_builtin_type);
	tcase_add_test(tc, every_modifier);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
