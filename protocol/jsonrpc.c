/* JSON-RPC 2.0 message validation, builders and serialisation. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/jsonwrite.h"
#include "protocol/jsonrpc.h"

bool tusk_rpc_is_batch(const json_t *msg)
{
	return json_is_array(msg) && json_array_size(msg) > 0;
}

static const char *json_kind_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a fractional number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "a value";
}

static bool id_is_valid(const json_t *id)
{
	return json_is_string(id) || json_is_integer(id) || json_is_null(id);
}

#define invalid(e, ...) tusk_error_set(e, TUSK_ERR_INVALID_REQUEST, __VA_ARGS__)

static int validate_response(json_t *msg, json_t *id, TuskRpcMessage *m, TuskError *e)
{
	json_t *result = json_object_get(msg, "result");
	json_t *error = json_object_get(msg, "error");

	if (result && error)
		return invalid(e, "a response cannot have both \"result\" and \"error\"");
	if (!id)
		return invalid(e, "a response must have an \"id\"");
	if (error) {
		if (!json_is_object(error))
			return invalid(e, "\"error\" must be an object, not %s",
			               json_kind_name(error));
		if (!json_is_integer(json_object_get(error, "code")))
			return invalid(e, "\"error.code\" must be an integer");
		if (!json_is_string(json_object_get(error, "message")))
			return invalid(e, "\"error.message\" must be a string");
	}
	*m =
	    (TuskRpcMessage){.kind = TUSK_RPC_RESPONSE, .id = id, .result = result, .error = error};
	return 0;
}

int tusk_rpc_validate(json_t *msg, TuskRpcMessage *out, json_t **bad_id, TuskError *e)
{
	TuskRpcMessage m = {0};

	if (bad_id)
		*bad_id = NULL;
	if (json_is_array(msg) && json_array_size(msg) == 0)
		return invalid(e, "an empty batch is not a request");
	if (!json_is_object(msg))
		return invalid(e, "a message must be an object, not %s", json_kind_name(msg));

	json_t *id = json_object_get(msg, "id");
	if (id && !id_is_valid(id))
		return invalid(e, "\"id\" must be a string, an integer or null, not %s",
		               json_kind_name(id));
	if (json_is_string(id) && json_string_length(id) > TUSK_RPC_MAX_ID_BYTES)
		return tusk_error_set(e, TUSK_ERR_LIMIT_EXCEEDED,
		                      "\"id\" is %zu bytes long; the limit is %u",
		                      json_string_length(id), TUSK_RPC_MAX_ID_BYTES);
	if (bad_id)
		*bad_id = id;

	json_t *version = json_object_get(msg, "jsonrpc");
	if (!version)
		return invalid(e, "missing \"jsonrpc\": \"2.0\"");
	if (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0)
		return invalid(e, "\"jsonrpc\" must be exactly \"2.0\"");

	json_t *method = json_object_get(msg, "method");
	if (!method) {
		if (!json_object_get(msg, "result") && !json_object_get(msg, "error"))
			return invalid(e, "missing \"method\"");
		if (validate_response(msg, id, &m, e) < 0)
			return -1;
		*out = m;
		return 0;
	}

	if (!json_is_string(method))
		return invalid(e, "\"method\" must be a string, not %s", json_kind_name(method));
	if (json_string_length(method) == 0)
		return invalid(e, "\"method\" must not be empty");
	if (json_object_get(msg, "result") || json_object_get(msg, "error"))
		return invalid(e, "a request cannot have \"result\" or \"error\"");
	json_t *params = json_object_get(msg, "params");
	if (params && !json_is_object(params) && !json_is_array(params))
		return invalid(e, "\"params\" must be an object or an array, not %s",
		               json_kind_name(params));

	m.kind = id ? TUSK_RPC_REQUEST : TUSK_RPC_NOTIFICATION;
	m.id = id;
	m.method = json_string_value(method);
	m.params = params;
	*out = m;
	return 0;
}

static json_t *envelope(json_t *id)
{
	json_t *msg = json_object();
	if (!msg)
		return NULL;
	if (json_object_set_new(msg, "jsonrpc", json_string("2.0")) < 0 ||
	    json_object_set_new(msg, "id", id ? json_incref(id) : json_null()) < 0) {
		json_decref(msg);
		return NULL;
	}
	return msg;
}

json_t *tusk_rpc_request(json_t *id, const char *method, json_t *params)
{
	_cleanup_json_ json_t *p = params;
	_cleanup_json_ json_t *msg = envelope(id);

	if (!msg || json_object_set_new(msg, "method", json_string(method)) < 0)
		return NULL;
	if (p && json_object_set_new(msg, "params", TAKE_PTR(p)) < 0)
		return NULL;
	return TAKE_PTR(msg);
}

json_t *tusk_rpc_notification(const char *method, json_t *params)
{
	_cleanup_json_ json_t *p = params;
	_cleanup_json_ json_t *msg = json_object();

	if (!msg || json_object_set_new(msg, "jsonrpc", json_string("2.0")) < 0 ||
	    json_object_set_new(msg, "method", json_string(method)) < 0)
		return NULL;
	if (p && json_object_set_new(msg, "params", TAKE_PTR(p)) < 0)
		return NULL;
	return TAKE_PTR(msg);
}

json_t *tusk_rpc_result(json_t *id, json_t *result)
{
	_cleanup_json_ json_t *r = result;
	_cleanup_json_ json_t *msg = envelope(id);

	if (!msg || json_object_set_new(msg, "result", r ? TAKE_PTR(r) : json_null()) < 0)
		return NULL;
	return TAKE_PTR(msg);
}

json_t *tusk_rpc_error(json_t *id, const TuskError *e)
{
	_cleanup_json_ json_t *msg = envelope(id);

	if (!msg || json_object_set_new(msg, "error", tusk_error_to_rpc_json(e)) < 0)
		return NULL;
	return TAKE_PTR(msg);
}

char *tusk_rpc_dump(const json_t *msg, size_t *len)
{
	/* One pass into a growing buffer: a large reply (a schema tree) is
	 * not walked twice. The writer escapes control characters inside
	 * strings and adds no whitespace (jansson's JSON_COMPACT bytes), so
	 * the only newline is the terminator. */
	struct tusk_jbuf b = {0};
	if (tusk_json_write(&b, msg) < 0 || b.len == 0 || tusk_jbuf_add(&b, "\n", 1) < 0) {
		free(b.p);
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.p; /* NUL-terminated as well, for callers that print it */
}
