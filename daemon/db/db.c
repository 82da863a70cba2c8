/* The db library's one instance: what main.c gave it (struct db_env) and
 * the state of every module — pools, queries, contexts, listeners, the
 * result store, pending host-key trusts. Nothing in daemon/db keeps
 * state in a file-level variable (tests: db-no-globals). */
#include "daemon/db/db-internal.h"

#include <stdlib.h>

#include <libpq-fe.h>

struct db *db_new(const struct db_env *e)
{
	struct db *db = calloc(1, sizeof(*db));
	if (db) {
		db->env = *e;
		db->store.db = db;
		db->utf8_encoding = pg_char_to_encoding("UTF8");
	}
	return db;
}

void db_free(struct db *db)
{
	if (!db)
		return;
	free(db);
}

const struct db_env *db_env(const struct db *db)
{
	return &db->env;
}

int db_secret_lookup(struct db *db, SecretKind kind, const char *connection_id, credential_cb cb,
                     void *ud)
{
	if (!db->env.credentials.lookup)
		return -1;
	return db->env.credentials.lookup(db->env.credentials.ud, kind, connection_id, cb, ud);
}

void db_emit(struct db *db, const char *method, json_t *params)
{
	if (db->env.sink.event)
		db->env.sink.event(db->env.sink.ud, method, params);
	else
		json_decref(params);
}
