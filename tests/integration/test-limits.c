/* The limits of PROTOCOL.md through raw socket bytes: no message from the
 * daemon is longer than the protocol's message limit (large answers come
 * in pages, a reply that cannot fit becomes limit_exceeded), and every
 * limit a peer can hit gives its documented error while other clients
 * keep being served. */
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "protocol/jsonrpc.h"
#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

static struct tt_daemon d;
static struct tt_pg pg;
static int fd = -1;
static char conninfo[256];

static void setup(void)
{
	tt_pg_shared(&pg);
	snprintf(conninfo, sizeof(conninfo), "host=%s port=%d user=postgres dbname=postgres",
	         pg.host, pg.port);
	fd = tt_daemon_open(&d, NULL);
}

static void teardown(void)
{
	tt_daemon_close(&d, fd);
}

/* One raw line (without its newline) and its length; NULL on timeout. */
static char *read_line(int sock, size_t *ret_len, int timeout_ms)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	double deadline = tt_now_ms() + timeout_ms;
	for (;;) {
		int left = (int)(deadline - tt_now_ms());
		struct pollfd p = {.fd = sock, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		char chunk[65536];
		ssize_t n = recv(sock, chunk, sizeof(chunk), MSG_PEEK);
		if (n <= 0)
			break;
		char *nl = memchr(chunk, '\n', (size_t)n);
		size_t take = nl ? (size_t)(nl - chunk) + 1 : (size_t)n;
		ck_assert_int_eq(read(sock, chunk, take), (ssize_t)take);
		while (len + take + 1 > cap)
			buf = realloc(buf, cap *= 2);
		memcpy(buf + len, chunk, take);
		len += take;
		if (nl) {
			buf[--len] = '\0';
			*ret_len = len;
			return buf;
		}
	}
	free(buf);
	return NULL;
}

/* Send line and read messages until one has an id (or is an array):
 * returns it, checking every line's length against the limit. */
static json_t *exchange(int sock, const char *line)
{
	tt_send_str(sock, line);
	tt_send_str(sock, "\n");
	for (;;) {
		size_t len;
		char *text = read_line(sock, &len, 60000);
		ck_assert_msg(text, "no reply to %.100s", line);
		ck_assert_msg(len <= TUSK_RPC_MAX_MESSAGE, "a %zu-byte message", len);
		json_error_t jerr;
		json_t *msg = json_loadb(text, len, 0, &jerr);
		ck_assert_msg(msg, "not JSON: %s", jerr.text);
		free(text);
		if (json_is_array(msg) || json_object_get(msg, "id"))
			return msg;
		json_decref(msg);
	}
}

static json_t *call(int sock, int id, const char *method, json_t *params)
{
	json_t *req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", id, "method",
	                        method, "params", params);
	char *line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	json_t *r = exchange(sock, line);
	free(line);
	return r;
}

/* Scripts of about 1 MiB each in history: history.list pages stop far
 * below the message limit, and a batch whose replies would not fit gets
 * limit_exceeded for the members past it, in one message under the limit. */
START_TEST(large_answers_in_pieces)
{
	enum { N = 24, SQL_BYTES = 1 << 20 };
	char *sql = malloc(SQL_BYTES + 64);
	for (int q = 0; q < N; q++) {
		int n = sprintf(sql, "select length('%d", q);
		memset(sql + n, 'x', SQL_BYTES);
		strcpy(sql + n + SQL_BYTES, "')");
		json_t *r = call(fd, q + 1, "query.execute",
		                 json_pack("{s:s, s:s}", "conninfo", conninfo, "sql", sql));
		ck_assert_msg(json_object_get(r, "result"), "query %d failed", q);
		json_decref(r);
	}
	free(sql);

	int seen = 0, pages = 0;
	for (;;) {
		json_t *r = call(fd, 100 + pages, "history.list",
		                 json_pack("{s:i, s:i}", "limit", 1000, "offset", seen));
		json_t *res = json_object_get(r, "result");
		ck_assert_ptr_nonnull(res);
		size_t n = json_array_size(json_object_get(res, "entries"));
		ck_assert_int_eq(json_integer_value(json_object_get(res, "total")), N);
		json_decref(r);
		pages++;
		seen += (int)n;
		if (n == 0 || seen >= N)
			break;
		ck_assert_int_lt(n, N); /* pieces, not everything at once */
	}
	ck_assert_int_eq(seen, N);
	ck_assert_int_ge(pages, 5);

	/* Eight pages of about 4 MiB in one batch: 32 MiB will not fit. */
	json_t *batch = json_array();
	for (int i = 0; i < 8; i++)
		json_array_append_new(batch, json_pack("{s:s, s:i, s:s, s:{s:i}}", "jsonrpc", "2.0",
		                                       "id", 200 + i, "method", "history.list",
		                                       "params", "limit", 1000));
	char *line = json_dumps(batch, JSON_COMPACT);
	json_decref(batch);
	json_t *replies = exchange(fd, line);
	free(line);
	ck_assert(json_is_array(replies));
	ck_assert_int_eq(json_array_size(replies), 8);
	int ok = 0, limited = 0;
	size_t i;
	json_t *r;
	json_array_foreach(replies, i, r)
	{
		if (json_object_get(r, "result"))
			ok++;
		else if (tt_error_code(r) == -32060)
			limited++;
	}
	json_decref(replies);
	ck_assert_int_ge(ok, 1);
	ck_assert_int_ge(limited, 1);
	ck_assert_int_eq(ok + limited, 8);
	ck_assert(tt_ping(fd, 2000));
}
END_TEST

/* An id over 64 KiB and a batch over 1,000 members: limit_exceeded with
 * id null, nothing run; the connection and a second client go on. */
START_TEST(id_length_and_batch_members)
{
	int other = tt_connect(d.socket);
	size_t n = TUSK_RPC_MAX_ID_BYTES + 1;
	char *id = malloc(n + 1);
	memset(id, 'i', n);
	id[n] = '\0';
	json_t *req =
	    json_pack("{s:s, s:s, s:s}", "jsonrpc", "2.0", "id", id, "method", "daemon.ping");
	char *line = json_dumps(req, JSON_COMPACT);
	json_t *r = exchange(fd, line);
	ck_assert_int_eq(tt_error_code(r), -32060);
	ck_assert(json_is_null(json_object_get(r, "id")));
	json_decref(r);
	free(line);
	json_decref(req);
	/* One byte less is fine and echoed. */
	id[n - 1] = '\0';
	req = json_pack("{s:s, s:s, s:s}", "jsonrpc", "2.0", "id", id, "method", "daemon.ping");
	line = json_dumps(req, JSON_COMPACT);
	r = exchange(fd, line);
	ck_assert_ptr_nonnull(json_object_get(r, "result"));
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), id);
	json_decref(r);
	free(line);
	json_decref(req);
	free(id);

	for (unsigned members = TUSK_RPC_MAX_BATCH; members <= TUSK_RPC_MAX_BATCH + 1; members++) {
		json_t *batch = json_array();
		for (unsigned i = 0; i < members; i++)
			json_array_append_new(batch,
			                      json_pack("{s:s, s:i, s:s}", "jsonrpc", "2.0", "id",
			                                (int)i, "method", "daemon.ping"));
		line = json_dumps(batch, JSON_COMPACT);
		json_decref(batch);
		r = exchange(fd, line);
		free(line);
		if (members == TUSK_RPC_MAX_BATCH) {
			ck_assert(json_is_array(r));
			ck_assert_int_eq(json_array_size(r), members);
		} else {
			ck_assert(json_is_object(r));
			ck_assert_int_eq(tt_error_code(r), -32060);
			ck_assert(json_is_null(json_object_get(r, "id")));
		}
		json_decref(r);
	}
	ck_assert(tt_ping(fd, 2000));
	ck_assert(tt_ping(other, 2000));
	close(other);
}
END_TEST

/* debug.* exists only with the test switch. */
START_TEST(debug_methods_need_the_switch)
{
	json_t *r = call(fd, 1, "debug.sleep", json_pack("{s:i}", "ms", 1));
	ck_assert_int_eq(tt_error_code(r), -32601);
	json_decref(r);
	static const char *const env[] = {"TUSK_DEBUG_METHODS=1", NULL};
	struct tt_daemon dbg;
	int fd2 = tt_daemon_open(&dbg, env);
	r = call(fd2, 2, "debug.sleep", json_pack("{s:i}", "ms", 1));
	ck_assert_msg(json_object_get(r, "result"), "debug.sleep with the switch failed");
	json_decref(r);
	tt_daemon_close(&dbg, fd2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("limits");
	TCase *tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, large_answers_in_pieces);
	tcase_add_test(tc, debug_methods_need_the_switch);
	tcase_add_test(tc, id_length_and_batch_members);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
