/* Workspaces in SQLite (tables workspaces and workspace_tabs, migration 5). */
#include "daemon/storage/workspace.h"

#include <string.h>

#include "common/cleanup.h"
#include "common/timestamp.h"
#include "daemon/storage/storage.h"

static int sql_fail(TuskError *e, sqlite3 *db, int rc)
{
	return tusk_error_from_sqlite(e, db, rc);
}

static json_t *text_or_null(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? json_stringn((const char *)t, (size_t)sqlite3_column_bytes(st, col))
	         : json_null();
}

static json_t *time_json(int64_t us)
{
	char buf[TUSK_TIMESTAMP_STRLEN];
	if (tusk_timestamp_format(us, 3, buf) < 0)
		return json_null();
	return json_string(buf);
}

static json_t *tab_from_row(sqlite3_stmt *st)
{
	json_t *sel = json_null();
	if (sqlite3_column_type(st, 6) != SQLITE_NULL && sqlite3_column_type(st, 7) != SQLITE_NULL)
		sel = json_pack("{s:I, s:I}", "start", (json_int_t)sqlite3_column_int64(st, 6),
		                "end", (json_int_t)sqlite3_column_int64(st, 7));
	json_t *sql = text_or_null(st, 3);
	if (json_is_null(sql))
		sql = json_string("");
	json_t *tab = json_pack(
	    "{s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:I, s:o}", "id", text_or_null(st, 0), "title",
	    text_or_null(st, 1), "connection_id", text_or_null(st, 2), "sql", sql, "cursor",
	    (json_int_t)sqlite3_column_int64(st, 4), "selection", sel, "context",
	    text_or_null(st, 5), "order", (json_int_t)sqlite3_column_int64(st, 8), "last_query_id",
	    text_or_null(st, 9));
	const unsigned char *extra = sqlite3_column_text(st, 10);
	if (tab && extra) {
		json_t *x = json_loads((const char *)extra, 0, NULL);
		if (json_is_object(x))
			json_object_set_new(tab, "extra", x);
		else
			json_decref(x);
	}
	return tab;
}

/* revision and saved_at of name: 0 when it has none. */
static int read_head(sqlite3 *db, const char *name, int64_t *ret_rev, int64_t *ret_at, TuskError *e)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT revision, saved_at FROM workspaces WHERE name = ?",
	                            -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(e, db, rc);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret_rev = sqlite3_column_int64(st, 0);
		*ret_at = sqlite3_column_int64(st, 1);
		return 0;
	}
	if (rc != SQLITE_DONE)
		return sql_fail(e, db, rc);
	*ret_rev = *ret_at = 0;
	return 0;
}

int workspace_load(sqlite3 *db, const char *name, json_t **ret, TuskError *e)
{
	int64_t rev, at;
	/* One read transaction: the head and the tabs agree. */
	int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(e, db, rc);
	_cleanup_json_ json_t *tabs = json_array();
	if (read_head(db, name, &rev, &at, e) < 0)
		goto fail;
	{
		_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
		rc = sqlite3_prepare_v2(
		    db,
		    "SELECT id, title, connection_id, sql, cursor, context, "
		    "selection_start, selection_end, position, last_query_id, extra "
		    "FROM workspace_tabs WHERE workspace = ? ORDER BY position, id",
		    -1, &st, NULL);
		if (rc != SQLITE_OK) {
			sql_fail(e, db, rc);
			goto fail;
		}
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			json_array_append_new(tabs, tab_from_row(st));
		if (rc != SQLITE_DONE) {
			sql_fail(e, db, rc);
			goto fail;
		}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	*ret = json_pack("{s:s, s:I, s:o, s:O}", "workspace", name, "revision", (json_int_t)rev,
	                 "saved_at", rev ? time_json(at) : json_null(), "tabs", tabs);
	if (!*ret)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int insert_tabs(sqlite3 *db, const char *name, const WorkspaceTab *tabs, size_t n,
                       int64_t now, TuskError *e)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
	    db,
	    "INSERT INTO workspace_tabs (workspace, id, connection_id, title, sql, cursor, "
	    "position, updated_at, selection_start, selection_end, context, last_query_id, extra) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(e, db, rc);
	for (size_t i = 0; i < n; i++) {
		const WorkspaceTab *t = &tabs[i];
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, t->id, -1, SQLITE_STATIC);
		bind_text_or_null(st, 3, t->connection_id);
		sqlite3_bind_text(st, 4, t->title ? t->title : "", -1, SQLITE_STATIC);
		sqlite3_bind_text64(st, 5, t->sql ? t->sql : "", t->sql ? t->sql_len : 0,
		                    SQLITE_STATIC, SQLITE_UTF8);
		sqlite3_bind_int64(st, 6, t->cursor);
		sqlite3_bind_int64(st, 7, t->order);
		sqlite3_bind_int64(st, 8, now);
		if (t->has_selection) {
			sqlite3_bind_int64(st, 9, t->sel_start);
			sqlite3_bind_int64(st, 10, t->sel_end);
		}
		bind_text_or_null(st, 11, t->context);
		bind_text_or_null(st, 12, t->last_query_id);
		bind_text_or_null(st, 13, t->extra);
		rc = sqlite3_step(st);
		if (rc == SQLITE_CONSTRAINT)
			return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
			                      "tabs[%zu].id: '%s' is a tab of another workspace", i,
			                      t->id);
		if (rc != SQLITE_DONE)
			return sql_fail(e, db, rc);
	}
	return 0;
}

static int exec_bound(sqlite3 *db, const char *sql, const char *name, int64_t a, int64_t b,
                      TuskError *e)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(e, db, rc);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= 3) {
		sqlite3_bind_int64(st, 2, a);
		sqlite3_bind_int64(st, 3, b);
	}
	rc = sqlite3_step(st);
	return rc == SQLITE_DONE ? 0 : sql_fail(e, db, rc);
}

int workspace_store(sqlite3 *db, const char *name, int64_t base, bool force,
                    const WorkspaceTab *tabs, size_t n, int64_t *ret_revision,
                    int64_t *ret_saved_at, int64_t *ret_current, TuskError *e)
{
	int64_t rev, at, now = storage_now_us();
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(e, db, rc);
	if (read_head(db, name, &rev, &at, e) < 0)
		goto fail;
	*ret_current = rev;
	if (!force && rev != base) {
		tusk_error_set(e, TUSK_ERR_CONFLICT,
		               "workspace '%s' is at revision %lld, not %lld: another window saved "
		               "it since",
		               name, (long long)rev, (long long)base);
		goto fail;
	}
	if (exec_bound(db, "DELETE FROM workspace_tabs WHERE workspace = ?", name, 0, 0, e) < 0 ||
	    insert_tabs(db, name, tabs, n, now, e) < 0 ||
	    exec_bound(db,
	               "INSERT INTO workspaces (name, revision, saved_at) VALUES (?, ?, ?) "
	               "ON CONFLICT (name) DO UPDATE SET revision = excluded.revision, "
	               "saved_at = excluded.saved_at",
	               name, rev + 1, now, e) < 0)
		goto fail;
	rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sql_fail(e, db, rc);
		goto fail;
	}
	*ret_revision = rev + 1;
	*ret_saved_at = now;
	return 0;
fail:
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
