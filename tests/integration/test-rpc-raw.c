/* Raw-socket tests of the daemon's JSON-RPC front door: every protocol
 * error gets its code, and the same connection keeps working after it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

static struct tt_daemon d;
static int fd = -1;

static void setup(void)
{
	/* debug.sleep holds workers busy in some tests here. */
	static const char *const env[] = {"TUSK_DEBUG_METHODS=1", NULL};
	fd = tt_daemon_open(&d, env);
}

static void teardown(void)
{
	tt_daemon_close(&d, fd);
}

/* Send one raw line; the reply must carry code (and id, when expect_id is
 * not NULL) and the connection must then answer a ping. */
static void expect_error(const char *line, size_t len, int code, const char *expect_id)
{
	tt_send(fd, line, len);
	json_t *reply = tt_read(fd, 10000);
	ck_assert_msg(reply, "no reply to a bad line");
	ck_assert_int_eq(tt_error_code(reply), code);
	ck_assert_str_eq(json_string_value(json_object_get(reply, "jsonrpc")), "2.0");
	json_t *id = json_object_get(reply, "id");
	ck_assert_ptr_nonnull(id);
	if (expect_id) {
		char *s = json_dumps(id, JSON_ENCODE_ANY);
		ck_assert_str_eq(s, expect_id);
		free(s);
	}
	/* Every error reply carries the seed's ErrorInfo in data. */
	json_t *data = json_object_get(json_object_get(reply, "error"), "data");
	ck_assert_ptr_nonnull(json_object_get(data, "error_type"));
	ck_assert_ptr_nonnull(json_object_get(data, "message"));
	json_decref(reply);
	ck_assert_msg(tt_ping(fd, 2000), "connection unusable after error %d", code);
}

#define EXPECT(line, code, id) expect_error(line, sizeof(line) - 1, code, id)

START_TEST(parse_errors)
{
	EXPECT("{not json\n", -32700, "null");
	EXPECT("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"daemon.ping\"} trailing\n", -32700,
	       "null");
	EXPECT("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"daemon.ping\",\"params\":{\"x\":"
	       "\"\xff\xfe\"}}\n",
	       -32700, "null");
	/* An overlong encoding of '/' is invalid UTF-8 too. */
	EXPECT("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"daemon.ping\",\"x\":\"\xc0\xaf\"}\n",
	       -32700, "null");
	EXPECT("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"daemon\0.ping\"}\n", -32700, "null");
}
END_TEST

START_TEST(deep_nesting)
{
	size_t depth = 10000;
	char *line = malloc(depth * 2 + 2);
	memset(line, '[', depth);
	memset(line + depth, ']', depth);
	line[2 * depth] = '\n';
	expect_error(line, 2 * depth + 1, -32700, "null");
	free(line);
}
END_TEST

START_TEST(oversized_line)
{
	size_t len = 20u * 1024 * 1024;
	char *line = malloc(len + 1);
	memset(line, 'a', len);
	line[len] = '\n';
	expect_error(line, len + 1, -32700, "null");
	free(line);
	/* A large line split across many writes, then a good request right
	 * behind it in the same write, is answered. */
	line = malloc(len + 64);
	memset(line, ' ', len);
	line[0] = '[';
	strcpy(line + len - 1, "\n{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"daemon.ping\"}\n");
	tt_send(fd, line, strlen(line));
	free(line);
	json_t *r1 = tt_read(fd, 10000);
	json_t *r2 = tt_read(fd, 10000);
	ck_assert_int_eq(tt_error_code(r1), -32700);
	ck_assert_int_eq(json_integer_value(json_object_get(r2, "id")), 7);
	json_decref(r1);
	json_decref(r2);
}
END_TEST

START_TEST(invalid_requests)
{
	EXPECT("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"daemon.ping\"}\n", -32600, "1");
	EXPECT("{\"id\":2,\"method\":\"daemon.ping\"}\n", -32600, "2");
	EXPECT("{\"jsonrpc\":\"2.0\",\"id\":3}\n", -32600, "3");
	EXPECT("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":42}\n", -32600, "4");
	EXPECT("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"daemon.ping\",\"params\":\"x\"}\n",
	       -32600, "5");
	EXPECT("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"daemon.ping\"}\n", -32600,
	       "null");
	EXPECT("\"just a string\"\n", -32600, "null");
	EXPECT("[]\n", -32600, "null");
}
END_TEST

START_TEST(method_not_found)
{
	EXPECT("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"no.such\"}\n", -32601, "\"abc\"");
}
END_TEST

START_TEST(invalid_params)
{
	EXPECT("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"settings.get\",\"params\":{\"key\":5}}"
	       "\n",
	       -32602, "1");
	EXPECT("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"daemon.hello\",\"params\":{\"client\":"
	       "\"t\"}}\n",
	       -32602, "2");
	EXPECT("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"daemon.hello\",\"params\":{\"client\":"
	       "\"t\",\"protocol_version\":999}}\n",
	       -32602, "3");
	EXPECT("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"events.subscribe\",\"params\":{"
	       "\"topics\":[\"nope\"]}}\n",
	       -32602, "4");
}
END_TEST

START_TEST(application_error)
{
	/* A valid request the daemon refuses: the setting's own error kind. */
	json_t *r = tt_call(fd, 1, "settings.set",
	                    json_pack("{s:s, s:i}", "key", "pool.max_size", "value", 0));
	ck_assert_int_eq(tt_error_code(r), -32051);
	json_t *data = json_object_get(json_object_get(r, "error"), "data");
	ck_assert_str_eq(json_string_value(json_object_get(data, "kind")), "invalid_input");
	ck_assert_ptr_nonnull(
	    strstr(json_string_value(json_object_get(data, "message")), "pool.max_size"));
	json_decref(r);
	ck_assert(tt_ping(fd, 2000));
}
END_TEST

START_TEST(batches)
{
	tt_send_str(fd, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"daemon.ping\"},"
	                "{\"jsonrpc\":\"2.0\",\"method\":\"daemon.ping\"},"
	                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"nope\"},"
	                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"debug.sleep\","
	                "\"params\":{\"ms\":50}},"
	                "42]\n");
	json_t *r = tt_read(fd, 10000);
	ck_assert(json_is_array(r));
	/* The notification gets nothing; everything else one reply each. */
	ck_assert_int_eq(json_array_size(r), 4);
	int seen = 0;
	size_t i;
	json_t *m;
	json_array_foreach(r, i, m)
	{
		json_t *id = json_object_get(m, "id");
		if (json_is_null(id)) {
			ck_assert_int_eq(tt_error_code(m), -32600);
			seen |= 1;
		} else if (json_integer_value(id) == 1) {
			ck_assert(
			    json_is_true(json_object_get(json_object_get(m, "result"), "pong")));
			seen |= 2;
		} else if (json_integer_value(id) == 3) {
			ck_assert_int_eq(tt_error_code(m), -32601);
			seen |= 4;
		} else if (json_integer_value(id) == 4) {
			ck_assert_int_eq(json_integer_value(json_object_get(
			                     json_object_get(m, "result"), "slept_ms")),
			                 50);
			seen |= 8;
		}
	}
	ck_assert_int_eq(seen, 15);
	json_decref(r);

	/* A batch of notifications only is answered with nothing at all. */
	tt_send_str(fd, "[{\"jsonrpc\":\"2.0\",\"method\":\"daemon.ping\"}]\n");
	ck_assert(tt_ping(fd, 2000));
}
END_TEST

START_TEST(notification_gets_no_reply)
{
	tt_send_str(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"daemon.ping\"}\n");
	tt_send_str(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"no.such\"}\n");
	ck_assert(tt_ping(fd, 2000));
}
END_TEST

START_TEST(loop_not_blocked_by_workers)
{
	/* Fill every worker thread with a 2 s job, then ping from this and
	 * from a second connection: the loop answers at once. */
	for (int i = 0; i < 6; i++) {
		char line[128];
		snprintf(line, sizeof(line),
		         "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"debug.sleep\","
		         "\"params\":{\"ms\":2000}}\n",
		         100 + i);
		tt_send_str(fd, line);
	}
	usleep(100000);
	int fd2 = tt_connect(d.socket);
	for (int i = 0; i < 5; i++) {
		double t0 = tt_now_ms();
		ck_assert(tt_ping(fd2, 2000));
		double ms = tt_now_ms() - t0;
		/* A loop that waited for a worker would answer after 2 s; the
		 * margin is for a busy 2-core machine's scheduling. */
		ck_assert_msg(ms < 500.0, "ping took %.1f ms while workers slept", ms);
	}
	json_t *st = tt_call(fd2, 1, "daemon.status", NULL);
	json_t *w = json_object_get(json_object_get(st, "result"), "workers");
	ck_assert_int_eq(json_integer_value(json_object_get(w, "busy")),
	                 json_integer_value(json_object_get(w, "threads")));
	json_decref(st);
	close(fd2);
	/* All six sleeps still complete. */
	int done = 0;
	for (int i = 0; i < 6; i++) {
		json_t *r = tt_read(fd, 10000);
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(json_object_get(r, "result"), "slept_ms")),
		    2000);
		done++;
		json_decref(r);
	}
	ck_assert_int_eq(done, 6);
}
END_TEST

START_TEST(pending_request_limit)
{
	json_t *r = tt_call(fd, 1, "settings.set",
	                    json_pack("{s:s, s:i}", "key", "rpc.max_pending_requests", "value", 2));
	ck_assert_int_eq(tt_error_code(r), 0);
	json_decref(r);
	for (int i = 0; i < 3; i++) {
		char line[128];
		snprintf(line, sizeof(line),
		         "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"debug.sleep\","
		         "\"params\":{\"ms\":300}}\n",
		         10 + i);
		tt_send_str(fd, line);
	}
	/* The third is refused at once; the first two finish. */
	json_t *first = tt_read(fd, 1000);
	ck_assert_int_eq(json_integer_value(json_object_get(first, "id")), 12);
	ck_assert_int_eq(tt_error_code(first), -32060);
	json_decref(first);
	for (int i = 0; i < 2; i++) {
		json_t *m = tt_read(fd, 5000);
		ck_assert_int_eq(tt_error_code(m), 0);
		json_decref(m);
	}
	/* The limit is per connection: another client is unaffected. */
	int fd2 = tt_connect(d.socket);
	ck_assert(tt_ping(fd2, 2000));
	close(fd2);
}
END_TEST

START_TEST(unread_output_is_bounded)
{
	/* A peer that writes requests and never reads: the daemon stops
	 * reading from it instead of queueing replies without bound, serves
	 * others meanwhile, and loses nothing when the peer reads again. */
	json_t *r = tt_call(fd, 1, "settings.set",
	                    json_pack("{s:s, s:i}", "key", "rpc.max_output_bytes", "value", 65536));
	ck_assert_int_eq(tt_error_code(r), 0);
	json_decref(r);

	const int n = 20000;
	pid_t writer = fork();
	if (writer == 0) {
		for (int i = 0; i < n; i++) {
			char line[96];
			snprintf(line, sizeof(line),
			         "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"daemon.ping\"}\n",
			         1000 + i);
			tt_send_str(fd, line);
		}
		_exit(0);
	}
	usleep(300000);
	int fd2 = tt_connect(d.socket);
	json_t *st = tt_call(fd2, 1, "daemon.status", NULL);
	long long rss =
	    json_integer_value(json_object_get(json_object_get(st, "result"), "rss_bytes"));
	json_decref(st);
	ck_assert(tt_ping(fd2, 2000));
	close(fd2);

	for (int i = 0; i < n; i++) {
		json_t *m = tt_read(fd, 10000);
		ck_assert_msg(m, "reply %d of %d missing", i, n);
		ck_assert_int_eq(json_integer_value(json_object_get(m, "id")), 1000 + i);
		json_decref(m);
	}
	int status;
	waitpid(writer, &status, 0);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_msg(rss < 200ll * 1024 * 1024, "daemon RSS %lld while a peer did not read", rss);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rpc-raw");
	TCase *tc = tcase_create("front door");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, parse_errors);
	tcase_add_test(tc, deep_nesting);
	tcase_add_test(tc, oversized_line);
	tcase_add_test(tc, invalid_requests);
	tcase_add_test(tc, method_not_found);
	tcase_add_test(tc, invalid_params);
	tcase_add_test(tc, application_error);
	tcase_add_test(tc, batches);
	tcase_add_test(tc, notification_gets_no_reply);
	tcase_add_test(tc, loop_not_blocked_by_workers);
	tcase_add_test(tc, pending_request_limit);
	tcase_add_test(tc, unread_output_is_bounded);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
