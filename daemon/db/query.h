/* One execution of SQL on a pool backend, streamed in single-row mode (the
 * chunked mode where libpq has it): result sets, row batches, notices and a
 * final summary go to a sink; the sink can pause the query when its
 * consumer falls behind (backpressure) and resume it. Knows no JSON-RPC:
 * rows are handed over as ready-made JSON text. */
#pragma once

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/model-query.h"
#include "common/render.h"

struct db;
struct pool;
struct backend;
struct query;
struct context;

struct query_sink {
	/* A result set with rows starts: columns is an array of column
	 * descriptions (borrowed). */
	void (*columns)(void *ud, struct query *q, unsigned result_index, json_t *columns);
	/* A batch of rows as JSON text "[[…],[…]]" (len bytes, borrowed). */
	void (*rows)(void *ud, struct query *q, unsigned result_index, const char *json, size_t len,
	             unsigned nrows);
	/* Store mode: row 0 of res (borrowed), instead of rows(). */
	void (*row)(void *ud, struct query *q, unsigned result_index, const PGresult *res);
	/* With a render kind: a batch of rows rendered as text lines
	 * (borrowed), instead of rows(). */
	void (*text)(void *ud, struct query *q, unsigned result_index, const char *text, size_t len,
	             unsigned nrows);
	/* A result set ended: its summary (borrowed), as also listed in the
	 * final reply. */
	void (*result)(void *ud, struct query *q, json_t *summary);
	/* Progress at most every 100 ms while rows arrive. */
	void (*progress)(void *ud, struct query *q, uint64_t rows, uint64_t elapsed_ms);
	/* A server notice (borrowed ErrorInfo-shaped object). */
	void (*notice)(void *ud, struct query *q, json_t *notice);
	/* Finished: summary is the reply's result object (borrowed) or e the
	 * error (with data extras in extra, borrowed, may be NULL). The query
	 * is freed after this returns. */
	void (*done)(void *ud, struct query *q, json_t *summary, const TuskError *e, json_t *extra);
	/* True while the consumer has too much unsent: the query stops reading
	 * its socket until query_resume. */
	bool (*congested)(void *ud, struct query *q);
	/* COPY … FROM STDIN waits for data: the consumer sends it with
	 * query_copy_put and ends it with query_copy_end. */
	void (*copy_in)(void *ud, struct query *q, unsigned result_index, bool binary, int ncols);
	/* The bytes query_copy_put handed over reached the server's socket:
	 * the consumer may send more (after query_copy_full said true). */
	void (*copy_ready)(void *ud, struct query *q);
	/* COPY … TO STDOUT: a chunk of its bytes (borrowed), rows whole. */
	void (*copy_out)(void *ud, struct query *q, unsigned result_index, const char *data,
	                 size_t len, unsigned nrows);
};

struct query_options {
	const char *sql;
	json_t *params; /* array of string|null|number|bool, or NULL: simple protocol */
	unsigned batch_rows;
	size_t batch_bytes;
	int64_t timeout_ms; /* 0: none */
	int64_t max_rows;   /* 0: all */
	bool typed;
	/* Keep the backend pinned to the context after the query even
	 * outside a transaction (session state carries to its next call). */
	bool hold_session;
	bool stored;          /* store mode: listed by the result store, not here */
	TuskRender render;    /* csv / tsv: rows rendered here, sent as text */
	const char *query_id; /* client-chosen, or NULL for a fresh uuid */
};

/* Start: waits for a backend of p (or takes the context's pinned one), then
 * runs. Returns NULL with e set for bad input (empty SQL, NUL bytes,
 * a query_id already running). */
struct query *query_start(struct pool *p, struct context *ctx, const struct query_options *o,
                          const struct query_sink *sink, void *ud, TuskError *e);
/* Best effort: cancel on the server (PQcancel on a worker) or stop waiting
 * for a backend. The query then ends through sink->done with
 * TUSK_ERR_QUERY_CANCELLED, unless it finished first. */
void query_cancel(struct query *q);
/* query_cancel on a client's request (query.cancel). */
void query_cancel_request(struct query *q);
/* query_cancel_request on the query running in context c (context.release);
 * false when none runs. */
bool query_cancel_context(struct db *db, const struct context *c);
/* Why the daemon stopped q before its end, for history (the first cause
 * wins): TUSK_STOP_NONE, CANCEL_REQUEST, TIMEOUT (its timeout_ms),
 * CLIENT_GONE (query_detach) or DAEMON_STOPPING (query_cancel_all). */
TuskStopReason query_stop_reason(const struct query *q);
/* The sink's consumer drained: read again. */
void query_resume(struct query *q);
/* The sink's consumer went away: cancel, drain and release the backend
 * cleanly; only sink->done is called again. */
void query_detach(struct query *q);

/* COPY … FROM STDIN (after sink->copy_in): hand len bytes to libpq. -1
 * with e set when the query is not waiting for COPY data. */
int query_copy_put(struct query *q, const void *data, size_t len, TuskError *e);
/* libpq holds bytes the server's socket has not taken: stop feeding until
 * sink->copy_ready. */
bool query_copy_full(const struct query *q);
/* End the data: fail_message NULL ends it well, otherwise the server
 * aborts the COPY with that message. */
int query_copy_end(struct query *q, const char *fail_message, TuskError *e);
/* Waiting for COPY data. */
bool query_copy_waiting(const struct query *q);

struct query *query_find(struct db *db, const char *query_id);
const char *query_id(const struct query *q);

/* The daemon is stopping: cancel every query (each then ends through its
 * sink as usual). */
void query_cancel_all(struct db *db);
/* Every running query but stored ones (for daemon.status / query.list). */
json_t *query_list_json(struct db *db);
/* The first 200 characters of sql, passwords redacted (free()). */
char *query_sql_head(const char *sql);
bool query_paused(const struct query *q);
uint64_t query_started_us(const struct query *q);
