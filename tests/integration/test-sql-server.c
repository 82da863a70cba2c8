/* common/sql.c against the real server: a script is split into as many
 * statements as the server runs (one result each, in order), each tag is
 * the server's command tag, and syntax errors carry the server's message,
 * SQLSTATE and character position, naming the statement it falls in. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sql.h"
#include "tests/lib/tt-pg.h"
#include "tests/lib/tt-check.h"

static struct tt_pg pg;
static char db[64];
static PGconn *conn;

/* One database for the run (dropped even when a test fails); a
 * connection per test. */
static void create_db(void)
{
	tt_pg_shared(&pg);
	snprintf(db, sizeof(db), "tusk_sql_%d", (int)getpid());
	char sql[128];
	snprintf(sql, sizeof(sql), "create database %s", db);
	tt_pg_exec(&pg, NULL, sql);
}

static void drop_db(void)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "drop database %s with (force)", db);
	tt_pg_exec(&pg, NULL, sql);
}

static void setup(void)
{
	conn = tt_pg_connect(&pg, db);
}

static void teardown(void)
{
	PQfinish(conn);
}

/* "INSERT 0 1" → "INSERT", "SELECT 3" → "SELECT", "CREATE TABLE" as is. */
static void strip_counts(char *tag)
{
	size_t n = strlen(tag);
	while (n > 0 && (tag[n - 1] == ' ' || (tag[n - 1] >= '0' && tag[n - 1] <= '9')))
		tag[--n] = '\0';
}

/* Every statement kind the server can run inside one transaction. */
static const char script[] =
    "begin;\n"
    "create table t (a int not null, b text);\n"
    "create table u (a int);\n"
    "insert into t values (1, 'x'), (2, 'y;z');\n"
    "insert into u values (1) returning a;\n"
    "update t set b = $$semi;colon$$ where a = 1;\n"
    "update t set b = E'it\\'s' where a = 2 returning *;\n"
    "delete from u where a = 0;\n"
    "delete from u returning a;\n"
    "merge into u using t on t.a = u.a when not matched then insert values (t.a);\n"
    "select * from t /* a; /* nested; */ comment */ order by a;\n"
    "values (1), (2);\n"
    "table t;\n"
    "with x as (select 1) select * from x;\n"
    "select 1 as c into t2;\n"
    "create table t3 as select 1 as c;\n"
    "create materialized view m as select 1 as x;\n"
    "refresh materialized view m;\n"
    "alter materialized view m rename to m2;\n"
    "create view v as select a, b from t;\n"
    "alter view v rename column a to aa;\n"
    "alter table t rename column b to bb;\n"
    "create unique index i on t (a);\n"
    "alter index i rename to j;\n"
    "create function f() returns int language plpgsql as $f$ begin return 1; end $f$;\n"
    "alter function f() stable;\n"
    "create procedure p() language sql as $$ select 1; $$;\n"
    "alter procedure p() security definer;\n"
    "call p();\n"
    "create type mood as enum ('sad', 'ok');\n"
    "alter type mood add value 'happy';\n"
    "create type pair as (x int, y int);\n"
    "create domain d as int check (value > 0);\n"
    "alter domain d set not null;\n"
    "create aggregate agg (int) (sfunc = int4pl, stype = int);\n"
    "create sequence s;\n"
    "alter sequence s restart;\n"
    "create schema s2;\n"
    "alter table u set schema s2;\n"
    "create role tusk_sql_role;\n"
    "alter role tusk_sql_role nologin;\n"
    "grant select on t to tusk_sql_role;\n"
    "revoke all on t from tusk_sql_role;\n"
    "grant pg_read_all_data to tusk_sql_role;\n"
    "revoke pg_read_all_data from tusk_sql_role;\n"
    "alter default privileges grant select on tables to tusk_sql_role;\n"
    "alter default privileges revoke select on tables from tusk_sql_role;\n"
    "comment on table t is 'a; table';\n"
    "create trigger tr before insert on t for each row execute function "
    "suppress_redundant_updates_trigger();\n"
    "alter trigger tr on t rename to tr2;\n"
    "drop trigger tr2 on t;\n"
    "savepoint sp;\n"
    "rollback to savepoint sp;\n"
    "release sp;\n"
    "declare c cursor for select 1;\n"
    "fetch 1 from c;\n"
    "move 1 in c;\n"
    "close c;\n"
    "close all;\n"
    "prepare q as select 1;\n"
    "execute q;\n"
    "deallocate q;\n"
    "deallocate all;\n"
    "set work_mem = '8MB';\n"
    "set transaction read write;\n"
    "reset work_mem;\n"
    "show work_mem;\n"
    "explain select 1;\n"
    "lock table t in exclusive mode;\n"
    "listen tusk_ch;\n"
    "notify tusk_ch, 'x;y';\n"
    "unlisten *;\n"
    "do $$ begin perform 1; end $$;\n"
    "analyze t;\n"
    "reindex table t;\n"
    "truncate t3;\n"
    "drop view v;\n"
    "drop materialized view m2;\n"
    "drop index j;\n"
    "drop function f();\n"
    "drop procedure p();\n"
    "drop aggregate agg(int);\n"
    "drop type pair;\n"
    "drop domain d;\n"
    "drop sequence s;\n"
    "drop table s2.u, t2, t3;\n"
    "drop schema s2;\n"
    "drop owned by tusk_sql_role;\n"
    "drop role tusk_sql_role;\n"
    "rollback";

START_TEST(script_matches_server)
{
	TuskSqlScript s = {0};
	ck_assert_int_eq(tusk_sql_analyse(script, strlen(script), &s, NULL), 0);
	ck_assert(!s.parse_error);
	ck_assert_int_eq(PQsendQuery(conn, script), 1);
	size_t i = 0;
	PGresult *res;
	while ((res = PQgetResult(conn))) {
		ExecStatusType st = PQresultStatus(res);
		ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "statement %zu: %s",
		              i, PQresultErrorMessage(res));
		ck_assert_msg(i < s.n, "the server ran more statements than %zu", s.n);
		const TuskSqlStatement *stmt = &s.stmts[i];
		char text[200];
		snprintf(text, sizeof(text), "%.*s", (int)stmt->length, script + stmt->offset);
		char tag[64];
		snprintf(tag, sizeof(tag), "%s", PQcmdStatus(res));
		strip_counts(tag);
		/* The client sees "SELECT n" for these (see sql.h). */
		bool as_select = strcmp(stmt->tag, "SELECT INTO") == 0 ||
		                 strcmp(stmt->tag, "CREATE TABLE AS") == 0 ||
		                 strcmp(stmt->tag, "CREATE MATERIALIZED VIEW") == 0;
		/* EXECUTE reports the prepared statement's tag. */
		bool executed = strcmp(stmt->tag, "EXECUTE") == 0;
		ck_assert_msg(strcmp(stmt->tag, tag) == 0 ||
		                  (as_select && strcmp(tag, "SELECT") == 0) ||
		                  (executed && strcmp(tag, "SELECT") == 0),
		              "[%s]: tag %s, server %s", text, stmt->tag, tag);
		if (st == PGRES_TUPLES_OK)
			ck_assert_msg(stmt->returns_rows, "[%s] returned rows", text);
		else if (stmt->returns_rows)
			ck_assert_msg(strcmp(tag, "CALL") == 0 || executed, "[%s] returned no rows",
			              text);
		/* What psql shows as the statement's own kind. */
		if (!as_select && !executed)
			ck_assert_msg(stmt->type == tusk_query_type_from_command_tag(tag),
			              "[%s]: type %s", text, tusk_query_type_name(stmt->type));
		PQclear(res);
		i++;
	}
	ck_assert_uint_eq(i, s.n);
	tusk_sql_script_clear(&s);
}
END_TEST

struct bad {
	const char *sql;
	size_t statement; /* the one the error falls in */
};

static const struct bad bads[] = {
    {"select 1 frm t", 0},
    {"select 1; select 'žluťoučký kůň €😀' frm t; select 3", 1},
    {"select '€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€'; select 2;\nselect (3", 2},
    {"select 'abc", 0},
    {"select 1; select 'abc; select 2", 1},
    {"select 1; select $x$ never closed", 1},
    {"select 1; /* a /* nested */ still open", 1},
    {"select 1;\ncreate table (a int);\nselect 2", 1},
    {"select 1; selec 2; select 3", 1},
    {"select 1;\nselect 2 +\n;", 1},
    {"insert into t values (1,);", 0},
    {"select \"\"", 0},
    {"select 1; x", 1},
};

START_TEST(syntax_errors_match_server)
{
	const struct bad *b = &bads[_i];
	PGresult *res = PQexec(conn, b->sql);
	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	ck_assert_ptr_nonnull(pos);

	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tusk_sql_check_syntax(b->sql, &e), -1);
	ck_assert_msg(strcmp(e.message, msg) == 0, "[%s]: message [%s], server [%s]", b->sql,
	              e.message, msg);
	ck_assert_str_eq(e.code, code);
	ck_assert_msg(e.position == (unsigned)atoi(pos), "[%s]: position %u, server %s", b->sql,
	              e.position, pos);

	TuskSqlScript s = {0};
	ck_assert_int_eq(tusk_sql_analyse(b->sql, strlen(b->sql), &s, NULL), 0);
	ck_assert(s.parse_error);
	ck_assert_uint_eq(tusk_sql_statement_at(&s, (unsigned)atoi(pos)), b->statement);
	tusk_sql_script_clear(&s);
	tusk_error_clear(&e);
	PQclear(res);
}
END_TEST

/* Run sql, return the number of results (all must succeed). */
static size_t results(const char *sql)
{
	ck_assert_int_eq(PQsendQuery(conn, sql), 1);
	size_t n = 0;
	PGresult *res;
	while ((res = PQgetResult(conn))) {
		ExecStatusType st = PQresultStatus(res);
		ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
		              PQresultErrorMessage(res));
		PQclear(res);
		n++;
	}
	return n;
}

START_TEST(backslash_escapes)
{
	const char *sql = "select 'it\\'s;', 1; select 'a\\\\'; select 3";
	PQclear(PQexec(conn, "set standard_conforming_strings = off"));
	PQclear(PQexec(conn, "set escape_string_warning = off"));
	ck_assert_str_eq(PQparameterStatus(conn, "standard_conforming_strings"), "off");
	size_t n = results(sql);
	ck_assert_uint_eq(n, 3);
	TuskSqlScript s = {0};
	ck_assert_int_eq(
	    tusk_sql_analyse_flags(sql, strlen(sql), TUSK_SQL_BACKSLASH_ESCAPES, &s, NULL), 0);
	ck_assert(!s.parse_error);
	ck_assert_uint_eq(s.n, n);
	tusk_sql_script_clear(&s);

	/* With it on (the default) the same text is one unterminated literal. */
	PQclear(PQexec(conn, "set standard_conforming_strings = on"));
	PGresult *res = PQexec(conn, sql);
	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tusk_sql_check_syntax(sql, &e), -1);
	ck_assert_str_eq(e.message, PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
	ck_assert_uint_eq(e.position,
	                  (unsigned)atoi(PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION)));
	tusk_error_clear(&e);
	PQclear(res);
}
END_TEST

START_TEST(statement_counts_match_server)
{
	static const char *const scripts[] = {
	    "select 1;;; select 2;",
	    "select 1; -- done; select 2",
	    "/* a; */ select 1 /* b; */; select $q$;$q$ -- c;\n; select e'\\';'",
	    "create temp table x (a text); insert into x values ('a;b'), ($$;$$); select * from x",
	    "create temp table r (a int); create temp table r2 (a int); create rule rr as on "
	    "insert "
	    "to r do also (insert into r2 values (1); insert into r2 values (2)); insert into r "
	    "values (1); select count(*) from r2",
	};
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		TuskSqlScript s = {0};
		ck_assert_int_eq(tusk_sql_analyse(scripts[i], strlen(scripts[i]), &s, NULL), 0);
		ck_assert_msg(s.n == results(scripts[i]), "%s: %zu statements", scripts[i], s.n);
		tusk_sql_script_clear(&s);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("integration-sql");
	TCase *tc = tcase_create("sql");
	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, create_db, drop_db);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, script_matches_server);
	tcase_add_loop_test(tc, syntax_errors_match_server, 0,
	                    (int)(sizeof(bads) / sizeof(bads[0])));
	tcase_add_test(tc, backslash_escapes);
	tcase_add_test(tc, statement_counts_match_server);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
