/* The daemon's local SQLite database: open in WAL mode, numbered
 * migrations, corrupt-file recovery and an in-memory fallback. Knows no
 * JSON-RPC. A Storage and its handle belong to the loop thread; a worker
 * that writes (history batches) gets its own handle from
 * storage_open_handle and uses it from one thread at a time. */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* The newest schema version; migrations 1..STORAGE_SCHEMA_VERSION. */
extern const int storage_schema_version;

typedef enum StorageState {
	STORAGE_OK,        /* the file opened and migrated */
	STORAGE_RECOVERED, /* the file was corrupt: moved aside, recreated */
	STORAGE_MEMORY,    /* nothing on disk worked: in-memory, data is lost at exit */
} StorageState;

typedef struct Storage Storage;

/* Open (creating, mode 0600) the database at path and migrate it to the
 * newest version. The directory must exist: creating it is the caller's job.
 * Every handle gets WAL, synchronous=NORMAL, foreign_keys=ON and a 5 s busy
 * timeout; the file gets PRAGMA quick_check before anything is written.
 *   - not a database, or corrupt (at the check or during migration): the
 *     file, its -wal and -shm are renamed to "<path>.corrupt-YYYYmmdd-HHMMSS"
 *     (local time; "-N" added if taken) and a new file is made: RECOVERED,
 *     storage_moved_to() says where the old one went.
 *   - written by a newer Tusk (user_version > storage_schema_version), or a
 *     migration step of a healthy file fails (the file stays at the last
 *     good version: each step is its own transaction): not touched again;
 *     MEMORY, and storage_refusal() is TUSK_ERR_MIGRATION.
 *   - cannot be created / opened / written, or the damaged file cannot be
 *     moved aside, or the new file fails too: MEMORY, and storage_refusal()
 *     is TUSK_ERR_STORAGE.
 * storage_warning() then says, for a person, what happened and (MEMORY)
 * that nothing will be saved. Fails (NULL, e set) only when even the
 * in-memory database cannot be made.
 * path NULL → memory, on purpose: MEMORY with no warning and no refusal. */
Storage *storage_open(const char *path, TuskError *e);
void storage_close(Storage *s); /* accepts NULL; checkpoints the WAL */
static inline void storage_closep(Storage **s)
{
	storage_close(*s);
}

sqlite3 *storage_db(Storage *s);
StorageState storage_state(const Storage *s);
const char *storage_state_name(StorageState st); /* "ok" "recovered" "memory" */
const char *storage_path(const Storage *s);      /* NULL for memory */
const char *storage_warning(const Storage *s);   /* NULL when none */
const char *storage_moved_to(const Storage *s);  /* RECOVERED: the damaged file */
int storage_user_version(Storage *s);            /* or -EIO */
/* Why what is written now would not outlive tuskd (it fell back to memory
 * because the file on disk cannot be used), or NULL: kind MIGRATION or
 * STORAGE, message "not saved: WHY", a hint naming the file and what to do. */
const TuskError *storage_refusal(const Storage *s);
/* 0 when writes are kept on disk (or memory was asked for), else -1 with e
 * set to a copy of storage_refusal(): callers refuse requests that save. */
int storage_check_durable(const Storage *s, TuskError *e);

/* A second handle on the same file, configured like the first (WAL,
 * foreign keys, busy timeout), for a worker thread; close it with
 * sqlite3_close_v2. An in-memory Storage has no second handle (NULL, e set
 * TUSK_ERR_STORAGE): callers then do that work on storage_db(). */
sqlite3 *storage_open_handle(Storage *s, TuskError *e);

/* Run SQL without results (several statements allowed): 0, or -1 with e
 * set (TUSK_ERR_STORAGE with SQLite's message). */
int storage_exec(Storage *s, const char *sql, TuskError *e);
/* The unit of every *_at column: microseconds since the epoch. */
int64_t storage_now_us(void);

/* Migrate db from its user_version up to target (0 ≤ target ≤
 * storage_schema_version), each step in its own BEGIN IMMEDIATE transaction
 * that also sets user_version. A db already at or past target is left as it
 * is (0); one newer than storage_schema_version is an error. -1 with e set
 * (TUSK_ERR_MIGRATION "migration to schema version N failed: <sqlite>") on
 * failure, the db left at N-1. Exposed for the migration tests. */
int storage_migrate(sqlite3 *db, int target, TuskError *e);
