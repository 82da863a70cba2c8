/* debug.sleep: a job that blocks a worker thread for a while, so tests can
 * prove the loop keeps answering while workers are busy. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "daemon/rpc.h"
#include "daemon/tuskd.h"
#include "daemon/worker/worker.h"
#include "protocol/jsonrpc.h"

struct sleep_job {
	struct rpc_request *req;
	long long ms;
};

static void sleep_work(void *arg)
{
	struct sleep_job *j = arg;
	struct timespec ts = {.tv_sec = j->ms / 1000, .tv_nsec = (j->ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void sleep_done(void *arg)
{
	struct sleep_job *j = arg;
	rpc_reply_result(j->req, json_pack("{s:I}", "slept_ms", (json_int_t)j->ms));
	free(j);
}

enum rpc_ret method_debug_sleep(struct rpc_request *req, TuskError *e)
{
	long long ms;
	if (tusk_param_int(req->params, "ms", true, &ms, e) < 0)
		return RPC_ERROR;
	struct sleep_job *j = malloc(sizeof(*j));
	if (!j)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory"), RPC_ERROR;
	*j = (struct sleep_job){.req = req, .ms = ms};
	if (worker_submit(tuskd.workers, sleep_work, sleep_done, j) < 0) {
		free(j);
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "the daemon is stopping"), RPC_ERROR;
	}
	return RPC_WAIT;
}
