/* The query history writer against real SQLite files, real worker threads
 * and a real libevent loop: batching and the flush timer, list order, FTS
 * search that no input can break, filters and paging, delete / clear /
 * retention, clean shutdown, and that history_add never touches SQLite. */
#include <check.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/timestamp.h"
#include "common/uuid.h"
#include "daemon/storage/history.h"
#include "daemon/worker/worker.h"
#include "test-storage-util.h"
#include "tests/lib/tt-check.h"

static char *dir, *path;
static Storage *st;
static struct event_base *base;
static struct worker_pool *workers;
static struct history *h;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static struct history *open_history(Storage *s)
{
	TuskError e = TUSK_ERROR_INIT;
	struct history *hh = history_new(s, base, workers, &e);
	ck_assert_msg(hh != NULL, "%s", tusk_error_message(&e));
	return hh;
}

static void setup(void)
{
	TuskError e = TUSK_ERROR_INIT;
	dir = tst_dir();
	path = tst_join(dir, "tusk.db");
	st = storage_open(path, &e);
	ck_assert_msg(st != NULL, "%s", tusk_error_message(&e));
	base = event_base_new();
	workers = worker_pool_new(base, 2);
	ck_assert_ptr_nonnull(workers);
	h = open_history(st);
}

static void teardown(void)
{
	history_free(h);
	worker_pool_free(workers);
	storage_close(st);
	event_base_free(base);
	free(path);
	free(dir);
}

/* Run the loop until the writer has nothing queued and no job running. */
static void wait_idle(void)
{
	double deadline = now_ms() + 20000;
	for (;;) {
		struct history_stats s;
		history_get_stats(h, &s);
		if (s.queued == 0 && !s.writing)
			return;
		ck_assert_msg(now_ms() < deadline, "the history writer did not finish");
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
}

static void add(const char *sql, const char *status, const char *conn, int64_t at_us)
{
	TuskQueryHistoryEntry r = {
	    .connection_id = (char *)conn,
	    .database = "app",
	    .sql = (char *)sql,
	    .executed_at_us = at_us,
	    .duration_ms = 7,
	    .rows = 3,
	    .query_type = TUSK_QUERY_SELECT,
	    .status = (TuskHistoryStatus)tusk_history_status_from_name(status),
	};
	history_add(h, &r);
}

static long long db_rows(void)
{
	return tst_int(storage_db(st), "SELECT count(*) FROM query_history");
}

static json_t *list(json_t *filter)
{
	TuskError e = TUSK_ERROR_INIT;
	json_t *r = history_list(h, filter, &e);
	json_decref(filter);
	ck_assert_msg(r != NULL, "%s", tusk_error_message(&e));
	return r;
}

static long long total_of(json_t *filter)
{
	_cleanup_json_ json_t *r = list(filter);
	return json_integer_value(json_object_get(r, "total"));
}

static const char *sql_at(json_t *r, size_t i)
{
	return json_string_value(
	    json_object_get(json_array_get(json_object_get(r, "entries"), i), "sql"));
}

START_TEST(test_add_flush_and_list_order)
{
	int64_t t0 = tusk_now_us() - 60 * 1000000LL;
	TuskQueryHistoryEntry full = {
	    .connection_id = "c1",
	    .database = "shop",
	    .sql = "SELECT 2",
	    .executed_at_us = t0 + 2000000,
	    .duration_ms = 1234,
	    .rows = -1,
	    .query_type = _TUSK_QUERY_TYPE_MAX, /* out of range: other */
	    .status = TUSK_HISTORY_ERROR,
	    .error = "relation \"x\" does not exist",
	};
	add("SELECT 1", "ok", "c1", t0 + 1000000);
	history_add(h, &full);
	add("SELECT 3", "ok", NULL, t0 + 3000000);
	add("SELECT 3 again", "cancelled", "c2", t0 + 3000000); /* same time: later wins */
	/* Queued only: nothing on disk until the flush timer fires. */
	ck_assert_int_eq(db_rows(), 0);
	double t = now_ms();
	wait_idle();
	double waited = now_ms() - t;
	ck_assert_int_eq(db_rows(), 4);
	/* A small batch waits for the timer, about HISTORY_FLUSH_MS. */
	ck_assert_msg(waited >= HISTORY_FLUSH_MS * 0.7 && waited < 5000, "flushed after %.0f ms",
	              waited);

	_cleanup_json_ json_t *r = list(json_object());
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 4);
	ck_assert_str_eq(sql_at(r, 0), "SELECT 3 again");
	ck_assert_str_eq(sql_at(r, 1), "SELECT 3");
	ck_assert_str_eq(sql_at(r, 2), "SELECT 2");
	ck_assert_str_eq(sql_at(r, 3), "SELECT 1");

	json_t *e2 = json_array_get(json_object_get(r, "entries"), 2);
	ck_assert(tusk_uuid_valid(json_string_value(json_object_get(e2, "id"))));
	ck_assert_str_eq(json_string_value(json_object_get(e2, "connection_id")), "c1");
	ck_assert_str_eq(json_string_value(json_object_get(e2, "database")), "shop");
	ck_assert_int_eq(json_integer_value(json_object_get(e2, "duration_ms")), 1234);
	ck_assert(json_is_null(json_object_get(e2, "rows")));
	ck_assert_str_eq(json_string_value(json_object_get(e2, "query_type")), "other");
	ck_assert_str_eq(json_string_value(json_object_get(e2, "status")), "error");
	ck_assert_str_eq(json_string_value(json_object_get(e2, "error")),
	                 "relation \"x\" does not exist");
	int64_t at;
	ck_assert_int_eq(
	    tusk_timestamp_parse(json_string_value(json_object_get(e2, "executed_at")), &at), 0);
	ck_assert_int_eq(at, t0 + 2000000);
	ck_assert(strchr(json_string_value(json_object_get(e2, "executed_at")), 'Z'));

	json_t *e1 = json_array_get(json_object_get(r, "entries"), 1);
	ck_assert(json_is_null(json_object_get(e1, "connection_id")));
	ck_assert_int_eq(json_integer_value(json_object_get(e1, "rows")), 3);
	ck_assert(json_is_null(json_object_get(e1, "error")));
}
END_TEST

START_TEST(test_batch_threshold_starts_at_once)
{
	for (int i = 0; i < HISTORY_FLUSH_RECORDS - 1; i++)
		add("SELECT 1", "ok", "c", 0);
	struct history_stats s;
	history_get_stats(h, &s);
	ck_assert(!s.writing); /* waiting for the timer */
	ck_assert_uint_eq(s.queued, HISTORY_FLUSH_RECORDS - 1);
	add("SELECT 1", "ok", "c", 0);
	history_get_stats(h, &s);
	ck_assert(s.writing); /* the 256th record started a job */
	ck_assert_uint_eq(s.queued, 0);
	wait_idle();
	history_get_stats(h, &s);
	ck_assert_uint_eq(s.written, HISTORY_FLUSH_RECORDS);
	ck_assert_int_eq(db_rows(), HISTORY_FLUSH_RECORDS);
}
END_TEST

START_TEST(test_fts_query_text)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"select", "\"select\"*"},     {"  pg_stat   activity ", "\"pg_stat\"* \"activity\"*"},
	    {"a\"b", "\"a\"\"b\"*"},       {"AND OR NOT", "\"AND\"* \"OR\"* \"NOT\"*"},
	    {"count(*)", "\"count(*)\"*"}, {"ünï", "\"ünï\"*"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		_cleanup_free_ char *q = history_fts_query(cases[i].in);
		ck_assert_msg(q && strcmp(q, cases[i].out) == 0, "%s → %s", cases[i].in,
		              q ? q : "(null)");
	}
	ck_assert_ptr_null(history_fts_query(""));
	ck_assert_ptr_null(history_fts_query(" * ( ) "));
	ck_assert_ptr_null(history_fts_query(NULL));
}
END_TEST

START_TEST(test_search_never_errors)
{
	add("SELECT * FROM pg_stat_activity WHERE state = 'active'", "ok", "c", 0);
	add("UPDATE accounts SET balance = balance + 1 WHERE id = 7", "ok", "c", 0);
	add("SELECT 'ünïcödé', '日本語テキスト' -- comment", "ok", "c", 0);
	add("SELECT count(*) FROM orders WHERE a AND b", "error", "c", 0);
	add("SELECT \"Quoted Ident\" FROM t", "ok", "c", 0);
	wait_idle();

	static const struct {
		const char *search;
		long long matches; /* -1: any count, only no error */
	} cases[] = {
	    {"pg_stat", 1},
	    {"PG_STAT_ACTIVITY", 1},
	    {"select", 4},
	    {"sel", 4},
	    {"activity state", 1},
	    {"activity balance", 0},
	    {"unicode", 1},
	    {"ünï", 1},
	    {"日本語", 1},
	    {"AND", 1},
	    {"OR", -1},
	    {"NOT", -1},
	    {"NEAR(a b)", -1},
	    {"*", 2},
	    {"(", 1},
	    {")", 1},
	    {"count(*)", 1},
	    {"\"", 1},
	    {"\"\"", 0},
	    {"\"Quoted", 1},
	    {"'", 2},
	    {"a:b", -1},
	    {"col:", -1},
	    {"^a", -1},
	    {"-", -1},
	    {"+", 1},
	    {"{ }", -1},
	    {"\\", 0},
	    {"%", 0},
	    {"_", 1},
	    {"=", 2},
	    {"😀", 0},
	    {"a\tb\nc", -1},
	    {"", 5},
	    {"   ", 5},
	    {"orders *", 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		TuskError e = TUSK_ERROR_INIT;
		_cleanup_json_ json_t *f = json_pack("{s:s}", "search", cases[i].search);
		_cleanup_json_ json_t *r = history_list(h, f, &e);
		ck_assert_msg(r != NULL, "search '%s' failed: %s", cases[i].search,
		              tusk_error_message(&e));
		long long total = json_integer_value(json_object_get(r, "total"));
		if (cases[i].matches >= 0)
			ck_assert_msg(total == cases[i].matches,
			              "search '%s': %lld matches, not %lld", cases[i].search, total,
			              cases[i].matches);
		ck_assert_uint_eq(json_array_size(json_object_get(r, "entries")), (size_t)total);
	}

	/* Long input and many punctuation-only words. */
	char big[4097];
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = "a\" (*) :^-"[i % 10];
	big[sizeof(big) - 1] = '\0';
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_json_ json_t *f = json_pack("{s:s}", "search", big);
	_cleanup_json_ json_t *r = history_list(h, f, &e);
	ck_assert_msg(r != NULL, "%s", tusk_error_message(&e));
}
END_TEST

START_TEST(test_filters)
{
	add("SELECT 1 FROM alpha", "ok", "c1", 0);
	add("SELECT 2 FROM alpha", "error", "c1", 0);
	add("SELECT 3 FROM beta", "ok", "c2", 0);
	add("SELECT 4 FROM alpha", "cancelled", "c2", 0);
	wait_idle();
	ck_assert_int_eq(total_of(json_pack("{s:s}", "connection_id", "c1")), 2);
	ck_assert_int_eq(total_of(json_pack("{s:s}", "connection_id", "nobody")), 0);
	ck_assert_int_eq(total_of(json_pack("{s:s}", "status", "ok")), 2);
	ck_assert_int_eq(total_of(json_pack("{s:s}", "status", "cancelled")), 1);
	ck_assert_int_eq(
	    total_of(json_pack("{s:s, s:s}", "connection_id", "c2", "search", "alpha")), 1);
	ck_assert_int_eq(total_of(json_pack("{s:s, s:s, s:s}", "connection_id", "c1", "status",
	                                    "ok", "search", "alpha")),
	                 1);

	static const char *const bad[] = {
	    "{\"limit\": 0}",      "{\"limit\": 1001}", "{\"offset\": -1}",
	    "{\"status\": \"x\"}", "{\"search\": 5}",   "{\"connection_id\": []}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		TuskError e = TUSK_ERROR_INIT;
		_cleanup_json_ json_t *f = json_loads(bad[i], 0, NULL);
		json_t *r = history_list(h, f, &e);
		ck_assert_msg(r == NULL && e.kind == TUSK_ERR_INVALID_INPUT, "%s accepted", bad[i]);
		tusk_error_clear(&e);
	}
}
END_TEST

START_TEST(test_paging_and_total)
{
	int64_t t0 = tusk_now_us() - 1000000000LL;
	char sql[32];
	for (int i = 0; i < 120; i++) {
		snprintf(sql, sizeof sql, "SELECT %d", i);
		add(sql, "ok", "c", t0 + i * 1000);
	}
	wait_idle();
	size_t expect[] = {50, 50, 20, 0};
	int seen = 0;
	for (int page = 0; page < 4; page++) {
		_cleanup_json_ json_t *r =
		    list(json_pack("{s:i, s:i}", "limit", 50, "offset", page * 50));
		ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 120);
		json_t *entries = json_object_get(r, "entries");
		ck_assert_uint_eq(json_array_size(entries), expect[page]);
		for (size_t i = 0; i < json_array_size(entries); i++, seen++) {
			snprintf(sql, sizeof sql, "SELECT %d", 119 - seen);
			ck_assert_str_eq(sql_at(r, i), sql);
		}
	}
	ck_assert_int_eq(seen, 120);
	/* Default page size 50. */
	_cleanup_json_ json_t *r = list(NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "entries")), 50);
}
END_TEST

START_TEST(test_delete_and_clear)
{
	add("SELECT 1", "ok", "c1", 0);
	add("SELECT 2", "ok", "c1", 0);
	add("SELECT 3", "ok", "c2", 0);
	add("SELECT 4", "ok", NULL, 0);
	_cleanup_json_ json_t *r = list(json_pack("{s:s}", "search", "2"));
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 1);
	char id[64];
	snprintf(id, sizeof id, "%s",
	         json_string_value(
	             json_object_get(json_array_get(json_object_get(r, "entries"), 0), "id")));
	/* Upper case is accepted. */
	for (char *p = id; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');

	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(history_delete(h, id, &e), 0);
	ck_assert_int_eq(db_rows(), 3);
	ck_assert_int_eq(history_delete(h, id, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_INPUT);
	tusk_error_clear(&e);
	ck_assert_int_eq(history_delete(h, "not-a-uuid", &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_INPUT);
	tusk_error_clear(&e);

	int64_t n = -1;
	ck_assert_int_eq(history_clear(h, "c1", &n, &e), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(history_clear(h, "c1", &n, &e), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(history_clear(h, NULL, &n, &e), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(db_rows(), 0);
	/* The FTS index follows the table. */
	ck_assert_int_eq(tst_int(storage_db(st), "SELECT count(*) FROM query_history_fts"
	                                         " WHERE query_history_fts MATCH 'select'"),
	                 0);
}
END_TEST

struct outcome {
	int calls, r;
	int64_t count;
	TuskErrorKind kind;
};

static void on_done(int r, int64_t count, const TuskError *e, void *ud)
{
	struct outcome *o = ud;
	o->calls++;
	o->r = r;
	o->count = count;
	o->kind = r < 0 ? e->kind : TUSK_ERR_NONE;
}

static void wait_calls(struct outcome *o, int calls)
{
	double deadline = now_ms() + 20000;
	while (o->calls < calls) {
		ck_assert_msg(now_ms() < deadline, "callback not called");
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
}

START_TEST(test_async_ops_keep_order)
{
	struct outcome flush = {0}, clear = {0}, del = {0};
	for (int i = 0; i < 5; i++)
		add("SELECT 'old'", "ok", "c1", 0);
	add("SELECT 'other'", "ok", "c2", 0);
	ck_assert_int_eq(history_clear_async(h, "c1", on_done, &clear), 0);
	add("SELECT 'new'", "ok", "c1", 0);
	ck_assert_int_eq(history_flush_async(h, on_done, &flush), 0);
	ck_assert_int_eq(
	    history_delete_async(h, "00000000-0000-4000-8000-000000000000", on_done, &del), 0);
	/* Never answered inside the call that queued it. */
	ck_assert_int_eq(clear.calls + flush.calls + del.calls, 0);
	wait_calls(&del, 1);
	ck_assert_int_eq(clear.calls, 1);
	ck_assert_int_eq(clear.r, 0);
	ck_assert_int_eq(clear.count, 5); /* the records queued before it, not the one after */
	ck_assert_int_eq(flush.calls, 1);
	ck_assert_int_eq(flush.r, 0);
	ck_assert_int_eq(del.r, -1);
	ck_assert_int_eq(del.kind, TUSK_ERR_INVALID_INPUT);
	ck_assert_int_eq(db_rows(), 2);
	ck_assert_int_eq(tst_int(storage_db(st), "SELECT count(*) FROM query_history"
	                                         " WHERE sql = 'SELECT ''new'''"),
	                 1);
}
END_TEST

START_TEST(test_retention_by_count)
{
	int64_t t0 = tusk_now_us() - 1000000000LL;
	char sql[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(sql, sizeof sql, "SELECT %d", i);
		add(sql, "ok", "c", t0 + i);
	}
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(history_apply_retention(h, 100, 0, &e), 0);
	wait_idle(); /* on the worker, in chunks */
	ck_assert_int_eq(db_rows(), 100);
	_cleanup_json_ json_t *r = list(json_pack("{s:i}", "limit", 1000));
	ck_assert_str_eq(sql_at(r, 0), "SELECT 4999");
	ck_assert_str_eq(sql_at(r, 99), "SELECT 4900");
	/* Unlimited and negative. */
	ck_assert_int_eq(history_apply_retention(h, 0, 0, &e), 0);
	wait_idle();
	ck_assert_int_eq(db_rows(), 100);
	ck_assert_int_eq(history_apply_retention(h, -1, 0, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_INPUT);
	tusk_error_clear(&e);
	ck_assert_int_eq(tst_int(storage_db(st), "SELECT count(*) FROM query_history_fts"
	                                         " WHERE query_history_fts MATCH 'select'"),
	                 100);
}
END_TEST

START_TEST(test_retention_by_age)
{
	int64_t day = 86400LL * 1000000;
	int64_t now = tusk_now_us();
	add("SELECT 'ancient'", "ok", "c", now - 400 * day);
	add("SELECT 'old'", "ok", "c", now - 31 * day);
	add("SELECT 'recent'", "ok", "c", now - 29 * day);
	add("SELECT 'today'", "ok", "c", now);
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(history_apply_retention(h, 0, 365, &e), 0);
	ck_assert_int_eq(history_sync(h, &e), 0);
	ck_assert_int_eq(db_rows(), 3);
	ck_assert_int_eq(history_apply_retention(h, 0, 30, &e), 0);
	wait_idle();
	ck_assert_int_eq(db_rows(), 2);
	/* Both limits: age first, then count keeps the newest. */
	ck_assert_int_eq(history_apply_retention(h, 1, 30, &e), 0);
	wait_idle();
	_cleanup_json_ json_t *r = list(NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 1);
	ck_assert_str_eq(sql_at(r, 0), "SELECT 'today'");
}
END_TEST

START_TEST(test_add_never_touches_sqlite)
{
	/* Another process-like handle holds the write lock: if history_add
	 * touched SQLite it would wait for the 5 s busy timeout. */
	sqlite3 *locker;
	ck_assert_int_eq(sqlite3_open(path, &locker), SQLITE_OK);
	tst_exec(locker, "BEGIN EXCLUSIVE");
	long long changes_before = sqlite3_total_changes(storage_db(st));

	double t = now_ms();
	for (int i = 0; i < 10000; i++)
		add("SELECT * FROM some_table WHERE id = 42", "ok", "conn", 0);
	double took = now_ms() - t;
	ck_assert_msg(took < 1000, "10,000 history_add calls took %.1f ms", took);
	fprintf(stderr, "history_add: 10,000 records in %.1f ms\n", took);

	tst_exec(locker, "COMMIT");
	sqlite3_close(locker);
	wait_idle();
	ck_assert_int_eq(db_rows(), 10000);
	/* The writer used its own handle: the loop's recorded no change. */
	ck_assert_int_eq(sqlite3_total_changes(storage_db(st)), changes_before);
	struct history_stats s;
	history_get_stats(h, &s);
	ck_assert_uint_eq(s.written, 10000);
	ck_assert_uint_eq(s.dropped, 0);
}
END_TEST

START_TEST(test_in_memory_storage_writes_on_loop)
{
	TuskError e = TUSK_ERROR_INIT;
	Storage *mem = storage_open(NULL, &e);
	ck_assert_ptr_nonnull(mem);
	history_free(h);
	h = open_history(mem);
	add("SELECT 1", "ok", "c", 0);
	struct outcome flush = {0};
	ck_assert_int_eq(history_flush_async(h, on_done, &flush), 0);
	int before = sqlite3_total_changes(storage_db(mem));
	ck_assert_int_eq(flush.calls, 0);
	ck_assert_int_eq(tst_int(storage_db(mem), "SELECT count(*) FROM query_history"), 0);
	wait_calls(&flush, 1);
	ck_assert_int_eq(tst_int(storage_db(mem), "SELECT count(*) FROM query_history"), 1);
	ck_assert_int_gt(sqlite3_total_changes(storage_db(mem)), before);
	_cleanup_json_ json_t *r = list(json_pack("{s:s}", "search", "select"));
	ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 1);
	history_free(h);
	h = NULL;
	storage_close(mem);
}
END_TEST

START_TEST(test_free_writes_everything)
{
	/* Some records in a running job, the rest still queued. */
	for (int i = 0; i < 3 * HISTORY_BATCH_MAX + 7; i++)
		add("SELECT 'keep me'", "ok", "c", 0);
	history_free(h);
	h = NULL;
	worker_pool_free(workers);
	workers = NULL;
	storage_close(st);
	TuskError e = TUSK_ERROR_INIT;
	st = storage_open(path, &e);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(db_rows(), 3 * HISTORY_BATCH_MAX + 7);
}
END_TEST

START_TEST(test_same_id_replaces)
{
	TuskQueryHistoryEntry r = {
	    .sql = "SELECT pg_sleep(1)", .status = TUSK_HISTORY_CANCELLED, .rows = -1};
	ck_assert_int_eq(tusk_uuid_v4(r.id), 0);
	history_add(h, &r);
	r.status = TUSK_HISTORY_OK;
	r.rows = 1;
	r.duration_ms = 1000;
	history_add(h, &r);
	wait_idle();
	_cleanup_json_ json_t *l = list(NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "total")), 1);
	json_t *e0 = json_array_get(json_object_get(l, "entries"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(e0, "id")), r.id);
	ck_assert_str_eq(json_string_value(json_object_get(e0, "status")), "ok");
	ck_assert_int_eq(json_integer_value(json_object_get(e0, "rows")), 1);
}
END_TEST

START_TEST(test_invalid_records_and_failures)
{
	TuskQueryHistoryEntry no_sql = {.status = TUSK_HISTORY_OK};
	TuskQueryHistoryEntry bad_status = {.sql = "SELECT 1", .status = _TUSK_HISTORY_STATUS_MAX};
	history_add(h, &no_sql);
	history_add(h, &bad_status);
	struct history_stats s;
	history_get_stats(h, &s);
	ck_assert_uint_eq(s.dropped, 2);
	ck_assert_uint_eq(s.queued, 0);

	/* The table goes away under the writer: the batch fails, is tried
	 * once more, then dropped and reported. */
	tst_exec(storage_db(st), "ALTER TABLE query_history RENAME TO query_history_away");
	add("SELECT 'lost'", "ok", "c", 0);
	wait_idle();
	history_get_stats(h, &s);
	ck_assert_uint_eq(s.dropped, 3);
	ck_assert_uint_eq(s.written, 0);
	TuskError e = TUSK_ERROR_INIT;
	ck_assert(history_take_error(h, &e));
	ck_assert_int_eq(e.kind, TUSK_ERR_STORAGE);
	tusk_error_clear(&e);
	ck_assert(!history_take_error(h, &e));

	tst_exec(storage_db(st), "ALTER TABLE query_history_away RENAME TO query_history");
	add("SELECT 'kept'", "ok", "c", 0);
	wait_idle();
	ck_assert_int_eq(db_rows(), 1);
}
END_TEST

int main(void)
{
	tst_root_init();
	Suite *su = suite_create("storage-history");
	TCase *tc = tcase_create("history");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_add_flush_and_list_order);
	tcase_add_test(tc, test_batch_threshold_starts_at_once);
	tcase_add_test(tc, test_fts_query_text);
	tcase_add_test(tc, test_search_never_errors);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_paging_and_total);
	tcase_add_test(tc, test_delete_and_clear);
	tcase_add_test(tc, test_async_ops_keep_order);
	tcase_add_test(tc, test_retention_by_count);
	tcase_add_test(tc, test_retention_by_age);
	tcase_add_test(tc, test_add_never_touches_sqlite);
	tcase_add_test(tc, test_in_memory_storage_writes_on_loop);
	tcase_add_test(tc, test_free_writes_everything);
	tcase_add_test(tc, test_same_id_replaces);
	tcase_add_test(tc, test_invalid_records_and_failures);
	suite_add_tcase(su, tc);
	return tt_run_suite(su);
}
