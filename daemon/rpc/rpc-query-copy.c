/* The COPY FROM STDIN methods: query.copy_data (and its fast path from
 * copy-line.c), query.copy_end and query.copy_fail, feeding the caller's
 * own running COPY started by query.execute (rpc-query.c). */
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/log.h"
#include "daemon/db/query.h"
#include "daemon/rpc.h"
#include "daemon/rpc/query-exec.h"
#include "daemon/server.h"
#include "protocol/jsonrpc.h"

/* ---- COPY FROM STDIN: the caller's data ------------------------------------ */

/* The caller's own running query waiting for COPY data. */
static struct exec *copy_exec(struct rpc_request *req, const char **qid, TuskError *e)
{
	if (tusk_param_string(req->params, "query_id", true, qid, e) < 0)
		return NULL;
	struct exec *x = exec_find(req->client, *qid);
	if (x)
		return x;
	tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
	               "no COPY of this client has query id '%s' (it may have ended)", *qid);
	return NULL;
}

static int copy_put(struct exec *x, const void *data, size_t len, TuskError *e)
{
	if (query_copy_put(x->q, data, len, e) < 0)
		return -1;
	/* PostgreSQL's socket is full: leave the rest in the client's. */
	if (query_copy_full(x->q) && !x->input_held) {
		x->input_held = true;
		client_hold_input(x->client, true);
	}
	return 0;
}

bool rpc_query_copy_data_raw(struct client *c, const char *qid, const void *data, size_t len)
{
	struct exec *x = exec_find(c, qid);
	if (!x || !query_copy_waiting(x->q))
		return false;
	TuskError e = TUSK_ERROR_INIT;
	if (copy_put(x, data, len, &e) < 0)
		log_debug("rpc", "client %u: query.copy_data: %s", client_id(c),
		          tusk_error_message(&e));
	tusk_error_clear(&e);
	return true;
}

enum rpc_ret method_query_copy_data(struct rpc_request *req, TuskError *e)
{
	const char *qid, *b64 = NULL, *text = NULL;
	struct exec *x = copy_exec(req, &qid, e);
	if (!x || tusk_param_string(req->params, "base64", false, &b64, e) < 0 ||
	    tusk_param_string(req->params, "text", false, &text, e) < 0)
		return RPC_ERROR;
	if (!!b64 == !!text)
		return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		                      "params: give exactly one of base64 or text"),
		       RPC_ERROR;
	const char *s = b64 ? b64 : text;
	size_t len = json_string_length(json_object_get(req->params, b64 ? "base64" : "text"));
	char *buf = NULL;
	if (b64) {
		buf = malloc(len / 4 * 3 + 3);
		long long n = buf ? tusk_base64_decode(b64, len, buf) : -1;
		if (n < 0) {
			free(buf);
			return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
			                      "params.base64: not base64 (RFC 4648, padded)"),
			       RPC_ERROR;
		}
		s = buf;
		len = (size_t)n;
	}
	int r = copy_put(x, s, len, e);
	free(buf);
	if (r < 0)
		return RPC_ERROR;
	req->result = json_pack("{s:s, s:I}", "query_id", qid, "bytes", (json_int_t)len);
	return RPC_OK;
}

static enum rpc_ret query_copy_finish(struct rpc_request *req, const char *fail, TuskError *e)
{
	const char *qid;
	struct exec *x = copy_exec(req, &qid, e);
	if (!x || query_copy_end(x->q, fail, e) < 0)
		return RPC_ERROR;
	req->result = json_pack("{s:s, s:i}", "query_id", qid, "bytes", 0);
	return RPC_OK;
}

enum rpc_ret method_query_copy_end(struct rpc_request *req, TuskError *e)
{
	return query_copy_finish(req, NULL, e);
}

enum rpc_ret method_query_copy_fail(struct rpc_request *req, TuskError *e)
{
	const char *msg;
	if (tusk_param_string(req->params, "message", true, &msg, e) < 0)
		return RPC_ERROR;
	return query_copy_finish(req, msg, e);
}
