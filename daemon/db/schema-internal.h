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
	/* relation name (lower-case) and "schema.name" → [Relation] */
	json_t *relations_by_name;
	/* The whole default tree (no filter) as JSON text, made on first ask
	 * and dropped whenever the tree changes: a warm schema.get of a large
	 * catalog is then a copy, not a 17 MiB serialisation. */
	char *get_text;
	size_t get_len;
};

/* The identifier as SQL would need it: quoted when not plain lower-case. */
char *schema_quote_ident(const char *name);
