/* Method dispatch. Each family lives in rpc/rpc-<family>.c and exports one
 * `const struct rpc_method` per method; rpc.c lists them in one table. Params
 * are validated against protocol/schema.json before exec runs. */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "common/error.h"

struct client;
struct rpc_batch;

enum rpc_ret {
	RPC_OK,    /* req->result holds the result */
	RPC_ERROR, /* e holds the error */
	RPC_WAIT,  /* the method replies later with rpc_reply_result/_error */
};

struct rpc_request {
	struct client *client; /* holds a reference; may have disconnected */
	json_t *id;            /* NULL for a notification: no reply is sent */
	char *method;
	json_t *params; /* always an object or array ({} when absent) */
	json_t *result; /* set by exec on RPC_OK */
	struct rpc_batch *batch;
	uint64_t started_us;
};

struct rpc_method {
	const char *name;
	enum rpc_ret (*exec)(struct rpc_request *req, TuskError *e);
};

/* Handle one parsed message (object or batch array) from client. */
void rpc_handle_message(struct client *c, json_t *msg);
/* Reply to a request that returned RPC_WAIT. Both free req. */
void rpc_reply_result(struct rpc_request *req, json_t *result);
void rpc_reply_error(struct rpc_request *req, const TuskError *e);
/* A result already serialised as compact JSON text (borrowed). */
void rpc_reply_raw_result(struct rpc_request *req, const char *json, size_t len);
/* An error object already built ({code, message, data}), stolen. */
void rpc_reply_error_json(struct rpc_request *req, json_t *error_obj);
/* Send an error reply for a line that could not be parsed. */
void rpc_reply_parse_error(struct client *c, const TuskError *e);
/* A self-checking daemon (TUSK_VALIDATE_REPLIES, every integration run)
 * checks each notification it sends or emits against the schema and
 * aborts on a mismatch, so no test run can miss one. A no-op otherwise. */
void rpc_check_notification(const char *method, const json_t *params);
/* The same for a whole message about to be sent (ignored unless it is a
 * notification). */
void rpc_check_outgoing(const json_t *msg);
const struct rpc_method *rpc_find(const char *name);

/* One NULL-terminated list per method family, each defined in its
 * rpc/rpc-<family>.c; rpc.c's table lists the families. */
extern const struct rpc_method *const rpc_daemon_methods[];
extern const struct rpc_method *const rpc_settings_methods[];
extern const struct rpc_method *const rpc_events_methods[];
extern const struct rpc_method *const rpc_debug_methods[];
extern const struct rpc_method *const rpc_connections_methods[];
extern const struct rpc_method *const rpc_groups_methods[];
extern const struct rpc_method *const rpc_credentials_methods[];
extern const struct rpc_method *const rpc_connection_methods[];
void rpc_connection_init(void); /* rpc/rpc-connection.c: route pool events */
extern const struct rpc_method *const rpc_query_methods[];
extern const struct rpc_method *const rpc_store_methods[]; /* rpc/rpc-store.c */
void rpc_store_stop(void); /* the daemon stops: running exports are cancelled */
extern const struct rpc_method *const rpc_history_methods[];
extern const struct rpc_method *const rpc_schema_methods[];
void rpc_schema_init(void); /* rpc/rpc-schema.c: the schema cache's pool hooks */
extern const struct rpc_method *const rpc_ssh_methods[];
extern const struct rpc_method *const rpc_workspace_methods[];
void rpc_workspace_shutdown(void); /* after the worker pool is gone */
extern const struct rpc_method *const rpc_notify_methods[];
void rpc_notify_init(void); /* rpc/rpc-notify.c: route NOTIFY to topic notify */
extern const struct rpc_method *const rpc_session_methods[];

/* Hooks from the server: a client's output drained below the low-water
 * mark (paused streams resume), or the client went away (its streams are
 * cancelled and its unnamed contexts rolled back). */
void rpc_client_drained(struct client *c);
void rpc_client_closed(struct client *c);
