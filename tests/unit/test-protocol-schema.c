/* The protocol schema: well formed, in step with common/error.h, covering
 * every method of this protocol version, and a validator that accepts good
 * values and names the first bad member of a bad one. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/jsonrpc.h"
#include "protocol/schema.h"
#include "tests/lib/tt-check.h"

static json_t *load(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
	ck_assert_msg(v != NULL, "bad test JSON %s: %s", text, jerr.text);
	return v;
}

START_TEST(schema_is_well_formed)
{
	TuskError e = TUSK_ERROR_INIT;
	const json_t *doc = tusk_schema();
	ck_assert_ptr_nonnull(doc);
	ck_assert_msg(tusk_schema_check(doc, &e) == 0, "%s", tusk_error_message(&e));
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "protocol_version")),
	                 TUSK_PROTOCOL_VERSION);
	/* Loaded once: the same object every time. */
	ck_assert_ptr_eq(tusk_schema(), doc);
	size_t len;
	const char *text = tusk_schema_text(&len);
	ck_assert_uint_gt(len, 1000);
	ck_assert_int_eq(text[0], '['); /* schema.json and schema.d/ fragments */
}
END_TEST

/* The wire codes and categories come from common/error.c; the schema
 * documents them. They must agree for every kind. */
START_TEST(errors_match_common)
{
	const json_t *errors = json_object_get(tusk_schema(), "errors");
	ck_assert_uint_eq(json_array_size(errors), _TUSK_ERR_KIND_MAX - 1);
	for (int k = TUSK_ERR_NONE + 1; k < _TUSK_ERR_KIND_MAX; k++) {
		const char *name = tusk_error_kind_name((TuskErrorKind)k);
		const json_t *found = NULL;
		size_t i;
		json_t *err;
		json_array_foreach(errors, i, err)
		{
			if (strcmp(json_string_value(json_object_get(err, "kind")), name) == 0)
				found = err;
		}
		ck_assert_msg(found != NULL, "kind %s missing from schema.json", name);
		ck_assert_msg(json_integer_value(json_object_get(found, "code")) ==
		                  tusk_error_rpc_code((TuskErrorKind)k),
		              "code of %s differs", name);
		const char *type = tusk_error_type_name(tusk_error_kind_type((TuskErrorKind)k));
		ck_assert_msg(
		    strcmp(json_string_value(json_object_get(found, "error_type")), type) == 0,
		    "error_type of %s: schema says %s, common/error.c %s", name,
		    json_string_value(json_object_get(found, "error_type")), type);
	}
}
END_TEST

static const char *const methods[] = {
    "daemon.hello",     "daemon.ping",        "daemon.status", "daemon.shutdown",
    "settings.get",     "settings.set",       "settings.list", "settings.reset",
    "events.subscribe", "events.unsubscribe", "debug.sleep",
};

START_TEST(every_method_is_described)
{
	const json_t *m = tusk_schema_method(methods[_i]);
	ck_assert_msg(m != NULL, "%s missing", methods[_i]);
	ck_assert_ptr_nonnull(json_object_get(m, "params"));
	ck_assert_ptr_nonnull(json_object_get(m, "result"));
	ck_assert(json_string_length(json_object_get(m, "summary")) > 0);
	ck_assert(json_is_array(json_object_get(m, "errors")));
}
END_TEST

START_TEST(unknown_names)
{
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_ptr_null(tusk_schema_method("daemon.nope"));
	ck_assert_ptr_null(tusk_schema_method(NULL));
	ck_assert_int_eq(tusk_schema_validate_params("daemon.nope", NULL, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_METHOD_NOT_FOUND);
	ck_assert_str_eq(tusk_error_message(&e), "unknown method \"daemon.nope\"");
	ck_assert_int_eq(tusk_schema_validate_result("daemon.nope", NULL, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_METHOD_NOT_FOUND);
	ck_assert_int_eq(tusk_schema_validate_notification("query.nope", NULL, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_METHOD_NOT_FOUND);
	tusk_error_clear(&e);
}
END_TEST

/* Params a client would send, each accepted. */
static const struct {
	const char *method;
	const char *params; /* NULL: absent */
} good_params[] = {
    {"daemon.hello", "{\"client\":\"tuskctl 0.1.0\",\"protocol_version\":1}"},
    {"daemon.hello", "{\"client\":\"x\",\"protocol_version\":2,\"future_field\":[1]}"},
    {"daemon.ping", NULL},
    {"daemon.ping", "{}"},
    {"daemon.status", NULL},
    {"daemon.shutdown", "{}"},
    {"settings.get", "{\"key\":\"pool.max_size\"}"},
    {"settings.set", "{\"key\":\"pool.max_size\",\"value\":10}"},
    {"settings.set", "{\"key\":\"ui.dark\",\"value\":true}"},
    {"settings.set", "{\"key\":\"ui.theme\",\"value\":\"dark\"}"},
    {"settings.list", NULL},
    {"settings.reset", "{\"key\":\"pool.max_size\"}"},
    {"events.subscribe", "{\"topics\":[\"connection\",\"query\",\"schema\",\"notify\"]}"},
    {"events.unsubscribe", "{\"topics\":[\"query\"]}"},
    {"debug.sleep", "{\"ms\":0}"},
    {"debug.sleep", "{\"ms\":60000}"},
};

START_TEST(good_params_pass)
{
	TuskError e = TUSK_ERROR_INIT;
	json_t *p = good_params[_i].params ? load(good_params[_i].params) : NULL;
	ck_assert_msg(tusk_schema_validate_params(good_params[_i].method, p, &e) == 0, "%s: %s",
	              good_params[_i].method, tusk_error_message(&e));
	json_decref(p);
}
END_TEST

/* Each kind of mismatch and the message that names it. */
static const struct {
	const char *method;
	const char *params;
	const char *message;
} bad_params[] = {
    /* type */
    {"daemon.hello", "{\"client\":5,\"protocol_version\":1}",
     "params.client: expected string, got integer"},
    {"debug.sleep", "{\"ms\":1.5}", "params.ms: expected integer, got number"},
    {"daemon.ping", "[]", "params: expected object, got array"},
    {"settings.set", "{\"key\":\"a\",\"value\":null}",
     "params.value: expected integer, boolean or string, got null"},
    {"settings.set", "{\"key\":\"a\",\"value\":[1]}",
     "params.value: expected integer, boolean or string, got array"},
    /* required: absent params are {} */
    {"daemon.hello", "{\"protocol_version\":1}", "params.client: missing required member"},
    {"settings.get", NULL, "params.key: missing required member"},
    /* additionalProperties */
    {"daemon.ping", "{\"x\":1}", "params.x: unknown member"},
    {"debug.sleep", "{\"ms\":1,\"extra\":true}", "params.extra: unknown member"},
    /* enum, inside an array through a $ref */
    {"events.subscribe", "{\"topics\":[\"query\",\"bogus\"]}",
     "params.topics[1]: \"bogus\" is not one of \"connection\", \"query\", \"schema\", "
     "\"notify\", \"config\", \"workspace\""},
    {"events.subscribe", "{\"topics\":\"query\"}", "params.topics: expected array, got string"},
    /* minimum / maximum */
    {"debug.sleep", "{\"ms\":-1}", "params.ms: -1 is less than the minimum 0"},
    {"debug.sleep", "{\"ms\":60001}", "params.ms: 60001 is greater than the maximum 60000"},
    {"daemon.hello", "{\"client\":\"c\",\"protocol_version\":0}",
     "params.protocol_version: 0 is less than the minimum 1"},
    /* minLength / maxLength */
    {"daemon.hello", "{\"client\":\"\",\"protocol_version\":1}",
     "params.client: 0 characters, fewer than the minimum 1"},
    /* minItems */
    {"events.unsubscribe", "{\"topics\":[]}", "params.topics: 0 items, fewer than the minimum 1"},
};

START_TEST(bad_params_named)
{
	TuskError e = TUSK_ERROR_INIT;
	json_t *p = bad_params[_i].params ? load(bad_params[_i].params) : NULL;
	ck_assert_int_eq(tusk_schema_validate_params(bad_params[_i].method, p, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_PARAMS);
	ck_assert_str_eq(tusk_error_message(&e), bad_params[_i].message);
	tusk_error_clear(&e);
	json_decref(p);
}
END_TEST

START_TEST(string_length_counts_characters)
{
	TuskError e = TUSK_ERROR_INIT;
	/* 256 two-byte characters: 512 bytes, but within maxLength 256. */
	char client[1024] = "";
	for (int i = 0; i < 256; i++)
		strcat(client, "\xC3\xA9");
	json_t *p = json_pack("{s:s, s:i}", "client", client, "protocol_version", 1);
	ck_assert_msg(tusk_schema_validate_params("daemon.hello", p, &e) == 0, "%s",
	              tusk_error_message(&e));
	json_decref(p);
	strcat(client, "a");
	p = json_pack("{s:s, s:i}", "client", client, "protocol_version", 1);
	ck_assert_int_eq(tusk_schema_validate_params("daemon.hello", p, &e), -1);
	ck_assert_str_eq(tusk_error_message(&e),
	                 "params.client: 257 characters, more than the maximum 256");
	tusk_error_clear(&e);
	json_decref(p);
}
END_TEST

/* A result of every method as the daemon would send it. */
static const struct {
	const char *method;
	const char *result;
} good_results[] = {
    {"daemon.hello", "{\"daemon\":\"tuskd\",\"version\":\"0.1.0\",\"protocol_version\":1,"
                     "\"capabilities\":[\"batch\"],\"keyring\":\"unavailable\",\"pid\":1234}"},
    {"daemon.ping", "{\"pong\":true,\"time_us\":123456789}"},
    {"daemon.status",
     "{\"version\":\"0.1.0\",\"pid\":1,\"uptime_ms\":5,\"clients\":1,\"requests_in_flight\":1,"
     "\"socket\":\"/run/user/0/tusk/tuskd.sock\",\"socket_activated\":false,"
     "\"data_dir\":\"/tmp/d\",\"log_file\":null,\"keyring\":\"unknown\","
     "\"storage\":{\"state\":\"memory\",\"path\":null,\"warning\":\"disk full\","
     "\"schema_version\":1,\"error\":{\"kind\":\"storage_error\",\"message\":\"not saved\"}},"
     "\"rss_bytes\":4096,"
     "\"workers\":{\"threads\":4,\"busy\":0,\"queued\":0}}"},
    {"daemon.shutdown", "{\"stopping\":true}"},
    {"settings.get", "{\"key\":\"pool.max_size\",\"value\":5,\"default\":5,\"type\":\"int\","
                     "\"description\":\"Backends per connection\",\"min\":1,\"max\":100}"},
    {"settings.set", "{\"key\":\"ui.theme\",\"value\":\"dark\",\"default\":\"system\","
                     "\"type\":\"string\",\"description\":\"Theme\","
                     "\"choices\":[\"system\",\"dark\",\"light\"]}"},
    {"settings.list", "{\"settings\":[]}"},
    {"settings.list", "{\"settings\":[{\"key\":\"a\",\"value\":true,\"default\":false,"
                      "\"type\":\"bool\",\"description\":\"d\"}]}"},
    {"settings.reset", "{\"key\":\"a\",\"value\":false,\"default\":false,\"type\":\"bool\","
                       "\"description\":\"d\"}"},
    {"events.subscribe", "{\"topics\":[\"query\",\"schema\"]}"},
    {"events.unsubscribe", "{\"topics\":[]}"},
    {"debug.sleep", "{\"slept_ms\":100}"},
};

START_TEST(good_results_pass)
{
	TuskError e = TUSK_ERROR_INIT;
	json_t *r = load(good_results[_i].result);
	ck_assert_msg(tusk_schema_validate_result(good_results[_i].method, r, &e) == 0, "%s: %s",
	              good_results[_i].method, tusk_error_message(&e));
	json_decref(r);
}
END_TEST

static const struct {
	const char *method;
	const char *result;
	const char *message;
} bad_results[] = {
    {"daemon.ping", "{\"pong\":false,\"time_us\":1}", "result.pong: false is not one of true"},
    {"daemon.ping", "{\"pong\":true}", "result.time_us: missing required member"},
    {"daemon.ping", "{\"pong\":true,\"time_us\":1,\"extra\":1}", "result.extra: unknown member"},
    {"daemon.hello",
     "{\"daemon\":\"tuskd\",\"version\":\"0.1.0\",\"protocol_version\":1,"
     "\"capabilities\":[],\"keyring\":\"open\",\"pid\":1}",
     "result.keyring: \"open\" is not one of \"ok\", \"locked\", \"unavailable\", \"unknown\""},
    {"daemon.status",
     "{\"version\":\"0.1.0\",\"pid\":1,\"uptime_ms\":5,\"clients\":1,\"requests_in_flight\":1,"
     "\"socket\":\"/s\",\"socket_activated\":false,\"data_dir\":\"/d\",\"log_file\":null,"
     "\"keyring\":\"ok\",\"storage\":{\"state\":\"bad\",\"path\":null,\"warning\":null,"
     "\"schema_version\":1,\"error\":null},\"rss_bytes\":1,"
     "\"workers\":{\"threads\":1,\"busy\":0,\"queued\":0}}",
     "result.storage.state: \"bad\" is not one of \"ok\", \"recovered\", \"memory\""},
    {"settings.list",
     "{\"settings\":[{\"key\":\"a\",\"value\":1,\"type\":\"int\","
     "\"description\":\"d\"}]}",
     "result.settings[0].default: missing required member"},
    {"settings.get",
     "{\"key\":\"a\",\"value\":1.5,\"default\":1,\"type\":\"int\","
     "\"description\":\"d\"}",
     "result.value: expected integer, boolean or string, got number"},
    {"daemon.shutdown", "[]", "result: expected object, got array"},
};

START_TEST(bad_results_named)
{
	TuskError e = TUSK_ERROR_INIT;
	json_t *r = load(bad_results[_i].result);
	ck_assert_int_eq(tusk_schema_validate_result(bad_results[_i].method, r, &e), -1);
	/* A bad result is the daemon's bug, not the caller's. */
	ck_assert_int_eq(e.kind, TUSK_ERR_INTERNAL);
	ck_assert_str_eq(tusk_error_message(&e), bad_results[_i].message);
	tusk_error_clear(&e);
	json_decref(r);
}
END_TEST

START_TEST(generic_validate)
{
	TuskError e = TUSK_ERROR_INIT;
	json_t *type = load("{\"type\":\"number\",\"minimum\":0.5,\"maximum\":2}");
	json_t *v = json_integer(1);
	ck_assert_int_eq(tusk_schema_validate(type, v, "x", &e), 0);
	json_decref(v);
	v = json_real(0.25);
	ck_assert_int_eq(tusk_schema_validate(type, v, "x", &e), -1);
	ck_assert_str_eq(tusk_error_message(&e), "x: 0.25 is less than the minimum 0.5");
	json_decref(v);
	v = json_integer(3);
	ck_assert_int_eq(tusk_schema_validate(type, v, "", &e), -1);
	ck_assert_str_eq(tusk_error_message(&e), "3 is greater than the maximum 2");
	json_decref(v);
	json_decref(type);

	/* $refs resolve against the protocol schema. */
	type = load("{\"$ref\":\"#/definitions/Topic\"}");
	v = json_string("schema");
	ck_assert_int_eq(tusk_schema_validate(type, v, "t", &e), 0);
	json_decref(v);
	v = json_string("nope");
	ck_assert_int_eq(tusk_schema_validate(type, v, "t", &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_PARAMS);
	json_decref(v);
	json_decref(type);

	/* Long values are cut short in messages. */
	type = load("{\"enum\":[\"a\"]}");
	char big[300];
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	v = json_string(big);
	ck_assert_int_eq(tusk_schema_validate(type, v, "s", &e), -1);
	ck_assert_uint_lt(strlen(tusk_error_message(&e)), 100);
	json_decref(v);
	json_decref(type);
	tusk_error_clear(&e);
}
END_TEST

/* Breaking a copy of the schema in each way the checker must notice. */
static const struct {
	const char *pointer; /* where to put the broken value: "methods/daemon.ping/result" */
	const char *value;
	const char *message;
} broken[] = {
    {"methods/daemon.ping/result", "{\"type\":\"object\",\"requried\":[]}",
     "methods.daemon.ping.result: unknown keyword \"requried\""},
    {"methods/daemon.ping/params", "{\"$ref\":\"#/definitions/Nope\"}",
     "methods.daemon.ping.params: \"$ref\" does not name an entry of definitions"},
    {"methods/daemon.ping/params", "{\"type\":\"strnig\"}",
     "methods.daemon.ping.params: unknown type \"strnig\""},
    {"methods/daemon.ping/params",
     "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"b\"]}",
     "methods.daemon.ping.params: required member \"b\" is not among the properties"},
    {"methods/daemon.ping/params",
     "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"minLength\":-1}}}",
     "methods.daemon.ping.params.properties.a: \"minLength\" must be a non-negative integer"},
    {"methods/daemon.ping/errors", "[\"no_such_kind\"]",
     "methods.daemon.ping.errors: item 0 is not a kind listed in errors"},
    {"methods/daemon.ping/summary", "\"\"", "methods.daemon.ping: needs a \"summary\""},
    {"methods/daemon.ping/extra", "1", "methods.daemon.ping: unknown member \"extra\""},
    {"methods/daemon.ping/persists", "1", "methods.daemon.ping: \"persists\" must be a boolean"},
    {"methods/daemon.ping/persists", "true",
     "methods.daemon.ping: a method that persists must list migration_error and storage_error"},
    {"definitions/Topic", "{\"$ref\":\"#/definitions/Topic\",\"type\":\"string\"}",
     "definitions.Topic: only \"description\" may stand beside \"$ref\""},
    {"notifications/query.rows", "{\"summary\":\"s\",\"params\":{},\"topic\":\"nope\"}",
     "notifications.query.rows: \"topic\" is not listed in topics"},
    {"protocol_version", "0", "schema: \"protocol_version\" must be a positive integer"},
};

START_TEST(checker_finds_breakage)
{
	json_t *doc = json_deep_copy(tusk_schema());
	char path[128];
	snprintf(path, sizeof(path), "%s", broken[_i].pointer);
	json_t *parent = doc;
	char *key = path, *slash;
	while ((slash = strchr(key, '/'))) {
		*slash = '\0';
		parent = json_object_get(parent, key);
		key = slash + 1;
	}
	ck_assert_ptr_nonnull(parent);
	json_object_set_new(parent, key, load(broken[_i].value));

	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tusk_schema_check(doc, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_INPUT);
	ck_assert_str_eq(tusk_error_message(&e), broken[_i].message);
	tusk_error_clear(&e);
	json_decref(doc);
}
END_TEST

START_TEST(checker_missing_result)
{
	json_t *doc = json_deep_copy(tusk_schema());
	json_object_del(json_object_get(json_object_get(doc, "methods"), "daemon.ping"), "result");
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tusk_schema_check(doc, &e), -1);
	ck_assert_str_eq(tusk_error_message(&e), "methods.daemon.ping: needs \"result\"");
	tusk_error_clear(&e);
	json_decref(doc);
}
END_TEST

/* Issue 16 item 4: what a self-checking tuskd refuses to send. The kinds a
 * saved connection with a tunnel or a keyring password can return are
 * documented where it can be opened, and a kind no list names is refused. */
START_TEST(error_kinds_documented)
{
	static const char *const opening[] = {"connection.open", "query.execute",
	                                      "connections.test"};
	static const TuskErrorKind saved[] = {TUSK_ERR_SSH, TUSK_ERR_KEYRING,
	                                      TUSK_ERR_CREDENTIAL_NOT_FOUND};
	TuskError e = TUSK_ERROR_INIT;
	for (size_t m = 0; m < 3; m++)
		for (size_t k = 0; k < 3; k++)
			ck_assert_msg(tusk_schema_validate_error(opening[m], saved[k], &e) == 0,
			              "%s: %s", opening[m], tusk_error_message(&e));
	ck_assert_int_eq(tusk_schema_validate_error("query.execute", TUSK_ERR_SERIALIZATION, &e),
	                 0);

	/* Every method that saves documents the refusal of a degraded daemon. */
	const char *name;
	json_t *m;
	int persisting = 0;
	json_object_foreach(json_object_get(tusk_schema(), "methods"), name, m)
	{
		if (!tusk_schema_method_persists(name))
			continue;
		persisting++;
		ck_assert_int_eq(tusk_schema_validate_error(name, TUSK_ERR_MIGRATION, &e), 0);
		ck_assert_int_eq(tusk_schema_validate_error(name, TUSK_ERR_STORAGE, &e), 0);
	}
	ck_assert_int_ge(persisting, 10);
	ck_assert(tusk_schema_method_persists("workspace.save"));
	ck_assert(!tusk_schema_method_persists("query.execute"));

	/* The common errors go with any method; anything else not listed is
	 * refused, naming the method and the kind. */
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(tusk_schema(), "common_errors"), i, k) ck_assert_int_eq(
	    tusk_schema_validate_error("daemon.ping",
	                               tusk_error_kind_from_name(json_string_value(k)), &e),
	    0);
	ck_assert_int_eq(tusk_schema_validate_error("daemon.ping", TUSK_ERR_CONFLICT, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INTERNAL);
	ck_assert_msg(strstr(tusk_error_message(&e), "daemon.ping") &&
	                  strstr(tusk_error_message(&e), "conflict"),
	              "%s", tusk_error_message(&e));
	tusk_error_clear(&e);
	ck_assert_int_eq(tusk_schema_validate_error("settings.set", TUSK_ERR_SSH, &e), -1);
	tusk_error_clear(&e);
}
END_TEST

static Suite *schema_suite(void)
{
	Suite *s = suite_create("protocol-schema");
	TCase *tc = tcase_create("document");
	tcase_add_test(tc, schema_is_well_formed);
	tcase_add_test(tc, errors_match_common);
	tcase_add_loop_test(tc, every_method_is_described, 0, sizeof(methods) / sizeof(methods[0]));
	tcase_add_test(tc, unknown_names);
	tcase_add_loop_test(tc, checker_finds_breakage, 0, sizeof(broken) / sizeof(broken[0]));
	tcase_add_test(tc, checker_missing_result);
	suite_add_tcase(s, tc);

	tc = tcase_create("validator");
	tcase_add_loop_test(tc, good_params_pass, 0, sizeof(good_params) / sizeof(good_params[0]));
	tcase_add_loop_test(tc, bad_params_named, 0, sizeof(bad_params) / sizeof(bad_params[0]));
	tcase_add_test(tc, string_length_counts_characters);
	tcase_add_loop_test(tc, good_results_pass, 0,
	                    sizeof(good_results) / sizeof(good_results[0]));
	tcase_add_loop_test(tc, bad_results_named, 0, sizeof(bad_results) / sizeof(bad_results[0]));
	tcase_add_test(tc, generic_validate);
	tcase_add_test(tc, error_kinds_documented);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tt_run_suite(schema_suite());
}
