/* A client that stops reading a 5M-row stream: the daemon stops reading
 * from PostgreSQL instead of buffering, its memory stays flat, and when the
 * client reads again every row arrives, in order. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/lib/tt-check.h"
#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"

#define ROWS 5000000

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kib = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/* Lines from a socket, read in large chunks. */
struct reader {
	int fd;
	char *buf;
	size_t len, cap;
};

static char *next_line(struct reader *r, size_t *len)
{
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		if (nl) {
			*len = (size_t)(nl - r->buf);
			return r->buf;
		}
		if (r->len == r->cap)
			r->buf = realloc(r->buf, r->cap *= 2);
		ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n <= 0)
			return NULL;
		r->len += (size_t)n;
	}
}

static void consume(struct reader *r, size_t len)
{
	memmove(r->buf, r->buf + len + 1, r->len - len - 1);
	r->len -= len + 1;
}

START_TEST(slow_reader_keeps_memory_flat)
{
	struct tt_pg pg;
	struct tt_daemon d;
	tt_pg_shared(&pg);
	/* Under ASan, freed memory sits in a quarantine (256 MiB by default)
	 * and would count as growth: keep it small for this measurement. */
	static const char *const env[] = {
	    "ASAN_OPTIONS=quarantine_size_mb=8:detect_leaks=1:abort_on_error=0", NULL};
	tt_daemon_start(&d, env); /* harmless without ASan */
	int fd = tt_connect(d.socket);
	char line[512];
	snprintf(line, sizeof(line),
	         "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"query.execute\",\"params\":{"
	         "\"sql\":\"select g from generate_series(1,%d) g\",\"conninfo\":\"host=%s "
	         "port=%d user=postgres dbname=postgres\"}}\n",
	         ROWS, pg.host, pg.port);
	long before = rss_kib(d.pid);
	tt_send_str(fd, line);

	/* Not reading: the stream must stall, not pile up. How soon the
	 * daemon's unsent output reaches its high-water mark depends on the
	 * machine (ASan on a busy box is slow), so wait for the pause, at most
	 * a minute, and watch the memory meanwhile and for a while after. */
	int fd2 = tt_connect(d.socket);
	long peak = 0;
	json_t *st = NULL, *q = NULL;
	int calm = 0;
	for (int i = 0; i < 600 && calm < 20; i++) {
		usleep(100000);
		long now = rss_kib(d.pid);
		if (now > peak)
			peak = now;
		json_decref(st);
		st = tt_call(fd2, 2 + i, "query.list", NULL);
		q = json_array_get(json_object_get(json_object_get(st, "result"), "queries"), 0);
		if (json_is_true(json_object_get(q, "paused")))
			calm++;
	}
	ck_assert_msg(json_is_true(json_object_get(q, "paused")),
	              "the query was never paused while its client did not read");
	ck_assert_msg(peak - before < 48 * 1024,
	              "daemon grew from %ld to %ld KiB while its client did not read", before,
	              peak);
	ck_assert_int_lt(json_integer_value(json_object_get(q, "rows")), ROWS);
	json_decref(st);
	close(fd2);

	struct reader r = {.fd = fd, .cap = 1 << 20};
	r.buf = malloc(r.cap);
	long expect = 1;
	json_t *reply = NULL;
	size_t len;
	char *l;
	while (!reply && (l = next_line(&r, &len))) {
		json_error_t jerr;
		json_t *m = json_loadb(l, len, 0, &jerr);
		ck_assert_ptr_nonnull(m);
		consume(&r, len);
		const char *method = json_string_value(json_object_get(m, "method"));
		if (method && strcmp(method, "query.rows") == 0) {
			size_t i;
			json_t *row;
			json_array_foreach(json_object_get(json_object_get(m, "params"), "rows"), i,
			                   row)
			{
				ck_assert_int_eq(atol(json_string_value(json_array_get(row, 0))),
				                 expect);
				expect++;
			}
		} else if (json_object_get(m, "id")) {
			reply = json_incref(m);
		}
		json_decref(m);
	}
	ck_assert_ptr_nonnull(reply);
	ck_assert_int_eq(expect - 1, ROWS);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_object_get(reply, "result"), "rows")), ROWS);
	json_decref(reply);
	free(r.buf);
	long after = rss_kib(d.pid);
	ck_assert_msg(after - before < 48 * 1024, "daemon kept %ld KiB after the stream",
	              after - before);
	close(fd);
	ck_assert_int_eq(tt_daemon_stop(&d), 0);
}
END_TEST

/* Waits until `want` queries are paused (at most 30 s); how many are. */
static int paused_queries(int fd, int want)
{
	static int id = 100;
	int paused = 0;
	for (int i = 0; i < 600 && paused < want; i++) {
		usleep(50000);
		json_t *st = tt_call(fd, id++, "query.list", NULL), *q;
		size_t j;
		paused = 0;
		json_array_foreach(json_object_get(json_object_get(st, "result"), "queries"), j, q)
		    paused += json_is_true(json_object_get(q, "paused"));
		if (paused < want && i == 599) {
			char *dump = json_dumps(st, 0);
			fprintf(stderr, "still %d paused: %s\n", paused, dump);
			free(dump);
		}
		json_decref(st);
	}
	return paused;
}

/* Queries paused behind a full client socket whose rest is already here:
 * when the client reads, each resumes and ends on the spot (its exec is
 * freed while the daemon walks the client's queries). A 5 MB row leaves
 * the client 5 MB behind and its query paused before its end; a streamed
 * SELECT and a COPY TO STDOUT started then pause at once with their few
 * rows waiting. Reading everything must give every reply, and the daemon
 * must live on (under ASan this read freed memory: 1 run in 4 of
 * shell-copy). */
START_TEST(queries_ending_as_their_client_drains)
{
	struct tt_pg pg;
	struct tt_daemon d;
	tt_pg_shared(&pg);
	tt_daemon_start(&d, NULL);
	int fd = tt_connect(d.socket), fd2 = tt_connect(d.socket);
	char conninfo[256], line[1024];
	snprintf(conninfo, sizeof(conninfo), "host=%s port=%d user=postgres dbname=postgres",
	         pg.host, pg.port);
	snprintf(line, sizeof(line),
	         "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"query.execute\",\"params\":{"
	         "\"sql\":\"select repeat('x', 5000000)\",\"conninfo\":\"%s\"}}\n",
	         conninfo);
	tt_send_str(fd, line);
	/* The filler's row is out, unread; its end waits behind it. */
	ck_assert_int_eq(paused_queries(fd2, 1), 1);
	static const char *const sql[] = {
	    "select g from generate_series(1, 1000) g",
	    "copy (select g from generate_series(1, 1000) g) to stdout",
	    "select g from generate_series(1, 2000) g",
	};
	for (int k = 0; k < 3; k++) {
		snprintf(line, sizeof(line),
		         "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"query.execute\",\"params\":{"
		         "\"sql\":\"%s\",\"conninfo\":\"%s\",\"context\":\"c%d\"}}\n",
		         2 + k, sql[k], conninfo, k); /* one running query per context */
		tt_send_str(fd, line);
	}
	/* All four wait, paused, with their ends in their backends' sockets. */
	ck_assert_int_eq(paused_queries(fd2, 4), 4);

	struct reader r = {.fd = fd, .cap = 8 << 20};
	r.buf = malloc(r.cap);
	long rows[5] = {0};
	int replies = 0;
	size_t len;
	char *l;
	while (replies < 4 && (l = next_line(&r, &len))) {
		json_error_t jerr;
		json_t *m = json_loadb(l, len, 0, &jerr);
		ck_assert_ptr_nonnull(m);
		consume(&r, len);
		json_t *id = json_object_get(m, "id");
		if (json_is_integer(id)) {
			json_int_t n = json_integer_value(id);
			ck_assert_msg(json_object_get(m, "result"), "query %d failed: %s", (int)n,
			              json_dumps(m, 0));
			ck_assert_int_ge(n, 1);
			ck_assert_int_le(n, 4);
			json_t *res = json_object_get(m, "result");
			rows[n] = (long)json_integer_value(json_object_get(res, "rows"));
			if (n == 3) /* COPY data are no rows: the tag counts them */
				ck_assert_str_eq(
				    json_string_value(json_object_get(
				        json_array_get(json_object_get(res, "results"), 0),
				        "command_tag")),
				    "COPY 1000");
			replies++;
		}
		json_decref(m);
	}
	free(r.buf);
	ck_assert_int_eq(replies, 4);
	ck_assert_int_eq(rows[1], 1);
	ck_assert_int_eq(rows[2], 1000);
	ck_assert_int_eq(rows[4], 2000);
	ck_assert(tt_ping(fd2, 5000));
	close(fd);
	close(fd2);
	ck_assert_int_eq(tt_daemon_stop(&d), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("backpressure");
	TCase *tc = tcase_create("backpressure");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, slow_reader_keeps_memory_flat);
	suite_add_tcase(s, tc);
	TCase *drain = tcase_create("drain");
	tcase_set_timeout(drain, 120);
	tcase_add_test(drain, queries_ending_as_their_client_drains);
	suite_add_tcase(s, drain);
	return tt_run_suite(s);
}
