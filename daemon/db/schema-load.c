/* Loading the schema cache: the catalog script (schema-catalog.c) runs on a
 * backend of the pool, driven from the loop like daemon/db/meta.c's
 * look-ups, one result set per object kind, read row by row so that the
 * loop turns between socket reads. A reload names the schemas it
 * covers; their nodes are replaced in the tree and the objects that came,
 * went or changed are announced on topic schema. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "common/cleanup.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/sql.h"
#include "daemon/db/env.h"
#include "daemon/db/pool.h"
#include "daemon/db/schema-catalog.h"
#include "daemon/db/schema-internal.h"
#include "daemon/storage/settings.h"
#include "protocol/tusk-names.h"

/* A load runs its queries in parts, each on its own backend of the pool
 * at once (as many as the pool gives): the catalog queries are the cost,
 * and the server runs them side by side. */
enum { LOAD_PARTS = 3 };
static const int part_kinds[LOAD_PARTS][6] = {
    {SCHEMA_R_PATH, SCHEMA_R_SCHEMAS, SCHEMA_R_RELATIONS, SCHEMA_R_COLUMNS, -1},
    {SCHEMA_R_INDEXES, SCHEMA_R_TRIGGERS, SCHEMA_R_POLICIES, -1},
    {SCHEMA_R_CONSTRAINTS, SCHEMA_R_FUNCTIONS, SCHEMA_R_TYPES, SCHEMA_R_EXTENSIONS, SCHEMA_R_ROLES,
     -1},
};

struct schema_part {
	struct schema_load *l;
	struct pool_waiter *waiter;
	struct backend *b;
	int next; /* index in part_kinds of the result set expected next */
	int nkinds;
	bool done;
};

struct schema_load {
	struct pool *pool;
	struct schema_cache *c; /* NULL once the cache is gone */
	json_t *schemas;        /* reloaded schema names, or NULL: all */
	struct schema_part parts[LOAD_PARTS];
	int running;    /* parts not done */
	int kinds_done; /* result sets read, for progress */
	struct schema_build build;
	uint64_t started_us;
	TuskError e;
};

static void emit(struct pool *p, const char *event, json_t *params)
{
	db_emit(pool_db(p), event, params);
}

static void load_abort(struct schema_load *l);

static void cache_free(void *data)
{
	struct schema_cache *c = data;
	if (!c)
		return;
	if (c->load)
		load_abort(c->load);
	for (struct schema_waiter *w = c->waiters, *n; w; w = n) {
		n = w->next;
		free(w);
	}
	for (struct schema_waiter *w = c->pending_waiters, *n; w; w = n) {
		n = w->next;
		free(w);
	}
	json_decref(c->pending);
	json_decref(c->tree);
	free(c->named);
	free(c->entries);
	free(c->arena);
	free(c);
}

struct schema_cache *schema_cache_of(struct pool *p)
{
	struct schema_cache *c = pool_attachment(p, POOL_SLOT_SCHEMA);
	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->pool = p;
	pool_set_attachment(p, POOL_SLOT_SCHEMA, c, cache_free);
	return c;
}

bool schema_cache_loaded(const struct schema_cache *c)
{
	return c && c->tree;
}

const char *schema_cache_connection_id(const struct schema_cache *c)
{
	return pool_id(c->pool);
}

/* ---- events ----------------------------------------------------------- */

/* "kind\tschema\tname" → object, for every object of a schema node. */
static void collect(json_t *map, const char *schema, json_t *node)
{
	static const char *const members[] = {"relations", "functions", "sequences", "types"};
	char key[1024];
	snprintf(key, sizeof(key), "schema\t\t%s", schema);
	json_object_set(map, key, node);
	for (size_t m = 0; m < sizeof(members) / sizeof(*members); m++) {
		size_t i;
		json_t *o;
		json_array_foreach(json_object_get(node, members[m]), i, o)
		{
			const char *kind = schema_field(o, "kind");
			const char *args = schema_field(o, "arguments");
			snprintf(key, sizeof(key), "%s\t%s\t%s%s%s%s",
			         kind                   ? kind
			         : members[m][0] == 's' ? "sequence"
			                                : "?",
			         schema, schema_field(o, "name"), args ? "(" : "", args ? args : "",
			         args ? ")" : "");
			json_object_set(map, key, o);
		}
	}
}

static void announce(struct pool *p, const char *event, const char *id, const char *key)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", key);
	char *kind = buf, *schema = strchr(kind, '\t');
	if (!schema)
		return;
	*schema++ = '\0';
	char *name = strchr(schema, '\t');
	if (!name)
		return;
	*name++ = '\0';
	emit(p, event,
	     json_pack("{s:s, s:s, s:s?, s:s}", "connection_id", id, "kind", kind, "schema",
	               *schema ? schema : NULL, "name", name));
}

/* Put the reloaded schema nodes of fresh into c's tree and announce what
 * changed in them. */
static void merge(struct schema_cache *c, json_t *fresh, const json_t *schemas)
{
	json_t *old = json_object(), *neu = json_object();
	json_t *cur = json_object_get(c->tree, "schemas");
	json_t *got = json_object_get(fresh, "schemas");
	size_t i;
	json_t *v;
	json_array_foreach(schemas, i, v)
	{
		const char *name = json_string_value(v);
		json_t *o = json_object_get(cur, name), *n = json_object_get(got, name);
		if (o)
			collect(old, name, o);
		if (n) {
			collect(neu, name, n);
			json_object_set(cur, name, n);
		} else {
			json_object_del(cur, name);
		}
	}
	/* Extensions and roles are reloaded every time. */
	static const char *const globals[][2] = {{"extensions", "extension"}, {"roles", "role"}};
	for (size_t g = 0; g < 2; g++) {
		json_t *list[2] = {json_object_get(c->tree, globals[g][0]),
		                   json_object_get(fresh, globals[g][0])};
		json_t *maps[2] = {old, neu};
		for (int side = 0; side < 2; side++) {
			json_array_foreach(list[side], i, v)
			{
				char gkey[1024];
				snprintf(gkey, sizeof(gkey), "%s\t\t%s", globals[g][1],
				         json_string_value(json_object_get(v, "name")));
				json_object_set(maps[side], gkey, v);
			}
		}
	}
	const char *id = pool_id(c->pool), *key;
	json_object_foreach(neu, key, v)
	{
		json_t *o = json_object_get(old, key);
		if (!o)
			announce(c->pool, TUSK_N_SCHEMA_OBJECT_CREATED, id, key);
		else if (!json_equal(o, v) && strncmp(key, "schema\t", 7) != 0)
			announce(c->pool, TUSK_N_SCHEMA_OBJECT_ALTERED, id, key);
	}
	json_object_foreach(old, key, v)
	{
		if (!json_object_get(neu, key))
			announce(c->pool, TUSK_N_SCHEMA_OBJECT_DROPPED, id, key);
	}
	json_object_set(c->tree, "extensions", json_object_get(fresh, "extensions"));
	json_object_set(c->tree, "roles", json_object_get(fresh, "roles"));
	json_object_set(c->tree, "search_path", json_object_get(fresh, "search_path"));
	json_decref(old);
	json_decref(neu);
}

/* ---- the load ------------------------------------------------------------ */

static void add_name(json_t *list, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) if (strcmp(json_string_value(v), name) == 0) return;
	json_array_append_new(list, json_string(name));
}

static void start_load(struct schema_cache *c, json_t *schemas, struct schema_waiter *waiters);

static void run_waiters(struct schema_waiter *w, struct schema_cache *c, const TuskError *e)
{
	while (w) {
		struct schema_waiter *n = w->next;
		if (w->cb)
			w->cb(c, e, w->ud);
		free(w);
		w = n;
	}
}

static void load_finish(struct schema_load *l)
{
	struct schema_cache *c = l->c;
	const TuskError *e = l->e.kind != TUSK_ERR_NONE ? &l->e : NULL;
	struct schema_waiter *waiters = NULL;
	if (c) {
		c->load = NULL;
		waiters = c->waiters;
		c->waiters = NULL;
		const char *id = pool_id(c->pool);
		double ms = (double)(tusk_mono_us() - l->started_us) / 1000.0;
		if (!e && schema_build_finish(&l->build) < 0)
			tusk_error_set(&l->e, TUSK_ERR_INTERNAL, "out of memory"), e = &l->e;
		if (!e) {
			if (!c->tree || !l->schemas) {
				if (c->tree && !l->schemas) {
					/* A whole refresh: announce per schema. */
					json_t *all = json_array();
					const char *k;
					json_t *v;
					json_object_foreach(json_object_get(c->tree, "schemas"), k,
					                    v) add_name(all, k);
					json_object_foreach(
					    json_object_get(l->build.tree, "schemas"), k, v)
					    add_name(all, k);
					merge(c, l->build.tree, all);
					json_decref(all);
				} else {
					c->tree = json_incref(l->build.tree);
				}
			} else {
				merge(c, l->build.tree, l->schemas);
			}
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			c->loaded_at_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
			c->load_ms = ms;
			schema_index_build(c);
			json_t *counts = json_object();
			for (int k = SCHEMA_R_SCHEMAS; k < SCHEMA_R_MAX; k++)
				json_object_set_new(counts, schema_result_names[k],
				                    json_integer(l->build.counts[k]));
			emit(c->pool, TUSK_N_SCHEMA_REFRESH_COMPLETED,
			     json_pack("{s:s, s:f, s:o}", "connection_id", id, "duration_ms", ms,
			               "counts", counts));
		} else {
			emit(c->pool, TUSK_N_SCHEMA_REFRESH_FAILED,
			     json_pack("{s:s, s:o}", "connection_id", id, "error",
			               tusk_error_info_to_json(e)));
		}
	}
	run_waiters(waiters, c, e);
	if (c && (c->pending || c->pending_all)) {
		json_t *next = c->pending_all ? NULL : c->pending;
		struct schema_waiter *pw = c->pending_waiters;
		c->pending = NULL;
		c->pending_all = false;
		c->pending_waiters = NULL;
		start_load(c, next, pw);
		json_decref(next);
	}
	for (int i = 0; i < LOAD_PARTS; i++) {
		if (l->parts[i].waiter)
			pool_acquire_cancel(l->parts[i].waiter);
		if (l->parts[i].b)
			pool_release(l->parts[i].b);
	}
	schema_build_clear(&l->build);
	json_decref(l->schemas);
	tusk_error_clear(&l->e);
	pool_unref(l->pool);
	free(l);
	schema_trim();
}

/* One part is over (its backend back to the pool); the last one ends the
 * load. */
static void part_done(struct schema_part *part)
{
	struct schema_load *l = part->l;
	if (part->done)
		return;
	part->done = true;
	if (part->waiter) {
		pool_acquire_cancel(part->waiter);
		part->waiter = NULL;
	}
	if (part->b) {
		backend_set_io(part->b, NULL, NULL);
		pool_release(part->b);
		part->b = NULL;
	}
	if (--l->running == 0)
		load_finish(l);
}

/* The cache goes with its pool: stop a load in flight at once (the pool
 * is closing, perhaps with the daemon) rather than wait for the server. */
static void load_abort(struct schema_load *l)
{
	if (l->c)
		l->c->load = NULL;
	for (int i = 0; i < LOAD_PARTS; i++) {
		struct schema_part *part = &l->parts[i];
		if (part->waiter)
			pool_acquire_cancel(part->waiter);
		if (part->b) {
			backend_set_io(part->b, NULL, NULL);
			backend_mark_broken(part->b);
			pool_release(part->b);
		}
	}
	schema_build_clear(&l->build);
	json_decref(l->schemas);
	tusk_error_clear(&l->e);
	pool_unref(l->pool);
	free(l);
}

static void load_io(struct backend *b, short what, void *ud)
{
	struct schema_part *part = ud;
	struct schema_load *l = part->l;
	PGconn *conn = backend_conn(b);
	if (backend_pump(b, what) < 0)
		goto broken;
	if (!(what & EV_READ))
		return;
	while (!PQisBusy(conn)) {
		PGresult *res = PQgetResult(conn);
		if (!res) {
			if (l->e.kind == TUSK_ERR_NONE && part->next < part->nkinds)
				tusk_error_set(&l->e, TUSK_ERR_INTERNAL,
				               "schema load: %d of %d result sets", part->next,
				               part->nkinds);
			part_done(part);
			return;
		}
		int kind = part->next < part->nkinds ? part_kinds[part - l->parts][part->next] : -1;
		if (PQresultStatus(res) == PGRES_SINGLE_TUPLE && kind >= 0) {
			schema_build_rows(&l->build, kind, res);
		} else if (PQresultStatus(res) == PGRES_TUPLES_OK && kind >= 0) {
			schema_build_rows(&l->build, kind, res);
			l->kinds_done++;
			if (l->c)
				emit(l->pool, TUSK_N_SCHEMA_REFRESH_PROGRESS,
				     json_pack("{s:s, s:s, s:i, s:i}", "connection_id",
				               pool_id(l->pool), "kind", schema_result_names[kind],
				               "done", l->kinds_done, "total", SCHEMA_R_MAX));
			part->next++;
		} else if (l->e.kind == TUSK_ERR_NONE) {
			tusk_error_from_pgresult(&l->e, res);
		}
		PQclear(res);
	}
	return;
broken:
	if (l->e.kind == TUSK_ERR_NONE)
		tusk_error_set(&l->e, TUSK_ERR_CONNECTION_FAILED, "schema load: %s",
		               PQerrorMessage(conn));
	backend_mark_broken(b);
	part_done(part);
}

/* "true", or n.nspname in ('a', 'b') with literals escaped by conn. */
static char *filter_sql(PGconn *conn, const json_t *schemas)
{
	if (!schemas)
		return strdup("true");
	size_t cap = 32, len = 0;
	char *f = malloc(cap);
	if (!f)
		return NULL;
	len = (size_t)snprintf(f, cap, "n.nspname in (''");
	size_t i;
	json_t *v;
	json_array_foreach(schemas, i, v)
	{
		char *lit = PQescapeLiteral(conn, json_string_value(v), json_string_length(v));
		if (!lit) {
			free(f);
			return NULL;
		}
		size_t need = len + strlen(lit) + 4;
		if (need > cap) {
			cap = need * 2;
			char *g = realloc(f, cap);
			if (!g) {
				PQfreemem(lit);
				free(f);
				return NULL;
			}
			f = g;
		}
		len += (size_t)snprintf(f + len, cap - len, ", %s", lit);
		PQfreemem(lit);
	}
	snprintf(f + len, cap - len, ")");
	return f;
}

static void load_got_backend(struct backend *b, const TuskError *e, void *ud)
{
	struct schema_part *part = ud;
	struct schema_load *l = part->l;
	part->waiter = NULL;
	if (!b) {
		if (l->e.kind == TUSK_ERR_NONE)
			tusk_error_copy(&l->e, e);
		part_done(part);
		return;
	}
	part->b = b;
	if (l->e.kind != TUSK_ERR_NONE) {
		part_done(part); /* another part failed: no need */
		return;
	}
	PGconn *conn = backend_conn(b);
	_cleanup_free_ char *filter = filter_sql(conn, l->schemas);
	_cleanup_free_ char *sql =
	    filter ? schema_catalog_sql(filter, part_kinds[part - l->parts], part->nkinds) : NULL;
	if (!sql) {
		tusk_error_set(&l->e, TUSK_ERR_INTERNAL, "out of memory");
		part_done(part);
		return;
	}
	if (!PQsendQuery(conn, sql)) {
		tusk_error_set(&l->e, TUSK_ERR_CONNECTION_FAILED, "schema load: %s",
		               PQerrorMessage(conn));
		backend_mark_broken(b);
		part_done(part);
		return;
	}
	/* Row by row: 100,000 columns are not turned into JSON in one turn
	 * of the loop. */
	PQsetSingleRowMode(conn);
	backend_set_io(b, load_io, part);
	int f = PQflush(conn);
	backend_watch(b, f == 1 ? EV_READ | EV_WRITE : EV_READ);
}

static void start_load(struct schema_cache *c, json_t *schemas, struct schema_waiter *waiters)
{
	struct schema_load *l = calloc(1, sizeof(*l));
	if (!l || schema_build_init(&l->build) < 0) {
		free(l);
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_set(&e, TUSK_ERR_INTERNAL, "out of memory");
		run_waiters(waiters, c, &e);
		tusk_error_clear(&e);
		return;
	}
	l->pool = pool_ref(c->pool);
	l->c = c;
	l->schemas = json_incref(schemas);
	l->started_us = tusk_mono_us();
	c->load = l;
	c->waiters = waiters;
	emit(c->pool, TUSK_N_SCHEMA_REFRESH_STARTED,
	     json_pack("{s:s, s:O?}", "connection_id", pool_id(c->pool), "schemas", schemas));
	l->running = LOAD_PARTS;
	for (int i = 0; i < LOAD_PARTS; i++) {
		struct schema_part *part = &l->parts[i];
		part->l = l;
		while (part_kinds[i][part->nkinds] >= 0)
			part->nkinds++;
	}
	/* The callbacks run from the loop, never inside pool_acquire. */
	for (int i = 0; i < LOAD_PARTS; i++) {
		struct schema_part *part = &l->parts[i];
		part->waiter = pool_acquire(c->pool, load_got_backend, part);
		if (!part->waiter) {
			if (l->e.kind == TUSK_ERR_NONE)
				tusk_error_set(&l->e, TUSK_ERR_INTERNAL, "schema load: no backend");
			part_done(part);
		}
	}
}

static struct schema_waiter *waiter_new(schema_ready_cb cb, void *ud)
{
	struct schema_waiter *w = calloc(1, sizeof(*w));
	if (w) {
		w->cb = cb;
		w->ud = ud;
	}
	return w;
}

static void fail_now(schema_ready_cb cb, void *ud)
{
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_INTERNAL, "out of memory");
	if (cb)
		cb(NULL, &e, ud);
	tusk_error_clear(&e);
}

void schema_ensure(struct pool *p, schema_ready_cb cb, void *ud)
{
	struct schema_cache *c = schema_cache_of(p);
	if (c && c->tree && !c->load) {
		cb(c, NULL, ud);
		return;
	}
	if (c && c->tree) {
		cb(c, NULL, ud); /* a reload is running: the cache is usable */
		return;
	}
	struct schema_waiter *w = c ? waiter_new(cb, ud) : NULL;
	if (!w) {
		fail_now(cb, ud);
		return;
	}
	if (c->load) {
		w->next = c->waiters;
		c->waiters = w;
		return;
	}
	start_load(c, NULL, w);
}

void schema_reload(struct pool *p, const json_t *schemas, schema_ready_cb cb, void *ud)
{
	struct schema_cache *c = schema_cache_of(p);
	struct schema_waiter *w = c && cb ? waiter_new(cb, ud) : NULL;
	if (!c || (cb && !w)) {
		fail_now(cb, ud);
		return;
	}
	if (!c->load) {
		start_load(c, c->tree ? (json_t *)schemas : NULL, w);
		return;
	}
	/* One load at a time: the next one covers everything asked meanwhile. */
	if (!schemas || !c->tree) {
		c->pending_all = true;
	} else {
		if (!c->pending)
			c->pending = json_array();
		json_array_extend(c->pending, (json_t *)schemas);
	}
	if (w) {
		w->next = c->pending_waiters;
		c->pending_waiters = w;
	}
}

void schema_on_open(struct pool *p)
{
	if (settings_bool(db_env(pool_db(p))->settings, "schema.load_on_open"))
		schema_reload(p, NULL, NULL, NULL);
}

/* Reload the schemas DDL named; an unqualified name resolves in the
 * search_path (the pool's default one, as the load saw it). */
void schema_on_ddl(struct pool *p, const char *sql)
{
	struct schema_cache *c = pool_attachment(p, POOL_SLOT_SCHEMA);
	if (!c || (!c->tree && !c->load))
		return; /* never loaded: the first schema.get loads it fresh */
	TuskSqlScript s = {0};
	TuskError e = TUSK_ERROR_INIT;
	if (!c->tree || tusk_sql_analyse(sql, strlen(sql), &s, &e) < 0) {
		tusk_error_clear(&e);
		schema_reload(p, NULL, NULL, NULL);
		return;
	}
	json_t *names = json_array();
	bool all = false;
	for (size_t i = 0; i < s.n; i++) {
		const TuskSqlStatement *st = &s.stmts[i];
		if (st->is_ddl && st->nobjects == 0)
			all = true; /* DDL we cannot see into */
		for (size_t k = 0; k < st->nobjects; k++) {
			const TuskSqlObject *o = &st->objects[k];
			if (strcmp(o->kind, "schema") == 0) {
				add_name(names, o->name);
			} else if (o->schema) {
				add_name(names, o->schema);
			} else {
				size_t j;
				json_t *v;
				json_array_foreach(json_object_get(c->tree, "search_path"), j, v)
				    add_name(names, json_string_value(v));
			}
		}
	}
	tusk_sql_script_clear(&s);
	if (all || json_array_size(names) == 0)
		schema_reload(p, NULL, NULL, NULL);
	else
		schema_reload(p, names, NULL, NULL);
	json_decref(names);
}
