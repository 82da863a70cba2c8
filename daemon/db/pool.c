/* Pools: the registry of open connections, a pool's life (made, opened,
 * closed, freed), its status and events, and what other modules attach to
 * it. Handing out backends is pool-lend.c, opening pool-open.c,
 * connections.test pool-test.c, status and the janitor pool-status.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/log.h"
#include "daemon/db/context.h"
#include "daemon/db/db-internal.h"
#include "daemon/db/meta.h"
#include "daemon/db/pool-internal.h"
#include "protocol/tusk-names.h"

unsigned pool_alive_count(struct db *db)
{
	return db->pools_alive;
}

struct pool *pool_next_registered(struct db *db, struct pool *p)
{
	return p ? p->next : db->pools;
}

struct pool *pool_ref(struct pool *p)
{
	p->refs++;
	return p;
}

void pool_unref(struct pool *p)
{
	if (--p->refs > 0)
		return;
	connparams_free(p->params);
	tusk_connection_config_free(p->tunnel_cfg);
	if (p->typed_ssh_secret) {
		explicit_bzero(p->typed_ssh_secret, strlen(p->typed_ssh_secret));
		free(p->typed_ssh_secret);
	}
	if (p->key_passphrase) {
		explicit_bzero(p->key_passphrase, strlen(p->key_passphrase));
		free(p->key_passphrase);
	}
	if (p->identity) {
		explicit_bzero(p->identity, strlen(p->identity));
		free(p->identity);
	}
	if (p->raw_key) {
		explicit_bzero(p->raw_key, strlen(p->raw_key));
		free(p->raw_key);
	}
	free(p->agent_sock);
	free(p->name);
	free(p->display);
	free(p->server_version);
	json_decref(p->tls);
	meta_cache_free(p->meta);
	for (int i = 0; i < _POOL_SLOT_MAX; i++)
		if (p->attachments[i] && p->attachment_free[i])
			p->attachment_free[i](p->attachments[i]);
	tusk_error_clear(&p->last_error);
	if (p->retry_timer)
		event_free(p->retry_timer);
	p->db->pools_alive--;
	free(p);
}

struct meta_cache *pool_meta(struct pool *p)
{
	if (!p->meta)
		p->meta = meta_cache_new();
	return p->meta;
}

struct db *pool_db(const struct pool *p)
{
	return p->db;
}

const char *pool_id(const struct pool *p)
{
	return p->id;
}

bool pool_transient(const struct pool *p)
{
	return p->transient;
}

bool pool_closing(const struct pool *p)
{
	return p->closing;
}

const char *pool_display(const struct pool *p)
{
	return p->display ? p->display : p->id;
}

const char *pool_label(const struct pool *p)
{
	return p->name && !p->transient ? p->name : pool_display(p);
}

void *pool_attachment(struct pool *p, enum pool_slot slot)
{
	return p->attachments[slot];
}

void pool_set_attachment(struct pool *p, enum pool_slot slot, void *data,
                         void (*free_fn)(void *data))
{
	if (p->attachments[slot] && p->attachment_free[slot])
		p->attachment_free[slot](p->attachments[slot]);
	p->attachments[slot] = data;
	p->attachment_free[slot] = free_fn;
}

void pool_set_ddl_hook(struct db *db, void (*fn)(struct pool *p, const char *sql))
{
	db->ddl_hook = fn;
}

void pool_ran_ddl(struct pool *p, const char *sql)
{
	if (p->db->ddl_hook && !p->closing)
		p->db->ddl_hook(p, sql);
}

void pool_set_open_hook(struct db *db, void (*fn)(struct pool *p))
{
	db->open_hook = fn;
}

void pool_opened_hook(struct pool *p)
{
	if (p->db->open_hook && !p->ephemeral)
		p->db->open_hook(p);
}

const char *pool_database(const struct pool *p)
{
	const char *db = connparams_get(p->params, "dbname");
	return db ? db : connparams_get(p->params, "user");
}

struct pool *pool_find(struct db *db, const char *connection_id)
{
	for (struct pool *p = db->pools; p; p = p->next)
		if (strcmp(p->id, connection_id) == 0 ||
		    (p->name && !p->transient && strcmp(p->name, connection_id) == 0))
			return p;
	return NULL;
}

const char *pool_status_name(const struct pool *p)
{
	return tusk_connection_status_name(p->status);
}

void pool_emit(const char *event, struct pool *p, json_t *extra)
{
	if (p->ephemeral) {
		json_decref(extra);
		return;
	}
	json_t *params = json_pack("{s:s, s:s, s:s}", "connection_id", p->id, "name",
	                           p->name ? p->name : p->display, "status", pool_status_name(p));
	if (extra)
		json_object_update(params, extra);
	json_decref(extra);
	db_emit(p->db, event, params);
}

void pool_set_status(struct pool *p, TuskConnectionStatus st)
{
	if (p->status == st)
		return;
	p->status = st;
	pool_emit(TUSK_N_CONNECTION_STATUS_CHANGED, p, NULL);
}

void pool_answer_openers(struct pool *p, const TuskError *e)
{
	struct open_request *o = p->openers;
	p->openers = NULL;
	while (o) {
		struct open_request *next = o->next;
		o->cb(e ? NULL : p, e, o->ud);
		free(o);
		o = next;
	}
}

static void unregister(struct pool *p)
{
	for (struct pool **pp = &p->db->pools; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			p->next = NULL;
			p->registered = false;
			return;
		}
}

void pool_register(struct pool *p)
{
	p->next = p->db->pools;
	p->db->pools = p;
	p->registered = true;
}

struct pool *pool_new(struct db *db, const char *id, const char *name, struct connparams *params)
{
	struct pool *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	snprintf(p->id, sizeof(p->id), "%s", id);
	p->name = name ? strdup(name) : NULL;
	p->params = params;
	p->display = connparams_display(params);
	p->status = TUSK_CONNECTION_CONNECTING;
	p->opened_at_us = tusk_mono_us();
	p->refs = 1; /* the registry's, or the tester's */
	p->db = db;
	db->pools_alive++;
	for (int i = 0; i < _BACKEND_STATE_MAX; i++)
		TAILQ_INIT(&p->lists[i]);
	TAILQ_INIT(&p->waiters);
	return p;
}

void pool_add_opener(struct pool *p, pool_open_cb cb, void *ud)
{
	struct open_request *o = calloc(1, sizeof(*o));
	o->cb = cb;
	o->ud = ud;
	o->next = p->openers;
	p->openers = o;
}

void pool_close(struct pool *p, const char *reason)
{
	if (p->closing)
		return;
	p->closing = true;
	pool_ref(p);
	unregister(p);
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_NO_ACTIVE_CONNECTION, "the connection was closed (%s)", reason);
	pool_answer_openers(p, &e);
	pool_fail_waiters(p, &e);
	tusk_error_clear(&e);
	struct backend *b;
	while ((b = TAILQ_FIRST(&p->lists[BACKEND_IDLE]))) {
		backend_set_state(b, BACKEND_BROKEN);
		backend_free(b);
	}
	while ((b = TAILQ_FIRST(&p->lists[BACKEND_CONNECTING]))) {
		backend_set_state(b, BACKEND_BROKEN);
		backend_free(b);
	}
	context_pool_closed(p);
	/* What other modules keep for the pool (the schema cache and its load
	 * in flight, the SSH tunnel) goes now: it may hold references to the
	 * pool that would otherwise keep it alive. */
	for (int i = 0; i < _POOL_SLOT_MAX; i++)
		pool_set_attachment(p, (enum pool_slot)i, NULL, NULL);
	/* Busy backends go when their users release them. */
	pool_set_status(p, TUSK_CONNECTION_DISCONNECTED);
	pool_emit(TUSK_N_CONNECTION_DISCONNECTED, p,
	          json_pack("{s:s, s:b}", "reason", reason, "will_reconnect", 0));
	log_info("pool", "%s: closed (%s)", p->display, reason);
	pool_unref(p); /* ours */
	pool_unref(p); /* the registry's */
}

void pool_forget(struct db *db, const char *connection_id)
{
	struct pool *p = pool_find(db, connection_id);
	if (p)
		pool_close(p, "the saved connection changed or was deleted");
}

void pool_close_all(struct db *db)
{
	while (db->pools)
		pool_close(db->pools, "the daemon is stopping");
}
