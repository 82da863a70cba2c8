/* Typed user settings: a fixed registry of keys with types, defaults and
 * ranges; values stored as JSON text in the settings table. Reads are served
 * from memory. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"
#include "daemon/storage/storage.h"

typedef enum SettingType {
	SETTING_INT,
	SETTING_BOOL,
	SETTING_STRING,
} SettingType;

typedef struct SettingDef {
	const char *key;
	SettingType type;
	const char *description;
	long long def_int; /* INT and BOOL default */
	const char *def_string;
	long long min, max;         /* INT range, inclusive */
	const char *const *choices; /* STRING: NULL-terminated, or NULL for any */
} SettingDef;

typedef struct Settings Settings;

/* Load the stored values. A stored row whose key is unknown, or whose value
 * is not valid JSON or no longer passes validation, is skipped (the default
 * stands, the row is left for a newer Tusk) and counted in
 * settings_ignored_count. st is borrowed and must outlive the Settings;
 * NULL keeps values in memory only. NULL with e set only when the table
 * cannot be read. */
Settings *settings_new(Storage *st, TuskError *e);
void settings_free(Settings *s); /* accepts NULL */
size_t settings_ignored_count(const Settings *s);

const SettingDef *settings_find(const char *key);
const SettingDef *settings_registry(size_t *count);

/* Validated set: unknown key → TUSK_ERR_INVALID_INPUT "unknown setting 'k'";
 * wrong type or out of range → TUSK_ERR_INVALID_INPUT naming key and the
 * allowed range / choices ("pool.max_size must be an integer from 1 to 100",
 * "schema.load_on_open must be true or false", "ui.theme must be one of:
 * system, light, dark"), with detail "got <value>". Ints take only a JSON
 * integer (not 5.0, not "5"), bools only true / false. Persisted before it
 * returns 0; on any error nothing changes. value borrowed. */
int settings_set(Settings *s, const char *key, json_t *value, TuskError *e);
/* The same from text, as typed on a command line or read from a config
 * file, parsed by the key's type: int → decimal digits with an optional
 * sign, nothing else (no spaces, no "5.0"); bool → true/false, on/off,
 * yes/no, 1/0 in any case; string → the text as it is (UTF-8). Errors as
 * settings_set, the detail quoting the text. */
int settings_set_from_string(Settings *s, const char *key, const char *text, TuskError *e);
/* Reset to the default (deletes the stored row). */
int settings_reset(Settings *s, const char *key, TuskError *e);
/* {"key", "value", "default", "type": "int"|"bool"|"string",
 * "description", "min" and "max" (int), "choices" (string with choices)} —
 * new reference, or NULL with e set for an unknown key. */
json_t *settings_get_json(Settings *s, const char *key, TuskError *e);
/* Object of key → the same description object, for every key. */
json_t *settings_list_json(Settings *s);

/* Typed reads for daemon code; abort() on an unknown key or one of another
 * type (a bug in the caller). The string is valid until the next set. */
long long settings_int(Settings *s, const char *key);
bool settings_bool(Settings *s, const char *key);
const char *settings_string(Settings *s, const char *key);
