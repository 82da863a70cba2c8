/* The schema cache's catalog queries and the tree their rows build. */
#pragma once

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

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

/* Every query of a load as one script; filter is an SQL condition on
 * n.nspname ("true" for everything). NULL when out of memory. */
char *schema_catalog_sql(const char *filter);

struct schema_build {
	json_t *tree;      /* as schema_cache.tree */
	json_t *relations; /* oid text → Relation (while building) */
	long long counts[SCHEMA_R_MAX];
};

int schema_build_init(struct schema_build *b);
void schema_build_clear(struct schema_build *b);
void schema_build_rows(struct schema_build *b, int kind, const PGresult *res);
bool schema_is_system(const char *name);
