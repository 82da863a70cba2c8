#include "common/model-query.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "common/model-json.h"
#include "common/timestamp.h"

static const char *const status_names[_TUSK_CONNECTION_STATUS_MAX] = {
    [TUSK_CONNECTION_DISCONNECTED] = "disconnected",
    [TUSK_CONNECTION_CONNECTING] = "connecting",
    [TUSK_CONNECTION_CONNECTED] = "connected",
    [TUSK_CONNECTION_ERROR] = "error",
};
static const char *const type_names[_TUSK_QUERY_TYPE_MAX] = {
    [TUSK_QUERY_SELECT] = "select", [TUSK_QUERY_INSERT] = "insert", [TUSK_QUERY_UPDATE] = "update",
    [TUSK_QUERY_DELETE] = "delete", [TUSK_QUERY_CREATE] = "create", [TUSK_QUERY_ALTER] = "alter",
    [TUSK_QUERY_DROP] = "drop",     [TUSK_QUERY_OTHER] = "other",
};
static const char *const entry_keys[] = {
    "id",
    "connection_id",
    "database",
    "sql",
    "executed_at",
    "execution_time_ms",
    "rows_affected",
    "query_type",
    "error",
    NULL,
};

const char *tusk_connection_status_name(TuskConnectionStatus s)
{
	return (int)s >= 0 && s < _TUSK_CONNECTION_STATUS_MAX ? status_names[s] : NULL;
}

int tusk_connection_status_from_name(const char *name)
{
	for (int s = 0; name && s < _TUSK_CONNECTION_STATUS_MAX; s++)
		if (strcmp(name, status_names[s]) == 0)
			return s;
	return -1;
}

const char *tusk_query_type_name(TuskQueryType t)
{
	return (int)t >= 0 && t < _TUSK_QUERY_TYPE_MAX ? type_names[t] : NULL;
}

int tusk_query_type_from_name(const char *name)
{
	for (int t = 0; name && t < _TUSK_QUERY_TYPE_MAX; t++)
		if (strcmp(name, type_names[t]) == 0)
			return t;
	return -1;
}

TuskQueryType tusk_query_type_from_command_tag(const char *tag)
{
	static const struct {
		const char *word;
		TuskQueryType type;
	} words[] = {
	    {"SELECT", TUSK_QUERY_SELECT}, {"INSERT", TUSK_QUERY_INSERT},
	    {"UPDATE", TUSK_QUERY_UPDATE}, {"DELETE", TUSK_QUERY_DELETE},
	    {"CREATE", TUSK_QUERY_CREATE}, {"ALTER", TUSK_QUERY_ALTER},
	    {"DROP", TUSK_QUERY_DROP},
	};
	if (!tag)
		return TUSK_QUERY_OTHER;
	while (isspace((unsigned char)*tag))
		tag++;
	size_t n = 0;
	while (isalpha((unsigned char)tag[n]))
		n++;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (n == strlen(words[i].word) && strncasecmp(tag, words[i].word, n) == 0)
			return words[i].type;
	return TUSK_QUERY_OTHER;
}

TuskQueryHistoryEntry *tusk_query_history_entry_free(TuskQueryHistoryEntry *h)
{
	if (!h)
		return NULL;
	free(h->database);
	free(h->sql);
	free(h->error);
	free(h);
	return NULL;
}

TuskQueryHistoryEntry *tusk_query_history_entry_new(const char *connection_id, const char *database,
                                                    const char *sql)
{
	_cleanup_history_entry_ TuskQueryHistoryEntry *h = calloc(1, sizeof(*h));
	if (!h || tusk_uuid_v4(h->id) < 0)
		return NULL;
	if (connection_id)
		snprintf(h->connection_id, sizeof(h->connection_id), "%s", connection_id);
	h->database = strdup(database ? database : "");
	h->sql = strdup(sql ? sql : "");
	h->executed_at_us = tusk_now_us();
	h->rows_affected = -1;
	h->query_type = TUSK_QUERY_OTHER;
	if (!h->database || !h->sql)
		return NULL;
	return TAKE_PTR(h);
}

int tusk_query_history_entry_validate(const TuskQueryHistoryEntry *h, TuskError *e)
{
	char stamp[TUSK_TIMESTAMP_STRLEN];

	if (!h)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "history entry: missing");
	if (!tusk_uuid_valid(h->id))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "id: must be a UUID");
	if (!tusk_uuid_valid(h->connection_id))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "connection_id: must be a UUID");
	if (!h->database)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "database: required");
	if (!h->sql)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "sql: required");
	if (tusk_timestamp_format(h->executed_at_us, 6, stamp) < 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "executed_at: must be a time between years 1 and 9999");
	if (h->execution_time_ms < 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "execution_time_ms: must not be negative");
	if (h->rows_affected < -1)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "rows_affected: must not be negative");
	if (!tusk_query_type_name(h->query_type))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "query_type: unknown type");
	return 0;
}

static int take_uuid(const json_t *json, const char *key, char out[TUSK_UUID_STRLEN + 1],
                     TuskError *e)
{
	_cleanup_free_ char *s = NULL;
	if (tusk_json_take_string(json, NULL, key, true, &s, e) < 0)
		return -1;
	if (!tusk_uuid_valid(s))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s: must be a UUID", key);
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	memcpy(out, s, TUSK_UUID_STRLEN + 1);
	return 0;
}

int tusk_query_history_entry_from_json(const json_t *json, TuskQueryHistoryEntry **ret,
                                       TuskError *e)
{
	if (!json_is_object(json))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "history entry: must be a JSON object");

	_cleanup_history_entry_ TuskQueryHistoryEntry *h =
	    tusk_query_history_entry_new(NULL, NULL, NULL);
	_cleanup_free_ char *when = NULL, *type = NULL;
	int64_t elapsed = 0, rows = -1;
	bool has_elapsed = false, has_rows = false;

	if (!h)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	if (tusk_json_reject_unknown(json, NULL, entry_keys, e) < 0 ||
	    take_uuid(json, "id", h->id, e) < 0 ||
	    take_uuid(json, "connection_id", h->connection_id, e) < 0 ||
	    tusk_json_take_string(json, NULL, "database", true, &h->database, e) < 0 ||
	    tusk_json_take_string(json, NULL, "sql", true, &h->sql, e) < 0 ||
	    tusk_json_take_string(json, NULL, "executed_at", true, &when, e) < 0 ||
	    tusk_json_take_int(json, NULL, "execution_time_ms", 0, INT64_MAX, &elapsed,
	                       &has_elapsed, e) < 0 ||
	    tusk_json_take_int(json, NULL, "rows_affected", 0, INT64_MAX, &rows, &has_rows, e) <
	        0 ||
	    tusk_json_take_string(json, NULL, "query_type", false, &type, e) < 0 ||
	    tusk_json_take_string(json, NULL, "error", false, &h->error, e) < 0)
		return -1;
	if (tusk_timestamp_parse(when, &h->executed_at_us) < 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "executed_at: must be an ISO-8601 time such as "
		                      "\"2026-11-26T14:08:21.123456Z\"");
	if (!has_elapsed)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "execution_time_ms: required");
	h->execution_time_ms = elapsed;
	h->rows_affected = has_rows ? rows : -1;
	if (type) {
		int t = tusk_query_type_from_name(type);
		if (t < 0)
			return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
			                      "query_type: must be one of select, insert, update, "
			                      "delete, create, alter, drop, other");
		h->query_type = (TuskQueryType)t;
	}
	if (tusk_query_history_entry_validate(h, e) < 0)
		return -1;
	*ret = TAKE_PTR(h);
	return 0;
}

json_t *tusk_query_history_entry_to_json(const TuskQueryHistoryEntry *h)
{
	char stamp[TUSK_TIMESTAMP_STRLEN];

	if (!h || tusk_timestamp_format(h->executed_at_us, 6, stamp) < 0)
		return NULL;
	_cleanup_json_ json_t *o =
	    json_pack("{s:s, s:s, s:s, s:I, s:s?}", "id", h->id, "connection_id", h->connection_id,
	              "executed_at", stamp, "execution_time_ms", (json_int_t)h->execution_time_ms,
	              "query_type", tusk_query_type_name(h->query_type));
	if (!o || tusk_json_set_string_or_null(o, "database", h->database) < 0 ||
	    tusk_json_set_string_or_null(o, "sql", h->sql) < 0 ||
	    tusk_json_set_string_or_null(o, "error", h->error) < 0 ||
	    json_object_set_new(o, "rows_affected",
	                        h->rows_affected >= 0 ? json_integer(h->rows_affected)
	                                              : json_null()) < 0)
		return NULL;
	return TAKE_PTR(o);
}
