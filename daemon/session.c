/* Persistent sessions (see session.h). */
#include "daemon/session.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/timestamp.h"
#include "daemon/db/context.h"
#include "daemon/db/pool.h"
#include "daemon/server.h"
#include "daemon/storage/connections.h"
#include "daemon/storage/settings.h"
#include "daemon/storage/storage.h"
#include "daemon/tuskd.h"
#include "protocol/jsonrpc.h"
#include "protocol/tusk-names.h"

struct restored {
	struct restored *next;
	char *id;
	char *name;
	const char *state; /* opening | open | failed | gone */
	json_t *contexts;  /* names */
	json_t *error;
};

static struct {
	struct restored *restored;
	json_t *lost; /* LostContext objects */
	bool restoring;
} S;

static sqlite3 *db(void)
{
	return tuskd.storage ? storage_db(tuskd.storage) : NULL;
}

/* Run one statement with up to four text / integer binds ("t" / "i"). */
static void run(const char *sql, const char *types, ...)
{
	sqlite3 *h = db();
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	if (!h || sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warn("session", "cannot prepare: %s", h ? sqlite3_errmsg(h) : "no storage");
		return;
	}
	va_list ap;
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 't') {
			const char *s = va_arg(ap, const char *);
			if (s)
				sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		}
	}
	va_end(ap);
	if (sqlite3_step(st) != SQLITE_DONE)
		log_warn("session", "cannot write the session: %s", sqlite3_errmsg(h));
}

static json_t *time_json(int64_t us)
{
	char buf[TUSK_TIMESTAMP_STRLEN];
	return tusk_timestamp_format(us, 3, buf) < 0 ? json_string("") : json_string(buf);
}

void session_pool_connected(const char *connection_id)
{
	struct pool *p = pool_find(tuskd.db, connection_id);
	if (!p || pool_transient(p) || tuskd.stopping ||
	    !settings_bool(tuskd.settings, "session.restore"))
		return;
	run("INSERT INTO session_connections (connection_id, opened_at) VALUES (?, ?) "
	    "ON CONFLICT (connection_id) DO NOTHING",
	    "ti", connection_id, storage_now_us());
}

void session_forget(const char *connection_id)
{
	run("DELETE FROM session_connections WHERE connection_id = ?", "t", connection_id);
	run("DELETE FROM session_contexts WHERE connection_id = ?", "t", connection_id);
}

void session_context_save(const char *connection_id, const char *name, const char *state,
                          int64_t began_us, long long count, const json_t *stmts)
{
	struct pool *p = pool_find(tuskd.db, connection_id);
	if (!p || pool_transient(p) || tuskd.stopping)
		return;
	_cleanup_free_ char *text = json_dumps(stmts, JSON_COMPACT);
	run("INSERT INTO session_contexts (connection_id, name, state, began_at, statement_count, "
	    "statements, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT (connection_id, name) DO UPDATE SET state = excluded.state, "
	    "began_at = excluded.began_at, statement_count = excluded.statement_count, "
	    "statements = excluded.statements, updated_at = excluded.updated_at",
	    "tttiiti", connection_id, name, state, began_us, (int64_t)count, text ? text : "[]",
	    storage_now_us());
}

void session_context_drop(const char *connection_id, const char *name)
{
	if (tuskd.stopping)
		return;
	run("DELETE FROM session_contexts WHERE connection_id = ? AND name = ?", "tt",
	    connection_id, name);
}

static struct restored *find_restored(const char *id)
{
	for (struct restored *r = S.restored; r; r = r->next)
		if (strcmp(r->id, id) == 0)
			return r;
	return NULL;
}

static struct restored *add_restored(const char *id, const char *name)
{
	struct restored *r = calloc(1, sizeof(*r));
	r->id = strdup(id);
	r->name = strdup(name ? name : id);
	r->state = "opening";
	r->contexts = json_array();
	r->error = json_null();
	struct restored **pp = &S.restored;
	while (*pp)
		pp = &(*pp)->next;
	*pp = r;
	return r;
}

static void reopened(struct pool *p, const TuskError *e, void *ud)
{
	struct restored *r = ud;
	if (!p) {
		r->state = "failed";
		json_decref(r->error);
		r->error = tusk_error_info_to_json(e);
		log_warn("session", "could not reopen %s: %s", r->name, tusk_error_message(e));
		return;
	}
	r->state = "open";
	size_t i;
	json_t *name;
	json_array_foreach(r->contexts, i, name) context_get(p, json_string_value(name), 0);
	log_info("session", "reopened %s (%zu named context(s) re-created)", r->name,
	         json_array_size(r->contexts));
}

static char *conn_name(const char *id)
{
	TuskConnectionConfig *cfg = NULL;
	if (connections_get(tuskd.storage, id, &cfg, NULL) < 0)
		return NULL;
	char *name = strdup(cfg->name);
	tusk_connection_config_free(cfg);
	return name;
}

static void read_contexts(void)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db(),
	                       "SELECT connection_id, name, state, began_at, statement_count, "
	                       "statements FROM session_contexts ORDER BY connection_id, name",
	                       -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *state = (const char *)sqlite3_column_text(st, 2);
		if (!id || !name || !state)
			continue;
		_cleanup_free_ char *cname = conn_name(id);
		if (!cname)
			continue; /* the connection was deleted since */
		struct restored *r = find_restored(id);
		if (r)
			json_array_append_new(r->contexts, json_string(name));
		if (strcmp(state, "in_transaction") != 0 && strcmp(state, "in_error") != 0)
			continue;
		json_t *stmts = json_loads((const char *)sqlite3_column_text(st, 5), 0, NULL);
		if (!json_is_array(stmts)) {
			json_decref(stmts);
			stmts = json_array();
		}
		json_t *lost = json_pack(
		    "{s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:s}", "connection_id", id, "name", cname,
		    "context", name, "transaction_state", state, "began_at",
		    time_json(sqlite3_column_int64(st, 3)), "statements", stmts, "statement_count",
		    (json_int_t)sqlite3_column_int64(st, 4), "reason",
		    "tuskd stopped while the transaction was open; its backend is gone and the "
		    "server rolled the transaction back");
		if (lost) {
			log_warn("session", "%s: the transaction of context %s was lost", cname,
			         name);
			json_array_append_new(S.lost, lost);
		}
	}
}

void session_restore(void)
{
	S.lost = json_array();
	bool restore = settings_bool(tuskd.settings, "session.restore");
	if (!db())
		return;
	if (restore) {
		_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db(),
		                       "SELECT connection_id FROM session_connections ORDER BY "
		                       "opened_at",
		                       -1, &st, NULL) == SQLITE_OK)
			while (sqlite3_step(st) == SQLITE_ROW) {
				const char *id = (const char *)sqlite3_column_text(st, 0);
				if (!id)
					continue;
				_cleanup_free_ char *name = conn_name(id);
				struct restored *r = add_restored(id, name);
				if (!name)
					r->state = "gone";
			}
	}
	read_contexts();
	/* Those transactions are over; contexts to come write anew. */
	run("DELETE FROM session_contexts", "");
	if (!restore)
		run("DELETE FROM session_connections", "");
	for (struct restored *r = S.restored; r; r = r->next) {
		if (strcmp(r->state, "gone") == 0) {
			run("DELETE FROM session_connections WHERE connection_id = ?", "t", r->id);
			continue;
		}
		TuskConnectionConfig *cfg = NULL;
		if (connections_get(tuskd.storage, r->id, &cfg, NULL) < 0)
			continue;
		log_info("session", "reopening %s", r->name);
		pool_open_saved(tuskd.db, cfg, reopened, r);
		tusk_connection_config_free(cfg);
	}
}

void session_free(void)
{
	struct restored *r = S.restored, *next;
	for (; r; r = next) {
		next = r->next;
		free(r->id);
		free(r->name);
		json_decref(r->contexts);
		json_decref(r->error);
		free(r);
	}
	S.restored = NULL;
	json_decref(S.lost);
	S.lost = NULL;
}

json_t *session_status_json(void)
{
	json_t *restored = json_array();
	for (struct restored *r = S.restored; r; r = r->next)
		json_array_append_new(restored,
		                      json_pack("{s:s, s:s, s:s, s:O, s:O}", "connection_id", r->id,
		                                "name", r->name, "state", r->state, "contexts",
		                                r->contexts, "error", r->error));
	return json_pack("{s:b, s:o, s:o}", "restore",
	                 settings_bool(tuskd.settings, "session.restore"), "restored", restored,
	                 "lost_contexts", S.lost ? json_incref(S.lost) : json_array());
}

static void replay_later(evutil_socket_t fd, short what, void *ud)
{
	struct client *c = ud;
	if (client_alive(c))
		session_replay_lost(c);
	client_unref(c);
}

void session_replay_lost_later(struct client *c)
{
	if (json_array_size(S.lost) == 0)
		return;
	if (event_base_once(tuskd.base, -1, EV_TIMEOUT, replay_later, client_ref(c),
	                    &(struct timeval){0}) < 0)
		client_unref(c);
}

void session_replay_lost(struct client *c)
{
	size_t i;
	json_t *lost;
	json_array_foreach(S.lost, i, lost)
	{
		_cleanup_json_ json_t *msg =
		    tusk_rpc_notification(TUSK_N_CONTEXT_LOST, json_copy(lost));
		client_send(c, msg);
	}
}
