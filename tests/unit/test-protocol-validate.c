/* tusk_rpc_validate against JSON-RPC 2.0: what is a request, a
 * notification, a response, and each way a message is an invalid request,
 * with the id echoed when it could be read. Also batch detection. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/jsonrpc.h"
#include "tests/lib/tt-check.h"

static json_t *load(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
	ck_assert_msg(v != NULL, "bad test JSON %s: %s", text, jerr.text);
	return v;
}

START_TEST(request_kinds)
{
	TuskRpcMessage m;
	json_t *bad_id = (json_t *)1;
	TuskError e = TUSK_ERROR_INIT;

	json_t *v = load("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"daemon.ping\"}");
	ck_assert_int_eq(tusk_rpc_validate(v, &m, &bad_id, &e), 0);
	ck_assert_int_eq(m.kind, TUSK_RPC_REQUEST);
	ck_assert_int_eq(json_integer_value(m.id), 7);
	ck_assert_str_eq(m.method, "daemon.ping");
	ck_assert_ptr_null(m.params);
	json_decref(v);

	v = load("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"m\",\"params\":{\"a\":1}}");
	ck_assert_int_eq(tusk_rpc_validate(v, &m, &bad_id, &e), 0);
	ck_assert_int_eq(m.kind, TUSK_RPC_REQUEST);
	ck_assert_str_eq(json_string_value(m.id), "abc");
	ck_assert_int_eq(json_integer_value(json_object_get(m.params, "a")), 1);
	json_decref(v);

	/* A null id is still a request (it gets a reply), not a notification. */
	v = load("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\",\"params\":[1,2]}");
	ck_assert_int_eq(tusk_rpc_validate(v, &m, &bad_id, &e), 0);
	ck_assert_int_eq(m.kind, TUSK_RPC_REQUEST);
	ck_assert(json_is_null(m.id));
	ck_assert(json_is_array(m.params));
	json_decref(v);

	v = load("{\"jsonrpc\":\"2.0\",\"method\":\"query.rows\",\"params\":{}}");
	ck_assert_int_eq(tusk_rpc_validate(v, &m, &bad_id, &e), 0);
	ck_assert_int_eq(m.kind, TUSK_RPC_NOTIFICATION);
	ck_assert_ptr_null(m.id);
	ck_assert_str_eq(m.method, "query.rows");
	json_decref(v);
	ck_assert_int_eq(e.kind, TUSK_ERR_NONE);
}
END_TEST

START_TEST(response_kinds)
{
	TuskRpcMessage m;
	json_t *bad_id;
	TuskError e = TUSK_ERROR_INIT;

	json_t *v = load("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"pong\":true}}");
	ck_assert_int_eq(tusk_rpc_validate(v, &m, &bad_id, &e), 0);
	ck_assert_int_eq(m.kind, TUSK_RPC_RESPONSE);
	ck_assert(json_is_true(json_object_get(m.result, "pong")));
	ck_assert_ptr_null(m.error);
	json_decref(v);

	v = load("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"x\"}}");
	ck_assert_int_eq(tusk_rpc_validate(v, &m, &bad_id, &e), 0);
	ck_assert_int_eq(m.kind, TUSK_RPC_RESPONSE);
	ck_assert_int_eq(json_integer_value(json_object_get(m.error, "code")), -32700);
	json_decref(v);

	/* "result": null is a result, not a missing one. */
	v = load("{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":null}");
	ck_assert_int_eq(tusk_rpc_validate(v, &m, &bad_id, &e), 0);
	ck_assert(json_is_null(m.result));
	json_decref(v);
}
END_TEST

/* Each invalid message, the message text expected, and the id the error
 * reply should echo (NULL: none readable). */
static const struct {
	const char *json;
	const char *message;
	const char *echo_id;
} invalid[] = {
    {"[]", "an empty batch is not a request", NULL},
    {"[1]", "a message must be an object, not an array", NULL},
    {"42", "a message must be an object, not an integer", NULL},
    {"\"x\"", "a message must be an object, not a string", NULL},
    {"{\"id\":1,\"method\":\"m\"}", "missing \"jsonrpc\": \"2.0\"", "1"},
    {"{\"jsonrpc\":\"1.0\",\"id\":\"a\",\"method\":\"m\"}", "\"jsonrpc\" must be exactly \"2.0\"",
     "\"a\""},
    {"{\"jsonrpc\":2.0,\"id\":2,\"method\":\"m\"}", "\"jsonrpc\" must be exactly \"2.0\"", "2"},
    {"{\"jsonrpc\":\"2.0 \",\"id\":2,\"method\":\"m\"}", "\"jsonrpc\" must be exactly \"2.0\"",
     "2"},
    {"{\"jsonrpc\":\"2.0\",\"id\":5}", "missing \"method\"", "5"},
    {"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":1}", "\"method\" must be a string, not an integer",
     "5"},
    {"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":null}", "\"method\" must be a string, not null",
     "5"},
    {"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"\"}", "\"method\" must not be empty", "5"},
    {"{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"m\",\"params\":\"x\"}",
     "\"params\" must be an object or an array, not a string", "6"},
    {"{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"m\",\"params\":null}",
     "\"params\" must be an object or an array, not null", "6"},
    {"{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"m\",\"result\":1}",
     "a request cannot have \"result\" or \"error\"", "6"},
    {"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"m\"}",
     "\"id\" must be a string, an integer or null, not a fractional number", NULL},
    {"{\"jsonrpc\":\"2.0\",\"id\":1.0,\"method\":\"m\"}",
     "\"id\" must be a string, an integer or null, not a fractional number", NULL},
    {"{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"m\"}",
     "\"id\" must be a string, an integer or null, not an object", NULL},
    {"{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"m\"}",
     "\"id\" must be a string, an integer or null, not an array", NULL},
    {"{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"m\"}",
     "\"id\" must be a string, an integer or null, not a boolean", NULL},
    {"{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":1,\"error\":{\"code\":1,\"message\":\"m\"}}",
     "a response cannot have both \"result\" and \"error\"", "8"},
    {"{\"jsonrpc\":\"2.0\",\"result\":1}", "a response must have an \"id\"", NULL},
    {"{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":\"bad\"}",
     "\"error\" must be an object, not a string", "9"},
    {"{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":\"x\",\"message\":\"m\"}}",
     "\"error.code\" must be an integer", "9"},
    {"{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":1}}", "\"error.message\" must be a string",
     "9"},
};

START_TEST(invalid_requests)
{
	TuskRpcMessage m = {.method = "untouched"};
	json_t *bad_id = (json_t *)1;
	TuskError e = TUSK_ERROR_INIT;
	json_t *v = load(invalid[_i].json);

	ck_assert_int_eq(tusk_rpc_validate(v, &m, &bad_id, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_REQUEST);
	ck_assert_str_eq(tusk_error_message(&e), invalid[_i].message);
	/* The output view is left alone on failure. */
	ck_assert_str_eq(m.method, "untouched");
	if (invalid[_i].echo_id) {
		json_t *want = load(invalid[_i].echo_id);
		ck_assert_ptr_nonnull(bad_id);
		ck_assert(json_equal(bad_id, want));
		json_decref(want);
	} else {
		ck_assert_ptr_null(bad_id);
	}
	tusk_error_clear(&e);
	json_decref(v);
}
END_TEST

START_TEST(null_id_is_echoed_as_null)
{
	TuskRpcMessage m;
	json_t *bad_id = NULL;
	TuskError e = TUSK_ERROR_INIT;
	json_t *v = load("{\"id\":null,\"method\":\"m\"}");
	ck_assert_int_eq(tusk_rpc_validate(v, &m, &bad_id, &e), -1);
	ck_assert(json_is_null(bad_id));
	tusk_error_clear(&e);
	json_decref(v);
}
END_TEST

START_TEST(null_out_parameters)
{
	TuskRpcMessage m;
	json_t *v = load("{\"jsonrpc\":\"1\",\"id\":1,\"method\":\"m\"}");
	ck_assert_int_eq(tusk_rpc_validate(v, &m, NULL, NULL), -1);
	json_decref(v);
}
END_TEST

START_TEST(batch_detection)
{
	json_t *v = load("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"},1]");
	ck_assert(tusk_rpc_is_batch(v));
	json_decref(v);
	v = load("[]");
	ck_assert(!tusk_rpc_is_batch(v));
	json_decref(v);
	v = load("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"}");
	ck_assert(!tusk_rpc_is_batch(v));
	json_decref(v);
	ck_assert(!tusk_rpc_is_batch(NULL));
}
END_TEST

START_TEST(batch_elements_validate_one_by_one)
{
	json_t *batch = load("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"},"
	                     "{\"jsonrpc\":\"2.0\",\"method\":\"n\"},"
	                     "{\"jsonrpc\":\"2.0\",\"id\":3},"
	                     "7]");
	int ok = 0, bad = 0;
	size_t i;
	json_t *el;
	json_array_foreach(batch, i, el)
	{
		TuskRpcMessage m;
		json_t *bad_id;
		TuskError e = TUSK_ERROR_INIT;
		if (tusk_rpc_validate(el, &m, &bad_id, &e) == 0)
			ok++;
		else
			bad++;
		tusk_error_clear(&e);
	}
	ck_assert_int_eq(ok, 2);
	ck_assert_int_eq(bad, 2);
	json_decref(batch);
}
END_TEST

static Suite *validate_suite(void)
{
	Suite *s = suite_create("protocol-validate");
	TCase *tc = tcase_create("validate");
	tcase_add_test(tc, request_kinds);
	tcase_add_test(tc, response_kinds);
	tcase_add_loop_test(tc, invalid_requests, 0, sizeof(invalid) / sizeof(invalid[0]));
	tcase_add_test(tc, null_id_is_echoed_as_null);
	tcase_add_test(tc, null_out_parameters);
	tcase_add_test(tc, batch_detection);
	tcase_add_test(tc, batch_elements_validate_one_by_one);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tt_run_suite(validate_suite());
}
