/* Saved connections in tusk.db: one row per TuskConnectionConfig, the
 * config stored as its JSON (common/model-connection.h) beside the columns
 * that are queried (id, name UNIQUE, group_id). The model holds no secret,
 * so neither does the table: passwords live in the keyring. Small reads and
 * writes, done on the loop thread with the Storage's own handle.
 *
 * The columns win over the JSON when they disagree: deleting a group sets
 * group_id NULL through the foreign key without rewriting the JSON. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/model-connection.h"
#include "common/uuid.h"
#include "daemon/storage/storage.h"

typedef struct ConnectionList {
	TuskConnectionConfig **items;
	size_t n;
} ConnectionList;

void connection_list_free(ConnectionList *l); /* frees the items; accepts NULL */
static inline void connection_list_freep(ConnectionList **l)
{
	connection_list_free(*l);
}

/* Every saved connection: those in no group first, then by their group's
 * sort_order and name, then by sort_order and name. A row whose JSON no
 * longer parses or validates (hand-edited, or written by a newer Tusk) is
 * skipped and counted in *ret_skipped (may be NULL). */
int connections_list(Storage *st, ConnectionList **ret, size_t *ret_skipped, TuskError *e);

/* By id (any case), else by name. Unknown: TUSK_ERR_CONNECTION_NOT_FOUND
 * "no saved connection 'x'". An unreadable row: TUSK_ERR_STORAGE. */
int connections_get(Storage *st, const char *id_or_name, TuskConnectionConfig **ret, TuskError *e);

/* What save would refuse, without writing: the model's validation, then
 * TUSK_ERR_INVALID_INPUT "name: a connection named 'x' already exists" (for
 * another id) or "group_id: no such group". */
int connections_check(Storage *st, const TuskConnectionConfig *c, TuskError *e);

/* Insert, or update the row with c's id (created_at and sort_order kept),
 * after connections_check, in one transaction. *ret_created (may be NULL)
 * tells which. */
int connections_save(Storage *st, const TuskConnectionConfig *c, bool *ret_created, TuskError *e);

/* Delete by id or name; ret_id (may be NULL) receives the deleted row's
 * id, for the caller to drop its secrets and pool. Unknown:
 * TUSK_ERR_CONNECTION_NOT_FOUND. */
int connections_delete(Storage *st, const char *id_or_name, char ret_id[TUSK_UUID_STRLEN + 1],
                       TuskError *e);
