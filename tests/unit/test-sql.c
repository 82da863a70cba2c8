/* SQL analysis on libpg_query: splitting as the server scans, statement
 * kinds and tags, error positions in characters, fingerprints, syntax
 * checks. What the real server says about the same text is checked in
 * tests/integration/test-sql-server.c. */
#include "common/sql.h"
#include "common/sql-scan.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/lib/tt-check.h"

static TuskSqlScript analyse_flags(const char *sql, unsigned flags)
{
	TuskSqlScript s = {0};
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tusk_sql_analyse_flags(sql, strlen(sql), flags, &s, &e), 0);
	return s;
}

static TuskSqlScript analyse(const char *sql)
{
	return analyse_flags(sql, 0);
}

/* The statements' texts joined with " | ". */
static char *texts(const char *sql, const TuskSqlScript *s)
{
	size_t cap = strlen(sql) * 2 + 8 + s->n * 4;
	char *out = calloc(1, cap);
	for (size_t i = 0; i < s->n; i++)
		snprintf(out + strlen(out), cap - strlen(out), "%s%.*s", i ? " | " : "",
		         (int)s->stmts[i].length, sql + s->stmts[i].offset);
	return out;
}

static void check_split(const char *sql, unsigned flags, bool parse_error, const char *want)
{
	TuskSqlScript s = analyse_flags(sql, flags);
	char *got = texts(sql, &s);
	ck_assert_msg(strcmp(got, want) == 0, "split of [%s]: got [%s], want [%s]", sql, got, want);
	ck_assert_msg(s.parse_error == parse_error, "parse_error of [%s]: %d", sql, s.parse_error);
	free(got);
	tusk_sql_script_clear(&s);
}

START_TEST(split_plain)
{
	check_split("select 1; select 2", 0, false, "select 1 | select 2");
	check_split("  select 1;;  select 2;  ", 0, false, "select 1 | select 2");
	check_split(";;;", 0, false, "");
	check_split("", 0, false, "");
	check_split("  \n\t ", 0, false, "");
	check_split("-- only a comment", 0, false, "");
	check_split("/* a */ -- b\n ; /* c */", 0, false, "");
	check_split("select 1; -- done\n", 0, false, "select 1");
	check_split("select 1 -- trailing, no semicolon", 0, false,
	            "select 1 -- trailing, no semicolon");
	check_split("select 1;\n-- next\nselect 2\n", 0, false, "select 1 | -- next\nselect 2");
}
END_TEST

START_TEST(split_quotes_and_comments)
{
	/* Semicolons inside dollar quotes, nested comments, E'' strings,
	 * quoted identifiers and parentheses are not boundaries. */
	check_split("create function f() returns int language plpgsql as $$begin return 1; "
	            "end$$; select $x$ a;b $$ $x$",
	            0, false,
	            "create function f() returns int language plpgsql as $$begin return 1; end$$ | "
	            "select $x$ a;b $$ $x$");
	check_split("/* a; /* b; */ c; */ select 1; -- x; y\nselect 2", 0, false,
	            "/* a; /* b; */ c; */ select 1 | -- x; y\nselect 2");
	check_split("select E'\\';'; select 2", 0, false, "select E'\\';' | select 2");
	check_split("select \"a;b\" from \"t;\"; select 2", 0, false,
	            "select \"a;b\" from \"t;\" | select 2");
	check_split(
	    "create rule r as on insert to t do also (insert into u values (1); "
	    "insert into u values (2)); select 3",
	    0, false,
	    "create rule r as on insert to t do also (insert into u values (1); insert into "
	    "u values (2)) | select 3");
	check_split("select 'a''b;c'; select U&'d;\\0061'", 0, false,
	            "select 'a''b;c' | select U&'d;\\0061'");
}
END_TEST

START_TEST(split_standard_conforming_strings_off)
{
	/* With standard_conforming_strings = off the server reads 'it\'s'
	 * as one literal; with it on the quote is never closed. */
	check_split("select 'it\\'s'; select 2", TUSK_SQL_BACKSLASH_ESCAPES, false,
	            "select 'it\\'s' | select 2");
	check_split("select 'it\\'s'; select 2", 0, true, "select 'it\\'s'; select 2");
	check_split("select 'a\\\\'; select 2", TUSK_SQL_BACKSLASH_ESCAPES, false,
	            "select 'a\\\\' | select 2");
	check_split("select 'a\\\\'; select 2", 0, false, "select 'a\\\\' | select 2");
}
END_TEST

START_TEST(split_broken)
{
	/* An unterminated literal runs to the end, as the server scans it. */
	check_split("select 1; select 'abc; select 2", 0, true, "select 1 | select 'abc; select 2");
	check_split("select 'abc; select 2", 0, true, "select 'abc; select 2");
	check_split("select 1; /* open; select 2", 0, true, "select 1 | /* open; select 2");
	check_split("select 1; select $$ x; select 2", 0, true, "select 1 | select $$ x; select 2");
	/* A statement the parser rejects keeps its own place. */
	check_split("select 1; selec 2; select 3", 0, true, "select 1 | selec 2 | select 3");
	check_split("selec 2; select 3", 0, true, "selec 2 | select 3");
	check_split("select 1; select 2 frm t; -- end", 0, true, "select 1 | select 2 frm t");
	check_split("select 1; x", 0, true, "select 1 | x");

	TuskSqlScript s = analyse("select 1; selec 2; create table t(a int)");
	ck_assert_uint_eq(s.n, 3);
	ck_assert_str_eq(s.stmts[0].tag, "SELECT");
	ck_assert_ptr_null(s.stmts[1].tag);
	ck_assert_int_eq(s.stmts[1].type, TUSK_QUERY_OTHER);
	ck_assert(!s.stmts[1].is_ddl && !s.stmts[1].returns_rows);
	ck_assert_str_eq(s.stmts[2].tag, "CREATE TABLE");
	ck_assert(s.stmts[2].is_ddl);
	tusk_sql_script_clear(&s);
}
END_TEST

START_TEST(split_length_and_nul)
{
	TuskSqlScript s = {0};
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tusk_sql_analyse("select 1; select 2", 8, &s, &e), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.stmts[0].length, 8);
	tusk_sql_script_clear(&s);
	ck_assert_int_eq(tusk_sql_analyse("select 1;\0select 2", 18, &s, &e), 0);
	ck_assert_uint_eq(s.n, 1);
	tusk_sql_script_clear(&s);
	ck_assert_int_eq(tusk_sql_analyse(NULL, 0, &s, &e), 0);
	ck_assert_uint_eq(s.n, 0);
	tusk_sql_script_clear(&s);
	tusk_sql_script_clear(NULL);
}
END_TEST

struct kind {
	const char *sql;
	TuskQueryType type;
	bool ddl, txn, rows;
	const char *tag;
};

static const struct kind kinds[] = {
    {"select 1", TUSK_QUERY_SELECT, false, false, true, "SELECT"},
    {"values (1), (2)", TUSK_QUERY_SELECT, false, false, true, "SELECT"},
    {"table t", TUSK_QUERY_SELECT, false, false, true, "SELECT"},
    {"with x as (select 1) select * from x", TUSK_QUERY_SELECT, false, false, true, "SELECT"},
    {"select 1 into t2", TUSK_QUERY_CREATE, true, false, false, "SELECT INTO"},
    {"insert into t values (1)", TUSK_QUERY_INSERT, false, false, false, "INSERT"},
    {"insert into t values (1) returning a", TUSK_QUERY_INSERT, false, false, true, "INSERT"},
    {"with x as (delete from t returning a) insert into u select * from x", TUSK_QUERY_INSERT,
     false, false, false, "INSERT"},
    {"update t set a = 2", TUSK_QUERY_UPDATE, false, false, false, "UPDATE"},
    {"update t set a = 2 returning *", TUSK_QUERY_UPDATE, false, false, true, "UPDATE"},
    {"delete from t where a = 1", TUSK_QUERY_DELETE, false, false, false, "DELETE"},
    {"delete from t returning a", TUSK_QUERY_DELETE, false, false, true, "DELETE"},
    {"merge into t using u on t.a = u.a when matched then delete", TUSK_QUERY_OTHER, false, false,
     false, "MERGE"},
    {"create table t (a int not null)", TUSK_QUERY_CREATE, true, false, false, "CREATE TABLE"},
    {"create temp table t2 as select 1", TUSK_QUERY_CREATE, true, false, false, "CREATE TABLE AS"},
    {"create materialized view m as select 1", TUSK_QUERY_CREATE, true, false, false,
     "CREATE MATERIALIZED VIEW"},
    {"create view v as select 1", TUSK_QUERY_CREATE, true, false, false, "CREATE VIEW"},
    {"create unique index on t (a)", TUSK_QUERY_CREATE, true, false, false, "CREATE INDEX"},
    {"create function f() returns int language sql as 'select 1'", TUSK_QUERY_CREATE, true, false,
     false, "CREATE FUNCTION"},
    {"create procedure p() language sql as ''", TUSK_QUERY_CREATE, true, false, false,
     "CREATE PROCEDURE"},
    {"create type mood as enum ('sad', 'ok')", TUSK_QUERY_CREATE, true, false, false,
     "CREATE TYPE"},
    {"create type pair as (a int, b int)", TUSK_QUERY_CREATE, true, false, false, "CREATE TYPE"},
    {"create domain d as int check (value > 0)", TUSK_QUERY_CREATE, true, false, false,
     "CREATE DOMAIN"},
    {"create aggregate a (int) (sfunc = int4pl, stype = int)", TUSK_QUERY_CREATE, true, false,
     false, "CREATE AGGREGATE"},
    {"create sequence s", TUSK_QUERY_CREATE, true, false, false, "CREATE SEQUENCE"},
    {"create schema s2", TUSK_QUERY_CREATE, true, false, false, "CREATE SCHEMA"},
    {"create extension if not exists pgcrypto", TUSK_QUERY_CREATE, true, false, false,
     "CREATE EXTENSION"},
    {"create trigger tr after insert on t for each row execute function f()", TUSK_QUERY_CREATE,
     true, false, false, "CREATE TRIGGER"},
    {"create role r", TUSK_QUERY_CREATE, true, false, false, "CREATE ROLE"},
    {"create user u", TUSK_QUERY_CREATE, true, false, false, "CREATE ROLE"},
    {"alter table t add column b text", TUSK_QUERY_ALTER, true, false, false, "ALTER TABLE"},
    {"alter table t alter column a set not null", TUSK_QUERY_ALTER, true, false, false,
     "ALTER TABLE"},
    {"alter index i rename to j", TUSK_QUERY_ALTER, true, false, false, "ALTER INDEX"},
    {"alter view v rename column a to b", TUSK_QUERY_ALTER, true, false, false, "ALTER VIEW"},
    {"alter table t rename column a to b", TUSK_QUERY_ALTER, true, false, false, "ALTER TABLE"},
    {"alter materialized view m set schema s", TUSK_QUERY_ALTER, true, false, false,
     "ALTER MATERIALIZED VIEW"},
    {"alter function f() owner to r", TUSK_QUERY_ALTER, true, false, false, "ALTER FUNCTION"},
    {"alter procedure p() security definer", TUSK_QUERY_ALTER, true, false, false,
     "ALTER PROCEDURE"},
    {"alter type mood add value 'happy'", TUSK_QUERY_ALTER, true, false, false, "ALTER TYPE"},
    {"alter sequence s restart", TUSK_QUERY_ALTER, true, false, false, "ALTER SEQUENCE"},
    {"alter system set work_mem = '8MB'", TUSK_QUERY_ALTER, false, false, false, "ALTER SYSTEM"},
    {"alter default privileges grant select on tables to r", TUSK_QUERY_ALTER, true, false, false,
     "ALTER DEFAULT PRIVILEGES"},
    {"drop table t, u cascade", TUSK_QUERY_DROP, true, false, false, "DROP TABLE"},
    {"drop view if exists v", TUSK_QUERY_DROP, true, false, false, "DROP VIEW"},
    {"drop materialized view m", TUSK_QUERY_DROP, true, false, false, "DROP MATERIALIZED VIEW"},
    {"drop index concurrently i", TUSK_QUERY_DROP, true, false, false, "DROP INDEX"},
    {"drop function f(int)", TUSK_QUERY_DROP, true, false, false, "DROP FUNCTION"},
    {"drop schema s cascade", TUSK_QUERY_DROP, true, false, false, "DROP SCHEMA"},
    {"drop role r", TUSK_QUERY_DROP, true, false, false, "DROP ROLE"},
    {"drop database d", TUSK_QUERY_DROP, true, false, false, "DROP DATABASE"},
    {"drop owned by r", TUSK_QUERY_DROP, true, false, false, "DROP OWNED"},
    {"truncate t", TUSK_QUERY_OTHER, true, false, false, "TRUNCATE TABLE"},
    {"comment on table t is 'x'", TUSK_QUERY_OTHER, true, false, false, "COMMENT"},
    {"grant select on t to r", TUSK_QUERY_OTHER, true, false, false, "GRANT"},
    {"revoke all on t from r", TUSK_QUERY_OTHER, true, false, false, "REVOKE"},
    {"grant r to u", TUSK_QUERY_OTHER, true, false, false, "GRANT ROLE"},
    {"begin", TUSK_QUERY_OTHER, false, true, false, "BEGIN"},
    {"start transaction isolation level serializable", TUSK_QUERY_OTHER, false, true, false,
     "START TRANSACTION"},
    {"commit", TUSK_QUERY_OTHER, false, true, false, "COMMIT"},
    {"end", TUSK_QUERY_OTHER, false, true, false, "COMMIT"},
    {"rollback", TUSK_QUERY_OTHER, false, true, false, "ROLLBACK"},
    {"savepoint a", TUSK_QUERY_OTHER, false, true, false, "SAVEPOINT"},
    {"rollback to savepoint a", TUSK_QUERY_OTHER, false, true, false, "ROLLBACK"},
    {"release a", TUSK_QUERY_OTHER, false, true, false, "RELEASE"},
    {"prepare transaction 'x'", TUSK_QUERY_OTHER, false, true, false, "PREPARE TRANSACTION"},
    {"explain select 1", TUSK_QUERY_OTHER, false, false, true, "EXPLAIN"},
    {"explain analyze delete from t", TUSK_QUERY_OTHER, false, false, true, "EXPLAIN"},
    {"show work_mem", TUSK_QUERY_OTHER, false, false, true, "SHOW"},
    {"set work_mem = '8MB'", TUSK_QUERY_OTHER, false, false, false, "SET"},
    {"set transaction read only", TUSK_QUERY_OTHER, false, false, false, "SET"},
    {"reset all", TUSK_QUERY_OTHER, false, false, false, "RESET"},
    {"declare c cursor for select 1", TUSK_QUERY_OTHER, false, false, false, "DECLARE CURSOR"},
    {"fetch 10 from c", TUSK_QUERY_OTHER, false, false, true, "FETCH"},
    {"move 10 in c", TUSK_QUERY_OTHER, false, false, false, "MOVE"},
    {"close c", TUSK_QUERY_OTHER, false, false, false, "CLOSE CURSOR"},
    {"close all", TUSK_QUERY_OTHER, false, false, false, "CLOSE CURSOR ALL"},
    {"call p()", TUSK_QUERY_OTHER, false, false, true, "CALL"},
    {"do $$ begin null; end $$", TUSK_QUERY_OTHER, false, false, false, "DO"},
    {"copy t to stdout", TUSK_QUERY_OTHER, false, false, false, "COPY"},
    {"vacuum analyze t", TUSK_QUERY_OTHER, false, false, false, "VACUUM"},
    {"analyze t", TUSK_QUERY_OTHER, false, false, false, "ANALYZE"},
    {"refresh materialized view m", TUSK_QUERY_OTHER, false, false, false,
     "REFRESH MATERIALIZED VIEW"},
    {"listen ch", TUSK_QUERY_OTHER, false, false, false, "LISTEN"},
    {"notify ch, 'x'", TUSK_QUERY_OTHER, false, false, false, "NOTIFY"},
    {"lock table t in exclusive mode", TUSK_QUERY_OTHER, false, false, false, "LOCK TABLE"},
    {"prepare q as select 1", TUSK_QUERY_OTHER, false, false, false, "PREPARE"},
    {"execute q", TUSK_QUERY_OTHER, false, false, true, "EXECUTE"},
    {"deallocate q", TUSK_QUERY_OTHER, false, false, false, "DEALLOCATE"},
    {"deallocate all", TUSK_QUERY_OTHER, false, false, false, "DEALLOCATE ALL"},
    {"discard all", TUSK_QUERY_OTHER, false, false, false, "DISCARD ALL"},
    {"checkpoint", TUSK_QUERY_OTHER, false, false, false, "CHECKPOINT"},
    {"reindex table t", TUSK_QUERY_OTHER, false, false, false, "REINDEX"},
    {"security label on table t is 'x'", TUSK_QUERY_OTHER, true, false, false, "SECURITY LABEL"},
    {"import foreign schema s from server srv into public", TUSK_QUERY_OTHER, true, false, false,
     "IMPORT FOREIGN SCHEMA"},
};

START_TEST(classify_statements)
{
	const struct kind *k = &kinds[_i];
	TuskSqlScript s = analyse(k->sql);
	ck_assert_msg(s.n == 1 && !s.parse_error, "%s: n=%zu", k->sql, s.n);
	const TuskSqlStatement *st = &s.stmts[0];
	ck_assert_msg(st->tag && strcmp(st->tag, k->tag) == 0, "%s: tag %s, want %s", k->sql,
	              st->tag ? st->tag : "(null)", k->tag);
	ck_assert_msg(st->type == k->type, "%s: type %s", k->sql, tusk_query_type_name(st->type));
	ck_assert_msg(st->is_ddl == k->ddl, "%s: is_ddl %d", k->sql, st->is_ddl);
	ck_assert_msg(st->is_txn == k->txn, "%s: is_txn %d", k->sql, st->is_txn);
	ck_assert_msg(st->returns_rows == k->rows, "%s: returns_rows %d", k->sql, st->returns_rows);
	tusk_sql_script_clear(&s);
}
END_TEST

START_TEST(ddl_tags)
{
	ck_assert(tusk_sql_tag_is_ddl("ALTER TABLE"));
	ck_assert(tusk_sql_tag_is_ddl("DROP VIEW"));
	ck_assert(tusk_sql_tag_is_ddl("COMMENT"));
	ck_assert(tusk_sql_tag_is_ddl("GRANT"));
	ck_assert(!tusk_sql_tag_is_ddl("SELECT 5"));
	ck_assert(!tusk_sql_tag_is_ddl("INSERT 0 1"));
	ck_assert(!tusk_sql_tag_is_ddl("ALTER SYSTEM"));
	ck_assert(!tusk_sql_tag_is_ddl(""));
	ck_assert(!tusk_sql_tag_is_ddl(NULL));
}
END_TEST

struct named {
	const char *sql;
	const char *objects; /* "kind schema.name, …" with "-" for no schema */
};

static const struct named nameds[] = {
    {"create table s.t (a int)", "table s.t"},
    {"create table t (a int)", "table -.t"},
    {"create temp table x as select 1", "table -.x"},
    {"select 1 into s.x", "table s.x"},
    {"create materialized view s.m as select 1", "materialized view s.m"},
    {"create view v as select 1", "view -.v"},
    {"create index i on s.t (a)", "index s.i, table s.t"},
    {"create index on t (a)", "table -.t"},
    {"create sequence s.q", "sequence s.q"},
    {"create function s.f() returns int language sql as 'select 1'", "function s.f"},
    {"create procedure p() language sql as ''", "procedure -.p"},
    {"create type s.e as enum ('a')", "type s.e"},
    {"create type s.pair as (a int)", "type s.pair"},
    {"create domain s.d as int", "domain s.d"},
    {"create schema s2", "schema -.s2"},
    {"create extension hstore", "extension -.hstore"},
    {"create trigger tr after insert on s.t for each row execute function f()", "table s.t"},
    {"create policy p on s.t using (true)", "table s.t"},
    {"alter table s.t add column b int", "table s.t"},
    {"alter table t alter column a set not null", "table -.t"},
    {"alter index s.i set tablespace pg_default", "index s.i"},
    {"alter view v owner to r", "view -.v"},
    {"alter table s.t rename to t2", "table s.t, table s.t2"},
    {"alter table s.t rename column a to b", "table s.t"},
    {"alter view s.v rename column a to b", "view s.v"},
    {"alter function f() rename to g", "function -.f, function -.g"},
    {"alter table t set schema s", "table -.t, table s.t"},
    {"alter type s.e add value 'b'", "type s.e"},
    {"alter type s.e rename to e2", "type s.e, type s.e2"},
    {"alter domain s.d set not null", "domain s.d"},
    {"alter sequence s.q restart", "sequence s.q"},
    {"drop table s.t, u", "table s.t, table -.u"},
    {"drop view if exists v", "view -.v"},
    {"drop function f(int), s.g()", "function -.f, function s.g"},
    {"drop type s.e", "type s.e"},
    {"drop schema a, b cascade", "schema -.a, schema -.b"},
    {"drop trigger tr on s.t", "table s.t"},
    {"drop index s.i", "index s.i"},
    {"comment on table s.t is 'x'", "table s.t"},
    {"comment on column s.t.c is 'x'", "table s.t"},
    {"comment on function f(int) is 'x'", "function -.f"},
    {"grant select on s.t, u to r", "table s.t, table -.u"},
    {"revoke execute on function s.f(int) from r", "function s.f"},
    {"truncate s.t, u", "table s.t, table -.u"},
    {"create role r", "role -.r"},
    {"select 1", ""},
    {"insert into t values (1)", ""},
};

START_TEST(ddl_objects)
{
	const struct named *k = &nameds[_i];
	TuskSqlScript s = analyse(k->sql);
	ck_assert_uint_eq(s.n, 1);
	char got[512] = "";
	for (size_t i = 0; i < s.stmts[0].nobjects; i++) {
		const TuskSqlObject *o = &s.stmts[0].objects[i];
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s %s.%s", i ? ", " : "",
		         o->kind, o->schema ? o->schema : "-", o->name);
	}
	ck_assert_msg(strcmp(got, k->objects) == 0, "%s: [%s], want [%s]", k->sql, got, k->objects);
	tusk_sql_script_clear(&s);
}
END_TEST

START_TEST(classify_script)
{
	const char *sql = "begin; create table t (a int); insert into t values (1) returning a; "
	                  "alter table t add b int; drop table t; commit";
	TuskSqlScript s = analyse(sql);
	ck_assert_uint_eq(s.n, 6);
	const TuskQueryType types[] = {TUSK_QUERY_OTHER, TUSK_QUERY_CREATE, TUSK_QUERY_INSERT,
	                               TUSK_QUERY_ALTER, TUSK_QUERY_DROP,   TUSK_QUERY_OTHER};
	for (size_t i = 0; i < 6; i++)
		ck_assert_int_eq(s.stmts[i].type, types[i]);
	ck_assert(s.stmts[0].is_txn && s.stmts[5].is_txn);
	ck_assert(s.stmts[2].returns_rows);
	ck_assert_str_eq(s.stmts[4].tag, "DROP TABLE");
	tusk_sql_script_clear(&s);
}
END_TEST

START_TEST(position_in_characters)
{
	/* 30 three-byte characters before the bad statement: read as bytes,
	 * the server's position would point into the first statement. */
	char sql[512] = "select '";
	for (int i = 0; i < 30; i++)
		strcat(sql, "\xe2\x82\xac"); /* € */
	strcat(sql, "'; select 1 frm t; select '\xf0\x9f\x98\x80'");
	TuskSqlScript s = analyse(sql);
	ck_assert(s.parse_error);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(s.stmts[1].offset, 8 + 90 + 3);
	ck_assert_uint_eq(s.stmts[1].char_offset, 8 + 30 + 3);
	ck_assert_uint_eq(s.stmts[1].char_length, 14);
	ck_assert_uint_eq(s.stmts[2].char_offset, 8 + 30 + 3 + 16);
	ck_assert_uint_eq(s.stmts[2].char_length, 10);

	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tusk_sql_check_syntax(sql, &e), -1);
	ck_assert_str_eq(e.message, "syntax error at or near \"t\"");
	ck_assert_uint_eq(e.position, 8 + 30 + 3 + 14); /* the "t", in characters */
	ck_assert_uint_eq(tusk_sql_statement_at(&s, e.position), 1);
	tusk_error_clear(&e);

	ck_assert_uint_eq(tusk_sql_statement_at(&s, 1), 0);
	ck_assert_uint_eq(tusk_sql_statement_at(&s, 40), 0);
	ck_assert_uint_eq(tusk_sql_statement_at(&s, 41), 0); /* the ';' */
	ck_assert_uint_eq(tusk_sql_statement_at(&s, 42), 1);
	ck_assert_uint_eq(tusk_sql_statement_at(&s, 58), 2);
	ck_assert_uint_eq(tusk_sql_statement_at(&s, 0), 2);
	ck_assert_uint_eq(tusk_sql_statement_at(&s, 100000), 2);
	tusk_sql_script_clear(&s);

	/* Leading white space: a position before the first statement. */
	s = analyse("\n\n  select 1; select (");
	ck_assert_uint_eq(tusk_sql_statement_at(&s, 1), 0);
	ck_assert_uint_eq(tusk_sql_statement_at(&s, 23), 1);
	tusk_sql_script_clear(&s);
	TuskSqlScript empty = {0};
	ck_assert_uint_eq(tusk_sql_statement_at(&empty, 5), 0);
}
END_TEST

START_TEST(fingerprints)
{
	char *a = tusk_sql_fingerprint("select * from t where a = 1 and b = 'x'");
	char *b = tusk_sql_fingerprint("SELECT *\n  FROM t WHERE a = 42 AND b = 'other' -- c");
	char *c = tusk_sql_fingerprint("select * from t where a = 1 and c = 'x'");
	char *d = tusk_sql_fingerprint("select * from u where a = 1 and b = 'x'");
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(strlen(a), 16);
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	ck_assert_str_ne(a, d);
	ck_assert_ptr_null(tusk_sql_fingerprint("select 1 frm t"));
	ck_assert_ptr_null(tusk_sql_fingerprint(NULL));
	/* IN lists of any length group together. */
	char *e = tusk_sql_fingerprint("select * from t where a in (1, 2, 3)");
	char *f = tusk_sql_fingerprint("select * from t where a in (7)");
	ck_assert_str_eq(e, f);
	free(a), free(b), free(c), free(d), free(e), free(f);
}
END_TEST

START_TEST(syntax_check)
{
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tusk_sql_check_syntax("select 1; select 2", &e), 0);
	ck_assert_int_eq(e.kind, TUSK_ERR_NONE);
	ck_assert_int_eq(tusk_sql_check_syntax("", &e), 0);

	ck_assert_int_eq(tusk_sql_check_syntax("select 1 frm t", &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_QUERY_FAILED);
	ck_assert_str_eq(e.message, "syntax error at or near \"t\"");
	ck_assert_str_eq(e.code, "42601");
	ck_assert_str_eq(e.severity, "ERROR");
	ck_assert_uint_eq(e.position, 14);

	ck_assert_int_eq(tusk_sql_check_syntax("select 'abc", &e), -1);
	ck_assert_str_eq(e.message, "unterminated quoted string at or near \"'abc\"");
	ck_assert_uint_eq(e.position, 8);

	ck_assert_int_eq(tusk_sql_check_syntax("select (", &e), -1);
	ck_assert_str_eq(e.message, "syntax error at end of input");
	ck_assert_uint_eq(e.position, 9);

	ck_assert_int_eq(tusk_sql_check_syntax("select 'it\\'s'", &e), -1);
	ck_assert_int_eq(
	    tusk_sql_check_syntax_flags("select 'it\\'s'", TUSK_SQL_BACKSLASH_ESCAPES, &e), 0);
	ck_assert_int_eq(tusk_sql_check_syntax(NULL, NULL), 0);
	ck_assert_int_eq(tusk_sql_check_syntax("selec", NULL), -1);
	tusk_error_clear(&e);
}
END_TEST

/* libpg_query keeps its parser state per thread: scripts analysed on
 * several threads at once, some with backslash escapes, do not mix. */
static void *analyse_many(void *arg)
{
	unsigned flags = (unsigned)(uintptr_t)arg;
	const char *sql = "select 'it\\'s'; select $$;$$; create table t(a int)";
	for (int i = 0; i < 300; i++) {
		TuskSqlScript s = {0};
		if (tusk_sql_analyse_flags(sql, strlen(sql), flags, &s, NULL) < 0)
			return (void *)1;
		bool ok = flags ? s.n == 3 && !s.parse_error && s.stmts[2].is_ddl
		                : s.n == 1 && s.parse_error;
		tusk_sql_script_clear(&s);
		if (!ok)
			return (void *)1;
	}
	return NULL;
}

START_TEST(threads)
{
	pthread_t t[6];
	for (uintptr_t i = 0; i < 6; i++)
		ck_assert_int_eq(
		    pthread_create(&t[i], NULL, analyse_many,
		                   (void *)(uintptr_t)(i % 2 ? TUSK_SQL_BACKSLASH_ESCAPES : 0)),
		    0);
	for (int i = 0; i < 6; i++) {
		void *r = NULL;
		pthread_join(t[i], &r);
		ck_assert_ptr_null(r);
	}
}
END_TEST

START_TEST(deep_nesting)
{
	/* A parse tree deeper than jansson loads (2048 levels): the script
	 * is split by the parser and each statement classified alone; the
	 * deep one stays unclassified. */
	size_t depth = 1500;
	char *sql = malloc(depth * 4 + 64);
	strcpy(sql, "select 1; select ");
	size_t n = strlen(sql);
	for (size_t i = 0; i < depth; i++)
		n += (size_t)sprintf(sql + n, "1+(");
	sql[n++] = '1';
	for (size_t i = 0; i < depth; i++)
		sql[n++] = ')';
	strcpy(sql + n, "; create table t (a int)");
	TuskSqlScript s = analyse(sql);
	ck_assert_uint_eq(s.n, 3);
	ck_assert(!s.parse_error);
	ck_assert_str_eq(s.stmts[0].tag, "SELECT");
	ck_assert_uint_eq(s.stmts[1].length, n - 10);
	ck_assert_ptr_null(s.stmts[1].tag);
	ck_assert_str_eq(s.stmts[2].tag, "CREATE TABLE");
	ck_assert(s.stmts[2].is_ddl);
	tusk_sql_script_clear(&s);
	free(sql);
}
END_TEST

/* SET LOCAL / SET TRANSACTION by statement index: what the daemon asks
 * when a result's tag is "SET". */
static bool local_at(const char *sql, int index)
{
	bool *v = NULL;
	int n = tusk_sql_local_sets(sql, &v);
	bool local = index < n && v[index];
	free(v);
	return local;
}

START_TEST(set_is_local)
{
	ck_assert(local_at("set local work_mem = '1MB'", 0));
	ck_assert(local_at("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", 0));
	ck_assert(local_at("/* c */ Set -- x\n LOCAL a = 1", 0));
	ck_assert(!local_at("set work_mem = '1MB'", 0));
	ck_assert(!local_at("set session work_mem = '1MB'", 0));
	ck_assert(!local_at("set session characteristics as transaction read only", 0));
	ck_assert(!local_at("set local_var.x = 1", 0)); /* one word */
	ck_assert(!local_at("select 'set local'", 0));
	/* By index; empty statements give no result and are not counted. */
	const char *script = "set a.b = 1;; set local c.d = 2; select 1; set transaction read only";
	bool *v = NULL;
	ck_assert_int_eq(tusk_sql_local_sets(script, &v), 4);
	ck_assert(!v[0] && v[1] && !v[2] && v[3]);
	free(v);
	ck_assert_int_eq(tusk_sql_local_sets("set local 'unterminated", &v), -1);
	ck_assert_int_eq(tusk_sql_local_sets("  ", &v), 0);
	free(v);
}
END_TEST

/* The comment token numbers sql-scan.h names are libpg_query's. */
START_TEST(comment_tokens)
{
	TuskSqlToken *t = NULL;
	int n = tusk_sql_scan("-- a line\nselect /* a block */ 1;", &t);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(t[0].token, TUSK_SQL_TOKEN_SQL_COMMENT);
	ck_assert(!tusk_sql_token_is_comment(&t[1])); /* select */
	ck_assert_int_eq(t[2].token, TUSK_SQL_TOKEN_C_COMMENT);
	ck_assert(tusk_sql_token_is_comment(&t[0]) && tusk_sql_token_is_comment(&t[2]));
	ck_assert(!tusk_sql_token_is_comment(&t[3]) && !tusk_sql_token_is_comment(&t[4]));
	free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("common-sql");
	TCase *tc = tcase_create("sql");
	tcase_add_test(tc, split_plain);
	tcase_add_test(tc, split_quotes_and_comments);
	tcase_add_test(tc, split_standard_conforming_strings_off);
	tcase_add_test(tc, split_broken);
	tcase_add_test(tc, split_length_and_nul);
	tcase_add_loop_test(tc, classify_statements, 0, (int)(sizeof(kinds) / sizeof(kinds[0])));
	tcase_add_test(tc, classify_script);
	tcase_add_test(tc, ddl_tags);
	tcase_add_loop_test(tc, ddl_objects, 0, (int)(sizeof(nameds) / sizeof(nameds[0])));
	tcase_add_test(tc, position_in_characters);
	tcase_add_test(tc, fingerprints);
	tcase_add_test(tc, syntax_check);
	tcase_add_test(tc, threads);
	tcase_add_test(tc, deep_nesting);
	tcase_add_test(tc, comment_tokens);
	tcase_add_test(tc, set_is_local);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
