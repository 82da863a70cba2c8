/* query.execute, query.cancel, query.list: streams a query's results to the
 * client that asked, as notifications, and events to subscribers of the
 * "query" topic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/base64.h"
#include "common/log.h"
#include "daemon/db/context.h"
#include "daemon/db/pool.h"
#include "daemon/db/query.h"
#include "daemon/db/rowjson.h"
#include "daemon/db/store.h"
#include "daemon/rpc.h"
#include "daemon/rpc/query-exec.h"
#include "daemon/rpc/query-inline.h"
#include "daemon/server.h"
#include "common/sql.h"
#include "common/uuid.h"
#include "daemon/storage/connections.h"
#include "daemon/storage/history.h"
#include "daemon/storage/settings.h"
#include "daemon/tuskd.h"
#include "protocol/jsonrpc.h"
#include "protocol/tusk-names.h"

static struct exec *execs;

static void exec_free(struct exec *x)
{
	for (struct exec **pp = &execs; *pp; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	if (x->started_timer)
		event_free(x->started_timer);
	if (x->input_held)
		client_hold_input(x->client, false);
	client_unref(x->client);
	free(x->connection_id);
	free(x->database);
	free(x->sql);
	free(x->context);
	json_decref(x->params);
	json_decref(x->columns);
	inline_clear(&x->held);
	free(x);
}

static void flush_started(struct exec *x);

static void notify(struct exec *x, const char *method, json_t *params)
{
	flush_started(x);
	json_t *msg = tusk_rpc_notification(method, params);
	client_send(x->client, msg);
	json_decref(msg);
}

/* query.started goes out with the query's first other message, or after
 * STARTED_DELAY_MS when nothing else came: a quick query then costs its
 * client one wake-up, not two. */
#define STARTED_DELAY_MS 20

static void flush_started(struct exec *x)
{
	if (!x->started_pending)
		return;
	x->started_pending = false;
	evtimer_del(x->started_timer);
	json_t *msg = tusk_rpc_notification(
	    TUSK_N_QUERY_STARTED,
	    json_pack("{s:s, s:s}", "query_id", x->query_id, "connection_id", x->connection_id));
	client_send(x->client, msg);
	json_decref(msg);
}

/* With inline, a query still running after this long is not a small
 * one: what was held back goes out and the rest streams. */
#define INLINE_WINDOW_MS 500
/* Held back in all, at most (a batch also closes at about 1 MiB). */
#define INLINE_MAX_BYTES (1024 * 1024)

static void send_rows(struct exec *x, unsigned idx, const char *json, size_t len);
static void send_text(struct exec *x, unsigned idx, const char *text, size_t len, unsigned nrows);

/* The result is not a small one after all: everything held back goes out
 * as the notifications it would have been, in order. */
static void inline_end(struct exec *x)
{
	if (!x->inlining)
		return;
	x->inlining = false;
	flush_started(x);
	for (size_t i = 0; i < x->held.n; i++) {
		struct inline_part *p = &x->held.parts[i];
		switch (p->kind) {
		case INLINE_COLUMNS:
			notify(x, TUSK_N_QUERY_COLUMNS,
			       json_pack("{s:s, s:i, s:O}", "query_id", x->query_id, "result_index",
			                 (int)p->idx, "columns", p->json));
			break;
		case INLINE_ROWS:
			send_rows(x, p->idx, p->data, p->len);
			break;
		case INLINE_TEXT:
			send_text(x, p->idx, p->data, p->len, p->nrows);
			break;
		case INLINE_RESULT:
			notify(x, TUSK_N_QUERY_RESULT,
			       json_pack("{s:s, s:O}", "query_id", x->query_id, "result", p->json));
			break;
		}
	}
	inline_clear(&x->held);
}

/* Holds a part back; false when the result no longer fits (everything is
 * then sent, and the caller sends this part itself). */
static bool hold(struct exec *x, enum inline_kind kind, unsigned idx, json_t *json,
                 const char *data, size_t len, unsigned nrows)
{
	if (!x->inlining)
		return false;
	/* One batch per result set: a second one means it streams. */
	bool second = (kind == INLINE_ROWS || kind == INLINE_TEXT) && x->held.n &&
	              x->held.parts[x->held.n - 1].kind == kind;
	if (second || !inline_fits(&x->held, nrows, len, x->o.batch_rows, INLINE_MAX_BYTES) ||
	    inline_add(&x->held, kind, idx, json, data, len, nrows) < 0) {
		inline_end(x);
		return false;
	}
	return true;
}

static void on_started_timer(evutil_socket_t fd, short what, void *ud)
{
	struct exec *x = ud;
	if (x->inlining)
		inline_end(x);
	else
		flush_started(x);
}

static void emit(const char *method, json_t *params)
{
	server_emit(tuskd.server, TOPIC_QUERY, method, params);
}

/* Whether an event on the query topic goes anywhere (or is checked): when
 * not, the per-query events are not even built. */
static bool emitting(void)
{
	return tuskd.validate_replies || server_has_subscribers(tuskd.server, TOPIC_QUERY);
}

/* ---- the sink ------------------------------------------------------------ */

static void sink_columns(void *ud, struct query *q, unsigned idx, json_t *columns)
{
	struct exec *x = ud;
	if (!x->columns)
		x->columns = json_array();
	while (json_array_size(x->columns) < idx)
		json_array_append_new(x->columns, json_array());
	if (idx < json_array_size(x->columns))
		json_array_set(x->columns, idx, columns);
	else
		json_array_append(x->columns, columns);
	if (x->store)
		store_columns(x->store, idx, columns);
	if (hold(x, INLINE_COLUMNS, idx, columns, NULL, 0, 0))
		return;
	notify(x, TUSK_N_QUERY_COLUMNS,
	       json_pack("{s:s, s:i, s:O}", "query_id", x->query_id, "result_index", (int)idx,
	                 "columns", columns));
}

static void sink_rows(void *ud, struct query *q, unsigned idx, const char *json, size_t len,
                      unsigned nrows)
{
	struct exec *x = ud;
	/* A self-checking daemon checks the first batch of each result set in
	 * full: the others come from the same code in the same shape, and
	 * parsing every batch again would slow streaming down several times. */
	if (tuskd.validate_replies && idx + 1 > x->rows_checked) {
		x->rows_checked = idx + 1;
		json_t *p = json_pack("{s:s, s:i, s:o}", "query_id", x->query_id, "result_index",
		                      (int)idx, "rows", json_loadb(json, len, 0, NULL));
		rpc_check_notification(TUSK_N_QUERY_ROWS, p);
		json_decref(p);
	}
	if (!hold(x, INLINE_ROWS, idx, NULL, json, len, nrows))
		send_rows(x, idx, json, len);
}

static void send_rows(struct exec *x, unsigned idx, const char *json, size_t len)
{
	flush_started(x);
	/* The query_id may be the client's own: escaped like any string. */
	struct evbuffer *head = evbuffer_new();
	evbuffer_add_printf(head,
	                    "{\"jsonrpc\":\"2.0\",\"method\":\"" TUSK_N_QUERY_ROWS "\",\"params\":{"
	                    "\"query_id\":");
	rowjson_string(head, x->query_id, strlen(x->query_id));
	evbuffer_add_printf(head, ",\"result_index\":%u,\"rows\":", idx);
	size_t n = evbuffer_get_length(head);
	client_send_raw(x->client, evbuffer_pullup(head, -1), n);
	evbuffer_free(head);
	client_send_raw(x->client, json, len);
	client_send_raw(x->client, "}}\n", 3);
}

static void sink_row(void *ud, struct query *q, unsigned idx, const PGresult *res)
{
	struct exec *x = ud;
	store_row(x->store, idx, res);
}

static void sink_text(void *ud, struct query *q, unsigned idx, const char *text, size_t len,
                      unsigned nrows)
{
	struct exec *x = ud;
	if (tuskd.validate_replies && idx + 1 > x->rows_checked) {
		x->rows_checked = idx + 1;
		json_t *p =
		    json_pack("{s:s, s:i, s:i, s:s%}", "query_id", x->query_id, "result_index",
		              (int)idx, "rows", (int)nrows, "text", text, len);
		rpc_check_notification(TUSK_N_QUERY_TEXT, p);
		json_decref(p);
	}
	if (!hold(x, INLINE_TEXT, idx, NULL, text, len, nrows))
		send_text(x, idx, text, len, nrows);
}

static void send_text(struct exec *x, unsigned idx, const char *text, size_t len, unsigned nrows)
{
	flush_started(x);
	struct evbuffer *msg = evbuffer_new();
	evbuffer_add_printf(msg, "{\"jsonrpc\":\"2.0\",\"method\":\"" TUSK_N_QUERY_TEXT
	                         "\",\"params\":{\"query_id\":");
	rowjson_string(msg, x->query_id, strlen(x->query_id));
	evbuffer_add_printf(msg, ",\"result_index\":%u,\"rows\":%u,\"text\":", idx, nrows);
	rowjson_string(msg, text, len);
	evbuffer_add(msg, "}}\n", 3);
	size_t n = evbuffer_get_length(msg);
	client_send_raw(x->client, evbuffer_pullup(msg, -1), n);
	evbuffer_free(msg);
}

static void sink_result(void *ud, struct query *q, json_t *summary)
{
	struct exec *x = ud;
	if (x->store)
		store_result_end(x->store, (unsigned)json_integer_value(
		                               json_object_get(summary, "result_index")));
	if (hold(x, INLINE_RESULT, 0, summary, NULL, 0, 0))
		return;
	notify(x, TUSK_N_QUERY_RESULT,
	       json_pack("{s:s, s:O}", "query_id", x->query_id, "result", summary));
}

static void sink_progress(void *ud, struct query *q, uint64_t rows, uint64_t elapsed_ms)
{
	struct exec *x = ud;
	json_t *p = json_pack("{s:s, s:s, s:I, s:I}", "query_id", x->query_id, "connection_id",
	                      x->connection_id, "rows", (json_int_t)rows, "elapsed_ms",
	                      (json_int_t)elapsed_ms);
	/* Within the inline window the reply will say it all (or the window's
	 * end streams everything held): progress goes to the caller after. */
	if (!x->inlining)
		notify(x, TUSK_N_QUERY_PROGRESS, json_incref(p));
	emit(TUSK_N_QUERY_PROGRESS, p);
}

static void sink_notice(void *ud, struct query *q, json_t *notice)
{
	struct exec *x = ud;
	inline_end(x); /* in its place among the rows */
	notify(x, TUSK_N_QUERY_NOTICE,
	       json_pack("{s:s, s:O}", "query_id", x->query_id, "notice", notice));
}

static bool sink_congested(void *ud, struct query *q)
{
	struct exec *x = ud;
	if (x->store)
		return store_congested(x->store);
	return client_alive(x->client) && client_unsent_bytes(x->client) > STREAM_HIGH_WATER;
}

static void sink_copy_in(void *ud, struct query *q, unsigned idx, bool binary, int ncols)
{
	struct exec *x = ud;
	inline_end(x); /* a COPY streams */
	notify(x, TUSK_N_QUERY_COPY_IN,
	       json_pack("{s:s, s:i, s:s, s:i}", "query_id", x->query_id, "result_index", (int)idx,
	                 "format", binary ? "binary" : "text", "columns", ncols));
}

static void sink_copy_ready(void *ud, struct query *q)
{
	struct exec *x = ud;
	if (x->input_held) {
		x->input_held = false;
		client_hold_input(x->client, false);
	}
}

static void sink_copy_out(void *ud, struct query *q, unsigned idx, const char *data, size_t len,
                          unsigned nrows)
{
	struct exec *x = ud;
	inline_end(x); /* a COPY streams */
	flush_started(x);
	struct evbuffer *msg = evbuffer_new();
	evbuffer_add_printf(msg, "{\"jsonrpc\":\"2.0\",\"method\":\"" TUSK_N_QUERY_COPY_OUT
	                         "\",\"params\":{\"query_id\":");
	rowjson_string(msg, x->query_id, strlen(x->query_id));
	evbuffer_add_printf(msg, ",\"result_index\":%u,\"rows\":%u,\"base64\":\"", idx, nrows);
	size_t n = tusk_base64_encoded_len(len);
	struct evbuffer_iovec v;
	if (evbuffer_reserve_space(msg, (ev_ssize_t)n, &v, 1) == 1) {
		v.iov_len = tusk_base64_encode(data, len, v.iov_base);
		evbuffer_commit_space(msg, &v, 1);
	}
	evbuffer_add(msg, "\"}}\n", 4);
	if (tuskd.validate_replies && idx + 1 > x->rows_checked) {
		x->rows_checked = idx + 1;
		size_t total = evbuffer_get_length(msg);
		const char *text = (const char *)evbuffer_pullup(msg, -1);
		json_t *m = json_loadb(text, total, 0, NULL);
		rpc_check_notification(TUSK_N_QUERY_COPY_OUT, json_object_get(m, "params"));
		json_decref(m);
	}
	client_send_buffer(x->client, msg);
	evbuffer_free(msg);
}

static int64_t wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Past this, parsing the SQL for its kind (on the history writer) would
 * cost more than a millisecond or so (about 0.5 ms per KiB). */
#define QUERY_TYPE_PARSE_MAX (4 * 1024)

/* The kind of the script's last statement, from the SQL whatever the
 * outcome (a query cut by its timeout is still a select): the history
 * writer parses it off the loop (history_add_typed_by_sql). For longer
 * scripts the last result's command tag says it, when there is one. */
static TuskQueryType query_type_of(json_t *last_result)
{
	int t = tusk_query_type_from_name(
	    json_string_value(json_object_get(last_result, "query_type")));
	return t >= 0 ? (TuskQueryType)t : TUSK_QUERY_OTHER;
}

/* Why an execution that ended with e stopped early, or NONE. */
static TuskStopReason stop_reason_of(struct query *q, const TuskError *e)
{
	if (!e || (e->kind != TUSK_ERR_QUERY_CANCELLED && e->kind != TUSK_ERR_QUERY_TIMEOUT))
		return TUSK_STOP_NONE;
	TuskStopReason why = q ? query_stop_reason(q) : TUSK_STOP_NONE;
	if (why != TUSK_STOP_NONE)
		return why;
	/* Nobody here stopped it: the server's statement_timeout, or a cancel
	 * sent to the backend from elsewhere. */
	return e->kind == TUSK_ERR_QUERY_TIMEOUT ? TUSK_STOP_TIMEOUT : TUSK_STOP_SERVER;
}

/* Every execution goes to history: failed and cancelled ones too. A
 * timeout is a cancel (with its reason), as the protocol says. */
static void record_history(struct exec *x, struct query *q, json_t *summary, const TuskError *e)
{
	if (!tuskd.history || x->no_history || !settings_bool(tuskd.settings, "history.record"))
		return;
	json_t *results = summary ? json_object_get(summary, "results") : NULL;
	json_t *last = json_array_get(results, json_array_size(results) - 1);
	TuskStopReason why = stop_reason_of(q, e);
	TuskQueryHistoryEntry rec = {
	    .connection_id = x->connection_id,
	    .database = x->database,
	    .sql = x->sql, /* history_add redacts a password */
	    .executed_at_us = x->wall_started_us,
	    .duration_ms = (int64_t)((tuskd_now_us() - x->started_us) / 1000),
	    .rows = summary ? (int64_t)json_integer_value(json_object_get(summary, "rows")) : -1,
	    .query_type = query_type_of(last),
	    .status = !e                      ? TUSK_HISTORY_OK
	              : why != TUSK_STOP_NONE ? TUSK_HISTORY_CANCELLED
	                                      : TUSK_HISTORY_ERROR,
	    .stop_reason = why,
	    .error = e ? (char *)tusk_error_message(e) : NULL,
	};
	tusk_uuid_v4(rec.id);
	if (strlen(x->sql) <= QUERY_TYPE_PARSE_MAX)
		history_add_typed_by_sql(tuskd.history, &rec);
	else
		history_add(tuskd.history, &rec);
}

/* What another window needs to show what finished: the summary of each
 * result set with its columns. */
static json_t *completed_event(struct exec *x, json_t *summary)
{
	json_t *results = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(summary, "results"), i, r)
	{
		json_t *c = json_deep_copy(r);
		json_t *cols = json_array_get(x->columns, i);
		json_object_set_new(c, "columns", cols ? json_incref(cols) : json_array());
		json_array_append_new(results, c);
	}
	return json_pack("{s:s, s:s, s:O, s:O, s:O, s:O, s:o}", "query_id", x->query_id,
	                 "connection_id", x->connection_id, "rows",
	                 json_object_get(summary, "rows"), "duration_ms",
	                 json_object_get(summary, "duration_ms"), "truncated",
	                 json_object_get(summary, "truncated"), "transaction_status",
	                 json_object_get(summary, "transaction_status"), "results", results);
}

/* Store mode: the stored result ends; subscribers and the caller hear of
 * it. One that ended in an error before any row set is not kept. */
static void store_done(struct exec *x, json_t *summary, const TuskError *e)
{
	struct store_entry *s = x->store;
	bool alive = store_find(tuskd.db, x->query_id) == s;
	enum store_state st = summary                               ? STORE_COMPLETE
	                      : e->kind == TUSK_ERR_QUERY_CANCELLED ? STORE_CANCELLED
	                                                            : STORE_FAILED;
	store_end(s, st, summary && json_is_true(json_object_get(summary, "truncated")));
	x->store = NULL;
	if (!alive)
		return;
	json_t *stored = store_summary_json(s);
	if (!summary && json_array_size(json_object_get(stored, "results")) == 0) {
		json_decref(stored);
		store_close(s);
		return;
	}
	notify(x, TUSK_N_QUERY_STORED, json_incref(stored));
	emit(TUSK_N_QUERY_STORED, stored);
	if (summary)
		json_object_set_new(summary, "stored", json_true());
}

/* The reply: with what was held back when it all fitted. */
static void reply_summary(struct exec *x, json_t *summary)
{
	if (!x->inlining) {
		rpc_reply_result(x->req, json_incref(summary));
		return;
	}
	size_t len;
	char *text = inline_reply_text(&x->held, summary, x->o.render != 0, &len);
	if (!text) {
		inline_end(x);
		rpc_reply_result(x->req, json_incref(summary));
		return;
	}
	x->inlining = false;
	rpc_reply_raw_result(x->req, text, len);
	free(text);
}

static void sink_done(void *ud, struct query *q, json_t *summary, const TuskError *e, json_t *extra)
{
	struct exec *x = ud;
	if (!summary)
		inline_end(x); /* the result sets before the error, as they were */
	if (!x->inlining)
		flush_started(x);
	record_history(x, q, summary, e);
	if (x->store)
		store_done(x, summary, e);
	/* A stored query outlived its client: its unnamed context goes now. */
	if (x->client_gone)
		context_client_gone(tuskd.db, client_id(x->client));
	if (summary) {
		if (emitting())
			emit(TUSK_N_QUERY_COMPLETED, completed_event(x, summary));
		reply_summary(x, summary);
	} else {
		bool cancelled = e->kind == TUSK_ERR_QUERY_CANCELLED;
		emit(cancelled ? TUSK_N_QUERY_CANCELLED : TUSK_N_QUERY_FAILED,
		     json_pack("{s:s, s:s, s:o}", "query_id", x->query_id, "connection_id",
		               x->connection_id, "error", tusk_error_info_to_json(e)));
		/* The ErrorInfo plus where the script stopped. */
		json_t *err = tusk_error_to_rpc_json(e);
		json_t *data = json_object_get(err, "data");
		if (extra && data)
			json_object_update(data, extra);
		json_object_set_new(data, "query_id", json_string(x->query_id));
		rpc_reply_error_json(x->req, err);
	}
	exec_free(x);
}

static const struct query_sink sink = {
    .columns = sink_columns,
    .rows = sink_rows,
    .row = sink_row,
    .text = sink_text,
    .result = sink_result,
    .progress = sink_progress,
    .notice = sink_notice,
    .done = sink_done,
    .congested = sink_congested,
    .copy_in = sink_copy_in,
    .copy_ready = sink_copy_ready,
    .copy_out = sink_copy_out,
};

/* ---- query.execute -------------------------------------------------------- */

static void start(struct exec *x, struct pool *p)
{
	TuskError e = TUSK_ERROR_INIT;
	free(x->connection_id);
	x->connection_id = strdup(pool_id(p));
	free(x->database);
	x->database = pool_database(p) ? strdup(pool_database(p)) : NULL;
	struct context *ctx = context_get(p, x->context, client_id(x->client));
	x->o.sql = x->sql;
	x->o.params = x->params;
	if (x->o.stored) {
		if (!x->o.query_id) {
			tusk_uuid_v4(x->query_id);
			x->o.query_id = x->query_id;
		}
		x->store =
		    store_begin(tuskd.db, x->query_id, x->connection_id, x->sql, x->context, &e);
		if (!x->store)
			goto fail;
	}
	x->q = query_start(p, ctx, &x->o, &sink, x, &e);
	if (x->q && x->store)
		store_set_query(x->store, x->q);
	if (!x->q) {
		if (x->store)
			store_close(x->store);
	fail:
		if (ctx && !context_busy(ctx))
			context_set_busy(ctx, false);
		rpc_reply_error(x->req, &e);
		tusk_error_clear(&e);
		exec_free(x);
		return;
	}
	snprintf(x->query_id, sizeof(x->query_id), "%s", query_id(x->q));
	json_t *started = emitting() ? json_pack("{s:s, s:s}", "query_id", x->query_id,
	                                         "connection_id", x->connection_id)
	                             : NULL;
	x->started_pending = true;
	x->started_timer = evtimer_new(tuskd.base, on_started_timer, x);
	evtimer_add(x->started_timer,
	            &(struct timeval){
	                .tv_usec = (x->inlining ? INLINE_WINDOW_MS : STARTED_DELAY_MS) * 1000});
	if (started)
		emit(TUSK_N_QUERY_STARTED, started);
}

static void pool_ready(struct pool *p, const TuskError *e, void *ud)
{
	struct exec *x = ud;
	if (!p) {
		rpc_reply_error(x->req, e);
		exec_free(x);
		return;
	}
	start(x, p);
}

static int read_options(struct rpc_request *req, struct exec *x, TuskError *e)
{
	const char *sql, *context = NULL, *qid = NULL, *mode = NULL, *render = NULL;
	long long batch_rows = 0, timeout_ms = 0, max_rows = 0;
	bool typed = false, inl = false, hold = false, history = true;
	if (tusk_param_string(req->params, "sql", true, &sql, e) < 0 ||
	    tusk_param_bool(req->params, "hold_session", false, &hold, e) < 0 ||
	    tusk_param_bool(req->params, "history", false, &history, e) < 0 ||
	    tusk_param_bool(req->params, "inline", false, &inl, e) < 0 ||
	    tusk_param_string(req->params, "context", false, &context, e) < 0 ||
	    tusk_param_string(req->params, "query_id", false, &qid, e) < 0 ||
	    tusk_param_string(req->params, "mode", false, &mode, e) < 0 ||
	    tusk_param_string(req->params, "render", false, &render, e) < 0 ||
	    tusk_param_int(req->params, "batch_rows", false, &batch_rows, e) < 0 ||
	    tusk_param_int(req->params, "timeout_ms", false, &timeout_ms, e) < 0 ||
	    tusk_param_int(req->params, "max_rows", false, &max_rows, e) < 0 ||
	    tusk_param_bool(req->params, "typed", false, &typed, e) < 0 ||
	    tusk_param_value(req->params, "params", false, &x->params, e) < 0)
		return -1;
	x->o.stored = mode && strcmp(mode, "store") == 0;
	if (x->o.stored && render)
		return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		                      "params.render: not with mode \"store\" (use query.export)");
	if (x->o.stored && inl)
		return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		                      "params.inline: not with mode \"store\"");
	x->inlining = inl;
	x->no_history = !history;
	x->o.hold_session = hold;
	x->params = x->params ? json_incref(x->params) : NULL;
	x->sql = strdup(sql);
	x->context = context ? strdup(context) : NULL;
	if (qid)
		snprintf(x->query_id, sizeof(x->query_id), "%s", qid);
	x->o.query_id = qid ? x->query_id : NULL;
	x->o.batch_rows = batch_rows > 0
	                      ? (unsigned)batch_rows
	                      : (unsigned)settings_int(tuskd.settings, "query.batch_rows");
	x->o.timeout_ms = timeout_ms;
	x->o.max_rows = max_rows;
	x->o.typed = typed;
	x->o.render = tusk_render_from_name(render);
	if (render && !x->o.render)
		return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS, "params.render: csv or tsv");
	return 0;
}

enum rpc_ret method_query_execute(struct rpc_request *req, TuskError *e)
{
	const char *id = NULL, *conninfo = NULL;
	json_t *env = NULL;
	bool open = true;
	if (tusk_param_string(req->params, "connection_id", false, &id, e) < 0 ||
	    tusk_param_string(req->params, "conninfo", false, &conninfo, e) < 0 ||
	    tusk_param_value(req->params, "env", false, &env, e) < 0 ||
	    tusk_param_bool(req->params, "open", false, &open, e) < 0)
		return RPC_ERROR;
	if (!!id == !!conninfo)
		return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		                      "params: give exactly one of connection_id or conninfo"),
		       RPC_ERROR;

	struct exec *x = calloc(1, sizeof(*x));
	x->req = req;
	x->client = client_ref(req->client);
	x->connection_id = strdup(id ? id : "");
	x->wall_started_us = wall_us();
	x->started_us = tuskd_now_us();
	x->next = execs;
	execs = x;
	if (read_options(req, x, e) < 0) {
		exec_free(x);
		return RPC_ERROR;
	}
	if (conninfo) {
		if (pool_open_transient(tuskd.db, conninfo, env, pool_ready, x, e) < 0) {
			exec_free(x);
			return RPC_ERROR;
		}
		return RPC_WAIT;
	}
	struct pool *p = pool_find(tuskd.db, id);
	if (p) {
		start(x, p);
		return RPC_WAIT;
	}
	if (!open) {
		exec_free(x);
		return tusk_error_set(e, TUSK_ERR_NO_ACTIVE_CONNECTION,
		                      "connection '%s' is not open", id),
		       RPC_ERROR;
	}
	TuskConnectionConfig *cfg = NULL;
	if (connections_get(tuskd.storage, id, &cfg, e) < 0) {
		exec_free(x);
		return RPC_ERROR;
	}
	pool_open_saved_env(tuskd.db, cfg, env, pool_ready, x);
	tusk_connection_config_free(cfg);
	return RPC_WAIT;
}

/* The caller's own running query with this id, or NULL. */
struct exec *exec_find(struct client *c, const char *query_id)
{
	for (struct exec *x = execs; x; x = x->next)
		if (x->client == c && x->q && strcmp(x->query_id, query_id) == 0)
			return x;
	return NULL;
}

enum rpc_ret method_query_cancel(struct rpc_request *req, TuskError *e)
{
	const char *id;
	if (tusk_param_string(req->params, "query_id", true, &id, e) < 0)
		return RPC_ERROR;
	struct query *q = query_find(tuskd.db, id);
	if (!q)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "no running query has id '%s' (it may have finished)", id),
		       RPC_ERROR;
	query_cancel_request(q);
	req->result = json_pack("{s:s, s:b}", "query_id", id, "cancel_requested", 1);
	return RPC_OK;
}

enum rpc_ret method_query_list(struct rpc_request *req, TuskError *e)
{
	json_t *list = query_list_json(tuskd.db);
	json_t *stored = store_list_json(tuskd.db);
	json_array_extend(list, stored);
	json_decref(stored);
	req->result = json_pack("{s:o}", "queries", list);
	return RPC_OK;
}

/* ---- client hooks --------------------------------------------------------- */

/* Calls fn on each of c's running execs once. fn may end any exec, this
 * one (its sink frees it) or others (a backend handed on may fail a
 * waiting query), so the walk starts over after each call and marks what
 * it has seen rather than keeping a pointer into the list. */
static void each_client_exec(struct client *c, void (*fn)(struct exec *x))
{
	static unsigned walks;
	unsigned walk = ++walks;
	for (;;) {
		struct exec *x = execs;
		while (x && (x->client != c || !x->q || x->walk == walk))
			x = x->next;
		if (!x)
			return;
		x->walk = walk;
		fn(x);
	}
}

static void resume_exec(struct exec *x)
{
	query_resume(x->q);
}

static void abandon_exec(struct exec *x)
{
	if (x->store)
		x->client_gone = true; /* a stored query runs on */
	else
		query_detach(x->q);
}

void rpc_client_drained(struct client *c)
{
	each_client_exec(c, resume_exec);
}

void rpc_client_closed(struct client *c)
{
	each_client_exec(c, abandon_exec);
	context_client_gone(tuskd.db, client_id(c));
}
