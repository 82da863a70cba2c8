/* The error taxonomy: the kind ↔ name ↔ JSON-RPC code table clients rely
 * on, setters, and conversions from SQLite, errno and jansson. */
#include "common/error.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "tests/lib/tt-check.h"

/* The published contract (protocol/schema.json repeats it). */
static const struct {
	TuskErrorKind kind;
	const char *name;
	int code;
	const char *type;
} table[] = {
    {TUSK_ERR_CONNECTION_FAILED, "connection_failed", -32001, "connection"},
    {TUSK_ERR_AUTHENTICATION_FAILED, "authentication_failed", -32002, "authentication"},
    {TUSK_ERR_SSL, "ssl_error", -32003, "ssl"},
    {TUSK_ERR_SSH, "ssh_error", -32004, "ssh"},
    {TUSK_ERR_CONNECTION_TIMEOUT, "connection_timeout", -32005, "connection"},
    {TUSK_ERR_CONNECTION_NOT_FOUND, "connection_not_found", -32006, "connection"},
    {TUSK_ERR_NO_ACTIVE_CONNECTION, "no_active_connection", -32007, "connection"},
    {TUSK_ERR_POOL_TIMEOUT, "pool_timeout", -32008, "connection"},
    {TUSK_ERR_QUERY_FAILED, "query_failed", -32010, "query"},
    {TUSK_ERR_QUERY_CANCELLED, "query_cancelled", -32011, "query"},
    {TUSK_ERR_QUERY_TIMEOUT, "query_timeout", -32012, "query"},
    {TUSK_ERR_STORAGE, "storage_error", -32020, "storage"},
    {TUSK_ERR_MIGRATION, "migration_error", -32021, "storage"},
    {TUSK_ERR_KEYRING, "keyring_error", -32030, "keyring"},
    {TUSK_ERR_CREDENTIAL_NOT_FOUND, "credential_not_found", -32031, "keyring"},
    {TUSK_ERR_SERIALIZATION, "serialization_error", -32040, "internal"},
    {TUSK_ERR_INTERNAL, "internal", -32603, "internal"},
    {TUSK_ERR_INVALID_INPUT, "invalid_input", -32051, "query"},
    {TUSK_ERR_IO, "io_error", -32052, "internal"},
    {TUSK_ERR_RESULT_NOT_FOUND, "result_not_found", -32013, "query"},
    {TUSK_ERR_PARSE, "parse_error", -32700, "internal"},
    {TUSK_ERR_INVALID_REQUEST, "invalid_request", -32600, "internal"},
    {TUSK_ERR_METHOD_NOT_FOUND, "method_not_found", -32601, "internal"},
    {TUSK_ERR_INVALID_PARAMS, "invalid_params", -32602, "query"},
    {TUSK_ERR_LIMIT_EXCEEDED, "limit_exceeded", -32060, "internal"},
    {TUSK_ERR_CONFLICT, "conflict", -32070, "storage"},
    {TUSK_ERR_TOO_LARGE, "too_large", -32071, "query"},
};
#define N_TABLE (sizeof(table) / sizeof(table[0]))

START_TEST(every_kind_is_in_the_table)
{
	ck_assert_uint_eq(N_TABLE, _TUSK_ERR_KIND_MAX - 1);
}
END_TEST

START_TEST(kind_name_code_round_trip)
{
	TuskErrorKind k = table[_i].kind;
	ck_assert_str_eq(tusk_error_kind_name(k), table[_i].name);
	ck_assert_int_eq(tusk_error_kind_from_name(table[_i].name), k);
	ck_assert_int_eq(tusk_error_rpc_code(k), table[_i].code);
	ck_assert_int_eq(tusk_error_kind_from_rpc_code(table[_i].code), k);
	ck_assert_str_eq(tusk_error_type_name(tusk_error_kind_type(k)), table[_i].type);
	/* Every kind reads as something, whether or not a message was set. */
	TuskError e = {.kind = k};
	ck_assert_ptr_nonnull(tusk_error_message(&e));
	ck_assert_int_gt(strlen(tusk_error_message(&e)), 0);
}
END_TEST

START_TEST(unknown_names_and_codes)
{
	ck_assert_int_eq(tusk_error_kind_from_name("no_such_kind"), TUSK_ERR_NONE);
	ck_assert_int_eq(tusk_error_kind_from_name(NULL), TUSK_ERR_NONE);
	ck_assert_int_eq(tusk_error_kind_from_rpc_code(-32050), TUSK_ERR_INTERNAL);
	ck_assert_int_eq(tusk_error_kind_from_rpc_code(12345), TUSK_ERR_INTERNAL);
	ck_assert_str_eq(tusk_error_kind_name((TuskErrorKind)999), "internal");
	ck_assert_str_eq(tusk_error_type_name((TuskErrorType)999), "internal");
}
END_TEST

START_TEST(codes_and_names_are_unique)
{
	for (size_t i = 0; i < N_TABLE; i++)
		for (size_t j = i + 1; j < N_TABLE; j++) {
			ck_assert_int_ne(table[i].code, table[j].code);
			ck_assert_str_ne(table[i].name, table[j].name);
		}
}
END_TEST

START_TEST(seed_hints)
{
	ck_assert_str_eq(tusk_error_default_hint(TUSK_ERR_AUTHENTICATION_FAILED),
	                 "Check your username and password");
	ck_assert_str_eq(tusk_error_default_hint(TUSK_ERR_SSL),
	                 "Check SSL certificate configuration");
	ck_assert_str_eq(tusk_error_default_hint(TUSK_ERR_SSH), "Check SSH tunnel configuration");
	ck_assert_ptr_nonnull(strstr(tusk_error_default_hint(TUSK_ERR_KEYRING), "Secret Service"));
	ck_assert_ptr_nonnull(tusk_error_default_hint(TUSK_ERR_POOL_TIMEOUT));
	ck_assert_ptr_null(tusk_error_default_hint(TUSK_ERR_QUERY_FAILED));
}
END_TEST

START_TEST(set_formats_and_replaces)
{
	TuskError e = TUSK_ERROR_INIT;

	ck_assert_int_eq(
	    tusk_error_set(&e, TUSK_ERR_QUERY_TIMEOUT, "Query timeout after %ums", 500), -1);
	ck_assert_str_eq(tusk_error_message(&e), "Query timeout after 500ms");
	tusk_error_set_detail(&e, "statement_timeout is %s", "500ms");
	ck_assert_str_eq(e.detail, "statement_timeout is 500ms");

	/* A second set replaces everything, detail included. */
	tusk_error_set(&e, TUSK_ERR_AUTHENTICATION_FAILED, "password authentication failed");
	ck_assert_int_eq(e.kind, TUSK_ERR_AUTHENTICATION_FAILED);
	ck_assert_ptr_null(e.detail);
	ck_assert_str_eq(e.hint, "Check your username and password");
	tusk_error_set_hint(&e, "Ask the DBA");
	ck_assert_str_eq(e.hint, "Ask the DBA");

	tusk_error_clear(&e);
	ck_assert_int_eq(e.kind, TUSK_ERR_NONE);
	ck_assert_ptr_null(e.message);
	ck_assert_ptr_null(e.hint);

	/* Callers that do not want details pass NULL. */
	ck_assert_int_eq(tusk_error_set(NULL, TUSK_ERR_IO, "x"), -1);
	tusk_error_set_detail(NULL, "x");
	tusk_error_set_hint(NULL, "x");
	tusk_error_clear(NULL);
}
END_TEST

START_TEST(message_falls_back_to_kind)
{
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_QUERY_CANCELLED, NULL);
	ck_assert_str_eq(tusk_error_message(&e), "Query cancelled");
	tusk_error_set(&e, TUSK_ERR_NO_ACTIVE_CONNECTION, "%s", "");
	ck_assert_str_eq(tusk_error_message(&e), "No active connection");
	tusk_error_clear(&e);
	ck_assert_ptr_nonnull(tusk_error_message(NULL));
}
END_TEST

START_TEST(copy_and_move)
{
	TuskError a = TUSK_ERROR_INIT, b = TUSK_ERROR_INIT, c = TUSK_ERROR_INIT;
	tusk_error_set(&a, TUSK_ERR_QUERY_FAILED, "relation \"nope\" does not exist");
	a.code = strdup("42P01");
	a.position = 15;
	a.table_name = strdup("nope");
	a.source_function = strdup("parserOpenTable");

	ck_assert_int_eq(tusk_error_copy(&b, &a), 0);
	ck_assert_str_eq(b.message, a.message);
	ck_assert_ptr_ne(b.message, a.message);
	ck_assert_str_eq(b.code, "42P01");
	ck_assert_uint_eq(b.position, 15);
	ck_assert_str_eq(b.source_function, "parserOpenTable");

	tusk_error_set(&c, TUSK_ERR_IO, "old");
	tusk_error_move(&c, &b);
	ck_assert_int_eq(c.kind, TUSK_ERR_QUERY_FAILED);
	ck_assert_str_eq(c.table_name, "nope");
	ck_assert_int_eq(b.kind, TUSK_ERR_NONE);
	ck_assert_ptr_null(b.message);

	tusk_error_clear(&a);
	tusk_error_clear(&c);
}
END_TEST

START_TEST(rpc_json_round_trip_every_kind)
{
	TuskError e = TUSK_ERROR_INIT, back = TUSK_ERROR_INIT;
	tusk_error_set(&e, table[_i].kind, "something about %s", table[_i].name);
	tusk_error_set_detail(&e, "more");

	_cleanup_json_ json_t *rpc = tusk_error_to_rpc_json(&e);
	ck_assert_ptr_nonnull(rpc);
	ck_assert_int_eq(json_integer_value(json_object_get(rpc, "code")), table[_i].code);
	ck_assert_str_eq(json_string_value(json_object_get(rpc, "message")), e.message);
	json_t *data = json_object_get(rpc, "data");
	ck_assert_str_eq(json_string_value(json_object_get(data, "kind")), table[_i].name);
	ck_assert_str_eq(json_string_value(json_object_get(data, "error_type")), table[_i].type);
	ck_assert_str_eq(json_string_value(json_object_get(data, "detail")), "more");

	tusk_error_from_rpc_json(&back, rpc);
	ck_assert_int_eq(back.kind, table[_i].kind);
	ck_assert_str_eq(back.message, e.message);
	ck_assert_str_eq(back.detail, "more");
	tusk_error_clear(&e);
	tusk_error_clear(&back);
}
END_TEST

START_TEST(info_json_every_field)
{
	TuskError e = TUSK_ERROR_INIT, back = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_QUERY_FAILED, "m");
	tusk_error_set_detail(&e, "d");
	tusk_error_set_hint(&e, "h");
	e.position = 3;
	e.code = strdup("23503");
	e.severity = strdup("ERROR");
	e.context = strdup("ctx");
	e.schema_name = strdup("s");
	e.table_name = strdup("t");
	e.column_name = strdup("c");
	e.datatype_name = strdup("dt");
	e.constraint_name = strdup("fk");
	e.internal_position = 9;
	e.internal_query = strdup("iq");

	_cleanup_json_ json_t *info = tusk_error_info_to_json(&e);
	_cleanup_json_ json_t *want = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s}",
	    "error_type", "query", "kind", "query_failed", "message", "m", "detail", "d", "hint",
	    "h", "position", 3, "code", "23503", "severity", "ERROR", "context", "ctx", "schema",
	    "s", "table", "t", "column", "c", "datatype", "dt", "constraint", "fk",
	    "internal_position", 9, "internal_query", "iq");
	ck_assert_msg(json_equal(info, want), "%s", json_dumps(info, JSON_SORT_KEYS));

	_cleanup_json_ json_t *rpc = tusk_error_to_rpc_json(&e);
	tusk_error_from_rpc_json(&back, rpc);
	_cleanup_json_ json_t *info2 = tusk_error_info_to_json(&back);
	ck_assert(json_equal(info, info2));
	tusk_error_clear(&e);
	tusk_error_clear(&back);
}
END_TEST

START_TEST(info_json_omits_absent_fields)
{
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_QUERY_CANCELLED, NULL);
	_cleanup_json_ json_t *info = tusk_error_info_to_json(&e);
	ck_assert_uint_eq(json_object_size(info), 3); /* error_type, kind, message */
	ck_assert_str_eq(json_string_value(json_object_get(info, "message")), "Query cancelled");
	tusk_error_clear(&e);
}
END_TEST

START_TEST(rpc_json_degrades_gracefully)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_json_ json_t *bare =
	    json_pack("{s:i, s:s}", "code", -32601, "message", "Method not found: foo.bar");
	tusk_error_from_rpc_json(&e, bare);
	ck_assert_int_eq(e.kind, TUSK_ERR_METHOD_NOT_FOUND);
	ck_assert_str_eq(e.message, "Method not found: foo.bar");

	_cleanup_json_ json_t *odd = json_pack("{s:s, s:[]}", "code", "x", "data");
	tusk_error_from_rpc_json(&e, odd);
	ck_assert_int_eq(e.kind, TUSK_ERR_INTERNAL);
	ck_assert_ptr_nonnull(tusk_error_message(&e));

	/* The kind name wins over an unknown code from a newer daemon. */
	_cleanup_json_ json_t *newer =
	    json_pack("{s:i, s:s, s:{s:s, s:i}}", "code", -32099, "message", "m", "data", "kind",
	              "pool_timeout", "position", -4);
	tusk_error_from_rpc_json(&e, newer);
	ck_assert_int_eq(e.kind, TUSK_ERR_POOL_TIMEOUT);
	ck_assert_uint_eq(e.position, 0);

	tusk_error_from_rpc_json(&e, NULL);
	ck_assert_int_eq(e.kind, TUSK_ERR_INTERNAL);
	tusk_error_clear(&e);
}
END_TEST

START_TEST(from_sqlite_constraint)
{
	sqlite3 *db = NULL;
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
	                              "CREATE TABLE t(x INTEGER UNIQUE); INSERT INTO t VALUES(1)",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	int rc = sqlite3_exec(db, "INSERT INTO t VALUES(1)", NULL, NULL, NULL);
	ck_assert_int_eq(rc & 0xff, SQLITE_CONSTRAINT);

	ck_assert_int_eq(tusk_error_from_sqlite(&e, db, rc), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_STORAGE);
	ck_assert_str_eq(e.message, "UNIQUE constraint failed: t.x");
	ck_assert_ptr_nonnull(strstr(e.detail, "constraint failed"));
	ck_assert_str_eq(tusk_error_type_name(tusk_error_kind_type(e.kind)), "storage");

	rc = sqlite3_exec(db, "SELEC 1", NULL, NULL, NULL);
	tusk_error_from_sqlite(&e, db, rc);
	ck_assert_ptr_nonnull(strstr(e.message, "syntax error"));
	sqlite3_close(db);
	tusk_error_clear(&e);
}
END_TEST

START_TEST(from_sqlite_cannot_open)
{
	sqlite3 *db = NULL;
	TuskError e = TUSK_ERROR_INIT;
	int rc = sqlite3_open_v2("/nonexistent-tusk-dir/tusk.db", &db, SQLITE_OPEN_READWRITE, NULL);
	ck_assert_int_eq(rc, SQLITE_CANTOPEN);
	tusk_error_from_sqlite(&e, db, rc);
	ck_assert_int_eq(e.kind, TUSK_ERR_STORAGE);
	ck_assert_str_eq(e.message, "unable to open database file");
	sqlite3_close(db);

	/* Without a handle the result code alone still says something. */
	tusk_error_from_sqlite(&e, NULL, SQLITE_BUSY);
	ck_assert_str_eq(e.message, "database is locked");
	tusk_error_clear(&e);
}
END_TEST

START_TEST(from_errno_real_open)
{
	TuskError e = TUSK_ERROR_INIT;
	int fd = open("/nonexistent-tusk-dir/file", O_RDONLY | O_CLOEXEC);
	ck_assert_int_lt(fd, 0);
	ck_assert_int_eq(tusk_error_from_errno(&e, errno, "opening '/nonexistent-tusk-dir/file'"),
	                 -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_IO);
	ck_assert_str_eq(e.message,
	                 "opening '/nonexistent-tusk-dir/file': No such file or directory");
	/* Negative errno, as functions here return it, works the same. */
	tusk_error_from_errno(&e, -EACCES, NULL);
	ck_assert_str_eq(e.message, "Permission denied");
	tusk_error_clear(&e);
}
END_TEST

/* A server's text in another encoding (a SQL_ASCII session) still makes
 * an error object: the odd bytes become U+FFFD, the rest is kept. */
START_TEST(rpc_json_of_text_not_utf8)
{
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_QUERY_FAILED, "bad \xff byte \xc3(");
	tusk_error_set_hint(&e, "caf\xe9");
	json_t *j = tusk_error_to_rpc_json(&e);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "message")),
	                 "bad \xef\xbf\xbd byte \xef\xbf\xbd(");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "data"), "hint")),
	                 "caf\xef\xbf\xbd");
	json_decref(j);
	tusk_error_clear(&e);
}
END_TEST

START_TEST(from_json_parse_error)
{
	json_error_t jerr;
	TuskError e = TUSK_ERROR_INIT;
	json_t *j = json_loads("{\"a\": 1,\n \"b\": }", 0, &jerr);
	ck_assert_ptr_null(j);
	ck_assert_int_eq(tusk_error_from_json(&e, &jerr), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_SERIALIZATION);
	ck_assert_ptr_nonnull(strstr(e.message, jerr.text));
	ck_assert_ptr_nonnull(strstr(e.message, "line 2"));
	tusk_error_clear(&e);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("common-error");
	TCase *tc = tcase_create("taxonomy");
	tcase_add_test(tc, every_kind_is_in_the_table);
	tcase_add_loop_test(tc, kind_name_code_round_trip, 0, N_TABLE);
	tcase_add_test(tc, unknown_names_and_codes);
	tcase_add_test(tc, codes_and_names_are_unique);
	tcase_add_test(tc, seed_hints);
	tcase_add_test(tc, set_formats_and_replaces);
	tcase_add_test(tc, message_falls_back_to_kind);
	tcase_add_test(tc, copy_and_move);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_loop_test(tc, rpc_json_round_trip_every_kind, 0, N_TABLE);
	tcase_add_test(tc, info_json_every_field);
	tcase_add_test(tc, info_json_omits_absent_fields);
	tcase_add_test(tc, rpc_json_degrades_gracefully);
	tcase_add_test(tc, rpc_json_of_text_not_utf8);
	suite_add_tcase(s, tc);

	tc = tcase_create("libraries");
	tcase_add_test(tc, from_sqlite_constraint);
	tcase_add_test(tc, from_sqlite_cannot_open);
	tcase_add_test(tc, from_errno_real_open);
	tcase_add_test(tc, from_json_parse_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tt_run_suite(suite());
}
