/* ssh.trust_host_key: record the host key a tunnel refused as unknown in
 * ~/.ssh/known_hosts, once the user confirmed its fingerprint. The key
 * itself is the one the daemon saw, never one a client sends; it is named
 * by the saved connection it was seen for, or by the SSH server (host and
 * port) an unsaved config's test reached. */
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
	const char *id = NULL, *host = NULL, *fp = NULL;
	long long port = 0;
	if (tusk_param_string(req->params, "connection_id", false, &id, e) < 0 ||
	    tusk_param_string(req->params, "ssh_host", false, &host, e) < 0 ||
	    tusk_param_int(req->params, "ssh_port", false, &port, e) < 0 ||
	    tusk_param_string(req->params, "fingerprint", true, &fp, e) < 0)
		return RPC_ERROR;
	bool by_server = host || json_object_get(req->params, "ssh_port");
	if (id && by_server) {
		tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		               "give connection_id or ssh_host and ssh_port, not both");
		return RPC_ERROR;
	}
	if (!id && !by_server) {
		tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		               "give connection_id (a saved connection) or ssh_host and ssh_port "
		               "(the SSH server an unsaved config's test reached)");
		return RPC_ERROR;
	}
	if (by_server && (!host || !*host || port < 1 || port > 65535)) {
		tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		               "ssh_host (not empty) and ssh_port (1 to 65535) go together");
		return RPC_ERROR;
	}
	if (id && !*id) {
		tusk_error_set(e, TUSK_ERR_INVALID_PARAMS, "params.connection_id: empty");
		return RPC_ERROR;
	}
	struct tunnel_key_name name = {
	    .connection_id = id, .ssh_host = host, .ssh_port = (int)port};
	return tunnel_trust_host_key(tuskd.db, &name, fp, trusted, req, e) < 0 ? RPC_ERROR
	                                                                       : RPC_WAIT;
}
