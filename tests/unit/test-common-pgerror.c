/* TuskError from libpq where no server is needed: real libpq connecting to
 * a closed port or a missing socket dir, option errors libpq finds itself,
 * classification of literal texts. Everything a server has to say (every
 * diagnostic field, SSL, authentication, startup FATALs, cancels, lost
 * connections) is in tests/integration/test-pgerror.c against a real
 * PostgreSQL. */
#include "common/error.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "tests/lib/tt-check.h"

/* A port nothing listens on: bound, then closed. */
static int closed_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* --- connection failures ------------------------------------------------ */

START_TEST(refused_is_connection_failed)
{
	char conninfo[128];
	snprintf(conninfo, sizeof(conninfo), "host=127.0.0.1 port=%d connect_timeout=2",
	         closed_port());
	_cleanup_(PQfinishp) PGconn *c = PQconnectdb(conninfo);
	TuskError e = TUSK_ERROR_INIT;

	ck_assert_int_eq(PQstatus(c), CONNECTION_BAD);
	ck_assert_int_eq(tusk_error_classify_pg_message(PQerrorMessage(c)),
	                 TUSK_ERR_CONNECTION_FAILED);
	ck_assert_int_eq(tusk_error_from_pgconn(&e, c, 2), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_CONNECTION_FAILED);
	/* A one-line message; libpq's whole text, with its advice, as detail. */
	ck_assert_ptr_nonnull(strstr(e.message, "Connection refused"));
	ck_assert_ptr_null(strchr(e.message, '\n'));
	ck_assert_ptr_nonnull(strstr(e.detail, "accepting TCP/IP connections"));
	ck_assert_str_eq(tusk_error_type_name(tusk_error_kind_type(e.kind)), "connection");
	tusk_error_clear(&e);
}
END_TEST

START_TEST(missing_socket_dir_is_connection_failed)
{
	_cleanup_(PQfinishp) PGconn *c = PQconnectdb("host=/nonexistent-tusk-dir port=5432");
	TuskError e = TUSK_ERROR_INIT;

	tusk_error_from_pgconn(&e, c, 10);
	ck_assert_int_eq(e.kind, TUSK_ERR_CONNECTION_FAILED);
	ck_assert_ptr_nonnull(strstr(e.message, "/nonexistent-tusk-dir/.s.PGSQL.5432"));
	tusk_error_clear(&e);
}
END_TEST

START_TEST(bad_sslmode_value_is_ssl_error)
{
	_cleanup_(PQfinishp) PGconn *c = PQconnectdb("host=127.0.0.1 sslmode=bogus");
	ck_assert_int_eq(tusk_error_classify_pg_message(PQerrorMessage(c)), TUSK_ERR_SSL);
}
END_TEST

START_TEST(classify_texts)
{
	ck_assert_int_eq(tusk_error_classify_pg_message(NULL), TUSK_ERR_CONNECTION_FAILED);
	ck_assert_int_eq(tusk_error_classify_pg_message(""), TUSK_ERR_CONNECTION_FAILED);
	ck_assert_int_eq(tusk_error_classify_pg_message("could not translate host name "
	                                                "\"nosuch.invalid\" to address: Name or "
	                                                "service not known"),
	                 TUSK_ERR_CONNECTION_FAILED);
	ck_assert_int_eq(tusk_error_classify_pg_message("server certificate for \"db\" does not "
	                                                "match host name \"other\""),
	                 TUSK_ERR_SSL);
	ck_assert_int_eq(tusk_error_classify_pg_message("FATAL:  pg_hba.conf rejects connection "
	                                                "for host \"::1\", user \"a\""),
	                 TUSK_ERR_AUTHENTICATION_FAILED);
	/* Startup FATALs the integration suite cannot provoke on demand. */
	ck_assert_int_eq(tusk_error_classify_pg_message("connection to server at \"127.0.0.1\", "
	                                                "port 5432 failed: FATAL:  the database "
	                                                "system is starting up"),
	                 TUSK_ERR_CONNECTION_FAILED);
	ck_assert_int_eq(tusk_error_classify_pg_message("FATAL:  role \"alice\" does not exist"),
	                 TUSK_ERR_AUTHENTICATION_FAILED);
	ck_assert_int_eq(tusk_error_classify_pg_message("FATAL:  database \"shop\" does not exist"),
	                 TUSK_ERR_CONNECTION_FAILED);
	/* Names the user chose never decide the kind. */
	ck_assert_int_eq(
	    tusk_error_classify_pg_message("FATAL:  database \"SSL_reports\" does not exist"),
	    TUSK_ERR_CONNECTION_FAILED);
	ck_assert_int_eq(tusk_error_classify_pg_message(
	                     "FATAL:  database \"authentication_log\" does not exist"),
	                 TUSK_ERR_CONNECTION_FAILED);
}
END_TEST

START_TEST(pgresult_null)
{
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_from_pgresult(&e, NULL);
	ck_assert_int_eq(e.kind, TUSK_ERR_INTERNAL);
	ck_assert_ptr_nonnull(strstr(tusk_error_message(&e), "out of memory"));
	tusk_error_clear(&e);
	ck_assert_int_eq(tusk_error_from_pgresult(NULL, NULL), -1);
	ck_assert_int_eq(tusk_error_from_pgconn(NULL, NULL, 0), -1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("common-pgerror");
	TCase *tc = tcase_create("connect");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, refused_is_connection_failed);
	tcase_add_test(tc, missing_socket_dir_is_connection_failed);
	tcase_add_test(tc, bad_sslmode_value_is_ssl_error);
	tcase_add_test(tc, classify_texts);
	suite_add_tcase(s, tc);

	tc = tcase_create("result");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, pgresult_null);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tt_run_suite(suite());
}
