/* The reply checker of the fuzz targets (fuzz-check.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/jsonrpc.h"
#include "protocol/schema.h"
#include "tests/fuzz/fuzz-check.h"

void fuzz_fail(const char *what, const char *text, size_t len)
{
	fprintf(stderr, "fuzz: INVALID OUTPUT: %s\n  in: %.*s\n", what,
	        (int)(len > 4096 ? 4096 : len), text ? text : "");
	abort();
}

static char *id_key(const json_t *id)
{
	return json_dumps(id ? id : json_null(), JSON_ENCODE_ANY | JSON_COMPACT);
}

static void note_request(json_t *requests, json_t *msg)
{
	TuskRpcMessage m;
	json_t *bad_id;
	TuskError e = TUSK_ERROR_INIT;
	if (tusk_rpc_validate(msg, &m, &bad_id, &e) == 0 && m.kind != TUSK_RPC_RESPONSE) {
		char *key = m.kind == TUSK_RPC_REQUEST ? id_key(m.id) : strdup("");
		json_t *list = json_object_get(requests, key);
		if (!list) {
			list = json_array();
			json_object_set_new(requests, key, list);
		}
		json_array_append_new(list, json_string(m.method));
		free(key);
	}
	tusk_error_clear(&e);
}

json_t *fuzz_requests(const char *data, size_t len)
{
	json_t *requests = json_object();
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		TuskError e = TUSK_ERROR_INIT;
		json_t *v = nl ? tusk_rpc_parse(p, n, TUSK_RPC_DEFAULT_MAX_DEPTH, &e) : NULL;
		if (v && tusk_rpc_is_batch(v)) {
			size_t i;
			json_t *el;
			json_array_foreach(v, i, el)
			{
				note_request(requests, el);
			}
		} else if (v) {
			note_request(requests, v);
		}
		json_decref(v);
		tusk_error_clear(&e);
		p += n + 1;
	}
	return requests;
}

static bool only_keys(const json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v)
	{
		bool known = false;
		for (const char *const *a = keys; *a; a++)
			known |= strcmp(*a, k) == 0;
		if (!known)
			return false;
	}
	return true;
}

static bool known_error(json_int_t code, const char *kind)
{
	const json_t *errors = json_object_get(tusk_schema(), "errors");
	size_t i;
	json_t *err;
	json_array_foreach(errors, i, err)
	{
		if (json_integer_value(json_object_get(err, "code")) != code)
			continue;
		return !kind || strcmp(kind, json_string_value(json_object_get(err, "kind"))) == 0;
	}
	return false;
}

static void check_error(const json_t *err, const char *line, size_t len)
{
	static const char *const keys[] = {"code", "message", "data", NULL};
	if (!json_is_object(err) || !only_keys(err, keys))
		fuzz_fail("error is not an object of code, message and data", line, len);
	json_t *code = json_object_get(err, "code");
	json_t *data = json_object_get(err, "data");
	if (!json_is_integer(code) || !json_is_string(json_object_get(err, "message")))
		fuzz_fail("error without an integer code and a string message", line, len);
	if (data && !json_is_object(data))
		fuzz_fail("error.data is not an object", line, len);
	json_t *kind = json_object_get(data, "kind");
	if (kind && !json_is_string(kind))
		fuzz_fail("error.data.kind is not a string", line, len);
	if (!known_error(json_integer_value(code), json_string_value(kind)))
		fuzz_fail("error code (and kind) not in the schema's error table", line, len);
}

static void check_response(const json_t *msg, const json_t *requests, const char *line, size_t len)
{
	static const char *const keys[] = {"jsonrpc", "id", "result", "error", NULL};
	if (!json_is_object(msg) || !only_keys(msg, keys))
		fuzz_fail("response with members other than jsonrpc, id, result, error", line, len);
	const char *version = json_string_value(json_object_get(msg, "jsonrpc"));
	if (!version || strcmp(version, "2.0") != 0)
		fuzz_fail("response without \"jsonrpc\": \"2.0\"", line, len);
	json_t *id = json_object_get(msg, "id");
	if (!id || !(json_is_string(id) || json_is_integer(id) || json_is_null(id)))
		fuzz_fail("response id missing or not a string, integer or null", line, len);
	json_t *result = json_object_get(msg, "result");
	json_t *error = json_object_get(msg, "error");
	if (!result == !error)
		fuzz_fail("response needs exactly one of result and error", line, len);
	if (error) {
		check_error(error, line, len);
		return;
	}
	char *key = id_key(id);
	json_t *methods = json_object_get(requests, key);
	free(key);
	if (!methods)
		fuzz_fail("a result for an id that no request carried", line, len);
	size_t i;
	json_t *name;
	TuskError e = TUSK_ERROR_INIT;
	json_array_foreach(methods, i, name)
	{
		tusk_error_clear(&e);
		if (tusk_schema_validate_result(json_string_value(name), result, &e) == 0)
			return;
	}
	fprintf(stderr, "fuzz: %s\n", tusk_error_message(&e));
	fuzz_fail("result does not match the schema of the method asked", line, len);
}

void fuzz_check_message(const json_t *msg, const json_t *requests, const char *line, size_t len)
{
	if (json_is_array(msg)) {
		if (json_array_size(msg) == 0)
			fuzz_fail("an empty batch reply", line, len);
		size_t i;
		json_t *el;
		json_array_foreach(msg, i, el)
		{
			check_response(el, requests, line, len);
		}
		return;
	}
	json_t *method = json_object_get(msg, "method");
	if (!method) {
		check_response(msg, requests, line, len);
		return;
	}
	static const char *const keys[] = {"jsonrpc", "method", "params", NULL};
	const char *version = json_string_value(json_object_get(msg, "jsonrpc"));
	if (!only_keys(msg, keys) || !json_is_string(method) || !version ||
	    strcmp(version, "2.0") != 0)
		fuzz_fail("notification not of jsonrpc 2.0, method and params", line, len);
	TuskError e = TUSK_ERROR_INIT;
	if (tusk_schema_validate_notification(json_string_value(method),
	                                      json_object_get(msg, "params"), &e) < 0) {
		fprintf(stderr, "fuzz: %s\n", tusk_error_message(&e));
		fuzz_fail("notification does not match the schema", line, len);
	}
}

void fuzz_check_output(const char *out, size_t len, const json_t *requests)
{
	if (len > 0 && out[len - 1] != '\n')
		fuzz_fail("output does not end with a newline", out, len);
	const char *p = out, *end = out + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)(nl - p);
		if (n > TUSK_RPC_MAX_MESSAGE)
			fuzz_fail("a message longer than the protocol's limit", p, 200);
		json_error_t jerr;
		json_t *msg = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
		if (!msg) {
			fprintf(stderr, "fuzz: %s at %d\n", jerr.text, jerr.position);
			fuzz_fail("a line that is not JSON", p, n);
		}
		fuzz_check_message(msg, requests, p, n);
		json_decref(msg);
		p = nl + 1;
	}
}
