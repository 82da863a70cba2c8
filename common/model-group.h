/* A folder of saved connections; groups nest through parent_id and are
 * shown in sort_order. */
#pragma once

#include "common/error.h"
#include "common/uuid.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct TuskConnectionGroup {
	char id[TUSK_UUID_STRLEN + 1];
	char *name;
	char *parent_id; /* NULL for a top-level group */
	int32_t sort_order;
	char *color; /* "#rrggbb" or NULL */
} TuskConnectionGroup;

/* A fresh id, sort_order 0; NULL name is "". */
TuskConnectionGroup *tusk_connection_group_new(const char *name);
TuskConnectionGroup *tusk_connection_group_free(TuskConnectionGroup *g);
static inline void tusk_connection_group_freep(TuskConnectionGroup **g)
{
	tusk_connection_group_free(*g);
}
#define _cleanup_connection_group_ __attribute__((cleanup(tusk_connection_group_freep)))

/* TUSK_ERR_INVALID_INPUT naming the field: id, name (non-empty, one line),
 * parent_id (a UUID other than id), color. */
int tusk_connection_group_validate(const TuskConnectionGroup *g, TuskError *e);
/* Members {id, name, parent_id, sort_order, color}; a missing id gets a
 * fresh one, sort_order defaults to 0, unknown members are refused. */
int tusk_connection_group_from_json(const json_t *json, TuskConnectionGroup **ret, TuskError *e);
json_t *tusk_connection_group_to_json(const TuskConnectionGroup *g);

/* Checks a whole set of groups as a tree: every parent_id names a group of
 * the set and no group is its own ancestor. Fails with INVALID_INPUT
 * "parent_id: …" naming the group. */
int tusk_connection_groups_check_tree(TuskConnectionGroup *const *groups, size_t n, TuskError *e);
