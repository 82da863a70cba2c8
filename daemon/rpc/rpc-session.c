/* session.status: what tuskd restored at start. */
#include "daemon/rpc.h"
#include "daemon/session.h"

enum rpc_ret method_session_status(struct rpc_request *req, TuskError *e)
{
	req->result = session_status_json();
	return RPC_OK;
}
