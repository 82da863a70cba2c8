/* Shared between storage.c and migrations.c only. */
#pragma once

#include <sqlite3.h>

#include "common/error.h"

/* SQLite result code of PRAGMA user_version, the version in *ret_version. */
int storage_read_user_version(sqlite3 *db, int *ret_version);
/* storage_migrate, also giving the SQLite code of a failed step so that
 * storage_open can tell a damaged file from a failing migration. */
int storage_migrate_rc(sqlite3 *db, int target, int *ret_rc, TuskError *e);
