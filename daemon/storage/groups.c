/* Connection groups: the rows of connection_groups as TuskConnectionGroup.
 * Every write runs in one BEGIN IMMEDIATE transaction that re-reads the
 * whole set first, so the tree check sees exactly what will be stored. */
#include "daemon/storage/groups.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "common/uuid.h"
#include "daemon/storage/sql-steps.h"

void group_list_free(GroupList *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		tusk_connection_group_free(l->items[i]);
	free(l->items);
	free(l);
}

static int sql_fail(sqlite3 *db, int rc, TuskError *e)
{
	return tusk_error_from_sqlite(e, db, rc);
}

static char *column_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? strdup((const char *)s) : NULL;
}

/* One row (id, name, parent_id, sort_order, color) → a validated group,
 * or NULL when the row is unusable (counted by the caller). */
static TuskConnectionGroup *group_from_row(sqlite3_stmt *st)
{
	_cleanup_connection_group_ TuskConnectionGroup *g = tusk_connection_group_new(NULL);
	const unsigned char *id = sqlite3_column_text(st, 0);
	if (!g || !id || strlen((const char *)id) != TUSK_UUID_STRLEN)
		return NULL;
	memcpy(g->id, id, TUSK_UUID_STRLEN + 1);
	free(g->name);
	g->name = column_strdup(st, 1);
	g->parent_id = column_strdup(st, 2);
	g->sort_order = sqlite3_column_int(st, 3);
	g->color = column_strdup(st, 4);
	if (!g->name || tusk_connection_group_validate(g, NULL) < 0)
		return NULL;
	return TAKE_PTR(g);
}

/* StorageAddRow for groups_list. */
static int add_group(void *list, sqlite3_stmt *st)
{
	GroupList *l = list;
	TuskConnectionGroup *g = group_from_row(st);
	if (!g)
		return 0;
	TuskConnectionGroup **items = realloc(l->items, (l->n + 1) * sizeof(*items));
	if (!items) {
		tusk_connection_group_free(g);
		return -1;
	}
	l->items = items;
	l->items[l->n++] = g;
	return 1;
}

int groups_list(Storage *s, GroupList **ret, size_t *ret_skipped, TuskError *e)
{
	_cleanup_(group_list_freep) GroupList *l = calloc(1, sizeof(*l));

	if (!l)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	if (storage_read_rows(storage_db(s),
	                      "SELECT id, name, parent_id, sort_order, color FROM connection_groups"
	                      " ORDER BY sort_order, name, id",
	                      add_group, l, ret_skipped, e) < 0)
		return -1;
	*ret = TAKE_PTR(l);
	return 0;
}

int groups_find(Storage *s, const char *id_or_name, TuskConnectionGroup **ret, TuskError *e)
{
	_cleanup_(group_list_freep) GroupList *l = NULL;
	size_t match = 0, matches = 0;

	if (!id_or_name || !*id_or_name)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "id: must not be empty");
	if (groups_list(s, &l, NULL, e) < 0)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->items[i]->id, id_or_name) == 0) {
			*ret = TAKE_PTR(l->items[i]);
			return 0;
		}
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i]->name, id_or_name) == 0) {
			match = i;
			matches++;
		}
	if (matches == 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "id: no group named '%s'",
		                      id_or_name);
	if (matches > 1) {
		tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		               "id: %zu groups are named '%s'; give the group's id", matches,
		               id_or_name);
		tusk_error_set_hint(e, "groups.list shows every group's id");
		return -1;
	}
	*ret = TAKE_PTR(l->items[match]);
	return 0;
}

int groups_exists(Storage *s, const char *id, TuskError *e)
{
	return storage_step_with_id(storage_db(s), "SELECT 1 FROM connection_groups WHERE id = ?",
	                            id, e);
}

static bool same_parent(const TuskConnectionGroup *a, const TuskConnectionGroup *b)
{
	if (!a->parent_id || !b->parent_id)
		return !a->parent_id && !b->parent_id;
	return strcasecmp(a->parent_id, b->parent_id) == 0;
}

/* The stored set with g in place of its old row (or added), checked as a
 * tree and for sibling names. Borrowed pointers: l keeps ownership. */
static int check_with(GroupList *l, const TuskConnectionGroup *g, bool *ret_created, TuskError *e)
{
	_cleanup_free_ TuskConnectionGroup **set = calloc(l->n + 1, sizeof(*set));
	size_t n = 0;
	bool created = true;

	if (!set)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < l->n; i++) {
		if (strcasecmp(l->items[i]->id, g->id) == 0) {
			created = false;
			continue;
		}
		if (same_parent(l->items[i], g) && strcmp(l->items[i]->name, g->name) == 0)
			return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
			                      "name: a group named '%s' already exists there",
			                      g->name);
		set[n++] = l->items[i];
	}
	set[n++] = (TuskConnectionGroup *)g;
	if (tusk_connection_groups_check_tree(set, n, e) < 0)
		return -1;
	*ret_created = created;
	return 0;
}

static int upsert(sqlite3 *db, const TuskConnectionGroup *g, TuskError *e)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int rc =
	    sqlite3_prepare_v2(db,
	                       "INSERT INTO connection_groups (id, name, parent_id, sort_order,"
	                       " color) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET"
	                       " name = ?2, parent_id = ?3, sort_order = ?4, color = ?5",
	                       -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, g->id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, g->name, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 3, g->parent_id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 4, g->sort_order);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 5, g->color, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	return rc == SQLITE_DONE ? 0 : sql_fail(db, rc, e);
}

int groups_save(Storage *s, const TuskConnectionGroup *g, bool *ret_created, TuskError *e)
{
	sqlite3 *db = storage_db(s);
	_cleanup_(group_list_freep) GroupList *l = NULL;
	bool created = false;

	if (tusk_connection_group_validate(g, e) < 0)
		return -1;
	if (storage_sql_exec(db, "BEGIN IMMEDIATE", e) < 0)
		return -1;
	if (groups_list(s, &l, NULL, e) < 0 || check_with(l, g, &created, e) < 0 ||
	    upsert(db, g, e) < 0 || storage_sql_exec(db, "COMMIT", e) < 0) {
		storage_rollback(db);
		return -1;
	}
	if (ret_created)
		*ret_created = created;
	return 0;
}

/* How many groups the subtree rooted at id holds, and their connections. */
static int count_subtree(sqlite3 *db, const char *id, GroupDeleteStats *ret, TuskError *e)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
	    db,
	    "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT g.id FROM connection_groups g"
	    " JOIN sub ON g.parent_id = sub.id)"
	    " SELECT (SELECT count(*) FROM sub),"
	    " (SELECT count(*) FROM connections WHERE group_id IN (SELECT id FROM sub))",
	    -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return sql_fail(db, rc, e);
	ret->groups = (unsigned)sqlite3_column_int(st, 0);
	ret->connections = (unsigned)sqlite3_column_int(st, 1);
	return 0;
}

int groups_delete(Storage *s, const char *id_or_name, GroupDeleteStats *ret_stats, TuskError *e)
{
	sqlite3 *db = storage_db(s);
	_cleanup_connection_group_ TuskConnectionGroup *g = NULL;
	GroupDeleteStats stats = {0};

	if (storage_sql_exec(db, "BEGIN IMMEDIATE", e) < 0)
		return -1;
	/* The foreign keys do the work: CASCADE removes the groups below,
	 * SET NULL frees their connections. */
	if (groups_find(s, id_or_name, &g, e) < 0 || count_subtree(db, g->id, &stats, e) < 0 ||
	    storage_step_with_id(db, "DELETE FROM connection_groups WHERE id = ?", g->id, e) < 0 ||
	    storage_sql_exec(db, "COMMIT", e) < 0) {
		storage_rollback(db);
		return -1;
	}
	if (ret_stats)
		*ret_stats = stats;
	return 0;
}
