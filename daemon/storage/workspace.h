/* Workspaces: editor tabs and their unsaved text, replaced as a whole on
 * each save, with a revision so that a stale writer is refused. Knows no
 * JSON-RPC; the functions take a handle so a worker can run them on its
 * own (storage_open_handle). */
#pragma once

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct WorkspaceTab {
	const char *id, *title, *connection_id, *context, *last_query_id; /* may be NULL */
	const char *sql;
	size_t sql_len;
	long long cursor, order;
	bool has_selection;
	long long sel_start, sel_end;
	char *extra; /* JSON text or NULL; owned */
} WorkspaceTab;

/* The workspace as a protocol Workspace object ({workspace, revision,
 * saved_at, tabs}); an unknown name is empty at revision 0. */
int workspace_load(sqlite3 *db, const char *name, json_t **ret, TuskError *e);

/* Replace the tabs in one BEGIN IMMEDIATE transaction when the stored
 * revision equals base (or force): the new revision is stored + 1.
 * A stale base: TUSK_ERR_CONFLICT, *ret_current set, nothing written.
 * A tab id that belongs to another workspace: TUSK_ERR_INVALID_INPUT. */
int workspace_store(sqlite3 *db, const char *name, int64_t base, bool force,
                    const WorkspaceTab *tabs, size_t n, int64_t *ret_revision,
                    int64_t *ret_saved_at, int64_t *ret_current, TuskError *e);
