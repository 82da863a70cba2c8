/* session.status: what tuskd restored at start. */
#include "daemon/rpc.h"
#include "daemon/session.h"

static enum rpc_ret session_status(struct rpc_request *req, TuskError *e)
{
	req->result = session_status_json();
	return RPC_OK;
}

static const struct rpc_method rpc_session_status = {.name = "session.status",
                                                     .exec = session_status};

const struct rpc_method *const rpc_session_methods[] = {
    &rpc_session_status,
    NULL,
};
