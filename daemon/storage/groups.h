/* Connection groups in tusk.db: folders of saved connections that nest
 * through parent_id, shown in sort_order. Small reads and writes, done on
 * the loop thread with the Storage's own handle.
 *
 * Deleting a group deletes the groups below it (parent_id is ON DELETE
 * CASCADE) and moves every connection of those groups to no group
 * (connections.group_id is ON DELETE SET NULL): no saved connection is ever
 * lost with its folder. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/model-group.h"
#include "daemon/storage/storage.h"

typedef struct GroupList {
	TuskConnectionGroup **items;
	size_t n;
} GroupList;

void group_list_free(GroupList *l); /* frees the items; accepts NULL */
static inline void group_list_freep(GroupList **l)
{
	group_list_free(*l);
}

/* Every group by sort_order, then name. A row that no longer passes the
 * model's validation (hand-edited) is skipped and counted in
 * *ret_skipped (may be NULL). */
int groups_list(Storage *st, GroupList **ret, size_t *ret_skipped, TuskError *e);

/* By id, else by name. Unknown: TUSK_ERR_INVALID_INPUT "id: no group
 * named 'x'"; a name that several groups share: INVALID_INPUT asking for
 * the id. */
int groups_find(Storage *st, const char *id_or_name, TuskConnectionGroup **ret, TuskError *e);
/* 1 when a group with this id exists, 0 when not, -1 with e set. */
int groups_exists(Storage *st, const char *id, TuskError *e);

/* Insert or update (by id) after the model's validation and these rules,
 * each an INVALID_INPUT naming the field: parent_id must name an existing
 * group and must not make a loop ("parent_id: …"); no two groups with the
 * same parent share a name ("name: a group named 'x' already exists
 * there"). *ret_created (may be NULL) tells insert from update. */
int groups_save(Storage *st, const TuskConnectionGroup *g, bool *ret_created, TuskError *e);

typedef struct GroupDeleteStats {
	unsigned groups;      /* the group and every group below it */
	unsigned connections; /* connections those groups held, now in no group */
} GroupDeleteStats;

/* Delete by id or name (see groups_find) with the semantics above. */
int groups_delete(Storage *st, const char *id_or_name, GroupDeleteStats *ret_stats, TuskError *e);
