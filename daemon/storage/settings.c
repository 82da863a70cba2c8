/* The settings registry and its validated, persisted values. A value is
 * checked against its key's type and range before it reaches the table, and
 * again when it is read back: a row written by another version of Tusk, or
 * by hand, never puts an invalid value in front of the daemon. */
#include "daemon/storage/settings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"

static const char *const theme_choices[] = {"system", "light", "dark", NULL};

#define INT_SETTING(k, d, lo, hi, desc)                                            \
	{                                                                          \
		.key = k, .type = SETTING_INT, .def_int = d, .min = lo, .max = hi, \
		.description = desc                                                \
	}

static const SettingDef registry[] = {
    INT_SETTING("rpc.max_message_bytes", 16777216, 1024, 268435456,
                "Largest JSON-RPC message accepted from a client, in bytes"),
    INT_SETTING("rpc.max_pending_requests", 256, 1, 65536,
                "Requests one client may have in flight at once"),
    INT_SETTING("rpc.max_output_bytes", 67108864, 65536, 1073741824,
                "Unsent output kept for one client before it is throttled, in bytes"),
    INT_SETTING("log.retention_days", 7, 1, 365, "Days of daily log files kept"),
    INT_SETTING("workers.threads", 4, 1, 64, "Threads for blocking work (keyring, cancel, DNS)"),
    INT_SETTING("pool.max_size", 5, 1, 100, "Most backends in one connection's pool"),
    INT_SETTING("pool.acquire_timeout_ms", 30000, 100, 600000,
                "How long a query waits for a free backend, in milliseconds"),
    INT_SETTING("pool.health_check_interval_sec", 60, 5, 3600,
                "Seconds between checks of idle backends"),
    INT_SETTING("query.batch_rows", 1000, 1, 100000, "Rows per streamed query.rows batch"),
    INT_SETTING("query.context_idle_timeout_sec", 600, 10, 86400,
                "Seconds an idle open transaction of a named context is kept"),
    INT_SETTING(
        "store.memory_budget_mb", 256, 1, 1048576,
        "Memory for all stored query results together, in MiB; the rest is spilled to disk"),
    INT_SETTING("store.disk_budget_mb", 20480, 1, 16777216,
                "Disk for all stored results together, in MiB; the least recently used are "
                "released beyond it"),
    INT_SETTING("store.ttl_sec", 86400, 1, 31536000,
                "Seconds an unused stored result is kept before it is released"),
    INT_SETTING("history.max_entries", 100000, 0, 10000000,
                "Query history entries kept (0 = unlimited)"),
    INT_SETTING("history.retention_days", 90, 0, 36500, "Days query history is kept (0 = forever)"),
    {.key = "history.record",
     .type = SETTING_BOOL,
     .def_int = 1,
     .description = "Record every execution in query history (false: new ones are not kept)"},
    {.key = "schema.load_on_open",
     .type = SETTING_BOOL,
     .def_int = 0,
     .description = "Load the schema cache as soon as a connection opens"},
    INT_SETTING("ssh.keepalive_interval_sec", 30, 0, 3600,
                "Seconds between SSH keepalives (0 = off)"),
    {.key = "ui.theme",
     .type = SETTING_STRING,
     .def_string = "system",
     .choices = theme_choices,
     .description = "Colour scheme of the window"},
    {.key = "session.restore",
     .type = SETTING_BOOL,
     .def_int = 1,
     .description = "Reopen at start the connections open when tuskd last stopped"},
    INT_SETTING("workspace.max_tab_bytes", 4194304, 1024, 67108864,
                "Largest workspace tab (SQL text and client state), in bytes"),
};

#define N_SETTINGS (sizeof registry / sizeof *registry)

/* INT and BOOL use i; STRING uses s (owned). */
struct setting_value {
	long long i;
	char *s;
};

struct Settings {
	Storage *st; /* borrowed; NULL keeps values in memory only */
	size_t ignored;
	struct setting_value values[N_SETTINGS];
};

const SettingDef *settings_registry(size_t *count)
{
	if (count)
		*count = N_SETTINGS;
	return registry;
}

const SettingDef *settings_find(const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (strcmp(registry[i].key, key) == 0)
			return &registry[i];
	return NULL;
}

static const char *type_name(SettingType t)
{
	switch (t) {
	case SETTING_INT:
		return "int";
	case SETTING_BOOL:
		return "bool";
	case SETTING_STRING:
		return "string";
	}
	return "unknown";
}

static char *choices_text(const SettingDef *d)
{
	size_t len = 1;
	for (const char *const *c = d->choices; *c; c++)
		len += strlen(*c) + 2;
	char *out = malloc(len);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (const char *const *c = d->choices; *c; c++) {
		if (c != d->choices)
			strcat(out, ", ");
		strcat(out, *c);
	}
	return out;
}

/* The "must be …" message, the same whichever way the bad value came. */
static int invalid(const SettingDef *d, const char *given, TuskError *e)
{
	switch (d->type) {
	case SETTING_INT:
		tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s must be an integer from %lld to %lld",
		               d->key, d->min, d->max);
		break;
	case SETTING_BOOL:
		tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s must be true or false", d->key);
		break;
	case SETTING_STRING:
		if (d->choices) {
			_cleanup_free_ char *list = choices_text(d);
			tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s must be one of: %s", d->key,
			               list ? list : "?");
		} else {
			tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s must be a string", d->key);
		}
		break;
	}
	if (given)
		tusk_error_set_detail(e, "got %s", given);
	return -1;
}

static int invalid_json(const SettingDef *d, const json_t *value, TuskError *e)
{
	_cleanup_free_ char *given =
	    value ? json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT) : strdup("nothing");
	return invalid(d, given, e);
}

static int validate(const SettingDef *d, const json_t *value, TuskError *e)
{
	switch (d->type) {
	case SETTING_INT:
		/* json_is_integer is false for 5.0 and "5": only a JSON integer. */
		if (!json_is_integer(value) || json_integer_value(value) < d->min ||
		    json_integer_value(value) > d->max)
			return invalid_json(d, value, e);
		return 0;
	case SETTING_BOOL:
		if (!json_is_boolean(value))
			return invalid_json(d, value, e);
		return 0;
	case SETTING_STRING:
		if (!json_is_string(value) ||
		    strlen(json_string_value(value)) != json_string_length(value))
			return invalid_json(d, value, e);
		if (d->choices) {
			for (const char *const *c = d->choices; *c; c++)
				if (strcmp(*c, json_string_value(value)) == 0)
					return 0;
			return invalid_json(d, value, e);
		}
		return 0;
	}
	return invalid_json(d, value, e);
}

/* value already validated */
static int apply(Settings *s, const SettingDef *d, const json_t *value)
{
	struct setting_value *v = &s->values[d - registry];
	switch (d->type) {
	case SETTING_INT:
		v->i = json_integer_value(value);
		break;
	case SETTING_BOOL:
		v->i = json_is_true(value);
		break;
	case SETTING_STRING: {
		char *copy = strdup(json_string_value(value));
		if (!copy)
			return -ENOMEM;
		free(v->s);
		v->s = copy;
		break;
	}
	}
	return 0;
}

static json_t *default_json(const SettingDef *d)
{
	switch (d->type) {
	case SETTING_INT:
		return json_integer(d->def_int);
	case SETTING_BOOL:
		return json_boolean(d->def_int);
	case SETTING_STRING:
		return json_string(d->def_string);
	}
	return NULL;
}

static int apply_default(Settings *s, const SettingDef *d)
{
	_cleanup_json_ json_t *def = default_json(d);
	return def ? apply(s, d, def) : -ENOMEM;
}

static json_t *value_json(Settings *s, const SettingDef *d)
{
	const struct setting_value *v = &s->values[d - registry];
	switch (d->type) {
	case SETTING_INT:
		return json_integer(v->i);
	case SETTING_BOOL:
		return json_boolean(v->i);
	case SETTING_STRING:
		return json_string(v->s);
	}
	return NULL;
}

static int load(Settings *s, TuskError *e)
{
	sqlite3 *db = storage_db(s->st);
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT key, value FROM settings", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return tusk_error_from_sqlite(e, db, rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const SettingDef *d = settings_find((const char *)sqlite3_column_text(st, 0));
		const char *text = (const char *)sqlite3_column_text(st, 1);
		_cleanup_json_ json_t *value =
		    text ? json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL) : NULL;
		/* A key this version does not know, or a value it no longer
		 * accepts, keeps its default: the daemon must start anyway. The
		 * row stays, so a newer Tusk sharing the file still finds it. */
		if (!d || !value || validate(d, value, NULL) < 0) {
			s->ignored++;
			continue;
		}
		if (apply(s, d, value) < 0)
			return tusk_error_from_errno(e, ENOMEM, "settings");
	}
	if (rc != SQLITE_DONE)
		return tusk_error_from_sqlite(e, db, rc);
	return 0;
}

Settings *settings_new(Storage *st, TuskError *e)
{
	Settings *s = calloc(1, sizeof *s);
	if (!s)
		return tusk_error_from_errno(e, ENOMEM, "settings"), NULL;
	s->st = st;
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (apply_default(s, &registry[i]) < 0) {
			settings_free(s);
			return tusk_error_from_errno(e, ENOMEM, "settings"), NULL;
		}
	if (st && load(s, e) < 0) {
		settings_free(s);
		return NULL;
	}
	return s;
}

void settings_free(Settings *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < N_SETTINGS; i++)
		free(s->values[i].s);
	free(s);
}

size_t settings_ignored_count(const Settings *s)
{
	return s->ignored;
}

static const SettingDef *find_or_fail(const char *key, TuskError *e)
{
	const SettingDef *d = settings_find(key);
	if (!d)
		tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "unknown setting '%s'", key ? key : "");
	return d;
}

static int store(Settings *s, const SettingDef *d, const json_t *value, TuskError *e)
{
	if (!s->st)
		return 0;
	sqlite3 *db = storage_db(s->st);
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	_cleanup_free_ char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
	if (!text)
		return tusk_error_from_errno(e, ENOMEM, "settings");
	int rc =
	    sqlite3_prepare_v2(db,
	                       "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
	                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
	                       "updated_at = excluded.updated_at",
	                       -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, d->key, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, storage_now_us());
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		return tusk_error_from_sqlite(e, db, rc);
	return 0;
}

int settings_set(Settings *s, const char *key, json_t *value, TuskError *e)
{
	const SettingDef *d = find_or_fail(key, e);
	if (!d)
		return -1;
	if (validate(d, value, e) < 0)
		return -1;
	/* Stored first: memory never holds a value the file does not. */
	if (store(s, d, value, e) < 0)
		return -1;
	if (apply(s, d, value) < 0)
		return tusk_error_from_errno(e, ENOMEM, "settings");
	return 0;
}

static int parse_bool(const char *text, bool *ret)
{
	static const char *const yes[] = {"true", "on", "yes", "1"};
	static const char *const no[] = {"false", "off", "no", "0"};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
		if (strcasecmp(text, yes[i]) == 0)
			return *ret = true, 0;
		if (strcasecmp(text, no[i]) == 0)
			return *ret = false, 0;
	}
	return -EINVAL;
}

static int parse_int(const char *text, long long *ret)
{
	char *end = NULL;
	/* strtoll alone would take " 5", "5x" (as 5) and "" (as 0). */
	if (!(*text == '-' || *text == '+' || (*text >= '0' && *text <= '9')))
		return -EINVAL;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0' || end == text)
		return -EINVAL;
	*ret = v;
	return 0;
}

int settings_set_from_string(Settings *s, const char *key, const char *text, TuskError *e)
{
	const SettingDef *d = find_or_fail(key, e);
	_cleanup_json_ json_t *value = NULL;
	if (!d)
		return -1;
	if (!text)
		return invalid(d, "nothing", e);
	switch (d->type) {
	case SETTING_INT: {
		long long v;
		if (parse_int(text, &v) < 0)
			return invalid(d, text, e);
		value = json_integer(v);
		break;
	}
	case SETTING_BOOL: {
		bool v;
		if (parse_bool(text, &v) < 0)
			return invalid(d, text, e);
		value = json_boolean(v);
		break;
	}
	case SETTING_STRING:
		value = json_string(text);
		if (!value)
			return invalid(d, "text that is not UTF-8", e);
		break;
	}
	if (!value)
		return tusk_error_from_errno(e, ENOMEM, "settings");
	return settings_set(s, key, value, e);
}

int settings_reset(Settings *s, const char *key, TuskError *e)
{
	const SettingDef *d = find_or_fail(key, e);
	if (!d)
		return -1;
	if (s->st) {
		sqlite3 *db = storage_db(s->st);
		_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
		int rc =
		    sqlite3_prepare_v2(db, "DELETE FROM settings WHERE key = ?", -1, &st, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(st, 1, d->key, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			return tusk_error_from_sqlite(e, db, rc);
	}
	if (apply_default(s, d) < 0)
		return tusk_error_from_errno(e, ENOMEM, "settings");
	return 0;
}

static json_t *describe(Settings *s, const SettingDef *d)
{
	_cleanup_json_ json_t *o = json_object();
	if (!o || json_object_set_new(o, "key", json_string(d->key)) < 0 ||
	    json_object_set_new(o, "value", value_json(s, d)) < 0 ||
	    json_object_set_new(o, "default", default_json(d)) < 0 ||
	    json_object_set_new(o, "type", json_string(type_name(d->type))) < 0 ||
	    json_object_set_new(o, "description", json_string(d->description)) < 0)
		return NULL;
	if (d->type == SETTING_INT && (json_object_set_new(o, "min", json_integer(d->min)) < 0 ||
	                               json_object_set_new(o, "max", json_integer(d->max)) < 0))
		return NULL;
	if (d->choices) {
		json_t *list = json_array();
		if (json_object_set_new(o, "choices", list) < 0)
			return NULL;
		for (const char *const *c = d->choices; *c; c++)
			if (json_array_append_new(list, json_string(*c)) < 0)
				return NULL;
	}
	return TAKE_PTR(o);
}

json_t *settings_get_json(Settings *s, const char *key, TuskError *e)
{
	const SettingDef *d = find_or_fail(key, e);
	if (!d)
		return NULL;
	json_t *o = describe(s, d);
	if (!o)
		tusk_error_from_errno(e, ENOMEM, "settings");
	return o;
}

json_t *settings_list_json(Settings *s)
{
	_cleanup_json_ json_t *all = json_object();
	if (!all)
		return NULL;
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (json_object_set_new(all, registry[i].key, describe(s, &registry[i])) < 0)
			return NULL;
	return TAKE_PTR(all);
}

/* Asking for a key that does not exist, or as the wrong type, is a bug in
 * the daemon, not something a user did. */
static const struct setting_value *typed(Settings *s, const char *key, SettingType type)
{
	const SettingDef *d = settings_find(key);
	if (!d || d->type != type)
		abort();
	return &s->values[d - registry];
}

long long settings_int(Settings *s, const char *key)
{
	return typed(s, key, SETTING_INT)->i;
}

bool settings_bool(Settings *s, const char *key)
{
	return typed(s, key, SETTING_BOOL)->i != 0;
}

const char *settings_string(Settings *s, const char *key)
{
	return typed(s, key, SETTING_STRING)->s;
}
