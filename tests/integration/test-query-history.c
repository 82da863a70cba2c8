/* History of real executions (query.execute on the run's PostgreSQL) as
 * history.list shows it: success, failure with its message, cancel; a
 * password set in SQL never reaches the daemon's files and is kept as $1;
 * search by a word; retention by history.max_entries through the janitor. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/lib/tt-pg.h"
#include "tests/lib/tt-grep.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

static struct tt_daemon d;
static struct tt_pg pg;
static int fd = -1;
static char conninfo[256];
/* Letters and digits only: one FTS5 word, unique per run. */
static char tag[64];

static void setup(void)
{
	static const char *const env[] = {"TUSK_LOG=debug", NULL};
	tt_pg_shared(&pg);
	snprintf(conninfo, sizeof(conninfo), "host=%s port=%d user=postgres dbname=postgres",
	         pg.host, pg.port);
	snprintf(tag, sizeof(tag), "hq%dx%ld", (int)getpid(), (long)time(NULL));
	fd = tt_daemon_open(&d, env);
}

static void teardown(void)
{
	tt_daemon_close(&d, fd);
}

/* query.execute of sql on the shared server; skips notifications and
 * returns the reply. */
static json_t *execute(const char *sql)
{
	static int id = 1000;
	return tt_call(fd, ++id, "query.execute",
	               json_pack("{s:s, s:s}", "sql", sql, "conninfo", conninfo));
}

static void execute_ok(const char *sql)
{
	json_t *r = execute(sql);
	ck_assert_msg(json_object_get(r, "result"), "%s: %s", sql, json_dumps(r, 0));
	json_decref(r);
}

/* history.list with params (stolen); returns its result (owned). */
static json_t *history(json_t *params)
{
	json_t *r = tt_call(fd, 7, "history.list", params);
	json_t *res = json_incref(json_object_get(r, "result"));
	ck_assert_msg(res, "history.list: %s", json_dumps(r, 0));
	json_decref(r);
	return res;
}

static const json_t *entry_with_sql(const json_t *entries, const char *needle)
{
	size_t i;
	json_t *e;
	json_array_foreach(entries, i, e)
	{
		if (strstr(json_string_value(json_object_get(e, "sql")), needle))
			return e;
	}
	return NULL;
}

START_TEST(ok_error_and_cancel_are_kept)
{
	char sql[512], missing[96], marker[96];
	snprintf(sql, sizeof(sql), "select 1 as %sok", tag);
	execute_ok(sql);

	snprintf(missing, sizeof(missing), "%smissing", tag);
	snprintf(sql, sizeof(sql), "select * from %s", missing);
	json_t *r = execute(sql);
	ck_assert_str_eq(tt_error_kind(r), "query_failed");
	json_decref(r);

	/* A query cancelled from a second client while it runs. */
	snprintf(marker, sizeof(marker), "%ssleep", tag);
	snprintf(sql, sizeof(sql),
	         "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"query.execute\",\"params\":{"
	         "\"sql\":\"select pg_sleep(60) as %s\",\"query_id\":\"%s\",\"conninfo\":\"",
	         marker, marker);
	tt_send_str(fd, sql);
	tt_send_str(fd, conninfo);
	tt_send_str(fd, "\"}}\n");
	int fd2 = tt_connect(d.socket);
	bool running = false;
	for (int i = 0; i < 200 && !running; i++) {
		json_t *l = tt_call(fd2, 2, "query.list", NULL);
		json_t *q =
		    json_array_get(json_object_get(json_object_get(l, "result"), "queries"), 0);
		running =
		    q && strcmp(json_string_value(json_object_get(q, "state")), "running") == 0;
		json_decref(l);
		if (!running)
			usleep(25000);
	}
	ck_assert_msg(running, "the pg_sleep query never ran");
	usleep(100000);
	json_t *c = tt_call(fd2, 3, "query.cancel", json_pack("{s:s}", "query_id", marker));
	ck_assert(json_is_true(json_object_get(json_object_get(c, "result"), "cancel_requested")));
	json_decref(c);
	close(fd2);
	while ((r = tt_read(fd, 10000)) && !json_object_get(r, "id"))
		json_decref(r);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(tt_error_kind(r), "query_cancelled");
	json_decref(r);

	json_t *h = history(json_pack("{s:s}", "search", tag));
	json_t *entries = json_object_get(h, "entries");
	ck_assert_int_eq(json_integer_value(json_object_get(h, "total")), 3);
	/* Newest first. */
	const json_t *ok = json_array_get(entries, 2), *err = json_array_get(entries, 1),
	             *can = json_array_get(entries, 0);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(ok, "sql")), "ok"));
	ck_assert_str_eq(json_string_value(json_object_get(ok, "status")), "ok");
	ck_assert(json_is_null(json_object_get(ok, "error")));
	ck_assert_int_eq(json_integer_value(json_object_get(ok, "rows")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(ok, "query_type")), "select");
	ck_assert_str_eq(json_string_value(json_object_get(ok, "database")), "postgres");

	ck_assert_str_eq(json_string_value(json_object_get(err, "status")), "error");
	char want[160];
	snprintf(want, sizeof(want), "relation \"%s\" does not exist", missing);
	ck_assert_str_eq(json_string_value(json_object_get(err, "error")), want);

	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(can, "sql")), marker));
	ck_assert_str_eq(json_string_value(json_object_get(can, "status")), "cancelled");
	ck_assert_ptr_nonnull(json_string_value(json_object_get(can, "error")));
	ck_assert_int_ge(json_integer_value(json_object_get(can, "duration_ms")), 100);

	/* The status filter picks each one alone. */
	const char *statuses[] = {"ok", "error", "cancelled"};
	for (int i = 0; i < 3; i++) {
		json_t *f = history(json_pack("{s:s, s:s}", "search", tag, "status", statuses[i]));
		ck_assert_int_eq(json_integer_value(json_object_get(f, "total")), 1);
		json_decref(f);
	}
	json_decref(h);
}
END_TEST

/* The first file under dir containing needle, or NULL. */
static const char *file_containing(const char *dir, const char *needle)
{
	static char hit[1024];
	return tt_tree_contains(dir, needle, NULL, hit, sizeof(hit)) ? hit : NULL;
}

START_TEST(password_never_kept)
{
	char role[96], password[96], sql[400], want[200];
	snprintf(role, sizeof(role), "%srole", tag);
	snprintf(password, sizeof(password), "Pw%sZq9", tag);
	snprintf(sql, sizeof(sql), "create role %s login", role);
	tt_pg_exec(&pg, NULL, sql);

	snprintf(sql, sizeof(sql), "ALTER ROLE %s PASSWORD '%s'", role, password);
	execute_ok(sql);
	/* A failing one too: the error path must not keep it either. */
	snprintf(sql, sizeof(sql), "ALTER ROLE %snobody PASSWORD '%s'", tag, password);
	json_t *r = execute(sql);
	ck_assert_str_eq(tt_error_kind(r), "query_failed");
	json_decref(r);

	json_t *h = history(json_pack("{s:s}", "search", "alter role"));
	json_t *entries = json_object_get(h, "entries");
	ck_assert_int_eq(json_integer_value(json_object_get(h, "total")), 2);
	snprintf(want, sizeof(want), "ALTER ROLE %s PASSWORD $1", role);
	const json_t *e = entry_with_sql(entries, role);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_string_value(json_object_get(e, "sql")), want);
	ck_assert_str_eq(json_string_value(json_object_get(e, "status")), "ok");
	char *all = json_dumps(h, 0);
	ck_assert_ptr_null(strstr(all, password));
	free(all);
	json_decref(h);

	/* history.list waited for the writer: tusk.db (and its WAL) hold the
	 * entries now; the debug log has seen every request. */
	const char *hit = file_containing(d.dir, password);
	ck_assert_msg(!hit, "the password is in %s", hit);
	snprintf(want, sizeof(want), "PASSWORD $1");
	ck_assert_msg(file_containing(d.data_dir, want),
	              "the normalised statement is not in the data dir: the grep finds nothing");

	snprintf(sql, sizeof(sql), "drop role %s", role);
	tt_pg_exec(&pg, NULL, sql);
}
END_TEST

START_TEST(search_finds_a_word)
{
	char sql[256], word[96];
	snprintf(word, sizeof(word), "%szebra", tag);
	snprintf(sql, sizeof(sql), "select 'stripes' as %s", word);
	execute_ok(sql);
	snprintf(sql, sizeof(sql), "select 'spots' as %sleopard", tag);
	execute_ok(sql);

	json_t *h = history(json_pack("{s:s}", "search", word));
	ck_assert_int_eq(json_integer_value(json_object_get(h, "total")), 1);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
	                                 json_array_get(json_object_get(h, "entries"), 0), "sql")),
	                             "stripes"));
	json_decref(h);
	/* Case does not matter; both words of a query must appear. */
	char two[200];
	snprintf(two, sizeof(two), "STRIPES %s", word);
	h = history(json_pack("{s:s}", "search", two));
	ck_assert_int_eq(json_integer_value(json_object_get(h, "total")), 1);
	json_decref(h);
	snprintf(two, sizeof(two), "spots %s", word);
	h = history(json_pack("{s:s}", "search", two));
	ck_assert_int_eq(json_integer_value(json_object_get(h, "total")), 0);
	json_decref(h);
}
END_TEST

START_TEST(retention_keeps_max_entries)
{
	json_t *r = tt_call(fd, 4, "settings.set",
	                    json_pack("{s:s, s:i}", "key", "history.max_entries", "value", 5));
	ck_assert_msg(json_object_get(r, "result"), "%s", json_dumps(r, 0));
	json_decref(r);
	char sql[128];
	for (int i = 1; i <= 10; i++) {
		snprintf(sql, sizeof(sql), "select %d as %sn%d", i, tag, i);
		execute_ok(sql);
	}
	/* The janitor applies retention every 5 s (daemon/main.c). */
	double t0 = tt_now_ms();
	long long total = -1;
	while (tt_now_ms() - t0 < 12000) {
		json_t *h = history(json_object());
		total = json_integer_value(json_object_get(h, "total"));
		json_decref(h);
		if (total <= 5)
			break;
		usleep(200000);
	}
	ck_assert_int_eq(total, 5);
	/* The newest five are the ones kept. */
	json_t *h = history(json_object());
	json_t *entries = json_object_get(h, "entries");
	for (int i = 0; i < 5; i++) {
		snprintf(sql, sizeof(sql), "select %d as %sn%d", 10 - i, tag, 10 - i);
		ck_assert_str_eq(
		    json_string_value(json_object_get(json_array_get(entries, (size_t)i), "sql")),
		    sql);
	}
	json_decref(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("query-history");
	TCase *tc = tcase_create("query-history");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ok_error_and_cancel_are_kept);
	tcase_add_test(tc, password_never_kept);
	tcase_add_test(tc, search_finds_a_word);
	tcase_add_test(tc, retention_keeps_max_entries);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
