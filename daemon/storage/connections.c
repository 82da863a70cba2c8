/* Saved connections: rows of the connections table as TuskConnectionConfig.
 * The JSON column is written only from a validated config, and read back
 * through the same validation, so a hand-edited row can never hand the
 * daemon a config the model would refuse. */
#include "daemon/storage/connections.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "daemon/storage/groups.h"
#include "daemon/storage/sql-steps.h"

void connection_list_free(ConnectionList *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		tusk_connection_config_free(l->items[i]);
	free(l->items);
	free(l);
}

static int sql_fail(sqlite3 *db, int rc, TuskError *e)
{
	return tusk_error_from_sqlite(e, db, rc);
}

static int replace_string(char **field, const unsigned char *value)
{
	char *copy = NULL;
	if (value && !(copy = strdup((const char *)value)))
		return -1;
	free(*field);
	*field = copy;
	return 0;
}

/* Columns id, name, group_id, config → a validated config; the columns
 * override what the JSON says. */
static int config_from_row(sqlite3_stmt *st, TuskConnectionConfig **ret, TuskError *e)
{
	const char *text = (const char *)sqlite3_column_text(st, 3);
	const unsigned char *id = sqlite3_column_text(st, 0);
	json_error_t jerr;
	_cleanup_json_ json_t *j = text ? json_loads(text, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	_cleanup_connection_config_ TuskConnectionConfig *c = NULL;

	if (!j)
		return tusk_error_set(e, TUSK_ERR_STORAGE, "the stored config is not JSON");
	if (!id || strlen((const char *)id) != TUSK_UUID_STRLEN)
		return tusk_error_set(e, TUSK_ERR_STORAGE, "the stored id is not a UUID");
	if (tusk_connection_config_from_json(j, &c, e) < 0)
		return -1;
	memcpy(c->id, id, TUSK_UUID_STRLEN + 1);
	if (replace_string(&c->name, sqlite3_column_text(st, 1)) < 0 ||
	    replace_string(&c->group_id, sqlite3_column_text(st, 2)) < 0)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	if (tusk_connection_config_validate(c, e) < 0)
		return -1;
	*ret = TAKE_PTR(c);
	return 0;
}

/* StorageAddRow for connections_list. */
static int add_config(void *list, sqlite3_stmt *st)
{
	ConnectionList *l = list;
	TuskConnectionConfig *c = NULL;
	if (config_from_row(st, &c, NULL) < 0)
		return 0;
	TuskConnectionConfig **items = realloc(l->items, (l->n + 1) * sizeof(*items));
	if (!items) {
		tusk_connection_config_free(c);
		return -1;
	}
	l->items = items;
	l->items[l->n++] = c;
	return 1;
}

int connections_list(Storage *s, ConnectionList **ret, size_t *ret_skipped, TuskError *e)
{
	_cleanup_(connection_list_freep) ConnectionList *l = calloc(1, sizeof(*l));

	if (!l)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	if (storage_read_rows(storage_db(s),
	                      "SELECT c.id, c.name, c.group_id, c.config FROM connections c"
	                      " LEFT JOIN connection_groups g ON g.id = c.group_id"
	                      " ORDER BY c.group_id IS NOT NULL, g.sort_order, g.name, g.id,"
	                      " c.sort_order, c.name",
	                      add_config, l, ret_skipped, e) < 0)
		return -1;
	*ret = TAKE_PTR(l);
	return 0;
}

static void lowercase_id(char out[TUSK_UUID_STRLEN + 1], const char *s)
{
	size_t i = 0;
	for (; s[i] && i < TUSK_UUID_STRLEN; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

int connections_get(Storage *s, const char *id_or_name, TuskConnectionConfig **ret, TuskError *e)
{
	sqlite3 *db = storage_db(s);
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	char id[TUSK_UUID_STRLEN + 1] = "";
	int rc;

	if (!id_or_name || !*id_or_name)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "id: must not be empty");
	if (tusk_uuid_valid(id_or_name))
		lowercase_id(id, id_or_name);
	/* An id match wins over a connection that happens to be named like
	 * another's id. */
	rc = sqlite3_prepare_v2(db,
	                        "SELECT id, name, group_id, config FROM connections"
	                        " WHERE id = ?1 OR name = ?2 ORDER BY id = ?1 DESC LIMIT 1",
	                        -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, id_or_name, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK)
		return sql_fail(db, rc, e);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return tusk_error_set(e, TUSK_ERR_CONNECTION_NOT_FOUND, "no saved connection '%s'",
		                      id_or_name);
	if (rc != SQLITE_ROW)
		return sql_fail(db, rc, e);
	TuskError why = TUSK_ERROR_INIT;
	if (config_from_row(st, ret, &why) < 0) {
		tusk_error_set(e, TUSK_ERR_STORAGE, "the saved connection '%s' cannot be read: %s",
		               id_or_name, tusk_error_message(&why));
		tusk_error_clear(&why);
		return -1;
	}
	return 0;
}

static int name_taken(sqlite3 *db, const TuskConnectionConfig *c, TuskError *e)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM connections WHERE name = ? AND id <> ?", -1,
	                            &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, c->id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : sql_fail(db, rc, e);
}

int connections_check(Storage *s, const TuskConnectionConfig *c, TuskError *e)
{
	if (tusk_connection_config_validate(c, e) < 0)
		return -1;
	int r = name_taken(storage_db(s), c, e);
	if (r < 0)
		return -1;
	if (r > 0) {
		tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		               "name: a connection named '%s' already exists", c->name);
		tusk_error_set_hint(e, "Choose another name, or edit the existing connection.");
		return -1;
	}
	if (c->group_id) {
		r = groups_exists(s, c->group_id, e);
		if (r < 0)
			return -1;
		if (r == 0)
			return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "group_id: no such group");
	}
	return 0;
}

static int upsert(sqlite3 *db, const TuskConnectionConfig *c, const char *json, TuskError *e)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int64_t now = storage_now_us();
	int rc = sqlite3_prepare_v2(
	    db,
	    "INSERT INTO connections (id, name, group_id, config, created_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(id) DO UPDATE SET"
	    " name = ?2, group_id = ?3, config = ?4, updated_at = ?5",
	    -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 3, c->group_id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 4, json, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 5, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	return rc == SQLITE_DONE ? 0 : sql_fail(db, rc, e);
}

static int id_saved(sqlite3 *db, const char *id, TuskError *e)
{
	return storage_step_with_id(db, "SELECT 1 FROM connections WHERE id = ?", id, e);
}

int connections_save(Storage *s, const TuskConnectionConfig *c, bool *ret_created, TuskError *e)
{
	sqlite3 *db = storage_db(s);
	_cleanup_json_ json_t *j = tusk_connection_config_to_json(c);
	_cleanup_free_ char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int had;

	if (!text)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	if (storage_sql_exec(db, "BEGIN IMMEDIATE", e) < 0)
		return -1;
	if (connections_check(s, c, e) < 0 || (had = id_saved(db, c->id, e)) < 0 ||
	    upsert(db, c, text, e) < 0 || storage_sql_exec(db, "COMMIT", e) < 0) {
		storage_rollback(db);
		return -1;
	}
	if (ret_created)
		*ret_created = had == 0;
	return 0;
}

int connections_delete(Storage *s, const char *id_or_name, char ret_id[TUSK_UUID_STRLEN + 1],
                       TuskError *e)
{
	sqlite3 *db = storage_db(s);
	_cleanup_connection_config_ TuskConnectionConfig *c = NULL;

	/* A row too damaged to read can still be deleted by its id. */
	TuskError why = TUSK_ERROR_INIT;
	if (connections_get(s, id_or_name, &c, &why) < 0 && why.kind != TUSK_ERR_STORAGE) {
		tusk_error_move(e, &why);
		return -1;
	}
	tusk_error_clear(&why);
	char id[TUSK_UUID_STRLEN + 1];
	if (c)
		memcpy(id, c->id, sizeof(id));
	else
		lowercase_id(id, id_or_name);

	if (storage_step_with_id(db, "DELETE FROM connections WHERE id = ?", id, e) < 0)
		return -1;
	if (sqlite3_changes(db) == 0)
		return tusk_error_set(e, TUSK_ERR_CONNECTION_NOT_FOUND, "no saved connection '%s'",
		                      id_or_name);
	if (ret_id)
		memcpy(ret_id, id, sizeof(id));
	return 0;
}
