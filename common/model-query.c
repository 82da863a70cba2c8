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
static const char *const history_status_names[_TUSK_HISTORY_STATUS_MAX] = {
    [TUSK_HISTORY_OK] = "ok",
    [TUSK_HISTORY_ERROR] = "error",
    [TUSK_HISTORY_CANCELLED] = "cancelled",
};
static const char *const stop_reason_names[_TUSK_STOP_REASON_MAX] = {
    [TUSK_STOP_NONE] = NULL,
    [TUSK_STOP_CANCEL_REQUEST] = "cancel_request",
    [TUSK_STOP_TIMEOUT] = "timeout",
    [TUSK_STOP_CLIENT_GONE] = "client_gone",
    [TUSK_STOP_DAEMON_STOPPING] = "daemon_stopping",
    [TUSK_STOP_SERVER] = "server",
};
static const char *const entry_keys[] = {
    "id",   "connection_id", "database", "sql",         "executed_at", "duration_ms",
    "rows", "query_type",    "status",   "stop_reason", "error",       NULL,
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

const char *tusk_history_status_name(TuskHistoryStatus s)
{
	return (int)s >= 0 && s < _TUSK_HISTORY_STATUS_MAX ? history_status_names[s] : NULL;
}

int tusk_history_status_from_name(const char *name)
{
	for (int s = 0; name && s < _TUSK_HISTORY_STATUS_MAX; s++)
		if (strcmp(name, history_status_names[s]) == 0)
			return s;
	return -1;
}

const char *tusk_stop_reason_name(TuskStopReason r)
{
	return (int)r >= 0 && r < _TUSK_STOP_REASON_MAX ? stop_reason_names[r] : NULL;
}

int tusk_stop_reason_from_name(const char *name)
{
	for (int r = TUSK_STOP_NONE + 1; name && r < _TUSK_STOP_REASON_MAX; r++)
		if (strcmp(name, stop_reason_names[r]) == 0)
			return r;
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
	free(h->connection_id);
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
	h->executed_at_us = tusk_now_us();
	h->rows = -1;
	h->query_type = TUSK_QUERY_OTHER;
	h->status = TUSK_HISTORY_OK;
	if ((connection_id && !(h->connection_id = strdup(connection_id))) ||
	    (database && !(h->database = strdup(database))) || !(h->sql = strdup(sql ? sql : "")))
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
	if (!h->sql)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "sql: required");
	if (tusk_timestamp_format(h->executed_at_us, 6, stamp) < 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "executed_at: must be a time between years 1 and 9999");
	if (h->duration_ms < 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "duration_ms: must not be negative");
	if (h->rows < -1)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "rows: must not be negative");
	if (!tusk_query_type_name(h->query_type))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "query_type: unknown type");
	if (!tusk_history_status_name(h->status))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "status: unknown status");
	if ((int)h->stop_reason < 0 || h->stop_reason >= _TUSK_STOP_REASON_MAX)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "stop_reason: unknown reason");
	if (h->stop_reason != TUSK_STOP_NONE && h->status != TUSK_HISTORY_CANCELLED)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "stop_reason: only a cancelled execution has one");
	return 0;
}

/* name → index of names, or an error naming the choices. */
static int take_enum(const json_t *json, const char *key, bool required,
                     int (*from_name)(const char *), const char *choices, int *ret, TuskError *e)
{
	_cleanup_free_ char *s = NULL;
	if (tusk_json_take_string(json, NULL, key, required, &s, e) < 0)
		return -1;
	if (!s)
		return 0;
	int v = from_name(s);
	if (v < 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s: must be one of %s", key,
		                      choices);
	*ret = v;
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
	_cleanup_free_ char *when = NULL, *id = NULL;
	int64_t elapsed = 0, rows = -1;
	bool has_elapsed = false, has_rows = false;
	int type = TUSK_QUERY_OTHER, status = -1, stop = TUSK_STOP_NONE;

	if (!h)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	if (tusk_json_reject_unknown(json, NULL, entry_keys, e) < 0 ||
	    tusk_json_take_string(json, NULL, "id", true, &id, e) < 0)
		return -1;
	if (!tusk_uuid_valid(id))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "id: must be a UUID");
	for (char *p = id; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	memcpy(h->id, id, TUSK_UUID_STRLEN + 1);
	free(h->sql);
	h->sql = NULL;
	if (tusk_json_take_string(json, NULL, "connection_id", false, &h->connection_id, e) < 0 ||
	    tusk_json_take_string(json, NULL, "database", false, &h->database, e) < 0 ||
	    tusk_json_take_string(json, NULL, "sql", true, &h->sql, e) < 0 ||
	    tusk_json_take_string(json, NULL, "executed_at", true, &when, e) < 0 ||
	    tusk_json_take_int(json, NULL, "duration_ms", 0, INT64_MAX, &elapsed, &has_elapsed, e) <
	        0 ||
	    tusk_json_take_int(json, NULL, "rows", 0, INT64_MAX, &rows, &has_rows, e) < 0 ||
	    take_enum(json, "query_type", false, tusk_query_type_from_name,
	              "select, insert, update, delete, create, alter, drop, other", &type, e) < 0 ||
	    take_enum(json, "status", true, tusk_history_status_from_name, "ok, error, cancelled",
	              &status, e) < 0 ||
	    take_enum(json, "stop_reason", false, tusk_stop_reason_from_name,
	              "cancel_request, timeout, client_gone, daemon_stopping, server", &stop,
	              e) < 0 ||
	    tusk_json_take_string(json, NULL, "error", false, &h->error, e) < 0)
		return -1;
	if (tusk_timestamp_parse(when, &h->executed_at_us) < 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "executed_at: must be an ISO-8601 time such as "
		                      "\"2026-11-26T14:08:21.123456Z\"");
	if (!has_elapsed)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "duration_ms: required");
	h->duration_ms = elapsed;
	h->rows = has_rows ? rows : -1;
	h->query_type = (TuskQueryType)type;
	h->status = (TuskHistoryStatus)status;
	h->stop_reason = (TuskStopReason)stop;
	if (tusk_query_history_entry_validate(h, e) < 0)
		return -1;
	*ret = TAKE_PTR(h);
	return 0;
}

json_t *tusk_query_history_entry_to_json(const TuskQueryHistoryEntry *h)
{
	char stamp[TUSK_TIMESTAMP_STRLEN];

	if (!h || !h->sql || tusk_timestamp_format(h->executed_at_us, 6, stamp) < 0)
		return NULL;
	const char *stop = tusk_stop_reason_name(h->stop_reason);
	const char *type = tusk_query_type_name(h->query_type);
	const char *status = tusk_history_status_name(h->status);
	_cleanup_json_ json_t *o =
	    json_pack("{s:s, s:s, s:s, s:I, s:o, s:s, s:s, s:o}", "id", h->id, "sql", h->sql,
	              "executed_at", stamp, "duration_ms", (json_int_t)h->duration_ms, "rows",
	              h->rows >= 0 ? json_integer(h->rows) : json_null(), "query_type",
	              type ? type : "other", "status", status ? status : "error", "stop_reason",
	              stop ? json_string(stop) : json_null());
	if (!o || tusk_json_set_string_or_null(o, "connection_id", h->connection_id) < 0 ||
	    tusk_json_set_string_or_null(o, "database", h->database) < 0 ||
	    tusk_json_set_string_or_null(o, "error", h->error) < 0)
		return NULL;
	return TAKE_PTR(o);
}
