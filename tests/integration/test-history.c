/* Query history through a real tuskd: history.list / delete / clear on
 * entries queued with debug.history_add (the same queue and writer real
 * executions use), nothing lost on a clean stop, the loop answering while
 * 50,000 entries are written, and `tuskctl history` output and exit codes
 * (also on a real pseudo-terminal, for truncation to its width). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "tests/lib/tt-grep.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

static struct tt_daemon d;
static int fd = -1;
static int next_id = 1;

static const char *const debug_env[] = {"TUSK_DEBUG_METHODS=1", NULL}; /* debug.history_add */

static void setup(void)
{
	fd = tt_daemon_open(&d, debug_env);
}

static void teardown(void)
{
	if (fd >= 0)
		close(fd);
	fd = -1;
	ck_assert_int_eq(tt_daemon_stop(&d), 0);
}

/* The result of a call that must succeed (borrowed from *reply). */
static json_t *ok(json_t *reply, const char *what)
{
	json_t *err = json_object_get(reply, "error");
	ck_assert_msg(!err, "%s failed: %s", what,
	              json_string_value(json_object_get(err, "message")));
	json_t *r = json_object_get(reply, "result");
	ck_assert_ptr_nonnull(r);
	return r;
}

static json_t *call(const char *method, json_t *params)
{
	return tt_call(fd, next_id++, method, params);
}

static char *add(json_t *params)
{
	_cleanup_json_ json_t *reply = call("debug.history_add", params);
	json_t *r = ok(reply, "debug.history_add");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "dropped")), 0);
	return strdup(json_string_value(json_object_get(r, "id")));
}

static long long total(json_t *params)
{
	_cleanup_json_ json_t *reply = call("history.list", params);
	return json_integer_value(json_object_get(ok(reply, "history.list"), "total"));
}

START_TEST(test_list_search_delete_clear)
{
	free(add(json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s}", "sql",
	                   "SELECT * FROM pg_stat_activity", "status", "ok", "connection_id", "c1",
	                   "database", "db1", "rows", 5, "duration_ms", 12, "query_type", "select",
	                   "executed_at", "2024-01-01T00:00:01Z")));
	free(add(json_pack("{s:s, s:s, s:s, s:s, s:s}", "sql", "UPDATE accounts SET x = 1",
	                   "status", "error", "connection_id", "c1", "error", "boom", "executed_at",
	                   "2024-01-01T00:00:02Z")));
	_cleanup_free_ char *third = add(json_pack(
	    "{s:s, s:s, s:s, s:s}", "sql", "DELETE FROM t WHERE (a AND b)", "status", "cancelled",
	    "connection_id", "c2", "executed_at", "2024-01-01T01:00:03+01:00"));

	/* Listed at once: the list waits for the writer, not for its timer. */
	_cleanup_json_ json_t *reply = call("history.list", NULL);
	json_t *r = ok(reply, "history.list");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 3);
	json_t *entries = json_object_get(r, "entries");
	json_t *newest = json_array_get(entries, 0), *oldest = json_array_get(entries, 2);
	ck_assert_str_eq(json_string_value(json_object_get(newest, "id")), third);
	ck_assert_str_eq(json_string_value(json_object_get(newest, "executed_at")),
	                 "2024-01-01T00:00:03.000000Z");
	ck_assert_str_eq(json_string_value(json_object_get(newest, "status")), "cancelled");
	ck_assert(json_is_null(json_object_get(newest, "rows")));
	ck_assert(json_is_null(json_object_get(newest, "database")));
	ck_assert_str_eq(json_string_value(json_object_get(oldest, "sql")),
	                 "SELECT * FROM pg_stat_activity");
	ck_assert_int_eq(json_integer_value(json_object_get(oldest, "rows")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(oldest, "duration_ms")), 12);
	ck_assert_str_eq(json_string_value(json_object_get(oldest, "database")), "db1");
	ck_assert_str_eq(json_string_value(json_object_get(oldest, "query_type")), "select");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(entries, 1), "error")),
	                 "boom");

	ck_assert_int_eq(total(json_pack("{s:s}", "search", "pg_stat")), 1);
	ck_assert_int_eq(total(json_pack("{s:s}", "search", "\"AND\" ( NOT *")), 0);
	ck_assert_int_eq(total(json_pack("{s:s}", "search", "AND (")), 1);
	ck_assert_int_eq(total(json_pack("{s:s}", "status", "error")), 1);
	ck_assert_int_eq(total(json_pack("{s:s}", "connection_id", "c1")), 2);
	ck_assert_int_eq(
	    total(json_pack("{s:s, s:s}", "connection_id", "c1", "search", "accounts")), 1);
	_cleanup_json_ json_t *page =
	    call("history.list", json_pack("{s:i, s:i}", "limit", 1, "offset", 1));
	r = ok(page, "history.list");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 3);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "entries")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_array_get(json_object_get(r, "entries"), 0), "sql")),
	                 "UPDATE accounts SET x = 1");

	_cleanup_json_ json_t *bad1 = call("history.list", json_pack("{s:i}", "limit", 0));
	ck_assert_int_eq(tt_error_code(bad1), -32602);
	_cleanup_json_ json_t *bad2 = call("history.list", json_pack("{s:s}", "status", "maybe"));
	ck_assert_int_eq(tt_error_code(bad2), -32602);

	_cleanup_json_ json_t *del = call("history.delete", json_pack("{s:s}", "id", third));
	ck_assert(json_is_true(json_object_get(ok(del, "history.delete"), "deleted")));
	_cleanup_json_ json_t *again = call("history.delete", json_pack("{s:s}", "id", third));
	ck_assert_int_eq(tt_error_code(again), -32051);
	_cleanup_json_ json_t *junk = call("history.delete", json_pack("{s:s}", "id", "junk"));
	ck_assert_int_eq(tt_error_code(junk), -32051);
	ck_assert_int_eq(total(NULL), 2);

	_cleanup_json_ json_t *c1 =
	    call("history.clear", json_pack("{s:s}", "connection_id", "c2"));
	ck_assert_int_eq(json_integer_value(json_object_get(ok(c1, "history.clear"), "deleted")),
	                 0);
	_cleanup_json_ json_t *c2 = call("history.clear", NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(ok(c2, "history.clear"), "deleted")),
	                 2);
	ck_assert_int_eq(total(NULL), 0);
}
END_TEST

/* Whoever queues an entry, a statement that sets a password is kept only
 * redacted: not in history.list, not in any file of the daemon's dirs. */
START_TEST(test_password_redacted_for_every_caller)
{
	const char *secret = "Hx7-queued-secret-9q";
	char sql[200];
	snprintf(sql, sizeof(sql), "ALTER ROLE bob PASSWORD '%s'", secret);
	free(add(json_pack("{s:s, s:s}", "sql", sql, "status", "ok")));
	_cleanup_json_ json_t *reply = call("history.list", NULL);
	json_t *entries = json_object_get(ok(reply, "history.list"), "entries");
	ck_assert_uint_eq(json_array_size(entries), 1);
	const char *kept = json_string_value(json_object_get(json_array_get(entries, 0), "sql"));
	ck_assert_msg(strstr(kept, "PASSWORD $1") && !strstr(kept, secret), "history keeps: %s",
	              kept);
	/* Written: history.list waited for the writer. Its WAL and logs count. */
	char where[1024];
	ck_assert_msg(!tt_tree_contains(d.dir, secret, NULL, where, sizeof(where)),
	              "the password is in %s", where);
	ck_assert_msg(tt_tree_contains(d.dir, "PASSWORD $1", NULL, NULL, 0),
	              "the redacted statement is in no file: the search finds nothing");
}
END_TEST

START_TEST(test_clean_stop_keeps_everything)
{
	/* Several batches: some written, one running, most still queued,
	 * the last few waiting for the timer. */
	_cleanup_json_ json_t *r =
	    call("debug.history_add", json_pack("{s:s, s:s, s:i}", "sql", "SELECT 'bulk'", "status",
	                                        "ok", "count", 20000));
	ck_assert_int_eq(json_integer_value(json_object_get(ok(r, "debug.history_add"), "queued")),
	                 20000);
	free(add(json_pack("{s:s, s:s}", "sql", "SELECT 'last one'", "status", "ok")));
	/* At once: SIGTERM while the writer is busy. */
	tt_daemon_restart(&d, debug_env);
	close(fd);
	fd = tt_connect(d.socket);
	ck_assert_int_eq(total(NULL), 20001);
	ck_assert_int_eq(total(json_pack("{s:s}", "search", "last")), 1);
}
END_TEST

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

START_TEST(test_loop_answers_while_writing)
{
	int fd2 = tt_connect(d.socket);
	size_t pings = 0, cap = 4096;
	double *took = malloc(cap * sizeof(*took));
	ck_assert_ptr_nonnull(took);
	for (int i = 0; i < 10; i++) {
		_cleanup_json_ json_t *r =
		    call("debug.history_add",
		         json_pack("{s:s, s:s, s:s, s:i}", "sql",
		                   "SELECT a, b, c FROM some_table WHERE id = 42", "status", "ok",
		                   "connection_id", "c", "count", 5000));
		ok(r, "debug.history_add");
		double t = tt_now_ms();
		ck_assert(tt_ping(fd, 1000));
		took[pings++] = tt_now_ms() - t;
	}
	/* The list answers once all 50,000 are written; ping until then. */
	tt_send_str(fd2, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"history.list\","
	                 "\"params\":{\"limit\":1}}\n");
	json_t *listed = NULL;
	double start = tt_now_ms();
	while (!listed) {
		struct pollfd p = {.fd = fd2, .events = POLLIN};
		if (poll(&p, 1, 0) > 0) {
			listed = tt_read(fd2, 5000);
			break;
		}
		ck_assert_msg(tt_now_ms() - start < 60000, "the history list never came");
		double t = tt_now_ms();
		ck_assert_msg(tt_ping(fd, 1000), "no pong");
		if (pings == cap) {
			cap *= 2;
			took = realloc(took, cap * sizeof(*took));
			ck_assert_ptr_nonnull(took);
		}
		took[pings++] = tt_now_ms() - t;
		usleep(2000);
	}
	double writing = tt_now_ms() - start;
	qsort(took, pings, sizeof(*took), by_value);
	double median = took[pings / 2], worst = took[pings - 1];
	fprintf(stderr,
	        "50,000 history entries written in %.0f ms after queueing; %zu pings, "
	        "median %.2f ms, slowest %.2f ms\n",
	        writing, pings, median, worst);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_object_get(listed, "result"), "total")), 50000);
	/* Writing 50,000 entries takes seconds. Were it done on the loop in
	 * one go, a ping would wait about as long as the whole write; in
	 * batches, most pings would wait for one. A busy 2-core machine delays
	 * a ping now and then, never most of them. */
	ck_assert_int_gt(pings, 10);
	ck_assert_msg(median < 50, "half the pings took %.1f ms or more while history was written",
	              median);
	ck_assert_msg(worst < 1000 && (worst < 250 || worst < writing / 2),
	              "a ping took %.1f ms while history was written (in %.0f ms)", worst, writing);
	free(took);
	json_decref(listed);
	close(fd2);
}
END_TEST

/* ---- tuskctl -------------------------------------------------------------- */

struct run {
	int status; /* exit code, or 128 + signal */
	char *out, *err;
};

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static char *slurp(int f)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (len + 1024 > cap)
			buf = realloc(buf, cap *= 2);
		ssize_t n = read(f, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

/* tuskctl --no-autostart -S SOCKET args… (NULL-terminated). */
static struct run ctl(const char *first, ...)
{
	const char *argv[32] = {"tuskctl", "--no-autostart", "-S", d.socket};
	int argc = 4;
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	int out[2], err[2];
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(err, O_CLOEXEC), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(getenv("TUSKCTL"), (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	struct run r = {0};
	r.out = slurp(out[0]); /* small outputs: stderr fits its pipe meanwhile */
	r.err = slurp(err[0]);
	close(out[0]);
	close(err[0]);
	int status;
	waitpid(pid, &status, 0);
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return r;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static const char long_sql[] =
    "SELECT customer_id, order_id, product_name, quantity, unit_price, discount, tax, "
    "shipping_address, billing_address, created_at, updated_at FROM orders JOIN customers "
    "USING (customer_id) WHERE created_at > now() - interval '30 days' ORDER BY created_at";

#define CONN_UUID "6f1d2c3b-4a59-4e7d-8c1b-0a9e8d7c6b5a"

static void add_cli_entries(void)
{
	free(add(json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "sql",
	                   "SELECT 1;\nSELECT 'second line'", "status", "ok", "connection_id",
	                   CONN_UUID, "database", "shop", "rows", 1, "duration_ms", 1500)));
	free(
	    add(json_pack("{s:s, s:s, s:s}", "sql", long_sql, "status", "ok", "database", "shop")));
	free(add(json_pack("{s:s, s:s, s:s, s:s}", "sql", "SELECT * FROM pg_stat_activity",
	                   "status", "error", "error", "permission denied", "connection_id",
	                   "11111111-2222-4333-8444-555555555555")));
}

START_TEST(test_tuskctl_history)
{
	add_cli_entries();
	struct run r = ctl("history", NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_int_eq(count_lines(r.out), 4); /* header + 3 */
	ck_assert(strncmp(r.out, "TIME", 4) == 0);
	ck_assert_ptr_nonnull(strstr(r.out, "SQL\n"));
	/* First line only; not a terminal, so never cut. */
	ck_assert_ptr_nonnull(strstr(r.out, "SELECT 1;\n"));
	ck_assert_ptr_null(strstr(r.out, "second line"));
	ck_assert_ptr_nonnull(strstr(r.out, long_sql));
	ck_assert_ptr_nonnull(strstr(r.out, "1.50 s"));
	ck_assert_ptr_nonnull(strstr(r.out, "6f1d2c3b/shop")); /* unsaved: short id */
	ck_assert_ptr_nonnull(strstr(r.out, "  ok  "));
	ck_assert_ptr_nonnull(strstr(r.out, "  error  "));
	run_free(&r);

	r = ctl("history", "--search", "pg_stat", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(count_lines(r.out), 2);
	ck_assert_ptr_nonnull(strstr(r.out, "pg_stat_activity"));
	ck_assert_ptr_nonnull(strstr(r.out, "error"));
	run_free(&r);

	r = ctl("history", "-d", CONN_UUID, NULL);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_int_eq(count_lines(r.out), 2);
	run_free(&r);

	r = ctl("history", "list", "--status", "error", "--json", NULL);
	ck_assert_int_eq(r.status, 0);
	_cleanup_json_ json_t *j = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 1);
	run_free(&r);

	r = ctl("history", "--limit", "1", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(count_lines(r.out), 2);
	ck_assert_ptr_nonnull(strstr(r.err, "of 3"));
	run_free(&r);

	/* Usage errors: 2. */
	static const char *const usage[][4] = {
	    {"history", "--status", "bogus", NULL}, {"history", "--limit", "0", NULL},
	    {"history", "rm", NULL, NULL},          {"history", "clear", NULL, NULL},
	    {"history", "frobnicate", NULL, NULL},  {"history", "--yes", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(usage) / sizeof(*usage); i++) {
		r = ctl(usage[i][0], usage[i][1], usage[i][2], usage[i][3]);
		ck_assert_msg(r.status == 2, "%s %s: exit %d", usage[i][1], usage[i][2] ?: "",
		              r.status);
		run_free(&r);
	}

	/* Daemon errors: 1. */
	r = ctl("history", "rm", "00000000-0000-4000-8000-000000000000", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "no history entry"));
	run_free(&r);
	r = ctl("history", "-d", "no such connection", NULL);
	ck_assert_int_eq(r.status, 1);
	run_free(&r);

	_cleanup_json_ json_t *l = call("history.list", json_pack("{s:s}", "search", "pg_stat"));
	const char *id = json_string_value(
	    json_object_get(json_array_get(json_object_get(ok(l, "list"), "entries"), 0), "id"));
	r = ctl("history", "rm", id, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "Deleted history entry"));
	run_free(&r);

	r = ctl("history", "clear", "-d", CONN_UUID, "--yes", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "Deleted 1 history entry.\n");
	run_free(&r);
	r = ctl("history", "clear", "--yes", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "Deleted 1 history entry.\n");
	run_free(&r);
	r = ctl("history", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "");
	ck_assert_ptr_nonnull(strstr(r.err, "No history entries"));
	run_free(&r);

	/* Unreachable: 3. */
	const char *argv[] = {
	    "tuskctl", "--no-autostart", "-S", "/nonexistent/tuskd.sock", "history", NULL};
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execv(getenv("TUSKCTL"), (char *const *)argv);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	ck_assert_int_eq(WEXITSTATUS(status), 3);
}
END_TEST

/* Columns a line of UTF-8 takes (ASCII and "…" here). */
static int columns(const char *s, size_t n)
{
	int w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

START_TEST(test_tuskctl_history_on_a_terminal)
{
	add_cli_entries();
	int master;
	struct winsize ws = {.ws_row = 24, .ws_col = 120};
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("LC_ALL", "C.UTF-8", 1);
		execl(getenv("TUSKCTL"), "tuskctl", "--no-autostart", "-S", d.socket, "history",
		      (char *)NULL);
		_exit(127);
	}
	char *out = slurp(master); /* EIO at the child's exit ends it */
	int status;
	waitpid(pid, &status, 0);
	close(master);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	int lines = 0, cut = 0;
	for (char *p = out; *p;) {
		size_t n = strcspn(p, "\r\n");
		if (n > 0) {
			lines++;
			ck_assert_msg(columns(p, n) <= 120, "line wider than the terminal: %.*s",
			              (int)n, p);
			if (n >= 3 && memcmp(p + n - 3, "\u2026", 3) == 0)
				cut++;
		}
		p += n;
		p += strspn(p, "\r\n");
	}
	ck_assert_int_eq(lines, 4);
	ck_assert_int_eq(cut, 2); /* the long line, and the one with a second line */
	ck_assert_ptr_nonnull(strstr(out, "SELECT * FROM pg_stat_activity\r\n"));
	free(out);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("history");
	TCase *tc = tcase_create("history");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_list_search_delete_clear);
	tcase_add_test(tc, test_password_redacted_for_every_caller);
	tcase_add_test(tc, test_clean_stop_keeps_everything);
	tcase_add_test(tc, test_loop_answers_while_writing);
	tcase_add_test(tc, test_tuskctl_history);
	tcase_add_test(tc, test_tuskctl_history_on_a_terminal);
	suite_add_tcase(su, tc);
	return tt_run_suite(su);
}
