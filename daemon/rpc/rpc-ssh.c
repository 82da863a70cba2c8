/* ssh.trust_host_key: record the host key a tunnel refused as unknown in
 * ~/.ssh/known_hosts, once the user confirmed its fingerprint. The key
 * itself is the one the daemon saw, never one a client sends. */
#include "daemon/db/tunnel.h"
#include "daemon/rpc.h"
#include "daemon/tuskd.h"
#include "protocol/jsonrpc.h"

static void trusted(json_t *result, const TuskError *e, void *ud)
{
	struct rpc_request *req = ud;
	if (e)
		rpc_reply_error(req, e);
	else
		rpc_reply_result(req, json_incref(result));
}

enum rpc_ret method_ssh_trust_host_key(struct rpc_request *req, TuskError *e)
{
	const char *id = NULL, *fp = NULL;
	if (tusk_param_string(req->params, "connection_id", true, &id, e) < 0 ||
	    tusk_param_string(req->params, "fingerprint", true, &fp, e) < 0)
		return RPC_ERROR;
	return tunnel_trust_host_key(tuskd.db, id, fp, trusted, req, e) < 0 ? RPC_ERROR : RPC_WAIT;
}
