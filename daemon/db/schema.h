/* The schema cache: one per pool (kept in its POOL_SLOT_SCHEMA attachment),
 * shared by every client. Loaded with one bulk catalog query per object
 * kind on a pool backend driven from the loop, reloaded per schema after
 * DDL run through Tusk, and indexed for completion. Loop thread only. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"

struct pool;
struct schema_cache;

/* ---- loading (schema-load.c) -------------------------------------------- */

/* The cache of p, created empty (not loaded) on first use; NULL only when
 * out of memory. */
struct schema_cache *schema_cache_of(struct pool *p);
bool schema_cache_loaded(const struct schema_cache *c);
const char *schema_cache_connection_id(const struct schema_cache *c);

/* Called once the cache is loaded (e NULL) or the load failed. Runs from
 * the loop, never inside the call that asked. */
typedef void (*schema_ready_cb)(struct schema_cache *c, const TuskError *e, void *ud);
/* Load when never loaded, then cb. A load already running is joined. */
void schema_ensure(struct pool *p, schema_ready_cb cb, void *ud);
/* Reload (schemas: JSON array of names to reload, borrowed; NULL for
 * everything), then cb (may be NULL). Created / altered / dropped objects
 * are announced on topic schema. */
void schema_reload(struct pool *p, const json_t *schemas, schema_ready_cb cb, void *ud);

/* Hooks for the pool (installed by rpc_schema_init). */
void schema_on_open(struct pool *p);
void schema_on_ddl(struct pool *p, const char *sql);

/* ---- reading (schema-cache.c) ------------------------------------------- */

/* What schema.get asks for: one schema, one kind, objects whose name or
 * schema.name matches a glob, system schemas, and a page. */
struct schema_query {
	const char *schema, *kind, *pattern;
	bool include_system;
	size_t offset; /* items to skip: schema nodes and the objects they hold */
	size_t budget; /* stop a page once its objects exceed this many bytes */
};

/* schema.get's result as JSON text: one page of the tree, or of one
 * schema / one kind of it, with "next_offset" when more follows. Its length
 * through len; free it. NULL when out of memory. */
char *schema_get_text(struct schema_cache *c, const struct schema_query *q, size_t *len);
/* The object named "schema.name" or "name" (search_path, then every
 * schema), of kind when given, with all its members: its schema name and
 * kind through ret_* (borrowed from the cache). New reference. */
json_t *schema_find(struct schema_cache *c, const char *object, const char *kind,
                    const char **ret_schema, const char **ret_kind);
/* Whether kind names one of the kinds schema.get filters on. */
bool schema_kind_valid(const char *kind);
/* Rebuild the completion index (after a load). */
int schema_index_build(struct schema_cache *c);
/* schema.complete's candidates: those that fit the position at byte
 * cursor of context (its end when cursor < 0). New reference. */
json_t *schema_complete_json(struct schema_cache *c, const char *prefix, const char *context,
                             long long cursor, size_t limit);

/* ---- describing (schema-describe.c) ------------------------------------- */

/* schema.describe's result for obj found by schema_find. New reference. */
json_t *schema_describe_json(const char *schema, const char *kind, json_t *obj);
/* The foreign keys of cached relations that reference schema.name:
 * [{schema, table, constraint, definition}]. New reference. */
json_t *schema_referenced_by_json(struct schema_cache *c, const char *schema, const char *name);
