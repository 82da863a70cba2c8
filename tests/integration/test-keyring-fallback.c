/* No Secret Service (no session bus): the daemon says the keyring is
 * unavailable, keeps a password in memory (credentials.set says so), a
 * saved connection with password_in_keyring connects with it to a real
 * scram-sha-256 server, and a restarted daemon on the same data dir no
 * longer has it: credential_not_found, with a hint naming the fix. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

/* No bus to find, and no X11 display for D-Bus autolaunch either. */
static const char *const no_bus[] = {"DBUS_SESSION_BUS_ADDRESS=", "DISPLAY=", NULL};

static json_t *execute(int fd, const char *connection_id, const char *sql)
{
	static int id = 100;
	return tt_call(fd, ++id, "query.execute",
	               json_pack("{s:s, s:s}", "connection_id", connection_id, "sql", sql));
}

/* daemon.status keyring after the start-up probe ("unknown" until then). */
static const char *keyring_state(int fd, char *buf, size_t len)
{
	for (int i = 0; i < 100; i++) {
		json_t *r = tt_call(fd, 2, "daemon.status", NULL);
		const char *k =
		    json_string_value(json_object_get(json_object_get(r, "result"), "keyring"));
		ck_assert_ptr_nonnull(k);
		snprintf(buf, len, "%s", k);
		json_decref(r);
		if (strcmp(buf, "unknown") != 0)
			break;
		usleep(50000);
	}
	return buf;
}

START_TEST(memory_fallback_connects_until_restart)
{
	struct tt_pg pg;
	tt_pg_start(&pg, "password_encryption = 'scram-sha-256'",
	            "local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
	const char *secret = "Fallback-pw-8812-plugh";
	char sql[200];
	snprintf(sql, sizeof(sql), "create role dave login password '%s'", secret);
	tt_pg_exec(&pg, NULL, sql);

	struct tt_daemon d;
	int fd = tt_daemon_open(&d, no_bus);
	char state[32];
	ck_assert_str_eq(keyring_state(fd, state, sizeof(state)), "unavailable");

	json_t *cfg = json_pack("{s:s, s:s, s:i, s:s, s:s, s:b, s:s}", "name", "dave", "host",
	                        pg.host, "port", pg.port, "database", "postgres", "username",
	                        "dave", "password_in_keyring", 1, "ssl_mode", "disable");
	json_t *r = tt_call(fd, 3, "connections.save", json_pack("{s:o}", "config", cfg));
	ck_assert_msg(json_object_get(r, "result"), "%s", json_dumps(r, 0));
	char id[64];
	snprintf(id, sizeof(id), "%s",
	         json_string_value(json_object_get(json_object_get(r, "result"), "id")));
	json_decref(r);

	r = tt_call(fd, 4, "credentials.set",
	            json_pack("{s:s, s:s, s:s}", "connection_id", id, "kind", "password", "secret",
	                      secret));
	json_t *res = json_object_get(r, "result");
	ck_assert_msg(res, "%s", json_dumps(r, 0));
	ck_assert(json_is_true(json_object_get(res, "stored")));
	ck_assert(json_is_true(json_object_get(res, "in_memory")));
	ck_assert_str_eq(json_string_value(json_object_get(res, "keyring")), "unavailable");
	json_decref(r);

	r = tt_call(fd, 5, "credentials.has", json_pack("{s:s}", "connection_id", id));
	ck_assert_msg(json_object_get(r, "result"), "%s", json_dumps(r, 0));
	json_decref(r);

	/* The password from memory opens a scram-sha-256 connection. */
	r = execute(fd, id, "select current_user");
	ck_assert_msg(json_object_get(r, "result"), "query on the saved connection: %s",
	              json_dumps(r, 0));
	json_decref(r);
	r = execute(fd, "dave", "select 1");
	ck_assert_msg(json_object_get(r, "result"), "by name: %s", json_dumps(r, 0));
	json_decref(r);
	close(fd);

	/* Memory only: nothing under the daemon's dirs holds it. */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "grep -rqa -- '%s' %s", secret, d.dir);
	ck_assert_msg(system(cmd) != 0, "the password was found in a file under %s", d.dir);

	tt_daemon_restart(&d, no_bus);
	fd = tt_connect(d.socket);
	ck_assert_str_eq(keyring_state(fd, state, sizeof(state)), "unavailable");
	/* The saved connection survived the restart; its password did not. */
	r = tt_call(fd, 6, "connections.get", json_pack("{s:s}", "id", id));
	ck_assert_msg(json_object_get(r, "result"), "%s", json_dumps(r, 0));
	json_decref(r);
	r = execute(fd, id, "select 1");
	ck_assert_str_eq(tt_error_kind(r), "credential_not_found");
	json_t *data = json_object_get(json_object_get(r, "error"), "data");
	const char *hint = json_string_value(json_object_get(data, "hint"));
	ck_assert_msg(hint && strstr(hint, "tuskctl secret set"), "no hint naming the fix: %s",
	              json_dumps(r, 0));
	char *all = json_dumps(r, 0);
	ck_assert_ptr_null(strstr(all, secret));
	free(all);
	json_decref(r);
	tt_daemon_close(&d, fd);
	tt_pg_stop(&pg);
}
END_TEST

int main(void)
{
	return tt_run_one("keyring-fallback", memory_fallback_connects_until_restart, 120);
}
