/* context.release: a closed editor tab or a leaving shell lets its named
 * context go at once instead of after query.context_idle_timeout_sec. */
#include <string.h>

#include "daemon/db/context.h"
#include "daemon/db/pool.h"
#include "daemon/db/query.h"
#include "daemon/rpc.h"
#include "daemon/storage/connections.h"
#include "daemon/tuskd.h"
#include "protocol/jsonrpc.h"

static bool in_transaction(const char *held)
{
	return strcmp(held, "in_transaction") == 0 || strcmp(held, "in_error") == 0;
}

enum rpc_ret method_context_release(struct rpc_request *req, TuskError *e)
{
	const char *id, *name;
	bool rollback = true;
	if (tusk_param_string(req->params, "connection_id", true, &id, e) < 0 ||
	    tusk_param_string(req->params, "context", true, &name, e) < 0 ||
	    tusk_param_bool(req->params, "rollback", false, &rollback, e) < 0)
		return RPC_ERROR;
	struct pool *p = pool_find(tuskd.db, id);
	if (!p) {
		/* Not open: nothing is held, but a name nobody has is an error. */
		TuskConnectionConfig *cfg = NULL;
		if (connections_get(tuskd.storage, id, &cfg, e) < 0)
			return RPC_ERROR;
		req->result = json_pack("{s:s, s:s, s:b, s:b, s:s, s:b}", "connection_id", cfg->id,
		                        "context", name, "held", 0, "released", 0,
		                        "transaction_state", "none", "cancelled", 0);
		tusk_connection_config_free(cfg);
		return RPC_OK;
	}
	struct context *c = context_find(p, name);
	const char *held = c ? context_held(c) : "none"; /* static strings */
	bool busy = c && context_busy(c);
	bool release = c && (rollback || (!busy && !in_transaction(held)));
	bool cancelled = false;
	if (release) {
		/* First: a busy context only notes it is to go. The cancel may
		 * end a query still waiting for a backend at once, and that
		 * frees c: it is not touched after. */
		context_release(c);
		cancelled = busy && query_cancel_context(tuskd.db, c);
	}
	req->result = json_pack("{s:s, s:s, s:b, s:b, s:s, s:b}", "connection_id", pool_id(p),
	                        "context", name, "held", c != NULL, "released", release,
	                        "transaction_state", held, "cancelled", cancelled);
	return RPC_OK;
}
