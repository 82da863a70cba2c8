/* What schema-load.c, schema-cache.c and schema-describe.c share. */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "daemon/db/schema.h"

struct schema_load;

/* One completion candidate; text and detail point into the tree. */
struct schema_entry {
	const char *key; /* lower-case text (owned by the index's arena) */
	const char *text;
	const char *kind;
	const char *detail;
	int rank; /* lower first */
};

struct schema_named {
	const char *key; /* in the index's arena */
	json_t *rel;     /* borrowed from the tree */
	size_t seq;
};

struct schema_waiter {
	struct schema_waiter *next;
	schema_ready_cb cb;
	void *ud;
};

struct schema_cache {
	struct pool *pool; /* borrowed: the cache is the pool's attachment */
	/* {"schemas": {name: Schema}, "extensions": [...], "roles": [...],
	 *  "search_path": [...]}; NULL until loaded. */
	json_t *tree;
	int64_t loaded_at_us; /* wall clock */
	double load_ms;
	struct schema_load *load;      /* running load, or NULL */
	struct schema_waiter *waiters; /* for the running load */
	json_t *pending;               /* schemas to reload after it (array), or */
	bool pending_all;              /* everything */
	struct schema_waiter *pending_waiters;
	/* Completion: entries sorted by key. */
	struct schema_entry *entries;
	size_t nentries;
	char *arena;
	/* relation name (lower-case) and "schema.name" → Relation (the first
	 * in tree order), sorted by key */
	struct schema_named *named;
	size_t nnamed;
};

/* ---- the compact form (schema-text.c) ------------------------------------ */

/* A frozen relation is [name, kind, its compact JSON text], a frozen
 * function [name, kind, text, arguments]: only schema nodes' "relations"
 * and "functions" hold them. */

/* fn (stolen) frozen; NULL when out of memory. */
json_t *schema_freeze_function(json_t *fn);
/* Member key ("name", "kind", "arguments") of an item, frozen or not. */
const char *schema_field(const json_t *o, const char *key);
/* Return freed heap pages to the system (after a load replaced a tree). */
void schema_trim(void);
/* A frozen object's JSON text, or NULL when o is not frozen. */
const char *schema_raw_text(const json_t *o, size_t *len);
/* o with every member: parsed from its text when frozen. New reference
 * (NULL when out of memory). */
json_t *schema_object_full(json_t *o);

/* A growing buffer the writer appends to; free s when done. */
struct schema_out {
	char *s;
	size_t len, cap;
};
/* Append v as json_dumps(v, JSON_COMPACT) would, the frozen items of
 * "relations" and "functions" as their text. */
int schema_write(struct schema_out *w, const json_t *v);
/* The bytes an item of a schema node's member takes written. */
size_t schema_written_size(const json_t *item);

/* The relation named lower (a relation name or schema.name, lower-case),
 * borrowed; NULL when none. */
json_t *schema_relation_named(const struct schema_cache *c, const char *lower);

/* The identifier as SQL would need it: quoted when not plain lower-case. */
char *schema_quote_ident(const char *name);
