/* Models: defaults, JSON round trips, and a validation error that names
 * the bad field for each field. */
#include "common/model-connection.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/model-group.h"
#include "common/model-query.h"
#include "protocol/schema.h"
#include "tests/lib/tt-check.h"

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	ck_assert_msg(j, "test JSON does not parse: %s: %s", jerr.text, text);
	return j;
}

/* A case of bad input: the JSON (for a patch: members merged over a valid
 * object) and the start of the message a person must see. */
struct bad_case {
	const char *json;
	const char *message;
};

/* base with the members of patch merged over it. */
static json_t *patched(const char *base, const char *patch)
{
	json_t *j = parse(base);
	_cleanup_json_ json_t *p = parse(patch);
	ck_assert_int_eq(json_object_update(j, p), 0);
	return j;
}

/* e is the INVALID_INPUT that c expects, its message starting as c says;
 * cleared after. */
static void expect_refused(TuskError *e, const struct bad_case *c)
{
	ck_assert_int_eq(e->kind, TUSK_ERR_INVALID_INPUT);
	ck_assert_msg(strncmp(e->message, c->message, strlen(c->message)) == 0, "%s: got \"%s\"",
	              c->json, e->message);
	tusk_error_clear(e);
}

/* --- connection config -------------------------------------------------- */

START_TEST(connection_defaults)
{
	_cleanup_connection_config_ TuskConnectionConfig *c =
	    tusk_connection_config_new("Local", "localhost", "postgres");
	TuskError e = TUSK_ERROR_INIT;

	ck_assert_ptr_nonnull(c);
	ck_assert(tusk_uuid_valid(c->id));
	ck_assert_str_eq(c->name, "Local");
	ck_assert_uint_eq(c->port, 5432);
	ck_assert_str_eq(c->username, "");
	ck_assert(!c->password_in_keyring);
	ck_assert_int_eq(c->ssl_mode, TUSK_SSL_PREFER);
	ck_assert_ptr_null(c->ssh_tunnel);
	ck_assert_ptr_null(c->color);
	ck_assert_ptr_null(c->group_id);
	ck_assert_uint_eq(c->options.connect_timeout_sec, 10);
	ck_assert_int_eq(c->options.statement_timeout_ms, -1);
	ck_assert_str_eq(c->options.application_name, "Tusk");
	ck_assert(!c->options.readonly);
	ck_assert_int_eq(tusk_connection_config_validate(c, &e), 0);
}
END_TEST

START_TEST(connection_minimal_json_takes_defaults)
{
	_cleanup_json_ json_t *j = parse("{\"name\":\"x\",\"host\":\"db\",\"database\":\"app\"}");
	_cleanup_connection_config_ TuskConnectionConfig *c = NULL;
	TuskError e = TUSK_ERROR_INIT;

	ck_assert_msg(tusk_connection_config_from_json(j, &c, &e) == 0, "%s", e.message);
	ck_assert(tusk_uuid_valid(c->id)); /* a new config gets an id */
	ck_assert_uint_eq(c->port, 5432);
	ck_assert_int_eq(c->ssl_mode, TUSK_SSL_PREFER);
	ck_assert_uint_eq(c->options.connect_timeout_sec, 10);
	ck_assert_str_eq(c->options.application_name, "Tusk");

	_cleanup_json_ json_t *out = tusk_connection_config_to_json(c);
	ck_assert_str_eq(json_string_value(json_object_get(out, "ssl_mode")), "prefer");
	ck_assert(json_is_null(json_object_get(out, "ssh_tunnel")));
	ck_assert(
	    json_is_null(json_object_get(json_object_get(out, "options"), "statement_timeout_ms")));
}
END_TEST

static const char *full_config =
    "{\"id\":\"0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7e\",\"name\":\"Production\","
    "\"color\":\"#e01b24\",\"group_id\":\"7d3c2b1a-0f9e-4d8c-b7a6-958473625140\","
    "\"host\":\"db.example.com\",\"port\":6432,\"database\":\"shop\",\"username\":\"alice\","
    "\"password_in_keyring\":true,\"ssl_mode\":\"verify_full\","
    "\"ssl_ca_cert\":\"/etc/ssl/ca.pem\",\"ssl_client_cert\":\"/home/a/client.crt\","
    "\"ssl_client_key\":\"/home/a/client.key\","
    "\"ssh_tunnel\":{\"enabled\":true,\"host\":\"bastion\",\"port\":2222,\"username\":\"ops\","
    "\"auth\":\"key\",\"key_path\":\"/home/a/.ssh/id_ed25519\",\"passphrase_in_keyring\":true},"
    "\"options\":{\"connect_timeout_sec\":30,\"statement_timeout_ms\":60000,"
    "\"application_name\":\"Tusk (prod)\",\"readonly\":true}}";

START_TEST(connection_full_round_trip)
{
	_cleanup_json_ json_t *in = parse(full_config);
	_cleanup_connection_config_ TuskConnectionConfig *c = NULL;
	TuskError e = TUSK_ERROR_INIT;

	ck_assert_msg(tusk_connection_config_from_json(in, &c, &e) == 0, "%s", e.message);
	ck_assert_str_eq(c->id, "0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7e");
	ck_assert_uint_eq(c->port, 6432);
	ck_assert_int_eq(c->ssl_mode, TUSK_SSL_VERIFY_FULL);
	ck_assert_uint_eq(c->ssh_tunnel->port, 2222);
	ck_assert_int_eq(c->ssh_tunnel->auth, TUSK_SSH_AUTH_KEY);
	ck_assert_int_eq(c->options.statement_timeout_ms, 60000);
	ck_assert(c->options.readonly);

	_cleanup_json_ json_t *out = tusk_connection_config_to_json(c);
	ck_assert_msg(json_equal(in, out), "%s", json_dumps(out, JSON_SORT_KEYS));

	_cleanup_connection_config_ TuskConnectionConfig *copy = tusk_connection_config_copy(c);
	_cleanup_json_ json_t *out2 = tusk_connection_config_to_json(copy);
	ck_assert(json_equal(in, out2));
}
END_TEST

START_TEST(connection_json_has_no_secret)
{
	_cleanup_json_ json_t *in = parse(full_config);
	_cleanup_connection_config_ TuskConnectionConfig *c = NULL;
	ck_assert_int_eq(tusk_connection_config_from_json(in, &c, NULL), 0);
	_cleanup_json_ json_t *out = tusk_connection_config_to_json(c);
	_cleanup_free_ char *text = json_dumps(out, 0);
	ck_assert_ptr_null(strstr(text, "\"password\""));
	ck_assert_ptr_null(strstr(text, "\"passphrase\""));
}
END_TEST

START_TEST(connection_libpq_sslmode_spelling)
{
	_cleanup_json_ json_t *j = parse("{\"name\":\"x\",\"host\":\"h\",\"database\":\"d\","
	                                 "\"ssl_mode\":\"verify-ca\"}");
	_cleanup_connection_config_ TuskConnectionConfig *c = NULL;
	ck_assert_int_eq(tusk_connection_config_from_json(j, &c, NULL), 0);
	ck_assert_int_eq(c->ssl_mode, TUSK_SSL_VERIFY_CA);
	_cleanup_json_ json_t *out = tusk_connection_config_to_json(c);
	ck_assert_str_eq(json_string_value(json_object_get(out, "ssl_mode")), "verify_ca");
	ck_assert_str_eq(tusk_ssl_mode_libpq_name(c->ssl_mode), "verify-ca");

	for (int m = 0; m < _TUSK_SSL_MODE_MAX; m++) {
		ck_assert_int_eq(tusk_ssl_mode_from_name(tusk_ssl_mode_name(m)), m);
		ck_assert_int_eq(tusk_ssl_mode_from_name(tusk_ssl_mode_libpq_name(m)), m);
	}
	ck_assert_int_eq(tusk_ssl_mode_from_name("allow"), -1);
	ck_assert_int_eq(tusk_ssh_auth_from_name("agent"), TUSK_SSH_AUTH_AGENT);
	ck_assert_int_eq(tusk_ssh_auth_from_name("kerberos"), -1);
}
END_TEST

/* Each case: members merged over a valid config, and the start of the
 * message the user must see. */
static const struct bad_case bad_connection[] = {
    {"{\"name\":\"\"}", "name: must not be empty"},
    {"{\"name\":null}", "name: required"},
    {"{\"name\":\"two\\nlines\"}", "name: must not contain control characters"},
    {"{\"name\":7}", "name: must be a string"},
    {"{\"id\":\"not-a-uuid\"}", "id: must be a UUID"},
    {"{\"color\":\"red\"}", "color: must be a colour"},
    {"{\"color\":\"#12345g\"}", "color: must be a colour"},
    {"{\"group_id\":\"123\"}", "group_id: must be a UUID"},
    {"{\"host\":\"\"}", "host: must not be empty"},
    {"{\"host\":5}", "host: must be a string"},
    {"{\"port\":0}", "port: must be an integer from 1 to 65535"},
    {"{\"port\":65536}", "port: must be an integer from 1 to 65535"},
    {"{\"port\":\"5432\"}", "port: must be an integer from 1 to 65535"},
    {"{\"port\":5432.5}", "port: must be an integer from 1 to 65535"},
    {"{\"database\":\"\"}", "database: must not be empty"},
    {"{\"username\":[]}", "username: must be a string"},
    {"{\"password_in_keyring\":\"yes\"}", "password_in_keyring: must be true or false"},
    {"{\"ssl_mode\":\"allow\"}", "ssl_mode: must be one of"},
    {"{\"ssl_ca_cert\":\"\"}", "ssl_ca_cert: must not be empty"},
    {"{\"ssl_client_cert\":1}", "ssl_client_cert: must be a string"},
    {"{\"ssl_client_cert\":null,\"ssl_client_key\":\"/k\"}",
     "ssl_client_key: needs ssl_client_cert"},
    {"{\"ssh_tunnel\":5}", "ssh_tunnel: must be an object"},
    {"{\"ssh_tunnel\":{\"enabled\":true,\"host\":\"b\",\"username\":\"u\",\"port\":0}}",
     "ssh_tunnel.port: must be an integer from 1 to 65535"},
    {"{\"ssh_tunnel\":{\"enabled\":true,\"username\":\"u\"}}",
     "ssh_tunnel.host: required when the tunnel is enabled"},
    {"{\"ssh_tunnel\":{\"enabled\":true,\"host\":\"b\",\"username\":\"u\",\"auth\":\"key\"}}",
     "ssh_tunnel.key_path: required when auth is \"key\""},
    {"{\"ssh_tunnel\":{\"auth\":\"kerberos\"}}", "ssh_tunnel.auth: must be one of"},
    {"{\"ssh_tunnel\":{\"enabled\":1}}", "ssh_tunnel.enabled: must be true or false"},
    {"{\"ssh_tunnel\":{\"password\":\"hunter2\"}}", "ssh_tunnel.password: unknown field"},
    {"{\"options\":[]}", "options: must be an object"},
    {"{\"options\":{\"connect_timeout_sec\":0}}",
     "options.connect_timeout_sec: must be an integer from 1 to 3600"},
    {"{\"options\":{\"connect_timeout_sec\":3601}}",
     "options.connect_timeout_sec: must be an integer from 1 to 3600"},
    {"{\"options\":{\"statement_timeout_ms\":-1}}",
     "options.statement_timeout_ms: must be an integer from 0 to 2147483647"},
    {"{\"options\":{\"application_name\":"
     "\"0123456789012345678901234567890123456789012345678901234567890123\"}}",
     "options.application_name: must be at most 63 bytes"},
    {"{\"options\":{\"readonly\":\"no\"}}", "options.readonly: must be true or false"},
    {"{\"options\":{\"fetch_size\":10}}", "options.fetch_size: unknown field"},
    {"{\"password\":\"hunter2\"}", "password: unknown field"},
};

START_TEST(connection_bad_field_named)
{
	_cleanup_json_ json_t *j = patched(full_config, bad_connection[_i].json);
	TuskConnectionConfig *c = NULL;
	TuskError e = TUSK_ERROR_INIT;

	ck_assert_int_eq(tusk_connection_config_from_json(j, &c, &e), -1);
	ck_assert_ptr_null(c);
	expect_refused(&e, &bad_connection[_i]);
}
END_TEST

START_TEST(connection_not_an_object)
{
	_cleanup_json_ json_t *j = parse("[1]");
	TuskConnectionConfig *c = NULL;
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tusk_connection_config_from_json(j, &c, &e), -1);
	ck_assert_str_eq(e.message, "connection config: must be a JSON object");
	tusk_error_clear(&e);
}
END_TEST

START_TEST(connection_validate_in_c)
{
	_cleanup_connection_config_ TuskConnectionConfig *c =
	    tusk_connection_config_new("n", "h", "d");
	TuskError e = TUSK_ERROR_INIT;

	c->port = 0;
	ck_assert_int_eq(tusk_connection_config_validate(c, &e), -1);
	ck_assert_str_eq(e.message, "port: must be an integer from 1 to 65535");
	c->port = 5432;
	c->ssl_mode = (TuskSslMode)42;
	tusk_connection_config_validate(c, &e);
	ck_assert_ptr_nonnull(strstr(e.message, "ssl_mode:"));
	c->ssl_mode = TUSK_SSL_DISABLE;
	c->options.statement_timeout_ms = 0; /* 0 means "no limit" to the server: valid */
	ck_assert_int_eq(tusk_connection_config_validate(c, &e), 0);

	/* A disabled tunnel may be left half filled in. */
	c->ssh_tunnel = tusk_ssh_tunnel_config_new();
	ck_assert_int_eq(tusk_connection_config_validate(c, &e), 0);
	c->ssh_tunnel->enabled = true;
	tusk_connection_config_validate(c, &e);
	ck_assert_str_eq(e.message, "ssh_tunnel.host: required when the tunnel is enabled");
	tusk_error_clear(&e);
}
END_TEST

START_TEST(keyring_keys)
{
	const char *id = "0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7e";
	_cleanup_free_ char *a = tusk_keyring_key_connection(id);
	_cleanup_free_ char *b = tusk_keyring_key_ssh(id);
	_cleanup_free_ char *c = tusk_keyring_key_ssh_passphrase(id);
	_cleanup_free_ char *upper =
	    tusk_keyring_key_connection("0B0E8F4E-5B8A-4C57-9D1E-2F3A4B5C6D7E");

	ck_assert_str_eq(a, "tusk:connection:0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7e");
	ck_assert_str_eq(b, "tusk:ssh:0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7e");
	ck_assert_str_eq(c, "tusk:ssh-passphrase:0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7e");
	ck_assert_str_eq(upper, a);
	ck_assert_ptr_null(tusk_keyring_key_connection("x"));
	ck_assert_ptr_null(tusk_keyring_key_connection(NULL));
}
END_TEST

/* --- groups ------------------------------------------------------------- */

START_TEST(group_round_trip)
{
	_cleanup_json_ json_t *in =
	    parse("{\"id\":\"7d3c2b1a-0f9e-4d8c-b7a6-958473625140\",\"name\":\"Staging\","
	          "\"parent_id\":\"0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7e\",\"sort_order\":-3,"
	          "\"color\":\"#33d17a\"}");
	_cleanup_connection_group_ TuskConnectionGroup *g = NULL;
	TuskError e = TUSK_ERROR_INIT;

	ck_assert_msg(tusk_connection_group_from_json(in, &g, &e) == 0, "%s", e.message);
	ck_assert_int_eq(g->sort_order, -3);
	_cleanup_json_ json_t *out = tusk_connection_group_to_json(g);
	ck_assert(json_equal(in, out));

	_cleanup_json_ json_t *minimal = parse("{\"name\":\"Top\"}");
	_cleanup_connection_group_ TuskConnectionGroup *m = NULL;
	ck_assert_int_eq(tusk_connection_group_from_json(minimal, &m, NULL), 0);
	ck_assert(tusk_uuid_valid(m->id));
	ck_assert_ptr_null(m->parent_id);
	ck_assert_int_eq(m->sort_order, 0);
}
END_TEST

static const struct bad_case bad_group[] = {
    {"{}", "name: required"},
    {"{\"name\":\"\"}", "name: must not be empty"},
    {"{\"name\":\"g\",\"parent_id\":\"nope\"}", "parent_id: must be a UUID"},
    {"{\"id\":\"7d3c2b1a-0f9e-4d8c-b7a6-958473625140\",\"name\":\"g\","
     "\"parent_id\":\"7D3C2B1A-0F9E-4D8C-B7A6-958473625140\"}",
     "parent_id: a group cannot be its own parent"},
    {"{\"name\":\"g\",\"sort_order\":2147483648}",
     "sort_order: must be an integer from -2147483648 to 2147483647"},
    {"{\"name\":\"g\",\"color\":\"blue\"}", "color: must be a colour"},
    {"{\"name\":\"g\",\"icon\":\"x\"}", "icon: unknown field"},
};

START_TEST(group_bad_field_named)
{
	_cleanup_json_ json_t *j = parse(bad_group[_i].json);
	TuskConnectionGroup *g = NULL;
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tusk_connection_group_from_json(j, &g, &e), -1);
	ck_assert_ptr_null(g);
	expect_refused(&e, &bad_group[_i]);
}
END_TEST

START_TEST(group_tree)
{
	TuskConnectionGroup *g[3];
	TuskError e = TUSK_ERROR_INIT;
	for (int i = 0; i < 3; i++)
		g[i] = tusk_connection_group_new("g");
	/* g0 ← g1 ← g2 */
	g[1]->parent_id = strdup(g[0]->id);
	g[2]->parent_id = strdup(g[1]->id);
	ck_assert_int_eq(tusk_connection_groups_check_tree(g, 3, &e), 0);

	g[0]->parent_id = strdup(g[2]->id); /* now a loop */
	ck_assert_int_eq(tusk_connection_groups_check_tree(g, 3, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.message, "form a loop"));

	free(g[0]->parent_id);
	g[0]->parent_id = strdup("11111111-2222-4333-8444-555555555555");
	ck_assert_int_eq(tusk_connection_groups_check_tree(g, 3, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.message, "does not exist"));
	for (int i = 0; i < 3; i++)
		tusk_connection_group_free(g[i]);
	tusk_error_clear(&e);
}
END_TEST

/* --- query models ------------------------------------------------------- */

static const struct {
	const char *tag;
	TuskQueryType type;
} tags[] = {
    {"SELECT 3", TUSK_QUERY_SELECT},     {"INSERT 0 5", TUSK_QUERY_INSERT},
    {"UPDATE 2", TUSK_QUERY_UPDATE},     {"DELETE 0", TUSK_QUERY_DELETE},
    {"CREATE TABLE", TUSK_QUERY_CREATE}, {"CREATE INDEX", TUSK_QUERY_CREATE},
    {"ALTER TABLE", TUSK_QUERY_ALTER},   {"DROP TABLE", TUSK_QUERY_DROP},
    {"COPY 10", TUSK_QUERY_OTHER},       {"BEGIN", TUSK_QUERY_OTHER},
    {"MERGE 1", TUSK_QUERY_OTHER},       {"TRUNCATE TABLE", TUSK_QUERY_OTHER},
    {"SELECTED 1", TUSK_QUERY_OTHER},    {"", TUSK_QUERY_OTHER},
    {"  select 1", TUSK_QUERY_SELECT},   {NULL, TUSK_QUERY_OTHER},
};

START_TEST(query_type_from_tag)
{
	ck_assert_msg(tusk_query_type_from_command_tag(tags[_i].tag) == tags[_i].type, "'%s'",
	              tags[_i].tag ? tags[_i].tag : "(null)");
}
END_TEST

START_TEST(enum_names)
{
	static const char *const status[] = {"disconnected", "connecting", "connected", "error"};
	static const char *const types[] = {"select", "insert", "update", "delete",
	                                    "create", "alter",  "drop",   "other"};
	for (int s = 0; s < _TUSK_CONNECTION_STATUS_MAX; s++) {
		ck_assert_str_eq(tusk_connection_status_name(s), status[s]);
		ck_assert_int_eq(tusk_connection_status_from_name(status[s]), s);
	}
	for (int t = 0; t < _TUSK_QUERY_TYPE_MAX; t++) {
		ck_assert_str_eq(tusk_query_type_name(t), types[t]);
		ck_assert_int_eq(tusk_query_type_from_name(types[t]), t);
	}
	ck_assert_int_eq(tusk_connection_status_from_name("broken"), -1);
	ck_assert_int_eq(tusk_query_type_from_name(NULL), -1);
}
END_TEST

static const char *full_entry =
    "{\"id\":\"11111111-2222-4333-8444-555555555555\","
    "\"connection_id\":\"0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7e\",\"database\":\"shop\","
    "\"sql\":\"UPDATE orders SET paid = true WHERE id = 7\","
    "\"executed_at\":\"2026-11-26T14:08:21.123456Z\",\"duration_ms\":12,"
    "\"rows\":1,\"query_type\":\"update\",\"status\":\"ok\",\"stop_reason\":null,"
    "\"error\":null}";

START_TEST(history_round_trip)
{
	_cleanup_json_ json_t *in = parse(full_entry);
	_cleanup_history_entry_ TuskQueryHistoryEntry *h = NULL;
	TuskError e = TUSK_ERROR_INIT;

	ck_assert_msg(tusk_query_history_entry_from_json(in, &h, &e) == 0, "%s", e.message);
	/* 2026-11-26T14:08:21.123456Z, computed independently with date(1). */
	ck_assert_int_eq(h->executed_at_us, INT64_C(1795702101123456));
	ck_assert_int_eq(h->query_type, TUSK_QUERY_UPDATE);
	ck_assert_int_eq(h->rows, 1);
	ck_assert_int_eq(h->status, TUSK_HISTORY_OK);
	ck_assert_int_eq(h->stop_reason, TUSK_STOP_NONE);
	ck_assert_ptr_null(h->error);
	_cleanup_json_ json_t *out = tusk_query_history_entry_to_json(h);
	ck_assert_msg(json_equal(in, out), "%s", json_dumps(out, JSON_SORT_KEYS));
}
END_TEST

START_TEST(history_failed_query_and_offsets)
{
	_cleanup_json_ json_t *in = parse(
	    "{\"id\":\"11111111-2222-4333-8444-555555555555\","
	    "\"connection_id\":\"0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7e\",\"database\":\"shop\","
	    "\"sql\":\"SELEC 1\",\"executed_at\":\"2026-11-26T15:08:21+01:00\","
	    "\"duration_ms\":0,\"status\":\"error\","
	    "\"error\":\"syntax error at or near \\\"SELEC\\\"\"}");
	_cleanup_history_entry_ TuskQueryHistoryEntry *h = NULL;
	ck_assert_int_eq(tusk_query_history_entry_from_json(in, &h, NULL), 0);
	ck_assert_int_eq(h->executed_at_us, INT64_C(1795702101000000));
	ck_assert_int_eq(h->rows, -1);
	ck_assert_int_eq(h->query_type, TUSK_QUERY_OTHER);
	_cleanup_json_ json_t *out = tusk_query_history_entry_to_json(h);
	ck_assert_str_eq(json_string_value(json_object_get(out, "executed_at")),
	                 "2026-11-26T14:08:21.000000Z");
	ck_assert(json_is_null(json_object_get(out, "rows")));
	ck_assert(json_is_null(json_object_get(out, "stop_reason")));
	ck_assert_str_eq(json_string_value(json_object_get(out, "error")),
	                 "syntax error at or near \"SELEC\"");
}
END_TEST

static const struct bad_case bad_entry[] = {
    {"{\"id\":\"x\"}", "id: must be a UUID"},
    {"{\"connection_id\":7}", "connection_id: must be a string"},
    {"{\"sql\":3}", "sql: must be a string"},
    {"{\"sql\":null}", "sql: required"},
    {"{\"executed_at\":\"yesterday\"}", "executed_at: must be an ISO-8601 time"},
    {"{\"executed_at\":\"2025-02-29T00:00:00Z\"}", "executed_at: must be an ISO-8601 time"},
    {"{\"duration_ms\":-1}", "duration_ms: must be an integer from 0"},
    {"{\"duration_ms\":null}", "duration_ms: required"},
    {"{\"rows\":-2}", "rows: must be an integer from 0"},
    {"{\"query_type\":\"truncate\"}", "query_type: must be one of"},
    {"{\"status\":null}", "status: required"},
    {"{\"status\":\"timeout\"}", "status: must be one of ok, error, cancelled"},
    {"{\"stop_reason\":\"crash\"}", "stop_reason: must be one of"},
    {"{\"stop_reason\":\"timeout\"}", "stop_reason: only a cancelled execution has one"},
    {"{\"execution_time_ms\":3}", "execution_time_ms: unknown field"},
    {"{\"params\":[]}", "params: unknown field"},
};

START_TEST(history_bad_field_named)
{
	_cleanup_json_ json_t *j = patched(full_entry, bad_entry[_i].json);
	TuskQueryHistoryEntry *h = NULL;
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tusk_query_history_entry_from_json(j, &h, &e), -1);
	ck_assert_ptr_null(h);
	expect_refused(&e, &bad_entry[_i]);
}
END_TEST

START_TEST(history_new)
{
	_cleanup_history_entry_ TuskQueryHistoryEntry *h = tusk_query_history_entry_new(
	    "0b0e8f4e-5b8a-4c57-9d1e-2f3a4b5c6d7e", "shop", "SELECT 1");
	TuskError e = TUSK_ERROR_INIT;
	ck_assert(tusk_uuid_valid(h->id));
	ck_assert_int_eq(tusk_query_history_entry_validate(h, &e), 0);
	ck_assert_int_gt(h->executed_at_us, INT64_C(1700000000000000));
}
END_TEST

/* A cancelled entry keeps why, and the JSON is the protocol's HistoryEntry. */
START_TEST(history_stop_reason_round_trip)
{
	_cleanup_json_ json_t *in = parse(full_entry);
	json_object_set_new(in, "status", json_string("cancelled"));
	json_object_set_new(in, "stop_reason", json_string("timeout"));
	json_object_set_new(in, "connection_id", json_string("transient:abc"));
	json_object_set_new(in, "database", json_null());
	_cleanup_history_entry_ TuskQueryHistoryEntry *h = NULL;
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_msg(tusk_query_history_entry_from_json(in, &h, &e) == 0, "%s", e.message);
	ck_assert_int_eq(h->status, TUSK_HISTORY_CANCELLED);
	ck_assert_int_eq(h->stop_reason, TUSK_STOP_TIMEOUT);
	ck_assert_ptr_null(h->database);
	_cleanup_json_ json_t *out = tusk_query_history_entry_to_json(h);
	ck_assert_msg(json_equal(in, out), "%s", json_dumps(out, JSON_SORT_KEYS));
	TuskError v = TUSK_ERROR_INIT;
	_cleanup_json_ json_t *ref = json_pack("{s:s}", "$ref", "#/definitions/HistoryEntry");
	ck_assert_msg(tusk_schema_validate(ref, out, "entry", &v) == 0, "%s",
	              tusk_error_message(&v));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("common-models");
	TCase *tc = tcase_create("connection");
	tcase_add_test(tc, connection_defaults);
	tcase_add_test(tc, connection_minimal_json_takes_defaults);
	tcase_add_test(tc, connection_full_round_trip);
	tcase_add_test(tc, connection_json_has_no_secret);
	tcase_add_test(tc, connection_libpq_sslmode_spelling);
	tcase_add_loop_test(tc, connection_bad_field_named, 0,
	                    sizeof(bad_connection) / sizeof(bad_connection[0]));
	tcase_add_test(tc, connection_not_an_object);
	tcase_add_test(tc, connection_validate_in_c);
	tcase_add_test(tc, keyring_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("group");
	tcase_add_test(tc, group_round_trip);
	tcase_add_loop_test(tc, group_bad_field_named, 0, sizeof(bad_group) / sizeof(bad_group[0]));
	tcase_add_test(tc, group_tree);
	suite_add_tcase(s, tc);

	tc = tcase_create("query");
	tcase_add_loop_test(tc, query_type_from_tag, 0, sizeof(tags) / sizeof(tags[0]));
	tcase_add_test(tc, enum_names);
	tcase_add_test(tc, history_round_trip);
	tcase_add_test(tc, history_failed_query_and_offsets);
	tcase_add_loop_test(tc, history_bad_field_named, 0,
	                    sizeof(bad_entry) / sizeof(bad_entry[0]));
	tcase_add_test(tc, history_new);
	tcase_add_test(tc, history_stop_reason_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tt_run_suite(suite());
}
