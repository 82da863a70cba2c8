/* The schema cache's catalog queries and the tree their rows build. */
#pragma once

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

/* The result sets of one load, in the order the server returns them. */
enum schema_result {
	SCHEMA_R_PATH,
	SCHEMA_R_SCHEMAS,
	SCHEMA_R_RELATIONS,
	SCHEMA_R_COLUMNS,
	SCHEMA_R_INDEXES,
	SCHEMA_R_CONSTRAINTS,
	SCHEMA_R_TRIGGERS,
	SCHEMA_R_POLICIES,
	SCHEMA_R_FUNCTIONS,
	SCHEMA_R_TYPES,
	SCHEMA_R_EXTENSIONS,
	SCHEMA_R_ROLES,
	SCHEMA_R_MAX,
};

extern const char *const schema_result_names[SCHEMA_R_MAX];

/* The queries of kinds (n of them, SCHEMA_R_*) as one script; filter is
 * an SQL condition on n.nspname ("true" for everything). NULL when out of
 * memory. */
char *schema_catalog_sql(const char *filter, const int *kinds, int n);

/* A load's relations while it runs (schema-text.c): each one's head and
 * members as JSON text, found by oid. */
enum { SCHEMA_REL_MEMBERS = 5 }; /* columns, indexes, constraints, triggers, policies */
struct schema_rel;
struct schema_rels {
	struct schema_rel *v;
	size_t n, cap;
	size_t *slots; /* oid hash: index + 1 into v, 0 for free */
	size_t nslots;
};
/* Add a relation from its head (every member but the five lists, stolen);
 * returns the thin entry to put in the tree (the tree takes it) or NULL. */
json_t *schema_rels_add(struct schema_rels *r, uint32_t oid, json_t *head);
/* Append item (stolen) to member m of relation oid (whose head may come
 * later); false when out of memory. */
bool schema_rels_member(struct schema_rels *r, uint32_t oid, int member, json_t *item);
/* Give every thin entry its relation's text; members of oids that got no
 * head are dropped. Adds the items kept to counts. */
int schema_rels_finish(struct schema_rels *r, long long counts[SCHEMA_REL_MEMBERS]);
void schema_rels_clear(struct schema_rels *r);

struct schema_build {
	json_t *tree; /* as schema_cache.tree */
	struct schema_rels rels;
	long long counts[SCHEMA_R_MAX];
};
/* The tree is complete: freeze its relations. */
int schema_build_finish(struct schema_build *b);

int schema_build_init(struct schema_build *b);
void schema_build_clear(struct schema_build *b);
void schema_build_rows(struct schema_build *b, int kind, const PGresult *res);
bool schema_is_system(const char *name);
