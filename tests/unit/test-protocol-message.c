/* Builders and dump: what goes on the wire is one line that parses and
 * validates back to the same message. Parameter helpers for handlers. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/jsonrpc.h"
#include "tests/lib/tt-check.h"

static size_t count_char(const char *s, size_t len, char c)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == c;
	return n;
}

/* Dump, check it is one line, parse and validate it back. */
static json_t *round_trip(json_t *msg, TuskRpcMessage *m)
{
	size_t len = 0;
	char *text = tusk_rpc_dump(msg, &len);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_gt(len, 1);
	ck_assert_int_eq(text[len - 1], '\n');
	ck_assert_uint_eq(count_char(text, len, '\n'), 1);
	ck_assert_uint_eq(strlen(text), len);

	TuskError e = TUSK_ERROR_INIT;
	json_t *back = tusk_rpc_parse(text, len - 1, TUSK_RPC_DEFAULT_MAX_DEPTH, &e);
	ck_assert_msg(back != NULL, "%s", tusk_error_message(&e));
	ck_assert(json_equal(back, msg));
	json_t *bad_id;
	ck_assert_int_eq(tusk_rpc_validate(back, m, &bad_id, &e), 0);
	free(text);
	return back;
}

START_TEST(request_round_trip)
{
	json_t *id = json_integer(42);
	json_t *params = json_pack("{s:s, s:i}", "client", "test", "protocol_version", 1);
	json_t *msg = tusk_rpc_request(id, "daemon.hello", params);
	TuskRpcMessage m;
	json_t *back = round_trip(msg, &m);
	ck_assert_int_eq(m.kind, TUSK_RPC_REQUEST);
	ck_assert_int_eq(json_integer_value(m.id), 42);
	ck_assert_str_eq(m.method, "daemon.hello");
	ck_assert_str_eq(json_string_value(json_object_get(m.params, "client")), "test");
	/* id is borrowed: still ours. */
	ck_assert_int_eq(id->refcount, 2);
	json_decref(back);
	json_decref(msg);
	ck_assert_int_eq(id->refcount, 1);
	json_decref(id);
}
END_TEST

START_TEST(request_without_params_or_id)
{
	json_t *msg = tusk_rpc_request(NULL, "daemon.ping", NULL);
	ck_assert_ptr_null(json_object_get(msg, "params"));
	ck_assert(json_is_null(json_object_get(msg, "id")));
	TuskRpcMessage m;
	json_t *back = round_trip(msg, &m);
	ck_assert_int_eq(m.kind, TUSK_RPC_REQUEST);
	json_decref(back);
	json_decref(msg);
}
END_TEST

START_TEST(notification_round_trip)
{
	json_t *msg = tusk_rpc_notification("query.rows", json_pack("{s:[i,i]}", "rows", 1, 2));
	ck_assert_ptr_null(json_object_get(msg, "id"));
	TuskRpcMessage m;
	json_t *back = round_trip(msg, &m);
	ck_assert_int_eq(m.kind, TUSK_RPC_NOTIFICATION);
	ck_assert_str_eq(m.method, "query.rows");
	json_decref(back);
	json_decref(msg);
}
END_TEST

START_TEST(result_round_trip)
{
	json_t *id = json_string("req-1");
	json_t *msg = tusk_rpc_result(id, json_pack("{s:b}", "pong", 1));
	TuskRpcMessage m;
	json_t *back = round_trip(msg, &m);
	ck_assert_int_eq(m.kind, TUSK_RPC_RESPONSE);
	ck_assert_str_eq(json_string_value(m.id), "req-1");
	ck_assert(json_is_true(json_object_get(m.result, "pong")));
	json_decref(back);
	json_decref(msg);

	/* NULL result means JSON null, which is still a result. */
	msg = tusk_rpc_result(id, NULL);
	ck_assert(json_is_null(json_object_get(msg, "result")));
	back = round_trip(msg, &m);
	json_decref(back);
	json_decref(msg);
	json_decref(id);
}
END_TEST

START_TEST(error_round_trip)
{
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_INVALID_PARAMS, "params.key: expected string, got integer");
	json_t *id = json_integer(5);
	json_t *msg = tusk_rpc_error(id, &e);
	TuskRpcMessage m;
	json_t *back = round_trip(msg, &m);
	ck_assert_int_eq(m.kind, TUSK_RPC_RESPONSE);
	ck_assert_ptr_nonnull(m.error);
	ck_assert_int_eq(json_integer_value(json_object_get(m.error, "code")), -32602);
	ck_assert_str_eq(json_string_value(json_object_get(m.error, "message")),
	                 "params.key: expected string, got integer");
	json_t *data = json_object_get(m.error, "data");
	ck_assert_str_eq(json_string_value(json_object_get(data, "kind")), "invalid_params");

	/* A client reading the reply gets the same error back. */
	TuskError got = TUSK_ERROR_INIT;
	tusk_error_from_rpc_json(&got, m.error);
	ck_assert_int_eq(got.kind, TUSK_ERR_INVALID_PARAMS);
	ck_assert_str_eq(tusk_error_message(&got), "params.key: expected string, got integer");
	tusk_error_clear(&got);
	json_decref(back);
	json_decref(msg);

	/* An error for an unreadable request has id null. */
	msg = tusk_rpc_error(NULL, &e);
	ck_assert(json_is_null(json_object_get(msg, "id")));
	json_decref(msg);
	json_decref(id);
	tusk_error_clear(&e);
}
END_TEST

START_TEST(dump_escapes_control_characters)
{
	/* Text from PostgreSQL may hold any character; none may break the
	 * framing. */
	const char *nasty = "line1\nline2\r\n\ttab \x01 \x1f \"quoted\" back\\slash \xE2\x80\xA8 é";
	json_t *msg = tusk_rpc_result(NULL, json_pack("{s:s}", "text", nasty));
	TuskRpcMessage m;
	json_t *back = round_trip(msg, &m);
	ck_assert_str_eq(json_string_value(json_object_get(m.result, "text")), nasty);
	json_decref(back);
	json_decref(msg);
}
END_TEST

START_TEST(dump_is_compact)
{
	json_t *msg = tusk_rpc_request(NULL, "m", json_pack("{s:i, s:[i,i]}", "a", 1, "b", 2, 3));
	size_t len;
	char *text = tusk_rpc_dump(msg, &len);
	ck_assert_str_eq(text, "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\",\"params\":{"
	                       "\"a\":1,\"b\":[2,3]}}\n");
	ck_assert_uint_eq(len, strlen(text));
	free(text);
	json_decref(msg);
}
END_TEST

START_TEST(dump_large_message)
{
	size_t n = 3u * 1024 * 1024;
	char *big = malloc(n + 1);
	memset(big, 'z', n);
	big[n] = '\0';
	json_t *msg = tusk_rpc_result(NULL, json_pack("{s:s}", "blob", big));
	size_t len;
	char *text = tusk_rpc_dump(msg, &len);
	ck_assert_uint_gt(len, n);
	ck_assert_uint_eq(count_char(text, len, '\n'), 1);
	free(text);
	free(big);
	json_decref(msg);
}
END_TEST

/* ---- parameter helpers ---- */

static json_t *sample_params(void)
{
	return json_pack("{s:s, s:I, s:b, s:f, s:n, s:[]}", "key", "pool.max_size", "n",
	                 (json_int_t)9000000000LL, "flag", 1, "real", 1.5, "nothing", "list");
}

START_TEST(param_found)
{
	json_t *p = sample_params();
	TuskError e = TUSK_ERROR_INIT;
	const char *s = NULL;
	long long n = 0;
	bool b = false;
	json_t *v = NULL;

	ck_assert_int_eq(tusk_param_string(p, "key", true, &s, &e), 0);
	ck_assert_str_eq(s, "pool.max_size");
	ck_assert_int_eq(tusk_param_int(p, "n", true, &n, &e), 0);
	ck_assert(n == 9000000000LL);
	ck_assert_int_eq(tusk_param_bool(p, "flag", false, &b, &e), 0);
	ck_assert(b);
	ck_assert_int_eq(tusk_param_value(p, "list", true, &v, &e), 0);
	ck_assert(json_is_array(v));
	ck_assert_int_eq(tusk_param_value(p, "nothing", true, &v, &e), 0);
	ck_assert(json_is_null(v));
	ck_assert_int_eq(e.kind, TUSK_ERR_NONE);
	json_decref(p);
}
END_TEST

START_TEST(param_absent)
{
	json_t *p = sample_params();
	TuskError e = TUSK_ERROR_INIT;
	const char *s = "kept";
	long long n = 77;

	ck_assert_int_eq(tusk_param_string(p, "other", false, &s, &e), 1);
	ck_assert_str_eq(s, "kept");
	ck_assert_int_eq(e.kind, TUSK_ERR_NONE);
	ck_assert_int_eq(tusk_param_int(p, "other", true, &n, &e), -1);
	ck_assert_int_eq(n, 77);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_PARAMS);
	ck_assert_str_eq(tusk_error_message(&e), "params.other: missing required member");
	tusk_error_clear(&e);

	/* Absent params read as {}. */
	ck_assert_int_eq(tusk_param_string(NULL, "key", false, &s, &e), 1);
	ck_assert_int_eq(tusk_param_string(NULL, "key", true, &s, &e), -1);
	ck_assert_str_eq(tusk_error_message(&e), "params.key: missing required member");
	tusk_error_clear(&e);
	json_decref(p);
}
END_TEST

START_TEST(param_wrong_type)
{
	json_t *p = sample_params();
	TuskError e = TUSK_ERROR_INIT;
	const char *s;
	long long n;
	bool b;

	ck_assert_int_eq(tusk_param_string(p, "n", true, &s, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_PARAMS);
	ck_assert_str_eq(tusk_error_message(&e), "params.n: expected string");
	/* A fractional number is not an integer. */
	ck_assert_int_eq(tusk_param_int(p, "real", false, &n, &e), -1);
	ck_assert_str_eq(tusk_error_message(&e), "params.real: expected integer");
	/* JSON null is not "absent". */
	ck_assert_int_eq(tusk_param_bool(p, "nothing", false, &b, &e), -1);
	ck_assert_str_eq(tusk_error_message(&e), "params.nothing: expected boolean");
	ck_assert_int_eq(tusk_param_bool(p, "key", false, &b, &e), -1);
	tusk_error_clear(&e);

	json_t *arr = json_pack("[s]", "x");
	ck_assert_int_eq(tusk_param_string(arr, "key", false, &s, &e), -1);
	ck_assert_str_eq(tusk_error_message(&e), "params: expected object, got array");
	tusk_error_clear(&e);
	json_decref(arr);
	json_decref(p);
}
END_TEST

static Suite *message_suite(void)
{
	Suite *s = suite_create("protocol-message");
	TCase *tc = tcase_create("builders");
	tcase_add_test(tc, request_round_trip);
	tcase_add_test(tc, request_without_params_or_id);
	tcase_add_test(tc, notification_round_trip);
	tcase_add_test(tc, result_round_trip);
	tcase_add_test(tc, error_round_trip);
	tcase_add_test(tc, dump_escapes_control_characters);
	tcase_add_test(tc, dump_is_compact);
	tcase_add_test(tc, dump_large_message);
	suite_add_tcase(s, tc);
	tc = tcase_create("params");
	tcase_add_test(tc, param_found);
	tcase_add_test(tc, param_absent);
	tcase_add_test(tc, param_wrong_type);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tt_run_suite(message_suite());
}
