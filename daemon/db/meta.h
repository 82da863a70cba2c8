/* Column descriptions for query results: type names as format_type prints
 * them ("character varying(20)") and nullability from the catalog when a
 * column comes from a table, cached per pool. Catalog look-ups run on
 * another backend of the same pool, never blocking the loop or the query's
 * own backend. */
#pragma once

#include <jansson.h>
#include <libpq-fe.h>

#include "common/error.h"

struct pool;
struct meta_cache;

struct meta_cache *meta_cache_new(void);
void meta_cache_free(struct meta_cache *m);
/* Forget catalog facts after DDL (types and tables may have changed). */
void meta_cache_invalidate(struct meta_cache *m);

/* Called once with the columns array: [{name, type_oid, type_name,
 * type_modifier, table_oid (0 when none), column_number (0 when none),
 * nullable: true|false|null (null: not from a table)}], or on failure with
 * e (the query can still go on with what the result itself says: on
 * failure the array is still given, with type_name null where unknown). */
typedef void (*meta_cb)(json_t *columns, const TuskError *e, void *ud);

/* Describe res's columns (res is only read during the call). When every
 * fact is cached, cb runs before this returns; otherwise after the look-up
 * (on another backend of p). Returns a handle to cancel a pending look-up
 * (cb then never runs), or NULL when cb already ran. */
struct meta_request *meta_describe(struct pool *p, struct meta_cache *m, const PGresult *res,
                                   meta_cb cb, void *ud);
void meta_request_cancel(struct meta_request *r);
