/* What the GTK suites that need a real tuskd share: a daemon of their own
 * (started by TuskRpc itself in a private directory), PostgreSQL's
 * conninfo from scripts/test, and a blocking call for test code. */
#pragma once

#include "client-gtk/tusk-rpc.h"

typedef struct {
	char *dir;
	char *socket;
	TuskRpc *rpc;
} Fixture;

typedef struct {
	json_t *result;
	json_t *data;
	GError *error;
	gboolean done;
} Reply;

char *pg_conninfo(void);
gboolean rpc_wait_state(TuskRpc *rpc, TuskRpcState want, int ms);
void fixture_setup(Fixture *f, gconstpointer data);
void fixture_teardown(Fixture *f, gconstpointer data);
void stop_daemon(int pid);
void on_reply(GObject *source, GAsyncResult *res, gpointer user_data);
/* The call's reply in r, running the main context until it is there. */
void call(TuskRpc *rpc, const char *method, json_t *params, GCancellable *c, Reply *r);
void reply_clear(Reply *r);
