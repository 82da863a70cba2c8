/* The query engine: acquire, send, stream results in single-row mode with
 * backpressure, cancel and time out, release or pin the backend. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/buffer.h>

#include "common/cellvalue.h"
#include "common/clock.h"
#include "common/jsonstr.h"
#include "common/copy-text.h"
#include "common/log.h"
#include "common/model-query.h"
#include "common/sql.h"
#include "common/uuid.h"
#include "daemon/db/context.h"
#include "daemon/db/db-internal.h"
#include "daemon/db/meta.h"
#include "daemon/db/pool.h"
#include "daemon/db/query.h"
#include "daemon/db/query-copy.h"
#include "daemon/db/query-internal.h"
#include "daemon/db/rowjson.h"
#include "daemon/db/tunnel.h"
#include "daemon/worker/worker.h"

struct query *query_find(struct db *db, const char *id)
{
	for (struct query *q = db->queries; q; q = q->next)
		if (strcmp(q->id, id) == 0)
			return q;
	return NULL;
}

const char *query_id(const struct query *q)
{
	return q->id;
}
static void cancel_job_forget(struct query *q);

static void query_free(struct query *q)
{
	for (struct query **pp = &q->db->queries; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	free(q->local_sets);
	if (q->timeout_timer)
		event_free(q->timeout_timer);
	if (q->cancel_retry)
		event_free(q->cancel_retry);
	if (q->progress_timer)
		event_free(q->progress_timer);
	if (q->batch)
		evbuffer_free(q->batch);
	cancel_job_forget(q);
	meta_request_cancel(q->meta_wait);
	PQclear(q->meta_res);
	free(q->col_types);
	free(q->sql);
	free(q->copy_sql);
	tusk_copy_scratch_clear(&q->scratch);
	json_decref(q->params);
	json_decref(q->results);
	tusk_error_clear(&q->error);
	free(q);
}

static const char *txn_name(PGTransactionStatusType st)
{
	switch (st) {
	case PQTRANS_IDLE:
		return "idle";
	case PQTRANS_ACTIVE:
		return "active";
	case PQTRANS_INTRANS:
		return "in_transaction";
	case PQTRANS_INERROR:
		return "in_error";
	default:
		return "unknown";
	}
}

double query_ms_since(uint64_t us)
{
	return (double)(tusk_mono_us() - us) / 1000.0;
}

/* The backend goes back to the pool or stays with the context; then the
 * sink hears the outcome once. */
/* A backend lost because its SSH tunnel went down: say so, with the
 * tunnel's own error (libpq only saw a closed socket). */
static void blame_tunnel(struct query *q)
{
	struct tunnel *t = pool_attachment(q->pool, POOL_SLOT_TUNNEL);
	TuskError te = TUSK_ERROR_INIT;
	if (!t || q->error.kind != TUSK_ERR_CONNECTION_FAILED || !tunnel_error(t, &te))
		return;
	char *libpq = q->error.message ? strdup(q->error.message) : NULL;
	tusk_error_move(&q->error, &te);
	if (libpq && !q->error.detail)
		tusk_error_set_detail(&q->error, "%s", libpq);
	free(libpq);
}

static bool cancel_job_keep(struct query *q, struct backend *b);

void query_finish(struct query *q)
{
	blame_tunnel(q);
	const char *txn = "unknown";
	PGTransactionStatusType st = PQTRANS_UNKNOWN;
	char *ddl = NULL;
	q->state = QUERY_FINISHED;
	if (q->timeout_timer)
		evtimer_del(q->timeout_timer);
	if (q->progress_timer)
		evtimer_del(q->progress_timer);
	if (q->b) {
		struct backend *b = q->b;
		q->b = NULL;
		st = PQtransactionStatus(backend_conn(b));
		txn = txn_name(st);
		/* NULL would leave ours in place (libpq ignores it). */
		PQsetNoticeReceiver(backend_conn(b), backend_idle_notice, NULL);
		backend_set_io(b, NULL, NULL);
		bool kept = false;
		if (q->ctx && !(q->detached && !context_name(q->ctx))) {
			context_note_statement(q->ctx, q->sql);
			kept = context_keep(q->ctx, b, q->hold_session);
		}
		if (!kept && !cancel_job_keep(q, b))
			pool_release(b);
	}
	/* DDL inside a transaction is visible to the catalog only once the
	 * transaction ends: the schema cache hears of it then. */
	bool in_txn = st == PQTRANS_INTRANS || st == PQTRANS_INERROR;
	if (q->ctx && q->ran_ddl && in_txn)
		context_note_ddl(q->ctx, q->sql);
	else if (q->ctx && !in_txn)
		ddl = context_take_ddl(q->ctx);
	if (q->ctx)
		context_set_busy(q->ctx, false);
	if (ddl)
		pool_ran_ddl(q->pool, ddl);
	if (q->ran_ddl && !in_txn)
		pool_ran_ddl(q->pool, q->sql);
	free(ddl);

	/* A detached query's sink still hears the end, to free what it holds
	 * and write history; it sends nothing to a client that has gone. */
	{
		if (q->error.kind != TUSK_ERR_NONE) {
			json_t *extra = json_pack("{s:i, s:i, s:O, s:s}", "statement_index",
			                          (int)q->error_statement, "completed_results",
			                          (int)json_array_size(q->results), "results",
			                          q->results, "transaction_status", txn);
			q->sink->done(q->ud, q, NULL, &q->error, extra);
			json_decref(extra);
		} else {
			json_t *summary = json_pack(
			    "{s:s, s:s, s:O, s:I, s:f, s:s, s:b}", "query_id", q->id,
			    "connection_id", pool_id(q->pool), "results", q->results, "rows",
			    (json_int_t)q->total_rows, "duration_ms", query_ms_since(q->started_us),
			    "transaction_status", txn, "truncated", q->truncated);
			q->sink->done(q->ud, q, summary, NULL, NULL);
			json_decref(summary);
		}
	}
	query_free(q);
}

static void fail_now(struct query *q, const TuskError *e)
{
	if (q->error.kind == TUSK_ERR_NONE)
		tusk_error_copy(&q->error, e);
	query_finish(q);
}

static void on_io(struct backend *b, short what, void *ud)
{
	struct query *q = ud;
	PGconn *conn = backend_conn(b);
	if (backend_pump(b, what) < 0)
		goto lost;
	if (q->copy == COPY_IN && q->copy_full) {
		int f = PQflush(conn);
		if (f < 0)
			goto lost;
		if (f == 0) {
			q->copy_full = false;
			if (!q->detached)
				q->sink->copy_ready(q->ud, q);
			return; /* the sink may have ended q */
		}
	}
	if (what & EV_READ)
		query_step(q);
	return;
lost : {
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_CONNECTION_FAILED, "the connection to the server was lost");
	tusk_error_set_detail(&e, "%s", PQerrorMessage(conn));
	backend_mark_broken(b);
	fail_now(q, &e);
	tusk_error_clear(&e);
}
}

void query_step(struct query *q)
{
	if (!query_drain_results(q))
		return;
	if (!q->paused && PQstatus(backend_conn(q->b)) == CONNECTION_BAD) {
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_set(&e, TUSK_ERR_CONNECTION_FAILED,
		               "the connection to the server was lost");
		backend_mark_broken(q->b);
		fail_now(q, &e);
		tusk_error_clear(&e);
	}
}

void query_resume(struct query *q)
{
	if (!q->paused || !q->b)
		return;
	q->paused = false;
	if (q->meta_wait)
		return; /* columns_ready reads on */
	backend_watch(q->b, EV_READ);
	query_step(q);
}

/* ---- sending ------------------------------------------------------------- */

static void on_notice(void *arg, const PGresult *res)
{
	struct query *q = arg;
	if (q->detached || !q->sink->notice || q->encoding_lost || !q->b ||
	    PQclientEncoding(backend_conn(q->b)) != pg_char_to_encoding("UTF8"))
		return;
	TuskError n = TUSK_ERROR_INIT;
	tusk_error_from_pgresult(&n, res);
	json_t *info = tusk_error_info_to_json(&n);
	json_object_del(info, "error_type");
	json_object_del(info, "kind");
	q->sink->notice(q->ud, q, info);
	json_decref(info);
	tusk_error_clear(&n);
}

static int send_query(struct query *q)
{
	PGconn *conn = backend_conn(q->b);
	int ok;
	PQsetNoticeReceiver(conn, on_notice, q);
	if (q->params) {
		size_t n = json_array_size(q->params);
		const char **values = calloc(n + 1, sizeof(*values));
		char **owned = calloc(n + 1, sizeof(*owned));
		for (size_t i = 0; i < n; i++) {
			json_t *v = json_array_get(q->params, i);
			if (json_is_string(v))
				values[i] = json_string_value(v);
			else if (!json_is_null(v))
				values[i] = owned[i] = json_dumps(v, JSON_ENCODE_ANY);
		}
		ok = PQsendQueryParams(conn, q->sql, (int)n, NULL, values, NULL, NULL, 0);
		for (size_t i = 0; i < n; i++)
			free(owned[i]);
		free(owned);
		free(values);
	} else if (q->via == VIA_PREPARE) {
		ok = PQsendPrepare(conn, "", q->sql, 0, NULL);
	} else {
		ok = PQsendQuery(conn, q->sql);
	}
	if (!ok)
		return -1;
	if (q->via == VIA_NONE)
		PQsetSingleRowMode(conn);
	q->sent_us = q->result_started_us = q->last_progress_us = tusk_mono_us();
	backend_set_io(q->b, on_io, q);
	backend_watch(q->b, PQflush(conn) == 1 ? EV_READ | EV_WRITE : EV_READ);
	return 0;
}

static void run_on(struct query *q, struct backend *b)
{
	q->b = b;
	q->state = QUERY_RUNNING;
	if (send_query(q) < 0) {
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_set(&e, TUSK_ERR_CONNECTION_FAILED, "cannot send the query");
		tusk_error_set_detail(&e, "%s", PQerrorMessage(backend_conn(b)));
		backend_mark_broken(b);
		fail_now(q, &e);
		tusk_error_clear(&e);
	}
}

static void on_acquired(struct backend *b, const TuskError *e, void *ud)
{
	struct query *q = ud;
	q->waiter = NULL;
	if (!b) {
		fail_now(q, e);
		return;
	}
	if (q->cancel_requested || q->detached) {
		TuskError c = TUSK_ERROR_INIT;
		tusk_error_set(&c, q->timed_out ? TUSK_ERR_QUERY_TIMEOUT : TUSK_ERR_QUERY_CANCELLED,
		               q->timed_out ? "Query timeout after %lldms" : "Query cancelled",
		               (long long)q->timeout_ms);
		q->b = b;
		fail_now(q, &c);
		tusk_error_clear(&c);
		return;
	}
	run_on(q, b);
}

static void set_stop(struct query *q, TuskStopReason why)
{
	if (q->stop == TUSK_STOP_NONE)
		q->stop = why;
}

TuskStopReason query_stop_reason(const struct query *q)
{
	return q->stop;
}

void query_cancel_request(struct query *q)
{
	set_stop(q, TUSK_STOP_CANCEL_REQUEST);
	query_cancel(q);
}

bool query_cancel_context(struct db *db, const struct context *c)
{
	for (struct query *q = db->queries; q; q = q->next)
		if (q->ctx == c && (q->state == QUERY_WAITING || q->state == QUERY_RUNNING)) {
			query_cancel_request(q);
			return true;
		}
	return false;
}

static void on_timeout(evutil_socket_t fd, short what, void *ud)
{
	struct query *q = ud;
	q->timed_out = true;
	set_stop(q, TUSK_STOP_TIMEOUT);
	query_cancel(q);
}

struct query *query_start(struct pool *p, struct context *ctx, const struct query_options *o,
                          const struct query_sink *sink, void *ud, TuskError *e)
{
	if (!o->sql || strspn(o->sql, " \t\r\n") == strlen(o->sql)) {
		tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "the SQL is empty");
		return NULL;
	}
	if (o->query_id && query_find(pool_db(p), o->query_id)) {
		tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "a query with id '%s' is already running",
		               o->query_id);
		return NULL;
	}
	if (ctx && context_busy(ctx)) {
		tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		               "context '%s' is running another query; wait for it or cancel it",
		               context_name(ctx) ? context_name(ctx) : "(unnamed)");
		return NULL;
	}
	struct query *q = calloc(1, sizeof(*q));
	if (!q) {
		tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (o->query_id)
		snprintf(q->id, sizeof(q->id), "%s", o->query_id);
	else
		tusk_uuid_v4(q->id);
	q->db = pool_db(p);
	q->pool = p;
	q->ctx = ctx;
	q->sink = sink;
	q->ud = ud;
	q->sql = strdup(o->sql);
	q->params = o->params ? json_incref(o->params) : NULL;
	q->batch_rows = o->batch_rows ? o->batch_rows : 1000;
	q->batch_bytes = o->batch_bytes ? o->batch_bytes : 1024 * 1024;
	q->timeout_ms = o->timeout_ms;
	q->max_rows = o->max_rows;
	q->typed = o->typed;
	q->hold_session = o->hold_session;
	q->stored = o->stored;
	q->render = o->render;
	/* A csv / tsv render of one plain SELECT runs as COPY. */
	if (q->render && !q->params && !q->stored && !q->max_rows &&
	    (q->copy_sql = query_copy_sql(q->sql))) {
		q->via = VIA_PREPARE;
		log_debug("query", "%s: rendered as COPY (…) TO STDOUT", q->id);
	}
	q->results = json_array();
	q->batch = evbuffer_new();
	q->started_us = tusk_mono_us();
	q->state = QUERY_WAITING;
	q->next = q->db->queries;
	q->db->queries = q;
	if (q->timeout_ms > 0) {
		q->timeout_timer = evtimer_new(q->db->env.base, on_timeout, q);
		struct timeval tv = {.tv_sec = q->timeout_ms / 1000,
		                     .tv_usec = (q->timeout_ms % 1000) * 1000};
		evtimer_add(q->timeout_timer, &tv);
	}
	if (ctx) {
		context_set_busy(ctx, true);
		struct backend *b = context_take(ctx);
		if (b) {
			run_on(q, b);
			return q;
		}
	}
	q->waiter = pool_acquire(p, on_acquired, q);
	return q;
}

/* ---- cancel ---------------------------------------------------------------- */

struct cancel_job {
	PGcancel *cancel;
	/* The backend of a query that ended before its cancel was sent: held
	 * here until it is, so the cancel cannot reach the next user's query. */
	struct backend *held;
	struct query *q; /* NULL once the query has ended */
	char err[256];
	int ok;
};

static void cancel_work(void *arg)
{
	struct cancel_job *j = arg;
	j->ok = PQcancel(j->cancel, j->err, sizeof(j->err));
}

static void on_cancel_retry(evutil_socket_t fd, short what, void *ud)
{
	query_cancel(ud);
}

static void cancel_done(void *arg)
{
	struct cancel_job *j = arg;
	if (!j->ok)
		log_warn("query", "cancel request failed: %s", j->err);
	PQfreeCancel(j->cancel);
	struct query *q = j->q;
	if (q) {
		q->cancel_job = NULL;
		/* A cancel that reaches the backend before it has started the
		 * statement is ignored by PostgreSQL (it is reading a command):
		 * while the query runs on, say it again, a few times. */
		if (q->state == QUERY_RUNNING && q->cancel_requested && q->cancels_sent < 5) {
			if (!q->cancel_retry)
				q->cancel_retry = evtimer_new(q->db->env.base, on_cancel_retry, q);
			if (q->cancel_retry)
				evtimer_add(q->cancel_retry, &(struct timeval){.tv_usec = 100000});
		}
	}
	/* PostgreSQL ignores a cancel that reaches an idle backend, so once
	 * it is sent the backend may serve someone else. */
	if (j->held)
		pool_release(j->held);
	free(j);
}

/* The query is going: its cancel, still on its way, no longer tells it. */
static void cancel_job_forget(struct query *q)
{
	if (q->cancel_job)
		q->cancel_job->q = NULL;
	q->cancel_job = NULL;
}

static bool cancel_job_keep(struct query *q, struct backend *b)
{
	struct cancel_job *j = q->cancel_job;
	if (!j)
		return false;
	q->cancel_job = NULL;
	j->q = NULL;
	j->held = b;
	return true;
}

void query_cancel(struct query *q)
{
	if (q->state == QUERY_WAITING) {
		q->cancel_requested = true;
		if (q->waiter) {
			struct pool_waiter *w = q->waiter;
			q->waiter = NULL;
			pool_acquire_cancel(w);
			TuskError e = TUSK_ERROR_INIT;
			tusk_error_set(
			    &e, q->timed_out ? TUSK_ERR_QUERY_TIMEOUT : TUSK_ERR_QUERY_CANCELLED,
			    q->timed_out ? "Query timeout after %lldms" : "Query cancelled",
			    (long long)q->timeout_ms);
			fail_now(q, &e);
			tusk_error_clear(&e);
		}
		return;
	}
	if (q->state != QUERY_RUNNING || !q->b)
		return;
	if (!q->truncated)
		q->cancel_requested = true;
	if (q->copy == COPY_IN) {
		/* The server waits for our data: end it as failed, no cancel
		 * request needed. */
		query_copy_send_end(q, q->timed_out  ? "the query timed out"
		                       : q->detached ? "the client went away"
		                                     : "cancelled");
		return;
	}
	if (q->cancel_job)
		return; /* one is on its way */
	struct cancel_job *j = calloc(1, sizeof(*j));
	/* PQgetCancel only copies keys: no I/O on the loop. The request
	 * itself (a new connection to the server) runs on a worker. */
	j->cancel = PQgetCancel(backend_conn(q->b));
	j->q = q;
	q->cancels_sent++;
	if (!j->cancel || worker_submit(q->db->env.workers, cancel_work, cancel_done, j) < 0) {
		if (j->cancel)
			PQfreeCancel(j->cancel);
		free(j);
		return;
	}
	q->cancel_job = j;
}

void query_detach(struct query *q)
{
	q->detached = true;
	set_stop(q, TUSK_STOP_CLIENT_GONE);
	if (q->state == QUERY_RUNNING && q->paused) {
		q->paused = false;
		if (!q->meta_wait)
			backend_watch(q->b, EV_READ);
	}
	query_cancel(q);
	if (q->state == QUERY_RUNNING && q->b)
		query_step(q);
}

char *query_sql_head(const char *sql)
{
	char *red = tusk_sql_redact(sql);
	if (red && strlen(red) > 200) {
		size_t n = 200;
		while (n > 0 && ((unsigned char)red[n] & 0xC0) == 0x80)
			n--; /* not inside a UTF-8 sequence */
		red[n] = '\0';
	}
	return red;
}

json_t *query_list_json(struct db *db)
{
	json_t *list = json_array();
	for (struct query *q = db->queries; q; q = q->next) {
		if (q->stored)
			continue; /* listed by the result store */
		char *head = query_sql_head(q->sql);
		const char *ctx = q->ctx ? context_name(q->ctx) : NULL;
		json_array_append_new(
		    list, json_pack("{s:s, s:s, s:s, s:I, s:f, s:b, s:s, s:s, s:s?}", "query_id",
		                    q->id, "connection_id", pool_id(q->pool), "state",
		                    q->state == QUERY_WAITING ? "waiting" : "running", "rows",
		                    (json_int_t)q->total_rows, "elapsed_ms",
		                    query_ms_since(q->started_us), "paused", q->paused, "mode",
		                    "stream", "sql_head", head ? head : "", "context", ctx));
		free(head);
	}
	return list;
}

bool query_paused(const struct query *q)
{
	return q->paused;
}

uint64_t query_started_us(const struct query *q)
{
	return q->started_us;
}

void query_cancel_all(struct db *db)
{
	for (struct query *q = db->queries, *next; q; q = next) {
		next = q->next;
		set_stop(q, TUSK_STOP_DAEMON_STOPPING);
		query_cancel(q);
	}
}
