/* Request dispatch: validation against the schema, lookup in the method
 * table generated from it (rpc-methods.c), replies, and JSON-RPC batches
 * (whose replies go out as one array once every member has answered). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonwrite.h"
#include "common/log.h"
#include "daemon/rpc.h"
#include "daemon/server.h"
#include "daemon/storage/storage.h"
#include "daemon/tuskd.h"
#include "protocol/jsonrpc.h"
#include "protocol/req.h"
#include "protocol/schema.h"

struct rpc_batch {
	struct client *client;
	json_t *replies;
	size_t bytes;     /* serialised size of replies so far */
	unsigned pending; /* members not yet answered, +1 while dispatching */
};

const struct rpc_method *rpc_find(const char *name)
{
	/* A tuskd started without the test switch has no debug.* at all. */
	if (strncmp(name, "debug.", 6) == 0 && !tuskd.debug_methods)
		return NULL;
	size_t lo = 0, hi = RPC_METHOD_COUNT;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, rpc_methods[mid].name);
		if (c == 0)
			return &rpc_methods[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static void batch_done_one(struct rpc_batch *b)
{
	if (--b->pending > 0)
		return;
	if (json_array_size(b->replies) > 0)
		client_send(b->client, b->replies);
	json_decref(b->replies);
	client_unref(b->client);
	free(b);
}

/* The error that replaces a reply too long for the protocol. */
static json_t *too_long(json_t *id, size_t len)
{
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_LIMIT_EXCEEDED,
	               "the reply would be %zu bytes, over the protocol's message limit of %u "
	               "bytes; ask for less (a filter, or the next page)",
	               len, TUSK_RPC_MAX_MESSAGE);
	json_t *msg = tusk_rpc_error(id, &e);
	tusk_error_clear(&e);
	return msg;
}

/* Route a reply (steals msg): into its batch, or straight to the client.
 * No message longer than the protocol's limit leaves: the reply becomes a
 * limit_exceeded error. */
static void deliver(struct client *c, struct rpc_batch *b, json_t *msg)
{
	if (b) {
		if (msg) {
			size_t len = json_dumpb(msg, NULL, 0, JSON_COMPACT);
			/* Room for the brackets, commas and the other members. */
			if (b->bytes + len + 2 > TUSK_RPC_MAX_MESSAGE) {
				json_t *err = too_long(json_object_get(msg, "id"), len);
				json_decref(msg);
				msg = err;
				len = json_dumpb(msg, NULL, 0, JSON_COMPACT);
			}
			b->bytes += len + 1;
			json_array_append_new(b->replies, msg);
		}
		batch_done_one(b);
		return;
	}
	if (msg) {
		if (client_send(c, msg) == -EMSGSIZE) {
			json_t *err = too_long(json_object_get(msg, "id"),
			                       json_dumpb(msg, NULL, 0, JSON_COMPACT));
			client_send(c, err);
			json_decref(err);
		}
		json_decref(msg);
	}
}

static void request_free(struct rpc_request *req)
{
	client_request_end(req->client);
	client_unref(req->client);
	json_decref(req->id);
	json_decref(req->params);
	json_decref(req->result);
	free(req->method);
	free(req);
}

void rpc_reply_result(struct rpc_request *req, json_t *result)
{
	if (!result)
		result = json_null();
	if (tuskd.validate_replies) {
		TuskError e = TUSK_ERROR_INIT;
		if (tusk_schema_validate_result(req->method, result, &e) < 0) {
			log_error("rpc", "%s: reply does not match the schema: %s", req->method,
			          tusk_error_message(&e));
			json_decref(result);
			tusk_error_set(
			    &e, TUSK_ERR_INTERNAL,
			    "%s produced a reply that does not match the protocol schema",
			    req->method);
			rpc_reply_error(req, &e);
			tusk_error_clear(&e);
			return;
		}
	}
	log_trace("rpc", "client %u: %s answered in %llu µs", client_id(req->client), req->method,
	          (unsigned long long)(tuskd_now_us() - req->started_us));
	json_t *msg = req->id ? tusk_rpc_result(req->id, result) : NULL;
	if (!req->id)
		json_decref(result);
	deliver(req->client, req->batch, msg);
	request_free(req);
}

void rpc_check_notification(const char *method, const json_t *params)
{
	if (!tuskd.validate_replies)
		return;
	TuskError e = TUSK_ERROR_INIT;
	if (tusk_schema_validate_notification(method, params, &e) < 0) {
		char *text = json_dumps(params, JSON_COMPACT | JSON_ENCODE_ANY);
		log_error("rpc",
		          "notification %s does not match the protocol schema: %s; params: %.2000s",
		          method, tusk_error_message(&e), text ? text : "?");
		free(text);
		tusk_error_clear(&e);
		abort();
	}
}

void rpc_check_event(const char *method, const char *topic, const json_t *params)
{
	rpc_check_notification(method, params);
	if (!tuskd.validate_replies)
		return;
	const char *want =
	    json_string_value(json_object_get(tusk_schema_notification(method), "topic"));
	if (!want || !topic || strcmp(want, topic) != 0) {
		log_error("rpc",
		          "notification %s goes out on topic %s, the protocol schema says %s",
		          method, topic ? topic : "(none)",
		          want ? want : "(none: only to the requester)");
		abort();
	}
}

void rpc_check_outgoing(const json_t *msg)
{
	if (!tuskd.validate_replies || !json_is_object(msg) || json_object_get(msg, "id"))
		return;
	const char *method = json_string_value(json_object_get(msg, "method"));
	if (method)
		rpc_check_notification(method, json_object_get(msg, "params"));
}

/* A self-checking daemon answers only with the kinds the schema lists for
 * the method (or common to all): another is a bug of the daemon or of its
 * documentation, turned into an internal error that no test expects. */
static bool error_documented(struct rpc_request *req, TuskErrorKind kind, TuskError *ret)
{
	if (!tuskd.validate_replies || tusk_schema_validate_error(req->method, kind, ret) == 0)
		return true;
	log_error("rpc", "%s", tusk_error_message(ret));
	return false;
}

void rpc_reply_error(struct rpc_request *req, const TuskError *e)
{
	TuskError undocumented = TUSK_ERROR_INIT;
	if (!error_documented(req, e->kind, &undocumented)) {
		tusk_error_set_detail(&undocumented, "%s", tusk_error_message(e));
		json_t *msg = req->id ? tusk_rpc_error(req->id, &undocumented) : NULL;
		tusk_error_clear(&undocumented);
		deliver(req->client, req->batch, msg);
		request_free(req);
		return;
	}
	log_debug("rpc", "client %u: %s failed: %s", client_id(req->client), req->method,
	          tusk_error_message(e));
	json_t *msg = req->id ? tusk_rpc_error(req->id, e) : NULL;
	deliver(req->client, req->batch, msg);
	request_free(req);
}

void rpc_reply_raw_result(struct rpc_request *req, const char *json, size_t len)
{
	/* Batches and notifications take the ordinary path; a plain request
	 * gets the text as it is (checked first by a self-checking daemon). */
	if (!req->id || req->batch) {
		json_error_t jerr;
		rpc_reply_result(req, json_loadb(json, len, 0, &jerr));
		return;
	}
	if (tuskd.validate_replies) {
		json_error_t jerr;
		TuskError e = TUSK_ERROR_INIT;
		json_t *parsed = json_loadb(json, len, 0, &jerr);
		if (!parsed || tusk_schema_validate_result(req->method, parsed, &e) < 0) {
			log_error("rpc", "%s: reply does not match the schema: %s", req->method,
			          parsed ? tusk_error_message(&e) : jerr.text);
			json_decref(parsed);
			tusk_error_set(
			    &e, TUSK_ERR_INTERNAL,
			    "%s produced a reply that does not match the protocol schema",
			    req->method);
			rpc_reply_error(req, &e);
			tusk_error_clear(&e);
			return;
		}
		json_decref(parsed);
	}
	/* The id is any string the client chose (up to the message limit):
	 * the writer writes it, however long and whatever it holds. One
	 * buffer, one write to the client. */
	static const char head[] = "{\"jsonrpc\":\"2.0\",\"id\":";
	static const char mid[] = ",\"result\":";
	struct tusk_jbuf b = {0};
	if (tusk_jbuf_add(&b, head, strlen(head)) < 0 || tusk_json_write(&b, req->id) < 0 ||
	    tusk_jbuf_add(&b, mid, strlen(mid)) < 0 || tusk_jbuf_add(&b, json, len) < 0 ||
	    tusk_jbuf_add(&b, "}\n", 2) < 0) {
		free(b.p);
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_set(&e, TUSK_ERR_INTERNAL, "out of memory");
		rpc_reply_error(req, &e);
		tusk_error_clear(&e);
		return;
	}
	if (b.len - 1 > TUSK_RPC_MAX_MESSAGE) {
		size_t total = b.len - 1;
		free(b.p);
		deliver(req->client, NULL, too_long(req->id, total));
		request_free(req);
		return;
	}
	client_send_raw(req->client, b.p, b.len);
	free(b.p);
	request_free(req);
}

void rpc_reply_error_json(struct rpc_request *req, json_t *error_obj)
{
	TuskError undocumented = TUSK_ERROR_INIT;
	const char *kind =
	    json_string_value(json_object_get(json_object_get(error_obj, "data"), "kind"));
	if (!error_documented(req, tusk_error_kind_from_name(kind), &undocumented)) {
		json_decref(error_obj);
		rpc_reply_error(req, &undocumented);
		tusk_error_clear(&undocumented);
		return;
	}
	json_t *msg = NULL;
	if (req->id)
		msg = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", req->id, "error",
		                error_obj);
	else
		json_decref(error_obj);
	deliver(req->client, req->batch, msg);
	request_free(req);
}

void rpc_reply_parse_error(struct client *c, const TuskError *e)
{
	json_t *msg = tusk_rpc_error(NULL, e);
	client_send(c, msg);
	json_decref(msg);
}

static void error_reply(struct client *c, struct rpc_batch *b, json_t *id, TuskErrorKind kind,
                        const char *what, const char *arg)
{
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, kind, "%s%s", what, arg);
	deliver(c, b, tusk_rpc_error(id, &e));
	tusk_error_clear(&e);
}

static void dispatch_one(struct client *c, struct rpc_batch *b, json_t *msg)
{
	TuskError e = TUSK_ERROR_INIT;
	TuskRpcMessage m;
	json_t *bad_id = NULL;

	if (b)
		b->pending++;
	if (tusk_rpc_validate(msg, &m, &bad_id, &e) < 0) {
		deliver(c, b, tusk_rpc_error(bad_id, &e));
		tusk_error_clear(&e);
		return;
	}
	if (m.kind == TUSK_RPC_RESPONSE) {
		/* The daemon sends no requests, so no response is expected. */
		error_reply(c, b, m.id, TUSK_ERR_INVALID_REQUEST,
		            "unexpected response: ", "the daemon sent no request to answer");
		return;
	}
	if (tuskd.stopping && m.kind == TUSK_RPC_REQUEST) {
		/* While the last queries wind down, nothing new starts. */
		error_reply(c, b, m.id, TUSK_ERR_INTERNAL,
		            "the daemon is stopping; not run: ", m.method);
		return;
	}
	const struct rpc_method *entry = rpc_find(m.method);
	if (m.kind == TUSK_RPC_NOTIFICATION && (!entry || !client_request_begin(c))) {
		/* JSON-RPC: a notification is never answered, not even with an
		 * error. */
		deliver(c, b, NULL);
		return;
	}
	if (!entry) {
		error_reply(c, b, m.id, TUSK_ERR_METHOD_NOT_FOUND, "method not found: ", m.method);
		return;
	}
	if (m.kind == TUSK_RPC_REQUEST && !client_request_begin(c)) {
		error_reply(c, b, m.id, TUSK_ERR_LIMIT_EXCEEDED,
		            "too many requests in flight on this connection; not run: ", m.method);
		return;
	}

	struct rpc_request *req = calloc(1, sizeof(*req));
	req->client = client_ref(c);
	req->id = m.kind == TUSK_RPC_REQUEST ? json_incref(m.id) : NULL;
	req->method = strdup(m.method);
	req->params = m.params ? json_incref(m.params) : json_object();
	req->batch = b;
	req->started_us = tuskd_now_us();
	log_trace("rpc", "client %u: %s", client_id(c), m.method);

	if (tusk_schema_validate_params(req->method, req->params, &e) < 0) {
		/* The method never runs to erase what its params carry. */
		tusk_req_scrub_secret(req->params);
		rpc_reply_error(req, &e);
		tusk_error_clear(&e);
		return;
	}
	/* What would be saved only in a temporary in-memory database (the file
	 * on disk cannot be used) is refused rather than lost at exit. */
	if (tusk_schema_method_persists(req->method) &&
	    storage_check_durable(tuskd.storage, &e) < 0) {
		rpc_reply_error(req, &e);
		tusk_error_clear(&e);
		return;
	}
	switch (entry->exec(req, &e)) {
	case RPC_OK:
		rpc_reply_result(req, json_incref(req->result));
		break;
	case RPC_ERROR:
		if (e.kind == TUSK_ERR_NONE)
			tusk_error_set(&e, TUSK_ERR_INTERNAL, "%s failed", entry->name);
		rpc_reply_error(req, &e);
		break;
	case RPC_WAIT:
		break;
	}
	tusk_error_clear(&e);
}

void rpc_handle_message(struct client *c, json_t *msg)
{
	if (!json_is_array(msg)) {
		dispatch_one(c, NULL, msg);
		return;
	}
	if (json_array_size(msg) == 0) {
		error_reply(c, NULL, NULL, TUSK_ERR_INVALID_REQUEST,
		            "an empty batch is not a valid request", "");
		return;
	}
	if (json_array_size(msg) > TUSK_RPC_MAX_BATCH) {
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_set(&e, TUSK_ERR_LIMIT_EXCEEDED,
		               "a batch of %zu members; the limit is %u, nothing was run",
		               json_array_size(msg), TUSK_RPC_MAX_BATCH);
		deliver(c, NULL, tusk_rpc_error(NULL, &e));
		tusk_error_clear(&e);
		return;
	}
	struct rpc_batch *b = calloc(1, sizeof(*b));
	b->client = client_ref(c);
	b->replies = json_array();
	b->pending = 1;
	size_t i;
	json_t *member;
	json_array_foreach(msg, i, member) dispatch_one(c, b, member);
	batch_done_one(b);
}
