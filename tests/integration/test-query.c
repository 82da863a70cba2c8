/* The query engine against a real PostgreSQL: streaming, scripts, errors,
 * params, cancel, timeouts, contexts, disconnects, read-only, backpressure. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

static struct tt_daemon d;
static struct tt_pg pg;
static int fd = -1;
static char conninfo[256];
static char appname[64];

static void setup(void)
{
	/* Our own application_name: probes of pg_stat_activity see only this
	 * suite's sessions, whatever runs beside it. */
	snprintf(appname, sizeof(appname), "tusk-query-%d", (int)getpid());
	tt_pg_shared(&pg);
	snprintf(conninfo, sizeof(conninfo),
	         "host=%s port=%d user=postgres dbname=postgres application_name=%s", pg.host,
	         pg.port, appname);
	fd = tt_daemon_open(&d, NULL);
}

static void teardown(void)
{
	tt_daemon_close(&d, fd);
}

/* Send query.execute with params (stolen; conninfo added unless it has a
 * connection_id), collect the notifications into *notes (may be NULL) and
 * return the reply. */
static json_t *execute_on(int sock, json_t *params, json_t **notes)
{
	static int id = 100;
	if (!json_object_get(params, "connection_id") && !json_object_get(params, "conninfo"))
		json_object_set_new(params, "conninfo", json_string(conninfo));
	json_t *req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", ++id, "method",
	                        "query.execute", "params", params);
	char *s = json_dumps(req, JSON_COMPACT);
	tt_send_str(sock, s);
	tt_send_str(sock, "\n");
	free(s);
	json_decref(req);
	json_t *list = json_array();
	for (;;) {
		json_t *m = tt_read(sock, 30000);
		ck_assert_msg(m, "no reply from query.execute");
		if (json_integer_value(json_object_get(m, "id")) == id) {
			if (notes)
				*notes = list;
			else
				json_decref(list);
			return m;
		}
		json_array_append_new(list, m);
	}
}

static json_t *execute(const char *sql, json_t **notes)
{
	return execute_on(fd, json_pack("{s:s}", "sql", sql), notes);
}

static json_t *result(const json_t *reply)
{
	return json_object_get(reply, "result");
}

/* All rows of result set idx from the notifications, as one array. */
static json_t *rows_of(const json_t *notes, int idx)
{
	json_t *all = json_array();
	size_t i;
	json_t *n;
	json_array_foreach(notes, i, n)
	{
		if (strcmp(json_string_value(json_object_get(n, "method")), "query.rows") != 0)
			continue;
		json_t *p = json_object_get(n, "params");
		if (json_integer_value(json_object_get(p, "result_index")) != idx)
			continue;
		json_array_extend(all, json_object_get(p, "rows"));
	}
	return all;
}

static int count_method(const json_t *notes, const char *method)
{
	int n = 0;
	size_t i;
	json_t *m;
	json_array_foreach(notes, i, m) n +=
	    strcmp(json_string_value(json_object_get(m, "method")), method) == 0;
	return n;
}

START_TEST(select_streams_in_order)
{
	json_t *notes;
	json_t *r = execute("select 1 as a, 'x'::varchar(20) as b, null::text as c", &notes);
	ck_assert_msg(result(r), "%s", json_dumps(r, 0));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(notes, 0), "method")),
	                 "query.started");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(notes, 1), "method")),
	                 "query.columns");
	json_t *cols =
	    json_object_get(json_object_get(json_array_get(notes, 1), "params"), "columns");
	ck_assert_int_eq(json_array_size(cols), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(cols, 1), "name")), "b");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(cols, 0), "type_oid")),
	                 23);
	json_t *rows = rows_of(notes, 0);
	char *s = json_dumps(rows, JSON_COMPACT);
	ck_assert_str_eq(s, "[[\"1\",\"x\",null]]");
	free(s);
	json_t *res = json_array_get(json_object_get(result(r), "results"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(res, "command_tag")), "SELECT 1");
	ck_assert_str_eq(json_string_value(json_object_get(res, "query_type")), "select");
	ck_assert_str_eq(json_string_value(json_object_get(result(r), "transaction_status")),
	                 "idle");
	json_decref(rows);
	json_decref(notes);
	json_decref(r);
}
END_TEST

START_TEST(big_result_in_batches)
{
	json_t *notes;
	json_t *r =
	    execute_on(fd,
	               json_pack("{s:s, s:i}", "sql",
	                         "select g, repeat('x', 10) from generate_series(1,25000) g",
	                         "batch_rows", 1000),
	               &notes);
	ck_assert_int_eq(json_integer_value(json_object_get(result(r), "rows")), 25000);
	ck_assert_int_eq(count_method(notes, "query.rows"), 25);
	json_t *rows = rows_of(notes, 0);
	ck_assert_int_eq(json_array_size(rows), 25000);
	for (size_t i = 0; i < 25000; i += 997)
		ck_assert_int_eq(
		    atoi(json_string_value(json_array_get(json_array_get(rows, i), 0))),
		    (int)i + 1);
	json_decref(rows);
	json_decref(notes);
	json_decref(r);
}
END_TEST

START_TEST(script_gives_one_result_per_statement)
{
	json_t *notes;
	json_t *r = execute("select 1; create temp table t(x int); insert into t values (1),(2); "
	                    "select x from t order by x; drop table t",
	                    &notes);
	json_t *results = json_object_get(result(r), "results");
	ck_assert_int_eq(json_array_size(results), 5);
	const char *tags[] = {"SELECT 1", "CREATE TABLE", "INSERT 0 2", "SELECT 2", "DROP TABLE"};
	for (int i = 0; i < 5; i++)
		ck_assert_str_eq(
		    json_string_value(json_object_get(json_array_get(results, i), "command_tag")),
		    tags[i]);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_array_get(results, 2), "rows_affected")), 2);
	ck_assert_int_eq(count_method(notes, "query.result"), 5);
	json_t *rows = rows_of(notes, 3);
	ck_assert_int_eq(json_array_size(rows), 2);
	json_decref(rows);
	json_decref(notes);
	json_decref(r);
}
END_TEST

START_TEST(script_error_says_where)
{
	json_t *r = execute("select 1; select * from no_such_table; select 2", NULL);
	ck_assert_str_eq(tt_error_kind(r), "query_failed");
	json_t *data = json_object_get(json_object_get(r, "error"), "data");
	ck_assert_str_eq(json_string_value(json_object_get(data, "code")), "42P01");
	ck_assert_int_eq(json_integer_value(json_object_get(data, "statement_index")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(data, "completed_results")), 1);
	/* The server's position counts characters in the whole script. */
	ck_assert_int_eq(json_integer_value(json_object_get(data, "position")), 25);
	json_decref(r);

	/* A syntax error stops the script before anything runs: the server
	 * completed nothing, yet the failing statement is still named. */
	r = execute("select 1; select 2; selec 3", NULL);
	ck_assert_str_eq(tt_error_kind(r), "query_failed");
	data = json_object_get(json_object_get(r, "error"), "data");
	ck_assert_str_eq(json_string_value(json_object_get(data, "code")), "42601");
	ck_assert_int_eq(json_integer_value(json_object_get(data, "completed_results")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(data, "statement_index")), 2);
	json_decref(r);
	ck_assert(tt_ping(fd, 1000));
}
END_TEST

START_TEST(bad_input_kinds)
{
	json_t *r = execute("   ", NULL);
	ck_assert_str_eq(tt_error_kind(r), "invalid_input");
	json_decref(r);
	r = execute_on(fd,
	               json_pack("{s:s, s:s}", "sql", "select 1", "connection_id",
	                         "00000000-0000-4000-8000-000000000000"),
	               NULL);
	ck_assert_str_eq(tt_error_kind(r), "connection_not_found");
	json_decref(r);
	r = tt_call(fd, 9, "query.cancel", json_pack("{s:s}", "query_id", "nope"));
	ck_assert_str_eq(tt_error_kind(r), "invalid_input");
	json_decref(r);
	/* Parameters: the server judges count and types. */
	r = execute_on(
	    fd, json_pack("{s:s, s:[s,s]}", "sql", "select $1::int + $2::int", "params", "1", "2"),
	    NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(result(r), "rows")), 1);
	json_decref(r);
	r = execute_on(
	    fd, json_pack("{s:s, s:[s]}", "sql", "select $1::int + $2::int", "params", "1"), NULL);
	ck_assert_str_eq(tt_error_kind(r), "query_failed");
	json_decref(r);
	r = execute_on(fd, json_pack("{s:s, s:[s]}", "sql", "select $1::int", "params", "abc"),
	               NULL);
	ck_assert_str_eq(tt_error_kind(r), "query_failed");
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(json_object_get(r, "error"), "data"), "code")),
	                 "22P02");
	json_decref(r);
	ck_assert(tt_ping(fd, 1000));
}
END_TEST

START_TEST(cancel_is_fast)
{
	/* The client picks the id, so it can cancel before the reply. */
	tt_send_str(fd, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"query.execute\",\"params\":{"
	                "\"sql\":\"select pg_sleep(60)\",\"query_id\":\"sleepy\",\"conninfo\":\"");
	tt_send_str(fd, conninfo);
	tt_send_str(fd, "\"}}\n");
	usleep(300000);
	int fd2 = tt_connect(d.socket);
	double t0 = tt_now_ms();
	json_t *c = tt_call(fd2, 1, "query.cancel", json_pack("{s:s}", "query_id", "sleepy"));
	ck_assert(json_is_true(json_object_get(result(c), "cancel_requested")));
	json_decref(c);
	json_t *r;
	while ((r = tt_read(fd, 5000)) && !json_object_get(r, "id"))
		json_decref(r);
	double ms = tt_now_ms() - t0;
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(tt_error_kind(r), "query_cancelled");
	ck_assert_msg(ms < 500, "cancelled reply after %.1f ms", ms);
	json_decref(r);
	close(fd2);
	/* The backend is clean for the next query. */
	r = execute("select 42", NULL);
	ck_assert_ptr_nonnull(result(r));
	json_decref(r);
}
END_TEST

START_TEST(timeouts)
{
	json_t *r = execute_on(
	    fd, json_pack("{s:s, s:i}", "sql", "select pg_sleep(10)", "timeout_ms", 300), NULL);
	ck_assert_str_eq(tt_error_kind(r), "query_timeout");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "error"), "message")),
	                 "Query timeout after 300ms");
	json_decref(r);
	r = execute("set statement_timeout = 200; select pg_sleep(10)", NULL);
	ck_assert_str_eq(tt_error_kind(r), "query_timeout");
	json_decref(r);
}
END_TEST

START_TEST(disconnect_cancels_on_the_server)
{
	int c = tt_connect(d.socket);
	char line[512], marker[64], probe[300];
	/* Unique per run: an earlier run's sleeper may still be on the server. */
	snprintf(marker, sizeof(marker), "tusk-disconnect-%d-%ld", (int)getpid(), (long)time(NULL));
	snprintf(line, sizeof(line),
	         "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"query.execute\",\"params\":{"
	         "\"sql\":\"select pg_sleep(60) /* %s */\",\"conninfo\":\"%s\"}}\n",
	         marker, conninfo);
	tt_send_str(c, line);
	usleep(500000);
	PGconn *admin = tt_pg_connect(&pg, NULL);
	snprintf(probe, sizeof(probe),
	         "select count(*) from pg_stat_activity where state = 'active' and "
	         "query like '%%%s%%' and pid <> pg_backend_pid()",
	         marker);
	PGresult *res = PQexec(admin, probe);
	ck_assert_str_eq(PQgetvalue(res, 0, 0), "1");
	PQclear(res);
	close(c);
	/* The sleeper would run 60 s if tuskd did not cancel it; the cancel goes
	 * through a worker and a new server connection, which under ASan on a
	 * loaded 2-core machine took over 1 s. */
	double t0 = tt_now_ms();
	bool gone = false;
	while (tt_now_ms() - t0 < 10000 && !gone) {
		res = PQexec(admin, probe);
		gone = strcmp(PQgetvalue(res, 0, 0), "0") == 0;
		PQclear(res);
		usleep(20000);
	}
	ck_assert_msg(gone, "the query still runs 10 s after its client left");
	PQfinish(admin);
	json_t *r = execute("select 1", NULL);
	ck_assert_ptr_nonnull(result(r));
	json_decref(r);
}
END_TEST

START_TEST(named_context_spans_clients)
{
	tt_pg_exec(&pg, NULL, "create table if not exists ctx_test(x int)");
	tt_pg_exec(&pg, NULL, "truncate ctx_test");
	const char *steps[] = {"begin", "insert into ctx_test values (7)", "rollback"};
	const char *states[] = {"in_transaction", "in_transaction", "idle"};
	for (int i = 0; i < 3; i++) {
		/* A separate client each time, like three tuskctl --session s1. */
		int c = tt_connect(d.socket);
		json_t *r =
		    execute_on(c, json_pack("{s:s, s:s}", "sql", steps[i], "context", "s1"), NULL);
		ck_assert_msg(result(r), "%s: %s", steps[i], json_dumps(r, 0));
		ck_assert_str_eq(
		    json_string_value(json_object_get(result(r), "transaction_status")), states[i]);
		json_decref(r);
		if (i == 1) {
			/* Not committed: nobody else sees it. */
			PGconn *admin = tt_pg_connect(&pg, NULL);
			PGresult *res = PQexec(admin, "select count(*) from ctx_test");
			ck_assert_str_eq(PQgetvalue(res, 0, 0), "0");
			PQclear(res);
			PQfinish(admin);
		}
		close(c);
	}
	json_t *notes;
	json_t *r = execute("select count(*) from ctx_test", &notes);
	json_t *rows = rows_of(notes, 0);
	ck_assert_str_eq(json_string_value(json_array_get(json_array_get(rows, 0), 0)), "0");
	json_decref(rows);
	json_decref(notes);
	json_decref(r);
}
END_TEST

START_TEST(idle_transaction_in_a_context_is_rolled_back)
{
	/* The shortest idle timeout the setting allows: 10 s. */
	json_t *r =
	    tt_call(fd, 3, "settings.set",
	            json_pack("{s:s, s:i}", "key", "query.context_idle_timeout_sec", "value", 10));
	ck_assert_ptr_nonnull(result(r));
	json_decref(r);
	tt_pg_exec(&pg, NULL, "create table if not exists ctx_idle(x int)");
	tt_pg_exec(&pg, NULL, "truncate ctx_idle");
	r = execute_on(fd,
	               json_pack("{s:s, s:s}", "sql", "begin; insert into ctx_idle values (1)",
	                         "context", "idle-tab"),
	               NULL);
	ck_assert_str_eq(json_string_value(json_object_get(result(r), "transaction_status")),
	                 "in_transaction");
	json_decref(r);
	PGconn *admin = tt_pg_connect(&pg, NULL);
	char probe[256];
	snprintf(probe, sizeof(probe),
	         "select count(*) from pg_stat_activity where application_name = '%s' "
	         "and state like 'idle in transaction%%'",
	         appname);
	PGresult *res = PQexec(admin, probe);
	ck_assert_int_ge(atoi(PQgetvalue(res, 0, 0)), 1);
	PQclear(res);
	sleep(12);
	res = PQexec(admin, probe);
	ck_assert_str_eq(PQgetvalue(res, 0, 0), "0");
	PQclear(res);
	res = PQexec(admin, "select count(*) from ctx_idle");
	ck_assert_str_eq(PQgetvalue(res, 0, 0), "0");
	PQclear(res);
	PQfinish(admin);
	/* The context goes on, outside any transaction now. */
	r = execute_on(fd, json_pack("{s:s, s:s}", "sql", "select 1", "context", "idle-tab"), NULL);
	ck_assert_str_eq(json_string_value(json_object_get(result(r), "transaction_status")),
	                 "idle");
	json_decref(r);
}
END_TEST

START_TEST(unnamed_context_rolls_back_when_client_leaves)
{
	tt_pg_exec(&pg, NULL, "create table if not exists ctx_test2(x int)");
	tt_pg_exec(&pg, NULL, "truncate ctx_test2");
	int c = tt_connect(d.socket);
	json_t *r = execute_on(
	    c, json_pack("{s:s}", "sql", "begin; insert into ctx_test2 values (1)"), NULL);
	ck_assert_str_eq(json_string_value(json_object_get(result(r), "transaction_status")),
	                 "in_transaction");
	json_decref(r);
	close(c);
	usleep(200000);
	PGconn *admin = tt_pg_connect(&pg, NULL);
	char probe[256];
	snprintf(probe, sizeof(probe),
	         "select count(*) from pg_stat_activity where state like "
	         "'idle in transaction%%' and application_name = '%s'",
	         appname);
	PGresult *res = PQexec(admin, probe);
	ck_assert_str_eq(PQgetvalue(res, 0, 0), "0");
	PQclear(res);
	res = PQexec(admin, "select count(*) from ctx_test2");
	ck_assert_str_eq(PQgetvalue(res, 0, 0), "0");
	PQclear(res);
	PQfinish(admin);
}
END_TEST

START_TEST(readonly_refuses_writes)
{
	char ro[400];
	snprintf(ro, sizeof(ro), "%s options='-c default_transaction_read_only=on'", conninfo);
	json_t *r = execute_on(
	    fd, json_pack("{s:s, s:s}", "sql", "create table ro_nope(x int)", "conninfo", ro),
	    NULL);
	ck_assert_str_eq(tt_error_kind(r), "query_failed");
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(json_object_get(r, "error"), "data"), "code")),
	                 "25006");
	json_decref(r);
}
END_TEST

START_TEST(notices_and_max_rows)
{
	json_t *notes;
	json_t *r = execute("do $$ begin raise notice 'hello %', 42; end $$", &notes);
	ck_assert_int_eq(count_method(notes, "query.notice"), 1);
	json_decref(notes);
	json_decref(r);
	r = execute_on(
	    fd,
	    json_pack("{s:s, s:i}", "sql", "select generate_series(1, 1000000)", "max_rows", 10),
	    &notes);
	ck_assert_int_eq(json_integer_value(json_object_get(result(r), "rows")), 10);
	ck_assert(json_is_true(json_object_get(result(r), "truncated")));
	json_decref(notes);
	json_decref(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("query");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, select_streams_in_order);
	tcase_add_test(tc, big_result_in_batches);
	tcase_add_test(tc, script_gives_one_result_per_statement);
	tcase_add_test(tc, script_error_says_where);
	tcase_add_test(tc, bad_input_kinds);
	tcase_add_test(tc, cancel_is_fast);
	tcase_add_test(tc, timeouts);
	tcase_add_test(tc, disconnect_cancels_on_the_server);
	tcase_add_test(tc, named_context_spans_clients);
	tcase_add_test(tc, unnamed_context_rolls_back_when_client_leaves);
	tcase_add_test(tc, idle_transaction_in_a_context_is_rolled_back);
	tcase_add_test(tc, readonly_refuses_writes);
	tcase_add_test(tc, notices_and_max_rows);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
