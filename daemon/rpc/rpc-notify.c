/* notify.listen, notify.unlisten, notify.list; pg.notification and
 * notify.gap go to subscribers of topic notify. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "daemon/db/listen.h"
#include "daemon/db/pool.h"
#include "daemon/rpc.h"
#include "daemon/server.h"
#include "daemon/storage/connections.h"
#include "daemon/tuskd.h"
#include "protocol/jsonrpc.h"

static int read_target(struct rpc_request *req, const char **id, const char **channel, TuskError *e)
{
	json_t *ch;
	if (tusk_param_string(req->params, "connection_id", true, id, e) < 0 ||
	    tusk_param_value(req->params, "channel", true, &ch, e) < 0)
		return -1;
	*channel = json_string_value(ch);
	size_t len = json_string_length(ch);
	if (!*channel || len == 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		                      "params.channel: must not be empty");
	if (strlen(*channel) != len)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "channel: holds a NUL byte");
	if (len > 63)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "channel: %zu bytes, PostgreSQL names are at most 63", len);
	return 0;
}

static void listened(json_t *listener, const TuskError *e, void *ud)
{
	struct rpc_request *req = ud;
	if (listener)
		rpc_reply_result(req, listener);
	else
		rpc_reply_error(req, e);
}

static void start_listen(struct rpc_request *req, struct pool *p)
{
	const char *channel = json_string_value(json_object_get(req->params, "channel"));
	listen_add(p, channel, client_id(req->client), listened, req);
}

static void opened(struct pool *p, const TuskError *e, void *ud)
{
	struct rpc_request *req = ud;
	if (!p)
		rpc_reply_error(req, e);
	else if (!client_alive(req->client))
		rpc_reply_error(req, &(TuskError){.kind = TUSK_ERR_INTERNAL,
		                                  .message = (char *)"the client went away"});
	else
		start_listen(req, p);
}

/* The open pool of a saved connection (by id or name) or of a transient
 * one (by id); NULL with *cfg set when a saved one must be opened first. */
static struct pool *find_pool(const char *id, TuskConnectionConfig **cfg, TuskError *e)
{
	struct pool *p = pool_find(tuskd.db, id);
	if (p)
		return p;
	if (connections_get(tuskd.storage, id, cfg, e) < 0)
		return NULL;
	p = pool_find(tuskd.db, (*cfg)->id);
	if (p) {
		tusk_connection_config_free(*cfg);
		*cfg = NULL;
	}
	return p;
}

enum rpc_ret method_notify_listen(struct rpc_request *req, TuskError *e)
{
	const char *id, *channel;
	TuskConnectionConfig *cfg = NULL;
	if (read_target(req, &id, &channel, e) < 0)
		return RPC_ERROR;
	struct pool *p = find_pool(id, &cfg, e);
	if (p) {
		start_listen(req, p);
		return RPC_WAIT;
	}
	if (!cfg)
		return RPC_ERROR;
	pool_open_saved(tuskd.db, cfg, opened, req);
	tusk_connection_config_free(cfg);
	return RPC_WAIT;
}

enum rpc_ret method_notify_unlisten(struct rpc_request *req, TuskError *e)
{
	const char *id, *channel;
	TuskConnectionConfig *cfg = NULL;
	if (read_target(req, &id, &channel, e) < 0)
		return RPC_ERROR;
	struct pool *p = find_pool(id, &cfg, e);
	if (!p) {
		if (!cfg)
			return RPC_ERROR;
		/* Saved, not open: nothing is listened to. */
		req->result = json_pack("{s:s, s:s, s:[], s:s, s:n, s:i}", "connection_id", cfg->id,
		                        "name", cfg->name, "channels", "status", "stopped",
		                        "backend_pid", "received", 0);
		tusk_connection_config_free(cfg);
		return RPC_OK;
	}
	req->result = listen_remove(p, channel, client_id(req->client));
	return RPC_OK;
}

enum rpc_ret method_notify_list(struct rpc_request *req, TuskError *e)
{
	req->result = json_pack("{s:o}", "listeners", listen_list_json(tuskd.db));
	return RPC_OK;
}
