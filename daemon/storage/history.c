/* The history writer. history_add only copies the record onto a queue the
 * loop owns; a job takes a segment of the queue (records, then at most one
 * operation) and runs it on a worker with the worker's own handle. One job
 * runs at a time, so the writes keep the order they were asked for. The
 * loop never waits for a job except in history_sync (shutdown, tests and the
 * synchronous API), which waits on a condition variable for the running
 * job's work to end and writes what is left on the loop's handle.
 *
 * The history object is reference-counted: a running job holds a
 * reference, so history_free may come before the job's done callback (it
 * then only answers the job's callbacks and frees what it holds). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/cleanup.h"
#include "common/model-query.h"
#include "common/sql.h"
#include "common/timestamp.h"
#include "common/uuid.h"
#include "daemon/storage/history-internal.h"
#include "daemon/worker/worker.h"

struct item_list {
	struct history_item *head, *tail;
};

struct job {
	struct history *h;
	struct item_list items; /* n_records records, then maybe one operation */
	size_t n_records;
	sqlite3 *db;
	int r; /* the insert's outcome */
	TuskError e;
};

struct history {
	unsigned refs;
	Storage *st;
	struct event_base *base;
	struct worker_pool *workers;
	sqlite3 *wdb; /* the writer's handle; NULL for an in-memory Storage */
	struct event *timer;
	struct event *kick; /* in-memory mode: run the queue on the next loop turn */

	struct item_list queue;
	size_t queued_records;
	size_t queued_ops;
	struct history_item *retention; /* a retention item still in the queue */
	bool job_running;               /* submitted; its done has not run */
	unsigned failures;              /* consecutive failed batches */
	bool closed;

	/* Shared with the worker. */
	pthread_mutex_t lock;
	pthread_cond_t idle;
	bool writing; /* a job's work has not finished */

	uint64_t written, dropped;
	TuskError last_error;
	bool has_error;
};

/* ---- items ---------------------------------------------------------------- */

static void item_free(struct history_item *it)
{
	if (!it)
		return;
	free(it->rec.connection_id);
	free(it->rec.database);
	free(it->rec.sql);
	free(it->rec.error);
	free(it->arg);
	tusk_error_clear(&it->e);
	free(it);
}

static void list_push(struct item_list *l, struct history_item *it)
{
	it->next = NULL;
	if (l->tail)
		l->tail->next = it;
	else
		l->head = it;
	l->tail = it;
}

static struct history_item *list_pop(struct item_list *l)
{
	struct history_item *it = l->head;
	if (it) {
		l->head = it->next;
		if (!l->head)
			l->tail = NULL;
		it->next = NULL;
	}
	return it;
}

/* Put l back in front of the queue (a failed batch, tried again). */
static void queue_prepend(struct history *h, struct item_list *l)
{
	if (!l->head)
		return;
	l->tail->next = h->queue.head;
	h->queue.head = l->head;
	if (!h->queue.tail)
		h->queue.tail = l->tail;
	*l = (struct item_list){0};
}

static int strdup_or_null(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? -1 : 0;
}

static struct history_item *record_copy(const TuskQueryHistoryEntry *rec)
{
	if (!rec->sql || (int)rec->status < 0 || rec->status >= _TUSK_HISTORY_STATUS_MAX)
		return NULL;
	struct history_item *it = calloc(1, sizeof(*it));
	if (!it)
		return NULL;
	it->kind = HISTORY_ITEM_RECORD;
	TuskQueryHistoryEntry *r = &it->rec;
	if (rec->id[0] && tusk_uuid_valid(rec->id)) {
		for (size_t i = 0; i <= TUSK_UUID_STRLEN; i++)
			r->id[i] =
			    (char)(rec->id[i] >= 'A' && rec->id[i] <= 'F' ? rec->id[i] - 'A' + 'a'
			                                                  : rec->id[i]);
	} else if (tusk_uuid_v4(r->id) < 0) {
		free(it);
		return NULL;
	}
	r->query_type = (int)rec->query_type >= 0 && rec->query_type < _TUSK_QUERY_TYPE_MAX
	                    ? rec->query_type
	                    : TUSK_QUERY_OTHER;
	r->status = rec->status;
	r->stop_reason = rec->status == TUSK_HISTORY_CANCELLED && (int)rec->stop_reason >= 0 &&
	                         rec->stop_reason < _TUSK_STOP_REASON_MAX
	                     ? rec->stop_reason
	                     : TUSK_STOP_NONE;
	r->executed_at_us = rec->executed_at_us ? rec->executed_at_us : tusk_now_us();
	r->duration_ms = rec->duration_ms >= 0 ? rec->duration_ms : 0;
	r->rows = rec->rows >= 0 ? rec->rows : -1;
	if (strdup_or_null(&r->connection_id, rec->connection_id) < 0 ||
	    strdup_or_null(&r->database, rec->database) < 0 ||
	    !(r->sql = tusk_sql_redact(rec->sql)) || strdup_or_null(&r->error, rec->error) < 0) {
		item_free(it);
		return NULL;
	}
	return it;
}

/* ---- lifetime ------------------------------------------------------------- */

static void history_unref(struct history *h)
{
	if (--h->refs > 0)
		return;
	struct history_item *it;
	while ((it = list_pop(&h->queue)))
		item_free(it);
	tusk_error_clear(&h->last_error);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->idle);
	free(h);
}

static void keep_error(struct history *h, const TuskError *e)
{
	tusk_error_copy(&h->last_error, e);
	h->has_error = true;
}

/* ---- jobs ----------------------------------------------------------------- */

/* Take the next segment: up to HISTORY_BATCH_MAX records, then the
 * operation that follows them, if the batch is not full. */
static struct job *take_segment(struct history *h)
{
	if (!h->queue.head)
		return NULL;
	struct job *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->h = h;
	while (h->queue.head && h->queue.head->kind == HISTORY_ITEM_RECORD &&
	       j->n_records < HISTORY_BATCH_MAX) {
		list_push(&j->items, list_pop(&h->queue));
		j->n_records++;
		h->queued_records--;
	}
	if (h->queue.head && h->queue.head->kind != HISTORY_ITEM_RECORD &&
	    j->n_records < HISTORY_BATCH_MAX) {
		struct history_item *op = list_pop(&h->queue);
		if (op == h->retention)
			h->retention = NULL;
		h->queued_ops--;
		list_push(&j->items, op);
	}
	return j;
}

static struct history_item *job_op(struct job *j)
{
	struct history_item *last = j->items.tail;
	return last && last->kind != HISTORY_ITEM_RECORD ? last : NULL;
}

/* Put a job's items back in front of the queue, as they were. */
static void requeue_items(struct history *h, struct job *j)
{
	struct history_item *op = job_op(j);
	h->queued_records += j->n_records;
	if (op) {
		h->queued_ops++;
		if (op->kind == HISTORY_ITEM_RETENTION && !h->retention)
			h->retention = op;
	}
	queue_prepend(h, &j->items);
}

static void requeue_job(struct history *h, struct job *j)
{
	requeue_items(h, j);
	free(j);
}

/* The kind of the last statement: parsing costs about 0.5 ms per KiB,
 * done here on the writer rather than on the loop as the query ends. */
static void type_from_sql(struct history_item *it)
{
	TuskSqlScript script = {0};
	TuskQueryType t = TUSK_QUERY_OTHER;
	if (tusk_sql_analyse(it->rec.sql, strlen(it->rec.sql), &script, NULL) == 0 && script.n > 0)
		t = script.stmts[script.n - 1].type;
	tusk_sql_script_clear(&script);
	it->rec.query_type = t;
	it->type_from_sql = false;
}

/* On any thread: touches only the job and its handle. */
static void job_run(struct job *j)
{
	struct history_item *op = job_op(j);
	size_t n = 0;
	for (struct history_item *it = j->items.head; it && n < j->n_records; it = it->next, n++)
		if (it->kind == HISTORY_ITEM_RECORD && it->type_from_sql)
			type_from_sql(it);
	if (j->n_records > 0)
		j->r = history_sql_insert(j->db, j->items.head, j->n_records, &j->e);
	/* After a failed batch the operation waits: it must not run before
	 * records that were queued ahead of it and will be tried again. */
	if (op && j->r == 0)
		history_sql_run_op(j->db, op);
}

static void job_work(void *arg)
{
	struct job *j = arg;
	job_run(j);
	pthread_mutex_lock(&j->h->lock);
	j->h->writing = false;
	pthread_cond_broadcast(&j->h->idle);
	pthread_mutex_unlock(&j->h->lock);
}

/* On the loop: account for the job, answer its callbacks, free it. A
 * failed batch goes back to the front of the queue once (retry), unless
 * retry is false or the writer is closed. Returns whether it was
 * requeued. */
static bool job_finish(struct history *h, struct job *j, bool retry)
{
	struct history_item *op = job_op(j);
	bool requeue = false;
	if (j->r < 0) {
		keep_error(h, &j->e);
		if (retry && !h->closed && ++h->failures < 2) {
			requeue = true;
		} else {
			h->failures = 0;
			h->dropped += j->n_records;
			for (; j->n_records > 0; j->n_records--)
				item_free(list_pop(&j->items));
			/* The operation did not run; it still can. */
			requeue = op && !h->closed;
		}
	} else {
		h->failures = 0;
		h->written += j->n_records;
	}
	if (requeue)
		requeue_items(h, j);
	struct history_item *it;
	while ((it = list_pop(&j->items))) {
		if (it == op) {
			if (!it->ran) /* the writer closed before it could run */
				it->r = tusk_error_set(&it->e, TUSK_ERR_STORAGE,
				                       "the history writer has stopped");
			if (it->r < 0 && it->kind == HISTORY_ITEM_RETENTION)
				keep_error(h, &it->e);
			if (it->cb)
				it->cb(it->r, it->count, &it->e, it->ud);
		}
		item_free(it);
	}
	tusk_error_clear(&j->e);
	free(j);
	return requeue;
}

static void schedule(struct history *h);

static void job_done(void *arg)
{
	struct job *j = arg;
	struct history *h = j->h;
	h->job_running = false;
	bool requeued = job_finish(h, j, true);
	if (!h->closed) {
		if (requeued)
			evtimer_add(h->timer,
			            &(struct timeval){.tv_usec = HISTORY_FLUSH_MS * 1000});
		else
			schedule(h);
	}
	history_unref(h);
}

/* Run everything queued on the loop's handle, answering callbacks as it
 * goes. Returns the first error. */
static int run_inline(struct history *h, TuskError *e)
{
	int r = 0;
	struct job *j;
	while ((j = take_segment(h))) {
		j->db = storage_db(h->st);
		job_run(j);
		if (r == 0 && j->r < 0) {
			r = -1;
			tusk_error_copy(e, &j->e);
		}
		struct history_item *op = job_op(j);
		if (r == 0 && op && op->ran && op->r < 0 && op->kind != HISTORY_ITEM_DELETE) {
			r = -1;
			tusk_error_copy(e, &op->e);
		}
		job_finish(h, j, false);
	}
	return r;
}

static void start_job(struct history *h)
{
	if (h->job_running || h->closed || !h->queue.head)
		return;
	evtimer_del(h->timer);
	if (!h->wdb) {
		event_active(h->kick, 0, 0);
		return;
	}
	struct job *j = take_segment(h);
	if (!j)
		return;
	j->db = h->wdb;
	pthread_mutex_lock(&h->lock);
	h->writing = true;
	pthread_mutex_unlock(&h->lock);
	h->job_running = true;
	h->refs++;
	if (worker_submit(h->workers, job_work, job_done, j) < 0) {
		/* The pool is stopping: history_sync or history_free writes
		 * what is queued. */
		pthread_mutex_lock(&h->lock);
		h->writing = false;
		pthread_mutex_unlock(&h->lock);
		h->job_running = false;
		h->refs--;
		requeue_job(h, j);
	}
}

/* Decide when the queue is written next: now for operations and full
 * batches, else after HISTORY_FLUSH_MS. */
static void schedule(struct history *h)
{
	if (h->closed || h->job_running || !h->queue.head)
		return;
	if (h->queued_ops > 0 || h->queued_records >= HISTORY_FLUSH_RECORDS)
		start_job(h);
	else if (!evtimer_pending(h->timer, NULL))
		evtimer_add(h->timer, &(struct timeval){.tv_usec = HISTORY_FLUSH_MS * 1000});
}

static void on_timer(evutil_socket_t fd, short what, void *data)
{
	start_job(data);
}

static void on_kick(evutil_socket_t fd, short what, void *data)
{
	struct history *h = data;
	TuskError e = TUSK_ERROR_INIT;
	if (run_inline(h, &e) < 0)
		keep_error(h, &e);
	tusk_error_clear(&e);
}

/* ---- the API -------------------------------------------------------------- */

struct history *history_new(Storage *st, struct event_base *base, struct worker_pool *workers,
                            TuskError *e)
{
	struct history *h = calloc(1, sizeof(*h));
	if (!h)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory"), NULL;
	h->refs = 1;
	h->st = st;
	h->base = base;
	h->workers = workers;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->idle, NULL);
	if (!base) {
		tusk_error_set(e, TUSK_ERR_INTERNAL, "history_new needs the event loop");
		goto fail;
	}
	if (storage_path(st)) {
		TuskError he = TUSK_ERROR_INIT;
		h->wdb = storage_open_handle(st, &he);
		/* History still works without its own handle, on the loop's;
		 * the janitor reports why through history_take_error. */
		if (!h->wdb)
			keep_error(h, &he);
		tusk_error_clear(&he);
	}
	h->timer = evtimer_new(base, on_timer, h);
	h->kick = event_new(base, -1, 0, on_kick, h);
	if (!h->timer || !h->kick) {
		tusk_error_set(e, TUSK_ERR_INTERNAL, "cannot create the history timer");
		goto fail;
	}
	return h;
fail:
	if (h->timer)
		event_free(h->timer);
	if (h->kick)
		event_free(h->kick);
	sqlite3_close_v2(h->wdb);
	history_unref(h);
	return NULL;
}

int history_sync(struct history *h, TuskError *e)
{
	pthread_mutex_lock(&h->lock);
	while (h->writing)
		pthread_cond_wait(&h->idle, &h->lock);
	pthread_mutex_unlock(&h->lock);
	if (h->timer)
		evtimer_del(h->timer);
	return run_inline(h, e);
}

void history_free(struct history *h)
{
	if (!h)
		return;
	TuskError e = TUSK_ERROR_INIT;
	history_sync(h, &e);
	tusk_error_clear(&e);
	h->closed = true;
	/* Nothing can start a job now, and the running one has finished its
	 * work (history_sync waited), so the handle is free to close. */
	event_free(h->timer);
	event_free(h->kick);
	h->timer = h->kick = NULL;
	sqlite3_close_v2(h->wdb);
	h->wdb = NULL;
	history_unref(h);
}

static void add(struct history *h, const TuskQueryHistoryEntry *rec, bool type_from_sql)
{
	if (h->closed || h->queued_records >= HISTORY_QUEUE_MAX) {
		h->dropped++;
		return;
	}
	struct history_item *it = record_copy(rec);
	if (!it) {
		h->dropped++;
		return;
	}
	it->type_from_sql = type_from_sql;
	list_push(&h->queue, it);
	h->queued_records++;
	schedule(h);
}

void history_add(struct history *h, const TuskQueryHistoryEntry *rec)
{
	add(h, rec, false);
}

void history_add_typed_by_sql(struct history *h, const TuskQueryHistoryEntry *rec)
{
	add(h, rec, true);
}

static struct history_item *op_new(enum history_item_kind kind, const char *arg, history_done_fn cb,
                                   void *ud)
{
	struct history_item *it = calloc(1, sizeof(*it));
	if (!it || strdup_or_null(&it->arg, arg) < 0) {
		free(it);
		return NULL;
	}
	it->kind = kind;
	it->cb = cb;
	it->ud = ud;
	return it;
}

static void queue_push_op(struct history *h, struct history_item *it)
{
	list_push(&h->queue, it);
	h->queued_ops++;
	if (it->kind == HISTORY_ITEM_RETENTION)
		h->retention = it;
}

/* An operation starts a job at once; in-memory mode runs it from the kick
 * event, so the callback never runs inside the call that queued it. */
static int queue_op(struct history *h, enum history_item_kind kind, const char *arg,
                    history_done_fn cb, void *ud)
{
	struct history_item *it = op_new(kind, arg, cb, ud);
	if (!it)
		return -ENOMEM;
	queue_push_op(h, it);
	schedule(h);
	return 0;
}

int history_flush_async(struct history *h, history_done_fn cb, void *ud)
{
	return queue_op(h, HISTORY_ITEM_FLUSH, NULL, cb, ud);
}

int history_delete_async(struct history *h, const char *uuid, history_done_fn cb, void *ud)
{
	return queue_op(h, HISTORY_ITEM_DELETE, uuid, cb, ud);
}

int history_clear_async(struct history *h, const char *connection_id, history_done_fn cb, void *ud)
{
	return queue_op(h, HISTORY_ITEM_CLEAR, connection_id, cb, ud);
}

json_t *history_list(struct history *h, const json_t *filter, TuskError *e)
{
	if (h->queue.head && history_sync(h, e) < 0)
		return NULL;
	return history_sql_list(storage_db(h->st), filter, e);
}

json_t *history_list_written(struct history *h, const json_t *filter, TuskError *e)
{
	return history_sql_list(storage_db(h->st), filter, e);
}

/* The synchronous forms queue the operation like the async ones — so it
 * keeps its place behind queued records — and then write everything. */
struct sync_result {
	int r;
	int64_t count;
	TuskError e;
};

static void on_sync_done(int r, int64_t count, const TuskError *e, void *ud)
{
	struct sync_result *s = ud;
	s->r = r;
	s->count = count;
	if (r < 0)
		tusk_error_copy(&s->e, e);
}

static int run_sync(struct history *h, enum history_item_kind kind, const char *arg,
                    int64_t *ret_count, TuskError *e)
{
	struct sync_result s = {.r = 1};
	struct history_item *it = op_new(kind, arg, on_sync_done, &s);
	if (!it)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	/* Queued without scheduling, so that no worker takes it: history_sync
	 * runs it here, on the loop's handle, and its callback with it. */
	queue_push_op(h, it);
	TuskError ignored = TUSK_ERROR_INIT;
	history_sync(h, &ignored); /* this operation's own outcome is in s */
	tusk_error_clear(&ignored);
	if (s.r > 0)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "the history operation did not run");
	if (s.r < 0) {
		tusk_error_move(e, &s.e);
		return -1;
	}
	if (ret_count)
		*ret_count = s.count;
	return 0;
}

int history_delete(struct history *h, const char *uuid, TuskError *e)
{
	return run_sync(h, HISTORY_ITEM_DELETE, uuid, NULL, e);
}

int history_clear(struct history *h, const char *connection_id, int64_t *ret_deleted, TuskError *e)
{
	return run_sync(h, HISTORY_ITEM_CLEAR, connection_id, ret_deleted, e);
}

int history_apply_retention(struct history *h, long long max_entries, long long days, TuskError *e)
{
	if (max_entries < 0 || days < 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "retention limits must not be negative");
	if (max_entries == 0 && days == 0)
		return 0;
	if (h->retention) {
		/* Still waiting: the newest limits are the ones that matter. */
		h->retention->max_entries = max_entries;
		h->retention->days = days;
		return 0;
	}
	struct history_item *it = op_new(HISTORY_ITEM_RETENTION, NULL, NULL, NULL);
	if (!it)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	it->max_entries = max_entries;
	it->days = days;
	queue_push_op(h, it);
	schedule(h);
	return 0;
}

void history_get_stats(struct history *h, struct history_stats *ret)
{
	pthread_mutex_lock(&h->lock);
	bool writing = h->writing;
	pthread_mutex_unlock(&h->lock);
	*ret = (struct history_stats){
	    .queued = h->queued_records,
	    .written = h->written,
	    .dropped = h->dropped,
	    .writing = writing || h->job_running,
	};
}

bool history_take_error(struct history *h, TuskError *ret)
{
	if (!h->has_error)
		return false;
	tusk_error_move(ret, &h->last_error);
	h->has_error = false;
	return true;
}
