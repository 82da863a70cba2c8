/* TLS through tuskd: saved connections with sslmode, CA, client
 * certificate and key are opened with connection.open against real
 * PostgreSQL servers whose certificates the test made; the reply carries
 * the TLS facts, and each way of getting it wrong is an ssl_error with a
 * message a person understands.
 *
 * Servers (once for the suite):
 *   tls    certificate for localhost / IP 127.0.0.1, client CA; certuser
 *          must log in with a client certificate.
 *   other  certificate for db.example only. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/tt-tls-servers.h"
#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

static struct tt_certs certs;
static struct tt_pg pg_tls, pg_other;
static struct tt_daemon d;
static int fd = -1;
static int next_id = 1;
static char home_env[400];

static void suite_setup(void)
{
	tt_tls_servers_start(&certs, &pg_tls, &pg_other);

	/* The daemon's libpq defaults (~/.postgresql) come from an empty
	 * home, never from the machine running the tests. */
	char home[320];
	snprintf(home, sizeof(home), "%s/home", certs.dir);
	ck_assert_int_eq(mkdir(home, 0700), 0);
	snprintf(home_env, sizeof(home_env), "HOME=%s", home);
}

static void suite_teardown(void)
{
	tt_tls_servers_stop(&certs, &pg_tls, &pg_other);
}

static void setup(void)
{
	/* No session bus: secrets stay in the daemon's memory, which is all
	 * a key passphrase needs here (the keyring has suites of its own). */
	const char *env[] = {home_env,
	                     "DBUS_SESSION_BUS_ADDRESS=",
	                     "PGSSLROOTCERT=",
	                     "PGSSLCERT=",
	                     "PGSSLKEY=",
	                     "PGSSLMODE=",
	                     NULL};
	fd = tt_daemon_open(&d, env);
}

static void teardown(void)
{
	tt_daemon_close(&d, fd);
}

static json_t *call(const char *method, json_t *params)
{
	return tt_call(fd, next_id++, method, params);
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Save a connection with the given TLS settings (NULL: unset) and return
 * its id (newly allocated). */
static char *save(const char *name, const struct tt_pg *pg, const char *user, const char *mode,
                  const char *ca, const char *cert, const char *key)
{
	json_t *cfg =
	    json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "name", name, "host", "127.0.0.1", "port",
	              pg->port, "database", "postgres", "username", user, "ssl_mode", mode);
	if (ca)
		json_object_set_new(cfg, "ssl_ca_cert", json_string(ca));
	if (cert)
		json_object_set_new(cfg, "ssl_client_cert", json_string(cert));
	if (key)
		json_object_set_new(cfg, "ssl_client_key", json_string(key));
	json_t *r = call("connections.save", json_pack("{s:o}", "config", cfg));
	char *id = strdup(jstr(tt_result_of(r), "id"));
	json_decref(r);
	return id;
}

static json_t *open_id(const char *id)
{
	return call("connection.open", json_pack("{s:s}", "id", id));
}

/* The pool's backend as the server sees it. */
static char *server_view(const json_t *status, const char *column)
{
	json_int_t pid =
	    json_integer_value(json_array_get(json_object_get(status, "backend_pids"), 0));
	ck_assert_int_gt(pid, 0);
	char sql[300];
	snprintf(sql, sizeof(sql),
	         "SELECT %s FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) "
	         "WHERE pid = %lld",
	         column, (long long)pid);
	PGconn *c = tt_pg_connect(&pg_tls, NULL);
	PGresult *res = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1, "%s: %s", sql,
	              PQresultErrorMessage(res));
	char *v = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(c);
	return v;
}

START_TEST(verify_full_opens_and_reports_tls)
{
	char *id = save("tls", &pg_tls, "postgres", "verify_full", certs.ca_crt, NULL, NULL);
	json_t *r = open_id(id);
	const json_t *st = tt_result_of(r);
	ck_assert_str_eq(jstr(st, "status"), "connected");
	const json_t *tls = json_object_get(st, "tls");
	ck_assert(json_is_true(json_object_get(tls, "in_use")));
	ck_assert_str_eq(jstr(tls, "protocol"), "TLSv1.3");
	ck_assert_msg(jstr(tls, "cipher") && strncmp(jstr(tls, "cipher"), "TLS_", 4) == 0,
	              "cipher %s", jstr(tls, "cipher"));
	ck_assert_int_ge(json_integer_value(json_object_get(tls, "bits")), 128);
	const json_t *peer = json_object_get(tls, "peer");
	ck_assert_str_eq(jstr(peer, "subject"), "CN=localhost");
	ck_assert_str_eq(jstr(peer, "issuer"), "CN=Tusk Test CA,O=Tusk");
	ck_assert_msg(jstr(peer, "not_after") && strlen(jstr(peer, "not_after")) == 20,
	              "not_after %s", jstr(peer, "not_after"));

	char *cipher = server_view(st, "cipher");
	ck_assert_str_eq(cipher, jstr(tls, "cipher"));
	free(cipher);

	/* connection.status carries the same facts. */
	json_t *s = call("connection.status", json_pack("{s:s}", "id", id));
	const json_t *one = json_array_get(json_object_get(tt_result_of(s), "connections"), 0);
	ck_assert(json_equal(json_object_get(one, "tls"), (json_t *)tls));
	json_decref(s);
	json_decref(r);
	free(id);
}
END_TEST

START_TEST(verify_full_wrong_host_name_is_ssl_error)
{
	/* The server's certificate names db.example; we ask for 127.0.0.1. */
	char *id = save("other", &pg_other, "postgres", "verify_full", certs.ca_crt, NULL, NULL);
	json_t *r = open_id(id);
	const json_t *data = tt_error_data(r, 0);
	ck_assert_str_eq(jstr(data, "kind"), "ssl_error");
	ck_assert_str_eq(jstr(data, "error_type"), "ssl");
	ck_assert_msg(strstr(jstr(data, "message"), "does not match host name \"127.0.0.1\""), "%s",
	              jstr(data, "message"));
	json_decref(r);
	free(id);

	/* verify_ca trusts the same certificate: the CA is right. */
	id = save("other-ca", &pg_other, "postgres", "verify_ca", certs.ca_crt, NULL, NULL);
	r = open_id(id);
	ck_assert_str_eq(jstr(json_object_get(tt_result_of(r), "tls"), "protocol"), "TLSv1.3");
	json_decref(r);
	free(id);

	/* A transient conninfo fails the same way. */
	char ci[1024];
	snprintf(ci, sizeof(ci),
	         "host=127.0.0.1 port=%d user=postgres dbname=postgres sslmode=verify-full "
	         "sslrootcert=%s",
	         pg_other.port, certs.ca_crt);
	r = call("connection.open", json_pack("{s:s}", "conninfo", ci));
	ck_assert_str_eq(jstr(tt_error_data(r, 0), "kind"), "ssl_error");
	json_decref(r);
	ck_assert(tt_ping(fd, 1000));
}
END_TEST

START_TEST(client_certificate_login)
{
	char *id =
	    save("cert", &pg_tls, "certuser", "verify_full", certs.ca_crt,
	         tt_certs_path(&certs, "certuser.crt"), tt_certs_path(&certs, "certuser.key"));
	json_t *r = open_id(id);
	char *who = server_view(tt_result_of(r), "usename || ' ' || client_dn");
	ck_assert_str_eq(who, "certuser /CN=certuser");
	free(who);
	json_decref(r);
	free(id);

	/* Someone else's certificate: the server refuses the login. */
	id = save("alice", &pg_tls, "certuser", "verify_full", certs.ca_crt,
	          tt_certs_path(&certs, "alice.crt"), tt_certs_path(&certs, "alice.key"));
	r = open_id(id);
	ck_assert_str_eq(jstr(tt_error_data(r, 0), "kind"), "authentication_failed");
	json_decref(r);
	free(id);
}
END_TEST

START_TEST(mismatched_key_is_caught_before_connecting)
{
	char cert[400], key[400];
	snprintf(cert, sizeof(cert), "%s", tt_certs_path(&certs, "certuser.crt"));
	snprintf(key, sizeof(key), "%s", tt_certs_path(&certs, "alice.key"));
	char *id = save("mismatch", &pg_tls, "certuser", "verify_full", certs.ca_crt, cert, key);
	json_t *r = open_id(id);
	const json_t *data = tt_error_data(r, 0);
	ck_assert_str_eq(jstr(data, "kind"), "ssl_error");
	char want[900];
	snprintf(want, sizeof(want), "SSL client key %s does not match certificate %s", key, cert);
	ck_assert_str_eq(jstr(data, "message"), want);
	json_decref(r);
	free(id);
}
END_TEST

START_TEST(encrypted_key_with_passphrase_from_credentials)
{
	char cert[400], key[400];
	snprintf(cert, sizeof(cert), "%s", tt_certs_path(&certs, "certuser-enc.crt"));
	snprintf(key, sizeof(key), "%s", tt_certs_path(&certs, "certuser-enc.key"));
	char *id = save("enc", &pg_tls, "certuser", "verify_full", certs.ca_crt, cert, key);

	/* No passphrase stored: a clear error naming the key. */
	json_t *r = open_id(id);
	const json_t *data = tt_error_data(r, 0);
	ck_assert_str_eq(jstr(data, "kind"), "ssl_error");
	char want[600];
	snprintf(want, sizeof(want),
	         "SSL client key %s is encrypted and no passphrase is stored "
	         "for it",
	         key);
	ck_assert_str_eq(jstr(data, "message"), want);
	json_decref(r);

	r = call("credentials.set", json_pack("{s:s, s:s, s:s}", "connection_id", id, "kind",
	                                      "ssl_passphrase", "secret", "open-sesame"));
	tt_result_of(r);
	json_decref(r);
	r = open_id(id);
	char *who = server_view(tt_result_of(r), "usename");
	ck_assert_str_eq(who, "certuser");
	free(who);
	json_decref(r);
	free(id);

	/* The passphrase never reaches a file of the daemon's: its database,
	 * logs, caches (and its stderr). */
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "grep -r -a -l -D skip open-sesame %s", d.dir);
	ck_assert_msg(WEXITSTATUS(system(cmd)) == 1, "the passphrase was written to a file");
}
END_TEST

/* connections.test with the client key's passphrase typed (ssl_passphrase):
 * used for that one test only, never stored, never echoed, never given to
 * another connection. */
START_TEST(test_with_typed_key_passphrase)
{
	char cert[400], key[400];
	snprintf(cert, sizeof(cert), "%s", tt_certs_path(&certs, "certuser-enc.crt"));
	snprintf(key, sizeof(key), "%s", tt_certs_path(&certs, "certuser-enc.key"));
	json_t *cfg = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "name", "unsaved",
	                        "host", "127.0.0.1", "port", pg_tls.port, "database", "postgres",
	                        "username", "certuser", "ssl_mode", "verify_full", "ssl_ca_cert",
	                        certs.ca_crt, "ssl_client_cert", cert, "ssl_client_key", key);

	/* An unsaved config, the right passphrase: connected over TLS. */
	json_t *r = call("connections.test",
	                 json_pack("{s:O, s:s}", "config", cfg, "ssl_passphrase", "open-sesame"));
	const json_t *res = tt_result_of(r);
	ck_assert(json_is_true(json_object_get(res, "ok")));
	ck_assert_str_eq(jstr(res, "user"), "certuser");
	ck_assert(json_is_true(json_object_get(json_object_get(res, "tls"), "in_use")));
	json_decref(r);

	/* A wrong one: the clear ssl_error, the passphrase not in it. */
	r = call("connections.test",
	         json_pack("{s:O, s:s}", "config", cfg, "ssl_passphrase", "wrong-typed-xyzzy"));
	const json_t *data = tt_error_data(r, 0);
	ck_assert_str_eq(jstr(data, "kind"), "ssl_error");
	char want[600];
	snprintf(want, sizeof(want), "SSL client key %s cannot be decrypted: wrong passphrase",
	         key);
	ck_assert_str_eq(jstr(data, "message"), want);
	char *dump = json_dumps(r, 0);
	ck_assert_msg(!strstr(dump, "xyzzy"), "the passphrase was echoed: %s", dump);
	free(dump);
	json_decref(r);

	/* Not with a conninfo. */
	r = call("connections.test", json_pack("{s:s, s:s}", "conninfo", "host=127.0.0.1",
	                                       "ssl_passphrase", "open-sesame"));
	data = tt_error_data(r, -32602);
	ck_assert_str_eq(jstr(data, "kind"), "invalid_params");
	json_decref(r);

	/* A saved connection: the typed passphrase serves its test ... */
	char *id = save("enc-typed", &pg_tls, "certuser", "verify_full", certs.ca_crt, cert, key);
	r = call("connections.test",
	         json_pack("{s:s, s:s}", "id", id, "ssl_passphrase", "open-sesame"));
	ck_assert_str_eq(jstr(tt_result_of(r), "user"), "certuser");
	json_decref(r);
	/* ... and nothing else: it was not stored, so Open (and a Test
	 * without it) still has none. */
	r = open_id(id);
	snprintf(want, sizeof(want),
	         "SSL client key %s is encrypted and no passphrase is stored for it", key);
	ck_assert_str_eq(jstr(tt_error_data(r, 0), "message"), want);
	json_decref(r);
	r = call("connections.test", json_pack("{s:s}", "id", id));
	ck_assert_str_eq(jstr(tt_error_data(r, 0), "message"), want);
	json_decref(r);
	r = call("credentials.has",
	         json_pack("{s:s, s:s}", "connection_id", id, "kind", "ssl_passphrase"));
	ck_assert(json_is_false(json_object_get(tt_result_of(r), "present")));
	json_decref(r);
	free(id);
	json_decref(cfg);

	/* Never in a file of the daemon's. */
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "grep -r -a -l -D skip -e open-sesame -e xyzzy %s", d.dir);
	ck_assert_msg(WEXITSTATUS(system(cmd)) == 1, "a typed passphrase was written to a file");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tls-daemon");
	TCase *tc = tcase_create("connection.open");
	tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, verify_full_opens_and_reports_tls);
	tcase_add_test(tc, verify_full_wrong_host_name_is_ssl_error);
	tcase_add_test(tc, client_certificate_login);
	tcase_add_test(tc, mismatched_key_is_caught_before_connecting);
	tcase_add_test(tc, encrypted_key_with_passphrase_from_credentials);
	tcase_add_test(tc, test_with_typed_key_passphrase);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
