/* The request builders of protocol/req.h: each one's params, with every
 * member it can set and with only the required ones, are valid for its
 * method under the protocol schema, and carry what was given. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/req.h"
#include "protocol/schema.h"
#include "tests/lib/tt-check.h"

#define UUID "0b5c8a9e-3f1d-4c2a-9e7b-1a2b3c4d5e6f"

struct built {
	const char *method;
	json_t *params;
};

static json_t *tabs(void)
{
	return json_pack("[{s:s, s:s, s:n, s:s, s:i, s:n, s:n, s:i, s:n}]", "id", "t1", "title",
	                 "Query 1", "connection_id", "sql", "select 1", "cursor", 0, "selection",
	                 "context", "order", 0, "last_query_id");
}

/* Every builder, fully set and minimal. */
static struct built build(int i)
{
	switch (i) {
	case 0:
		return (struct built){TUSK_M_DAEMON_HELLO, tusk_req_daemon_hello("test", 1)};
	case 1:
		return (struct built){TUSK_M_SETTINGS_GET, tusk_req_settings_key("pool.max_size")};
	case 2:
		return (struct built){TUSK_M_SETTINGS_RESET,
		                      tusk_req_settings_key("pool.max_size")};
	case 3:
		return (struct built){TUSK_M_SETTINGS_SET,
		                      tusk_req_settings_set("pool.max_size", json_integer(4))};
	case 4:
		return (struct built){TUSK_M_EVENTS_SUBSCRIBE, tusk_req_events_topics(json_pack(
		                                                   "[s, s]", "query", "config"))};
	case 5:
		return (struct built){TUSK_M_EVENTS_UNSUBSCRIBE, tusk_req_events_topic("notify")};
	case 6:
		return (struct built){TUSK_M_CONNECTIONS_GET, tusk_req_connection_id("prod", NULL)};
	case 7:
		return (struct built){
		    TUSK_M_CONNECTION_OPEN,
		    tusk_req_connection_id("prod",
		                           json_pack("{s:s}", "SSH_AUTH_SOCK", "/tmp/agent"))};
	case 8:
		return (struct built){
		    TUSK_M_CONNECTIONS_TEST,
		    tusk_req_connection_conninfo("postgresql://u@h/db",
		                                 json_pack("{s:s}", "PGPORT", "5433"))};
	case 9:
		return (struct built){TUSK_M_CONNECTION_OPEN,
		                      tusk_req_connection_conninfo("host=h dbname=db", NULL)};
	case 10:
		return (struct built){TUSK_M_CONNECTION_CLOSE,
		                      tusk_req_connection_id("prod", NULL)};
	case 11:
		return (struct built){TUSK_M_CONNECTIONS_DELETE,
		                      tusk_req_connection_id("prod", NULL)};
	case 12:
		return (struct built){
		    TUSK_M_CONNECTIONS_SAVE,
		    tusk_req_connections_save(json_pack("{s:s, s:s, s:i, s:s, s:s}", "name", "prod",
		                                        "host", "localhost", "port", 5432,
		                                        "database", "app", "username", "app"))};
	case 13:
		return (struct built){TUSK_M_CONNECTIONS_IMPORT,
		                      tusk_req_connections_import(&(TuskReqConnectionsImport){
		                          .source = "postgresql://u@h/db",
		                          .env = json_pack("{s:s}", "PGUSER", "u"),
		                          .dry_run = true,
		                          .name = "n",
		                          .color = "#c0392b",
		                          .readonly = true,
		                          .group_id = json_string(UUID)})};
	case 14:
		return (struct built){
		    TUSK_M_CONNECTIONS_IMPORT,
		    tusk_req_connections_import(&(TuskReqConnectionsImport){.service = "shop"})};
	case 15:
		return (struct built){TUSK_M_CREDENTIALS_SET,
		                      tusk_req_credentials_set(UUID, "password", "secret")};
	case 16:
		return (struct built){TUSK_M_CREDENTIALS_SET,
		                      tusk_req_credentials_set(UUID, NULL, "s")};
	case 17:
		return (struct built){TUSK_M_CREDENTIALS_DELETE,
		                      tusk_req_credentials_target(UUID, "ssh_password")};
	case 18:
		return (struct built){TUSK_M_CREDENTIALS_HAS,
		                      tusk_req_credentials_target(UUID, NULL)};
	case 19:
		return (struct built){TUSK_M_SSH_TRUST_HOST_KEY,
		                      tusk_req_ssh_trust_host_key("c1", "SHA256:abc")};
	case 20:
		return (struct built){TUSK_M_QUERY_EXECUTE,
		                      tusk_req_query_execute(&(TuskReqQueryExecute){
		                          .connection_id = "c1",
		                          .env = json_pack("{s:s}", "SSH_AUTH_SOCK", "/a"),
		                          .sql = "select $1",
		                          .params = json_pack("[s]", "x"),
		                          .context = "tab-1",
		                          .store = true,
		                          .query_id = "q1",
		                          .timeout_ms = 1000,
		                          .max_rows = 10,
		                          .batch_rows = 100,
		                          .typed = true})};
	case 21:
		return (struct built){
		    TUSK_M_QUERY_EXECUTE,
		    tusk_req_query_execute(&(TuskReqQueryExecute){
		        .conninfo = "", .sql = "select 1", .render = "csv", .inline_reply = true})};
	case 22:
		return (struct built){TUSK_M_QUERY_CANCEL, tusk_req_query_id("q1")};
	case 23:
		return (struct built){TUSK_M_QUERY_CLOSE, tusk_req_query_id("q1")};
	case 24:
		return (struct built){TUSK_M_QUERY_FETCH,
		                      tusk_req_query_fetch(&(TuskReqQueryFetch){.query_id = "q1",
		                                                                .result_index = 1,
		                                                                .offset = 100,
		                                                                .limit = 50,
		                                                                .typed = true})};
	case 25:
		return (struct built){TUSK_M_QUERY_FETCH,
		                      tusk_req_query_fetch(&(TuskReqQueryFetch){.query_id = "q1"})};
	case 26:
		return (struct built){TUSK_M_QUERY_EXPORT,
		                      tusk_req_query_export("q1", 1, "csv", "/tmp/x.csv", "e1")};
	case 27:
		return (struct built){TUSK_M_QUERY_EXPORT_CANCEL,
		                      tusk_req_query_export_cancel("e1")};
	case 28:
		return (struct built){TUSK_M_SCHEMA_GET, tusk_req_schema_get(&(TuskReqSchemaGet){
		                                             .connection_id = "c1",
		                                             .schema = "public",
		                                             .kind = "table",
		                                             .pattern = "ord*",
		                                             .include_system = true,
		                                             .offset = 100})};
	case 29:
		return (struct built){TUSK_M_SCHEMA_GET, tusk_req_schema_get(&(TuskReqSchemaGet){
		                                             .connection_id = "c1"})};
	case 30:
		return (struct built){TUSK_M_SCHEMA_REFRESH,
		                      tusk_req_schema_refresh("c1", "public")};
	case 31:
		return (struct built){TUSK_M_SCHEMA_DESCRIBE,
		                      tusk_req_schema_describe("c1", "orders", "table")};
	case 32:
		return (struct built){
		    TUSK_M_SCHEMA_COMPLETE,
		    tusk_req_schema_complete("c1", "ord", "select * from ", 14, 200)};
	case 33:
		return (struct built){TUSK_M_SCHEMA_COMPLETE,
		                      tusk_req_schema_complete("c1", "", NULL, -1, 0)};
	case 34:
		return (struct built){TUSK_M_GROUPS_SAVE,
		                      tusk_req_groups_save(tusk_req_group_new("work", 2, "#c0392b",
		                                                              json_string(UUID)))};
	case 35:
		return (struct built){TUSK_M_GROUPS_DELETE, tusk_req_groups_delete("g1")};
	case 36:
		return (struct built){
		    TUSK_M_HISTORY_LIST,
		    tusk_req_history_list(&(TuskReqHistoryList){.connection_id = "c1",
		                                                .search = "orders",
		                                                .status = "error",
		                                                .stop_reason = "timeout",
		                                                .limit = 20,
		                                                .offset = 40})};
	case 37:
		return (struct built){TUSK_M_HISTORY_LIST,
		                      tusk_req_history_list(&(TuskReqHistoryList){0})};
	case 38:
		return (struct built){TUSK_M_HISTORY_DELETE, tusk_req_history_delete("h1")};
	case 39:
		return (struct built){TUSK_M_HISTORY_CLEAR, tusk_req_history_clear("c1")};
	case 40:
		return (struct built){TUSK_M_HISTORY_CLEAR, tusk_req_history_clear(NULL)};
	case 41:
		return (struct built){TUSK_M_WORKSPACE_GET, tusk_req_workspace_get("default")};
	case 42:
		return (struct built){TUSK_M_WORKSPACE_GET, tusk_req_workspace_get(NULL)};
	case 43:
		return (struct built){TUSK_M_WORKSPACE_SAVE,
		                      tusk_req_workspace_save("w", tabs(), 3, true)};
	case 44:
		return (struct built){TUSK_M_NOTIFY_LISTEN,
		                      tusk_req_notify_channel("c1", "orders")};
	case 45:
		return (struct built){TUSK_M_NOTIFY_UNLISTEN,
		                      tusk_req_notify_channel("c1", "orders")};
	case 46:
		return (struct built){TUSK_M_CONNECTION_STATUS, tusk_req_connection_id("c1", NULL)};
	case 47:
		return (struct built){
		    TUSK_M_CONNECTIONS_TEST,
		    tusk_req_connections_test_config(
		        json_pack("{s:s, s:s, s:i, s:s, s:s}", "name", "new", "host", "localhost",
		                  "port", 5432, "database", "app", "username", "app"),
		        "typed-secret", "typed-ssh-secret", "typed-key-passphrase")};
	case 48:
		return (struct built){TUSK_M_QUERY_COPY_DATA,
		                      tusk_req_query_copy_data("q1", "YQ==")};
	case 49:
		return (struct built){TUSK_M_QUERY_COPY_END, tusk_req_query_id("q1")};
	case 50:
		return (struct built){TUSK_M_QUERY_COPY_FAIL,
		                      tusk_req_query_copy_fail("q1", "cannot read the input")};
	case 51:
		return (struct built){
		    TUSK_M_SSH_TRUST_HOST_KEY,
		    tusk_req_ssh_trust_host_key_at("ssh.example", 2222, "SHA256:abc")};
	case 52:
		return (struct built){TUSK_M_CONTEXT_RELEASE,
		                      tusk_req_context_release("c1", "tab:1", false)};
	case 53:
		return (struct built){TUSK_M_CONTEXT_RELEASE,
		                      tusk_req_context_release("c1", "tab:1", true)};
	}
	return (struct built){NULL, NULL};
}
#define NBUILT 54

START_TEST(builder_output_is_valid)
{
	struct built b = build(_i);
	ck_assert_ptr_nonnull(b.method);
	ck_assert_msg(json_is_object(b.params), "%s: params are an object", b.method);
	TuskError e = TUSK_ERROR_INIT;
	char *text = json_dumps(b.params, JSON_COMPACT);
	ck_assert_msg(tusk_schema_validate_params(b.method, b.params, &e) == 0, "%s %s: %s",
	              b.method, text, tusk_error_message(&e));
	free(text);
	json_decref(b.params);
}
END_TEST

/* What was given is what goes out. */
START_TEST(builders_carry_values)
{
	struct built b = build(20);
	ck_assert_str_eq(json_string_value(json_object_get(b.params, "mode")), "store");
	ck_assert_str_eq(json_string_value(json_object_get(b.params, "context")), "tab-1");
	ck_assert_int_eq(json_integer_value(json_object_get(b.params, "max_rows")), 10);
	json_decref(b.params);
	b = build(21);
	ck_assert_ptr_null(json_object_get(b.params, "mode"));
	ck_assert_ptr_null(json_object_get(b.params, "connection_id"));
	ck_assert_str_eq(json_string_value(json_object_get(b.params, "conninfo")), "");
	json_decref(b.params);
	b = build(13);
	ck_assert(json_is_false(json_object_get(b.params, "save")));
	ck_assert_str_eq(json_string_value(json_object_get(b.params, "group_id")), UUID);
	json_decref(b.params);
	b = build(14);
	ck_assert(json_is_true(json_object_get(b.params, "save")));
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_object_get(b.params, "source"), "service")),
	    "shop");
	json_decref(b.params);
	b = build(32);
	ck_assert_int_eq(json_integer_value(json_object_get(b.params, "cursor")), 14);
	json_decref(b.params);
	b = build(33);
	ck_assert_ptr_null(json_object_get(b.params, "cursor"));
	json_decref(b.params);
}
END_TEST

/* Every method a client sends has a builder here (daemon.ping and the
 * other methods without params excepted). */
START_TEST(every_method_with_params_is_built)
{
	const json_t *methods = json_object_get(tusk_schema(), "methods");
	const char *name;
	const json_t *m;
	json_object_foreach((json_t *)methods, name, m)
	{
		const json_t *p = json_object_get(m, "params");
		const char *ref = json_string_value(json_object_get(p, "$ref"));
		bool none = (ref && strcmp(ref, "#/definitions/NoParams") == 0) ||
		            (json_is_object(json_object_get(p, "properties")) &&
		             json_object_size(json_object_get(p, "properties")) == 0) ||
		            strncmp(name, "debug.", 6) == 0;
		if (none)
			continue;
		bool found = false;
		for (int i = 0; i < NBUILT && !found; i++) {
			struct built b = build(i);
			found = strcmp(b.method, name) == 0;
			json_decref(b.params);
		}
		ck_assert_msg(found, "method %s has no request builder in protocol/req.h", name);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("protocol-req");
	TCase *tc = tcase_create("builders");
	tcase_add_loop_test(tc, builder_output_is_valid, 0, NBUILT);
	tcase_add_test(tc, builders_carry_values);
	tcase_add_test(tc, every_method_with_params_is_built);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
