/* The blocking client against a real listening Unix socket, served by a
 * small thread in this test that plays the daemon's part from a script. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "protocol/client.h"
#include "protocol/jsonrpc.h"
#include "tests/lib/tt-check.h"

typedef struct Server Server;
typedef void (*Script)(Server *s, int fd);

struct Server {
	char dir[64];
	char path[128];
	int listen_fd;
	pthread_t thread;
	Script script;
	TuskLineReader *reader;
	long long ids[4]; /* ids of the requests the script read */
	int nids;
	bool joined;
};

static void *server_main(void *arg)
{
	Server *s = arg;
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		s->script(s, fd);
		close(fd);
	}
	return NULL;
}

static Server *server_start(Script script)
{
	Server *s = calloc(1, sizeof(*s));
	strcpy(s->dir, "/tmp/tusk-client-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/tuskd.sock", s->dir);
	s->script = script;
	s->reader = tusk_line_reader_new(0);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, s->path);
	ck_assert_int_eq(bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(s->listen_fd, 4), 0);
	ck_assert_int_eq(pthread_create(&s->thread, NULL, server_main, s), 0);
	return s;
}

static void server_join(Server *s)
{
	if (!s->joined)
		pthread_join(s->thread, NULL);
	s->joined = true;
}

static void server_stop(Server *s)
{
	server_join(s);
	close(s->listen_fd);
	unlink(s->path);
	rmdir(s->dir);
	tusk_line_reader_free(s->reader);
	free(s);
}

/* Read the next request (NULL at EOF) and remember its id. */
static json_t *srv_read(Server *s, int fd)
{
	for (;;) {
		const char *line;
		size_t len;
		if (tusk_line_reader_next(s->reader, &line, &len) == TUSK_LINE_OK) {
			json_t *msg = json_loadb(line, len, 0, NULL);
			if (json_is_integer(json_object_get(msg, "id")) && s->nids < 4)
				s->ids[s->nids++] = json_integer_value(json_object_get(msg, "id"));
			return msg;
		}
		char buf[4096];
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return NULL;
		tusk_line_reader_feed(s->reader, buf, (size_t)n);
	}
}

static void srv_write(int fd, const char *text)
{
	size_t len = strlen(text);
	while (len > 0) {
		/* The client may already have hung up (a script goes on writing
		 * after the client stopped reading): EPIPE, never SIGPIPE. */
		ssize_t n = send(fd, text, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		text += n;
		len -= (size_t)n;
	}
}

static void srv_reply(int fd, long long id, const char *result)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":%s}\n", id, result);
	srv_write(fd, buf);
}

static long long id_of(json_t *req)
{
	return json_integer_value(json_object_get(req, "id"));
}

/* Wait until the client hangs up. */
static void srv_drain(Server *s, int fd)
{
	json_t *msg;
	while ((msg = srv_read(s, fd)))
		json_decref(msg);
}

/* ---- scripts ---- */

static void script_busy_daemon(Server *s, int fd)
{
	json_t *req = srv_read(s, fd);
	long long id = id_of(req);
	/* What a busy daemon interleaves before the awaited reply. */
	srv_write(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"event.test\",\"params\":{\"n\":1}}\n");
	srv_reply(fd, id + 100, "{\"wrong\":true}");
	srv_write(fd, "{\"jsonrpc\":\"2.0\",\"id\":\"other\",\"result\":1}\n\n");
	srv_write(fd, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"server.asks\"}\n");
	/* The reply itself in single bytes. */
	char buf[256];
	snprintf(buf, sizeof(buf), "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":{\"ok\":1}}\r\n",
	         id);
	for (size_t i = 0; buf[i]; i++)
		srv_write(fd, (char[]){buf[i], '\0'});
	json_decref(req);

	req = srv_read(s, fd);
	srv_reply(fd, id_of(req), "{\"second\":true}");
	json_decref(req);
	srv_drain(s, fd);
}

static void script_error_reply(Server *s, int fd)
{
	json_t *req = srv_read(s, fd);
	char buf[512];
	snprintf(buf, sizeof(buf),
	         "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"error\":{\"code\":-32602,"
	         "\"message\":\"params.key: expected string, got integer\",\"data\":{"
	         "\"kind\":\"invalid_params\",\"error_type\":\"query\","
	         "\"message\":\"params.key: expected string, got integer\"}}}\n",
	         id_of(req));
	srv_write(fd, buf);
	json_decref(req);
	srv_drain(s, fd);
}

static void script_null_id_error(Server *s, int fd)
{
	json_t *req = srv_read(s, fd);
	srv_write(fd, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
	              "\"message\":\"invalid UTF-8 at byte 3: overlong encoding\"}}\n");
	json_decref(req);
	srv_drain(s, fd);
}

static void script_silent(Server *s, int fd)
{
	srv_drain(s, fd);
}

static void script_hang_up(Server *s, int fd)
{
	json_decref(srv_read(s, fd));
}

static void script_three_notifications(Server *s, int fd)
{
	json_t *req = srv_read(s, fd);
	for (int i = 0; i < 3; i++)
		srv_write(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"query.rows\",\"params\":{}}\n");
	srv_reply(fd, id_of(req), "{}");
	json_decref(req);
	srv_drain(s, fd);
}

static void script_echo(Server *s, int fd)
{
	json_t *msg = srv_read(s, fd);
	char *text = json_dumps(msg, JSON_COMPACT);
	srv_write(fd, text);
	srv_write(fd, "\n");
	free(text);
	json_decref(msg);
	srv_drain(s, fd);
}

static void script_big_reply(Server *s, int fd)
{
	json_t *req = srv_read(s, fd);
	size_t n = 2u * 1024 * 1024;
	char *big = malloc(n + 1);
	memset(big, 'b', n);
	big[n] = '\0';
	json_t *reply =
	    tusk_rpc_result(json_object_get(req, "id"), json_pack("{s:s}", "blob", big));
	size_t len;
	char *text = tusk_rpc_dump(reply, &len);
	srv_write(fd, text);
	free(text);
	free(big);
	json_decref(reply);
	json_decref(req);
	srv_drain(s, fd);
}

/* ---- tests ---- */

static TuskClient *connect_ok(Server *s)
{
	TuskError e = TUSK_ERROR_INIT;
	TuskClient *c = tusk_client_connect(s->path, NULL, &e);
	ck_assert_msg(c != NULL, "%s", tusk_error_message(&e));
	return c;
}

/* c's call of method succeeds: its result. */
static json_t *call_ok(TuskClient *c, const char *method, json_t *params, TuskNotifyFn on_notify,
                       void *userdata, int timeout_ms)
{
	TuskError e = TUSK_ERROR_INIT;
	json_t *result = NULL;
	int r = tusk_client_call(c, method, params, &result, on_notify, userdata, timeout_ms, &e);
	ck_assert_msg(r == 0, "%s", tusk_error_message(&e));
	ck_assert_ptr_nonnull(result);
	return result;
}

/* The end of a test: the client gone, then the server. */
static void finish(Server *s, TuskClient *c)
{
	tusk_client_free(c);
	server_stop(s);
}

/* c's call of method fails: -1 and no result, e of that kind and message. */
static void call_fails(TuskClient *c, const char *method, json_t *params, TuskNotifyFn on_notify,
                       void *userdata, int timeout_ms, TuskErrorKind kind, const char *message)
{
	TuskError e = TUSK_ERROR_INIT;
	json_t *result = NULL;
	ck_assert_int_eq(
	    tusk_client_call(c, method, params, &result, on_notify, userdata, timeout_ms, &e), -1);
	ck_assert_ptr_null(result);
	ck_assert_int_eq(e.kind, kind);
	ck_assert_str_eq(tusk_error_message(&e), message);
	tusk_error_clear(&e);
}

static int notifications_seen;

static int count_notification(const char *method, json_t *params, void *userdata)
{
	ck_assert_str_eq(method, userdata);
	notifications_seen++;
	return 0;
}

START_TEST(call_skips_other_traffic)
{
	Server *s = server_start(script_busy_daemon);
	TuskClient *c = connect_ok(s);

	notifications_seen = 0;
	json_t *result = call_ok(c, "daemon.ping", NULL, count_notification, "event.test", 5000);
	ck_assert_int_eq(json_integer_value(json_object_get(result, "ok")), 1);
	ck_assert_int_eq(notifications_seen, 1);
	json_decref(result);

	result = call_ok(c, "daemon.status", json_object(), NULL, NULL, 5000);
	ck_assert(json_is_true(json_object_get(result, "second")));
	json_decref(result);
	finish(s, c);
}
END_TEST

START_TEST(ids_increase)
{
	Server *s = server_start(script_busy_daemon);
	TuskClient *c = connect_ok(s);
	json_decref(call_ok(c, "a", NULL, NULL, NULL, 5000));
	json_decref(call_ok(c, "b", NULL, NULL, NULL, 5000));
	tusk_client_free(c);
	server_join(s);
	/* Ids are increasing integers from 1. */
	ck_assert_int_eq(s->nids, 2);
	ck_assert_int_eq(s->ids[0], 1);
	ck_assert_int_eq(s->ids[1], 2);
	server_stop(s);
}
END_TEST

START_TEST(error_reply)
{
	Server *s = server_start(script_error_reply);
	TuskClient *c = connect_ok(s);
	call_fails(c, "settings.get", json_pack("{s:i}", "key", 1), NULL, NULL, 5000,
	           TUSK_ERR_INVALID_PARAMS, "params.key: expected string, got integer");
	finish(s, c);
}
END_TEST

START_TEST(null_id_error_fails_the_call)
{
	Server *s = server_start(script_null_id_error);
	TuskClient *c = connect_ok(s);
	call_fails(c, "daemon.ping", NULL, NULL, NULL, 5000, TUSK_ERR_PARSE,
	           "invalid UTF-8 at byte 3: overlong encoding");
	finish(s, c);
}
END_TEST

static long long ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(timeout)
{
	Server *s = server_start(script_silent);
	TuskClient *c = connect_ok(s);
	TuskError e = TUSK_ERROR_INIT;
	long long t0 = ms_now();
	call_fails(c, "daemon.ping", NULL, NULL, NULL, 200, TUSK_ERR_IO,
	           "timed out after 200 ms waiting for the reply to daemon.ping");
	long long took = ms_now() - t0;
	ck_assert_int_ge(took, 190);
	ck_assert_int_lt(took, 3000);
	/* tusk_client_read times out the same way. */
	ck_assert_ptr_null(tusk_client_read(c, 50, &e));
	ck_assert_int_eq(e.kind, TUSK_ERR_IO);
	tusk_error_clear(&e);
	finish(s, c);
}
END_TEST

START_TEST(daemon_hangs_up)
{
	Server *s = server_start(script_hang_up);
	TuskClient *c = connect_ok(s);
	TuskError e = TUSK_ERROR_INIT;
	call_fails(c, "daemon.ping", NULL, NULL, NULL, 5000, TUSK_ERR_IO,
	           "the daemon closed the connection");
	/* Sending after the hang-up is an error, not a SIGPIPE. */
	server_join(s);
	for (int i = 0; i < 100; i++) {
		if (tusk_client_send_raw(c, "{}\n", 3, &e) < 0)
			break;
		usleep(1000);
	}
	ck_assert_int_eq(e.kind, TUSK_ERR_IO);
	tusk_error_clear(&e);
	finish(s, c);
}
END_TEST

static int stop_at_second(const char *method, json_t *params, void *userdata)
{
	int *n = userdata;
	return ++*n == 2;
}

START_TEST(notification_callback_interrupts)
{
	Server *s = server_start(script_three_notifications);
	TuskClient *c = connect_ok(s);
	int seen = 0;
	call_fails(c, "query.execute", NULL, stop_at_second, &seen, 5000, TUSK_ERR_INTERNAL,
	           "interrupted");
	ck_assert_int_eq(seen, 2);
	finish(s, c);
}
END_TEST

START_TEST(send_and_read)
{
	Server *s = server_start(script_echo);
	TuskClient *c = connect_ok(s);
	TuskError e = TUSK_ERROR_INIT;
	long long id = tusk_client_send(c, "query.cancel", json_pack("{s:s}", "query", "q1"), &e);
	ck_assert_int_eq(id, 1);
	json_t *echo = tusk_client_read(c, 5000, &e);
	ck_assert_msg(echo != NULL, "%s", tusk_error_message(&e));
	ck_assert_str_eq(json_string_value(json_object_get(echo, "method")), "query.cancel");
	ck_assert_int_eq(json_integer_value(json_object_get(echo, "id")), 1);
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_object_get(echo, "params"), "query")), "q1");
	json_decref(echo);
	finish(s, c);
}
END_TEST

START_TEST(send_raw_bytes)
{
	Server *s = server_start(script_echo);
	TuskClient *c = connect_ok(s);
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tusk_client_send_raw(c, "{\"raw\":", 7, &e), 0);
	ck_assert_int_eq(tusk_client_send_raw(c, "true}\n", 6, &e), 0);
	json_t *echo = tusk_client_read(c, 5000, &e);
	ck_assert_ptr_nonnull(echo);
	ck_assert(json_is_true(json_object_get(echo, "raw")));
	json_decref(echo);
	finish(s, c);
}
END_TEST

START_TEST(big_reply)
{
	Server *s = server_start(script_big_reply);
	TuskClient *c = connect_ok(s);
	json_t *result = call_ok(c, "query.fetch", NULL, NULL, NULL, 10000);
	ck_assert_uint_eq(json_string_length(json_object_get(result, "blob")), 2u * 1024 * 1024);
	json_decref(result);
	finish(s, c);
}
END_TEST

START_TEST(socket_is_cloexec)
{
	Server *s = server_start(script_silent);
	TuskClient *c = connect_ok(s);
	int flags = fcntl(tusk_client_fd(c), F_GETFD);
	ck_assert(flags & FD_CLOEXEC);
	finish(s, c);
}
END_TEST

START_TEST(connect_nothing_there)
{
	TuskError e = TUSK_ERROR_INIT;
	int err = 0;
	const char *path = "/tmp/tusk-client-test-does-not-exist/tuskd.sock";
	ck_assert_ptr_null(tusk_client_connect(path, &err, &e));
	ck_assert_int_eq(err, ENOENT);
	ck_assert_int_eq(e.kind, TUSK_ERR_IO);
	ck_assert_str_eq(tusk_error_message(&e), "cannot connect to "
	                                         "/tmp/tusk-client-test-does-not-exist/tuskd.sock: "
	                                         "No such file or directory");
	tusk_error_clear(&e);
}
END_TEST

START_TEST(connect_stale_socket)
{
	/* A socket file whose daemon is gone: connection refused. */
	char dir[] = "/tmp/tusk-client-test-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/tuskd.sock", dir);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);

	TuskError e = TUSK_ERROR_INIT;
	int err = 0;
	ck_assert_ptr_null(tusk_client_connect(path, &err, &e));
	ck_assert_int_eq(err, ECONNREFUSED);
	ck_assert_ptr_nonnull(strstr(tusk_error_message(&e), "Connection refused"));
	tusk_error_clear(&e);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(connect_path_too_long)
{
	char path[200];
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	TuskError e = TUSK_ERROR_INIT;
	int err = 0;
	ck_assert_ptr_null(tusk_client_connect(path, &err, &e));
	ck_assert_int_eq(err, ENAMETOOLONG);
	ck_assert_int_eq(e.kind, TUSK_ERR_IO);
	tusk_error_clear(&e);
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("protocol-client");
	TCase *tc = tcase_create("client");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, call_skips_other_traffic);
	tcase_add_test(tc, ids_increase);
	tcase_add_test(tc, error_reply);
	tcase_add_test(tc, null_id_error_fails_the_call);
	tcase_add_test(tc, timeout);
	tcase_add_test(tc, daemon_hangs_up);
	tcase_add_test(tc, notification_callback_interrupts);
	tcase_add_test(tc, send_and_read);
	tcase_add_test(tc, send_raw_bytes);
	tcase_add_test(tc, big_reply);
	tcase_add_test(tc, socket_is_cloexec);
	tcase_add_test(tc, connect_nothing_there);
	tcase_add_test(tc, connect_stale_socket);
	tcase_add_test(tc, connect_path_too_long);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tt_run_suite(client_suite());
}
