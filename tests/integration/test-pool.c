/* Live pools against a real PostgreSQL: open, reuse, status, and the error
 * kind for each way a connect fails. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

static char *conninfo_for(const struct tt_pg *pg, const char *extra)
{
	char *s = NULL;
	ck_assert_int_ge(asprintf(&s, "host=%s port=%d user=postgres dbname=postgres %s", pg->host,
	                          pg->port, extra ? extra : ""),
	                 0);
	return s;
}

static json_t *open_conninfo(const char *conninfo)
{
	return tt_call(fd, 1, "connection.open", json_pack("{s:s}", "conninfo", conninfo));
}

START_TEST(open_transient_and_reuse)
{
	struct tt_pg pg;
	tt_pg_shared(&pg);
	char *ci = conninfo_for(&pg, NULL);
	json_t *r = open_conninfo(ci);
	json_t *st = json_object_get(r, "result");
	ck_assert_msg(st, "open failed: %s", json_dumps(r, 0));
	ck_assert_str_eq(json_string_value(json_object_get(st, "status")), "connected");
	ck_assert_int_eq(json_integer_value(json_object_get(st, "size")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(st, "backend_pids")), 1);
	ck_assert_ptr_nonnull(
	    strstr(json_string_value(json_object_get(st, "server_version")), "15"));
	char display[128];
	snprintf(display, sizeof(display), "postgres@%s:%d/postgres", pg.host, pg.port);
	ck_assert_str_eq(json_string_value(json_object_get(st, "display")), display);
	const char *id = json_string_value(json_object_get(st, "connection_id"));
	char *id1 = strdup(id);

	/* The backend is really there, with Tusk's application_name. */
	PGconn *c = tt_pg_connect(&pg, NULL);
	char sql[200];
	snprintf(sql, sizeof(sql), "select application_name from pg_stat_activity where pid = %lld",
	         json_integer_value(json_array_get(json_object_get(st, "backend_pids"), 0)));
	PGresult *res = PQexec(c, sql);
	ck_assert_int_eq(PQntuples(res), 1);
	ck_assert_str_eq(PQgetvalue(res, 0, 0), "Tusk");
	PQclear(res);
	PQfinish(c);
	json_decref(r);

	/* Same conninfo again: the same warm pool. */
	r = open_conninfo(ci);
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_object_get(r, "result"), "connection_id")), id1);
	json_decref(r);

	r = tt_call(fd, 2, "connection.status", json_pack("{s:s}", "id", id1));
	json_t *list = json_object_get(json_object_get(r, "result"), "connections");
	ck_assert_int_eq(json_array_size(list), 1);
	json_decref(r);

	r = tt_call(fd, 3, "connection.close", json_pack("{s:s}", "id", id1));
	ck_assert(json_is_true(json_object_get(json_object_get(r, "result"), "closed")));
	json_decref(r);
	r = tt_call(fd, 4, "connection.close", json_pack("{s:s}", "id", id1));
	ck_assert_str_eq(tt_error_kind(r), "no_active_connection");
	json_decref(r);
	free(id1);
	free(ci);
}
END_TEST

START_TEST(refused_port_is_connection_failed)
{
	char ci[128];
	snprintf(ci, sizeof(ci), "host=127.0.0.1 port=%d user=postgres connect_timeout=5",
	         tt_free_port());
	double t0 = tt_now_ms();
	json_t *r = open_conninfo(ci);
	ck_assert_str_eq(tt_error_kind(r), "connection_failed");
	json_t *data = json_object_get(json_object_get(r, "error"), "data");
	ck_assert_ptr_nonnull(
	    strstr(json_string_value(json_object_get(data, "detail")), "refused"));
	ck_assert(tt_now_ms() - t0 < 2000);
	json_decref(r);
	ck_assert(tt_ping(fd, 1000));
}
END_TEST

START_TEST(silent_listener_is_connection_timeout)
{
	/* Accepts TCP connections (the kernel does, from the backlog) and
	 * never says a word. */
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(l, 16), 0);
	socklen_t len = sizeof(sa);
	getsockname(l, (struct sockaddr *)&sa, &len);
	char ci[128];
	snprintf(ci, sizeof(ci), "host=127.0.0.1 port=%d user=postgres connect_timeout=2",
	         ntohs(sa.sin_port));

	/* The loop stays free while the connect waits. */
	char line[256];
	snprintf(line, sizeof(line),
	         "{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"connection.open\","
	         "\"params\":{\"conninfo\":\"%s\"}}\n",
	         ci);
	double t0 = tt_now_ms();
	tt_send_str(fd, line);
	int fd2 = tt_connect(d.socket);
	/* A blocked loop would answer only after the 2 s connect timeout. */
	ck_assert(tt_ping(fd2, 1000));
	close(fd2);
	json_t *r = tt_read(fd, 10000);
	double ms = tt_now_ms() - t0;
	ck_assert_str_eq(tt_error_kind(r), "connection_timeout");
	ck_assert_msg(ms >= 1900 && ms < 4000, "timed out after %.0f ms, not about 2 s", ms);
	ck_assert_ptr_nonnull(strstr(
	    json_string_value(json_object_get(json_object_get(r, "error"), "message")), "2s"));
	json_decref(r);
	close(l);
}
END_TEST

START_TEST(unknown_host_is_connection_failed)
{
	json_t *r = open_conninfo("host=no-such-host.invalid user=postgres connect_timeout=5");
	ck_assert_str_eq(tt_error_kind(r), "connection_failed");
	json_decref(r);
}
END_TEST

START_TEST(wrong_password_is_authentication_failed)
{
	struct tt_pg pg;
	tt_pg_start(&pg, "password_encryption = 'scram-sha-256'",
	            "local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
	tt_pg_exec(&pg, NULL, "create role alice login password 'right-horse-battery'");
	char ci[200];
	snprintf(ci, sizeof(ci), "host=127.0.0.1 port=%d user=alice dbname=postgres password=wrong",
	         pg.port);
	json_t *r = open_conninfo(ci);
	ck_assert_str_eq(tt_error_kind(r), "authentication_failed");
	json_t *data = json_object_get(json_object_get(r, "error"), "data");
	ck_assert_ptr_nonnull(json_object_get(data, "hint"));
	/* The password never comes back in an error. */
	char *s = json_dumps(r, 0);
	ck_assert_ptr_null(strstr(s, "wrong"));
	free(s);
	json_decref(r);

	/* No such role is an authentication failure too. */
	snprintf(ci, sizeof(ci), "host=127.0.0.1 port=%d user=bob dbname=postgres password=x",
	         pg.port);
	r = open_conninfo(ci);
	ck_assert_str_eq(tt_error_kind(r), "authentication_failed");
	json_decref(r);

	snprintf(ci, sizeof(ci),
	         "host=127.0.0.1 port=%d user=alice dbname=postgres password=right-horse-battery",
	         pg.port);
	r = open_conninfo(ci);
	ck_assert_msg(json_object_get(r, "result"), "scram login failed");
	json_decref(r);
	tt_pg_stop(&pg);
}
END_TEST

START_TEST(bad_conninfo_is_invalid_input)
{
	json_t *r = open_conninfo("host=x nonsense_keyword=1");
	ck_assert_str_eq(tt_error_kind(r), "invalid_input");
	json_decref(r);
	r = tt_call(fd, 5, "connection.open", json_pack("{s:s, s:s}", "id", "x", "conninfo", "y"));
	ck_assert_int_eq(tt_error_code(r), -32602);
	json_decref(r);
}
END_TEST

START_TEST(events_follow_the_pool)
{
	struct tt_pg pg;
	tt_pg_shared(&pg);
	int ev = tt_connect(d.socket);
	json_t *r =
	    tt_call(ev, 1, "events.subscribe", json_pack("{s:[s]}", "topics", "connection"));
	json_decref(r);
	char *ci = conninfo_for(&pg, "application_name=events");
	r = open_conninfo(ci);
	const char *id =
	    json_string_value(json_object_get(json_object_get(r, "result"), "connection_id"));
	char *id1 = strdup(id);
	json_decref(r);
	r = tt_call(fd, 2, "connection.close", json_pack("{s:s}", "id", id1));
	json_decref(r);
	int seen = 0;
	for (json_t *n; (n = tt_read(ev, 1000));) {
		const char *m = json_string_value(json_object_get(n, "method"));
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(n, "params"),
		                                                   "connection_id")),
		                 id1);
		if (strcmp(m, "connection.connected") == 0)
			seen |= 1;
		if (strcmp(m, "connection.disconnected") == 0)
			seen |= 2;
		json_decref(n);
	}
	ck_assert_int_eq(seen, 3);
	close(ev);
	free(id1);
	free(ci);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("pool");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, open_transient_and_reuse);
	tcase_add_test(tc, refused_port_is_connection_failed);
	tcase_add_test(tc, silent_listener_is_connection_timeout);
	tcase_add_test(tc, unknown_host_is_connection_failed);
	tcase_add_test(tc, wrong_password_is_authentication_failed);
	tcase_add_test(tc, bad_conninfo_is_invalid_input);
	tcase_add_test(tc, events_follow_the_pool);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
