/* The numbered schema migrations. A released step is never edited: a change
 * to the schema is a new step at the end. All *_at columns hold microseconds
 * since the epoch (storage_now_us). No column anywhere holds a secret. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h> /* before cleanup.h, which uses explicit_bzero */

#include "common/cleanup.h"
#include "daemon/storage/storage-internal.h"
#include "daemon/storage/storage.h"

#define SCHEMA_VERSION 6

const int storage_schema_version = SCHEMA_VERSION;

/* Plain CREATE (never IF NOT EXISTS): a leftover object with the same name
 * must fail the step rather than be silently adopted with another shape. */
static const char *const migrations[SCHEMA_VERSION] = {
    /* 1: typed user settings; value is the JSON text of the value. */
    "CREATE TABLE settings ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");",

    /* 2: saved connections and their (nested) groups. config is the JSON of
     * the ConnectionConfig; passwords live in the keyring, never here. */
    "CREATE TABLE connection_groups ("
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  parent_id TEXT REFERENCES connection_groups(id) ON DELETE CASCADE,"
    "  sort_order INTEGER NOT NULL DEFAULT 0,"
    "  color TEXT"
    ");"
    "CREATE INDEX connection_groups_parent ON connection_groups(parent_id);"
    "CREATE TABLE connections ("
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  group_id TEXT REFERENCES connection_groups(id) ON DELETE SET NULL,"
    "  sort_order INTEGER NOT NULL DEFAULT 0,"
    "  config TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX connections_group ON connections(group_id);",

    /* 3: query history. connection_id is not a foreign key: history outlives
     * a deleted connection and records transient (unsaved) ones too. The FTS
     * index is external-content so the SQL text is stored once; the update
     * trigger fires only when the text changes, because a row is typically
     * written when the query starts and updated when it ends. */
    "CREATE TABLE query_history ("
    "  id INTEGER PRIMARY KEY,"
    "  uuid TEXT NOT NULL UNIQUE,"
    "  connection_id TEXT,"
    "  database TEXT,"
    "  sql TEXT NOT NULL,"
    "  started_at INTEGER NOT NULL,"
    "  duration_ms INTEGER,"
    "  rows INTEGER,"
    "  query_type TEXT,"
    "  status TEXT NOT NULL CHECK (status IN ('ok', 'error', 'cancelled')),"
    "  error TEXT"
    ");"
    "CREATE INDEX query_history_connection ON query_history(connection_id, started_at);"
    "CREATE INDEX query_history_started ON query_history(started_at);"
    "CREATE VIRTUAL TABLE query_history_fts USING fts5("
    "  sql, content='query_history', content_rowid='id'"
    ");"
    "CREATE TRIGGER query_history_fts_insert AFTER INSERT ON query_history BEGIN"
    "  INSERT INTO query_history_fts(rowid, sql) VALUES (new.id, new.sql);"
    "END;"
    "CREATE TRIGGER query_history_fts_delete AFTER DELETE ON query_history BEGIN"
    "  INSERT INTO query_history_fts(query_history_fts, rowid, sql)"
    "    VALUES ('delete', old.id, old.sql);"
    "END;"
    "CREATE TRIGGER query_history_fts_update AFTER UPDATE OF sql ON query_history BEGIN"
    "  INSERT INTO query_history_fts(query_history_fts, rowid, sql)"
    "    VALUES ('delete', old.id, old.sql);"
    "  INSERT INTO query_history_fts(rowid, sql) VALUES (new.id, new.sql);"
    "END;",

    /* 4: editor tabs and their unsaved SQL, so a crashed window loses
     * nothing. cursor is a character offset into sql. */
    "CREATE TABLE workspace_tabs ("
    "  id TEXT PRIMARY KEY,"
    "  connection_id TEXT,"
    "  title TEXT NOT NULL,"
    "  sql TEXT NOT NULL DEFAULT '',"
    "  cursor INTEGER NOT NULL DEFAULT 0,"
    "  position INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX workspace_tabs_position ON workspace_tabs(position);",

    /* 5: why an execution was stopped. A timeout is "cancelled" (as the
     * protocol always said), with its reason; the versions before this one
     * recorded timeouts as errors. */
    "ALTER TABLE query_history ADD COLUMN stop_reason TEXT CHECK (stop_reason IN"
    "  ('cancel_request', 'timeout', 'client_gone', 'daemon_stopping', 'server'));"
    "UPDATE query_history SET status = 'cancelled', stop_reason = 'timeout'"
    "  WHERE status = 'error' AND (error LIKE 'Query timeout after %'"
    "    OR error LIKE 'canceling statement due to statement timeout%');"
    "UPDATE query_history SET stop_reason = 'cancel_request'"
    "  WHERE status = 'cancelled' AND stop_reason IS NULL AND error = 'Query cancelled';"
    "CREATE INDEX query_history_stop_reason ON query_history(stop_reason)"
    "  WHERE stop_reason IS NOT NULL;",

    /* 6: named workspaces with a revision (a stale writer is refused); tabs
     * get their workspace (version 4's go to 'default'), selection, context,
     * last stored query and the client's own state (extra, JSON). A tab id
     * stays unique over all workspaces. And what a restart restores: the
     * saved connections open when tuskd stopped, and their named contexts
     * (statements is a JSON array of the SQL run in an open transaction, so
     * a lost one can be named). */
    "CREATE TABLE workspaces ("
    "  name TEXT PRIMARY KEY,"
    "  revision INTEGER NOT NULL,"
    "  saved_at INTEGER NOT NULL"
    ");"
    "ALTER TABLE workspace_tabs ADD COLUMN workspace TEXT NOT NULL DEFAULT 'default';"
    "ALTER TABLE workspace_tabs ADD COLUMN selection_start INTEGER;"
    "ALTER TABLE workspace_tabs ADD COLUMN selection_end INTEGER;"
    "ALTER TABLE workspace_tabs ADD COLUMN context TEXT;"
    "ALTER TABLE workspace_tabs ADD COLUMN last_query_id TEXT;"
    "ALTER TABLE workspace_tabs ADD COLUMN extra TEXT;"
    "DROP INDEX workspace_tabs_position;"
    "CREATE INDEX workspace_tabs_workspace ON workspace_tabs(workspace, position);"
    "INSERT INTO workspaces SELECT 'default', 1, max(updated_at) FROM workspace_tabs"
    "  HAVING count(*) > 0;"
    "CREATE TABLE session_connections ("
    "  connection_id TEXT PRIMARY KEY,"
    "  opened_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE session_contexts ("
    "  connection_id TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  state TEXT NOT NULL,"
    "  began_at INTEGER,"
    "  statement_count INTEGER NOT NULL DEFAULT 0,"
    "  statements TEXT NOT NULL DEFAULT '[]',"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (connection_id, name)"
    ");",
};

int storage_read_user_version(sqlite3 *db, int *ret_version)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? SQLITE_ERROR : rc;
	*ret_version = sqlite3_column_int(st, 0);
	return SQLITE_OK;
}

static int migrate_one(sqlite3 *db, int version, int *ret_rc, TuskError *e)
{
	_cleanup_(sqlite3_freep) char *msg = NULL;
	char pragma[64];
	int rc;

	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_exec(db, migrations[version - 1], NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		goto fail;
	/* Part of the same transaction: the version moves only with its step. */
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", version);
	rc = sqlite3_exec(db, pragma, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_exec(db, "COMMIT", NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		goto fail;
	return 0;

fail:
	*ret_rc = rc;
	/* The message is captured before ROLLBACK, which would replace it. */
	tusk_error_set(e, TUSK_ERR_MIGRATION, "migration to schema version %d failed: %s", version,
	               msg ? msg : sqlite3_errstr(rc));
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int storage_migrate_rc(sqlite3 *db, int target, int *ret_rc, TuskError *e)
{
	int current = 0;
	int rc;

	*ret_rc = SQLITE_OK;
	if (target < 0 || target > SCHEMA_VERSION)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "schema version %d is not between 0 and %d", target,
		                      SCHEMA_VERSION);
	rc = storage_read_user_version(db, &current);
	if (rc != SQLITE_OK) {
		*ret_rc = rc;
		return tusk_error_set(e, TUSK_ERR_MIGRATION, "cannot read the schema version: %s",
		                      sqlite3_errmsg(db));
	}
	if (current > SCHEMA_VERSION)
		return tusk_error_set(
		    e, TUSK_ERR_MIGRATION,
		    "the database has schema version %d, newer than this Tusk's %d", current,
		    SCHEMA_VERSION);
	for (int v = current + 1; v <= target; v++)
		if (migrate_one(db, v, ret_rc, e) < 0)
			return -1;
	return 0;
}

int storage_migrate(sqlite3 *db, int target, TuskError *e)
{
	int rc;
	return storage_migrate_rc(db, target, &rc, e);
}
