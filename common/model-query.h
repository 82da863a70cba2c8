/* Small query-side models: a live connection's status, the kind of a
 * statement, and a query history entry. */
#pragma once

#include "common/error.h"
#include "common/uuid.h"

#include <jansson.h>
#include <stdint.h>

typedef enum TuskConnectionStatus {
	TUSK_CONNECTION_DISCONNECTED, /* the default */
	TUSK_CONNECTION_CONNECTING,
	TUSK_CONNECTION_CONNECTED,
	TUSK_CONNECTION_ERROR,
	_TUSK_CONNECTION_STATUS_MAX,
} TuskConnectionStatus;

typedef enum TuskQueryType {
	TUSK_QUERY_SELECT,
	TUSK_QUERY_INSERT,
	TUSK_QUERY_UPDATE,
	TUSK_QUERY_DELETE,
	TUSK_QUERY_CREATE,
	TUSK_QUERY_ALTER,
	TUSK_QUERY_DROP,
	TUSK_QUERY_OTHER, /* the default */
	_TUSK_QUERY_TYPE_MAX,
} TuskQueryType;

/* snake_case names; from_name returns -1 for an unknown name. */
const char *tusk_connection_status_name(TuskConnectionStatus s);
int tusk_connection_status_from_name(const char *name);
const char *tusk_query_type_name(TuskQueryType t);
int tusk_query_type_from_name(const char *name);
/* From PQcmdStatus(): "SELECT 3" → select, "INSERT 0 5" → insert,
 * "CREATE TABLE" → create, "COPY 10" → other. NULL or "" → other. Note the
 * server tags CREATE TABLE AS and SELECT INTO "SELECT n". */
TuskQueryType tusk_query_type_from_command_tag(const char *tag);

/* One execution, failed or not, as history keeps it. executed_at is
 * microseconds since the Unix epoch (UTC) — exact and sortable in SQLite;
 * its JSON form is ISO-8601 UTC text, "2026-11-26T14:08:21.123456Z". */
typedef struct TuskQueryHistoryEntry {
	char id[TUSK_UUID_STRLEN + 1];
	char connection_id[TUSK_UUID_STRLEN + 1];
	char *database;
	char *sql;
	int64_t executed_at_us;
	int64_t execution_time_ms; /* >= 0 */
	int64_t rows_affected;     /* -1 when not known */
	TuskQueryType query_type;
	char *error; /* NULL when the query succeeded */
} TuskQueryHistoryEntry;

/* A fresh id, executed now, rows_affected -1, type other. */
TuskQueryHistoryEntry *tusk_query_history_entry_new(const char *connection_id, const char *database,
                                                    const char *sql);
TuskQueryHistoryEntry *tusk_query_history_entry_free(TuskQueryHistoryEntry *h);
static inline void tusk_query_history_entry_freep(TuskQueryHistoryEntry **h)
{
	tusk_query_history_entry_free(*h);
}
#define _cleanup_history_entry_ __attribute__((cleanup(tusk_query_history_entry_freep)))

int tusk_query_history_entry_validate(const TuskQueryHistoryEntry *h, TuskError *e);
/* Members {id, connection_id, database, sql, executed_at, execution_time_ms,
 * rows_affected, query_type, error}; all but rows_affected, query_type
 * (default other) and error are required. */
int tusk_query_history_entry_from_json(const json_t *json, TuskQueryHistoryEntry **ret,
                                       TuskError *e);
json_t *tusk_query_history_entry_to_json(const TuskQueryHistoryEntry *h);
