/* schema.get, schema.refresh, schema.describe, schema.complete: the
 * per-connection schema cache (daemon/db/schema.h). connection_id is a
 * saved connection's id or name (opened on demand, as query.execute does)
 * or an open pool's id. The first call loads the cache; later ones answer
 * from it. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "daemon/db/pool.h"
#include "daemon/db/schema.h"
#include "daemon/db/schema-internal.h"
#include "daemon/rpc.h"
#include "daemon/storage/connections.h"
#include "daemon/tuskd.h"
#include "protocol/jsonrpc.h"

#define COMPLETE_DEFAULT_LIMIT 50

enum op { OP_GET, OP_REFRESH, OP_DESCRIBE, OP_COMPLETE };

struct call {
	struct rpc_request *req;
	enum op op;
};

void rpc_schema_init(void)
{
	pool_set_ddl_hook(tuskd.db, schema_on_ddl);
	pool_set_open_hook(tuskd.db, schema_on_open);
}

static int answer(struct rpc_request *req, enum op op, struct schema_cache *c, json_t **ret,
                  TuskError *e)
{
	const char *kind = NULL, *object = NULL, *prefix = NULL, *context = NULL;
	long long limit = COMPLETE_DEFAULT_LIMIT, cursor = -1;
	/* Validated before: these cannot fail now. */
	tusk_param_string(req->params, "kind", false, &kind, e);
	tusk_param_string(req->params, "object", false, &object, e);
	tusk_param_string(req->params, "prefix", false, &prefix, e);
	tusk_param_string(req->params, "context", false, &context, e);
	tusk_param_int(req->params, "limit", false, &limit, e);
	tusk_param_int(req->params, "cursor", false, &cursor, e);
	switch (op) {
	case OP_GET:
	case OP_REFRESH:
		break; /* get_text */
	case OP_DESCRIBE: {
		const char *nsp = NULL, *k = NULL;
		_cleanup_json_ json_t *obj = schema_find(c, object, kind, &nsp, &k);
		if (!obj)
			return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "no %s named '%s'",
			                      kind ? kind : "object", object);
		*ret = schema_describe_json(nsp, k, obj);
		if (*ret)
			json_object_set_new(*ret, "connection_id",
			                    json_string(schema_cache_connection_id(c)));
		if (*ret && json_object_get(obj, "constraints"))
			json_object_set_new(
			    *ret, "referenced_by",
			    schema_referenced_by_json(
			        c, nsp, json_string_value(json_object_get(obj, "name"))));
		break;
	}
	case OP_COMPLETE:
		*ret = json_pack("{s:s, s:o}", "connection_id", schema_cache_connection_id(c),
		                 "candidates",
		                 schema_complete_json(c, prefix, context, cursor, (size_t)limit));
		break;
	}
	if (!*ret)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	return 0;
}

/* schema.get's page, written by the cache as text (relations are kept as
 * their JSON text): replied raw. */
static int reply_get(struct rpc_request *req, struct schema_cache *c, TuskError *e)
{
	const char *schema = NULL, *kind = NULL, *pattern = NULL;
	bool include_system = false;
	long long offset = 0;
	/* Validated before: these cannot fail now. */
	tusk_param_string(req->params, "schema", false, &schema, e);
	tusk_param_string(req->params, "pattern", false, &pattern, e);
	tusk_param_int(req->params, "offset", false, &offset, e);
	tusk_param_string(req->params, "kind", false, &kind, e);
	tusk_param_bool(req->params, "include_system", false, &include_system, e);
	struct schema_query q = {.schema = schema,
	                         .kind = kind,
	                         .pattern = pattern,
	                         .include_system = include_system,
	                         .offset = (size_t)offset,
	                         .budget = TUSK_RPC_PAGE_BYTES};
	size_t len = 0;
	char *text = schema_get_text(c, &q, &len);
	if (!text)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	rpc_reply_raw_result(req, text, len);
	free(text);
	return 0;
}

static void cache_ready(struct schema_cache *c, const TuskError *e, void *ud)
{
	struct call *call = ud;
	json_t *result = NULL;
	TuskError err = TUSK_ERROR_INIT;
	if (!c || e)
		rpc_reply_error(call->req, e);
	else if (call->op == OP_GET || call->op == OP_REFRESH) {
		if (reply_get(call->req, c, &err) < 0)
			rpc_reply_error(call->req, &err);
	} else if (answer(call->req, call->op, c, &result, &err) < 0)
		rpc_reply_error(call->req, &err);
	else
		rpc_reply_result(call->req, result);
	tusk_error_clear(&err);
	free(call);
}

static void with_pool(struct call *call, struct pool *p)
{
	if (call->op == OP_REFRESH) {
		const char *schema = NULL;
		TuskError e = TUSK_ERROR_INIT;
		tusk_param_string(call->req->params, "schema", false, &schema, &e);
		json_t *names = schema ? json_pack("[s]", schema) : NULL;
		schema_reload(p, names, cache_ready, call);
		json_decref(names);
		return;
	}
	schema_ensure(p, cache_ready, call);
}

static void pool_ready(struct pool *p, const TuskError *e, void *ud)
{
	struct call *call = ud;
	if (!p) {
		rpc_reply_error(call->req, e);
		free(call);
		return;
	}
	with_pool(call, p);
}

static enum rpc_ret run(struct rpc_request *req, enum op op, TuskError *e)
{
	const char *id, *kind = NULL;
	if (tusk_param_string(req->params, "connection_id", true, &id, e) < 0 ||
	    tusk_param_string(req->params, "kind", false, &kind, e) < 0)
		return RPC_ERROR;
	if (kind && !schema_kind_valid(kind))
		return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS, "params.kind: unknown kind '%s'",
		                      kind),
		       RPC_ERROR;
	struct pool *p = pool_find(tuskd.db, id);
	struct schema_cache *c = p ? schema_cache_of(p) : NULL;
	/* Warm: answer at once. */
	if (c && schema_cache_loaded(c) && op == OP_GET)
		return reply_get(req, c, e) < 0 ? RPC_ERROR : RPC_WAIT; /* answered */
	if (c && schema_cache_loaded(c) && op != OP_REFRESH)
		return answer(req, op, c, &req->result, e) < 0 ? RPC_ERROR : RPC_OK;
	struct call *call = calloc(1, sizeof(*call));
	if (!call)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory"), RPC_ERROR;
	call->req = req;
	call->op = op;
	if (p) {
		with_pool(call, p);
		return RPC_WAIT;
	}
	TuskConnectionConfig *cfg = NULL;
	if (connections_get(tuskd.storage, id, &cfg, e) < 0) {
		free(call);
		return RPC_ERROR;
	}
	pool_open_saved(tuskd.db, cfg, pool_ready, call);
	tusk_connection_config_free(cfg);
	return RPC_WAIT;
}

enum rpc_ret method_schema_get(struct rpc_request *req, TuskError *e)
{
	return run(req, OP_GET, e);
}

enum rpc_ret method_schema_refresh(struct rpc_request *req, TuskError *e)
{
	return run(req, OP_REFRESH, e);
}

enum rpc_ret method_schema_describe(struct rpc_request *req, TuskError *e)
{
	return run(req, OP_DESCRIBE, e);
}

enum rpc_ret method_schema_complete(struct rpc_request *req, TuskError *e)
{
	return run(req, OP_COMPLETE, e);
}
