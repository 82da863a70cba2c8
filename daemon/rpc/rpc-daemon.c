/* daemon.hello, daemon.ping, daemon.status, daemon.shutdown */
#include <stdio.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/rpc.h"
#include "daemon/server.h"
#include "daemon/storage/storage.h"
#include "daemon/tuskd.h"
#include "daemon/worker/worker.h"
#include "protocol/jsonrpc.h"

static json_t *capabilities(void)
{
	/* What this daemon can do beyond the basics; clients check before
	 * offering a feature. Grows with each capability. */
	return json_pack("[s, s, s, s, s, s]", "batch", "events", "settings", "workspace", "notify",
	                 "session");
}

enum rpc_ret method_daemon_hello(struct rpc_request *req, TuskError *e)
{
	long long version;
	if (tusk_param_int(req->params, "protocol_version", true, &version, e) < 0)
		return RPC_ERROR;
	if (version != TUSK_PROTOCOL_VERSION) {
		tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		               "protocol_version %lld is not spoken by this tuskd (it speaks %d)",
		               version, TUSK_PROTOCOL_VERSION);
		return RPC_ERROR;
	}
	const char *client = NULL;
	tusk_param_string(req->params, "client", true, &client, e);
	log_debug("rpc", "client %u is %s", client_id(req->client), client ? client : "?");
	req->result =
	    json_pack("{s:s, s:s, s:i, s:o, s:s, s:I}", "daemon", "tuskd", "version", TUSK_VERSION,
	              "protocol_version", TUSK_PROTOCOL_VERSION, "capabilities", capabilities(),
	              "keyring", tuskd.keyring_state, "pid", (json_int_t)getpid());
	return RPC_OK;
}

enum rpc_ret method_daemon_ping(struct rpc_request *req, TuskError *e)
{
	req->result = json_pack("{s:b, s:I}", "pong", 1, "time_us", (json_int_t)tuskd_now_us());
	return RPC_OK;
}

static long long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	long long pages_total, pages_rss;
	if (!f)
		return 0;
	int n = fscanf(f, "%lld %lld", &pages_total, &pages_rss);
	fclose(f);
	return n == 2 ? pages_rss * sysconf(_SC_PAGESIZE) : 0;
}

static json_t *nullable_string(const char *s)
{
	return s ? json_string(s) : json_null();
}

enum rpc_ret method_daemon_status(struct rpc_request *req, TuskError *e)
{
	struct worker_stats ws;
	worker_pool_stats(tuskd.workers, &ws);
	const char *warning = storage_warning(tuskd.storage);

	req->result = json_pack(
	    "{s:s, s:I, s:I, s:i, s:i, s:s, s:b, s:s, s:o, s:s,"
	    " s:{s:s, s:o, s:o, s:i}, s:I, s:{s:i, s:i, s:I}}",
	    "version", TUSK_VERSION, "pid", (json_int_t)getpid(), "uptime_ms",
	    (json_int_t)((tuskd_now_us() - tuskd.started_us) / 1000), "clients",
	    (int)server_client_count(tuskd.server), "requests_in_flight",
	    (int)server_requests_in_flight(tuskd.server), "socket", server_path(tuskd.server),
	    "socket_activated", server_socket_activated(tuskd.server), "data_dir", tuskd.data_dir,
	    "log_file", nullable_string(tusk_log_file_path()), "keyring", tuskd.keyring_state,
	    "storage", "state", storage_state_name(storage_state(tuskd.storage)), "path",
	    nullable_string(storage_path(tuskd.storage)), "warning", nullable_string(warning),
	    "schema_version", storage_user_version(tuskd.storage), "rss_bytes",
	    (json_int_t)rss_bytes(), "workers", "threads", (int)ws.threads, "busy", (int)ws.busy,
	    "queued", (json_int_t)ws.queued);
	if (!req->result)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "cannot build the status reply"),
		       RPC_ERROR;
	const TuskError *refusal = storage_refusal(tuskd.storage);
	json_object_set_new(json_object_get(req->result, "storage"), "error",
	                    refusal ? tusk_error_info_to_json(refusal) : json_null());
	return RPC_OK;
}

enum rpc_ret method_daemon_shutdown(struct rpc_request *req, TuskError *e)
{
	tuskd_request_stop("daemon.shutdown");
	req->result = json_pack("{s:b}", "stopping", 1);
	return RPC_OK;
}
