/* query.fetch, query.close, query.export and query.export_cancel: the
 * result store (db/store.h) for any client. Exports run on a worker; a
 * timer per export sends query.export_progress while it runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/uuid.h"
#include "daemon/db/store-export.h"
#include "daemon/db/store.h"
#include "daemon/rpc.h"
#include "daemon/server.h"
#include "daemon/tuskd.h"
#include "daemon/worker/worker.h"
#include "protocol/jsonrpc.h"
#include "protocol/tusk-names.h"

enum rpc_ret method_query_fetch(struct rpc_request *req, TuskError *e)
{
	const char *id;
	long long idx = 0, offset = 0, limit = 100;
	bool typed = false;
	if (tusk_param_string(req->params, "query_id", true, &id, e) < 0 ||
	    tusk_param_int(req->params, "result_index", false, &idx, e) < 0 ||
	    tusk_param_int(req->params, "offset", false, &offset, e) < 0 ||
	    tusk_param_int(req->params, "limit", false, &limit, e) < 0 ||
	    tusk_param_bool(req->params, "typed", false, &typed, e) < 0)
		return RPC_ERROR;
	if (idx < 0 || offset < 0 || limit < 0)
		return tusk_error_set(
		           e, TUSK_ERR_INVALID_PARAMS,
		           "params: result_index, offset and limit must not be negative"),
		       RPC_ERROR;
	struct store_entry *s = store_lookup(tuskd.db, id, e);
	if (!s)
		return RPC_ERROR;
	size_t len = 0;
	/* A page stops growing at a quarter of the message limit, whatever
	 * limit asked for: every client can read it. */
	char *text = store_fetch(s, (unsigned)idx, (uint64_t)offset, (uint64_t)limit, typed,
	                         TUSK_RPC_MAX_MESSAGE / 4, &len, e);
	if (!text)
		return RPC_ERROR;
	rpc_reply_raw_result(req, text, len);
	free(text);
	return RPC_WAIT; /* answered */
}

enum rpc_ret method_query_close(struct rpc_request *req, TuskError *e)
{
	const char *id;
	if (tusk_param_string(req->params, "query_id", true, &id, e) < 0)
		return RPC_ERROR;
	struct store_entry *s = store_lookup(tuskd.db, id, e);
	if (!s)
		return RPC_ERROR;
	req->result = json_pack("{s:s, s:b}", "query_id", id, "closed", 1);
	store_close(s);
	return RPC_OK;
}

/* ---- export ------------------------------------------------------------------ */

struct export
{
	struct rpc_request *req;
	struct client *client;
	char id[40];
	char query_id[40];
	unsigned result_index;
	char *format_name;
	char *path;
	struct store_export_job job;
	bool running;  /* on a worker */
	bool answered; /* cancelled while waiting for its result to end */
	uint64_t started_us, total_rows;
	struct event *timer;
	struct export *next;
};

static struct export *exports;

static struct export *export_find(const char *id)
{
	for (struct export *x = exports; x; x = x->next)
		if (strcmp(x->id, id) == 0)
			return x;
	return NULL;
}

static void export_free(struct export *x)
{
	for (struct export **pp = &exports; *pp; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	if (x->timer)
		event_free(x->timer);
	store_snapshot_free(x->job.snap);
	tusk_error_clear(&x->job.error);
	client_unref(x->client);
	free(x->format_name);
	free(x->path);
	free(x);
}

static void send_progress(struct export *x)
{
	json_t *p =
	    json_pack("{s:s, s:s, s:I, s:I, s:I}", "export_id", x->id, "query_id", x->query_id,
	              "rows", (json_int_t)atomic_load(&x->job.rows), "total_rows",
	              (json_int_t)x->total_rows, "bytes", (json_int_t)atomic_load(&x->job.bytes));
	json_t *msg = tusk_rpc_notification(TUSK_N_QUERY_EXPORT_PROGRESS, json_incref(p));
	client_send(x->client, msg);
	json_decref(msg);
	server_emit(tuskd.server, TOPIC_QUERY, TUSK_N_QUERY_EXPORT_PROGRESS, p);
}

static void on_progress(evutil_socket_t fd, short what, void *ud)
{
	send_progress(ud);
}

/* Emits query.exported and answers the query.export call. */
static void export_answer(struct export *x, const TuskError *e)
{
	uint64_t rows = atomic_load(&x->job.rows), bytes = atomic_load(&x->job.bytes);
	const char *outcome = !e                                    ? "written"
	                      : e->kind == TUSK_ERR_QUERY_CANCELLED ? "cancelled"
	                                                            : "failed";
	json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "export_id", x->id, "query_id",
	                       x->query_id, "path", x->path, "outcome", outcome, "rows",
	                       (json_int_t)rows, "bytes", (json_int_t)(e ? 0 : bytes));
	if (e)
		json_object_set_new(ev, "error", tusk_error_info_to_json(e));
	server_emit(tuskd.server, TOPIC_QUERY, TUSK_N_QUERY_EXPORTED, ev);
	if (e)
		rpc_reply_error(x->req, e);
	else
		rpc_reply_result(x->req,
		                 json_pack("{s:s, s:s, s:i, s:s, s:s, s:I, s:I, s:f}", "export_id",
		                           x->id, "query_id", x->query_id, "result_index",
		                           (int)x->result_index, "format", x->format_name, "path",
		                           x->path, "rows", (json_int_t)rows, "bytes",
		                           (json_int_t)bytes, "duration_ms",
		                           (double)(tuskd_now_us() - x->started_us) / 1000.0));
}

static void export_end(struct export *x, const TuskError *e)
{
	if (!x->answered)
		export_answer(x, e);
	export_free(x);
}

static void export_work(void *arg)
{
	struct export *x = arg;
	store_export_run(&x->job);
}

static void export_done(void *arg)
{
	struct export *x = arg;
	x->running = false;
	export_end(x, x->job.error.kind != TUSK_ERR_NONE ? &x->job.error : NULL);
}

static void export_ready(void *ud, struct store_snapshot *snap, const TuskError *e)
{
	struct export *x = ud;
	if (!snap) {
		export_end(x, e);
		return;
	}
	x->job.snap = snap;
	x->total_rows = snap->rows;
	if (x->answered) {
		export_free(x);
		return;
	}
	if (atomic_load(&x->job.cancel)) {
		TuskError c = TUSK_ERROR_INIT;
		tusk_error_set(&c, TUSK_ERR_QUERY_CANCELLED, "Export cancelled");
		export_end(x, &c);
		tusk_error_clear(&c);
		return;
	}
	x->running = true;
	if (worker_submit(tuskd.workers, export_work, export_done, x) < 0) {
		x->running = false;
		TuskError s = TUSK_ERROR_INIT;
		tusk_error_set(&s, TUSK_ERR_INTERNAL, "the daemon is stopping");
		export_end(x, &s);
		tusk_error_clear(&s);
		return;
	}
	x->timer = event_new(tuskd.base, -1, EV_PERSIST, on_progress, x);
	event_add(x->timer, &(struct timeval){.tv_usec = 100000});
}

enum rpc_ret method_query_export(struct rpc_request *req, TuskError *e)
{
	const char *id, *format, *path, *eid = NULL;
	long long idx = 0;
	if (tusk_param_string(req->params, "query_id", true, &id, e) < 0 ||
	    tusk_param_int(req->params, "result_index", false, &idx, e) < 0 ||
	    tusk_param_string(req->params, "format", true, &format, e) < 0 ||
	    tusk_param_string(req->params, "path", true, &path, e) < 0 ||
	    tusk_param_string(req->params, "export_id", false, &eid, e) < 0)
		return RPC_ERROR;
	int fmt = store_export_format_from_name(format);
	if (!fmt || idx < 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		                      !fmt ? "params.format: csv, tsv, json or jsonl"
		                           : "params.result_index: must not be negative"),
		       RPC_ERROR;
	if (path[0] != '/')
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "params.path: must be absolute (the daemon writes it)"),
		       RPC_ERROR;
	if (eid && export_find(eid))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "an export with id '%s' is already running", eid),
		       RPC_ERROR;
	struct store_entry *s = store_lookup(tuskd.db, id, e);
	if (!s)
		return RPC_ERROR;
	struct export *x = calloc(1, sizeof(*x));
	x->req = req;
	x->client = client_ref(req->client);
	if (eid)
		snprintf(x->id, sizeof(x->id), "%s", eid);
	else
		tusk_uuid_v4(x->id);
	snprintf(x->query_id, sizeof(x->query_id), "%s", id);
	x->result_index = (unsigned)idx;
	x->format_name = strdup(format);
	x->path = strdup(path);
	x->job.format = fmt;
	x->job.path = x->path;
	x->started_us = tuskd_now_us();
	x->next = exports;
	exports = x;
	store_when_flushed(s, x->result_index, export_ready, x);
	return RPC_WAIT;
}

enum rpc_ret method_query_export_cancel(struct rpc_request *req, TuskError *e)
{
	const char *id;
	if (tusk_param_string(req->params, "export_id", true, &id, e) < 0)
		return RPC_ERROR;
	struct export *x = export_find(id);
	if (!x)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "no export has id '%s' (it may have finished)", id),
		       RPC_ERROR;
	atomic_store(&x->job.cancel, true);
	if (!x->running && !x->job.snap && !x->answered) {
		/* still waiting for a running result to end: the export stops
		 * now (no file was created); the store's waiter frees it later */
		TuskError c = TUSK_ERROR_INIT;
		tusk_error_set(&c, TUSK_ERR_QUERY_CANCELLED, "Export cancelled");
		export_answer(x, &c);
		tusk_error_clear(&c);
		x->answered = true;
		for (struct export **pp = &exports; *pp; pp = &(*pp)->next)
			if (*pp == x) {
				*pp = x->next;
				break;
			}
	}
	req->result = json_pack("{s:s, s:b}", "export_id", id, "cancel_requested", 1);
	return RPC_OK;
}

void rpc_store_stop(void)
{
	for (struct export *x = exports; x; x = x->next)
		atomic_store(&x->job.cancel, true);
}
