/* The window's client object (TuskRpc) against a real tuskd: it starts the
 * daemon when nothing answers, matches replies to requests, turns
 * notifications into signals, honours cancellation, and reconnects (starting
 * a new daemon) when the daemon goes away. */
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>

#include "client-gtk/tusk-rpc.h"
#include "tests/gtk/gtk-daemon.h"

static void test_autostart_and_reply(Fixture *f, gconstpointer data)
{
	g_assert_cmpint(tusk_rpc_get_daemon_pid(f->rpc), >, 0);
	g_assert_nonnull(tusk_rpc_get_keyring(f->rpc));
	Reply r;
	call(f->rpc, "daemon.ping", NULL, NULL, &r);
	g_assert_no_error(r.error);
	g_assert_true(json_is_object(r.result));
	reply_clear(&r);
	call(f->rpc, "no.such.method", NULL, NULL, &r);
	g_assert_error(r.error, TUSK_RPC_ERROR, -32601);
	reply_clear(&r);
	/* invalid_params carries ErrorInfo in data */
	call(f->rpc, "settings.get", json_pack("{s:i}", "key", 5), NULL, &r);
	g_assert_error(r.error, TUSK_RPC_ERROR, -32602);
	g_assert_true(json_is_object(r.data));
	reply_clear(&r);
}

/* Many calls in flight at once: each reply goes to its own caller. */
static void test_replies_matched(Fixture *f, gconstpointer data)
{
	enum { N = 40 };
	Reply r[N];
	for (int i = 0; i < N; i++) {
		r[i] = (Reply){0};
		const char *method = i % 2 ? "settings.get" : "daemon.ping";
		json_t *params = i % 2 ? json_pack("{s:s}", "key", "pool.max_size") : NULL;
		tusk_rpc_call_async(f->rpc, method, params, NULL, on_reply, &r[i]);
	}
	for (int i = 0; i < N; i++) {
		while (!r[i].done)
			g_main_context_iteration(NULL, TRUE);
		g_assert_no_error(r[i].error);
		if (i % 2)
			g_assert_cmpstr(json_string_value(json_object_get(r[i].result, "key")), ==,
			                "pool.max_size");
		else
			g_assert_null(json_object_get(r[i].result, "key"));
		reply_clear(&r[i]);
	}
}

typedef struct {
	int columns;
	json_int_t rows;
	char *query_id;
} Seen;

static void on_note(TuskRpc *rpc, const char *method, json_t *params, Seen *s)
{
	if (g_strcmp0(json_string_value(json_object_get(params, "query_id")), s->query_id) != 0)
		return;
	if (g_str_equal(method, "query.columns"))
		s->columns++;
	else if (g_str_equal(method, "query.rows"))
		s->rows += (json_int_t)json_array_size(json_object_get(params, "rows"));
}

static void test_notifications(Fixture *f, gconstpointer data)
{
	Seen s = {.query_id = "gtk-rpc-notes"};
	gulong h = g_signal_connect(f->rpc, "notification", G_CALLBACK(on_note), &s);
	g_autofree char *conninfo = pg_conninfo();
	Reply r;
	call(f->rpc, "query.execute",
	     json_pack("{s:s, s:s, s:s, s:i}", "conninfo", conninfo, "sql",
	               "select g from generate_series(1, 2500) g", "query_id", s.query_id,
	               "batch_rows", 100),
	     NULL, &r);
	g_assert_no_error(r.error);
	g_assert_cmpint(json_integer_value(json_object_get(r.result, "rows")), ==, 2500);
	g_assert_cmpint(s.columns, ==, 1);
	g_assert_cmpint(s.rows, ==, 2500);
	reply_clear(&r);
	g_signal_handler_disconnect(f->rpc, h);
}

/* Cancelled once the daemon has the query (query.started): a fixed delay
 * raced the pool's connect on a loaded machine, and query.cancel then found
 * no query yet. */
static void cancel_when_started(TuskRpc *rpc, const char *method, json_t *params, GCancellable *c)
{
	if (g_strcmp0(json_string_value(json_object_get(params, "query_id")), "gtk-rpc-sleep") == 0)
		g_cancellable_cancel(c);
}

/* A cancelled call returns at once; the connection stays usable. */
static void test_cancellable(Fixture *f, gconstpointer data)
{
	g_autofree char *conninfo = pg_conninfo();
	g_autoptr(GCancellable) c = g_cancellable_new();
	gulong h = g_signal_connect(f->rpc, "notification::query.started",
	                            G_CALLBACK(cancel_when_started), c);
	gint64 t0 = g_get_monotonic_time();
	Reply r;
	call(f->rpc, "query.execute",
	     json_pack("{s:s, s:s, s:s}", "conninfo", conninfo, "sql", "select pg_sleep(3)",
	               "query_id", "gtk-rpc-sleep"),
	     c, &r);
	g_assert_error(r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 2000000);
	g_signal_handler_disconnect(f->rpc, h);
	reply_clear(&r);
	call(f->rpc, "query.cancel", json_pack("{s:s}", "query_id", "gtk-rpc-sleep"), NULL, &r);
	g_assert_no_error(r.error);
	reply_clear(&r);
	call(f->rpc, "daemon.ping", NULL, NULL, &r);
	g_assert_no_error(r.error);
	reply_clear(&r);
}

/* The daemon stops under the client: calls in flight fail as disconnected,
 * the state goes away, a new daemon is started and the client is ready
 * again; a call made meanwhile is answered by the new daemon. */
static void test_daemon_restart(Fixture *f, gconstpointer data)
{
	int old = tusk_rpc_get_daemon_pid(f->rpc);
	g_autofree char *conninfo = pg_conninfo();
	Reply inflight = {0};
	tusk_rpc_call_async(
	    f->rpc, "query.execute",
	    json_pack("{s:s, s:s}", "conninfo", conninfo, "sql", "select pg_sleep(5)"), NULL,
	    on_reply, &inflight);
	for (int i = 0; i < 50; i++) {
		g_main_context_iteration(NULL, FALSE);
		g_usleep(2000);
	}
	kill(old, SIGKILL);
	while (!inflight.done)
		g_main_context_iteration(NULL, TRUE);
	g_assert_error(inflight.error, TUSK_RPC_ERROR, TUSK_RPC_ERROR_DISCONNECTED);
	reply_clear(&inflight);
	Reply r;
	call(f->rpc, "daemon.ping", NULL, NULL, &r);
	g_assert_no_error(r.error);
	reply_clear(&r);
	g_assert_cmpint(tusk_rpc_get_state(f->rpc), ==, TUSK_RPC_READY);
	int now = tusk_rpc_get_daemon_pid(f->rpc);
	g_assert_cmpint(now, >, 0);
	g_assert_cmpint(now, !=, old);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_nonnull(g_getenv("TUSKD"));
	/* before any daemon is started: an abort later would leave it running */
	g_free(pg_conninfo());
#define ADD(name, fn) \
	g_test_add("/gtk-rpc/" name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("autostart-and-reply", test_autostart_and_reply);
	ADD("replies-matched", test_replies_matched);
	ADD("notifications", test_notifications);
	ADD("cancellable", test_cancellable);
	ADD("daemon-restart", test_daemon_restart);
	return g_test_run();
}
