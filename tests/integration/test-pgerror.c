/* common/error-from.c against a real PostgreSQL: every PG_DIAG_* field the
 * server really sends lands in TuskError and survives ErrorInfo JSON; real
 * timeouts, cancels and a terminated backend get their kinds; connection
 * failures (silent port, no SSL, missing root certificate, SCRAM without or
 * with a wrong password, unknown role, no hba line, missing database, too
 * many clients) are classified from libpq's real text. libpq directly: this
 * tests common/, not the daemon. */
#include "common/error.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "tests/lib/tt-certs.h"
#include "tests/lib/tt-pg.h"
#include "tests/lib/tt-check.h"

static struct tt_pg shared;
static char db[64];

/* --- helpers ------------------------------------------------------------ */

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* TCP to pg as libpq sees it; never a password file or GSS detour. */
static PGconn *connect_tcp(const struct tt_pg *pg, const char *extra)
{
	char conninfo[1024];
	snprintf(conninfo, sizeof(conninfo),
	         "host=%s port=%d connect_timeout=5 gssencmode=disable "
	         "passfile=/nonexistent/pgpass %s",
	         pg->host, pg->port, extra);
	return PQconnectdb(conninfo);
}

static PGconn *connect_socket(const struct tt_pg *pg, const char *extra)
{
	char conninfo[1024];
	snprintf(conninfo, sizeof(conninfo), "host=%s port=%d passfile=/nonexistent/pgpass %s",
	         pg->sockdir, pg->port, extra);
	return PQconnectdb(conninfo);
}

/* The TuskError of a statement that has to fail. */
static void error_of(PGconn *c, const char *sql, TuskError *e)
{
	_cleanup_(PQclearp) PGresult *res = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR, "%s: %s", sql,
	              PQresStatus(PQresultStatus(res)));
	ck_assert_int_eq(tusk_error_from_pgresult(e, res), -1);
}

/* ErrorInfo as the daemon sends it (tusk_error_info_to_json inside a
 * JSON-RPC error), read back as a client does: every field survives. */
static void assert_json_roundtrip(const TuskError *e)
{
	_cleanup_json_ json_t *info = tusk_error_info_to_json(e);
	ck_assert_ptr_nonnull(info);
	_cleanup_json_ json_t *rpc =
	    json_pack("{s:i, s:s, s:O}", "code", tusk_error_rpc_code(e->kind), "message",
	              tusk_error_message(e), "data", info);
	ck_assert_ptr_nonnull(rpc);
	_cleanup_json_ json_t *full = tusk_error_to_rpc_json(e);
	ck_assert(json_equal(rpc, full));

	TuskError b = TUSK_ERROR_INIT;
	tusk_error_from_rpc_json(&b, rpc);
	ck_assert_int_eq(b.kind, e->kind);
	ck_assert_pstr_eq(b.message, e->message);
	ck_assert_pstr_eq(b.detail, e->detail);
	ck_assert_pstr_eq(b.hint, e->hint);
	ck_assert_uint_eq(b.position, e->position);
	ck_assert_pstr_eq(b.code, e->code);
	ck_assert_pstr_eq(b.severity, e->severity);
	ck_assert_pstr_eq(b.context, e->context);
	ck_assert_pstr_eq(b.schema_name, e->schema_name);
	ck_assert_pstr_eq(b.table_name, e->table_name);
	ck_assert_pstr_eq(b.column_name, e->column_name);
	ck_assert_pstr_eq(b.datatype_name, e->datatype_name);
	ck_assert_pstr_eq(b.constraint_name, e->constraint_name);
	ck_assert_uint_eq(b.internal_position, e->internal_position);
	ck_assert_pstr_eq(b.internal_query, e->internal_query);
	_cleanup_json_ json_t *again = tusk_error_info_to_json(&b);
	ck_assert(json_equal(info, again));
	tusk_error_clear(&b);
}

/* --- failed results on the shared server -------------------------------- */

static PGconn *conn;

static void create_db(void)
{
	tt_pg_shared(&shared);
	snprintf(db, sizeof(db), "tusk_pgerror_%d", (int)getpid());
	char sql[128];
	/* template0: nobody can be connected to it, unlike template1. */
	snprintf(sql, sizeof(sql), "create database %s template template0", db);
	tt_pg_exec(&shared, NULL, sql);
	tt_pg_exec(&shared, db,
	           "create schema shop;"
	           "create table shop.customers (id int primary key);"
	           "create table shop.orders (id int primary key,"
	           "  customer_id int references shop.customers,"
	           "  qty int not null constraint qty_positive check (qty > 0));"
	           "insert into shop.customers values (1);"
	           "insert into shop.orders values (1, 1, 1);"
	           "create domain shop.posint as int check (value > 0);");
}

static void drop_db(void)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "drop database %s with (force)", db);
	tt_pg_exec(&shared, NULL, sql);
}

static void setup(void)
{
	conn = tt_pg_connect(&shared, db);
}

static void teardown(void)
{
	PQfinish(conn);
}

START_TEST(raise_with_every_option)
{
	TuskError e = TUSK_ERROR_INIT;
	error_of(conn,
	         "do $$ begin raise exception 'tusk boom %', 6 * 7 using "
	         "detail = 'the detail', hint = 'the hint', errcode = 'TK001', "
	         "column = 'c', constraint = 'k', datatype = 't', table = 'tb', schema = 's'; "
	         "end $$",
	         &e);
	ck_assert_int_eq(e.kind, TUSK_ERR_QUERY_FAILED);
	ck_assert_str_eq(e.message, "tusk boom 42");
	ck_assert_str_eq(e.code, "TK001");
	ck_assert_str_eq(e.severity, "ERROR");
	ck_assert_str_eq(e.detail, "the detail");
	ck_assert_str_eq(e.hint, "the hint");
	ck_assert_str_eq(e.column_name, "c");
	ck_assert_str_eq(e.constraint_name, "k");
	ck_assert_str_eq(e.datatype_name, "t");
	ck_assert_str_eq(e.table_name, "tb");
	ck_assert_str_eq(e.schema_name, "s");
	/* The PL/pgSQL frame the error was raised in. */
	ck_assert_str_eq(e.context, "PL/pgSQL function inline_code_block line 1 at RAISE");
	ck_assert_uint_eq(e.position, 0);
	ck_assert_uint_eq(e.internal_position, 0);
	ck_assert_ptr_null(e.internal_query);
	/* Where in the server it was raised. */
	ck_assert_str_eq(e.source_file, "pl_exec.c");
	ck_assert_str_eq(e.source_function, "exec_stmt_raise");
	ck_assert_ptr_nonnull(e.source_line);
	ck_assert_int_gt(atoi(e.source_line), 0);
	ck_assert_str_eq(tusk_error_type_name(tusk_error_kind_type(e.kind)), "query");
	assert_json_roundtrip(&e);
	tusk_error_clear(&e);
}
END_TEST

/* Errors in the statement itself: a 1-based character position. */
static const struct {
	const char *sql;
	const char *code;
	const char *message;
	unsigned position;
} positioned[] = {
    {"select nosuch_col from pg_class", "42703", "column \"nosuch_col\" does not exist", 8},
    {"select 1 from where", "42601", "syntax error at or near \"where\"", 15},
    {"select * from no_such_table", "42P01", "relation \"no_such_table\" does not exist", 15},
};

START_TEST(statement_position)
{
	TuskError e = TUSK_ERROR_INIT;
	error_of(conn, positioned[_i].sql, &e);
	ck_assert_int_eq(e.kind, TUSK_ERR_QUERY_FAILED);
	ck_assert_str_eq(e.code, positioned[_i].code);
	ck_assert_str_eq(e.message, positioned[_i].message);
	ck_assert_uint_eq(e.position, positioned[_i].position);
	ck_assert_ptr_null(e.internal_query);
	ck_assert_ptr_null(e.context);
	ck_assert_ptr_null(e.table_name);
	assert_json_roundtrip(&e);
	tusk_error_clear(&e);
}
END_TEST

/* Errors in a query the server ran on the statement's behalf: the inner
 * query and the position in it, the outer frame as context. */
START_TEST(internal_query_from_execute)
{
	TuskError e = TUSK_ERROR_INIT;
	error_of(conn, "do $$ begin execute 'select nosuch_col from pg_class'; end $$", &e);
	ck_assert_str_eq(e.code, "42703");
	ck_assert_str_eq(e.internal_query, "select nosuch_col from pg_class");
	ck_assert_uint_eq(e.internal_position, 8);
	ck_assert_uint_eq(e.position, 0);
	ck_assert_str_eq(e.context, "PL/pgSQL function inline_code_block line 1 at EXECUTE");
	assert_json_roundtrip(&e);
	tusk_error_clear(&e);
}
END_TEST

/* A SQL function's body checked at CREATE: the server moves the position
 * into the CREATE statement itself. */
START_TEST(sql_function_body_at_create)
{
	static const char sql[] = "create function pg_temp.bad() returns int language sql "
	                          "as 'select nosuch_col from pg_class'";
	TuskError e = TUSK_ERROR_INIT;
	error_of(conn, sql, &e);
	ck_assert_str_eq(e.code, "42703");
	ck_assert_uint_eq(e.position, (unsigned)(strstr(sql, "nosuch_col") - sql) + 1);
	ck_assert_ptr_null(e.internal_query);
	ck_assert_uint_eq(e.internal_position, 0);
	assert_json_roundtrip(&e);
	tusk_error_clear(&e);
}
END_TEST

/* The same body parsed only when the function runs: the body is the
 * internal query. */
START_TEST(sql_function_body_at_call)
{
	_cleanup_(PQclearp) PGresult *r =
	    PQexec(conn, "set check_function_bodies = off;"
	                 "create function public.pgerror_bad() returns int language sql "
	                 "as 'select nosuch_col from pg_class'");
	ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
	TuskError e = TUSK_ERROR_INIT;
	error_of(conn, "select public.pgerror_bad()", &e);
	ck_assert_str_eq(e.code, "42703");
	ck_assert_str_eq(e.internal_query, "select nosuch_col from pg_class");
	ck_assert_uint_eq(e.internal_position, 8);
	ck_assert_uint_eq(e.position, 0);
	ck_assert_ptr_nonnull(strstr(e.context, "SQL function \"pgerror_bad\""));
	assert_json_roundtrip(&e);
	tusk_error_clear(&e);
}
END_TEST

/* Integrity violations name the objects involved. */
static const struct {
	const char *sql;
	const char *code;
	const char *schema, *table, *column, *datatype, *constraint;
	const char *detail;
} violations[] = {
    {"insert into shop.orders values (2, 99, 1)", "23503", "shop", "orders", NULL, NULL,
     "orders_customer_id_fkey", "Key (customer_id)=(99) is not present in table \"customers\"."},
    {"insert into shop.orders values (2, 1, null)", "23502", "shop", "orders", "qty", NULL, NULL,
     "Failing row contains (2, 1, null)."},
    {"insert into shop.orders values (2, 1, 0)", "23514", "shop", "orders", NULL, NULL,
     "qty_positive", "Failing row contains (2, 1, 0)."},
    {"insert into shop.orders values (1, 1, 1)", "23505", "shop", "orders", NULL, NULL,
     "orders_pkey", "Key (id)=(1) already exists."},
    {"delete from shop.customers", "23503", "shop", "orders", NULL, NULL, "orders_customer_id_fkey",
     "Key (id)=(1) is still referenced from table \"orders\"."},
    {"select (-1)::shop.posint", "23514", "shop", NULL, NULL, "posint", "posint_check", NULL},
};

START_TEST(integrity_violation)
{
	TuskError e = TUSK_ERROR_INIT;
	error_of(conn, violations[_i].sql, &e);
	ck_assert_int_eq(e.kind, TUSK_ERR_QUERY_FAILED);
	ck_assert_str_eq(e.code, violations[_i].code);
	ck_assert_pstr_eq(e.schema_name, violations[_i].schema);
	ck_assert_pstr_eq(e.table_name, violations[_i].table);
	ck_assert_pstr_eq(e.column_name, violations[_i].column);
	ck_assert_pstr_eq(e.datatype_name, violations[_i].datatype);
	ck_assert_pstr_eq(e.constraint_name, violations[_i].constraint);
	ck_assert_pstr_eq(e.detail, violations[_i].detail);
	assert_json_roundtrip(&e);
	tusk_error_clear(&e);
}
END_TEST

START_TEST(statement_timeout_is_query_timeout)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_(PQclearp) PGresult *set = PQexec(conn, "set statement_timeout = '100ms'");
	ck_assert_int_eq(PQresultStatus(set), PGRES_COMMAND_OK);
	error_of(conn, "select pg_sleep(10)", &e);
	ck_assert_int_eq(e.kind, TUSK_ERR_QUERY_TIMEOUT);
	ck_assert_str_eq(e.code, "57014");
	ck_assert_str_eq(e.message, "canceling statement due to statement timeout");
	assert_json_roundtrip(&e);
	tusk_error_clear(&e);
}
END_TEST

/* Waits until pid runs a statement, so a cancel cannot land while it is
 * still idle (the server ignores those). */
static void wait_active(PGconn *other, int pid)
{
	char sql[160];
	snprintf(sql, sizeof(sql),
	         "select 1 from pg_stat_activity where pid = %d and state = 'active'", pid);
	for (int i = 0; i < 500; i++) {
		_cleanup_(PQclearp) PGresult *r = PQexec(other, sql);
		ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
		if (PQntuples(r) == 1)
			return;
		sleep_ms(10);
	}
	ck_abort_msg("backend %d never became active", pid);
}

static void assert_cancelled(PGconn *c)
{
	_cleanup_(PQclearp) PGresult *res = PQgetResult(c);
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	tusk_error_from_pgresult(&e, res);
	ck_assert_int_eq(e.kind, TUSK_ERR_QUERY_CANCELLED);
	ck_assert_str_eq(e.code, "57014");
	ck_assert_str_eq(e.message, "canceling statement due to user request");
	assert_json_roundtrip(&e);
	tusk_error_clear(&e);
	for (PGresult *r; (r = PQgetResult(c));)
		PQclear(r);
}

START_TEST(pg_cancel_backend_is_query_cancelled)
{
	_cleanup_(PQfinishp) PGconn *other = tt_pg_connect(&shared, db);
	ck_assert_int_eq(PQsendQuery(conn, "select pg_sleep(10)"), 1);
	wait_active(other, PQbackendPID(conn));
	char sql[64];
	snprintf(sql, sizeof(sql), "select pg_cancel_backend(%d)", PQbackendPID(conn));
	_cleanup_(PQclearp) PGresult *r = PQexec(other, sql);
	ck_assert_str_eq(PQgetvalue(r, 0, 0), "t");
	assert_cancelled(conn);
}
END_TEST

START_TEST(pqcancel_is_query_cancelled)
{
	_cleanup_(PQfinishp) PGconn *other = tt_pg_connect(&shared, db);
	ck_assert_int_eq(PQsendQuery(conn, "select pg_sleep(10)"), 1);
	wait_active(other, PQbackendPID(conn));
	PGcancel *cancel = PQgetCancel(conn);
	char buf[256];
	ck_assert_msg(PQcancel(cancel, buf, sizeof(buf)) == 1, "%s", buf);
	PQfreeCancel(cancel);
	assert_cancelled(conn);
}
END_TEST

/* The test's own backend terminated from a second connection: the next
 * statement finds the connection gone. */
START_TEST(terminated_backend_is_connection_failed)
{
	_cleanup_(PQfinishp) PGconn *other = tt_pg_connect(&shared, db);
	int pid = PQbackendPID(conn);
	char sql[128];
	snprintf(sql, sizeof(sql), "select pg_terminate_backend(%d, 5000)", pid);
	_cleanup_(PQclearp) PGresult *r = PQexec(other, sql);
	ck_assert_str_eq(PQgetvalue(r, 0, 0), "t");

	TuskError e = TUSK_ERROR_INIT;
	error_of(conn, "select 1", &e);
	ck_assert_msg(e.kind == TUSK_ERR_CONNECTION_FAILED, "%s: %s", tusk_error_kind_name(e.kind),
	              e.message);
	ck_assert_str_eq(tusk_error_type_name(tusk_error_kind_type(e.kind)), "connection");
	ck_assert_int_eq(PQstatus(conn), CONNECTION_BAD);
	/* libpq reports the loss in its own words, without a SQLSTATE. */
	ck_assert_ptr_nonnull(strstr(e.message, "server closed the connection unexpectedly"));
	ck_assert_ptr_null(e.code);
	assert_json_roundtrip(&e);
	tusk_error_clear(&e);

	/* After that libpq does not even send a statement: PQexec returns no
	 * result at all, and the connection says why. */
	_cleanup_(PQclearp) PGresult *none = PQexec(conn, "select 1");
	ck_assert_ptr_null(none);
	tusk_error_from_pgconn(&e, conn, 0);
	ck_assert_int_eq(e.kind, TUSK_ERR_CONNECTION_FAILED);
	ck_assert_ptr_nonnull(strstr(e.message, "no connection to the server"));
	tusk_error_clear(&e);
}
END_TEST

/* --- connection failures on a private server ---------------------------- */

static struct tt_pg priv;
static struct tt_certs certs;

static void start_private(void)
{
	tt_certs_init(&certs);
	tt_certs_server(&certs, "server", "localhost", "DNS:localhost,IP:127.0.0.1");
	tt_certs_give_to_pg(&certs, "server");
	/* Few slots so "too many clients" is cheap to reach; SSL starts off
	 * and one test turns it on. */
	tt_pg_start(&priv, "ssl = off\nmax_connections = 8\nsuperuser_reserved_connections = 0\n",
	            "local all all trust\n"
	            "host all alice 127.0.0.1/32 scram-sha-256\n"
	            "host all postgres 127.0.0.1/32 trust\n");
	tt_pg_exec(&priv, NULL, "create role alice login password 'right-pass'");
}

static void stop_private(void)
{
	tt_pg_stop(&priv);
	tt_certs_cleanup(&certs);
}

/* libpq's text for a failed attempt, classified. */
static void connect_error(PGconn *c, unsigned timeout, TuskError *e)
{
	ck_assert_msg(PQstatus(c) == CONNECTION_BAD, "connected unexpectedly");
	ck_assert_int_eq(tusk_error_from_pgconn(e, c, timeout), -1);
	/* One line for people; libpq's whole text as detail. */
	ck_assert_ptr_null(strchr(e->message, '\n'));
	ck_assert_ptr_null(strstr(e->message, "FATAL:"));
	ck_assert_ptr_nonnull(e->detail);
	assert_json_roundtrip(e);
}

/* A listening socket nobody accepts on: the kernel completes the TCP
 * handshake and then nothing ever answers the startup packet. */
START_TEST(silent_server_is_connection_timeout)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	char conninfo[256];
	snprintf(conninfo, sizeof(conninfo),
	         "host=127.0.0.1 port=%d connect_timeout=1 sslmode=disable gssencmode=disable "
	         "user=alice dbname=shop",
	         ntohs(sa.sin_port));
	_cleanup_(PQfinishp) PGconn *c = PQconnectdb(conninfo);
	close(fd);

	TuskError e = TUSK_ERROR_INIT;
	connect_error(c, 1, &e);
	ck_assert_int_eq(e.kind, TUSK_ERR_CONNECTION_TIMEOUT);
	ck_assert_str_eq(e.message, "Connection timeout after 1s");
	ck_assert_ptr_nonnull(strstr(e.detail, "timeout expired"));
	ck_assert_str_eq(e.hint, "Check that the server is reachable and the port is open");
	tusk_error_clear(&e);
}
END_TEST

START_TEST(server_without_ssl_is_ssl_error)
{
	_cleanup_(PQfinishp) PGconn *su = tt_pg_connect(&priv, NULL);
	_cleanup_(PQclearp) PGresult *r = PQexec(su, "show ssl");
	ck_assert_str_eq(PQgetvalue(r, 0, 0), "off");

	_cleanup_(PQfinishp) PGconn *c = connect_tcp(&priv, "user=postgres sslmode=require");
	TuskError e = TUSK_ERROR_INIT;
	connect_error(c, 5, &e);
	ck_assert_int_eq(e.kind, TUSK_ERR_SSL);
	ck_assert_ptr_nonnull(strstr(e.message, "does not support SSL"));
	ck_assert_str_eq(e.hint, "Check SSL certificate configuration");
	ck_assert_str_eq(tusk_error_type_name(tusk_error_kind_type(e.kind)), "ssl");
	tusk_error_clear(&e);
}
END_TEST

static void set_ssl(bool on)
{
	char sql[512];
	if (on) {
		/* ALTER SYSTEM refuses to run in the implicit transaction of a
		 * multi-statement string: one call each. */
		snprintf(sql, sizeof(sql), "alter system set ssl_cert_file = '%s/server.crt'",
		         certs.dir);
		tt_pg_exec(&priv, NULL, sql);
		snprintf(sql, sizeof(sql), "alter system set ssl_key_file = '%s/server.key'",
		         certs.dir);
		tt_pg_exec(&priv, NULL, sql);
		tt_pg_exec(&priv, NULL, "alter system set ssl = on");
	} else {
		tt_pg_exec(&priv, NULL, "alter system reset all");
	}
	tt_pg_exec(&priv, NULL, "select pg_reload_conf()");
	/* The reload is asynchronous: wait until new backends see it. */
	for (int i = 0; i < 500; i++) {
		_cleanup_(PQfinishp) PGconn *su = tt_pg_connect(&priv, NULL);
		_cleanup_(PQclearp) PGresult *r = PQexec(su, "show ssl");
		if (strcmp(PQgetvalue(r, 0, 0), on ? "on" : "off") == 0)
			return;
		sleep_ms(10);
	}
	ck_abort_msg("ssl never became %s", on ? "on" : "off");
}

/* The server speaks TLS; libpq cannot verify it without the root
 * certificate it was told to use. The text says "does not exist" but names
 * no role: not a login error. */
START_TEST(missing_root_certificate_is_ssl_error)
{
	set_ssl(true);
	/* With its root certificate libpq verifies this server. */
	char conninfo[512];
	snprintf(conninfo, sizeof(conninfo), "user=postgres sslmode=verify-full sslrootcert=%s",
	         certs.ca_crt);
	_cleanup_(PQfinishp) PGconn *ok = connect_tcp(&priv, conninfo);
	bool verified = PQstatus(ok) == CONNECTION_OK && PQsslInUse(ok);
	_cleanup_(PQfinishp) PGconn *c = connect_tcp(
	    &priv, "user=postgres sslmode=verify-full sslrootcert=/nonexistent/root.crt");
	TuskError e = TUSK_ERROR_INIT;
	connect_error(c, 5, &e);
	set_ssl(false);

	ck_assert_msg(verified, "%s", PQerrorMessage(ok));
	ck_assert_int_eq(e.kind, TUSK_ERR_SSL);
	ck_assert_ptr_nonnull(strstr(e.detail, "/nonexistent/root.crt"));
	tusk_error_clear(&e);
}
END_TEST

START_TEST(scram_without_password_is_auth_failed)
{
	_cleanup_(PQfinishp) PGconn *c =
	    connect_tcp(&priv, "user=alice dbname=postgres sslmode=disable");
	TuskError e = TUSK_ERROR_INIT;
	connect_error(c, 5, &e);
	ck_assert_int_eq(e.kind, TUSK_ERR_AUTHENTICATION_FAILED);
	ck_assert_ptr_nonnull(strstr(e.message, "no password supplied"));
	/* The hint follows the cause: store the password. */
	ck_assert_ptr_nonnull(strstr(e.hint, "tuskctl secret set NAME --password-stdin"));
	ck_assert_str_eq(tusk_error_type_name(tusk_error_kind_type(e.kind)), "authentication");
	tusk_error_clear(&e);
}
END_TEST

/* Startup FATALs as the server sends them (libpq keeps only the text). */
static const struct {
	bool tcp;
	const char *conninfo;
	const char *text;
	TuskErrorKind kind;
} startup_fatals[] = {
    /* 28P01 */
    {true, "user=alice password=wrong-pass dbname=postgres sslmode=disable",
     "password authentication failed for user \"alice\"", TUSK_ERR_AUTHENTICATION_FAILED},
    /* 28000 */
    {false, "user=nosuch_role dbname=postgres", "role \"nosuch_role\" does not exist",
     TUSK_ERR_AUTHENTICATION_FAILED},
    /* 28000 */
    {true, "user=bob dbname=postgres sslmode=disable",
     "no pg_hba.conf entry for host \"127.0.0.1\", user \"bob\", database \"postgres\"",
     TUSK_ERR_AUTHENTICATION_FAILED},
    /* 3D000: a wrong database name is no login problem; the connection
     * cannot be made as configured. */
    {false, "user=postgres dbname=nosuch_db", "database \"nosuch_db\" does not exist",
     TUSK_ERR_CONNECTION_FAILED},
    {true, "user=postgres dbname=nosuch_db sslmode=disable",
     "database \"nosuch_db\" does not exist", TUSK_ERR_CONNECTION_FAILED},
};

START_TEST(startup_fatal_classified)
{
	_cleanup_(PQfinishp) PGconn *c = startup_fatals[_i].tcp
	                                     ? connect_tcp(&priv, startup_fatals[_i].conninfo)
	                                     : connect_socket(&priv, startup_fatals[_i].conninfo);
	TuskError e = TUSK_ERROR_INIT;
	connect_error(c, 5, &e);
	ck_assert_msg(e.kind == startup_fatals[_i].kind, "%s: got %s", e.message,
	              tusk_error_kind_name(e.kind));
	/* The server's words without libpq's "FATAL:  ". */
	ck_assert_msg(strstr(e.message, startup_fatals[_i].text), "%s", e.message);
	tusk_error_clear(&e);
}
END_TEST

/* 53300 once every slot is taken. */
START_TEST(too_many_clients_is_connection_failed)
{
	PGconn *held[32] = {0};
	size_t n = 0;
	PGconn *c = NULL;
	for (; n < sizeof(held) / sizeof(held[0]); n++) {
		c = connect_tcp(&priv, "user=postgres dbname=postgres sslmode=disable");
		if (PQstatus(c) != CONNECTION_OK)
			break;
		held[n] = c;
		c = NULL;
	}
	ck_assert_ptr_nonnull(c);
	TuskError e = TUSK_ERROR_INIT;
	connect_error(c, 5, &e);
	PQfinish(c);
	for (size_t i = 0; i < n; i++)
		PQfinish(held[i]);
	ck_assert_uint_ge(n, 1);
	ck_assert_int_eq(e.kind, TUSK_ERR_CONNECTION_FAILED);
	ck_assert_msg(strstr(e.message, "sorry, too many clients already"), "%s", e.message);
	tusk_error_clear(&e);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("pgerror");
	TCase *tc = tcase_create("result");
	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, create_db, drop_db);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, raise_with_every_option);
	tcase_add_loop_test(tc, statement_position, 0, sizeof(positioned) / sizeof(positioned[0]));
	tcase_add_test(tc, internal_query_from_execute);
	tcase_add_test(tc, sql_function_body_at_create);
	tcase_add_test(tc, sql_function_body_at_call);
	tcase_add_loop_test(tc, integrity_violation, 0, sizeof(violations) / sizeof(violations[0]));
	tcase_add_test(tc, statement_timeout_is_query_timeout);
	tcase_add_test(tc, pg_cancel_backend_is_query_cancelled);
	tcase_add_test(tc, pqcancel_is_query_cancelled);
	tcase_add_test(tc, terminated_backend_is_connection_failed);
	suite_add_tcase(s, tc);

	tc = tcase_create("connect");
	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, start_private, stop_private);
	tcase_add_test(tc, silent_server_is_connection_timeout);
	tcase_add_test(tc, server_without_ssl_is_ssl_error);
	tcase_add_test(tc, missing_root_certificate_is_ssl_error);
	tcase_add_test(tc, scram_without_password_is_auth_failed);
	tcase_add_loop_test(tc, startup_fatal_classified, 0,
	                    sizeof(startup_fatals) / sizeof(startup_fatals[0]));
	tcase_add_test(tc, too_many_clients_is_connection_failed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tt_run_suite(suite());
}
