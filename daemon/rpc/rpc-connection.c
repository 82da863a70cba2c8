/* connection.open, connection.close, connection.status (live pools) and
 * connections.test (connect once, keep nothing). A connection is named by
 * a saved id or name, or given inline as a transient URI / conninfo with the
 * asking client's PG* environment. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "daemon/db/pool.h"
#include "daemon/rpc.h"
#include "daemon/server.h"
#include "daemon/session.h"
#include "daemon/storage/connections.h"
#include "daemon/tuskd.h"
#include "protocol/jsonrpc.h"
#include "protocol/req.h"
#include "protocol/tusk-names.h"

/* Exactly one of id, conninfo (with optional env), config. */
struct target {
	const char *id;
	const char *conninfo;
	json_t *env;
	json_t *config;
};

static int read_target(struct rpc_request *req, struct target *t, bool allow_config, TuskError *e)
{
	memset(t, 0, sizeof(*t));
	if (tusk_param_string(req->params, "id", false, &t->id, e) < 0 ||
	    tusk_param_string(req->params, "conninfo", false, &t->conninfo, e) < 0 ||
	    tusk_param_value(req->params, "env", false, &t->env, e) < 0 ||
	    tusk_param_value(req->params, "config", false, &t->config, e) < 0)
		return -1;
	int n = !!t->id + !!t->conninfo + !!t->config;
	if (n != 1 || (t->config && !allow_config))
		return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		                      allow_config
		                          ? "params: give exactly one of id, conninfo or config"
		                          : "params: give exactly one of id or conninfo");
	return 0;
}

static void opened(struct pool *p, const TuskError *e, void *ud)
{
	struct rpc_request *req = ud;
	if (!p)
		rpc_reply_error(req, e);
	else
		rpc_reply_result(req, pool_status_json(p));
}

enum rpc_ret method_connection_open(struct rpc_request *req, TuskError *e)
{
	struct target t;
	if (read_target(req, &t, false, e) < 0)
		return RPC_ERROR;
	if (t.conninfo)
		return pool_open_transient(tuskd.db, t.conninfo, t.env, opened, req, e) < 0
		           ? RPC_ERROR
		           : RPC_WAIT;
	struct pool *p = pool_find(tuskd.db, t.id);
	TuskConnectionConfig *cfg = NULL;
	if (connections_get(tuskd.storage, t.id, &cfg, e) < 0) {
		/* A transient pool is known by its id only. */
		if (p) {
			tusk_error_clear(e);
			req->result = pool_status_json(p);
			return RPC_OK;
		}
		return RPC_ERROR;
	}
	pool_open_saved_env(tuskd.db, cfg, t.env, opened, req);
	tusk_connection_config_free(cfg);
	return RPC_WAIT;
}

enum rpc_ret method_connection_close(struct rpc_request *req, TuskError *e)
{
	const char *id;
	if (tusk_param_string(req->params, "id", true, &id, e) < 0)
		return RPC_ERROR;
	struct pool *p = pool_find(tuskd.db, id);
	if (!p)
		return tusk_error_set(e, TUSK_ERR_NO_ACTIVE_CONNECTION,
		                      "connection '%s' is not open", id),
		       RPC_ERROR;
	req->result = json_pack("{s:s, s:b}", "connection_id", pool_id(p), "closed", 1);
	session_forget(pool_id(p));
	pool_close(p, "closed on request");
	return RPC_OK;
}

enum rpc_ret method_connection_status(struct rpc_request *req, TuskError *e)
{
	const char *id = NULL;
	if (tusk_param_string(req->params, "id", false, &id, e) < 0)
		return RPC_ERROR;
	if (!id) {
		req->result = json_pack("{s:o}", "connections", pool_list_json(tuskd.db));
		return RPC_OK;
	}
	struct pool *p = pool_find(tuskd.db, id);
	if (!p) {
		/* Saved but not open is not an error: say it is closed. */
		TuskConnectionConfig *cfg = NULL;
		if (connections_get(tuskd.storage, id, &cfg, e) < 0)
			return RPC_ERROR;
		req->result = json_pack("{s:[{s:s, s:s, s:s}]}", "connections", "connection_id",
		                        cfg->id, "name", cfg->name, "status", "disconnected");
		tusk_connection_config_free(cfg);
		return RPC_OK;
	}
	req->result = json_pack("{s:[o]}", "connections", pool_status_json(p));
	return RPC_OK;
}

static void tested(json_t *result, const TuskError *e, void *ud)
{
	struct rpc_request *req = ud;
	if (!result)
		rpc_reply_error(req, e);
	else
		rpc_reply_result(req, json_incref(result));
}

/* Typed secrets' bytes in the parsed params are overwritten once read
 * (tusk_req_scrub_secret): jansson would free them as they are. */
enum rpc_ret method_connections_test(struct rpc_request *req, TuskError *e)
{
	struct target t;
	if (read_target(req, &t, true, e) < 0)
		return tusk_req_scrub_secret(req->params), RPC_ERROR;
	/* Typed secrets go with a config or a saved id only. */
	static const char *const typed[][2] = {
	    {"password", "a conninfo carries its own"},
	    {"ssh_secret", "a conninfo has no SSH tunnel"},
	    {"ssl_passphrase", "a conninfo has no stored client key passphrase"}};
	for (size_t i = 0; t.conninfo && i < sizeof(typed) / sizeof(*typed); i++)
		if (json_object_get(req->params, typed[i][0]))
			return tusk_req_scrub_secret(req->params),
			       tusk_error_set(
			           e, TUSK_ERR_INVALID_PARAMS,
			           "params.%s: give it with config or id, not conninfo (%s)",
			           typed[i][0], typed[i][1]),
			       RPC_ERROR;
	if (t.conninfo)
		return pool_test_transient(tuskd.db, t.conninfo, t.env, tested, req, e) < 0
		           ? RPC_ERROR
		           : RPC_WAIT;
	struct pool_test_opts o = {.unsaved = t.config && !json_object_get(t.config, "id")};
	if (tusk_param_string(req->params, "password", false, &o.password, e) < 0 ||
	    tusk_param_string(req->params, "ssh_secret", false, &o.ssh_secret, e) < 0 ||
	    tusk_param_string(req->params, "ssl_passphrase", false, &o.ssl_passphrase, e) < 0)
		return tusk_req_scrub_secret(req->params), RPC_ERROR;
	TuskConnectionConfig *cfg = NULL;
	if (t.config ? tusk_connection_config_from_json(t.config, &cfg, e) < 0
	             : connections_get(tuskd.storage, t.id, &cfg, e) < 0)
		return tusk_req_scrub_secret(req->params), RPC_ERROR;
	/* pool_test_saved copies the secrets before returning. */
	pool_test_saved(tuskd.db, cfg, &o, tested, req);
	tusk_req_scrub_secret(req->params);
	tusk_connection_config_free(cfg);
	return RPC_WAIT;
}
