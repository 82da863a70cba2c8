/* What the db library receives from the process that runs it, and all it
 * reaches beyond itself: main.c fills one struct db_env and hands it to
 * db_new before any pool opens. Nothing in daemon/db includes daemon/rpc,
 * daemon/server*, daemon/main.c or daemon/tuskd.h (scripts/check-layers). */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "daemon/db/credentials.h"

struct event_base;
struct worker_pool;
struct Settings;

/* Events leave the db library here and nowhere else: connection.*,
 * schema.*, notify.gap and pg.notification, named as the protocol's
 * notifications. params is stolen. The receiver (tuskd: server.c) turns
 * them into notifications for subscribers. */
struct db_sink {
	void (*event)(void *ud, const char *method, json_t *params);
	void *ud;
};

/* Named contexts inside a transaction, kept across a restart (tuskd:
 * session.c). save: the context's transaction state now; drop: its
 * transaction ended. Either may be NULL. */
struct db_context_keeper {
	void (*save)(void *ud, const char *connection_id, const char *name, const char *state,
	             int64_t began_us, long long count, const json_t *stmts);
	void (*drop)(void *ud, const char *connection_id, const char *name);
	void *ud;
};

struct db_env {
	struct event_base *base;     /* the loop every db event and timer lives on */
	struct worker_pool *workers; /* blocking calls: DNS, cancel, file checks, SQLite writes */
	struct Settings *settings;   /* read live: settings.set applies at once */
	struct db_credentials credentials;
	struct db_sink sink;
	struct db_context_keeper contexts;
};

/* The db library's instance: every pool, query, context, listener, the
 * result store. Made by main.c (db_new copies env) before any pool opens,
 * handed to every call of the db API that has no pool or query to reach it
 * through, freed (db_free) after pool_close_all and store_free. NULL: out
 * of memory. */
struct db;
struct db *db_new(const struct db_env *env);
void db_free(struct db *db);

/* For db modules: the environment db_new was given. */
const struct db_env *db_env(const struct db *db);
/* The credential lookup, for db modules: < 0 when none was given or it
 * cannot start (cb will not run). */
int db_secret_lookup(struct db *db, SecretKind kind, const char *connection_id, credential_cb cb,
                     void *ud);
/* The sink, for db modules (params stolen; dropped when nobody listens). */
void db_emit(struct db *db, const char *method, json_t *params);
