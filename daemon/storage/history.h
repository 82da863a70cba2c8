/* Query history: every execution, failed or cancelled too, written off the
 * loop in batches by a worker with its own SQLite handle.
 *
 * One writer serialises every change to query_history: queued records,
 * deletes, clears and retention run in the order they were asked for, one
 * job at a time, each in short transactions so that a write of the loop's
 * own handle (settings, connections) never waits long for the lock. Reads
 * (history_list) run on the loop's handle; WAL lets them proceed while the
 * writer writes.
 *
 * Secrets: the SQL is stored as typed, except a statement that mentions a
 * password (ALTER ROLE … PASSWORD '…'): history_add keeps its redacted form
 * (tusk_sql_redact, common/sql.h), whoever queued it.
 *
 * Loop thread only, except where said: the worker touches only the job it
 * was handed and its own handle. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/model-query.h"
#include "daemon/storage/storage.h"

struct event_base;
struct worker_pool;
struct history;

/* Flush policy: a job starts when HISTORY_FLUSH_RECORDS records are
 * queued, or HISTORY_FLUSH_MS after the first record of a quiet spell, or
 * at once for deletes, clears, retention and flush waits. A job inserts at
 * most HISTORY_BATCH_MAX records in one transaction. */
#define HISTORY_FLUSH_MS      200
#define HISTORY_FLUSH_RECORDS 256
#define HISTORY_BATCH_MAX     1024
/* Records held in memory at most (a peer could otherwise queue without
 * bound while the disk is stuck); beyond it new records are dropped and
 * counted. */
#define HISTORY_QUEUE_MAX 500000

/* Start the writer. Jobs run on workers with a handle from
 * storage_open_handle; for an in-memory Storage (no second handle), or
 * when that handle cannot be opened (kept for history_take_error), they
 * run on the loop instead, from an event, so history_add still returns at
 * once. The flush timer and the kick live on base, which must exist. */
struct history *history_new(Storage *st, struct event_base *base, struct worker_pool *workers,
                            TuskError *e);
/* Write everything queued (blocking: it waits for the running job, then
 * writes the rest on the loop's handle; used at shutdown), answer the
 * callbacks of what was pending, then free. Call it before storage_close;
 * before or after worker_pool_free (after is better: the running job's
 * callback is then already answered). Accepts NULL. */
void history_free(struct history *h);
/* Queue a copy of entry — the common model's TuskQueryHistoryEntry, the
 * same shape history.list answers with and clients read. Never touches
 * SQLite and never blocks. An empty id gets a fresh UUID; executed_at_us 0
 * is now; a negative duration is 0, a negative rows -1 (unknown); an
 * unknown query_type is other; stop_reason is kept only when status is
 * cancelled. An entry without sql or with a status out of range is dropped
 * (and counted). An entry whose id is already stored replaces that entry,
 * so an execution may be written when it starts and again when it ends. */
void history_add(struct history *h, const TuskQueryHistoryEntry *entry);
/* The same, with the entry's query_type taken by the writer from the kind
 * of its sql's last statement (other when it does not parse): parsing
 * costs about 0.5 ms per KiB, so it is done off the event loop. */
void history_add_typed_by_sql(struct history *h, const TuskQueryHistoryEntry *entry);

/* r is 0 or -1 with e set; count is the number of rows deleted (delete:
 * 1, clear: how many; 0 for a flush). Always called later on the loop
 * thread, never from inside the call that queued it; when history_free or
 * history_sync write the queue, from inside them. */
typedef void (*history_done_fn)(int r, int64_t count, const TuskError *e, void *ud);

/* Call cb once everything queued before this call is on disk. Returns 0,
 * or -ENOMEM (cb will not be called). */
int history_flush_async(struct history *h, history_done_fn cb, void *ud);
/* Delete one entry by id (not found → INVALID_INPUT); delete every entry,
 * or those of one connection (connection_id non-NULL). Both run on the
 * writer after the records queued before them. Return 0 or -ENOMEM. */
int history_delete_async(struct history *h, const char *uuid, history_done_fn cb, void *ud);
int history_clear_async(struct history *h, const char *connection_id, history_done_fn cb, void *ud);

/* Blocking: write everything queued now (as history_free does, without
 * freeing). For tests and for the synchronous calls below. The first
 * error of what it wrote, if any: -1 with e set. */
int history_sync(struct history *h, TuskError *e);

/* Read on the loop's handle. Anything still queued is written first with
 * history_sync (blocking; the RPC layer uses history_flush_async and
 * history_list_written instead).
 * filter: {connection_id?, search? (words of the SQL, see below), status?,
 * stop_reason?,
 * limit (default 50, 1..1000), offset (default 0), before_us?} → {entries:
 * [{id, connection_id, database, sql, executed_at (ISO-8601 UTC),
 * duration_ms, rows (null when unknown), query_type, status, stop_reason, error}],
 * total} newest first; total counts every match, ignoring limit/offset.
 * search: each whitespace-separated word must appear, as a word or the
 * start of one (FTS5 prefix match, case- and accent-insensitive); the text
 * is quoted word by word, so no input is an FTS syntax error. Words with
 * no letter or digit ("*", "(") are matched as plain substrings. */
json_t *history_list(struct history *h, const json_t *filter, TuskError *e);
/* history_list without writing first: what is on disk now. The RPC layer
 * calls it from history_flush_async's callback, which already guarantees
 * everything queued before the request is there, so the loop never waits
 * for a running job. */
json_t *history_list_written(struct history *h, const json_t *filter, TuskError *e);
/* Synchronous forms of the writer's delete and clear (history_sync, then
 * the same statements on the loop's handle). */
int history_delete(struct history *h, const char *uuid,
                   TuskError *e); /* not found → INVALID_INPUT */
int history_clear(struct history *h, const char *connection_id, int64_t *ret_deleted,
                  TuskError *e); /* connection_id NULL → all */
/* Apply history.max_entries / history.retention_days (0 = unlimited /
 * forever; the janitor calls it). Queued on the writer — the deletes may be
 * large — and coalesced with a retention still waiting; a failure is kept
 * for history_take_error. Returns 0, or -1 with e set for bad arguments or
 * out of memory. */
int history_apply_retention(struct history *h, long long max_entries, long long days, TuskError *e);

struct history_stats {
	uint64_t queued;  /* records waiting in memory */
	uint64_t written; /* records written since history_new */
	uint64_t dropped; /* records lost: invalid, queue full, or a batch that failed twice */
	bool writing;     /* a job is running */
};
void history_get_stats(struct history *h, struct history_stats *ret);
/* The last failure of a background write (a batch, retention), moved into
 * ret; false when there was none since the last call. The janitor logs it:
 * storage never logs. */
bool history_take_error(struct history *h, TuskError *ret);

/* The FTS5 query for a search text: each word with a letter or digit as a
 * quoted prefix phrase ("word"*, quotes doubled), joined by spaces
 * (implicit AND). NULL when no word qualifies. Exposed for tests. */
char *history_fts_query(const char *search);
