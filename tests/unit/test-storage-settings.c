/* Settings: the registry's defaults, typed validation with messages that
 * name the key, persistence across restarts, and stored rows that a newer
 * or hand-edited file left behind. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "daemon/storage/settings.h"
#include "test-storage-util.h"
#include "tests/lib/tt-check.h"

static char *dir;
static char *path;

static void setup(void)
{
	dir = tst_dir();
	path = tst_join(dir, "tusk.db");
}

static void teardown(void)
{
	free(path);
	free(dir);
}

static Storage *open_storage(void)
{
	TuskError e = TUSK_ERROR_INIT;
	Storage *st = storage_open(path, &e);
	ck_assert_msg(st != NULL, "%s", tusk_error_message(&e));
	ck_assert_int_eq(storage_state(st), STORAGE_OK);
	return st;
}

static Settings *open_settings(Storage *st)
{
	TuskError e = TUSK_ERROR_INIT;
	Settings *s = settings_new(st, &e);
	ck_assert_msg(s != NULL, "%s", tusk_error_message(&e));
	return s;
}

static long long stored_rows(Storage *st)
{
	return tst_int(storage_db(st), "SELECT count(*) FROM settings");
}

START_TEST(test_registry_and_defaults)
{
	static const struct {
		const char *key;
		long long def, min, max;
	} ints[] = {
	    {"rpc.max_message_bytes", 16777216, 1024, 268435456},
	    {"rpc.max_pending_requests", 256, 1, 65536},
	    {"rpc.max_output_bytes", 67108864, 65536, 1073741824},
	    {"log.retention_days", 7, 1, 365},
	    {"workers.threads", 4, 1, 64},
	    {"pool.max_size", 5, 1, 100},
	    {"pool.acquire_timeout_ms", 30000, 100, 600000},
	    {"pool.health_check_interval_sec", 60, 5, 3600},
	    {"query.batch_rows", 1000, 1, 100000},
	    {"query.context_idle_timeout_sec", 600, 10, 86400},
	    {"store.memory_budget_mb", 256, 1, 1048576},
	    {"store.disk_budget_mb", 20480, 1, 16777216},
	    {"store.ttl_sec", 86400, 1, 31536000},
	    {"history.max_entries", 100000, 0, 10000000},
	    {"history.retention_days", 90, 0, 36500},
	    {"ssh.keepalive_interval_sec", 30, 0, 3600},
	    {"workspace.max_tab_bytes", 4194304, 1024, 67108864},
	};
	Storage *st = open_storage();
	Settings *s = open_settings(st);
	size_t n = 0;
	const SettingDef *reg = settings_registry(&n);
	ck_assert_uint_eq(n, sizeof ints / sizeof *ints + 4);

	for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
		const SettingDef *d = settings_find(ints[i].key);
		ck_assert_msg(d != NULL, "%s", ints[i].key);
		ck_assert_int_eq(d->type, SETTING_INT);
		ck_assert_int_eq(d->min, ints[i].min);
		ck_assert_int_eq(d->max, ints[i].max);
		ck_assert_int_eq(settings_int(s, ints[i].key), ints[i].def);
	}
	ck_assert(!settings_bool(s, "schema.load_on_open"));
	ck_assert(settings_bool(s, "session.restore"));
	ck_assert(settings_bool(s, "history.record"));
	ck_assert_str_eq(settings_string(s, "ui.theme"), "system");
	ck_assert_ptr_null(settings_find("nope"));
	ck_assert_ptr_null(settings_find(NULL));

	_cleanup_json_ json_t *all = settings_list_json(s);
	ck_assert_uint_eq(json_object_size(all), n);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object_get(all, reg[i].key);
		ck_assert_msg(o != NULL, "%s", reg[i].key);
		ck_assert(json_equal(json_object_get(o, "value"), json_object_get(o, "default")));
		ck_assert_ptr_nonnull(json_string_value(json_object_get(o, "description")));
		if (reg[i].type == SETTING_INT) {
			long long def = json_integer_value(json_object_get(o, "default"));
			ck_assert_int_ge(def, json_integer_value(json_object_get(o, "min")));
			ck_assert_int_le(def, json_integer_value(json_object_get(o, "max")));
		}
	}
	json_t *theme = json_object_get(all, "ui.theme");
	ck_assert_str_eq(json_string_value(json_object_get(theme, "type")), "string");
	ck_assert_uint_eq(json_array_size(json_object_get(theme, "choices")), 3);
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_object_get(all, "schema.load_on_open"), "type")),
	    "bool");
	/* Defaults are not written: a new default in a later Tusk applies. */
	ck_assert_int_eq(stored_rows(st), 0);
	ck_assert_uint_eq(settings_ignored_count(s), 0);
	settings_free(s);
	storage_close(st);
}
END_TEST

START_TEST(test_set_persists_across_restart)
{
	TuskError e = TUSK_ERROR_INIT;
	Storage *st = open_storage();
	Settings *s = open_settings(st);
	_cleanup_json_ json_t *ten = json_integer(10);
	_cleanup_json_ json_t *dark = json_string("dark");
	_cleanup_json_ json_t *zero = json_integer(0);

	ck_assert_int_eq(settings_set(s, "pool.max_size", ten, &e), 0);
	ck_assert_int_eq(settings_set(s, "ui.theme", dark, &e), 0);
	ck_assert_int_eq(settings_set(s, "schema.load_on_open", json_true(), &e), 0);
	ck_assert_int_eq(settings_set(s, "history.max_entries", zero, &e), 0); /* the minimum */
	ck_assert_int_eq(settings_int(s, "pool.max_size"), 10);
	ck_assert_str_eq(settings_string(s, "ui.theme"), "dark");
	ck_assert(settings_bool(s, "schema.load_on_open"));

	_cleanup_json_ json_t *got = settings_get_json(s, "pool.max_size", &e);
	ck_assert_int_eq(json_integer_value(json_object_get(got, "value")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(got, "default")), 5);
	ck_assert_str_eq(json_string_value(json_object_get(got, "key")), "pool.max_size");
	/* Stored as JSON text. */
	_cleanup_free_ char *text =
	    tst_text(storage_db(st), "SELECT value FROM settings WHERE key = 'ui.theme'");
	ck_assert_str_eq(text, "\"dark\"");
	ck_assert_int_gt(tst_int(storage_db(st), "SELECT updated_at FROM settings "
	                                         "WHERE key = 'ui.theme'"),
	                 1600000000000000LL);
	settings_free(s);
	storage_close(st);

	st = open_storage();
	s = open_settings(st);
	ck_assert_int_eq(settings_int(s, "pool.max_size"), 10);
	ck_assert_str_eq(settings_string(s, "ui.theme"), "dark");
	ck_assert(settings_bool(s, "schema.load_on_open"));
	ck_assert_int_eq(settings_int(s, "history.max_entries"), 0);
	/* Setting again replaces the row. */
	_cleanup_json_ json_t *light = json_string("light");
	ck_assert_int_eq(settings_set(s, "ui.theme", light, &e), 0);
	ck_assert_int_eq(stored_rows(st), 4);
	settings_free(s);
	storage_close(st);
}
END_TEST

static void expect_rejected(Settings *s, Storage *st, const char *key, json_t *value,
                            const char *message)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_json_ json_t *before = settings_get_json(s, key, &e);
	long long rows = stored_rows(st);
	ck_assert_int_eq(settings_set(s, key, value, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_INPUT);
	ck_assert_msg(strcmp(tusk_error_message(&e), message) == 0, "got '%s', want '%s'",
	              tusk_error_message(&e), message);
	tusk_error_clear(&e);
	_cleanup_json_ json_t *after = settings_get_json(s, key, &e);
	ck_assert(json_equal(before, after));
	ck_assert_int_eq(stored_rows(st), rows);
	json_decref(value);
}

START_TEST(test_bad_values_rejected)
{
	Storage *st = open_storage();
	Settings *s = open_settings(st);
	const char *pool = "pool.max_size must be an integer from 1 to 100";
	expect_rejected(s, st, "pool.max_size", json_integer(0), pool);
	expect_rejected(s, st, "pool.max_size", json_integer(101), pool);
	expect_rejected(s, st, "pool.max_size", json_integer(-5), pool);
	expect_rejected(s, st, "pool.max_size", json_real(5.0), pool);
	expect_rejected(s, st, "pool.max_size", json_string("5"), pool);
	expect_rejected(s, st, "pool.max_size", json_true(), pool);
	expect_rejected(s, st, "pool.max_size", json_null(), pool);
	expect_rejected(s, st, "pool.max_size", json_pack("[i]", 5), pool);
	expect_rejected(s, st, "pool.max_size", NULL, pool);
	expect_rejected(s, st, "rpc.max_message_bytes", json_integer(1023),
	                "rpc.max_message_bytes must be an integer from 1024 to 268435456");
	expect_rejected(s, st, "history.retention_days", json_integer(36501),
	                "history.retention_days must be an integer from 0 to 36500");

	const char *flag = "schema.load_on_open must be true or false";
	expect_rejected(s, st, "schema.load_on_open", json_integer(1), flag);
	expect_rejected(s, st, "schema.load_on_open", json_string("true"), flag);
	expect_rejected(s, st, "schema.load_on_open", json_null(), flag);

	const char *theme = "ui.theme must be one of: system, light, dark";
	expect_rejected(s, st, "ui.theme", json_string("blue"), theme);
	expect_rejected(s, st, "ui.theme", json_string("Dark"), theme);
	expect_rejected(s, st, "ui.theme", json_string(""), theme);
	expect_rejected(s, st, "ui.theme", json_stringn("dark\0x", 6), theme);
	expect_rejected(s, st, "ui.theme", json_integer(1), theme);

	/* The detail shows what was sent. */
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_json_ json_t *big = json_integer(500);
	ck_assert_int_eq(settings_set(s, "pool.max_size", big, &e), -1);
	ck_assert_ptr_nonnull(e.detail);
	ck_assert_ptr_nonnull(strstr(e.detail, "500"));
	tusk_error_clear(&e);
	settings_free(s);
	storage_close(st);
}
END_TEST

START_TEST(test_unknown_key)
{
	TuskError e = TUSK_ERROR_INIT;
	Storage *st = open_storage();
	Settings *s = open_settings(st);
	_cleanup_json_ json_t *one = json_integer(1);

	ck_assert_int_eq(settings_set(s, "pool.max_sizes", one, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_INPUT);
	ck_assert_str_eq(tusk_error_message(&e), "unknown setting 'pool.max_sizes'");
	ck_assert_ptr_null(settings_get_json(s, "nope", &e));
	ck_assert_str_eq(tusk_error_message(&e), "unknown setting 'nope'");
	ck_assert_int_eq(settings_reset(s, "nope", &e), -1);
	ck_assert_str_eq(tusk_error_message(&e), "unknown setting 'nope'");
	ck_assert_int_eq(settings_set_from_string(s, "nope", "1", &e), -1);
	ck_assert_str_eq(tusk_error_message(&e), "unknown setting 'nope'");
	tusk_error_clear(&e);
	ck_assert_int_eq(stored_rows(st), 0);
	settings_free(s);
	storage_close(st);
}
END_TEST

START_TEST(test_reset)
{
	TuskError e = TUSK_ERROR_INIT;
	Storage *st = open_storage();
	Settings *s = open_settings(st);
	ck_assert_int_eq(settings_set_from_string(s, "ui.theme", "light", &e), 0);
	ck_assert_int_eq(settings_set_from_string(s, "workers.threads", "8", &e), 0);
	ck_assert_int_eq(stored_rows(st), 2);
	ck_assert_int_eq(settings_reset(s, "ui.theme", &e), 0);
	ck_assert_str_eq(settings_string(s, "ui.theme"), "system");
	ck_assert_int_eq(stored_rows(st), 1);
	/* Resetting what is already the default is fine. */
	ck_assert_int_eq(settings_reset(s, "ui.theme", &e), 0);
	settings_free(s);
	storage_close(st);

	st = open_storage();
	s = open_settings(st);
	ck_assert_str_eq(settings_string(s, "ui.theme"), "system");
	ck_assert_int_eq(settings_int(s, "workers.threads"), 8);
	settings_free(s);
	storage_close(st);
}
END_TEST

START_TEST(test_bad_stored_rows_ignored)
{
	Storage *st = open_storage();
	tst_exec(storage_db(st), "INSERT INTO settings (key, value, updated_at) VALUES"
	                         " ('future.setting', '1', 1),"
	                         " ('pool.max_size', '500', 1),"
	                         " ('ui.theme', '\"blue\"', 1),"
	                         " ('workers.threads', 'not json', 1),"
	                         " ('log.retention_days', '\"7\"', 1),"
	                         " ('schema.load_on_open', '1', 1),"
	                         " ('pool.acquire_timeout_ms', '1000.5', 1),"
	                         " ('query.batch_rows', '50', 1)");
	Settings *s = open_settings(st);
	ck_assert_uint_eq(settings_ignored_count(s), 7);
	ck_assert_int_eq(settings_int(s, "query.batch_rows"), 50);
	ck_assert_int_eq(settings_int(s, "pool.max_size"), 5);
	ck_assert_str_eq(settings_string(s, "ui.theme"), "system");
	ck_assert_int_eq(settings_int(s, "workers.threads"), 4);
	ck_assert_int_eq(settings_int(s, "log.retention_days"), 7);
	ck_assert(!settings_bool(s, "schema.load_on_open"));
	ck_assert_int_eq(settings_int(s, "pool.acquire_timeout_ms"), 30000);
	/* The rows are kept for whoever understands them. */
	ck_assert_int_eq(stored_rows(st), 8);
	settings_free(s);
	storage_close(st);
}
END_TEST

START_TEST(test_unreadable_table)
{
	TuskError e = TUSK_ERROR_INIT;
	Storage *st = open_storage();
	tst_exec(storage_db(st), "DROP TABLE settings");
	ck_assert_ptr_null(settings_new(st, &e));
	ck_assert_int_eq(e.kind, TUSK_ERR_STORAGE);
	tusk_error_clear(&e);
	storage_close(st);
}
END_TEST

static void from_string_rejected(Settings *s, const char *key, const char *text,
                                 const char *message)
{
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(settings_set_from_string(s, key, text, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_INPUT);
	ck_assert_msg(strcmp(tusk_error_message(&e), message) == 0, "'%s': got '%s'",
	              text ? text : "NULL", tusk_error_message(&e));
	tusk_error_clear(&e);
}

START_TEST(test_from_string)
{
	TuskError e = TUSK_ERROR_INIT;
	Storage *st = open_storage();
	Settings *s = open_settings(st);

	ck_assert_int_eq(settings_set_from_string(s, "pool.max_size", "12", &e), 0);
	ck_assert_int_eq(settings_int(s, "pool.max_size"), 12);
	ck_assert_int_eq(settings_set_from_string(s, "pool.max_size", "+13", &e), 0);
	ck_assert_int_eq(settings_int(s, "pool.max_size"), 13);
	const char *pool = "pool.max_size must be an integer from 1 to 100";
	const char *bad_ints[] = {"",     " 5",  "5 ", "5x",  "5.0", "1e2",
	                          "0x10", "abc", "-",  "999", "0",   "99999999999999999999999"};
	for (size_t i = 0; i < sizeof bad_ints / sizeof *bad_ints; i++)
		from_string_rejected(s, "pool.max_size", bad_ints[i], pool);
	from_string_rejected(s, "pool.max_size", NULL, pool);
	ck_assert_int_eq(settings_int(s, "pool.max_size"), 13);

	static const struct {
		const char *text;
		bool value;
	} bools[] = {{"true", true}, {"false", false}, {"on", true}, {"OFF", false},
	             {"Yes", true},  {"no", false},    {"1", true},  {"0", false}};
	for (size_t i = 0; i < sizeof bools / sizeof *bools; i++) {
		ck_assert_int_eq(
		    settings_set_from_string(s, "schema.load_on_open", bools[i].text, &e), 0);
		ck_assert_int_eq(settings_bool(s, "schema.load_on_open"), bools[i].value);
	}
	from_string_rejected(s, "schema.load_on_open", "maybe",
	                     "schema.load_on_open must be true or false");
	from_string_rejected(s, "schema.load_on_open", "",
	                     "schema.load_on_open must be true or false");

	ck_assert_int_eq(settings_set_from_string(s, "ui.theme", "dark", &e), 0);
	ck_assert_str_eq(settings_string(s, "ui.theme"), "dark");
	from_string_rejected(s, "ui.theme", "purple",
	                     "ui.theme must be one of: system, light, dark");
	from_string_rejected(s, "ui.theme", "\xff\xfe",
	                     "ui.theme must be one of: system, light, dark");
	settings_free(s);
	storage_close(st);

	st = open_storage();
	s = open_settings(st);
	ck_assert_int_eq(settings_int(s, "pool.max_size"), 13);
	ck_assert(!settings_bool(s, "schema.load_on_open"));
	ck_assert_str_eq(settings_string(s, "ui.theme"), "dark");
	settings_free(s);
	storage_close(st);
}
END_TEST

/* Without storage the values live for the process only. */
START_TEST(test_without_storage)
{
	TuskError e = TUSK_ERROR_INIT;
	Settings *s = settings_new(NULL, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(settings_set_from_string(s, "query.batch_rows", "77", &e), 0);
	ck_assert_int_eq(settings_int(s, "query.batch_rows"), 77);
	ck_assert_int_eq(settings_reset(s, "query.batch_rows", &e), 0);
	ck_assert_int_eq(settings_int(s, "query.batch_rows"), 1000);
	settings_free(s);
	settings_free(NULL);
}
END_TEST

/* Asking for a key as the wrong type is a daemon bug and must not pass. */
START_TEST(test_typed_read_of_wrong_type_aborts)
{
	Settings *s = settings_new(NULL, NULL);
	settings_int(s, "ui.theme");
}
END_TEST

int main(void)
{
	tst_root_init();
	Suite *su = suite_create("storage-settings");
	TCase *tc = tcase_create("settings");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_registry_and_defaults);
	tcase_add_test(tc, test_set_persists_across_restart);
	tcase_add_test(tc, test_bad_values_rejected);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_bad_stored_rows_ignored);
	tcase_add_test(tc, test_unreadable_table);
	tcase_add_test(tc, test_from_string);
	tcase_add_test(tc, test_without_storage);
	tcase_add_test_raise_signal(tc, test_typed_read_of_wrong_type_aborts, SIGABRT);
	suite_add_tcase(su, tc);
	return tt_run_suite(su);
}
