/* Saved connections and groups through a real tuskd: connections.import of
 * URIs, conninfo strings and pg_service.conf services (a real file written
 * here, found through the env the request carries), CRUD, validation errors
 * that name the field, group nesting and deletion, and that an imported
 * password reaches neither tusk.db nor the daemon's logs. The keyring is
 * made unavailable (no session bus), so secrets go to the daemon's memory
 * fallback; the keyring suite covers the Secret Service itself. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/lib/tt-grep.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

#define URI_PASSWORD     "Imp0rted-Pw-7f3a"
#define SERVICE_PASSWORD "Serv1ce-Pw-91c2"

static struct tt_daemon d;
static int fd = -1;
static int next_id = 1;
static char svcfile[400];

static void setup(void)
{
	static const char *const env[] = {"DBUS_SESSION_BUS_ADDRESS=",
	                                  "DISPLAY=",
	                                  "TUSK_LOG=trace",
	                                  "PGSERVICEFILE=",
	                                  "PGSYSCONFDIR=",
	                                  NULL};
	fd = tt_daemon_open(&d, env);
	snprintf(svcfile, sizeof(svcfile), "%s/pg_service.conf", d.dir);
	FILE *f = fopen(svcfile, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[reporting]\n"
	      "host=reports.example.com\n"
	      "port=6432\n"
	      "dbname=warehouse\n"
	      "user=analyst\n"
	      "password=" SERVICE_PASSWORD "\n"
	      "sslmode=verify-ca\n"
	      "sslrootcert=/etc/ssl/reports-ca.pem\n"
	      "options=-c default_transaction_read_only=on\n",
	      f);
	fclose(f);
}

static void teardown(void)
{
	tt_daemon_close(&d, fd);
}

static json_t *call(const char *method, json_t *params)
{
	return tt_call(fd, next_id++, method, params);
}

/* The result of a call that must succeed (borrowed from *reply). */
static json_t *ok(json_t *reply, const char *method)
{
	json_t *err = json_object_get(reply, "error");
	ck_assert_msg(!err, "%s failed: %s", method,
	              json_string_value(json_object_get(err, "message")));
	return json_object_get(reply, "result");
}

/* A call that must fail with code and a message containing text. */
static void expect_error(const char *method, json_t *params, int code, const char *text)
{
	json_t *reply = call(method, params);
	const char *msg =
	    json_string_value(json_object_get(json_object_get(reply, "error"), "message"));
	ck_assert_msg(tt_error_code(reply) == code, "%s: expected error %d, got %d (%s)", method,
	              code, tt_error_code(reply), msg ? msg : "no error");
	ck_assert_msg(msg && strstr(msg, text), "%s: message \"%s\" lacks \"%s\"", method,
	              msg ? msg : "", text);
	json_decref(reply);
}

static const char *cfg_str(const json_t *c, const char *key)
{
	return json_string_value(json_object_get(c, key));
}

static json_int_t cfg_int(const json_t *c, const char *key)
{
	return json_integer_value(json_object_get(c, key));
}

static bool has_item(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

static void assert_secret_nowhere(const char *secret)
{
	char where[1024] = "";
	/* Whatever sits in the WAL counts too: every file of the daemon's
	 * data, state (logs), cache and run dirs, and its stderr. */
	ck_assert_msg(!tt_tree_contains(d.dir, secret, svcfile, where, sizeof(where)),
	              "the password is in %s", where);
}

static bool has_password(const char *id)
{
	json_t *reply = call("credentials.has",
	                     json_pack("{s:s, s:s}", "connection_id", id, "kind", "password"));
	json_t *r = ok(reply, "credentials.has");
	bool has = json_is_true(json_object_get(r, "present"));
	json_decref(reply);
	return has;
}

START_TEST(import_uri_with_password)
{
	json_t *reply = call("connections.import",
	                     json_pack("{s:s}", "source",
	                               "postgresql://alice:" URI_PASSWORD "@db.example.com:6543/"
	                               "sales?sslmode=require&application_name=nightly"
	                               "&target_session_attrs=read-write"));
	json_t *r = ok(reply, "connections.import");
	json_t *c = json_object_get(r, "config");
	ck_assert(json_is_true(json_object_get(r, "saved")));
	ck_assert(json_is_true(json_object_get(r, "password_found")));
	/* No session bus: the daemon's memory fallback, and it says so. */
	ck_assert(json_is_true(json_object_get(r, "password_in_memory")));
	ck_assert(json_is_true(json_object_get(c, "password_in_keyring")));
	ck_assert_str_eq(cfg_str(c, "name"), "alice@db.example.com/sales");
	ck_assert_str_eq(cfg_str(c, "host"), "db.example.com");
	ck_assert_int_eq(cfg_int(c, "port"), 6543);
	ck_assert_str_eq(cfg_str(c, "username"), "alice");
	ck_assert_str_eq(cfg_str(c, "ssl_mode"), "require");
	ck_assert_str_eq(cfg_str(json_object_get(c, "options"), "application_name"), "nightly");
	ck_assert(has_item(json_object_get(r, "ignored"), "target_session_attrs"));
	char *text = json_dumps(reply, 0);
	ck_assert_ptr_null(strstr(text, URI_PASSWORD));
	free(text);
	char id[64];
	snprintf(id, sizeof(id), "%s", cfg_str(c, "id"));
	json_decref(reply);

	ck_assert(has_password(id));
	assert_secret_nowhere(URI_PASSWORD);

	/* connections.delete takes the secrets with it. */
	reply = call("connections.delete", json_pack("{s:s}", "id", "alice@db.example.com/sales"));
	r = ok(reply, "connections.delete");
	ck_assert_str_eq(cfg_str(r, "id"), id);
	json_decref(reply);
	ck_assert(!has_password(id));
}
END_TEST

START_TEST(import_conninfo)
{
	json_t *reply =
	    call("connections.import",
	         json_pack("{s:s, s:s, s:s, s:b}", "source",
	                   "host=db1.internal port=5444 dbname=app user=bob sslmode=verify-full "
	                   "connect_timeout=5 keepalives=1 options='-c statement_timeout=2500'",
	                   "name", "app-db", "color", "#33d17a", "readonly", 1));
	json_t *r = ok(reply, "connections.import");
	json_t *c = json_object_get(r, "config");
	ck_assert(json_is_false(json_object_get(r, "password_found")));
	ck_assert_str_eq(cfg_str(c, "name"), "app-db");
	ck_assert_str_eq(cfg_str(c, "color"), "#33d17a");
	ck_assert_str_eq(cfg_str(c, "host"), "db1.internal");
	ck_assert_int_eq(cfg_int(c, "port"), 5444);
	ck_assert_str_eq(cfg_str(c, "database"), "app");
	ck_assert_str_eq(cfg_str(c, "ssl_mode"), "verify_full");
	json_t *o = json_object_get(c, "options");
	ck_assert_int_eq(cfg_int(o, "connect_timeout_sec"), 5);
	ck_assert_int_eq(cfg_int(o, "statement_timeout_ms"), 2500);
	ck_assert(json_is_true(json_object_get(o, "readonly")));
	ck_assert(json_is_false(json_object_get(c, "password_in_keyring")));
	ck_assert(has_item(json_object_get(r, "ignored"), "keepalives"));
	json_decref(reply);

	/* Saved: get finds it by name. */
	reply = call("connections.get", json_pack("{s:s}", "id", "app-db"));
	ck_assert_str_eq(cfg_str(ok(reply, "connections.get"), "host"), "db1.internal");
	json_decref(reply);

	/* save: false shows without saving. */
	reply = call("connections.import", json_pack("{s:s, s:s, s:b}", "source", "host=h dbname=d",
	                                             "name", "dry", "save", 0));
	ck_assert(json_is_false(json_object_get(ok(reply, "connections.import"), "saved")));
	json_decref(reply);
	expect_error("connections.get", json_pack("{s:s}", "id", "dry"), -32006,
	             "no saved connection 'dry'");
}
END_TEST

START_TEST(import_service)
{
	json_t *reply =
	    call("connections.import", json_pack("{s:{s:s}, s:{s:s}}", "source", "service",
	                                         "reporting", "env", "PGSERVICEFILE", svcfile));
	json_t *r = ok(reply, "connections.import");
	json_t *c = json_object_get(r, "config");
	ck_assert_str_eq(cfg_str(c, "name"), "reporting");
	ck_assert_str_eq(cfg_str(c, "host"), "reports.example.com");
	ck_assert_int_eq(cfg_int(c, "port"), 6432);
	ck_assert_str_eq(cfg_str(c, "database"), "warehouse");
	ck_assert_str_eq(cfg_str(c, "username"), "analyst");
	ck_assert_str_eq(cfg_str(c, "ssl_mode"), "verify_ca");
	ck_assert_str_eq(cfg_str(c, "ssl_ca_cert"), "/etc/ssl/reports-ca.pem");
	ck_assert(json_is_true(json_object_get(json_object_get(c, "options"), "readonly")));
	ck_assert(json_is_true(json_object_get(r, "password_found")));
	ck_assert(has_password(cfg_str(c, "id")));
	json_decref(reply);
	assert_secret_nowhere(SERVICE_PASSWORD);

	/* The string form, in another directory through PGSYSCONFDIR; an
	 * explicit keyword wins over the file. */
	char sysdir[400], sysfile[450];
	snprintf(sysdir, sizeof(sysdir), "%s/etc", d.dir);
	snprintf(sysfile, sizeof(sysfile), "%s/pg_service.conf", sysdir);
	ck_assert_int_eq(mkdir(sysdir, 0700), 0);
	ck_assert_int_eq(link(svcfile, sysfile), 0);
	reply = call("connections.import",
	             json_pack("{s:s, s:s, s:{s:s}}", "source", "service=reporting port=7777",
	                       "name", "reporting-7777", "env", "PGSYSCONFDIR", sysdir));
	c = json_object_get(ok(reply, "connections.import"), "config");
	ck_assert_int_eq(cfg_int(c, "port"), 7777);
	ck_assert_str_eq(cfg_str(c, "host"), "reports.example.com");
	json_decref(reply);
	ck_assert_int_eq(unlink(sysfile), 0);
}
END_TEST

START_TEST(import_unknown_service)
{
	expect_error("connections.import",
	             json_pack("{s:{s:s}, s:{s:s}}", "source", "service", "nosuch", "env",
	                       "PGSERVICEFILE", svcfile),
	             -32051, "definition of service \"nosuch\" not found");
	/* The env is per request: without it the same service is unknown. */
	expect_error("connections.import",
	             json_pack("{s:s, s:{}}", "source", "service=reporting", "env"), -32051,
	             "\"reporting\"");
	expect_error("connections.import", json_pack("{s:s}", "source", "host=h port=x"), -32051,
	             "port: 'x'");
	expect_error("connections.import", json_pack("{s:s}", "source", "host=h bogus=1"), -32051,
	             "bogus");
	expect_error("connections.import",
	             json_pack("{s:s, s:s}", "source", "host=h dbname=d", "group_id",
	                       "5b0c1c7e-4f5e-4b7a-9a61-3c1b8f0e9d21"),
	             -32051, "group_id: no such group");
	json_t *reply = call("connections.list", NULL);
	ck_assert_uint_eq(
	    json_array_size(json_object_get(ok(reply, "connections.list"), "connections")), 0);
	json_decref(reply);
}
END_TEST

static json_t *base_config(const char *name)
{
	return json_pack("{s:s, s:s, s:s}", "name", name, "host", "localhost", "database",
	                 "postgres");
}

START_TEST(crud)
{
	json_t *reply = call("connections.save", json_pack("{s:o}", "config", base_config("one")));
	json_t *c = ok(reply, "connections.save");
	char id[64];
	snprintf(id, sizeof(id), "%s", cfg_str(c, "id"));
	ck_assert_int_eq(cfg_int(c, "port"), 5432);
	ck_assert_str_eq(cfg_str(c, "ssl_mode"), "prefer");

	/* Update through the id: port and name change, the id stays. */
	json_object_set_new(c, "port", json_integer(6000));
	json_object_set_new(c, "name", json_string("uno"));
	json_t *reply2 = call("connections.save", json_pack("{s:O}", "config", c));
	ck_assert_str_eq(cfg_str(ok(reply2, "connections.save"), "id"), id);
	json_decref(reply2);
	json_decref(reply);

	reply = call("connections.save", json_pack("{s:o}", "config", base_config("two")));
	ok(reply, "connections.save");
	json_decref(reply);
	reply = call("connections.list", NULL);
	json_t *list = json_object_get(ok(reply, "connections.list"), "connections");
	ck_assert_uint_eq(json_array_size(list), 2);
	ck_assert_str_eq(cfg_str(json_array_get(list, 0), "name"), "two");
	ck_assert_str_eq(cfg_str(json_array_get(list, 1), "name"), "uno");
	json_decref(reply);

	reply = call("connections.get", json_pack("{s:s}", "id", id));
	ck_assert_int_eq(cfg_int(ok(reply, "connections.get"), "port"), 6000);
	json_decref(reply);
	expect_error("connections.get", json_pack("{s:s}", "id", "one"), -32006,
	             "no saved connection 'one'");

	reply = call("connections.delete", json_pack("{s:s}", "id", "uno"));
	ck_assert(json_is_true(json_object_get(ok(reply, "connections.delete"), "deleted")));
	json_decref(reply);
	expect_error("connections.delete", json_pack("{s:s}", "id", "uno"), -32006,
	             "no saved connection");
	expect_error("connections.get", json_pack("{s:s}", "id", id), -32006,
	             "no saved connection");
}
END_TEST

static void expect_save_error(json_t *config, int code, const char *text)
{
	expect_error("connections.save", json_pack("{s:o}", "config", config), code, text);
}

START_TEST(validation_names_the_field)
{
	json_t *c = base_config("v");
	json_object_set_new(c, "port", json_integer(70000));
	expect_save_error(c, -32602, "port");
	c = base_config("v");
	json_object_set_new(c, "port", json_integer(0));
	expect_save_error(c, -32602, "params.config.port");
	c = base_config("v");
	json_object_set_new(c, "ssl_mode", json_string("sometimes"));
	expect_save_error(c, -32602, "params.config.ssl_mode");
	c = base_config("v");
	json_object_set_new(c, "color", json_string("blue"));
	expect_save_error(c, -32051, "color: ");
	c = base_config("v");
	json_object_set_new(c, "colour", json_string("#ffffff"));
	expect_save_error(c, -32602, "params.config.colour: unknown member");
	c = base_config("v");
	json_object_del(c, "host");
	expect_save_error(c, -32602, "params.config.host");
	c = base_config("v");
	json_object_set_new(c, "group_id", json_string("5b0c1c7e-4f5e-4b7a-9a61-3c1b8f0e9d21"));
	expect_save_error(c, -32051, "group_id: no such group");
	c = base_config("v");
	json_object_set_new(c, "options", json_pack("{s:i}", "connect_timeout_sec", 0));
	expect_save_error(c, -32602, "params.config.options.connect_timeout_sec");
	c = base_config("v");
	json_object_set_new(c, "ssl_client_key", json_string("/k.pem"));
	expect_save_error(c, -32051, "ssl_client_key: ");

	/* libpq's spelling of sslmode is accepted; the reply uses Tusk's. */
	c = base_config("v");
	json_object_set_new(c, "ssl_mode", json_string("verify-full"));
	json_t *reply = call("connections.save", json_pack("{s:o}", "config", c));
	ck_assert_str_eq(cfg_str(ok(reply, "connections.save"), "ssl_mode"), "verify_full");
	json_decref(reply);
	expect_save_error(base_config("v"), -32051, "name: a connection named 'v' already exists");
}
END_TEST

static char *save_group(const char *name, const char *parent)
{
	json_t *g = json_pack("{s:s}", "name", name);
	if (parent)
		json_object_set_new(g, "parent_id", json_string(parent));
	json_t *reply = call("groups.save", json_pack("{s:o}", "group", g));
	char *id = strdup(cfg_str(ok(reply, "groups.save"), "id"));
	json_decref(reply);
	return id;
}

START_TEST(groups_nest_and_delete)
{
	char *a = save_group("A", NULL);
	char *b = save_group("B", a);
	char *c = save_group("C", b);

	/* A under C would be a loop. */
	expect_error(
	    "groups.save",
	    json_pack("{s:{s:s, s:s, s:s}}", "group", "id", a, "name", "A", "parent_id", c), -32051,
	    "parent_id: ");
	expect_error("groups.save",
	             json_pack("{s:{s:s, s:s}}", "group", "name", "B", "parent_id", a), -32051,
	             "name: a group named 'B' already exists there");
	expect_error("groups.save",
	             json_pack("{s:{s:s, s:s}}", "group", "name", "X", "color", "red"), -32051,
	             "color: ");

	json_t *cfg = base_config("in-c");
	json_object_set_new(cfg, "group_id", json_string(c));
	json_t *reply = call("connections.save", json_pack("{s:o}", "config", cfg));
	ok(reply, "connections.save");
	json_decref(reply);
	cfg = base_config("in-a");
	json_object_set_new(cfg, "group_id", json_string(a));
	reply = call("connections.save", json_pack("{s:o}", "config", cfg));
	ok(reply, "connections.save");
	json_decref(reply);

	reply = call("groups.list", NULL);
	json_t *groups = json_object_get(ok(reply, "groups.list"), "groups");
	ck_assert_uint_eq(json_array_size(groups), 3);
	json_decref(reply);

	reply = call("groups.delete", json_pack("{s:s}", "id", "A"));
	json_t *r = ok(reply, "groups.delete");
	ck_assert_int_eq(cfg_int(r, "groups"), 3);
	ck_assert_int_eq(cfg_int(r, "connections_ungrouped"), 2);
	json_decref(reply);

	/* The connections are kept, in no group. */
	reply = call("connections.get", json_pack("{s:s}", "id", "in-c"));
	ck_assert(json_is_null(json_object_get(ok(reply, "connections.get"), "group_id")));
	json_decref(reply);
	reply = call("connections.list", NULL);
	ck_assert_uint_eq(
	    json_array_size(json_object_get(ok(reply, "connections.list"), "connections")), 2);
	json_decref(reply);
	reply = call("groups.list", NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(ok(reply, "groups.list"), "groups")), 0);
	json_decref(reply);
	expect_error("groups.delete", json_pack("{s:s}", "id", "A"), -32051, "no group named 'A'");
	free(a);
	free(b);
	free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("connections");
	TCase *tc = tcase_create("saved");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, import_uri_with_password);
	tcase_add_test(tc, import_conninfo);
	tcase_add_test(tc, import_service);
	tcase_add_test(tc, import_unknown_service);
	tcase_add_test(tc, crud);
	tcase_add_test(tc, validation_names_the_field);
	tcase_add_test(tc, groups_nest_and_delete);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
