/* The daemon's local SQLite database: open in WAL mode, numbered
 * migrations, corrupt-file recovery and an in-memory fallback. Knows no
 * JSON-RPC. Runs on the loop thread only (workers get their own handle
 * through storage_open_path when they need one). */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>

#include "common/error.h"

/* The newest schema version; migrations 1..STORAGE_SCHEMA_VERSION. */
extern const int storage_schema_version;

typedef enum StorageState {
	STORAGE_OK,        /* the file opened and migrated */
	STORAGE_RECOVERED, /* the file was corrupt: moved aside, recreated */
	STORAGE_MEMORY,    /* nothing on disk worked: in-memory, data is lost at exit */
} StorageState;

typedef struct Storage Storage;

/* Open (creating) the database at path, migrate it to the newest version.
 * A corrupt file (or one that fails to migrate because it is not a database)
 * is renamed to "<path>.corrupt-YYYYmmdd-HHMMSS" and recreated; if that fails
 * too, an in-memory database is used and storage_warning() says why. Fails
 * (NULL, e set) only when even the in-memory database cannot be made, or a
 * migration of a healthy file fails (TUSK_ERR_MIGRATION; the file is left
 * untouched since each migration runs in a transaction). path NULL → memory. */
Storage *storage_open(const char *path, TuskError *e);
void storage_close(Storage *s); /* accepts NULL; checkpoints the WAL */

sqlite3 *storage_db(Storage *s);
StorageState storage_state(const Storage *s);
const char *storage_state_name(StorageState st); /* "ok" "recovered" "memory" */
const char *storage_path(const Storage *s);      /* NULL for memory */
const char *storage_warning(const Storage *s);   /* NULL when none */
int storage_user_version(Storage *s);

/* Migrate db from its user_version up to target (≤ storage_schema_version),
 * each step in its own transaction. Exposed for the migration tests. */
int storage_migrate(sqlite3 *db, int target, TuskError *e);
