/* SSH tunnels through tuskd against a real sshd on 127.0.0.1 (started by
 * tests/harness/sshd.sh with its own host key and authorized_keys) to the
 * run's shared PostgreSQL: every way to authenticate, host key checks and
 * trust, a dropped tunnel rebuilt on the next query, and each failure as an
 * ssh_error a person can act on. Needs root (sshd, useradd). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

#define SSH_ERROR_CODE     -32004
#define INVALID_INPUT_CODE -32051
#define PW_USER            "tusktunnel"
#define PW_PASS            "tunnel-pass-1"
#define KEY_PASS           "key-pass-1"

static struct tt_pg pg;
static struct tt_daemon d;
static int fd = -1;
static int next_id = 1;
static char dir[256], sshdir[300], home[300], known_hosts[400];
static char home_env[400], agent_env[400];
static int ssh_port;
static char agent_pid[32];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int r = system(cmd);
	ck_assert_msg(r == 0, "command failed (%d): %s", r, cmd);
}

/* The first line a command prints, trimmed. */
static void sh_line(char *out, size_t n, const char *cmd)
{
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(out, (int)n, p));
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return strdup("");
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strdup(buf);
}

static void sshd(const char *what)
{
	sh("bash %s %s %s", TUSK_SSHD_SH, what, sshdir);
}

/* known_hosts with the server's real key, hashed as ssh-keygen -H leaves
 * it: the daemon must read hashed entries. */
static void trust_server(void)
{
	sh("printf '[127.0.0.1]:%d ' > %s && cut -d' ' -f1,2 %s/hostkey.pub >> %s", ssh_port,
	   known_hosts, sshdir, known_hosts);
	sh("ssh-keygen -q -H -f %s >/dev/null 2>&1 && rm -f %s.old", known_hosts, known_hosts);
	char *text = read_file(known_hosts);
	ck_assert_msg(strncmp(text, "|1|", 3) == 0, "known_hosts not hashed: %s", text);
	free(text);
}

static void suite_setup(void)
{
	ck_assert_msg(geteuid() == 0, "this suite runs sshd and useradd: it needs root");
	tt_pg_shared(&pg);
	snprintf(dir, sizeof(dir), "%s/tusk-ssh-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sshdir, sizeof(sshdir), "%s/sshd", dir);
	snprintf(home, sizeof(home), "%s/home", dir);
	snprintf(known_hosts, sizeof(known_hosts), "%s/.ssh/known_hosts", home);
	snprintf(home_env, sizeof(home_env), "HOME=%s", home);
	ck_assert_int_eq(mkdir(home, 0700), 0);
	char p[400];
	snprintf(p, sizeof(p), "%s/.ssh", home);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ssh_port = tt_free_port();
	sh("bash %s setup %s %d", TUSK_SSHD_SH, sshdir, ssh_port);
	/* An encrypted key, and a key the server does not know. */
	sh("ssh-keygen -q -t ed25519 -N %s -f %s/enckey && cat %s/enckey.pub >> %s/authorized_keys",
	   KEY_PASS, dir, dir, sshdir);
	sh("ssh-keygen -q -t ed25519 -N '' -f %s/strangerkey", dir);
	sh("bash %s del-user %s; bash %s add-user %s %s", TUSK_SSHD_SH, PW_USER, TUSK_SSHD_SH,
	   PW_USER, PW_PASS);
	/* An agent holding the user key. */
	snprintf(agent_env, sizeof(agent_env), "SSH_AUTH_SOCK=%s/agent.sock", dir);
	char cmd[600];
	snprintf(cmd, sizeof(cmd),
	         "ssh-agent -a %s/agent.sock | sed -n 's/^SSH_AGENT_PID=\\([0-9]*\\);.*/\\1/p'",
	         dir);
	sh_line(agent_pid, sizeof(agent_pid), cmd);
	sh("%s ssh-add -q %s/userkey 2>/dev/null", agent_env, sshdir);
}

static void suite_teardown(void)
{
	sh("bash %s stop %s", TUSK_SSHD_SH, sshdir);
	if (agent_pid[0])
		sh("kill %s", agent_pid);
	sh("bash %s del-user %s", TUSK_SSHD_SH, PW_USER);
	sh("rm -rf %s", dir);
}

static void setup(void)
{
	trust_server();
	sshd("start");
	/* No session bus: secrets stay in the daemon's memory. */
	const char *env[] = {home_env, agent_env, "DBUS_SESSION_BUS_ADDRESS=", NULL};
	fd = tt_daemon_open(&d, env);
}

static void teardown(void)
{
	tt_daemon_close(&d, fd);
	sshd("stop");
}

static json_t *call(const char *method, json_t *params)
{
	return tt_call(fd, next_id++, method, params);
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_int_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

struct tunnel_opts {
	const char *user, *auth, *key;
	bool passphrase;
	int port; /* 0: the test sshd */
	const char *host;
	int timeout;
};

static json_t *tunnel_config(const char *name, const struct tunnel_opts *o)
{
	json_t *t = json_pack("{s:b, s:s, s:i, s:s, s:s, s:b}", "enabled", 1, "host",
	                      o->host ? o->host : "127.0.0.1", "port", o->port ? o->port : ssh_port,
	                      "username", o->user ? o->user : "root", "auth", o->auth,
	                      "passphrase_in_keyring", o->passphrase);
	if (o->key)
		json_object_set_new(t, "key_path", json_string(o->key));
	json_t *cfg = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:o, s:{s:i}}", "name", name,
	                        "host", "127.0.0.1", "port", pg.port, "database", "postgres",
	                        "username", "postgres", "ssl_mode", "disable", "ssh_tunnel", t,
	                        "options", "connect_timeout_sec", o->timeout ? o->timeout : 10);
	return cfg;
}

static char *save(const char *name, const struct tunnel_opts *o)
{
	json_t *cfg = tunnel_config(name, o);
	json_t *r = call("connections.save", json_pack("{s:o}", "config", cfg));
	char *id = strdup(jstr(tt_result_of(r), "id"));
	json_decref(r);
	return id;
}

static void set_secret(const char *id, const char *kind, const char *secret)
{
	json_decref(call("credentials.set", json_pack("{s:s, s:s, s:s}", "connection_id", id,
	                                              "kind", kind, "secret", secret)));
}

static json_t *open_id(const char *id)
{
	return call("connection.open", json_pack("{s:s}", "id", id));
}

static json_t *tunnel_status(const char *id)
{
	json_t *r = call("connection.status", json_pack("{s:s}", "id", id));
	const json_t *one = json_array_get(json_object_get(tt_result_of(r), "connections"), 0);
	json_t *t = json_incref(json_object_get(one, "tunnel"));
	json_object_set(t, "_size", json_object_get(one, "size"));
	json_decref(r);
	ck_assert_msg(json_is_object(t), "no tunnel in connection.status");
	return t;
}

/* select 42 through the pool; the tunnel must be up and carry it. */
static void query_works(const char *id)
{
	json_t *r = call("query.execute", json_pack("{s:s, s:s}", "connection_id", id, "sql",
	                                            "SELECT 42 AS answer"));
	const json_t *res = json_array_get(json_object_get(tt_result_of(r), "results"), 0);
	ck_assert_str_eq(jstr(res, "command_tag"), "SELECT 1");
	ck_assert_int_eq(jint(res, "row_count"), 1);
	json_decref(r);
	json_t *t = tunnel_status(id);
	ck_assert_str_eq(jstr(t, "state"), "up");
	ck_assert_int_gt(jint(t, "local_port"), 0);
	ck_assert_int_ge(jint(t, "channels"), 1); /* the backend's socket is forwarded */
	ck_assert_str_eq(jstr(t, "remote_host"), "127.0.0.1");
	ck_assert_int_eq(jint(t, "remote_port"), pg.port);
	ck_assert_int_eq(jint(t, "ssh_port"), ssh_port);
	json_decref(t);
}

START_TEST(key_auth)
{
	char key[400];
	snprintf(key, sizeof(key), "%s/userkey", sshdir);
	char *id = save("key", &(struct tunnel_opts){.auth = "key", .key = key});
	json_t *r = open_id(id);
	const json_t *st = tt_result_of(r);
	ck_assert_str_eq(jstr(st, "status"), "connected");
	ck_assert_str_eq(jstr(json_object_get(st, "tunnel"), "auth"), "key");
	ck_assert_str_eq(jstr(json_object_get(st, "tunnel"), "ssh_user"), "root");
	json_decref(r);
	query_works(id);
	free(id);
}
END_TEST

START_TEST(encrypted_key_with_passphrase_from_keyring)
{
	char key[400];
	snprintf(key, sizeof(key), "%s/enckey", dir);
	char *id =
	    save("enc", &(struct tunnel_opts){.auth = "key", .key = key, .passphrase = true});
	/* Without the passphrase the key cannot be loaded: say so. */
	json_t *r = open_id(id);
	const json_t *err = tt_error_data(r, SSH_ERROR_CODE);
	ck_assert_msg(strstr(jstr(err, "hint"), "ssh_passphrase"), "hint: %s", jstr(err, "hint"));
	json_decref(r);
	set_secret(id, "ssh_passphrase", KEY_PASS);
	r = open_id(id);
	ck_assert_str_eq(jstr(tt_result_of(r), "status"), "connected");
	json_decref(r);
	query_works(id);
	free(id);
}
END_TEST

START_TEST(password_auth)
{
	char *id = save("pw", &(struct tunnel_opts){.auth = "password", .user = PW_USER});
	set_secret(id, "ssh_password", PW_PASS);
	json_t *r = open_id(id);
	ck_assert_str_eq(jstr(tt_result_of(r), "status"), "connected");
	json_decref(r);
	query_works(id);
	free(id);
}
END_TEST

START_TEST(agent_auth)
{
	char *id = save("agent", &(struct tunnel_opts){.auth = "agent"});
	json_t *r = open_id(id);
	ck_assert_str_eq(jstr(tt_result_of(r), "status"), "connected");
	json_decref(r);
	query_works(id);
	free(id);
}
END_TEST

START_TEST(wrong_password_is_ssh_error_with_hint)
{
	char *id = save("badpw", &(struct tunnel_opts){.auth = "password", .user = PW_USER});
	set_secret(id, "ssh_password", "not-the-password");
	json_t *r = open_id(id);
	const json_t *err = tt_error_data(r, SSH_ERROR_CODE);
	ck_assert_msg(strstr(jstr(err, "message"), "authentication"), "%s", jstr(err, "message"));
	ck_assert_msg(strstr(jstr(err, "hint"), "ssh_password"), "hint: %s", jstr(err, "hint"));
	json_decref(r);
	/* The daemon did not keep a half-open pool. */
	r = call("connection.status", json_pack("{s:s}", "id", id));
	const json_t *one = json_array_get(json_object_get(tt_result_of(r), "connections"), 0);
	ck_assert_str_eq(jstr(one, "status"), "disconnected");
	json_decref(r);
	free(id);
}
END_TEST

START_TEST(wrong_key_is_ssh_error_with_hint)
{
	char key[400];
	snprintf(key, sizeof(key), "%s/strangerkey", dir);
	char *id = save("badkey", &(struct tunnel_opts){.auth = "key", .key = key});
	json_t *r = open_id(id);
	const json_t *err = tt_error_data(r, SSH_ERROR_CODE);
	ck_assert_msg(strstr(jstr(err, "message"), "refused the key"), "%s", jstr(err, "message"));
	ck_assert_msg(strstr(jstr(err, "hint"), "authorized_keys"), "hint: %s", jstr(err, "hint"));
	json_decref(r);
	free(id);
}
END_TEST

START_TEST(unknown_host_key_then_trust)
{
	write_file(known_hosts, "");
	char fp[256];
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "ssh-keygen -l -E sha256 -f %s/hostkey.pub | cut -d' ' -f2",
	         sshdir);
	sh_line(fp, sizeof(fp), cmd);
	ck_assert_msg(strncmp(fp, "SHA256:", 7) == 0, "fingerprint %s", fp);

	char key[400];
	snprintf(key, sizeof(key), "%s/userkey", sshdir);
	char *id = save("unknown", &(struct tunnel_opts){.auth = "key", .key = key});
	json_t *r = open_id(id);
	const json_t *err = tt_error_data(r, SSH_ERROR_CODE);
	ck_assert_msg(strstr(jstr(err, "message"), fp), "no %s in: %s", fp, jstr(err, "message"));
	ck_assert_str_eq(jstr(err, "detail"), fp);
	json_decref(r);

	/* A fingerprint that is not the server's is refused. */
	r = call("ssh.trust_host_key",
	         json_pack("{s:s, s:s}", "connection_id", id, "fingerprint",
	                   "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
	ck_assert_int_eq(tt_error_code(r), SSH_ERROR_CODE);
	json_decref(r);
	char *text = read_file(known_hosts);
	ck_assert_str_eq(text, "");
	free(text);

	r = call("ssh.trust_host_key",
	         json_pack("{s:s, s:s}", "connection_id", id, "fingerprint", fp));
	const json_t *res = tt_result_of(r);
	ck_assert_str_eq(jstr(res, "fingerprint"), fp);
	ck_assert_int_eq(jint(res, "port"), ssh_port);
	json_decref(r);
	/* ssh itself agrees with what was recorded. */
	sh("ssh-keygen -F '[127.0.0.1]:%d' -f %s >/dev/null", ssh_port, known_hosts);

	r = open_id(id);
	ck_assert_str_eq(jstr(tt_result_of(r), "status"), "connected");
	json_decref(r);
	query_works(id);
	free(id);
}
END_TEST

static char *read_fingerprint(char *fp, size_t n)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "ssh-keygen -l -E sha256 -f %s/hostkey.pub | cut -d' ' -f2",
	         sshdir);
	sh_line(fp, n, cmd);
	ck_assert_msg(strncmp(fp, "SHA256:", 7) == 0, "fingerprint %s", fp);
	return fp;
}

static json_t *trust_at(const char *host, int port, const char *fp)
{
	return call("ssh.trust_host_key", json_pack("{s:s, s:i, s:s}", "ssh_host", host, "ssh_port",
	                                            port, "fingerprint", fp));
}

/* connections.test params of an unsaved config with a key-authenticated
 * tunnel, known_hosts emptied; fp gets sshd's host key fingerprint. */
static json_t *unsaved_test_params(char *fp, size_t n)
{
	write_file(known_hosts, "");
	read_fingerprint(fp, n);
	char key[400];
	snprintf(key, sizeof(key), "%s/userkey", sshdir);
	struct tunnel_opts o = {.auth = "key", .key = key};
	return json_pack("{s:o}", "config", tunnel_config("unsaved", &o));
}

/* A connection dialog's Test on an unsaved config: the key it saw is
 * trusted by the SSH server's host and port. */
START_TEST(unsaved_config_trust_by_host_and_port)
{
	char fp[256];
	json_t *params = unsaved_test_params(fp, sizeof(fp));

	/* Never seen at this server yet. */
	json_t *r = trust_at("127.0.0.1", ssh_port, fp);
	ck_assert_int_eq(tt_error_code(r), INVALID_INPUT_CODE);
	json_decref(r);

	r = call("connections.test", json_incref(params));
	const json_t *err = tt_error_data(r, SSH_ERROR_CODE);
	ck_assert_str_eq(jstr(err, "detail"), fp);
	json_decref(r);

	/* Both names, neither, or half of one: invalid_params. */
	json_t *bad[] = {
	    json_pack("{s:s, s:s, s:i, s:s}", "connection_id", "x", "ssh_host", "127.0.0.1",
	              "ssh_port", ssh_port, "fingerprint", fp),
	    json_pack("{s:s}", "fingerprint", fp),
	    json_pack("{s:s, s:s}", "ssh_host", "127.0.0.1", "fingerprint", fp),
	    json_pack("{s:i, s:s}", "ssh_port", ssh_port, "fingerprint", fp),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = call("ssh.trust_host_key", bad[i]);
		ck_assert_int_eq(tt_error_code(r), -32602);
		json_decref(r);
	}
	/* Another server (same host, another port; another host) saw nothing. */
	r = trust_at("127.0.0.1", ssh_port == 65535 ? 1 : ssh_port + 1, fp);
	ck_assert_int_eq(tt_error_code(r), INVALID_INPUT_CODE);
	json_decref(r);
	r = trust_at("127.0.0.2", ssh_port, fp);
	ck_assert_int_eq(tt_error_code(r), INVALID_INPUT_CODE);
	json_decref(r);
	/* A fingerprint that is not the server's is refused. */
	r = trust_at("127.0.0.1", ssh_port, "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	ck_assert_int_eq(tt_error_code(r), SSH_ERROR_CODE);
	json_decref(r);
	char *text = read_file(known_hosts);
	ck_assert_str_eq(text, "");
	free(text);

	r = trust_at("127.0.0.1", ssh_port, fp);
	const json_t *res = tt_result_of(r);
	ck_assert_str_eq(jstr(res, "fingerprint"), fp);
	ck_assert_str_eq(jstr(res, "host"), "127.0.0.1");
	ck_assert_int_eq(jint(res, "port"), ssh_port);
	ck_assert_ptr_null(json_object_get(res, "connection_id"));
	json_decref(r);
	sh("ssh-keygen -F '[127.0.0.1]:%d' -f %s >/dev/null", ssh_port, known_hosts);
	/* Once: the key is no longer waiting. */
	r = trust_at("127.0.0.1", ssh_port, fp);
	ck_assert_int_eq(tt_error_code(r), INVALID_INPUT_CODE);
	json_decref(r);

	r = call("connections.test", json_incref(params));
	ck_assert_msg(json_is_true(json_object_get(tt_result_of(r), "ok")), "tested after trust");
	json_decref(r);
	json_decref(params);
}
END_TEST

/* A key seen as unknown, then known_hosts gets another key for the server:
 * the server's key is now a changed key, refused on test and on trust. */
START_TEST(changed_key_after_unsaved_test_is_refused)
{
	char fp[256];
	json_t *params = unsaved_test_params(fp, sizeof(fp));
	json_t *r = call("connections.test", json_incref(params));
	ck_assert_str_eq(jstr(tt_error_data(r, SSH_ERROR_CODE), "detail"), fp);
	json_decref(r);

	sh("ssh-keygen -q -t ed25519 -N '' -f %s/otherhost </dev/null >/dev/null 2>&1 || true",
	   dir);
	sh("printf '[127.0.0.1]:%d ' > %s && cut -d' ' -f1,2 %s/otherhost.pub >> %s", ssh_port,
	   known_hosts, dir, known_hosts);
	char *before = read_file(known_hosts);
	r = call("connections.test", json_incref(params));
	const json_t *err = tt_error_data(r, SSH_ERROR_CODE);
	ck_assert_msg(strstr(jstr(err, "message"), "HAS CHANGED"), "%s", jstr(err, "message"));
	json_decref(r);
	r = trust_at("127.0.0.1", ssh_port, fp);
	ck_assert_int_eq(tt_error_code(r), SSH_ERROR_CODE);
	json_decref(r);
	char *after = read_file(known_hosts);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	r = call("connections.test", json_incref(params));
	tt_error_data(r, SSH_ERROR_CODE);
	json_decref(r);
	json_decref(params);
}
END_TEST

START_TEST(changed_host_key_is_refused)
{
	/* known_hosts holds another key for this host and port. */
	sh("ssh-keygen -q -t ed25519 -N '' -f %s/oldhost </dev/null >/dev/null 2>&1", dir);
	sh("printf '[127.0.0.1]:%d ' > %s && cut -d' ' -f1,2 %s/oldhost.pub >> %s", ssh_port,
	   known_hosts, dir, known_hosts);
	char *before = read_file(known_hosts);
	char key[400];
	snprintf(key, sizeof(key), "%s/userkey", sshdir);
	char *id = save("changed", &(struct tunnel_opts){.auth = "key", .key = key});
	json_t *r = open_id(id);
	const json_t *err = tt_error_data(r, SSH_ERROR_CODE);
	ck_assert_msg(strstr(jstr(err, "message"), "HAS CHANGED"), "%s", jstr(err, "message"));
	ck_assert_msg(strstr(jstr(err, "hint"), "known_hosts"), "hint: %s", jstr(err, "hint"));
	char fp[128];
	snprintf(fp, sizeof(fp), "%s", jstr(err, "detail"));
	json_decref(r);
	/* Never trusted, not even when asked. */
	r = call("ssh.trust_host_key",
	         json_pack("{s:s, s:s}", "connection_id", id, "fingerprint", fp));
	ck_assert_int_ne(tt_error_code(r), 0);
	json_decref(r);
	char *after = read_file(known_hosts);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	free(id);
}
END_TEST

static void wait_tunnel_down(const char *id)
{
	double until = tt_now_ms() + 10000;
	for (;;) {
		json_t *t = tunnel_status(id);
		bool down = strcmp(jstr(t, "state"), "down") == 0 && jint(t, "_size") == 0;
		json_decref(t);
		if (down)
			return;
		ck_assert_msg(tt_now_ms() < until, "the tunnel was not seen down");
		usleep(50000);
	}
}

START_TEST(sshd_killed_while_idle_then_back)
{
	char key[400];
	snprintf(key, sizeof(key), "%s/userkey", sshdir);
	char *id = save("idle", &(struct tunnel_opts){.auth = "key", .key = key});
	int ev = tt_connect(d.socket);
	json_decref(
	    tt_call(ev, 1, "events.subscribe", json_pack("{s:[s]}", "topics", "connection")));
	json_decref(open_id(id));
	query_works(id);
	sshd("stop");
	wait_tunnel_down(id);
	json_t *t = tunnel_status(id);
	ck_assert_msg(strstr(jstr(json_object_get(t, "last_error"), "message"), "lost"), "%s",
	              jstr(json_object_get(t, "last_error"), "message"));
	json_decref(t);
	sshd("start");
	query_works(id); /* no user action */
	t = tunnel_status(id);
	ck_assert_int_eq(jint(t, "rebuilds"), 1);
	json_decref(t);
	/* connection.connected: the first says nothing was rebuilt; the one
	 * after the loss says connected again, through a rebuilt tunnel. */
	int connected = 0;
	for (json_t *n; connected < 2 && (n = tt_read(ev, 5000));) {
		const json_t *p = json_object_get(n, "params");
		if (strcmp(jstr(n, "method"), "connection.connected") == 0) {
			bool again = json_is_true(json_object_get(p, "again"));
			bool rebuilt = json_is_true(json_object_get(p, "tunnel_rebuilt"));
			ck_assert_msg(
			    json_is_boolean(json_object_get(p, "tunnel_rebuilt")),
			    "a tunnel's connection.connected says whether it was rebuilt");
			ck_assert_msg(again == (connected == 1) && rebuilt == (connected == 1),
			              "connected event %d: again %d, tunnel_rebuilt %d",
			              connected + 1, again, rebuilt);
			connected++;
		}
		json_decref(n);
	}
	ck_assert_int_eq(connected, 2);
	close(ev);
	free(id);
}
END_TEST

START_TEST(sshd_killed_mid_query)
{
	char key[400];
	snprintf(key, sizeof(key), "%s/userkey", sshdir);
	char *id = save("midq", &(struct tunnel_opts){.auth = "key", .key = key});
	json_decref(open_id(id));
	query_works(id);
	int fd2 = tt_connect(d.socket);
	char req[512];
	snprintf(req, sizeof(req),
	         "{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"query.execute\",\"params\":"
	         "{\"connection_id\":\"%s\",\"sql\":\"SELECT pg_sleep(30)\"}}\n",
	         id);
	tt_send_str(fd2, req);
	usleep(700000);
	double t0 = tt_now_ms();
	sshd("stop");
	json_t *reply = NULL;
	while ((reply = tt_read(fd2, 10000))) {
		if (json_integer_value(json_object_get(reply, "id")) == 77)
			break;
		json_decref(reply);
	}
	ck_assert_msg(reply, "no reply to the query");
	const json_t *err = json_object_get(reply, "error");
	ck_assert_msg(err, "the query did not fail");
	/* The query engine reports the lost backend (connection_failed). */
	ck_assert_msg(strstr(jstr(err, "message"), "lost"), "%s", jstr(err, "message"));
	ck_assert_double_lt(tt_now_ms() - t0, 5000);
	json_decref(reply);
	close(fd2);
	ck_assert(tt_ping(fd, 2000));
	/* And it comes back. */
	wait_tunnel_down(id);
	sshd("start");
	query_works(id);
	free(id);
}
END_TEST

START_TEST(unreachable_ssh_host_within_timeout)
{
	char key[400];
	snprintf(key, sizeof(key), "%s/userkey", sshdir);
	/* Nothing listens on a fresh port; an address nobody routes either
	 * answers at once or not at all — both must end within the timeout. */
	const struct {
		const char *host;
		int port;
	} targets[] = {{"127.0.0.1", tt_free_port()}, {"10.255.255.1", 22}};
	for (size_t i = 0; i < 2; i++) {
		char name[32];
		snprintf(name, sizeof(name), "unreach%zu", i);
		char *id = save(name, &(struct tunnel_opts){.auth = "key",
		                                            .key = key,
		                                            .host = targets[i].host,
		                                            .port = targets[i].port,
		                                            .timeout = 2});
		double t0 = tt_now_ms();
		json_t *r = open_id(id);
		double took = tt_now_ms() - t0;
		const json_t *err = tt_error_data(r, SSH_ERROR_CODE);
		ck_assert_msg(strstr(jstr(err, "message"), targets[i].host), "%s",
		              jstr(err, "message"));
		ck_assert_msg(took < 3500, "took %.0f ms", took);
		json_decref(r);
		free(id);
	}
}
END_TEST

START_TEST(sshd_down_is_ssh_error_then_backoff_then_back)
{
	char key[400];
	snprintf(key, sizeof(key), "%s/userkey", sshdir);
	char *id = save("down", &(struct tunnel_opts){.auth = "key", .key = key});
	json_decref(open_id(id));
	query_works(id);
	sshd("stop");
	wait_tunnel_down(id);
	/* The rebuild fails: the query says why in SSH terms. */
	for (int i = 0; i < 2; i++) {
		double t0 = tt_now_ms();
		json_t *r = call("query.execute",
		                 json_pack("{s:s, s:s}", "connection_id", id, "sql", "SELECT 1"));
		const json_t *err = tt_error_data(r, SSH_ERROR_CODE);
		ck_assert_msg(strstr(jstr(err, "message"), "cannot reach the SSH host"), "%s",
		              jstr(err, "message"));
		ck_assert_double_lt(tt_now_ms() - t0, 3000);
		json_decref(r);
	}
	/* Back: after the backoff (1 s after one failed rebuild) it works. */
	sshd("start");
	usleep(1200000);
	query_works(id);
	json_t *t = tunnel_status(id);
	ck_assert_int_eq(jint(t, "rebuilds"), 1);
	json_decref(t);
	free(id);
}
END_TEST

START_TEST(ssh_config_defaults)
{
	/* A Host alias: HostName, Port, User (none is saved) and IdentityFile come from
	 * ~/.ssh/config. The daemon has no agent, so the IdentityFile is what
	 * authenticates. */
	tt_daemon_close(&d, fd);
	const char *env[] = {home_env, "SSH_AUTH_SOCK=", "DBUS_SESSION_BUS_ADDRESS=", NULL};
	fd = tt_daemon_open(&d, env);
	char cfg[1024], path[400];
	snprintf(cfg, sizeof(cfg),
	         "# tusk test\n"
	         "Host other\n  HostName 192.0.2.1\n"
	         "Host tusk-alias\n  HostName 127.0.0.1\n  Port %d\n  User root\n"
	         "  IdentityFile %s/userkey\n"
	         "Host *\n  Port 1\n",
	         ssh_port, sshdir);
	snprintf(path, sizeof(path), "%s/.ssh/config", home);
	write_file(path, cfg);
	char *id = save(
	    "alias",
	    &(struct tunnel_opts){.auth = "agent", .host = "tusk-alias", .port = 22, .user = ""});
	json_t *r = open_id(id);
	const json_t *t = json_object_get(tt_result_of(r), "tunnel");
	ck_assert_str_eq(jstr(t, "ssh_host"), "127.0.0.1");
	ck_assert_int_eq(jint(t, "ssh_port"), ssh_port);
	/* No username saved: User from the config. */
	ck_assert_str_eq(jstr(t, "ssh_user"), "root");
	json_decref(r);
	query_works(id);
	unlink(path);
	free(id);
}
END_TEST

/* connections.test with the SSH secret as typed in a dialog: an unsaved
 * config's SSH password, a saved connection's key passphrase that is not
 * in the keyring; a wrong one is an ssh_error that does not echo it. */
START_TEST(test_with_typed_ssh_secret)
{
	struct tunnel_opts pw = {.auth = "password", .user = PW_USER};
	json_t *r =
	    call("connections.test", json_pack("{s:o, s:s}", "config", tunnel_config("typed", &pw),
	                                       "ssh_secret", PW_PASS));
	ck_assert_msg(json_is_true(json_object_get(tt_result_of(r), "ok")), "unsaved, typed");
	json_decref(r);
	r = call("connections.test", json_pack("{s:o, s:s}", "config", tunnel_config("typed", &pw),
	                                       "ssh_secret", "typed-but-wrong-7"));
	const json_t *err = tt_error_data(r, SSH_ERROR_CODE);
	ck_assert_msg(strstr(jstr(err, "message"), "authentication"), "%s", jstr(err, "message"));
	char *all = json_dumps(r, 0);
	ck_assert_msg(!strstr(all, "typed-but-wrong-7"), "the secret echoed: %s", all);
	free(all);
	json_decref(r);

	char key[400];
	snprintf(key, sizeof(key), "%s/enckey", dir);
	char *id = save("enc-typed", &(struct tunnel_opts){.auth = "key", .key = key});
	r = call("connections.test",
	         json_pack("{s:s, s:s}", "id", id, "ssh_secret", "typed-wrong-passphrase-9"));
	err = tt_error_data(r, SSH_ERROR_CODE);
	ck_assert_msg(strstr(jstr(err, "message"), "passphrase is missing or wrong"), "%s",
	              jstr(err, "message"));
	all = json_dumps(r, 0);
	ck_assert_msg(!strstr(all, "typed-wrong-passphrase-9"), "the passphrase echoed: %s", all);
	free(all);
	json_decref(r);
	r = call("connections.test", json_pack("{s:s, s:s}", "id", id, "ssh_secret", KEY_PASS));
	ck_assert_msg(json_is_true(json_object_get(tt_result_of(r), "ok")), "saved, typed");
	json_decref(r);
	/* nothing was kept: without it the key cannot be loaded */
	r = call("connections.test", json_pack("{s:s}", "id", id));
	tt_error_data(r, SSH_ERROR_CODE);
	json_decref(r);
	r = call("connections.test",
	         json_pack("{s:s, s:s}", "conninfo", "host=127.0.0.1", "ssh_secret", "x"));
	tt_error_data(r, -32602);
	json_decref(r);
	free(id);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ssh");
	TCase *tc = tcase_create("tunnel");
	tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, key_auth);
	tcase_add_test(tc, encrypted_key_with_passphrase_from_keyring);
	tcase_add_test(tc, password_auth);
	tcase_add_test(tc, test_with_typed_ssh_secret);
	tcase_add_test(tc, agent_auth);
	tcase_add_test(tc, wrong_password_is_ssh_error_with_hint);
	tcase_add_test(tc, wrong_key_is_ssh_error_with_hint);
	tcase_add_test(tc, unknown_host_key_then_trust);
	tcase_add_test(tc, changed_host_key_is_refused);
	tcase_add_test(tc, unsaved_config_trust_by_host_and_port);
	tcase_add_test(tc, changed_key_after_unsaved_test_is_refused);
	tcase_add_test(tc, sshd_killed_while_idle_then_back);
	tcase_add_test(tc, sshd_killed_mid_query);
	tcase_add_test(tc, unreachable_ssh_host_within_timeout);
	tcase_add_test(tc, sshd_down_is_ssh_error_then_backoff_then_back);
	tcase_add_test(tc, ssh_config_defaults);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
