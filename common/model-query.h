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

/* How an execution ended, and why one was stopped before its end. */
typedef enum TuskHistoryStatus {
	TUSK_HISTORY_OK,
	TUSK_HISTORY_ERROR,     /* the server or the daemon reported an error */
	TUSK_HISTORY_CANCELLED, /* stopped: see TuskStopReason */
	_TUSK_HISTORY_STATUS_MAX,
} TuskHistoryStatus;

typedef enum TuskStopReason {
	TUSK_STOP_NONE,            /* not stopped (JSON null) */
	TUSK_STOP_CANCEL_REQUEST,  /* a client asked (query.cancel, Ctrl-C) */
	TUSK_STOP_TIMEOUT,         /* its timeout, or the server's statement_timeout */
	TUSK_STOP_CLIENT_GONE,     /* the client that ran it hung up */
	TUSK_STOP_DAEMON_STOPPING, /* tuskd was stopping */
	TUSK_STOP_SERVER,          /* cancelled on the server (pg_cancel_backend) */
	_TUSK_STOP_REASON_MAX,
} TuskStopReason;

/* snake_case names ("cancel_request", "client_gone"); NONE has no name
 * (NULL). from_name returns -1 for an unknown name. */
const char *tusk_history_status_name(TuskHistoryStatus s);
int tusk_history_status_from_name(const char *name);
const char *tusk_stop_reason_name(TuskStopReason r);
int tusk_stop_reason_from_name(const char *name);

/* One execution, failed or not, as history keeps it: the protocol's
 * HistoryEntry, the one shape the daemon answers with and clients read.
 * executed_at is microseconds since the Unix epoch (UTC) — exact and
 * sortable in SQLite; its JSON form is ISO-8601 UTC text,
 * "2026-11-26T14:08:21.123456Z". */
typedef struct TuskQueryHistoryEntry {
	char id[TUSK_UUID_STRLEN + 1];
	char *connection_id; /* a saved or transient connection's id; NULL when unknown */
	char *database;      /* NULL when unknown */
	char *sql;
	int64_t executed_at_us;
	int64_t duration_ms; /* >= 0 */
	int64_t rows;        /* returned or affected; -1 when not known */
	TuskQueryType query_type;
	TuskHistoryStatus status;
	TuskStopReason stop_reason; /* NONE unless status is cancelled */
	char *error;                /* NULL when the query succeeded */
} TuskQueryHistoryEntry;

/* A fresh id, executed now, rows -1, type other, status ok. */
TuskQueryHistoryEntry *tusk_query_history_entry_new(const char *connection_id, const char *database,
                                                    const char *sql);
TuskQueryHistoryEntry *tusk_query_history_entry_free(TuskQueryHistoryEntry *h);
static inline void tusk_query_history_entry_freep(TuskQueryHistoryEntry **h)
{
	tusk_query_history_entry_free(*h);
}
#define _cleanup_history_entry_ __attribute__((cleanup(tusk_query_history_entry_freep)))

int tusk_query_history_entry_validate(const TuskQueryHistoryEntry *h, TuskError *e);
/* Members {id, connection_id, database, sql, executed_at, duration_ms,
 * rows, query_type, status, stop_reason, error}; id, sql, executed_at,
 * duration_ms and status are required, the others may be null or absent
 * (query_type defaults to other). */
int tusk_query_history_entry_from_json(const json_t *json, TuskQueryHistoryEntry **ret,
                                       TuskError *e);
/* Every member, null where unknown. */
json_t *tusk_query_history_entry_to_json(const TuskQueryHistoryEntry *h);
