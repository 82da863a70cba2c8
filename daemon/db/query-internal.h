/* What query.c, query-read.c and query-copy.c share: the query itself,
 * the steps of reading its results and of its COPY. Included only by
 * daemon/db/query*.c. */
#pragma once

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cellvalue.h"
#include "common/copy-text.h"
#include "common/error.h"
#include "common/model-query.h"
#include "common/render.h"
#include "common/uuid.h"

enum query_state {
	QUERY_WAITING, /* for a backend */
	QUERY_RUNNING,
	QUERY_DRAINING, /* detached or failed: reading to the end, reporting nothing */
	QUERY_FINISHED,
};

struct query {
	char id[TUSK_UUID_STRLEN + 1];
	enum query_state state;
	struct db *db; /* its pool's */
	struct pool *pool;
	struct context *ctx;
	struct backend *b;
	struct pool_waiter *waiter;
	const struct query_sink *sink;
	void *ud;
	bool detached;

	char *sql;
	json_t *params;
	unsigned batch_rows;
	size_t batch_bytes;
	int64_t timeout_ms;
	int64_t max_rows;
	bool typed;
	bool hold_session; /* the context keeps the backend after it */
	bool stored;
	TuskRender render;

	uint64_t started_us, sent_us, result_started_us, last_progress_us;
	uint64_t progress_rows;       /* total_rows as the last query.progress said */
	struct event *progress_timer; /* says the rest when rows stop coming */
	struct event *timeout_timer;
	bool cancel_requested, timed_out, truncated, paused;
	struct cancel_job *cancel_job; /* a PQcancel on a worker, not yet sent */
	struct event *cancel_retry;    /* sends it again while the query runs */
	unsigned cancels_sent;
	bool ran_ddl;
	TuskStopReason stop;

	/* The result set being read. */
	unsigned result_index;
	bool
	    *local_sets; /* per statement: SET LOCAL / SET TRANSACTION (scanned at the first SET) */
	int n_local_sets; /* -1: not scanned (too long, or it does not scan) */
	bool columns_sent;
	int ncols;
	TuskOid *col_types;
	uint64_t result_rows;
	struct evbuffer *batch;
	unsigned batch_count;
	/* Columns being described (db/meta.h): reading stops, and the first
	 * result of the set waits here, until they are. */
	struct meta_request *meta_wait;
	PGresult *meta_res;
	bool in_describe;

	/* COPY data flowing now: from the client (FROM STDIN) or to it. */
	enum { COPY_NONE, COPY_IN, COPY_OUT } copy;
	bool copy_full; /* libpq holds COPY IN bytes the socket did not take */
	uint64_t copy_flushed_us;
	/* A csv/tsv render of one SELECT runs as copy_sql: the statement is
	 * prepared (errors as for the SELECT itself), described (the columns),
	 * then copied. Described with no columns: run as it is instead. */
	enum { VIA_NONE, VIA_PREPARE, VIA_DESCRIBE, VIA_COPY } via;
	bool via_answered;
	char *copy_sql;
	TuskCopyScratch scratch;

	uint64_t total_rows;
	json_t *results; /* summaries of finished result sets */
	TuskError error;
	unsigned error_statement;
	/* The session left UTF-8 (SET client_encoding): nothing more of this
	 * query is read into JSON. */
	bool encoding_lost;

	struct query *next;
};

/* query.c: */
/* The backend goes back to the pool or stays with the context; the sink
 * hears the outcome once; q is freed. */
void query_finish(struct query *q);
/* Read on (query_drain_results) and notice a lost connection. */
void query_step(struct query *q);
/* Milliseconds since us (tusk_mono_us). */
double query_ms_since(uint64_t us);

/* query-read.c: */
/* Hand the rows batched so far to the sink. */
void query_flush_batch(struct query *q);
/* A row was read at `now`: query.progress at most every 100 ms while rows
 * come, and once more 100 ms after the last so a pause (a slow server, a
 * pg_sleep after the rows) never leaves a stale count. */
void query_progress(struct query *q, uint64_t now);
/* Consume what libpq has parsed. false: the query ended (and is freed). */
bool query_drain_results(struct query *q);

/* query-copy.c: */
/* Read COPY … TO STDOUT data. 1: the data ended (PQgetResult has the
 * outcome); 0: wait for the socket or the client. */
int query_read_copy_out(struct query *q);
/* Flush what libpq holds; watch for writing while some remains. */
void query_watch_flush(struct query *q);
/* The server asks for COPY FROM STDIN data. */
void query_copy_in_begins(struct query *q, const PGresult *res);
/* Send the COPY's end (or its failure, fail_message not NULL). */
int query_copy_send_end(struct query *q, const char *fail_message);
/* A render run as COPY: the next step (describe, then the COPY). */
int query_via_next(struct query *q);
