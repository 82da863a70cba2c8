/* TuskError from libpq: real libpq connecting to real sockets. Where the
 * test needs a server to say something specific (an ErrorResponse with every
 * diagnostic field, an SSL answer, an auth request), a thread on a loopback
 * port speaks those bytes of the PostgreSQL wire protocol, and libpq's own
 * parser turns them into the PGconn / PGresult under test. */
#include "common/error.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"

/* --- a scripted wire-protocol peer ------------------------------------- */

typedef enum PeerScript {
	PEER_ANSWER_SSL_NO,    /* 'N' to SSLRequest, then hang up */
	PEER_ANSWER_SSL_YES,   /* 'S' to SSLRequest, then wait */
	PEER_SILENT,           /* accept and say nothing */
	PEER_ASK_PASSWORD,     /* AuthenticationCleartextPassword */
	PEER_FATAL_AT_STARTUP, /* ErrorResponse instead of auth */
	PEER_ERROR_ON_QUERY,   /* log in, answer each Query with an ErrorResponse */
	PEER_HANG_UP_ON_QUERY, /* log in, close the socket on the first Query */
} PeerScript;

typedef struct Field {
	char code;
	const char *value;
} Field;

typedef struct Peer {
	int listen_fd;
	int port;
	PeerScript script;
	const Field *fields; /* ErrorResponse fields, ended by code 0 */
	pthread_t thread;
} Peer;

static bool read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
	}
	return true;
}

static void write_full(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Reads one length-prefixed message body (after an optional type byte). */
static bool read_message(int fd, bool typed, char *ret_type, uint8_t **ret_body, uint32_t *ret_len)
{
	char type = 0;
	uint32_t len;
	if (typed && !read_full(fd, &type, 1))
		return false;
	if (!read_full(fd, &len, 4))
		return false;
	len = ntohl(len);
	if (len < 4 || len > 1 << 20)
		return false;
	uint8_t *body = malloc(len - 4 + 1);
	if (!read_full(fd, body, len - 4)) {
		free(body);
		return false;
	}
	*ret_type = type;
	*ret_body = body;
	*ret_len = len - 4;
	return true;
}

static void send_message(int fd, char type, const void *body, uint32_t n)
{
	uint32_t len = htonl(n + 4);
	write_full(fd, &type, 1);
	write_full(fd, &len, 4);
	write_full(fd, body, n);
}

static void send_int32(int fd, char type, uint32_t v)
{
	v = htonl(v);
	send_message(fd, type, &v, 4);
}

static void send_error(int fd, const Field *fields)
{
	char buf[8192];
	size_t n = 0;
	for (const Field *f = fields; f->code; f++) {
		size_t l = strlen(f->value) + 1;
		buf[n++] = f->code;
		memcpy(buf + n, f->value, l);
		n += l;
	}
	buf[n++] = '\0';
	send_message(fd, 'E', buf, (uint32_t)n);
}

static void wait_for_hangup(int fd)
{
	char c;
	while (read(fd, &c, 1) > 0)
		;
}

static void *peer_main(void *arg)
{
	Peer *p = arg;
	int fd = accept(p->listen_fd, NULL, NULL);
	if (fd < 0)
		return NULL;

	char type;
	uint8_t *body = NULL;
	uint32_t len;

	if (p->script == PEER_SILENT) {
		wait_for_hangup(fd);
		goto out;
	}
	/* StartupMessage or SSLRequest: untyped. */
	if (!read_message(fd, false, &type, &body, &len))
		goto out;
	bool ssl_request = len == 4 && ntohl(*(uint32_t *)body) == 80877103;
	free(body);
	body = NULL;
	if (p->script == PEER_ANSWER_SSL_NO || p->script == PEER_ANSWER_SSL_YES) {
		if (!ssl_request)
			goto out; /* the test then fails on libpq's different error */
		write_full(fd, p->script == PEER_ANSWER_SSL_NO ? "N" : "S", 1);
		wait_for_hangup(fd);
		goto out;
	}
	switch (p->script) {
	case PEER_ASK_PASSWORD:
		send_int32(fd, 'R', 3);
		wait_for_hangup(fd);
		goto out;
	case PEER_FATAL_AT_STARTUP:
		send_error(fd, p->fields);
		goto out;
	default:
		break;
	}
	send_int32(fd, 'R', 0); /* AuthenticationOk */
	send_message(fd, 'Z', "I", 1);
	while (read_message(fd, true, &type, &body, &len)) {
		free(body);
		body = NULL;
		if (type == 'X')
			break;
		if (type != 'Q')
			continue;
		if (p->script == PEER_HANG_UP_ON_QUERY)
			break;
		send_error(fd, p->fields);
		send_message(fd, 'Z', "I", 1);
	}
out:
	free(body);
	close(fd);
	return NULL;
}

static void peer_start(Peer *p, PeerScript script, const Field *fields)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);

	p->script = script;
	p->fields = fields;
	p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(p->listen_fd, 0);
	ck_assert_int_eq(bind(p->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(p->listen_fd, 4), 0);
	ck_assert_int_eq(getsockname(p->listen_fd, (struct sockaddr *)&sa, &sl), 0);
	p->port = ntohs(sa.sin_port);
	ck_assert_int_eq(pthread_create(&p->thread, NULL, peer_main, p), 0);
}

static void peer_stop(Peer *p)
{
	pthread_join(p->thread, NULL);
	close(p->listen_fd);
}

static PGconn *connect_to(const Peer *p, const char *extra)
{
	char conninfo[512];
	snprintf(conninfo, sizeof(conninfo),
	         "host=127.0.0.1 port=%d user=alice dbname=shop connect_timeout=2 "
	         "gssencmode=disable %s",
	         p->port, extra);
	return PQconnectdb(conninfo);
}

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

START_TEST(silent_server_is_connection_timeout)
{
	Peer p;
	peer_start(&p, PEER_SILENT, NULL);
	_cleanup_(PQfinishp) PGconn *c = connect_to(&p, "sslmode=disable");
	TuskError e = TUSK_ERROR_INIT;

	ck_assert_int_eq(PQstatus(c), CONNECTION_BAD);
	tusk_error_from_pgconn(&e, c, 2);
	PQfinish(TAKE_PTR(c));
	peer_stop(&p);

	ck_assert_int_eq(e.kind, TUSK_ERR_CONNECTION_TIMEOUT);
	ck_assert_str_eq(e.message, "Connection timeout after 2s");
	ck_assert_ptr_nonnull(strstr(e.detail, "timeout expired"));
	ck_assert_str_eq(e.hint, "Check that the server is reachable and the port is open");
	tusk_error_clear(&e);
}
END_TEST

START_TEST(server_without_ssl_is_ssl_error)
{
	Peer p;
	peer_start(&p, PEER_ANSWER_SSL_NO, NULL);
	_cleanup_(PQfinishp) PGconn *c = connect_to(&p, "sslmode=require");
	TuskError e = TUSK_ERROR_INIT;

	tusk_error_from_pgconn(&e, c, 2);
	PQfinish(TAKE_PTR(c));
	peer_stop(&p);
	ck_assert_int_eq(e.kind, TUSK_ERR_SSL);
	ck_assert_ptr_nonnull(strstr(e.message, "does not support SSL"));
	ck_assert_str_eq(e.hint, "Check SSL certificate configuration");
	ck_assert_str_eq(tusk_error_type_name(tusk_error_kind_type(e.kind)), "ssl");
	tusk_error_clear(&e);
}
END_TEST

START_TEST(missing_root_certificate_is_ssl_error)
{
	Peer p;
	peer_start(&p, PEER_ANSWER_SSL_YES, NULL);
	_cleanup_(PQfinishp) PGconn *c =
	    connect_to(&p, "sslmode=verify-full sslrootcert=/nonexistent/root.crt");
	TuskError e = TUSK_ERROR_INIT;

	tusk_error_from_pgconn(&e, c, 2);
	PQfinish(TAKE_PTR(c));
	peer_stop(&p);
	/* The text says "does not exist" but names no role: not a login error. */
	ck_assert_ptr_nonnull(strstr(e.detail, "/nonexistent/root.crt"));
	ck_assert_int_eq(e.kind, TUSK_ERR_SSL);
	tusk_error_clear(&e);
}
END_TEST

START_TEST(bad_sslmode_value_is_ssl_error)
{
	_cleanup_(PQfinishp) PGconn *c = PQconnectdb("host=127.0.0.1 sslmode=bogus");
	ck_assert_int_eq(tusk_error_classify_pg_message(PQerrorMessage(c)), TUSK_ERR_SSL);
}
END_TEST

START_TEST(password_request_without_password_is_auth_failed)
{
	Peer p;
	peer_start(&p, PEER_ASK_PASSWORD, NULL);
	_cleanup_(PQfinishp) PGconn *c =
	    connect_to(&p, "sslmode=disable passfile=/nonexistent/pgpass");
	TuskError e = TUSK_ERROR_INIT;

	tusk_error_from_pgconn(&e, c, 2);
	PQfinish(TAKE_PTR(c));
	peer_stop(&p);
	ck_assert_int_eq(e.kind, TUSK_ERR_AUTHENTICATION_FAILED);
	ck_assert_ptr_nonnull(strstr(e.message, "no password supplied"));
	ck_assert_str_eq(e.hint, "Check your username and password");
	tusk_error_clear(&e);
}
END_TEST

/* FATAL errors a server sends at log-in, as libpq reports them. */
static const struct {
	const char *sqlstate;
	const char *text;
	TuskErrorKind kind;
} startup_fatals[] = {
    {"28P01", "password authentication failed for user \"alice\"", TUSK_ERR_AUTHENTICATION_FAILED},
    {"28000", "role \"alice\" does not exist", TUSK_ERR_AUTHENTICATION_FAILED},
    {"28000",
     "no pg_hba.conf entry for host \"127.0.0.1\", user \"alice\", database \"shop\", SSL "
     "encryption",
     TUSK_ERR_AUTHENTICATION_FAILED},
    {"3D000", "database \"shop\" does not exist", TUSK_ERR_CONNECTION_FAILED},
    {"53300", "sorry, too many clients already", TUSK_ERR_CONNECTION_FAILED},
    {"57P03", "the database system is starting up", TUSK_ERR_CONNECTION_FAILED},
};

START_TEST(startup_fatal_classified)
{
	Field fields[] = {
	    {'S', "FATAL"},
	    {'V', "FATAL"},
	    {'C', startup_fatals[_i].sqlstate},
	    {'M', startup_fatals[_i].text},
	    {0, NULL},
	};
	Peer p;
	peer_start(&p, PEER_FATAL_AT_STARTUP, fields);
	_cleanup_(PQfinishp) PGconn *c = connect_to(&p, "sslmode=disable");
	TuskError e = TUSK_ERROR_INIT;

	tusk_error_from_pgconn(&e, c, 2);
	PQfinish(TAKE_PTR(c));
	peer_stop(&p);
	ck_assert_msg(e.kind == startup_fatals[_i].kind, "%s: got %s", startup_fatals[_i].text,
	              tusk_error_kind_name(e.kind));
	/* The message keeps the server's words without libpq's "FATAL:  ". */
	ck_assert_ptr_nonnull(strstr(e.message, startup_fatals[_i].text));
	ck_assert_ptr_null(strstr(e.message, "FATAL:"));
	tusk_error_clear(&e);
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
}
END_TEST

/* --- failed results ----------------------------------------------------- */

static PGresult *query_error(Peer *p, PeerScript script, const Field *fields, PGconn **ret_conn)
{
	peer_start(p, script, fields);
	PGconn *c = connect_to(p, "sslmode=disable");
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	*ret_conn = c;
	return PQexec(c, "SELECT 1");
}

START_TEST(pgresult_every_diag_field)
{
	static const Field fields[] = {
	    {'S', "FEHLER"}, /* a localized severity … */
	    {'V', "ERROR"},  /* … and the one to keep */
	    {'C', "23505"},
	    {'M', "duplicate key value violates unique constraint \"orders_pkey\""},
	    {'D', "Key (id)=(7) already exists."},
	    {'H', "Use ON CONFLICT to update instead."},
	    {'P', "15"},
	    {'p', "4"},
	    {'q', "SELECT nextval('orders_id_seq')"},
	    {'W', "SQL function \"add_order\" statement 1"},
	    {'s', "public"},
	    {'t', "orders"},
	    {'c', "id"},
	    {'d', "int8"},
	    {'n', "orders_pkey"},
	    {'F', "nbtinsert.c"},
	    {'L', "664"},
	    {'R', "_bt_check_unique"},
	    {0, NULL},
	};
	Peer p;
	PGconn *c;
	_cleanup_(PQclearp) PGresult *res = query_error(&p, PEER_ERROR_ON_QUERY, fields, &c);
	TuskError e = TUSK_ERROR_INIT;

	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	ck_assert_int_eq(tusk_error_from_pgresult(&e, res), -1);
	PQfinish(c);
	peer_stop(&p);

	ck_assert_int_eq(e.kind, TUSK_ERR_QUERY_FAILED);
	ck_assert_str_eq(e.message,
	                 "duplicate key value violates unique constraint \"orders_pkey\"");
	ck_assert_str_eq(e.severity, "ERROR");
	ck_assert_str_eq(e.code, "23505");
	ck_assert_str_eq(e.detail, "Key (id)=(7) already exists.");
	ck_assert_str_eq(e.hint, "Use ON CONFLICT to update instead.");
	ck_assert_uint_eq(e.position, 15);
	ck_assert_uint_eq(e.internal_position, 4);
	ck_assert_str_eq(e.internal_query, "SELECT nextval('orders_id_seq')");
	ck_assert_str_eq(e.context, "SQL function \"add_order\" statement 1");
	ck_assert_str_eq(e.schema_name, "public");
	ck_assert_str_eq(e.table_name, "orders");
	ck_assert_str_eq(e.column_name, "id");
	ck_assert_str_eq(e.datatype_name, "int8");
	ck_assert_str_eq(e.constraint_name, "orders_pkey");
	ck_assert_str_eq(e.source_file, "nbtinsert.c");
	ck_assert_str_eq(e.source_line, "664");
	ck_assert_str_eq(e.source_function, "_bt_check_unique");

	/* What a client receives, and what it reads back. */
	_cleanup_json_ json_t *rpc = tusk_error_to_rpc_json(&e);
	json_t *data = json_object_get(rpc, "data");
	ck_assert_int_eq(json_integer_value(json_object_get(rpc, "code")), -32010);
	ck_assert_str_eq(json_string_value(json_object_get(data, "error_type")), "query");
	ck_assert_str_eq(json_string_value(json_object_get(data, "constraint")), "orders_pkey");
	ck_assert_int_eq(json_integer_value(json_object_get(data, "position")), 15);

	TuskError back = TUSK_ERROR_INIT;
	tusk_error_from_rpc_json(&back, rpc);
	_cleanup_json_ json_t *again = tusk_error_to_rpc_json(&back);
	ck_assert(json_equal(rpc, again));
	ck_assert_str_eq(back.table_name, "orders");
	ck_assert_str_eq(back.internal_query, "SELECT nextval('orders_id_seq')");
	tusk_error_clear(&back);
	tusk_error_clear(&e);
}
END_TEST

static const struct {
	const char *sqlstate;
	const char *text;
	TuskErrorKind kind;
} result_errors[] = {
    {"57014", "canceling statement due to statement timeout", TUSK_ERR_QUERY_TIMEOUT},
    {"57014", "canceling statement due to user request", TUSK_ERR_QUERY_CANCELLED},
    {"42601", "syntax error at or near \"SELEC\"", TUSK_ERR_QUERY_FAILED},
    {"28P01", "password authentication failed for user \"alice\"", TUSK_ERR_AUTHENTICATION_FAILED},
    {"08006", "connection failure", TUSK_ERR_CONNECTION_FAILED},
    {"57P01", "terminating connection due to administrator command", TUSK_ERR_CONNECTION_FAILED},
};

START_TEST(pgresult_kinds)
{
	Field fields[] = {
	    {'S', "ERROR"},
	    {'C', result_errors[_i].sqlstate},
	    {'M', result_errors[_i].text},
	    {0, NULL},
	};
	Peer p;
	PGconn *c;
	_cleanup_(PQclearp) PGresult *res = query_error(&p, PEER_ERROR_ON_QUERY, fields, &c);
	TuskError e = TUSK_ERROR_INIT;

	tusk_error_from_pgresult(&e, res);
	PQfinish(c);
	peer_stop(&p);
	ck_assert_msg(e.kind == result_errors[_i].kind, "%s: got %s", result_errors[_i].text,
	              tusk_error_kind_name(e.kind));
	ck_assert_str_eq(e.message, result_errors[_i].text);
	ck_assert_str_eq(e.code, result_errors[_i].sqlstate);
	/* Only the fields the server sent. */
	ck_assert_ptr_null(e.detail);
	ck_assert_ptr_null(e.table_name);
	ck_assert_uint_eq(e.position, 0);
	if (e.kind == TUSK_ERR_AUTHENTICATION_FAILED)
		ck_assert_str_eq(e.hint, "Check your username and password");
	tusk_error_clear(&e);
}
END_TEST

START_TEST(pgresult_lost_connection)
{
	Peer p;
	PGconn *c;
	_cleanup_(PQclearp) PGresult *res = query_error(&p, PEER_HANG_UP_ON_QUERY, NULL, &c);
	TuskError e = TUSK_ERROR_INIT;

	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	tusk_error_from_pgresult(&e, res);
	PQfinish(c);
	peer_stop(&p);
	/* libpq's own text, no SQLSTATE: the backend is gone. */
	ck_assert_int_eq(e.kind, TUSK_ERR_CONNECTION_FAILED);
	ck_assert_ptr_nonnull(strstr(e.message, "server closed the connection unexpectedly"));
	ck_assert_ptr_null(e.code);
	tusk_error_clear(&e);
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
	tcase_add_test(tc, silent_server_is_connection_timeout);
	tcase_add_test(tc, server_without_ssl_is_ssl_error);
	tcase_add_test(tc, missing_root_certificate_is_ssl_error);
	tcase_add_test(tc, bad_sslmode_value_is_ssl_error);
	tcase_add_test(tc, password_request_without_password_is_auth_failed);
	tcase_add_loop_test(tc, startup_fatal_classified, 0,
	                    sizeof(startup_fatals) / sizeof(startup_fatals[0]));
	tcase_add_test(tc, classify_texts);
	suite_add_tcase(s, tc);

	tc = tcase_create("result");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, pgresult_every_diag_field);
	tcase_add_loop_test(tc, pgresult_kinds, 0,
	                    sizeof(result_errors) / sizeof(result_errors[0]));
	tcase_add_test(tc, pgresult_lost_connection);
	tcase_add_test(tc, pgresult_null);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
