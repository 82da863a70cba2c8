/* history.list, delete, clear: the query history kept by
 * daemon/storage/history.c, and debug.history_add, which queues entries
 * the way the query engine does so that history can be tested end to end.
 *
 * Every method first lets the history writer catch up (the list must show
 * what was just run, a delete or clear must come after the records queued
 * before it); the wait is a callback from the writer, never a block of the
 * loop. delete and clear run on the writer itself. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/timestamp.h"
#include "common/uuid.h"
#include "daemon/rpc.h"
#include "daemon/storage/history.h"
#include "daemon/tuskd.h"
#include "protocol/jsonrpc.h"

static bool history_ready(TuskError *e)
{
	if (tuskd.history)
		return true;
	tusk_error_set(e, TUSK_ERR_STORAGE, "query history is not available");
	return false;
}

static enum rpc_ret queued_or_oom(int r, TuskError *e)
{
	if (r == 0)
		return RPC_WAIT;
	tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	return RPC_ERROR;
}

/* ---- history.list --------------------------------------------------------- */

static void list_flushed(int r, int64_t count, const TuskError *fe, void *ud)
{
	struct rpc_request *req = ud;
	TuskError e = TUSK_ERROR_INIT;
	/* Everything queued before the request is on disk now (a failed
	 * batch was kept for the janitor to report); records queued since
	 * need not be waited for. */
	json_t *result = history_list_written(tuskd.history, req->params, &e);
	if (result)
		rpc_reply_result(req, result);
	else
		rpc_reply_error(req, &e);
	tusk_error_clear(&e);
}

enum rpc_ret method_history_list(struct rpc_request *req, TuskError *e)
{
	if (!history_ready(e))
		return RPC_ERROR;
	return queued_or_oom(history_flush_async(tuskd.history, list_flushed, req), e);
}

/* ---- history.delete / history.clear --------------------------------------- */

static void delete_done(int r, int64_t count, const TuskError *e, void *ud)
{
	if (r < 0)
		rpc_reply_error(ud, e);
	else
		rpc_reply_result(ud, json_pack("{s:b}", "deleted", 1));
}

enum rpc_ret method_history_delete(struct rpc_request *req, TuskError *e)
{
	const char *id;
	if (!history_ready(e) || tusk_param_string(req->params, "id", true, &id, e) < 0)
		return RPC_ERROR;
	return queued_or_oom(history_delete_async(tuskd.history, id, delete_done, req), e);
}

static void clear_done(int r, int64_t count, const TuskError *e, void *ud)
{
	if (r < 0)
		rpc_reply_error(ud, e);
	else
		rpc_reply_result(ud, json_pack("{s:I}", "deleted", (json_int_t)count));
}

enum rpc_ret method_history_clear(struct rpc_request *req, TuskError *e)
{
	const char *connection_id = NULL;
	if (!history_ready(e) ||
	    tusk_param_string(req->params, "connection_id", false, &connection_id, e) < 0)
		return RPC_ERROR;
	return queued_or_oom(history_clear_async(tuskd.history, connection_id, clear_done, req), e);
}

/* ---- debug.history_add ---------------------------------------------------- */

enum rpc_ret method_debug_history_add(struct rpc_request *req, TuskError *e)
{
	TuskQueryHistoryEntry rec = {.rows = -1};
	const char *sql, *status, *connection_id = NULL, *database = NULL, *error = NULL;
	const char *executed_at = NULL, *query_type = NULL, *stop_reason = NULL;
	long long duration_ms = 0, rows = -1, count = 1;
	if (!history_ready(e) || tusk_param_string(req->params, "sql", true, &sql, e) < 0 ||
	    tusk_param_string(req->params, "status", true, &status, e) < 0 ||
	    tusk_param_string(req->params, "connection_id", false, &connection_id, e) < 0 ||
	    tusk_param_string(req->params, "database", false, &database, e) < 0 ||
	    tusk_param_string(req->params, "error", false, &error, e) < 0 ||
	    tusk_param_string(req->params, "query_type", false, &query_type, e) < 0 ||
	    tusk_param_string(req->params, "stop_reason", false, &stop_reason, e) < 0 ||
	    tusk_param_string(req->params, "executed_at", false, &executed_at, e) < 0 ||
	    tusk_param_int(req->params, "duration_ms", false, &duration_ms, e) < 0 ||
	    tusk_param_int(req->params, "rows", false, &rows, e) < 0 ||
	    tusk_param_int(req->params, "count", false, &count, e) < 0)
		return RPC_ERROR;
	/* history_add copies; the record only borrows the params' strings. */
	rec.sql = (char *)sql;
	rec.connection_id = (char *)connection_id;
	rec.database = (char *)database;
	rec.error = (char *)error;
	if (executed_at && tusk_timestamp_parse(executed_at, &rec.executed_at_us) < 0) {
		tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		               "params.executed_at: not an ISO-8601 time: %s", executed_at);
		return RPC_ERROR;
	}
	/* Names the model does not know: a status out of range is dropped by
	 * history_add (and counted), the others fall back to their default. */
	int st = tusk_history_status_from_name(status);
	int qt = tusk_query_type_from_name(query_type);
	int why = tusk_stop_reason_from_name(stop_reason);
	rec.status = st >= 0 ? (TuskHistoryStatus)st : _TUSK_HISTORY_STATUS_MAX;
	rec.query_type = qt >= 0 ? (TuskQueryType)qt : TUSK_QUERY_OTHER;
	rec.stop_reason = why >= 0 ? (TuskStopReason)why : TUSK_STOP_NONE;
	rec.duration_ms = duration_ms;
	rec.rows = rows;
	if (!rec.executed_at_us)
		rec.executed_at_us = tusk_now_us();

	struct history_stats before, after;
	history_get_stats(tuskd.history, &before);
	char first[TUSK_UUID_STRLEN + 1];
	if (tusk_uuid_v4(first) < 0) {
		tusk_error_set(e, TUSK_ERR_INTERNAL, "cannot make an id");
		return RPC_ERROR;
	}
	memcpy(rec.id, first, sizeof(first));
	for (long long i = 0; i < count; i++) {
		history_add(tuskd.history, &rec);
		rec.id[0] = '\0'; /* the rest get fresh ids */
	}
	history_get_stats(tuskd.history, &after);
	req->result =
	    json_pack("{s:I, s:s, s:I}", "queued",
	              (json_int_t)(count - (long long)(after.dropped - before.dropped)), "id",
	              first, "dropped", (json_int_t)(after.dropped - before.dropped));
	return req->result ? RPC_OK
	                   : (tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory"), RPC_ERROR);
}
