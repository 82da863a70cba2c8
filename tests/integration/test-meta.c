/* Column descriptions in query.columns through a real tuskd: type names as
 * the server's format_type() prints them, table OIDs and column numbers,
 * NOT NULL from the catalog, the cache following DDL run through Tusk, and
 * a pool of one (no second backend to ask) filling its cache for the next
 * result. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol/schema.h"
#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

static struct tt_daemon d;
static struct tt_pg pg;
static int fd = -1;
static char db[64];
static char conninfo[256];
static PGconn *ref; /* the reference: the server itself, through libpq */

static const char fixture[] =
    "create type mood as enum ('sad', 'ok', 'happy');"
    "create domain short_text as varchar(10);"
    "create table typed ("
    " a varchar(20) not null, b numeric(10,2), c timestamptz(3), d varbit(5) not null,"
    " e int[], f mood, g short_text, h mood[], i interval day to second(2), j char(3),"
    " k bit(4), l time(0), m text not null);"
    "insert into typed values ('x', 1.5, now(), B'101', '{1,2}', 'ok', 'short', '{sad}',"
    " '1 day', 'abc', B'1010', '12:00', 'm');"
    "create view v as select a, f, a || '!' as loud from typed;"
    "create type tone as enum ('lo', 'hi');"
    "create table altered (b int, f tone);";

static void setup_db(void)
{
	tt_pg_shared(&pg);
	tt_pg_create_db(&pg, "tusk_meta", db, sizeof(db));
	tt_pg_exec(&pg, db, fixture);
	snprintf(conninfo, sizeof(conninfo), "host=%s port=%d user=postgres dbname=%s", pg.host,
	         pg.port, db);
}

static void drop_db(void)
{
	tt_pg_drop_db(&pg, db);
}

static void setup(void)
{
	fd = tt_daemon_open(&d, NULL);
	ref = tt_pg_connect(&pg, db);
}

static void teardown(void)
{
	PQfinish(ref);
	tt_daemon_close(&d, fd);
}

/* Run sql through query.execute and return the columns of its first result
 * set (checked against the schema), or NULL when it had none. */
static json_t *execute(const char *sql)
{
	static int id = 100;
	json_t *req = json_pack("{s:s, s:i, s:s, s:{s:s, s:s, s:s}}", "jsonrpc", "2.0", "id", ++id,
	                        "method", "query.execute", "params", "conninfo", conninfo, "sql",
	                        sql, "mode", "stream");
	char *s = json_dumps(req, JSON_COMPACT);
	tt_send_str(fd, s);
	tt_send_str(fd, "\n");
	free(s);
	json_decref(req);
	json_t *columns = NULL;
	for (;;) {
		json_t *m = tt_read(fd, 30000);
		ck_assert_msg(m, "no reply to query.execute");
		if (json_integer_value(json_object_get(m, "id")) == id) {
			ck_assert_msg(json_object_get(m, "result"), "%s failed: %s", sql,
			              json_dumps(json_object_get(m, "error"), 0));
			json_decref(m);
			break;
		}
		const char *method = json_string_value(json_object_get(m, "method"));
		json_t *params = json_object_get(m, "params");
		if (method && strcmp(method, "query.columns") == 0 && !columns) {
			TuskError e = TUSK_ERROR_INIT;
			ck_assert_msg(tusk_schema_validate_notification(method, params, &e) == 0,
			              "query.columns: %s", tusk_error_message(&e));
			columns = json_incref(json_object_get(params, "columns"));
		}
		json_decref(m);
	}
	return columns;
}

static json_t *columns_of(const char *sql)
{
	json_t *columns = execute(sql);
	ck_assert_msg(columns, "%s: no query.columns", sql);
	return columns;
}

static void run(const char *sql)
{
	json_decref(execute(sql));
}

static json_t *col(json_t *columns, const char *name)
{
	size_t i;
	json_t *c;
	json_array_foreach(columns, i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
			return c;
	}
	ck_abort_msg("no column %s", name);
	return NULL;
}

static char *ref_value(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *ref_value(const char *fmt, ...)
{
	char sql[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	PGresult *res = PQexec(ref, sql);
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql,
	              PQresultErrorMessage(res));
	char *v = PQgetisnull(res, 0, 0) ? NULL : strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

/* type_name is what format_type(type_oid, type_modifier) says on the
 * server, and what we expect a person to read. */
static void check_type(json_t *columns, const char *name, const char *want)
{
	json_t *c = col(columns, name);
	const char *got = json_string_value(json_object_get(c, "type_name"));
	ck_assert_msg(got && strcmp(got, want) == 0, "%s: type_name %s, want %s", name,
	              got ? got : "null", want);
	char *server = ref_value("select format_type(%lld, %lld)",
	                         json_integer_value(json_object_get(c, "type_oid")),
	                         json_integer_value(json_object_get(c, "type_modifier")));
	ck_assert_str_eq(server, got);
	free(server);
}

/* nullable: 1 true, 0 false, -1 null. */
static void check_nullable(json_t *columns, const char *name, int want)
{
	json_t *n = json_object_get(col(columns, name), "nullable");
	int got = json_is_null(n) ? -1 : json_is_true(n);
	ck_assert_msg(got == want, "%s: nullable %d, want %d", name, got, want);
}

/* table_oid / column_number are the relation's and attribute's, or 0. */
static void check_origin(json_t *columns, const char *name, const char *rel, const char *att)
{
	json_t *c = col(columns, name);
	long long oid = json_integer_value(json_object_get(c, "table_oid"));
	long long num = json_integer_value(json_object_get(c, "column_number"));
	if (!rel) {
		ck_assert_int_eq(oid, 0);
		ck_assert_int_eq(num, 0);
		return;
	}
	char *want_oid = ref_value("select '%s'::regclass::oid", rel);
	char *want_num =
	    ref_value("select attnum from pg_attribute where attrelid = '%s'::regclass and "
	              "attname = '%s'",
	              rel, att);
	ck_assert_int_eq(oid, atoll(want_oid));
	ck_assert_int_eq(num, atoll(want_num));
	free(want_oid);
	free(want_num);
}

START_TEST(type_names_and_nullability)
{
	json_t *c = columns_of("select a, b, c, d, e, f, g, h, i, j, k, l, m, a || 'x' as computed,"
	                       " 1 as one, null as nothing, 'lit' as lit, f::text as cast_enum "
	                       "from typed");
	check_type(c, "a", "character varying(20)");
	check_type(c, "b", "numeric(10,2)");
	check_type(c, "c", "timestamp(3) with time zone");
	check_type(c, "d", "bit varying(5)");
	check_type(c, "e", "integer[]");
	check_type(c, "f", "mood");
	/* A domain column arrives as its base type. */
	check_type(c, "g", "character varying(10)");
	check_type(c, "h", "mood[]");
	check_type(c, "i", "interval day to second(2)");
	check_type(c, "j", "character(3)");
	check_type(c, "k", "bit(4)");
	check_type(c, "l", "time(0) without time zone");
	check_type(c, "m", "text");
	check_type(c, "computed", "text");
	check_type(c, "one", "integer");
	check_type(c, "nothing", "text");
	check_type(c, "lit", "text");
	check_type(c, "cast_enum", "text");

	check_nullable(c, "a", 0);
	check_nullable(c, "d", 0);
	check_nullable(c, "m", 0);
	check_nullable(c, "b", 1);
	check_nullable(c, "f", 1);
	check_nullable(c, "h", 1);
	check_nullable(c, "computed", -1);
	check_nullable(c, "one", -1);
	check_origin(c, "a", "typed", "a");
	check_origin(c, "m", "typed", "m");
	check_origin(c, "computed", NULL, NULL);
	check_origin(c, "one", NULL, NULL);
	json_decref(c);

	/* The same again: from the cache, the same answers. */
	c = columns_of("select m, f, b from typed");
	check_type(c, "f", "mood");
	check_nullable(c, "m", 0);
	check_nullable(c, "b", 1);
	json_decref(c);
}
END_TEST

START_TEST(view_columns)
{
	json_t *c = columns_of("select a, f, loud from v");
	check_type(c, "a", "character varying(20)");
	check_type(c, "f", "mood");
	check_type(c, "loud", "text");
	/* A view's column names the view; the catalog knows no NOT NULL for
	 * it, so nullability is unknown. */
	check_origin(c, "a", "v", "a");
	check_nullable(c, "a", -1);
	check_nullable(c, "loud", -1);
	json_decref(c);
}
END_TEST

START_TEST(ddl_refreshes_the_cache)
{
	json_t *c = columns_of("select b, f from altered");
	check_nullable(c, "b", 1);
	check_type(c, "f", "tone");
	json_decref(c);

	run("alter table altered alter column b set not null");
	c = columns_of("select b, f from altered");
	check_nullable(c, "b", 0);
	json_decref(c);

	/* DDL inside a script counts too. */
	run("select 1; alter type tone rename to pitch; select 2");
	c = columns_of("select b, f from altered");
	check_type(c, "f", "pitch");
	json_decref(c);

	run("alter table altered alter column b drop not null; alter type pitch rename to tone");
	c = columns_of("select b, f from altered");
	check_nullable(c, "b", 1);
	check_type(c, "f", "tone");
	json_decref(c);
}
END_TEST

START_TEST(pool_of_one)
{
	json_t *r = tt_call(fd, 1, "settings.set",
	                    json_pack("{s:s, s:i}", "key", "pool.max_size", "value", 1));
	ck_assert_msg(json_object_get(r, "result"), "%s", json_dumps(r, 0));
	json_decref(r);

	/* The query holds the only backend: built-in names are known, the
	 * rest is not yet. */
	json_t *c = columns_of("select a, f, 2 as two from typed");
	check_type(c, "a", "character varying(20)");
	check_type(c, "two", "integer");
	ck_assert(json_is_null(json_object_get(col(c, "f"), "type_name")));
	check_nullable(c, "a", -1);
	check_origin(c, "a", "typed", "a");
	json_decref(c);

	/* The look-up ran when the backend came back: now all is known. */
	c = columns_of("select a, f, 2 as two from typed");
	check_type(c, "f", "mood");
	check_nullable(c, "a", 0);
	check_nullable(c, "f", 1);
	json_decref(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("integration-meta");
	TCase *tc = tcase_create("meta");
	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, setup_db, drop_db);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, type_names_and_nullability);
	tcase_add_test(tc, view_columns);
	tcase_add_test(tc, ddl_refreshes_the_cache);
	tcase_add_test(tc, pool_of_one);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
