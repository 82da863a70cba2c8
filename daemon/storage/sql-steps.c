/* See sql-steps.h. */
#include "daemon/storage/sql-steps.h"

#include "common/cleanup.h"
#include "daemon/storage/storage.h"

int storage_sql_exec(sqlite3 *db, const char *sql, TuskError *e)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : tusk_error_from_sqlite(e, db, rc);
}

void storage_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int storage_step_with_id(sqlite3 *db, const char *sql, const char *id, TuskError *e)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : tusk_error_from_sqlite(e, db, rc);
}

int storage_read_rows(sqlite3 *db, const char *sql, StorageAddRow add, void *list,
                      size_t *ret_skipped, TuskError *e)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	size_t skipped = 0;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return tusk_error_from_sqlite(e, db, rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int added = add(list, st);
		if (added < 0)
			return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
		if (added == 0)
			skipped++;
	}
	if (rc != SQLITE_DONE)
		return tusk_error_from_sqlite(e, db, rc);
	if (ret_skipped)
		*ret_skipped = skipped;
	return 0;
}
