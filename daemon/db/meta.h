/* Column descriptions for query results: type names as format_type prints
 * them ("character varying(20)") and nullability from the catalog when a
 * column comes from a table, cached per pool. Catalog look-ups run on
 * another backend of the same pool, never blocking the loop or the query's
 * own backend. Loop thread only. */
#pragma once

#include <jansson.h>
#include <libpq-fe.h>

#include "common/error.h"

struct pool;
struct meta_cache;
struct meta_request;

/* The cache lives as long as its pool: free it when the pool itself is
 * freed (its last reference), not at pool_close — a look-up in flight holds
 * a pool reference and may still write to it. */
struct meta_cache *meta_cache_new(void);
void meta_cache_free(struct meta_cache *m); /* accepts NULL */
/* Forget catalog facts after DDL (types and tables may have changed);
 * answers of look-ups already in flight are not cached. */
void meta_cache_invalidate(struct meta_cache *m);

/* Called once with the columns array: [{name, type_oid, type_name,
 * type_modifier, table_oid (0 when none), column_number (0 when none),
 * nullable}], in the shape of protocol/schema.d/query.json's Column.
 * nullable is false for a NOT NULL column of a table (plain, partitioned,
 * foreign), true for its other columns, null for computed columns and for
 * columns of views, materialized views and anything else whose catalog
 * entry says nothing. type_name and nullable are null where not known: the
 * look-up failed (e says why: informational, the query goes on), took
 * longer than 5 s (e: TUSK_ERR_QUERY_TIMEOUT), or no backend could be lent
 * (e NULL; see meta_describe). columns is NULL only when out of memory.
 * columns is borrowed: take a reference to keep it. */
typedef void (*meta_cb)(json_t *columns, const TuskError *e, void *ud);

/* Describe res's columns (res is only read during the call). Built-in
 * types are named without asking the server; other types and table
 * columns' NOT NULL come from the cache or one catalog query on another
 * backend of p. That backend must be free at once (an idle one, or room to
 * connect one more): waiting behind busy backends could deadlock queries
 * that wait for each other's look-ups. When none is, cb runs at once with
 * what is known and a look-up is queued behind the busy backends to fill
 * the cache for the next result (a pool of max size 1 learns on its first
 * result what it shows from its second on).
 * When cb runs before this returns (everything known, or nothing more to
 * be had now), the return is NULL. Otherwise it is a handle, valid until cb
 * runs, to cancel the pending look-up (cb then never runs). */
struct meta_request *meta_describe(struct pool *p, struct meta_cache *m, const PGresult *res,
                                   meta_cb cb, void *ud);
void meta_request_cancel(struct meta_request *r); /* accepts NULL */
