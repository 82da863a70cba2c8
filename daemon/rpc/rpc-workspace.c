/* workspace.get, workspace.save. The SQLite work runs on a worker with a
 * handle of its own (a workspace may be megabytes of text), one job at a
 * time in arrival order, so a save and the get after it see each other;
 * an in-memory storage has no second handle and runs them on the loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/timestamp.h"
#include "daemon/rpc.h"
#include "daemon/server.h"
#include "daemon/storage/settings.h"
#include "daemon/storage/storage.h"
#include "daemon/storage/workspace.h"
#include "daemon/tuskd.h"
#include "daemon/worker/worker.h"
#include "protocol/jsonrpc.h"
#include "protocol/tusk-names.h"

struct ws_job {
	struct ws_job *next;
	struct rpc_request *req;
	bool save, force;
	char *name;
	int64_t base;
	WorkspaceTab *tabs;
	size_t n_tabs, bytes;
	/* outcome */
	TuskError e;
	json_t *loaded;
	int64_t revision, saved_at, current;
};

static struct {
	sqlite3 *db; /* the worker's handle; NULL until first use */
	bool no_handle;
	struct ws_job *head, *tail; /* head is running */
} ws;

static void job_free(struct ws_job *j)
{
	for (size_t i = 0; i < j->n_tabs; i++)
		free(j->tabs[i].extra);
	free(j->tabs);
	free(j->name);
	json_decref(j->loaded);
	tusk_error_clear(&j->e);
	free(j);
}

static void job_work(void *arg)
{
	struct ws_job *j = arg;
	sqlite3 *db = ws.db ? ws.db : storage_db(tuskd.storage);
	if (j->save)
		workspace_store(db, j->name, j->base, j->force, j->tabs, j->n_tabs, &j->revision,
		                &j->saved_at, &j->current, &j->e);
	else
		workspace_load(db, j->name, &j->loaded, &j->e);
}

static void start_next(void);

static void reply_conflict(struct ws_job *j)
{
	/* The remedy with the revision to use, in tuskctl's words. */
	bool named = strcmp(j->name, "default") != 0;
	char *hint = NULL;
	if (asprintf(&hint,
	             "Read it again (tuskctl workspace%s%s), merge, and save on revision %lld "
	             "(tuskctl workspace save%s%s --revision %lld), or overwrite it with --force",
	             named ? " -w " : "", named ? j->name : "", (long long)j->current,
	             named ? " -w " : "", named ? j->name : "", (long long)j->current) >= 0) {
		tusk_error_set_hint(&j->e, hint);
		free(hint);
	}
	json_t *err = tusk_error_to_rpc_json(&j->e);
	json_t *data = json_object_get(err, "data");
	if (json_is_object(data))
		json_object_set_new(data, "current_revision", json_integer(j->current));
	rpc_reply_error_json(j->req, err);
}

static void job_done(void *arg)
{
	struct ws_job *j = arg;
	char at[TUSK_TIMESTAMP_STRLEN] = "";

	if (j->e.kind == TUSK_ERR_CONFLICT) {
		reply_conflict(j);
	} else if (j->e.kind != TUSK_ERR_NONE) {
		rpc_reply_error(j->req, &j->e);
	} else if (!j->save) {
		rpc_reply_result(j->req, j->loaded);
		j->loaded = NULL;
	} else {
		tusk_timestamp_format(j->saved_at, 3, at);
		unsigned cid = client_id(j->req->client);
		rpc_reply_result(j->req, json_pack("{s:s, s:I, s:s, s:I, s:I}", "workspace",
		                                   j->name, "revision", (json_int_t)j->revision,
		                                   "saved_at", at, "tabs", (json_int_t)j->n_tabs,
		                                   "bytes", (json_int_t)j->bytes));
		if (server_has_subscribers(tuskd.server, TOPIC_WORKSPACE))
			server_emit(tuskd.server, TOPIC_WORKSPACE, TUSK_N_WORKSPACE_CHANGED,
			            json_pack("{s:s, s:I, s:s, s:I}", "workspace", j->name,
			                      "revision", (json_int_t)j->revision, "saved_at", at,
			                      "client_id", (json_int_t)cid));
	}
	ws.head = j->next;
	if (!ws.head)
		ws.tail = NULL;
	job_free(j);
	start_next();
}

static void start_next(void)
{
	struct ws_job *j = ws.head;
	if (!j)
		return;
	if (!ws.db && !ws.no_handle) {
		TuskError e = TUSK_ERROR_INIT;
		ws.db = storage_open_handle(tuskd.storage, &e);
		ws.no_handle = !ws.db;
		tusk_error_clear(&e);
	}
	if (ws.no_handle || worker_submit(tuskd.workers, job_work, job_done, j) < 0) {
		job_work(j); /* in memory, or the daemon is stopping */
		job_done(j);
	}
}

static enum rpc_ret enqueue(struct ws_job *j)
{
	if (ws.tail)
		ws.tail->next = j;
	else
		ws.head = j;
	ws.tail = j;
	if (ws.head == j)
		start_next();
	return RPC_WAIT;
}

static struct ws_job *job_new(struct rpc_request *req, TuskError *e)
{
	const char *name = "default";
	if (tusk_param_string(req->params, "workspace", false, &name, e) < 0)
		return NULL;
	struct ws_job *j = calloc(1, sizeof(*j));
	if (!j || !(j->name = strdup(name))) {
		free(j);
		tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	j->req = req;
	return j;
}

enum rpc_ret method_workspace_get(struct rpc_request *req, TuskError *e)
{
	struct ws_job *j = job_new(req, e);
	return j ? enqueue(j) : RPC_ERROR;
}

static const char *opt_string(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)); /* NULL for null */
}

/* One tab from params (validated against the schema already). Strings are
 * borrowed from the request, which lives until the reply. */
static int tab_from_json(const json_t *t, size_t i, size_t limit, WorkspaceTab *ret, TuskError *e)
{
	const json_t *sel = json_object_get(t, "selection");
	const json_t *extra = json_object_get(t, "extra");
	const json_t *sql = json_object_get(t, "sql");
	*ret = (WorkspaceTab){
	    .id = opt_string(t, "id"),
	    .title = opt_string(t, "title"),
	    .connection_id = opt_string(t, "connection_id"),
	    .context = opt_string(t, "context"),
	    .last_query_id = opt_string(t, "last_query_id"),
	    .sql = json_string_value(sql),
	    .sql_len = json_string_length(sql),
	    .cursor = json_integer_value(json_object_get(t, "cursor")),
	    .order = json_integer_value(json_object_get(t, "order")),
	    .has_selection = json_is_object(sel),
	};
	if (ret->has_selection) {
		ret->sel_start = json_integer_value(json_object_get(sel, "start"));
		ret->sel_end = json_integer_value(json_object_get(sel, "end"));
		if (ret->sel_end < ret->sel_start)
			return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
			                      "tabs[%zu].selection: end %lld is before start %lld",
			                      i, ret->sel_end, ret->sel_start);
	}
	if (memchr(ret->sql, '\0', ret->sql_len))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "tabs[%zu].sql: holds a NUL byte",
		                      i);
	size_t bytes = ret->sql_len;
	if (json_is_object(extra)) {
		ret->extra = json_dumps(extra, JSON_COMPACT);
		if (!ret->extra)
			return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
		bytes += strlen(ret->extra);
	}
	if (bytes > limit) {
		tusk_error_set(e, TUSK_ERR_TOO_LARGE,
		               "tabs[%zu] ('%s') is %zu bytes, more than workspace.max_tab_bytes "
		               "(%zu): nothing was saved",
		               i, ret->id, bytes, limit);
		tusk_error_set_hint(
		    e, "Make the tab smaller, or raise the limit (tuskctl settings set "
		       "workspace.max_tab_bytes BYTES)");
		return -2; /* too large: the caller adds the data */
	}
	return 0;
}

static enum rpc_ret reply_too_large(struct rpc_request *req, TuskError *e, size_t i, const char *id,
                                    size_t bytes, size_t limit)
{
	json_t *err = tusk_error_to_rpc_json(e);
	json_t *data = json_object_get(err, "data");
	if (json_is_object(data)) {
		json_object_set_new(data, "tab_index", json_integer((json_int_t)i));
		json_object_set_new(data, "tab_id", json_string(id));
		json_object_set_new(data, "bytes", json_integer((json_int_t)bytes));
		json_object_set_new(data, "limit", json_integer((json_int_t)limit));
	}
	rpc_reply_error_json(req, err);
	tusk_error_clear(e);
	return RPC_WAIT;
}

enum rpc_ret method_workspace_save(struct rpc_request *req, TuskError *e)
{
	long long base;
	json_t *tabs;
	bool force = false;
	if (tusk_param_int(req->params, "revision", true, &base, e) < 0 ||
	    tusk_param_value(req->params, "tabs", true, &tabs, e) < 0 ||
	    tusk_param_bool(req->params, "force", false, &force, e) < 0)
		return RPC_ERROR;
	struct ws_job *j = job_new(req, e);
	if (!j)
		return RPC_ERROR;
	j->save = true;
	j->force = force;
	j->base = base;
	size_t n = json_array_size(tabs);
	size_t limit = (size_t)settings_int(tuskd.settings, "workspace.max_tab_bytes");
	j->tabs = calloc(n ? n : 1, sizeof(*j->tabs));
	if (!j->tabs) {
		job_free(j);
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory"), RPC_ERROR;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_array_get(tabs, i);
		int r = tab_from_json(t, i, limit, &j->tabs[i], e);
		j->n_tabs = i + 1;
		if (r == -2) {
			size_t bytes =
			    j->tabs[i].sql_len + (j->tabs[i].extra ? strlen(j->tabs[i].extra) : 0);
			const char *id = j->tabs[i].id;
			enum rpc_ret ret = reply_too_large(req, e, i, id, bytes, limit);
			job_free(j);
			return ret;
		}
		if (r < 0)
			goto fail;
		for (size_t k = 0; k < i; k++)
			if (strcmp(j->tabs[k].id, j->tabs[i].id) == 0) {
				tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
				               "tabs[%zu].id: '%s' is also the id of tabs[%zu]", i,
				               j->tabs[i].id, k);
				goto fail;
			}
		j->bytes += j->tabs[i].sql_len + (j->tabs[i].extra ? strlen(j->tabs[i].extra) : 0);
	}
	return enqueue(j);
fail:
	job_free(j);
	return RPC_ERROR;
}

void rpc_workspace_shutdown(void)
{
	/* The worker pool is gone: every queued job has run. */
	if (ws.db)
		sqlite3_close_v2(ws.db);
	ws.db = NULL;
}
