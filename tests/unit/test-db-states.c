/* The backend and pool state machines, one test per transition, driven
 * through the db library alone (tusk-db: no tuskd, no socket, no JSON-RPC)
 * against the run's real PostgreSQL. The library gets its environment as
 * tuskd gives it (db/env.h): a loop, workers, settings from an in-memory
 * storage, and a sink whose events each test reads back. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/clock.h"
#include "daemon/db/env.h"
#include "daemon/db/pool.h"
#include "daemon/storage/settings.h"
#include "daemon/storage/storage.h"
#include "daemon/worker/worker.h"
#include "tests/lib/tt-pg.h"
#include "tests/lib/tt-check.h"

static struct tt_pg pg;
static char conninfo[600];
static struct event_base *base;
static struct event *tick;
static struct worker_pool *workers;
static struct db *db;
static Storage *st;
static Settings *settings;
static json_t *events; /* [{method, params}] in the order the sink got them */

static void on_event(void *ud, const char *method, json_t *params)
{
	json_array_append_new(events, json_pack("{s:s, s:o}", "method", method, "params", params));
}

static void on_tick(evutil_socket_t fd, short what, void *ud) {}

static void setup(void)
{
	TuskError e = TUSK_ERROR_INIT;
	tt_pg_shared(&pg);
	snprintf(conninfo, sizeof(conninfo), "host=%s port=%d dbname=postgres user=postgres",
	         pg.sockdir, pg.port);
	base = event_base_new();
	workers = worker_pool_new(base, 2);
	st = storage_open(NULL, &e);
	ck_assert_msg(st, "%s", tusk_error_message(&e));
	settings = settings_new(st, &e);
	ck_assert_msg(settings, "%s", tusk_error_message(&e));
	events = json_array();
	/* The loop never sleeps longer than this, so run_until sees its deadline. */
	tick = event_new(base, -1, EV_PERSIST, on_tick, NULL);
	event_add(tick, &(struct timeval){.tv_usec = 20000});
	db = db_new(&(struct db_env){
	    .base = base, .workers = workers, .settings = settings, .sink = {.event = on_event}});
	ck_assert_ptr_nonnull(db);
}

static void run_until(bool (*done)(void *), void *arg, const char *what)
{
	uint64_t until = tusk_mono_us() + 20000000u;
	while (!done(arg)) {
		ck_assert_msg(tusk_mono_us() < until, "timed out waiting for %s", what);
		event_base_loop(base, EVLOOP_ONCE);
	}
}

static bool no_pool_alive(void *arg)
{
	return pool_alive_count(db) == 0;
}

static void teardown(void)
{
	pool_close_all(db);
	run_until(no_pool_alive, NULL, "every pool to be freed");
	worker_pool_free(workers);
	db_free(db);
	db = NULL;
	event_free(tick);
	settings_free(settings);
	storage_close(st);
	event_base_free(base);
	json_decref(events);
}

/* ---- helpers ---------------------------------------------------------------- */

struct opened {
	bool done;
	struct pool *p;
	TuskError e;
};

static void on_open(struct pool *p, const TuskError *e, void *ud)
{
	struct opened *o = ud;
	o->done = true;
	o->p = p;
	if (e)
		tusk_error_copy(&o->e, e);
}

static bool open_done(void *arg)
{
	return ((struct opened *)arg)->done;
}

static struct pool *open_pool(const char *ci)
{
	struct opened o = {.e = TUSK_ERROR_INIT};
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_msg(pool_open_transient(db, ci, NULL, on_open, &o, &e) == 0, "%s",
	              tusk_error_message(&e));
	run_until(open_done, &o, "the pool to open");
	ck_assert_msg(o.p, "open failed: %s", tusk_error_message(&o.e));
	return o.p;
}

struct acquired {
	bool done;
	struct backend *b;
	TuskError e;
};

static void on_acquire(struct backend *b, const TuskError *e, void *ud)
{
	struct acquired *a = ud;
	a->done = true;
	a->b = b;
	if (e)
		tusk_error_copy(&a->e, e);
}

static bool acquire_done(void *arg)
{
	return ((struct acquired *)arg)->done;
}

static struct backend *acquire(struct pool *p)
{
	struct acquired a = {.e = TUSK_ERROR_INIT};
	pool_acquire(p, on_acquire, &a);
	run_until(acquire_done, &a, "a backend");
	ck_assert_msg(a.b, "acquire failed: %s", tusk_error_message(&a.e));
	return a.b;
}

/* A count of connection.status: available, busy, pinned, connecting, size. */
static int count(struct pool *p, const char *key)
{
	json_t *s = pool_status_json(p);
	int n = (int)json_integer_value(json_object_get(s, key));
	json_decref(s);
	return n;
}

static const char *status(struct pool *p)
{
	static char buf[32];
	json_t *s = pool_status_json(p);
	snprintf(buf, sizeof(buf), "%s", json_string_value(json_object_get(s, "status")));
	json_decref(s);
	return buf;
}

/* The index of the first event named method at or after from, or -1. */
static int event_index(const char *method, size_t from)
{
	for (size_t i = from; i < json_array_size(events); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(events, i), "method")),
		           method) == 0)
			return (int)i;
	return -1;
}

static json_t *event_params(int i)
{
	return json_object_get(json_array_get(events, (size_t)i), "params");
}

static void set_int(const char *key, long long v)
{
	TuskError e = TUSK_ERROR_INIT;
	json_t *value = json_integer(v); /* borrowed by settings_set */
	int r = settings_set(settings, key, value, &e);
	json_decref(value);
	ck_assert_msg(r == 0, "%s", tusk_error_message(&e));
}

static bool no_live_backend(void *arg)
{
	struct pool *p = arg;
	return count(p, "size") == 0 && count(p, "connecting") == 0;
}

/* ---- backend transitions ------------------------------------------------------ */

START_TEST(backend_connecting_to_idle)
{
	struct pool *p = open_pool(conninfo);
	ck_assert_int_eq(count(p, "available"), 1);
	ck_assert_int_eq(count(p, "connecting"), 0);
	ck_assert_str_eq(status(p), "connected");
	int connected = event_index("connection.connected", 0);
	ck_assert_int_ge(connected, 0);
	ck_assert_str_eq(json_string_value(json_object_get(event_params(connected), "status")),
	                 "connected");
}
END_TEST

START_TEST(backend_connecting_to_broken)
{
	char bad[600];
	snprintf(bad, sizeof(bad),
	         "host=127.0.0.1 port=%d dbname=postgres user=postgres sslmode=disable",
	         tt_free_port());
	struct opened o = {.e = TUSK_ERROR_INIT};
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(pool_open_transient(db, bad, NULL, on_open, &o, &e), 0);
	run_until(open_done, &o, "the open to fail");
	ck_assert_ptr_null(o.p);
	ck_assert_int_ne(o.e.kind, TUSK_ERR_NONE);
	int err = event_index("connection.error", 0);
	ck_assert_int_ge(err, 0);
	int gone = event_index("connection.disconnected", (size_t)err);
	ck_assert_int_gt(gone, err);
	ck_assert(!json_is_true(json_object_get(event_params(gone), "will_reconnect")));
	run_until(no_pool_alive, NULL, "the failed pool to be freed");
	tusk_error_clear(&o.e);
}
END_TEST

START_TEST(backend_idle_to_busy)
{
	struct pool *p = open_pool(conninfo);
	struct backend *b = acquire(p);
	ck_assert_int_eq(backend_state(b), BACKEND_BUSY);
	ck_assert_int_eq(count(p, "busy"), 1);
	ck_assert_int_eq(count(p, "available"), 0);
	pool_release(b);
}
END_TEST

START_TEST(backend_busy_to_idle)
{
	struct pool *p = open_pool(conninfo);
	struct backend *b = acquire(p);
	int pid = backend_pid(b);
	pool_release(b);
	ck_assert_int_eq(count(p, "busy"), 0);
	ck_assert_int_eq(count(p, "available"), 1);
	/* The same connection is handed out again, not a new one. */
	b = acquire(p);
	ck_assert_int_eq(backend_pid(b), pid);
	pool_release(b);
}
END_TEST

START_TEST(backend_busy_to_pinned)
{
	struct pool *p = open_pool(conninfo);
	struct backend *b = acquire(p);
	pool_pin(b);
	ck_assert_int_eq(backend_state(b), BACKEND_PINNED);
	ck_assert_int_eq(count(p, "pinned"), 1);
	ck_assert_int_eq(count(p, "busy"), 0);
	pool_unpin(b);
	pool_release(b);
}
END_TEST

START_TEST(backend_pinned_to_busy)
{
	struct pool *p = open_pool(conninfo);
	struct backend *b = acquire(p);
	pool_pin(b);
	pool_unpin(b);
	ck_assert_int_eq(backend_state(b), BACKEND_BUSY);
	ck_assert_int_eq(count(p, "pinned"), 0);
	ck_assert_int_eq(count(p, "busy"), 1);
	pool_release(b);
}
END_TEST

START_TEST(backend_busy_to_broken)
{
	struct pool *p = open_pool(conninfo);
	struct backend *b = acquire(p);
	size_t before = json_array_size(events);
	backend_mark_broken(b);
	pool_release(b); /* BUSY → BROKEN, freed; nobody waits, so none replaces it */
	ck_assert_int_eq(count(p, "size"), 0);
	ck_assert_int_eq(count(p, "connecting"), 0);
	int lost = event_index("connection.disconnected", before);
	ck_assert_int_ge(lost, 0);
	ck_assert(json_is_true(json_object_get(event_params(lost), "will_reconnect")));
	/* The next request connects a new one. */
	b = acquire(p);
	ck_assert_int_eq(backend_state(b), BACKEND_BUSY);
	pool_release(b);
}
END_TEST

START_TEST(backend_idle_to_broken_when_the_server_ends_it)
{
	struct pool *p = open_pool(conninfo);
	struct backend *b = acquire(p);
	int pid = backend_pid(b);
	pool_release(b);
	char sql[64];
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)", pid);
	tt_pg_exec(&pg, NULL, sql);
	run_until(no_live_backend, p, "the idle backend to be dropped");
	ck_assert_int_ge(event_index("connection.disconnected", 0), 0);
}
END_TEST

START_TEST(backend_pinned_to_broken_when_the_pool_closes)
{
	struct pool *p = pool_ref(open_pool(conninfo));
	struct backend *b = acquire(p);
	pool_pin(b);
	pool_close(p, "test");
	/* Pinned backends outlive the close until their user lets go. */
	ck_assert_int_eq(backend_state(b), BACKEND_PINNED);
	ck_assert_int_eq(pool_alive_count(db), 1);
	pool_unpin(b);
	pool_release(b); /* closing: BUSY → BROKEN, freed */
	ck_assert_int_eq(count(p, "size"), 0);
	pool_unref(p);
	run_until(no_pool_alive, NULL, "the closed pool to be freed");
}
END_TEST

START_TEST(backend_idle_to_pinned_aborts)
{
	struct pool *p = open_pool(conninfo);
	struct backend *b = acquire(p);
	pool_release(b);
	pool_pin(b); /* IDLE → PINNED cannot happen: backend_set_state aborts */
}
END_TEST

/* ---- pool transitions ----------------------------------------------------------- */

START_TEST(pool_connecting_to_connected)
{
	struct opened o = {.e = TUSK_ERROR_INIT};
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(pool_open_transient(db, conninfo, NULL, on_open, &o, &e), 0);
	int first = event_index("connection.status_changed", 0);
	ck_assert_int_ge(first, 0);
	ck_assert_str_eq(json_string_value(json_object_get(event_params(first), "status")),
	                 "connecting");
	run_until(open_done, &o, "the pool to open");
	ck_assert_ptr_nonnull(o.p);
	ck_assert_str_eq(status(o.p), "connected");
	ck_assert_int_gt(event_index("connection.connected", (size_t)first), first);
}
END_TEST

START_TEST(pool_connected_to_disconnected)
{
	struct pool *p = open_pool(conninfo);
	char id[64];
	snprintf(id, sizeof(id), "%s", pool_id(p));
	size_t before = json_array_size(events);
	pool_close(p, "test");
	ck_assert_ptr_null(pool_find(db, id));
	int gone = event_index("connection.disconnected", before);
	ck_assert_int_ge(gone, 0);
	ck_assert_str_eq(json_string_value(json_object_get(event_params(gone), "status")),
	                 "disconnected");
	ck_assert(!json_is_true(json_object_get(event_params(gone), "will_reconnect")));
	run_until(no_pool_alive, NULL, "the closed pool to be freed");
}
END_TEST

START_TEST(pool_reused_for_the_same_conninfo)
{
	struct pool *p = open_pool(conninfo);
	struct pool *q = open_pool(conninfo);
	ck_assert_ptr_eq(p, q);
	ck_assert_int_eq(pool_alive_count(db), 1);
}
END_TEST

/* ---- waiter transitions ----------------------------------------------------------- */

START_TEST(waiter_queued_to_granted)
{
	set_int("pool.max_size", 1);
	struct pool *p = open_pool(conninfo);
	struct backend *b = acquire(p);
	struct acquired a = {.e = TUSK_ERROR_INIT};
	pool_acquire(p, on_acquire, &a);
	ck_assert(!pool_can_lend(p));
	ck_assert_int_eq(count(p, "waiting"), 1);
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	ck_assert(!a.done);
	pool_release(b);
	run_until(acquire_done, &a, "the waiter to be served");
	ck_assert_ptr_eq(a.b, b);
	ck_assert_int_eq(count(p, "waiting"), 0);
	pool_release(a.b);
}
END_TEST

START_TEST(waiter_queued_to_timed_out)
{
	set_int("pool.max_size", 1);
	set_int("pool.acquire_timeout_ms", 200);
	struct pool *p = open_pool(conninfo);
	struct backend *b = acquire(p);
	struct acquired a = {.e = TUSK_ERROR_INIT};
	uint64_t t0 = tusk_mono_us();
	pool_acquire(p, on_acquire, &a);
	run_until(acquire_done, &a, "the waiter to time out");
	ck_assert_ptr_null(a.b);
	ck_assert_int_eq(a.e.kind, TUSK_ERR_POOL_TIMEOUT);
	ck_assert_uint_ge(tusk_mono_us() - t0, 150000u);
	ck_assert_int_eq(count(p, "waiting"), 0);
	tusk_error_clear(&a.e);
	pool_release(b);
}
END_TEST

START_TEST(waiter_queued_to_failed_on_close)
{
	set_int("pool.max_size", 1);
	struct pool *p = pool_ref(open_pool(conninfo));
	struct backend *b = acquire(p);
	struct acquired a = {.e = TUSK_ERROR_INIT};
	pool_acquire(p, on_acquire, &a);
	pool_close(p, "test");
	run_until(acquire_done, &a, "the waiter to be told");
	ck_assert_ptr_null(a.b);
	ck_assert_int_eq(a.e.kind, TUSK_ERR_NO_ACTIVE_CONNECTION);
	tusk_error_clear(&a.e);
	pool_release(b);
	pool_unref(p);
}
END_TEST

START_TEST(waiter_queued_to_cancelled)
{
	set_int("pool.max_size", 1);
	struct pool *p = open_pool(conninfo);
	struct backend *b = acquire(p);
	struct acquired a = {.e = TUSK_ERROR_INIT};
	struct pool_waiter *w = pool_acquire(p, on_acquire, &a);
	pool_acquire_cancel(w);
	ck_assert_int_eq(count(p, "waiting"), 0);
	pool_release(b);
	/* The released backend stays idle: nobody was waiting any more. */
	ck_assert_int_eq(count(p, "available"), 1);
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	ck_assert(!a.done);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("db-states");
	TCase *tc = tcase_create("backend");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, backend_connecting_to_idle);
	tcase_add_test(tc, backend_connecting_to_broken);
	tcase_add_test(tc, backend_idle_to_busy);
	tcase_add_test(tc, backend_busy_to_idle);
	tcase_add_test(tc, backend_busy_to_pinned);
	tcase_add_test(tc, backend_pinned_to_busy);
	tcase_add_test(tc, backend_busy_to_broken);
	tcase_add_test(tc, backend_idle_to_broken_when_the_server_ends_it);
	tcase_add_test(tc, backend_pinned_to_broken_when_the_pool_closes);
	tcase_add_test_raise_signal(tc, backend_idle_to_pinned_aborts, SIGABRT);
	suite_add_tcase(s, tc);
	tc = tcase_create("pool");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pool_connecting_to_connected);
	tcase_add_test(tc, pool_connected_to_disconnected);
	tcase_add_test(tc, pool_reused_for_the_same_conninfo);
	suite_add_tcase(s, tc);
	tc = tcase_create("waiter");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, waiter_queued_to_granted);
	tcase_add_test(tc, waiter_queued_to_timed_out);
	tcase_add_test(tc, waiter_queued_to_failed_on_close);
	tcase_add_test(tc, waiter_queued_to_cancelled);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tt_run_suite(suite());
}
