#include "daemon/wire.h"

#include <string.h>

#include "daemon/db/env.h"
#include "daemon/keyring.h"
#include "daemon/server.h"
#include "daemon/session.h"
#include "daemon/tuskd.h"
#include "protocol/tusk-names.h"

static int lookup_secret(void *ud, SecretKind kind, const char *connection_id, credential_cb cb,
                         void *cb_ud)
{
	return keyring_lookup(kind, connection_id, cb, cb_ud);
}

/* The one road from the db library to clients: server.c sends each event
 * to the subscribers of its topic. A pool that connected also tells the
 * session (reopened at the next start). */
static void on_event(void *ud, const char *method, json_t *params)
{
	if (strcmp(method, TUSK_N_CONNECTION_CONNECTED) == 0)
		session_pool_connected(json_string_value(json_object_get(params, "connection_id")));
	server_emit_event(tuskd.server, method, params);
}

static void save_context(void *ud, const char *connection_id, const char *name, const char *state,
                         int64_t began_us, long long count, const json_t *stmts)
{
	session_context_save(connection_id, name, state, began_us, count, stmts);
}

static void drop_context(void *ud, const char *connection_id, const char *name)
{
	session_context_drop(connection_id, name);
}

int tuskd_wire_db(void)
{
	tuskd.db = db_new(&(struct db_env){
	    .base = tuskd.base,
	    .workers = tuskd.workers,
	    .settings = tuskd.settings,
	    .credentials = {.lookup = lookup_secret},
	    .sink = {.event = on_event},
	    .contexts = {.save = save_context, .drop = drop_context},
	});
	return tuskd.db ? 0 : -1;
}
