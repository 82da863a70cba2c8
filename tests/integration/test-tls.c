/* TLS against real PostgreSQL servers with certificates made in the test:
 * libpq driven exactly as the pool will drive it (PQconnectStartParams +
 * PQconnectPoll, keywords from tls_libpq_params, passphrase via the hook),
 * tls_check_files before and tls_describe after.
 *
 * Servers (started once for the suite):
 *   tls    ssl=on, certificate for localhost / IP 127.0.0.1, client CA;
 *          user certuser must log in with a client certificate.
 *   other  ssl=on, certificate for db.example only.
 *   plain  ssl=off. */
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/timestamp.h"
#include "daemon/db/tls.h"
#include "protocol/schema.h"
#include "tests/lib/tt-tls-servers.h"
#include "tests/lib/tt-pg.h"
#include "tests/lib/tt-check.h"

static struct tt_certs certs, rogue;
static struct tt_pg pg_tls, pg_other, pg_plain;
static char home[300];

static void suite_setup(void)
{
	tt_tls_servers_start(&certs, &pg_tls, &pg_other);
	struct tt_cert_opts old = {
	    .cn = "certuser", .client = true, .not_before_days = -60, .not_after_days = -1};
	tt_certs_make(&certs, "certuser-old", &old);
	/* A CA the servers never heard of, with its own server cert. */
	tt_certs_init(&rogue);
	tt_pg_start(&pg_plain, "ssl = off", NULL);
}

static void suite_teardown(void)
{
	tt_tls_servers_stop(&certs, &pg_tls, &pg_other);
	tt_pg_stop(&pg_plain);
	tt_certs_cleanup(&rogue);
}

static void setup(void)
{
	/* libpq's defaults (~/.postgresql, PGSSL*) must not come from the
	 * machine running the tests. */
	snprintf(home, sizeof(home), "%s/home", certs.dir);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	unsetenv("PGSSLROOTCERT");
	unsetenv("PGSSLCERT");
	unsetenv("PGSSLKEY");
	unsetenv("PGSSLMODE");
	tls_init();
}

static TuskConnectionConfig *cfg_for(const struct tt_pg *pg, const char *host, const char *user,
                                     TuskSslMode mode)
{
	TuskConnectionConfig *cfg = tusk_connection_config_new("tls", host, "postgres");
	ck_assert_ptr_nonnull(cfg);
	cfg->port = (uint16_t)pg->port;
	free(cfg->username);
	cfg->username = strdup(user);
	cfg->ssl_mode = mode;
	cfg->options.connect_timeout_sec = 10;
	return cfg;
}

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = value ? strdup(value) : NULL;
}

/* Connect as the daemon's pool will: keywords from the config plus
 * tls_libpq_params, non-blocking poll loop, passphrase registered for the
 * PGconn only while connecting. hostaddr (may be NULL) is what the pool
 * passes after resolving host on a worker. */
static PGconn *connect_cfg(const TuskConnectionConfig *cfg, const char *hostaddr,
                           const char *passphrase)
{
	const char *k[16], *v[16];
	size_t n = 0;
	char port[8], timeout[8];
	snprintf(port, sizeof(port), "%u", (unsigned)cfg->port);
	snprintf(timeout, sizeof(timeout), "%u", cfg->options.connect_timeout_sec);
	k[n] = "host", v[n++] = cfg->host;
	if (hostaddr)
		k[n] = "hostaddr", v[n++] = hostaddr;
	k[n] = "port", v[n++] = port;
	k[n] = "dbname", v[n++] = cfg->database;
	k[n] = "user", v[n++] = cfg->username;
	k[n] = "connect_timeout", v[n++] = timeout;
	k[n] = "application_name", v[n++] = cfg->options.application_name;
	n += tls_libpq_params(cfg, k + n, v + n);
	k[n] = NULL, v[n] = NULL;

	PGconn *conn = PQconnectStartParams(k, v, 0);
	ck_assert_ptr_nonnull(conn);
	if (passphrase)
		tls_set_key_passphrase(conn, passphrase);
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	double deadline = (double)time(NULL) + 30;
	while (PQstatus(conn) != CONNECTION_BAD && st != PGRES_POLLING_OK &&
	       st != PGRES_POLLING_FAILED) {
		struct pollfd p = {.fd = PQsocket(conn),
		                   .events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT};
		ck_assert_msg(poll(&p, 1, 1000) >= 0, "poll failed");
		ck_assert_msg((double)time(NULL) < deadline, "connect did not finish in 30 s");
		st = PQconnectPoll(conn);
	}
	tls_set_key_passphrase(conn, NULL);
	return conn;
}

static void expect_connected(PGconn *conn)
{
	ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "connect failed: %s", PQerrorMessage(conn));
}

/* Fails, and tusk_error_from_pgconn classifies it as kind; the message
 * contains part. */
static void expect_refused(PGconn *conn, TuskErrorKind kind, const char *part)
{
	ck_assert_msg(PQstatus(conn) == CONNECTION_BAD, "connected where it must fail");
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_from_pgconn(&e, conn, 10);
	ck_assert_msg(e.kind == kind, "kind %s (wanted %s) for: %s", tusk_error_kind_name(e.kind),
	              tusk_error_kind_name(kind), PQerrorMessage(conn));
	ck_assert_msg(strstr(e.message, part) || (e.detail && strstr(e.detail, part)),
	              "\"%s\" not in: %s", part, PQerrorMessage(conn));
	tusk_error_clear(&e);
	PQfinish(conn);
}

static void expect_check_ok(const TuskConnectionConfig *cfg, const char *passphrase)
{
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_msg(tls_check_files(cfg, passphrase, &e) == 0, "tls_check_files: %s",
	              tusk_error_message(&e));
}

/* tls_check_files refuses cfg (with passphrase): an SSL error, whose
 * message it returns (free it). */
static char *check_refusal(const TuskConnectionConfig *cfg, const char *passphrase)
{
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tls_check_files(cfg, passphrase, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_SSL);
	char *message = strdup(e.message);
	tusk_error_clear(&e);
	return message;
}

/* A verify-full config for certuser on pg_tls with the test CA and the
 * client certificate and key named (files of the test's certs). */
static TuskConnectionConfig *certuser_cfg(const char *crt, const char *key)
{
	TuskConnectionConfig *cfg = cfg_for(&pg_tls, "127.0.0.1", "certuser", TUSK_SSL_VERIFY_FULL);
	set_str(&cfg->ssl_ca_cert, certs.ca_crt);
	set_str(&cfg->ssl_client_cert, tt_certs_path(&certs, crt));
	set_str(&cfg->ssl_client_key, tt_certs_path(&certs, key));
	return cfg;
}

static char *query1(PGconn *conn, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(r));
	char *s = strdup(PQgetisnull(r, 0, 0) ? "(null)" : PQgetvalue(r, 0, 0));
	PQclear(r);
	return s;
}

/* |ts - (now + days)| under two hours: the certificate's dates are the
 * ones tt-certs gave it (now - 1 h .. now + 365 d). */
static void expect_near(const char *ts, double days)
{
	ck_assert_ptr_nonnull(ts);
	ck_assert_msg(ts[strlen(ts) - 1] == 'Z', "not UTC: %s", ts);
	int64_t us;
	ck_assert_msg(tusk_timestamp_parse(ts, &us) == 0, "not ISO-8601: %s", ts);
	double diff = (double)us / 1e6 - ((double)time(NULL) + days * 86400);
	ck_assert_msg(diff > -7200 && diff < 7200, "%s is %.0f s away from now%+.0f days", ts, diff,
	              days);
}

/* What tls_describe gives is what the protocol documents (TlsInfo in
 * protocol/schema.d/tls.json), so connection.status can pass it on. */
static void expect_schema_valid(const json_t *d)
{
	const json_t *def =
	    json_object_get(json_object_get(tusk_schema(), "definitions"), "TlsInfo");
	ck_assert_msg(def, "TlsInfo is not in the protocol schema");
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_msg(tusk_schema_validate(def, d, "tls", &e) == 0, "%s", tusk_error_message(&e));
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

START_TEST(verify_full_by_ip_passes_and_is_described)
{
	TuskConnectionConfig *cfg = cfg_for(&pg_tls, "127.0.0.1", "postgres", TUSK_SSL_VERIFY_FULL);
	set_str(&cfg->ssl_ca_cert, certs.ca_crt);
	expect_check_ok(cfg, NULL);
	PGconn *conn = connect_cfg(cfg, NULL, NULL);
	expect_connected(conn);

	json_t *d = tls_describe(conn);
	ck_assert_ptr_nonnull(d);
	expect_schema_valid(d);
	ck_assert(json_is_true(json_object_get(d, "in_use")));
	ck_assert_str_eq(jstr(d, "protocol"), "TLSv1.3");
	const char *cipher = jstr(d, "cipher");
	ck_assert_msg(cipher && strncmp(cipher, "TLS_", 4) == 0, "cipher %s", cipher);
	ck_assert_int_ge(json_integer_value(json_object_get(d, "bits")), 128);
	json_t *peer = json_object_get(d, "peer");
	ck_assert_str_eq(jstr(peer, "subject"), "CN=localhost");
	ck_assert_str_eq(jstr(peer, "issuer"), "CN=Tusk Test CA,O=Tusk");
	expect_near(jstr(peer, "not_before"), -1.0 / 24);
	expect_near(jstr(peer, "not_after"), 365);

	/* The server agrees on what was negotiated. */
	char *ver = query1(conn, "SELECT version || ' ' || cipher FROM pg_stat_ssl WHERE pid = "
	                         "pg_backend_pid()");
	char want[200];
	snprintf(want, sizeof(want), "TLSv1.3 %s", cipher);
	ck_assert_str_eq(ver, want);
	free(ver);
	json_decref(d);
	PQfinish(conn);
	tusk_connection_config_free(cfg);
}
END_TEST

START_TEST(verify_full_by_host_name)
{
	TuskConnectionConfig *cfg = cfg_for(&pg_tls, "localhost", "postgres", TUSK_SSL_VERIFY_FULL);
	set_str(&cfg->ssl_ca_cert, certs.ca_crt);
	PGconn *conn = connect_cfg(cfg, "127.0.0.1", NULL);
	expect_connected(conn);
	PQfinish(conn);
	tusk_connection_config_free(cfg);
}
END_TEST

START_TEST(verify_full_wrong_host_name_is_an_ssl_error)
{
	/* The server's certificate names db.example only. */
	TuskConnectionConfig *cfg =
	    cfg_for(&pg_other, "127.0.0.1", "postgres", TUSK_SSL_VERIFY_FULL);
	set_str(&cfg->ssl_ca_cert, certs.ca_crt);
	expect_check_ok(cfg, NULL); /* the files are fine: only the name is wrong */
	expect_refused(connect_cfg(cfg, NULL, NULL), TUSK_ERR_SSL, "does not match host name");

	/* Same server, same files, asked for by the name it has: passes. */
	set_str(&cfg->host, "db.example");
	PGconn *conn = connect_cfg(cfg, "127.0.0.1", NULL);
	expect_connected(conn);
	PQfinish(conn);

	/* And the first server asked for by a name it does not have. */
	TuskConnectionConfig *c2 =
	    cfg_for(&pg_tls, "wrong.example", "postgres", TUSK_SSL_VERIFY_FULL);
	set_str(&c2->ssl_ca_cert, certs.ca_crt);
	expect_refused(connect_cfg(c2, "127.0.0.1", NULL), TUSK_ERR_SSL, "wrong.example");
	tusk_connection_config_free(c2);
	tusk_connection_config_free(cfg);
}
END_TEST

START_TEST(verify_ca_checks_the_ca_not_the_name)
{
	TuskConnectionConfig *cfg = cfg_for(&pg_other, "127.0.0.1", "postgres", TUSK_SSL_VERIFY_CA);
	set_str(&cfg->ssl_ca_cert, certs.ca_crt);
	PGconn *conn = connect_cfg(cfg, NULL, NULL);
	expect_connected(conn);
	json_t *d = tls_describe(conn);
	ck_assert_str_eq(jstr(json_object_get(d, "peer"), "subject"), "CN=db.example");
	json_decref(d);
	PQfinish(conn);

	/* A CA that did not sign the server's certificate. */
	set_str(&cfg->ssl_ca_cert, rogue.ca_crt);
	expect_check_ok(cfg, NULL);
	expect_refused(connect_cfg(cfg, NULL, NULL), TUSK_ERR_SSL, "certificate verify failed");
	cfg->ssl_mode = TUSK_SSL_VERIFY_FULL;
	expect_refused(connect_cfg(cfg, NULL, NULL), TUSK_ERR_SSL, "certificate verify failed");
	tusk_connection_config_free(cfg);
}
END_TEST

static bool in_use(const struct tt_pg *pg, TuskSslMode mode)
{
	TuskConnectionConfig *cfg = cfg_for(pg, "127.0.0.1", "postgres", mode);
	PGconn *conn = connect_cfg(cfg, NULL, NULL);
	expect_connected(conn);
	json_t *d = tls_describe(conn);
	expect_schema_valid(d);
	bool used = json_is_true(json_object_get(d, "in_use"));
	if (!used)
		ck_assert_int_eq(json_object_size(d), 1);
	/* The server's view matches ours. */
	char *ssl = query1(conn, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
	ck_assert_str_eq(ssl, used ? "t" : "f");
	free(ssl);
	json_decref(d);
	PQfinish(conn);
	tusk_connection_config_free(cfg);
	return used;
}

START_TEST(disable_prefer_require)
{
	ck_assert(!in_use(&pg_tls, TUSK_SSL_DISABLE));
	ck_assert(in_use(&pg_tls, TUSK_SSL_PREFER));
	ck_assert(in_use(&pg_tls, TUSK_SSL_REQUIRE));
	ck_assert(!in_use(&pg_plain, TUSK_SSL_DISABLE));
	ck_assert(!in_use(&pg_plain, TUSK_SSL_PREFER));

	TuskConnectionConfig *cfg = cfg_for(&pg_plain, "127.0.0.1", "postgres", TUSK_SSL_REQUIRE);
	expect_refused(connect_cfg(cfg, NULL, NULL), TUSK_ERR_SSL, "server does not support SSL");
	cfg->ssl_mode = TUSK_SSL_VERIFY_FULL;
	set_str(&cfg->ssl_ca_cert, certs.ca_crt);
	expect_refused(connect_cfg(cfg, NULL, NULL), TUSK_ERR_SSL, "server does not support SSL");
	tusk_connection_config_free(cfg);
}
END_TEST

START_TEST(client_certificate_authentication)
{
	TuskConnectionConfig *cfg = certuser_cfg("certuser.crt", "certuser.key");
	expect_check_ok(cfg, NULL);
	PGconn *conn = connect_cfg(cfg, NULL, NULL);
	expect_connected(conn);
	char *who = query1(conn, "SELECT current_user || ' ' || client_dn FROM pg_stat_ssl "
	                         "WHERE pid = pg_backend_pid()");
	ck_assert_str_eq(who, "certuser /CN=certuser");
	free(who);
	PQfinish(conn);

	/* Another user's certificate: the server refuses the login. */
	set_str(&cfg->ssl_client_cert, tt_certs_path(&certs, "alice.crt"));
	set_str(&cfg->ssl_client_key, tt_certs_path(&certs, "alice.key"));
	expect_check_ok(cfg, NULL);
	expect_refused(connect_cfg(cfg, NULL, NULL), TUSK_ERR_AUTHENTICATION_FAILED,
	               "certificate authentication failed");

	/* No certificate at all. */
	set_str(&cfg->ssl_client_cert, NULL);
	set_str(&cfg->ssl_client_key, NULL);
	expect_refused(connect_cfg(cfg, NULL, NULL), TUSK_ERR_SSL, "client certificate");
	tusk_connection_config_free(cfg);
}
END_TEST

START_TEST(encrypted_client_key_with_passphrase)
{
	TuskConnectionConfig *cfg = certuser_cfg("certuser-enc.crt", "certuser-enc.key");

	expect_check_ok(cfg, "open-sesame");
	PGconn *conn = connect_cfg(cfg, NULL, "open-sesame");
	expect_connected(conn);
	char *who = query1(conn, "SELECT current_user");
	ck_assert_str_eq(who, "certuser");
	free(who);
	PQfinish(conn);

	/* Without it: our check says so plainly, and libpq fails too (the
	 * hook never lets OpenSSL prompt on a terminal). */
	char *why = check_refusal(cfg, NULL);
	ck_assert_ptr_nonnull(strstr(why, "is encrypted and no passphrase is stored"));
	ck_assert_ptr_nonnull(strstr(why, cfg->ssl_client_key));
	free(why);
	expect_refused(connect_cfg(cfg, NULL, NULL), TUSK_ERR_SSL, "private key");

	/* A wrong one. */
	why = check_refusal(cfg, "open-barley");
	ck_assert_ptr_nonnull(strstr(why, "wrong passphrase"));
	free(why);
	expect_refused(connect_cfg(cfg, NULL, "open-barley"), TUSK_ERR_SSL, "private key");
	tusk_connection_config_free(cfg);
}
END_TEST

START_TEST(mismatched_key_is_caught_before_connecting)
{
	TuskConnectionConfig *cfg = certuser_cfg("certuser.crt", "alice.key");
	char want[800];
	snprintf(want, sizeof(want), "SSL client key %s does not match certificate %s",
	         cfg->ssl_client_key, cfg->ssl_client_cert);
	char *why = check_refusal(cfg, NULL);
	ck_assert_str_eq(why, want);
	free(why);
	/* What the user would get from libpq instead. */
	expect_refused(connect_cfg(cfg, NULL, NULL), TUSK_ERR_SSL, "private key");
	tusk_connection_config_free(cfg);
}
END_TEST

START_TEST(expired_client_certificate)
{
	TuskConnectionConfig *cfg = certuser_cfg("certuser-old.crt", "certuser-old.key");
	char *why = check_refusal(cfg, NULL);
	ck_assert_msg(strstr(why, "expired on 20") && strstr(why, cfg->ssl_client_cert), "%s", why);
	free(why);
	/* The server refuses it too, less readably. */
	expect_refused(connect_cfg(cfg, NULL, NULL), TUSK_ERR_SSL, "certificate");
	tusk_connection_config_free(cfg);
}
END_TEST

/* libpq's default root certificate (~/.postgresql/root.crt under $HOME) is
 * the one tls_check_files looks at when none is set. */
START_TEST(default_root_certificate_in_home)
{
	TuskConnectionConfig *cfg = cfg_for(&pg_tls, "127.0.0.1", "postgres", TUSK_SSL_VERIFY_FULL);
	char *why = check_refusal(cfg, NULL);
	ck_assert_ptr_nonnull(strstr(why, "needs a root certificate"));
	free(why);
	expect_refused(connect_cfg(cfg, NULL, NULL), TUSK_ERR_SSL, "root certificate file");

	char dir[400], cmd[1400];
	snprintf(dir, sizeof(dir), "%s/.postgresql", home);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && cp %s %s/root.crt", dir, certs.ca_crt, dir);
	ck_assert_int_eq(system(cmd), 0);
	expect_check_ok(cfg, NULL);
	PGconn *conn = connect_cfg(cfg, NULL, NULL);
	expect_connected(conn);
	PQfinish(conn);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	tusk_connection_config_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("libpq");
	tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, verify_full_by_ip_passes_and_is_described);
	tcase_add_test(tc, verify_full_by_host_name);
	tcase_add_test(tc, verify_full_wrong_host_name_is_an_ssl_error);
	tcase_add_test(tc, verify_ca_checks_the_ca_not_the_name);
	tcase_add_test(tc, disable_prefer_require);
	tcase_add_test(tc, client_certificate_authentication);
	tcase_add_test(tc, encrypted_client_key_with_passphrase);
	tcase_add_test(tc, mismatched_key_is_caught_before_connecting);
	tcase_add_test(tc, expired_client_certificate);
	tcase_add_test(tc, default_root_certificate_in_home);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
