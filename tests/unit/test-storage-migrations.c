/* Schema migrations: from nothing, from every earlier version with data in
 * it, a failing step, and the shape of what the steps make (WAL, foreign
 * keys, FTS5 kept in sync by triggers). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "daemon/storage/storage.h"
#include "test-storage-util.h"
#include "tests/lib/tt-check.h"

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;
	ck_assert_int_eq(
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
	    SQLITE_OK);
	return db;
}

/* Rows a user could have added at versions from+1 .. to. */
static void insert_rows(sqlite3 *db, int from, int to)
{
	static const char *const rows[] = {
	    [1] = "INSERT INTO settings VALUES ('pool.max_size', '7', 1)",
	    [2] = "INSERT INTO connection_groups VALUES ('g1', 'Prod', NULL, 0, '#ff0000');"
	          "INSERT INTO connection_groups VALUES ('g2', 'EU', 'g1', 1, NULL);"
	          "INSERT INTO connections VALUES ('c1', 'main db', 'g2', 3,"
	          "  '{\"host\":\"db.example\",\"port\":5432}', 10, 20);",
	    [3] = "INSERT INTO query_history (uuid, connection_id, database, sql, started_at,"
	          "  duration_ms, rows, query_type, status, error) VALUES"
	          "  ('h1', 'c1', 'app', 'SELECT * FROM accounts WHERE id = 1',"
	          "   1700000000000000, 12, 1, 'select', 'ok', NULL),"
	          "  ('h2', 'c1', 'app', 'DELETE FROM invoices', 1700000000000001, 3, 0,"
	          "   'delete', 'error', 'permission denied'),"
	          "  ('h3', 'c1', 'app', 'select pg_sleep(3)', 1700000000000002, 500, NULL,"
	          "   'other', 'error', 'Query timeout after 500ms')",
	    [4] = "INSERT INTO workspace_tabs (id, connection_id, title, sql, cursor, position, "
	          "updated_at) VALUES ('t1', 'c1', 'Query 1', 'select 1;', 8, 0, 30)",
	    [5] = "INSERT INTO query_history (uuid, sql, started_at, status, error, stop_reason)"
	          "  VALUES ('h4', 'select 2', 1700000000000003, 'cancelled', 'Query cancelled',"
	          "  'client_gone')",
	    [6] = "INSERT INTO workspaces VALUES ('w2', 3, 40);"
	          "INSERT INTO workspace_tabs (workspace, id, title, sql, cursor, selection_start,"
	          "  selection_end, context, extra, position, updated_at)"
	          "  VALUES ('w2', 't2', 'Two', 'select 2;', 1, 0, 3, 's1', '{}', 0, 40);"
	          "INSERT INTO session_connections VALUES ('c1', 50);"
	          "INSERT INTO session_contexts VALUES ('c1', 's1', 'in_transaction', 60, 1,"
	          "  '[\"begin\"]', 60);",
	};
	/* A new migration needs its rows here, or this fails. */
	ck_assert_int_eq(sizeof rows / sizeof *rows, storage_schema_version + 1);
	for (int v = from + 1; v <= to; v++)
		tst_exec(db, rows[v]);
}

static void check_rows(sqlite3 *db, int k)
{
	char *t;
	if (k >= 1) {
		t = tst_text(db, "SELECT value FROM settings WHERE key = 'pool.max_size'");
		ck_assert_str_eq(t, "7");
		free(t);
	}
	if (k >= 2) {
		ck_assert_int_eq(tst_int(db, "SELECT count(*) FROM connection_groups"), 2);
		t = tst_text(db, "SELECT parent_id FROM connection_groups WHERE id = 'g2'");
		ck_assert_str_eq(t, "g1");
		free(t);
		t = tst_text(db, "SELECT config FROM connections WHERE name = 'main db' "
		                 "AND group_id = 'g2' AND sort_order = 3 AND created_at = 10");
		ck_assert_str_eq(t, "{\"host\":\"db.example\",\"port\":5432}");
		free(t);
	}
	if (k >= 3) {
		ck_assert_int_eq(tst_int(db, "SELECT count(*) FROM query_history "
		                             "WHERE uuid IN ('h1', 'h2', 'h3')"),
		                 3);
		t = tst_text(db, "SELECT error FROM query_history WHERE uuid = 'h2'");
		ck_assert_str_eq(t, "permission denied");
		free(t);
		/* Rows written at an older version are searchable after it. */
		ck_assert_int_eq(tst_int(db, "SELECT rowid FROM query_history_fts "
		                             "WHERE query_history_fts MATCH 'accounts'"),
		                 tst_int(db, "SELECT id FROM query_history WHERE uuid = 'h1'"));
	}
	if (k >= 4) {
		t = tst_text(db, "SELECT sql FROM workspace_tabs WHERE id = 't1' AND cursor = 8");
		ck_assert_str_eq(t, "select 1;");
		free(t);
	}
	if (k >= 5) {
		t = tst_text(db, "SELECT stop_reason FROM query_history WHERE uuid = 'h4'");
		ck_assert_str_eq(t, "client_gone");
		free(t);
	}
	if (k >= 4 && k < 6) /* version 4's tabs went to workspace 'default' */
		ck_assert_int_eq(tst_int(db, "SELECT revision FROM workspaces "
		                             "WHERE name = 'default' AND saved_at = 30"),
		                 1);
	if (k >= 6) {
		t = tst_text(db, "SELECT context FROM workspace_tabs WHERE workspace = 'w2' AND "
		                 "id = 't2' AND selection_end = 3");
		ck_assert_str_eq(t, "s1");
		free(t);
		ck_assert_int_eq(tst_int(db, "SELECT count(*) FROM session_connections"), 1);
		ck_assert_int_eq(tst_int(db, "SELECT statement_count FROM session_contexts"), 1);
	}
}

static void check_latest_schema(sqlite3 *db)
{
	static const char *const tables[] = {
	    "settings",      "connection_groups",   "connections",
	    "query_history", "query_history_fts",   "workspace_tabs",
	    "workspaces",    "session_connections", "session_contexts"};
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
		ck_assert_msg(tst_has_table(db, tables[i]), "table %s missing", tables[i]);
	ck_assert_int_eq(tst_int(db, "PRAGMA user_version"), storage_schema_version);
}

START_TEST(test_empty_to_latest)
{
	_cleanup_free_ char *dir = tst_dir();
	_cleanup_free_ char *path = tst_join(dir, "tusk.db");
	TuskError e = TUSK_ERROR_INIT;

	ck_assert_int_ge(storage_schema_version, 4);
	Storage *s = storage_open(path, &e);
	ck_assert_msg(s != NULL, "%s", tusk_error_message(&e));
	ck_assert_int_eq(storage_state(s), STORAGE_OK);
	ck_assert_ptr_null(storage_warning(s));
	ck_assert_str_eq(storage_path(s), path);
	ck_assert_int_eq(storage_user_version(s), storage_schema_version);
	check_latest_schema(storage_db(s));
	insert_rows(storage_db(s), 0, storage_schema_version);
	check_rows(storage_db(s), storage_schema_version);
	storage_close(s);

	/* Opening again is a no-op migration and the data is still there. */
	s = storage_open(path, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(storage_state(s), STORAGE_OK);
	check_rows(storage_db(s), storage_schema_version);
	storage_close(s);
}
END_TEST

/* _i is the version the user's file was left at. */
START_TEST(test_from_earlier_version)
{
	_cleanup_free_ char *dir = tst_dir();
	_cleanup_free_ char *path = tst_join(dir, "tusk.db");
	TuskError e = TUSK_ERROR_INIT;
	int k = _i;

	sqlite3 *db = raw_open(path);
	ck_assert_msg(storage_migrate(db, k, &e) == 0, "%s", tusk_error_message(&e));
	ck_assert_int_eq(tst_int(db, "PRAGMA user_version"), k);
	/* Nothing of a later step is there yet. */
	if (k < 4)
		ck_assert(!tst_has_table(db, "workspace_tabs"));
	if (k < 3)
		ck_assert(!tst_has_table(db, "query_history"));
	insert_rows(db, 0, k);
	sqlite3_close(db);

	Storage *s = storage_open(path, &e);
	ck_assert_msg(s != NULL, "%s", tusk_error_message(&e));
	ck_assert_int_eq(storage_state(s), STORAGE_OK);
	check_latest_schema(storage_db(s));
	check_rows(storage_db(s), k);
	if (k >= 3 && k < 5) {
		/* A timeout recorded as an error before 5 is a cancel with its
		 * reason; a real error stays one. */
		char *t = tst_text(storage_db(s), "SELECT status || '/' || stop_reason "
		                                  "FROM query_history WHERE uuid = 'h3'");
		ck_assert_str_eq(t, "cancelled/timeout");
		free(t);
		ck_assert_int_eq(tst_int(storage_db(s), "SELECT count(*) FROM query_history "
		                                        "WHERE status = 'error'"),
		                 1);
	}
	/* The new tables work too. */
	insert_rows(storage_db(s), k, storage_schema_version);
	check_rows(storage_db(s), storage_schema_version);
	storage_close(s);
	ck_assert_uint_eq(tst_count_prefix(dir, "tusk.db.corrupt"), 0);
}
END_TEST

START_TEST(test_step_by_step_in_one_handle)
{
	TuskError e = TUSK_ERROR_INIT;
	sqlite3 *db = NULL;
	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (int v = 1; v <= storage_schema_version; v++) {
		ck_assert_int_eq(storage_migrate(db, v, &e), 0);
		ck_assert_int_eq(tst_int(db, "PRAGMA user_version"), v);
		insert_rows(db, v - 1, v);
	}
	/* Asking for an older version than the file has changes nothing. */
	ck_assert_int_eq(storage_migrate(db, 1, &e), 0);
	ck_assert_int_eq(tst_int(db, "PRAGMA user_version"), storage_schema_version);
	check_rows(db, storage_schema_version);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_bad_targets)
{
	TuskError e = TUSK_ERROR_INIT;
	sqlite3 *db = NULL;
	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	ck_assert_int_eq(storage_migrate(db, storage_schema_version + 1, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_INPUT);
	ck_assert_int_eq(storage_migrate(db, -1, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_INPUT);
	ck_assert_int_eq(tst_int(db, "PRAGMA user_version"), 0);

	/* A schema from a newer Tusk is never "migrated". */
	tst_exec(db, "PRAGMA user_version = 99");
	ck_assert_int_eq(storage_migrate(db, storage_schema_version, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_MIGRATION);
	ck_assert_ptr_nonnull(strstr(tusk_error_message(&e), "99"));
	tusk_error_clear(&e);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_failing_step_rolls_back)
{
	_cleanup_free_ char *dir = tst_dir();
	_cleanup_free_ char *path = tst_join(dir, "tusk.db");
	TuskError e = TUSK_ERROR_INIT;

	sqlite3 *db = raw_open(path);
	ck_assert_int_eq(storage_migrate(db, 1, &e), 0);
	insert_rows(db, 0, 1);
	/* Step 2 creates connection_groups, then connections: it gets halfway. */
	tst_exec(db, "CREATE TABLE connections (x INTEGER); INSERT INTO connections VALUES (42)");

	ck_assert_int_eq(storage_migrate(db, storage_schema_version, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_MIGRATION);
	ck_assert_msg(strstr(tusk_error_message(&e), "version 2") != NULL, "%s",
	              tusk_error_message(&e));
	ck_assert_msg(strstr(tusk_error_message(&e), "connections already exists") != NULL, "%s",
	              tusk_error_message(&e));
	tusk_error_clear(&e);
	ck_assert_int_eq(tst_int(db, "PRAGMA user_version"), 1);
	ck_assert(!tst_has_table(db, "connection_groups"));
	ck_assert(sqlite3_get_autocommit(db));
	check_rows(db, 1);
	ck_assert_int_eq(tst_int(db, "SELECT x FROM connections"), 42);
	sqlite3_close(db);

	/* storage_open leaves the healthy file where it is, runs in memory and
	 * refuses what would save with the migration's error. */
	Storage *s = storage_open(path, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(e.kind, TUSK_ERR_NONE);
	ck_assert_int_eq(storage_state(s), STORAGE_MEMORY);
	ck_assert_ptr_null(storage_path(s));
	ck_assert_ptr_nonnull(strstr(storage_warning(s), "version 2"));
	ck_assert_int_eq(storage_check_durable(s, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_MIGRATION);
	ck_assert_msg(strstr(tusk_error_message(&e), "not saved: tusk.db could not be brought") &&
	                  strstr(tusk_error_message(&e), "connections already exists"),
	              "%s", tusk_error_message(&e));
	ck_assert_ptr_nonnull(strstr(e.hint, path));
	tusk_error_clear(&e);
	storage_close(s);
	ck_assert_uint_eq(tst_count_prefix(dir, "tusk.db.corrupt"), 0);
	db = raw_open(path);
	ck_assert_int_eq(tst_int(db, "PRAGMA user_version"), 1);
	check_rows(db, 1);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_pragmas)
{
	_cleanup_free_ char *dir = tst_dir();
	_cleanup_free_ char *path = tst_join(dir, "tusk.db");
	TuskError e = TUSK_ERROR_INIT;

	Storage *s = storage_open(path, &e);
	ck_assert_ptr_nonnull(s);
	sqlite3 *db = storage_db(s);
	char *mode = tst_text(db, "PRAGMA journal_mode");
	ck_assert_str_eq(mode, "wal");
	free(mode);
	ck_assert_int_eq(tst_int(db, "PRAGMA foreign_keys"), 1);
	ck_assert_int_eq(tst_int(db, "PRAGMA synchronous"), 1); /* NORMAL */
	tst_exec(db, "INSERT INTO settings VALUES ('ui.theme', '\"dark\"', 1)");
	_cleanup_free_ char *wal = tst_join(dir, "tusk.db-wal");
	ck_assert(tst_exists(wal));

	/* A second handle for a worker sees the same data, configured alike. */
	sqlite3 *h = storage_open_handle(s, &e);
	ck_assert_msg(h != NULL, "%s", tusk_error_message(&e));
	ck_assert_int_eq(tst_int(h, "SELECT count(*) FROM settings WHERE key = 'ui.theme'"), 1);
	ck_assert_int_eq(tst_int(h, "PRAGMA foreign_keys"), 1);
	sqlite3_close_v2(h);

	storage_close(s);
	/* The close checkpointed: the data is in the main file. */
	ck_assert(!tst_exists(wal));
	sqlite3 *raw = NULL;
	ck_assert_int_eq(sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(tst_int(raw, "SELECT count(*) FROM settings"), 1);
	sqlite3_close(raw);
}
END_TEST

START_TEST(test_foreign_keys_act)
{
	TuskError e = TUSK_ERROR_INIT;
	Storage *s = storage_open(NULL, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(storage_state(s), STORAGE_MEMORY);
	ck_assert_ptr_null(storage_warning(s));
	ck_assert_ptr_null(storage_path(s));
	ck_assert_ptr_null(storage_open_handle(s, &e));
	ck_assert_int_eq(e.kind, TUSK_ERR_STORAGE);
	tusk_error_clear(&e);

	sqlite3 *db = storage_db(s);
	insert_rows(db, 0, storage_schema_version);
	/* Deleting a group deletes its subgroups; their connections stay. */
	tst_exec(db, "DELETE FROM connection_groups WHERE id = 'g1'");
	ck_assert_int_eq(tst_int(db, "SELECT count(*) FROM connection_groups"), 0);
	ck_assert_int_eq(tst_int(db, "SELECT count(*) FROM connections WHERE group_id IS NULL"), 1);
	ck_assert_int_eq(storage_exec(s,
	                              "INSERT INTO connections VALUES ('c2', 'x', 'nope', 0,"
	                              " '{}', 1, 1)",
	                              &e),
	                 -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_STORAGE);
	ck_assert_ptr_nonnull(strstr(tusk_error_message(&e), "FOREIGN KEY"));
	tusk_error_clear(&e);
	/* Names of saved connections are unique. */
	ck_assert_int_eq(storage_exec(s,
	                              "INSERT INTO connections VALUES ('c3', 'main db', NULL,"
	                              " 0, '{}', 1, 1)",
	                              &e),
	                 -1);
	tusk_error_clear(&e);
	storage_close(s);
}
END_TEST

START_TEST(test_fts_follows_history)
{
	TuskError e = TUSK_ERROR_INIT;
	Storage *s = storage_open(NULL, &e);
	ck_assert_ptr_nonnull(s);
	sqlite3 *db = storage_db(s);
	insert_rows(db, 0, storage_schema_version);

	const char *find_accounts = "SELECT count(*) FROM query_history_fts "
	                            "WHERE query_history_fts MATCH 'accounts'";
	ck_assert_int_eq(tst_int(db, find_accounts), 1);
	ck_assert_int_eq(tst_int(db, "SELECT count(*) FROM query_history_fts "
	                             "WHERE query_history_fts MATCH 'invoic*'"),
	                 1);
	/* An update of another column leaves the index as it was ... */
	tst_exec(db, "UPDATE query_history SET duration_ms = 99 WHERE uuid = 'h1'");
	ck_assert_int_eq(tst_int(db, find_accounts), 1);
	/* ... an update of the text moves it. */
	tst_exec(db, "UPDATE query_history SET sql = 'SELECT 1' WHERE uuid = 'h1'");
	ck_assert_int_eq(tst_int(db, find_accounts), 0);
	tst_exec(db, "UPDATE query_history SET sql = 'SELECT * FROM accounts' WHERE uuid = 'h1'");
	ck_assert_int_eq(tst_int(db, find_accounts), 1);
	tst_exec(db, "DELETE FROM query_history WHERE uuid = 'h1'");
	ck_assert_int_eq(tst_int(db, find_accounts), 0);
	/* The index agrees with the table, row for row. */
	tst_exec(db, "INSERT INTO query_history_fts(query_history_fts) VALUES ('integrity-check')");
	ck_assert_int_eq(storage_exec(s,
	                              "INSERT INTO query_history (uuid, sql, started_at, status) "
	                              "VALUES ('h9', 'x', 1, 'finished')",
	                              &e),
	                 -1);
	tusk_error_clear(&e);
	storage_close(s);
}
END_TEST

START_TEST(test_no_secret_columns)
{
	TuskError e = TUSK_ERROR_INIT;
	Storage *s = storage_open(NULL, &e);
	ck_assert_ptr_nonnull(s);
	sqlite3 *db = storage_db(s);
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_prepare_v2(db,
	                                    "SELECT m.name, c.name FROM sqlite_schema m, "
	                                    "pragma_table_info(m.name) c WHERE m.type = 'table'",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	int columns = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *col = (const char *)sqlite3_column_text(st, 1);
		columns++;
		ck_assert_msg(!strcasestr(col, "password") && !strcasestr(col, "secret") &&
		                  !strcasestr(col, "passphrase"),
		              "%s.%s", sqlite3_column_text(st, 0), col);
	}
	sqlite3_finalize(st);
	ck_assert_int_gt(columns, 30);
	storage_close(s);
}
END_TEST

int main(void)
{
	tst_root_init();
	Suite *su = suite_create("storage-migrations");
	TCase *tc = tcase_create("migrations");
	tcase_add_test(tc, test_empty_to_latest);
	tcase_add_loop_test(tc, test_from_earlier_version, 0, storage_schema_version);
	tcase_add_test(tc, test_step_by_step_in_one_handle);
	tcase_add_test(tc, test_bad_targets);
	tcase_add_test(tc, test_failing_step_rolls_back);
	tcase_add_test(tc, test_pragmas);
	tcase_add_test(tc, test_foreign_keys_act);
	tcase_add_test(tc, test_fts_follows_history);
	tcase_add_test(tc, test_no_secret_columns);
	suite_add_tcase(su, tc);
	return tt_run_suite(su);
}
