/* The query_history statements: batched upserts, chunked deletes,
 * retention, and the list query with its FTS5 search. Every function takes
 * the handle to use, so the same code runs on a worker's handle and on the
 * loop's. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/model-query.h"
#include "common/timestamp.h"
#include "common/uuid.h"
#include "daemon/storage/history-internal.h"
#include "protocol/jsonrpc.h"

/* ---- writing -------------------------------------------------------------- */

/* A second record with the same uuid replaces the first, so a caller may
 * write an entry when a query starts and again when it ends; it also keeps
 * a retried batch from failing on rows an earlier attempt wrote. */
static const char insert_sql[] =
    "INSERT INTO query_history (uuid, connection_id, database, sql, started_at,"
    " duration_ms, rows, query_type, status, error, stop_reason)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    " ON CONFLICT(uuid) DO UPDATE SET connection_id = excluded.connection_id,"
    " database = excluded.database, sql = excluded.sql, started_at = excluded.started_at,"
    " duration_ms = excluded.duration_ms, rows = excluded.rows,"
    " query_type = excluded.query_type, status = excluded.status, error = excluded.error,"
    " stop_reason = excluded.stop_reason";

static int bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int bind_record(sqlite3_stmt *st, const TuskQueryHistoryEntry *r)
{
	int rc = sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = bind_text_or_null(st, 2, r->connection_id);
	if (rc == SQLITE_OK)
		rc = bind_text_or_null(st, 3, r->database);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 4, r->sql, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 5, r->executed_at_us);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 6, r->duration_ms);
	if (rc == SQLITE_OK)
		rc = r->rows >= 0 ? sqlite3_bind_int64(st, 7, r->rows) : sqlite3_bind_null(st, 7);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 8, tusk_query_type_name(r->query_type), -1,
		                       SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 9, tusk_history_status_name(r->status), -1,
		                       SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = bind_text_or_null(st, 10, r->error);
	if (rc == SQLITE_OK)
		rc = bind_text_or_null(st, 11, tusk_stop_reason_name(r->stop_reason));
	return rc;
}

static int fail_rollback(sqlite3 *db, int rc, TuskError *e)
{
	/* The message is taken before ROLLBACK replaces it. */
	tusk_error_from_sqlite(e, db, rc);
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int history_sql_insert(sqlite3 *db, struct history_item *first, size_t n, TuskError *e)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	/* IMMEDIATE takes the write lock now, so a busy database shows here,
	 * before any work, rather than at COMMIT. */
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return fail_rollback(db, rc, e);
	rc = sqlite3_prepare_v2(db, insert_sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail_rollback(db, rc, e);
	struct history_item *it = first;
	for (size_t i = 0; i < n; i++, it = it->next) {
		rc = bind_record(st, &it->rec);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			return fail_rollback(db, rc == SQLITE_OK ? SQLITE_ERROR : rc, e);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return fail_rollback(db, rc, e);
	return 0;
}

/* Run a one-parameter-or-none DELETE until it removes fewer than a chunk;
 * each run is its own (autocommit) transaction. */
static int delete_chunked(sqlite3 *db, const char *sql, const char *text_arg, int64_t int_arg,
                          int64_t limit, int64_t *ret_count, TuskError *e)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return tusk_error_from_sqlite(e, db, rc);
	int64_t total = 0;
	for (;;) {
		int64_t chunk = limit >= 0 && limit - total < HISTORY_DELETE_CHUNK
		                    ? limit - total
		                    : HISTORY_DELETE_CHUNK;
		if (chunk <= 0)
			break;
		sqlite3_reset(st);
		rc = sqlite3_bind_int64(st, 1, chunk);
		if (rc == SQLITE_OK && sqlite3_bind_parameter_count(st) >= 2)
			rc = text_arg ? sqlite3_bind_text(st, 2, text_arg, -1, SQLITE_STATIC)
			              : sqlite3_bind_int64(st, 2, int_arg);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			return tusk_error_from_sqlite(e, db, rc == SQLITE_OK ? SQLITE_ERROR : rc);
		int changed = sqlite3_changes(db);
		total += changed;
		if (changed < chunk)
			break;
	}
	*ret_count = total;
	return 0;
}

static int count_rows(sqlite3 *db, int64_t *ret, TuskError *e)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM query_history", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return tusk_error_from_sqlite(e, db, rc == SQLITE_OK ? SQLITE_ERROR : rc);
	*ret = sqlite3_column_int64(st, 0);
	return 0;
}

static int run_delete(sqlite3 *db, const char *uuid, int64_t *ret_count, TuskError *e)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	char id[TUSK_UUID_STRLEN + 1];
	if (!tusk_uuid_valid(uuid))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "'%s' is not a history entry id",
		                      uuid);
	/* Ids are stored in lower case; accept what a person may type. */
	for (size_t i = 0; i <= TUSK_UUID_STRLEN; i++)
		id[i] = (char)tolower((unsigned char)uuid[i]);
	int rc = sqlite3_prepare_v2(db, "DELETE FROM query_history WHERE uuid = ?1", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		return tusk_error_from_sqlite(e, db, rc == SQLITE_OK ? SQLITE_ERROR : rc);
	*ret_count = sqlite3_changes(db);
	if (*ret_count == 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "no history entry has id %s", id);
	return 0;
}

static int run_retention(sqlite3 *db, long long max_entries, long long days, int64_t *ret_count,
                         TuskError *e)
{
	int64_t by_age = 0, by_count = 0;
	if (days > 0) {
		int64_t cutoff = tusk_now_us() - (int64_t)days * 86400 * 1000000;
		if (delete_chunked(db,
		                   "DELETE FROM query_history WHERE id IN (SELECT id FROM"
		                   " query_history WHERE started_at < ?2 ORDER BY started_at, id"
		                   " LIMIT ?1)",
		                   NULL, cutoff, -1, &by_age, e) < 0)
			return -1;
	}
	if (max_entries > 0) {
		int64_t n = 0;
		if (count_rows(db, &n, e) < 0)
			return -1;
		if (n > max_entries &&
		    delete_chunked(db,
		                   "DELETE FROM query_history WHERE id IN (SELECT id FROM"
		                   " query_history ORDER BY started_at, id LIMIT ?1)",
		                   NULL, 0, n - max_entries, &by_count, e) < 0)
			return -1;
	}
	*ret_count = by_age + by_count;
	return 0;
}

void history_sql_run_op(sqlite3 *db, struct history_item *it)
{
	int64_t count = 0;
	int r = 0;
	switch (it->kind) {
	case HISTORY_ITEM_DELETE:
		r = run_delete(db, it->arg, &count, &it->e);
		break;
	case HISTORY_ITEM_CLEAR:
		r = it->arg
		        ? delete_chunked(db,
		                         "DELETE FROM query_history WHERE id IN (SELECT id"
		                         " FROM query_history WHERE connection_id = ?2 LIMIT ?1)",
		                         it->arg, 0, -1, &count, &it->e)
		        : delete_chunked(db,
		                         "DELETE FROM query_history WHERE id IN (SELECT id"
		                         " FROM query_history LIMIT ?1)",
		                         NULL, 0, -1, &count, &it->e);
		break;
	case HISTORY_ITEM_RETENTION:
		r = run_retention(db, it->max_entries, it->days, &count, &it->e);
		break;
	case HISTORY_ITEM_RECORD:
	case HISTORY_ITEM_FLUSH:
		break;
	}
	it->ran = true;
	it->r = r;
	it->count = count;
}

/* ---- searching ------------------------------------------------------------ */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Whether FTS5's unicode61 tokenizer would find a token in the word:
 * ASCII letters and digits count; other ASCII does not; anything beyond
 * ASCII is taken to (letters, CJK, accented text), since the tokenizer's
 * tables are not at hand here. */
static bool has_token_char(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];
		if (c >= 0x80 || isalnum(c))
			return true;
	}
	return false;
}

/* Split search into words: those with a token character go into the FTS
 * query (quoted prefix phrases), the rest into *ret_plain as a JSON array
 * (NULL when there are none). Returns the FTS query, NULL when no word
 * qualifies. */
static char *split_search(const char *search, json_t **ret_plain)
{
	/* Worst case: every byte a quote (doubled) and every other byte a
	 * one-byte word (quotes, star and space around it). */
	size_t len = strlen(search), n = 0;
	_cleanup_free_ char *q = malloc(len * 4 + 16);
	json_t *plain = NULL;
	if (!q)
		return NULL;
	for (const char *p = search; *p;) {
		while (*p && is_space(*p))
			p++;
		const char *w = p;
		while (*p && !is_space(*p))
			p++;
		size_t wn = (size_t)(p - w);
		if (wn == 0)
			break;
		if (!has_token_char(w, wn)) {
			if (ret_plain && (plain || (plain = json_array())))
				json_array_append_new(plain, json_stringn_nocheck(w, wn));
			continue;
		}
		if (n > 0)
			q[n++] = ' ';
		q[n++] = '"';
		for (size_t i = 0; i < wn; i++) {
			if (w[i] == '"')
				q[n++] = '"';
			q[n++] = w[i];
		}
		q[n++] = '"';
		q[n++] = '*';
	}
	q[n] = '\0';
	if (ret_plain)
		*ret_plain = plain;
	return n > 0 ? TAKE_PTR(q) : NULL;
}

char *history_fts_query(const char *search)
{
	return search ? split_search(search, NULL) : NULL;
}

/* ---- listing -------------------------------------------------------------- */

#define MAX_BINDS 8

/* The WHERE clause of the list and count queries: fixed clauses, each
 * with one parameter. */
struct where {
	char sql[1024];
	size_t len;
	struct {
		const char *text;
		int64_t num;
	} binds[MAX_BINDS];
	int n;
};

static void where_add(struct where *w, const char *clause, const char *text, int64_t num)
{
	int k = snprintf(w->sql + w->len, sizeof(w->sql) - w->len, "%s%s",
	                 w->len ? " AND " : " WHERE ", clause);
	/* The clauses are this file's constants and fit: a programmer error
	 * otherwise. */
	assert(w->n < MAX_BINDS && k > 0 && (size_t)k < sizeof(w->sql) - w->len);
	w->len += (size_t)k;
	w->binds[w->n].text = text;
	w->binds[w->n].num = num;
	w->n++;
}

static int prepare_where(sqlite3 *db, const char *head, const struct where *w, const char *tail,
                         sqlite3_stmt **ret, TuskError *e)
{
	_cleanup_free_ char *sql = NULL;
	if (asprintf(&sql, "%s%s%s", head, w->sql, tail) < 0)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	for (int i = 0; rc == SQLITE_OK && i < w->n; i++)
		rc = w->binds[i].text
		         ? sqlite3_bind_text(st, i + 1, w->binds[i].text, -1, SQLITE_STATIC)
		         : sqlite3_bind_int64(st, i + 1, w->binds[i].num);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(st);
		return tusk_error_from_sqlite(e, db, rc);
	}
	*ret = st;
	return 0;
}

static char *text_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? strdup((const char *)s) : NULL;
}

/* A row in the protocol's one shape of a history entry (common/model-query). */
static json_t *entry_from_row(sqlite3_stmt *st)
{
	TuskQueryHistoryEntry h = {
	    .connection_id = text_dup(st, 1),
	    .database = text_dup(st, 2),
	    .sql = text_dup(st, 3),
	    .executed_at_us = sqlite3_column_int64(st, 4),
	    .duration_ms = sqlite3_column_int64(st, 5),
	    .rows = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6),
	    .error = text_dup(st, 9),
	};
	const unsigned char *id = sqlite3_column_text(st, 0);
	snprintf(h.id, sizeof(h.id), "%s", id ? (const char *)id : "");
	int t = tusk_query_type_from_name((const char *)sqlite3_column_text(st, 7));
	h.query_type = t >= 0 ? (TuskQueryType)t : TUSK_QUERY_OTHER;
	int s = tusk_history_status_from_name((const char *)sqlite3_column_text(st, 8));
	h.status = s >= 0 ? (TuskHistoryStatus)s : TUSK_HISTORY_ERROR;
	int r = tusk_stop_reason_from_name((const char *)sqlite3_column_text(st, 10));
	h.stop_reason =
	    r >= 0 && h.status == TUSK_HISTORY_CANCELLED ? (TuskStopReason)r : TUSK_STOP_NONE;
	json_t *o = tusk_query_history_entry_to_json(&h);
	free(h.connection_id);
	free(h.database);
	free(h.sql);
	free(h.error);
	return o;
}

static int filter_string(const json_t *filter, const char *key, const char **ret, TuskError *e)
{
	const json_t *v = json_object_get(filter, key);
	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s must be a string", key);
	*ret = json_string_value(v);
	return 0;
}

static int filter_int(const json_t *filter, const char *key, int64_t def, int64_t min, int64_t max,
                      int64_t *ret, TuskError *e)
{
	const json_t *v = json_object_get(filter, key);
	*ret = def;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "%s must be an integer from %lld to %lld", key,
		                      (long long)min, (long long)max);
	*ret = json_integer_value(v);
	return 0;
}

json_t *history_sql_list(sqlite3 *db, const json_t *filter, TuskError *e)
{
	const char *connection_id, *search, *status, *stop_reason;
	int64_t limit, offset, before;
	if (filter && !json_is_object(filter))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "the filter must be an object"),
		       NULL;
	if (filter_string(filter, "connection_id", &connection_id, e) < 0 ||
	    filter_string(filter, "search", &search, e) < 0 ||
	    filter_string(filter, "status", &status, e) < 0 ||
	    filter_string(filter, "stop_reason", &stop_reason, e) < 0 ||
	    filter_int(filter, "limit", 50, 1, 1000, &limit, e) < 0 ||
	    filter_int(filter, "offset", 0, 0, INT64_MAX, &offset, e) < 0 ||
	    filter_int(filter, "before_us", INT64_MAX, INT64_MIN, INT64_MAX, &before, e) < 0)
		return NULL;
	if (status && tusk_history_status_from_name(status) < 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "status must be ok, error or cancelled, not '%s'", status),
		       NULL;
	if (stop_reason && tusk_stop_reason_from_name(stop_reason) < 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "stop_reason must be cancel_request, timeout, client_gone, "
		                      "daemon_stopping or server, not '%s'",
		                      stop_reason),
		       NULL;

	struct where w = {0};
	_cleanup_free_ char *fts = NULL, *plain_text = NULL;
	_cleanup_json_ json_t *plain = NULL;
	if (connection_id)
		where_add(&w, "connection_id = ?", connection_id, 0);
	if (status)
		where_add(&w, "status = ?", status, 0);
	if (stop_reason)
		where_add(&w, "stop_reason = ?", stop_reason, 0);
	if (before != INT64_MAX)
		where_add(&w, "started_at < ?", NULL, before);
	if (search) {
		fts = split_search(search, &plain);
		if (fts)
			where_add(&w,
			          "id IN (SELECT rowid FROM query_history_fts WHERE"
			          " query_history_fts MATCH ?)",
			          fts, 0);
		/* One parameter however many such words: a JSON array. */
		if (plain && !(plain_text = json_dumps(plain, JSON_COMPACT)))
			return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory"), NULL;
		if (plain_text)
			where_add(&w,
			          "NOT EXISTS (SELECT 1 FROM json_each(?) WHERE"
			          " instr(query_history.sql, json_each.value) = 0)",
			          plain_text, 0);
	}

	_cleanup_(sqlite3_finalizep) sqlite3_stmt *count_st = NULL;
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	if (prepare_where(db, "SELECT count(*) FROM query_history", &w, "", &count_st, e) < 0)
		return NULL;
	int rc = sqlite3_step(count_st);
	if (rc != SQLITE_ROW)
		return tusk_error_from_sqlite(e, db, rc), NULL;
	int64_t total = sqlite3_column_int64(count_st, 0);

	if (prepare_where(db,
	                  "SELECT uuid, connection_id, database, sql, started_at, duration_ms,"
	                  " rows, query_type, status, error, stop_reason FROM query_history",
	                  &w, " ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?", &st, e) < 0)
		return NULL;
	sqlite3_bind_int64(st, w.n + 1, limit);
	sqlite3_bind_int64(st, w.n + 2, offset);
	_cleanup_json_ json_t *entries = json_array();
	if (!entries)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory"), NULL;
	/* A page stops at about TUSK_RPC_PAGE_BYTES: long scripts cannot make
	 * a reply longer than the protocol's message limit. */
	size_t bytes = 0;
	while (bytes < TUSK_RPC_PAGE_BYTES && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *entry = entry_from_row(st);
		bytes += json_dumpb(entry, NULL, 0, JSON_COMPACT) + 1;
		if (json_array_append_new(entries, entry) < 0)
			return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory"), NULL;
	}
	if (bytes >= TUSK_RPC_PAGE_BYTES)
		rc = SQLITE_DONE;
	if (rc != SQLITE_DONE)
		return tusk_error_from_sqlite(e, db, rc), NULL;
	json_t *result = json_pack("{s:O, s:I}", "entries", entries, "total", (json_int_t)total);
	if (!result)
		tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	return result;
}
