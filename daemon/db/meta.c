/* Column descriptions for query results, cached per pool.
 *
 * A result's RowDescription carries each column's type OID and typmod and,
 * for a column read straight from a relation, that relation's OID and
 * attribute number. The names format_type() prints for built-in types are
 * known without asking (meta-types.c); other types and the NOT NULL flags
 * of table columns are looked up in one catalog query on another backend
 * of the same pool, driven from the loop like every libpq socket, and
 * cached until DDL invalidates the cache.
 *
 * The look-up never waits behind busy backends: the query's own backend is
 * one of them, and queries waiting for each other's look-ups could fill a
 * pool. When no backend can be had at once (a pool of one, or every backend
 * busy at the pool's maximum) the columns are described from what is known
 * — built-in names, the cache — and a look-up waits in the background for
 * the next free backend so that the next result is complete. Names are as
 * format_type() prints them under the pool's default search_path; a query
 * whose backend set another search_path may see other qualifications. */
#include "daemon/db/meta.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/cleanup.h"
#include "daemon/db/env.h"
#include "daemon/db/meta-types.h"
#include "daemon/db/pool.h"
#include "daemon/storage/settings.h"

/* A look-up that takes longer hands the query what is known so far. */
#define META_TIMEOUT_MS 5000
/* Past this many cached facts the cache starts again (a guard, not LRU). */
#define META_MAX_ENTRIES 200000

/* ---- the cache: two open-addressing hash maps ------------------------- */

struct fact {
	uint64_t key;
	char *name;       /* types: format_type's text */
	signed char null; /* attributes: 1 nullable, 0 NOT NULL, -1 not a table's */
	bool used;
};

struct facts {
	struct fact *slots;
	size_t cap, n;
};

struct meta_cache {
	struct facts types; /* key: oid << 32 | (uint32_t)typmod */
	struct facts attrs; /* key: relid << 16 | (uint16_t)attnum */
	unsigned generation;
	struct meta_request *requests; /* live look-ups */
	bool background;               /* a background fill is queued */
};

struct meta_request {
	struct meta_request *next;
	struct pool *pool;
	struct meta_cache *m; /* NULL once the cache is gone */
	unsigned generation;
	json_t *columns;
	meta_cb cb; /* NULL: background fill, or delivered, or cancelled */
	void *ud;
	struct pool_waiter *waiter;
	struct backend *b;
	struct event *timer;
	bool background;
	TuskError e;
};

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return x;
}

static struct fact *facts_find(const struct facts *f, uint64_t key)
{
	if (!f->cap)
		return NULL;
	for (size_t i = hash64(key) & (f->cap - 1);; i = (i + 1) & (f->cap - 1)) {
		if (!f->slots[i].used)
			return NULL;
		if (f->slots[i].key == key)
			return &f->slots[i];
	}
}

static void facts_clear(struct facts *f)
{
	for (size_t i = 0; i < f->cap; i++)
		free(f->slots[i].name);
	free(f->slots);
	*f = (struct facts){0};
}

static struct fact *facts_slot(struct facts *f, uint64_t key)
{
	for (size_t i = hash64(key) & (f->cap - 1);; i = (i + 1) & (f->cap - 1))
		if (!f->slots[i].used || f->slots[i].key == key)
			return &f->slots[i];
}

/* Insert or replace; takes name. -ENOMEM leaves the map as it was. */
static int facts_put(struct facts *f, uint64_t key, char *name, signed char null)
{
	if (f->n >= META_MAX_ENTRIES)
		facts_clear(f);
	if ((f->n + 1) * 2 > f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct facts g = {.slots = calloc(cap, sizeof(struct fact)), .cap = cap, .n = f->n};
		if (!g.slots) {
			free(name);
			return -ENOMEM;
		}
		for (size_t i = 0; i < f->cap; i++)
			if (f->slots[i].used)
				*facts_slot(&g, f->slots[i].key) = f->slots[i];
		free(f->slots);
		*f = g;
	}
	struct fact *s = facts_slot(f, key);
	if (s->used) {
		free(s->name);
	} else {
		f->n++;
	}
	*s = (struct fact){.key = key, .name = name, .null = null, .used = true};
	return 0;
}

static uint64_t type_key(uint32_t oid, int32_t typmod)
{
	return (uint64_t)oid << 32 | (uint32_t)typmod;
}

static uint64_t attr_key(uint32_t rel, int attnum)
{
	return (uint64_t)rel << 16 | (uint16_t)attnum;
}

struct meta_cache *meta_cache_new(void)
{
	return calloc(1, sizeof(struct meta_cache));
}

void meta_cache_invalidate(struct meta_cache *m)
{
	if (!m)
		return;
	facts_clear(&m->types);
	facts_clear(&m->attrs);
	m->generation++;
}

void meta_cache_free(struct meta_cache *m)
{
	if (!m)
		return;
	for (struct meta_request *r = m->requests; r; r = r->next)
		r->m = NULL;
	meta_cache_invalidate(m);
	free(m);
}

/* ---- columns ----------------------------------------------------------- */

static json_t *text_json(const char *s)
{
	json_t *j = json_string(s);
	if (j || !s)
		return j ? j : json_null();
	/* Not UTF-8 (a server encoding mismatch): keep what is readable. */
	_cleanup_free_ char *copy = strdup(s);
	if (!copy)
		return json_null();
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	return json_string(copy);
}

/* Fill type_name / nullable where still null, from the built-ins and the
 * cache. Returns how many facts are still missing. */
static size_t fill_known(json_t *columns, const struct meta_cache *m)
{
	size_t missing = 0, i;
	json_t *c;
	json_array_foreach(columns, i, c)
	{
		uint32_t oid = (uint32_t)json_integer_value(json_object_get(c, "type_oid"));
		int32_t typmod = (int32_t)json_integer_value(json_object_get(c, "type_modifier"));
		uint32_t rel = (uint32_t)json_integer_value(json_object_get(c, "table_oid"));
		int num = (int)json_integer_value(json_object_get(c, "column_number"));
		if (json_is_null(json_object_get(c, "type_name"))) {
			char *name = meta_builtin_format_type(oid, typmod);
			const struct fact *f =
			    name || !m ? NULL : facts_find(&m->types, type_key(oid, typmod));
			if (!name && f)
				name = strdup(f->name);
			if (name)
				json_object_set_new(c, "type_name", text_json(name));
			else
				missing++;
			free(name);
		}
		if (rel != 0 && !json_object_get(c, "nullable_known")) {
			const struct fact *f = m ? facts_find(&m->attrs, attr_key(rel, num)) : NULL;
			if (f) {
				json_object_set_new(c, "nullable",
				                    f->null < 0 ? json_null()
				                                : json_boolean(f->null));
				json_object_set_new(c, "nullable_known", json_true());
			} else {
				missing++;
			}
		}
	}
	return missing;
}

/* Drop the bookkeeping member before the columns leave. */
static void finish_columns(json_t *columns)
{
	size_t i;
	json_t *c;
	json_array_foreach(columns, i, c) json_object_del(c, "nullable_known");
}

static json_t *columns_new(const PGresult *res)
{
	json_t *columns = json_array();
	int n = PQnfields(res);
	for (int i = 0; columns && i < n; i++) {
		json_t *c = json_pack(
		    "{s:o, s:I, s:n, s:I, s:I, s:i, s:n}", "name", text_json(PQfname(res, i)),
		    "type_oid", (json_int_t)PQftype(res, i), "type_name", "type_modifier",
		    (json_int_t)PQfmod(res, i), "table_oid", (json_int_t)PQftable(res, i),
		    "column_number", PQftable(res, i) ? PQftablecol(res, i) : 0, "nullable");
		if (!c || json_array_append_new(columns, c) < 0) {
			json_decref(columns);
			return NULL;
		}
	}
	return columns;
}

/* ---- look-ups ----------------------------------------------------------- */

static const char lookup_sql[] =
    "select 0, t.oid, t.mod, pg_catalog.format_type(t.oid, t.mod), null::pg_catalog.bool,"
    " null::pg_catalog.\"char\""
    " from rows from (pg_catalog.unnest($1::pg_catalog.oid[]),"
    "  pg_catalog.unnest($2::pg_catalog.int4[])) as t(oid, mod)"
    " union all "
    "select 1, a.attrelid, a.attnum::pg_catalog.int4, null, a.attnotnull, c.relkind"
    " from rows from (pg_catalog.unnest($3::pg_catalog.oid[]),"
    "  pg_catalog.unnest($4::pg_catalog.int2[])) as k(rel, num)"
    " join pg_catalog.pg_attribute a on a.attrelid operator(pg_catalog.=) k.rel"
    "  and a.attnum operator(pg_catalog.=) k.num"
    " join pg_catalog.pg_class c on c.oid operator(pg_catalog.=) a.attrelid";

/* Arrays of what is missing, as array literals: "{23,1043}". */
struct arrays {
	char *v[4];
};

static void arrays_free(struct arrays *a)
{
	for (int i = 0; i < 4; i++)
		free(a->v[i]);
}

static int append(char **s, size_t *len, const char *text)
{
	size_t n = strlen(text);
	char *p = realloc(*s, *len + n + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p + *len, text, n + 1);
	*s = p;
	*len += n;
	return 0;
}

static int append_num(char **s, size_t *len, bool comma, long long v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%s%lld", comma ? "," : "", v);
	return append(s, len, buf);
}

static int build_arrays(json_t *columns, struct arrays *a)
{
	size_t len[4] = {0}, i;
	json_t *c;
	for (int k = 0; k < 4; k++)
		if (append(&a->v[k], &len[k], "{") < 0)
			return -ENOMEM;
	size_t nt = 0, na = 0;
	json_array_foreach(columns, i, c)
	{
		long long oid = json_integer_value(json_object_get(c, "type_oid"));
		long long typmod = json_integer_value(json_object_get(c, "type_modifier"));
		long long rel = json_integer_value(json_object_get(c, "table_oid"));
		long long num = json_integer_value(json_object_get(c, "column_number"));
		if (json_is_null(json_object_get(c, "type_name"))) {
			if (append_num(&a->v[0], &len[0], nt > 0, oid) < 0 ||
			    append_num(&a->v[1], &len[1], nt > 0, typmod) < 0)
				return -ENOMEM;
			nt++;
		}
		if (rel != 0 && !json_object_get(c, "nullable_known")) {
			if (append_num(&a->v[2], &len[2], na > 0, rel) < 0 ||
			    append_num(&a->v[3], &len[3], na > 0, num) < 0)
				return -ENOMEM;
			na++;
		}
	}
	for (int k = 0; k < 4; k++)
		if (append(&a->v[k], &len[k], "}") < 0)
			return -ENOMEM;
	return 0;
}

static void request_unlink(struct meta_request *r)
{
	if (!r->m)
		return;
	for (struct meta_request **pp = &r->m->requests; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	if (r->background)
		r->m->background = false;
	r->m = NULL;
}

static void request_free(struct meta_request *r)
{
	request_unlink(r);
	if (r->timer)
		event_free(r->timer);
	json_decref(r->columns);
	tusk_error_clear(&r->e);
	pool_unref(r->pool);
	free(r);
}

/* Hand the columns over (once): what is known, null for the rest. */
static void deliver(struct meta_request *r, const TuskError *e)
{
	meta_cb cb = r->cb;
	r->cb = NULL;
	if (r->timer)
		event_del(r->timer);
	if (!cb)
		return;
	fill_known(r->columns, r->m);
	finish_columns(r->columns);
	json_t *columns = r->columns;
	r->columns = NULL;
	cb(columns, e, r->ud);
	json_decref(columns);
}

/* The look-up is over (or never started): deliver and let go. */
static void request_done(struct meta_request *r, const TuskError *e)
{
	deliver(r, e);
	if (r->waiter) {
		pool_acquire_cancel(r->waiter);
		r->waiter = NULL;
	}
	if (r->b) {
		struct backend *b = r->b;
		r->b = NULL;
		pool_release(b);
	}
	request_free(r);
}

static void store_row(struct meta_request *r, const PGresult *res, int row)
{
	if (!r->m || r->generation != r->m->generation)
		return; /* DDL happened meanwhile: these facts may be stale */
	uint32_t oid = (uint32_t)strtoul(PQgetvalue(res, row, 1), NULL, 10);
	int32_t mod = (int32_t)strtol(PQgetvalue(res, row, 2), NULL, 10);
	if (strcmp(PQgetvalue(res, row, 0), "0") == 0) {
		if (!PQgetisnull(res, row, 3)) {
			char *name = strdup(PQgetvalue(res, row, 3));
			if (name)
				facts_put(&r->m->types, type_key(oid, mod), name, 0);
		}
		return;
	}
	/* Only tables (plain, partitioned, foreign) keep NOT NULL in the
	 * catalog; a view's or a composite's columns say nothing. */
	char kind = PQgetvalue(res, row, 5)[0];
	signed char null = -1;
	if (kind == 'r' || kind == 'p' || kind == 'f')
		null = strcmp(PQgetvalue(res, row, 4), "t") == 0 ? 0 : 1;
	facts_put(&r->m->attrs, attr_key(oid, (int)mod), NULL, null);
}

static void lookup_io(struct backend *b, short what, void *ud)
{
	struct meta_request *r = ud;
	PGconn *conn = backend_conn(b);
	if (backend_pump(b, what) < 0)
		goto broken;
	if (!(what & EV_READ))
		return;
	while (!PQisBusy(conn)) {
		PGresult *res = PQgetResult(conn);
		if (!res) {
			/* Facts the catalog had not (a table dropped since) stay
			 * null. */
			request_done(r, r->e.kind != TUSK_ERR_NONE ? &r->e : NULL);
			return;
		}
		if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			for (int i = 0; i < PQntuples(res); i++)
				store_row(r, res, i);
		} else if (r->e.kind == TUSK_ERR_NONE) {
			tusk_error_from_pgresult(&r->e, res);
		}
		PQclear(res);
	}
	return;
broken:
	tusk_error_set(&r->e, TUSK_ERR_CONNECTION_FAILED, "column look-up: %s",
	               PQerrorMessage(conn));
	backend_mark_broken(b);
	request_done(r, &r->e);
}

static void got_backend(struct backend *b, const TuskError *e, void *ud)
{
	struct meta_request *r = ud;
	r->waiter = NULL;
	if (!b) {
		request_done(r, e);
		return;
	}
	r->b = b;
	struct arrays a = {0};
	TuskError err = TUSK_ERROR_INIT;
	if (!r->columns || build_arrays(r->columns, &a) < 0) {
		arrays_free(&a);
		tusk_error_set(&err, TUSK_ERR_INTERNAL, "out of memory");
		request_done(r, &err);
		tusk_error_clear(&err);
		return;
	}
	const char *values[4] = {a.v[0], a.v[1], a.v[2], a.v[3]};
	PGconn *conn = backend_conn(b);
	int sent = PQsendQueryParams(conn, lookup_sql, 4, NULL, values, NULL, NULL, 0);
	arrays_free(&a);
	if (!sent) {
		tusk_error_set(&err, TUSK_ERR_CONNECTION_FAILED, "column look-up: %s",
		               PQerrorMessage(conn));
		backend_mark_broken(b);
		request_done(r, &err);
		tusk_error_clear(&err);
		return;
	}
	backend_set_io(b, lookup_io, r);
	int f = PQflush(conn);
	backend_watch(b, f == 1 ? EV_READ | EV_WRITE : EV_READ);
}

static void on_timeout(evutil_socket_t fd, short what, void *ud)
{
	struct meta_request *r = ud;
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_QUERY_TIMEOUT, "column look-up took longer than %d ms",
	               META_TIMEOUT_MS);
	if (r->waiter) {
		pool_acquire_cancel(r->waiter);
		r->waiter = NULL;
	}
	if (!r->b) {
		request_done(r, &e);
	} else {
		/* The look-up still runs; its answers go to the cache. */
		deliver(r, &e);
	}
	tusk_error_clear(&e);
}

static struct meta_request *request_new(struct pool *p, struct meta_cache *m, json_t *columns)
{
	struct meta_request *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->pool = pool_ref(p);
	r->m = m;
	r->generation = m->generation;
	r->columns = columns;
	r->next = m->requests;
	m->requests = r;
	return r;
}

/* Queue a look-up of columns' missing facts for the cache alone, behind
 * whatever holds the pool's backends now. One at a time per cache. */
static void start_background(struct pool *p, struct meta_cache *m, json_t *columns)
{
	if (m->background || pool_closing(p))
		return;
	json_t *copy = json_deep_copy(columns);
	struct meta_request *r = copy ? request_new(p, m, copy) : NULL;
	if (!r) {
		json_decref(copy);
		return;
	}
	r->background = true;
	m->background = true;
	r->waiter = pool_acquire(p, got_backend, r);
	if (!r->waiter)
		request_free(r);
}

struct meta_request *meta_describe(struct pool *p, struct meta_cache *m, const PGresult *res,
                                   meta_cb cb, void *ud)
{
	json_t *columns = columns_new(res);
	if (!columns) {
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_set(&e, TUSK_ERR_INTERNAL, "out of memory");
		cb(NULL, &e, ud);
		tusk_error_clear(&e);
		return NULL;
	}
	size_t missing = fill_known(columns, m);
	struct meta_request *r = NULL;
	if (missing > 0 && p && m && pool_can_lend(p))
		r = request_new(p, m, columns);
	if (r) {
		r->cb = cb;
		r->ud = ud;
		r->timer = evtimer_new(db_env(pool_db(p))->base, on_timeout, r);
		struct timeval tv = {.tv_sec = META_TIMEOUT_MS / 1000,
		                     .tv_usec = (META_TIMEOUT_MS % 1000) * 1000};
		if (r->timer)
			evtimer_add(r->timer, &tv);
		r->waiter = pool_acquire(p, got_backend, r);
		if (r->timer && r->waiter)
			return r;
		r->cb = NULL;
		if (r->waiter)
			pool_acquire_cancel(r->waiter);
		r->columns = NULL; /* still ours: delivered below */
		request_free(r);
	} else if (missing > 0 && p && m) {
		start_background(p, m, columns);
	}
	finish_columns(columns);
	cb(columns, NULL, ud);
	json_decref(columns);
	return NULL;
}

void meta_request_cancel(struct meta_request *r)
{
	if (!r)
		return;
	r->cb = NULL;
	if (r->timer)
		event_del(r->timer);
	if (r->b)
		return; /* the look-up drains; its answers go to the cache */
	request_done(r, NULL);
}
