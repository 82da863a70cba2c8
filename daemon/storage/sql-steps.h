/* The small SQLite steps the storage tables (connections, groups) share:
 * a statement without results, a rollback on the failure path, a statement
 * keyed by one id, and reading every row of a query into a list. */
#pragma once

#include <sqlite3.h>
#include <stddef.h>

#include "common/error.h"

/* sqlite3_exec without results: 0, or -1 with e set from db's error. */
int storage_sql_exec(sqlite3 *db, const char *sql, TuskError *e);
/* ROLLBACK when a transaction is open (a failure path: errors ignored). */
void storage_rollback(sqlite3 *db);
/* Prepare sql, bind id to ?1 and step once: 1 for a row ("SELECT 1 …
 * WHERE id = ?"), 0 when done ("DELETE … WHERE id = ?"), -1 with e set. */
int storage_step_with_id(sqlite3 *db, const char *sql, const char *id, TuskError *e);

/* Takes the row st stands on into list: 1 when added, 0 when the row is
 * unusable (skipped), -1 when out of memory. */
typedef int (*StorageAddRow)(void *list, sqlite3_stmt *st);
/* Every row of sql given to add in order; the skipped ones counted in
 * *ret_skipped (may be NULL). 0, or -1 with e set (SQLite's error, or
 * TUSK_ERR_INTERNAL out of memory). */
int storage_read_rows(sqlite3 *db, const char *sql, StorageAddRow add, void *list,
                      size_t *ret_skipped, TuskError *e);
