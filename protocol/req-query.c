/* Request builders: query.* (see req.h). */
#include "protocol/req-internal.h"
#include "protocol/req.h"

json_t *tusk_req_query_execute(const TuskReqQueryExecute *a)
{
	json_t *p = json_object();
	req_str(p, "connection_id", a->connection_id);
	req_str(p, "conninfo", a->conninfo);
	req_obj(p, "env", a->env);
	json_object_set_new(p, "sql", json_string(a->sql ? a->sql : ""));
	req_obj(p, "params", a->params);
	req_str(p, "context", a->context);
	if (a->store)
		json_object_set_new(p, "mode", json_string("store"));
	req_str(p, "render", a->render);
	req_str(p, "query_id", a->query_id);
	req_int(p, "timeout_ms", a->timeout_ms);
	req_int(p, "max_rows", a->max_rows);
	req_int(p, "batch_rows", a->batch_rows);
	req_true(p, "typed", a->typed);
	req_true(p, "inline", a->inline_reply);
	req_true(p, "hold_session", a->hold_session);
	if (a->no_history)
		json_object_set_new(p, "history", json_false());
	return p;
}

json_t *tusk_req_query_id(const char *query_id)
{
	return json_pack("{s:s}", "query_id", query_id);
}

json_t *tusk_req_query_copy_data(const char *query_id, const char *base64)
{
	return json_pack("{s:s, s:s}", "query_id", query_id, "base64", base64);
}

json_t *tusk_req_query_copy_fail(const char *query_id, const char *message)
{
	return json_pack("{s:s, s:s}", "query_id", query_id, "message", message);
}

json_t *tusk_req_query_fetch(const TuskReqQueryFetch *a)
{
	json_t *p = json_pack("{s:s}", "query_id", a->query_id);
	req_int(p, "result_index", a->result_index);
	req_int(p, "offset", a->offset);
	req_int(p, "limit", a->limit);
	req_true(p, "typed", a->typed);
	return p;
}

json_t *tusk_req_query_export(const char *query_id, long long result_index, const char *format,
                              const char *path, const char *export_id)
{
	json_t *p =
	    json_pack("{s:s, s:s, s:s}", "query_id", query_id, "format", format, "path", path);
	req_int(p, "result_index", result_index);
	req_str(p, "export_id", export_id);
	return p;
}

json_t *tusk_req_query_export_cancel(const char *export_id)
{
	return json_pack("{s:s}", "export_id", export_id);
}

json_t *tusk_req_context_release(const char *connection_id, const char *context,
                                 bool keep_transaction)
{
	json_t *p = json_pack("{s:s, s:s}", "connection_id", connection_id, "context", context);
	if (keep_transaction)
		json_object_set_new(p, "rollback", json_false());
	return p;
}
