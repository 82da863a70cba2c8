/* Pools under load and through server restarts, saved connections with a
 * keyring password, read-only connections and .pgpass — all against real
 * PostgreSQL servers. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

static struct tt_daemon d;
static int fd = -1;

static void setup(void)
{
	fd = tt_daemon_open(&d, NULL);
}

static void teardown(void)
{
	tt_daemon_close(&d, fd);
}

static int next_id = 1000;

/* query.execute and wait for its reply (notifications skipped). */
static json_t *run(int sock, json_t *params)
{
	return tt_call(sock, ++next_id, "query.execute", params);
}

static void set_setting(const char *key, int value)
{
	json_t *r =
	    tt_call(fd, 1, "settings.set", json_pack("{s:s, s:i}", "key", key, "value", value));
	ck_assert_msg(json_object_get(r, "result"), "settings.set %s failed", key);
	json_decref(r);
}

static char *save_connection(const struct tt_pg *pg, const char *name, const char *user,
                             bool password, bool readonly)
{
	json_t *cfg = json_pack("{s:s, s:s, s:i, s:s, s:s, s:b, s:s, s:{s:b}}", "name", name,
	                        "host", pg->host, "port", pg->port, "database", "postgres",
	                        "username", user, "password_in_keyring", password, "ssl_mode",
	                        "disable", "options", "readonly", readonly);
	json_t *r = tt_call(fd, 2, "connections.save", json_pack("{s:o}", "config", cfg));
	json_t *saved = json_object_get(r, "result");
	ck_assert_msg(saved, "connections.save failed: %s", json_dumps(r, 0));
	char *id = strdup(json_string_value(json_object_get(saved, "id")));
	json_decref(r);
	return id;
}

START_TEST(exhausted_pool_waits_then_times_out)
{
	struct tt_pg pg;
	tt_pg_shared(&pg);
	char *id = save_connection(&pg, "exhaust", "postgres", false, false);
	set_setting("pool.max_size", 1);
	set_setting("pool.acquire_timeout_ms", 500);
	int a = tt_connect(d.socket);
	char line[256];
	snprintf(line, sizeof(line),
	         "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"query.execute\",\"params\":{"
	         "\"connection_id\":\"%s\",\"sql\":\"select pg_sleep(2)\"}}\n",
	         id);
	tt_send_str(a, line);
	usleep(300000);
	double t0 = tt_now_ms();
	json_t *r = run(fd, json_pack("{s:s, s:s}", "connection_id", id, "sql", "select 1"));
	double ms = tt_now_ms() - t0;
	ck_assert_str_eq(tt_error_kind(r), "pool_timeout");
	ck_assert_msg(ms >= 450 && ms < 1500, "pool timeout after %.0f ms", ms);
	json_decref(r);
	/* The held backend comes back and serves the next caller. */
	json_t *m;
	while ((m = tt_read(a, 5000)) && !json_object_get(m, "id"))
		json_decref(m);
	ck_assert_ptr_nonnull(json_object_get(m, "result"));
	json_decref(m);
	r = run(fd, json_pack("{s:s, s:s}", "connection_id", id, "sql", "select 1"));
	ck_assert_ptr_nonnull(json_object_get(r, "result"));
	json_decref(r);
	r = tt_call(fd, 3, "connection.status", json_pack("{s:s}", "id", id));
	json_t *st =
	    json_array_get(json_object_get(json_object_get(r, "result"), "connections"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(st, "size")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(st, "max")), 1);
	json_decref(r);
	close(a);
	free(id);
}
END_TEST

START_TEST(server_restart_recovers_without_user_action)
{
	struct tt_pg pg;
	tt_pg_start(&pg, NULL, NULL);
	char *id = save_connection(&pg, "restart", "postgres", false, false);
	json_t *r = run(fd, json_pack("{s:s, s:s}", "connection_id", id, "sql", "select 1"));
	ck_assert_ptr_nonnull(json_object_get(r, "result"));
	json_decref(r);

	tt_pg_restart(&pg); /* -m immediate: every backend dies */
	usleep(200000);
	r = run(fd, json_pack("{s:s, s:s}", "connection_id", id, "sql", "select 2"));
	ck_assert_msg(json_object_get(r, "result"), "first query after restart failed: %s",
	              json_dumps(r, 0));
	json_decref(r);

	/* While the server is down the error is clear and quick. */
	tt_pg_stop_only(&pg);
	usleep(200000);
	double t0 = tt_now_ms();
	r = run(fd, json_pack("{s:s, s:s}", "connection_id", id, "sql", "select 3"));
	ck_assert_str_eq(tt_error_kind(r), "connection_failed");
	ck_assert(tt_now_ms() - t0 < 3000);
	json_decref(r);
	tt_pg_start_again(&pg);
	r = run(fd, json_pack("{s:s, s:s}", "connection_id", id, "sql", "select 4"));
	ck_assert_ptr_nonnull(json_object_get(r, "result"));
	json_decref(r);
	tt_pg_stop(&pg);
	free(id);
}
END_TEST

START_TEST(saved_connection_with_keyring_password_and_readonly)
{
	struct tt_pg pg;
	tt_pg_start(&pg, "password_encryption = 'scram-sha-256'",
	            "local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
	const char *secret = "Tusk-test-pw-4711-xyzzy";
	char sql[200];
	snprintf(sql, sizeof(sql), "create role carol login password '%s'", secret);
	tt_pg_exec(&pg, NULL, sql);
	tt_pg_exec(&pg, NULL, "create table ro_t(x int); grant all on ro_t to carol");
	char *id = save_connection(&pg, "carol", "carol", true, false);

	/* Saved as having a password in the keyring, which has none yet: the
	 * server's refusal is reported as the missing credential. */
	json_t *r = run(fd, json_pack("{s:s, s:s}", "connection_id", "carol", "sql", "select 1"));
	ck_assert_str_eq(tt_error_kind(r), "credential_not_found");
	json_decref(r);

	r = tt_call(fd, 4, "credentials.set",
	            json_pack("{s:s, s:s, s:s}", "connection_id", id, "kind", "password", "secret",
	                      secret));
	ck_assert_ptr_nonnull(json_object_get(r, "result"));
	json_decref(r);
	r = run(fd, json_pack("{s:s, s:s}", "connection_id", "carol", "sql",
	                      "insert into ro_t values (1)"));
	ck_assert_msg(json_object_get(r, "result"), "%s", json_dumps(r, 0));
	json_decref(r);

	/* Read-only: the server itself refuses the write. */
	char *ro = save_connection(&pg, "carol-ro", "carol", true, true);
	r = tt_call(fd, 5, "credentials.set",
	            json_pack("{s:s, s:s, s:s}", "connection_id", ro, "kind", "password", "secret",
	                      secret));
	json_decref(r);
	r = run(fd,
	        json_pack("{s:s, s:s}", "connection_id", ro, "sql", "insert into ro_t values (2)"));
	ck_assert_str_eq(tt_error_kind(r), "query_failed");
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(json_object_get(r, "error"), "data"), "code")),
	                 "25006");
	json_decref(r);

	/* The password is nowhere on disk under the daemon's dirs. */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "grep -rqa -- '%s' %s", secret, d.dir);
	ck_assert_msg(system(cmd) != 0, "the password was found in a file under %s", d.dir);
	tt_pg_stop(&pg);
	free(id);
	free(ro);
}
END_TEST

START_TEST(pgpass_is_honoured)
{
	struct tt_pg pg;
	tt_pg_start(&pg, "password_encryption = 'scram-sha-256'",
	            "local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
	tt_pg_exec(&pg, NULL, "create role dave login password 'pgpass-secret-99'");
	char path[400];
	snprintf(path, sizeof(path), "%s/pgpass", d.dir);
	FILE *f = fopen(path, "w");
	fprintf(f, "127.0.0.1:%d:*:dave:pgpass-secret-99\n", pg.port);
	fclose(f);
	chmod(path, 0600);
	/* A transient connection with the client's PGPASSFILE. */
	char ci[200];
	snprintf(ci, sizeof(ci), "host=127.0.0.1 port=%d user=dave dbname=postgres", pg.port);
	json_t *r = run(fd, json_pack("{s:s, s:s, s:{s:s}}", "conninfo", ci, "sql", "select 1",
	                              "env", "PGPASSFILE", path));
	ck_assert_msg(json_object_get(r, "result"), "%s", json_dumps(r, 0));
	json_decref(r);
	tt_pg_stop(&pg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pool-life");
	TCase *tc = tcase_create("pool-life");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, exhausted_pool_waits_then_times_out);
	tcase_add_test(tc, server_restart_recovers_without_user_action);
	tcase_add_test(tc, saved_connection_with_keyring_password_and_readonly);
	tcase_add_test(tc, pgpass_is_honoured);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
