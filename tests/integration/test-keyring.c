/* credentials.* against the real gnome-keyring Secret Service on a private
 * session bus (test-keyring-session.sh makes it): what tuskd stores,
 * secret-tool sees; locked and missing keyrings fall back to session
 * memory and say so; a keyring that stops answering neither hangs a call
 * nor the loop; the secret reaches no file, log or argv. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/test-keyring-lib.h"
#include "tests/lib/tt-check.h"

static const char *const no_bus_env[] = {
    /* No session bus at all: GLib would otherwise try $XDG_RUNTIME_DIR/bus
     * (a developer's real session) or X11 autolaunch. */
    "DBUS_SESSION_BUS_ADDRESS=",
    "XDG_RUNTIME_DIR=",
    "DISPLAY=",
    NULL,
};

static const char *const kinds[] = {"password", "ssh_password", "ssh_passphrase", "ssl_passphrase"};
static const char *const key_prefixes[] = {
    "tusk:connection:", "tusk:ssh:", "tusk:ssh-passphrase:", "tusk:ssl-passphrase:"};

static struct tt_daemon d;
static int fd = -1;
static pid_t keyring_pid; /* found in main, before any test can pause it */

static void start(const char *const *env, const char *want_state)
{
	fd = tt_daemon_open(&d, env);
	tk_wait_state(fd, want_state, 10000);
}

static void setup_ok(void)
{
	start(NULL, "ok");
}

static void teardown(void)
{
	tt_daemon_close(&d, fd);
}

/* Unchecked teardown (runs in the parent even when a test failed): leave
 * the keyring running and unlocked for the next test case. */
static void keyring_restore(void)
{
	kill(keyring_pid, SIGCONT);
	tk_restore_unlocked();
}

static json_t *set_params(const char *id, const char *kind, const char *secret)
{
	json_t *p = json_pack("{s:s, s:s}", "connection_id", id, "secret", secret);
	if (kind)
		json_object_set_new(p, "kind", json_string(kind));
	return p;
}

static json_t *target(const char *id, const char *kind)
{
	json_t *p = json_pack("{s:s}", "connection_id", id);
	if (kind)
		json_object_set_new(p, "kind", json_string(kind));
	return p;
}

static bool has(const char *id, const char *kind, bool *ret_in_memory)
{
	json_t *r = tk_ok(fd, "credentials.has", target(id, kind));
	bool present = tk_bool(r, "present");
	if (ret_in_memory)
		*ret_in_memory = tk_bool(r, "in_memory");
	json_decref(r);
	return present;
}

static char *key_of(int kind, const char *id)
{
	char *k = NULL;
	ck_assert_int_ge(asprintf(&k, "%s%s", key_prefixes[kind], id), 0);
	return k;
}

static void expect_keyring(int kind, const char *id, const char *want)
{
	char *key = key_of(kind, id);
	char *got = tk_secret_tool_lookup(key);
	if (want)
		ck_assert_msg(got && strcmp(got, want) == 0, "secret-tool lookup %s: got %s", key,
		              got ? "another secret" : "nothing");
	else
		ck_assert_msg(!got, "secret-tool still finds %s", key);
	free(got);
	free(key);
}

START_TEST(store_is_seen_by_secret_tool)
{
	char id[37], secret[64];
	tk_uuid(id);
	tk_secret(secret, sizeof(secret));

	json_t *r = tk_ok(fd, "credentials.set", set_params(id, NULL, secret));
	ck_assert(tk_bool(r, "stored"));
	ck_assert(!tk_bool(r, "in_memory"));
	ck_assert_str_eq(tk_str(r, "keyring"), "ok");
	char *text = json_dumps(r, JSON_COMPACT);
	ck_assert_ptr_null(strstr(text, secret + 1));
	free(text);
	json_decref(r);

	expect_keyring(0, id, secret);
	bool in_memory = true;
	ck_assert(has(id, NULL, &in_memory));
	ck_assert(!in_memory);
	ck_assert(has(id, "password", NULL));
	ck_assert(!has(id, "ssh_password", NULL));

	/* The item's label names the connection, never the secret. */
	char *key = key_of(0, id);
	char *listing = tk_secret_tool_search(key);
	char label[128];
	snprintf(label, sizeof(label), "label = Tusk password for connection %s", id);
	ck_assert_msg(strstr(listing, label), "no label line in: %s", listing);
	char *label_line = strstr(listing, "label = ");
	char *eol = strchr(label_line, '\n');
	ck_assert_ptr_nonnull(eol);
	*eol = '\0';
	ck_assert_ptr_null(strstr(label_line, secret + 1));
	free(listing);
	free(key);

	/* An upper-case id names the same secret. */
	for (char *p = id; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	ck_assert(has(id, NULL, NULL));
}
END_TEST

START_TEST(set_replaces)
{
	char id[37], first[64], second[64];
	tk_uuid(id);
	tk_secret(first, sizeof(first));
	tk_secret(second, sizeof(second));
	json_decref(tk_ok(fd, "credentials.set", set_params(id, "ssh_passphrase", first)));
	json_decref(tk_ok(fd, "credentials.set", set_params(id, "ssh_passphrase", second)));
	expect_keyring(2, id, second);
	char *key = key_of(2, id);
	char *listing = tk_secret_tool_search(key);
	/* One item, not two. */
	char *one = strstr(listing, "label = ");
	ck_assert_ptr_nonnull(one);
	ck_assert_ptr_null(strstr(one + 1, "label = "));
	free(listing);
	free(key);
}
END_TEST

START_TEST(delete_one_kind_and_all)
{
	char id[37], secrets[4][64];
	tk_uuid(id);
	for (int k = 0; k < 4; k++) {
		tk_secret(secrets[k], sizeof(secrets[k]));
		json_t *r = tk_ok(fd, "credentials.set", set_params(id, kinds[k], secrets[k]));
		ck_assert(!tk_bool(r, "in_memory"));
		json_decref(r);
	}
	for (int k = 0; k < 4; k++) {
		expect_keyring(k, id, secrets[k]);
		ck_assert(has(id, kinds[k], NULL));
	}

	json_t *r = tk_ok(fd, "credentials.delete", target(id, "ssh_password"));
	ck_assert(tk_bool(r, "deleted"));
	ck_assert(!tk_bool(r, "in_memory"));
	json_decref(r);
	expect_keyring(1, id, NULL);
	ck_assert(!has(id, "ssh_password", NULL));
	expect_keyring(0, id, secrets[0]);
	expect_keyring(2, id, secrets[2]);
	expect_keyring(3, id, secrets[3]);

	/* Deleting what is not there succeeds. */
	json_decref(tk_ok(fd, "credentials.delete", target(id, "ssh_password")));

	/* No kind: every kind goes. */
	json_decref(tk_ok(fd, "credentials.delete", target(id, NULL)));
	for (int k = 0; k < 4; k++) {
		expect_keyring(k, id, NULL);
		ck_assert(!has(id, kinds[k], NULL));
	}
}
END_TEST

START_TEST(invalid_params)
{
	char id[37], secret[64];
	tk_uuid(id);
	tk_secret(secret, sizeof(secret));
	char *text = NULL;

	ck_assert_int_eq(tk_err(fd, "credentials.set",
	                        set_params("not-a-uuid-but-36-characters-long!!", NULL, secret),
	                        &text),
	                 -32602);
	ck_assert_msg(strstr(text, "connection_id"), "%s", text);
	ck_assert_ptr_null(strstr(text, secret + 1));
	free(text);
	ck_assert_int_eq(tk_err(fd, "credentials.set", set_params(id, "pgpass", secret), &text),
	                 -32602);
	ck_assert_ptr_null(strstr(text, secret + 1));
	free(text);
	ck_assert_int_eq(tk_err(fd, "credentials.set", set_params(id, NULL, ""), NULL), -32602);
	ck_assert_int_eq(tk_err(fd, "credentials.set", target(id, NULL), NULL), -32602);
	ck_assert_int_eq(tk_err(fd, "credentials.has", target("short", NULL), NULL), -32602);
	ck_assert_int_eq(tk_err(fd, "credentials.delete", target(id, "everything"), NULL), -32602);
	/* Nothing was stored by the failed calls. */
	ck_assert(!has(id, NULL, NULL));
}
END_TEST

START_TEST(hello_and_status_say_ok)
{
	json_t *h = tk_ok(fd, "daemon.hello",
	                  json_pack("{s:s, s:i}", "client", "test-keyring", "protocol_version", 1));
	ck_assert_str_eq(tk_str(h, "keyring"), "ok");
	json_decref(h);
	json_t *s = tk_ok(fd, "daemon.status", NULL);
	ck_assert_str_eq(tk_str(s, "keyring"), "ok");
	json_decref(s);
}
END_TEST

/* No session bus: "unavailable", secrets in memory, gone after a restart
 * on the same data dir. */
START_TEST(unavailable_keeps_secrets_in_memory)
{
	start(no_bus_env, "unavailable");
	json_t *h = tk_ok(fd, "daemon.hello",
	                  json_pack("{s:s, s:i}", "client", "test-keyring", "protocol_version", 1));
	ck_assert_str_eq(tk_str(h, "keyring"), "unavailable");
	json_decref(h);

	char id[37], secret[64];
	tk_uuid(id);
	tk_secret(secret, sizeof(secret));
	json_t *r = tk_ok(fd, "credentials.set", set_params(id, NULL, secret));
	ck_assert(tk_bool(r, "stored"));
	ck_assert(tk_bool(r, "in_memory"));
	ck_assert_str_eq(tk_str(r, "keyring"), "unavailable");
	json_decref(r);
	bool in_memory = false;
	ck_assert(has(id, NULL, &in_memory));
	ck_assert(in_memory);
	ck_assert(!has(id, "ssh_passphrase", &in_memory));
	ck_assert(in_memory);
	/* The test's own session has a keyring: nothing reached it. */
	expect_keyring(0, id, NULL);

	json_t *del = tk_ok(fd, "credentials.delete", target(id, NULL));
	ck_assert(tk_bool(del, "in_memory"));
	json_decref(del);
	ck_assert(!has(id, NULL, NULL));

	json_decref(tk_ok(fd, "credentials.set", set_params(id, "ssl_passphrase", secret)));
	ck_assert(has(id, "ssl_passphrase", NULL));
	char found[1024];
	ck_assert_msg(!tt_tree_contains(d.dir, secret + 1, NULL, found, sizeof(found)),
	              "secret in %s", found);

	close(fd);
	tt_daemon_restart(&d, no_bus_env);
	fd = tt_connect(d.socket);
	tk_wait_state(fd, "unavailable", 10000);
	ck_assert(!has(id, "ssl_passphrase", &in_memory));
	ck_assert(in_memory);
	ck_assert_msg(!tt_tree_contains(d.dir, secret + 1, NULL, found, sizeof(found)),
	              "secret in %s", found);
	teardown();
}
END_TEST

/* Locked mid-session: memory, no prompt; unlocked: back to the keyring. */
START_TEST(locked_then_unlocked)
{
	char id[37], old_secret[64], memory_secret[64], new_secret[64];
	tk_uuid(id);
	tk_secret(old_secret, sizeof(old_secret));
	tk_secret(memory_secret, sizeof(memory_secret));
	tk_secret(new_secret, sizeof(new_secret));
	json_decref(tk_ok(fd, "credentials.set", set_params(id, NULL, old_secret)));

	tk_lock();
	double t0 = tt_now_ms();
	bool in_memory = false;
	/* The keyring's copy is in a locked collection: not usable without
	 * a prompt, so not counted. */
	ck_assert(!has(id, NULL, &in_memory));
	ck_assert(in_memory);
	ck_assert_msg(tt_now_ms() - t0 < 2000, "has took %.0f ms on a locked keyring",
	              tt_now_ms() - t0);
	tk_wait_state(fd, "locked", 1000);

	json_t *r = tk_ok(fd, "credentials.set", set_params(id, NULL, memory_secret));
	ck_assert(tk_bool(r, "in_memory"));
	ck_assert_str_eq(tk_str(r, "keyring"), "locked");
	json_decref(r);
	ck_assert(has(id, NULL, &in_memory));
	ck_assert(in_memory);
	ck_assert_msg(tk_locked(), "something unlocked the keyring (a prompt?)");

	/* A daemon started now reports the keyring locked. */
	struct tt_daemon d2;
	int fd2 = tt_daemon_open(&d2, NULL);
	tk_wait_state(fd2, "locked", 10000);
	json_t *h = tk_ok(fd2, "daemon.hello",
	                  json_pack("{s:s, s:i}", "client", "test-keyring", "protocol_version", 1));
	ck_assert_str_eq(tk_str(h, "keyring"), "locked");
	json_decref(h);
	tt_daemon_close(&d2, fd2);

	tk_unlock();
	/* The memory copy is newer than the keyring's and still wins. */
	ck_assert(has(id, NULL, &in_memory));
	ck_assert(in_memory);
	tk_wait_state(fd, "ok", 1000);
	expect_keyring(0, id, old_secret);

	r = tk_ok(fd, "credentials.set", set_params(id, NULL, new_secret));
	ck_assert(!tk_bool(r, "in_memory"));
	ck_assert_str_eq(tk_str(r, "keyring"), "ok");
	json_decref(r);
	expect_keyring(0, id, new_secret);
	ck_assert(has(id, NULL, &in_memory));
	ck_assert(!in_memory);
	json_decref(tk_ok(fd, "credentials.delete", target(id, NULL)));
}
END_TEST

/* The daemon's whole tree (stderr log, daily log files, tusk.db and its
 * WAL) and every process's argv and environment stay free of the secret,
 * also while tuskctl secret set --password-stdin is reading it. */
START_TEST(secret_reaches_no_file_log_or_argv)
{
	static const char *const trace_env[] = {"TUSK_LOG=trace", NULL};
	start(trace_env, "ok");
	char id[37], secret[64], ctl_secret[64], found[1024];
	tk_uuid(id);
	tk_secret(secret, sizeof(secret));
	tk_secret(ctl_secret, sizeof(ctl_secret));

	json_decref(tk_ok(fd, "credentials.set", set_params(id, "ssh_password", secret)));
	/* Failed calls carrying the secret too. */
	ck_assert_int_eq(tk_err(fd, "credentials.set",
	                        set_params("00000000-0000-0000-0000-00000000000g", NULL, secret),
	                        NULL),
	                 -32602);
	ck_assert_int_eq(tk_err(fd, "credentials.set", set_params(id, "bogus", secret), NULL),
	                 -32602);
	json_t *bad = json_pack("{s:i, s:s}", "connection_id", 42, "secret", secret);
	ck_assert_int_eq(tk_err(fd, "credentials.set", bad, NULL), -32602);

	/* tuskctl reading the secret from a pipe that stays open. */
	int in[2];
	ck_assert_int_eq(pipe(in), 0);
	pid_t ctl = fork();
	ck_assert_int_ge(ctl, 0);
	if (ctl == 0) {
		dup2(in[0], 0);
		close(in[0]);
		close(in[1]);
		execl(getenv("TUSKCTL"), "tuskctl", "--socket", d.socket, "--no-autostart",
		      "secret", "set", id, "--password-stdin", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	ck_assert_int_eq(write(in[1], ctl_secret, strlen(ctl_secret)), (ssize_t)strlen(ctl_secret));
	usleep(300000); /* tuskctl now holds a partial line, waiting for '\n' */
	ck_assert_msg(!tt_proc_contains(ctl_secret + 1, found, sizeof(found)), "secret in %s",
	              found);
	ck_assert_msg(!tt_proc_contains(secret + 1, found, sizeof(found)), "secret in %s", found);
	ck_assert_int_eq(write(in[1], "\n", 1), 1);
	close(in[1]);
	int status;
	ck_assert_int_eq(waitpid(ctl, &status, 0), ctl);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "tuskctl status %d", status);
	expect_keyring(0, id, ctl_secret);
	ck_assert_msg(!tt_proc_contains(ctl_secret + 1, found, sizeof(found)), "secret in %s",
	              found);

	/* Stop the daemon (logs flushed, WAL checkpointed) and grep all it
	 * left behind. */
	close(fd);
	int st = -1;
	kill(d.pid, SIGTERM);
	ck_assert_int_eq(waitpid(d.pid, &st, 0), d.pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	d.pid = 0;
	char logs[400];
	snprintf(logs, sizeof(logs), "%s/state/logs", d.dir);
	ck_assert_msg(access(logs, F_OK) == 0, "no log dir %s: the grep would prove nothing", logs);
	ck_assert_msg(access(d.log_path, F_OK) == 0, "no stderr log");
	ck_assert_msg(tt_tree_contains(d.dir, "credentials.set", NULL, NULL, 0),
	              "the trace log does not even name the calls: the grep would prove nothing");
	ck_assert_msg(!tt_tree_contains(d.dir, secret + 1, NULL, found, sizeof(found)),
	              "secret in %s", found);
	ck_assert_msg(!tt_tree_contains(d.dir, ctl_secret + 1, NULL, found, sizeof(found)),
	              "secret in %s", found);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "secret-tool clear service com.tusk.app key tusk:connection:%s",
	         id);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "secret-tool clear service com.tusk.app key tusk:ssh:%s", id);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", d.dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A keyring that stops answering (SIGSTOP) makes neither the loop nor a
 * call hang: 20 calls wait on workers while pings answer at once, and the
 * calls end within the keyring timeout (5 s) in memory. */
START_TEST(stalled_keyring_blocks_nothing)
{
	int fd2 = tt_connect(d.socket);
	char id[37], secret[64];
	tk_uuid(id);
	tk_secret(secret, sizeof(secret));

	ck_assert_int_eq(kill(keyring_pid, SIGSTOP), 0);
	double t0 = tt_now_ms();
	for (int i = 0; i < 20; i++) {
		json_t *req =
		    json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", 1000 + i, "method",
		              i % 2 ? "credentials.has" : "credentials.set", "params",
		              i % 2 ? target(id, NULL) : set_params(id, NULL, secret));
		char *line = json_dumps(req, JSON_COMPACT);
		tt_send_str(fd, line);
		tt_send_str(fd, "\n");
		free(line);
		json_decref(req);
	}
	usleep(200000);
	json_t *st = tk_ok(fd2, "daemon.status", NULL);
	long long in_flight = json_integer_value(json_object_get(st, "requests_in_flight"));
	json_decref(st);
	ck_assert_msg(in_flight >= 20, "only %lld requests in flight: nothing to prove", in_flight);
	for (int i = 0; i < 10; i++) {
		double p0 = tt_now_ms();
		ck_assert(tt_ping(fd2, 1000));
		double took = tt_now_ms() - p0;
		/* Keyring calls in flight take seconds each; a loop waiting on
		 * one would show that, not a busy machine's few hundred ms. */
		ck_assert_msg(took < 500, "daemon.ping took %.1f ms with keyring calls in flight",
		              took);
		usleep(100000);
	}
	int results = 0;
	while (results < 20) {
		json_t *reply = tt_read(fd, 15000);
		ck_assert_msg(reply, "only %d of 20 keyring calls answered", results);
		json_t *result = json_object_get(reply, "result");
		ck_assert_msg(result, "a call failed while the keyring was stalled");
		ck_assert(tk_bool(result, "in_memory"));
		ck_assert_str_eq(tk_str(result, "keyring"), "unavailable");
		json_decref(reply);
		results++;
	}
	double took = tt_now_ms() - t0;
	ck_assert_msg(took < 12000, "the calls took %.0f ms", took);
	ck_assert_msg(took > 4000, "the calls ended after %.0f ms: was the keyring stalled?", took);
	ck_assert_int_eq(kill(keyring_pid, SIGCONT), 0);
	json_t *s = tk_ok(fd2, "daemon.status", NULL);
	ck_assert_str_eq(tk_str(s, "keyring"), "unavailable");
	json_decref(s);
	close(fd2);
}
END_TEST

static Suite *keyring_suite(void)
{
	Suite *s = suite_create("keyring");

	TCase *ok = tcase_create("ok");
	tcase_add_checked_fixture(ok, setup_ok, teardown);
	tcase_add_test(ok, store_is_seen_by_secret_tool);
	tcase_add_test(ok, set_replaces);
	tcase_add_test(ok, delete_one_kind_and_all);
	tcase_add_test(ok, invalid_params);
	tcase_add_test(ok, hello_and_status_say_ok);
	suite_add_tcase(s, ok);

	TCase *none = tcase_create("unavailable");
	tcase_add_test(none, unavailable_keeps_secrets_in_memory);
	suite_add_tcase(s, none);

	TCase *locked = tcase_create("locked");
	tcase_add_unchecked_fixture(locked, NULL, keyring_restore);
	tcase_add_checked_fixture(locked, setup_ok, teardown);
	tcase_add_test(locked, locked_then_unlocked);
	suite_add_tcase(s, locked);

	TCase *leak = tcase_create("no-leak");
	tcase_add_test(leak, secret_reaches_no_file_log_or_argv);
	suite_add_tcase(s, leak);

	TCase *stall = tcase_create("stalled");
	tcase_add_unchecked_fixture(stall, NULL, keyring_restore);
	tcase_add_checked_fixture(stall, setup_ok, teardown);
	tcase_add_test(stall, stalled_keyring_blocks_nothing);
	tcase_set_timeout(stall, 60);
	suite_add_tcase(s, stall);
	return s;
}

int main(void)
{
	tk_require_keyring();
	keyring_pid = tk_keyring_pid();
	return tt_run_suite(keyring_suite());
}
