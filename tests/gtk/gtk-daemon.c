#include "tests/gtk/gtk-daemon.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>

char *pg_conninfo(void)
{
	const char *host = g_getenv("TUSK_TEST_PGHOST");
	g_assert_nonnull(host); /* run through scripts/test: never skip */
	return g_strdup_printf("host=%s port=%s user=%s dbname=postgres", host,
	                       g_getenv("TUSK_TEST_PGPORT"), g_getenv("TUSK_TEST_PGUSER"));
}

gboolean rpc_wait_state(TuskRpc *rpc, TuskRpcState want, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	while (tusk_rpc_get_state(rpc) != want && g_get_monotonic_time() < end) {
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	}
	return tusk_rpc_get_state(rpc) == want;
}

void fixture_setup(Fixture *f, gconstpointer data)
{
	f->dir = g_dir_make_tmp("tusk-gtk-rpc-XXXXXX", NULL);
	g_assert_nonnull(f->dir);
	f->socket = g_build_filename(f->dir, "tuskd.sock", NULL);
	g_autofree char *data_dir = g_build_filename(f->dir, "data", NULL);
	g_autofree char *state = g_build_filename(f->dir, "state", NULL);
	g_autofree char *cache = g_build_filename(f->dir, "cache", NULL);
	g_setenv("TUSK_DATA_DIR", data_dir, TRUE);
	g_setenv("TUSK_STATE_DIR", state, TRUE);
	g_setenv("TUSK_CACHE_DIR", cache, TRUE);
	g_setenv("TUSK_VALIDATE_REPLIES", "1", TRUE);
	/* nothing listens yet: the client starts $TUSKD itself */
	f->rpc = tusk_rpc_new(f->socket, g_getenv("TUSKD"), TRUE);
	tusk_rpc_start(f->rpc);
	g_assert_true(rpc_wait_state(f->rpc, TUSK_RPC_READY, 20000));
}

void stop_daemon(int pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 500 && kill(pid, 0) == 0; i++)
		g_usleep(10000);
}

void fixture_teardown(Fixture *f, gconstpointer data)
{
	int pid = tusk_rpc_get_daemon_pid(f->rpc);
	g_clear_object(&f->rpc);
	stop_daemon(pid);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(f->socket);
	g_free(f->dir);
}

void on_reply(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Reply *r = user_data;
	r->result = tusk_rpc_call_finish(TUSK_RPC(source), res, &r->data, &r->error);
	r->done = TRUE;
}

void call(TuskRpc *rpc, const char *method, json_t *params, GCancellable *c, Reply *r)
{
	*r = (Reply){0};
	tusk_rpc_call_async(rpc, method, params, c, on_reply, r);
	while (!r->done)
		g_main_context_iteration(NULL, TRUE);
}

void reply_clear(Reply *r)
{
	json_decref(r->result);
	json_decref(r->data);
	g_clear_error(&r->error);
}
