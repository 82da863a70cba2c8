/* Method dispatch. The method table is generated from the protocol schema
 * (protocol/schema.json + schema.d/) at build time: method "family.name" is
 * handled by method_family_name(), defined in rpc/rpc-<family>.c and
 * declared in the generated rpc-methods.h. A schema method without its
 * handler fails the link; a handler without its method fails the compile.
 * Params are validated against the schema before the handler runs. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
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
/* The same for an event broadcast on a topic: the topic must also be the
 * one the schema gives the notification. */
void rpc_check_event(const char *method, const char *topic, const json_t *params);
/* The same for a whole message about to be sent (ignored unless it is a
 * notification). */
void rpc_check_outgoing(const json_t *msg);
/* The handler of a method (NULL when there is none: unknown, or debug.*
 * on a daemon started without the test switch). */
const struct rpc_method *rpc_find(const char *name);

/* Start-up and shutdown hooks of the method families. */
void rpc_store_stop(void);         /* the daemon stops: running exports are cancelled */
void rpc_schema_init(void);        /* rpc/rpc-schema.c: the schema cache's pool hooks */
void rpc_workspace_shutdown(void); /* after the worker pool is gone */

/* Hooks from the server: a client's output drained below the low-water
 * mark (paused streams resume), or the client went away (its streams are
 * cancelled and its unnamed contexts rolled back). */
void rpc_client_drained(struct client *c);
void rpc_client_closed(struct client *c);

/* query.copy_data notifications without a JSON tree (rpc/copy-line.c):
 * a line spelt exactly as tuskctl spells one, {"jsonrpc":"2.0","method":
 * "query.copy_data","params":{"query_id":"…","base64":"…"}} or with
 * "text":"…" instead, is decoded and handed to PostgreSQL at once.
 * false: any other line, or one this fast path leaves to the general one
 * (which reports what is wrong). */
bool rpc_copy_data_line(struct client *c, const char *line, size_t len);
/* The bytes of a COPY FROM STDIN of c's query qid (rpc/rpc-query.c).
 * false: no such COPY waits (nothing was done). */
bool rpc_query_copy_data_raw(struct client *c, const char *qid, const void *data, size_t len);

/* Generated: one handler prototype per schema method, and the table
 * (sorted by name) rpc_find searches. */
#include "daemon/rpc-methods.h"
extern const struct rpc_method rpc_methods[RPC_METHOD_COUNT];
