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

/* Load stored values (unknown or invalid stored keys are ignored and
 * reported through e? no: they are skipped; the defaults stand). */
Settings *settings_new(Storage *st, TuskError *e);
void settings_free(Settings *s);

const SettingDef *settings_find(const char *key);
const SettingDef *settings_registry(size_t *count);

/* Validated set: unknown key → TUSK_ERR_INVALID_INPUT "unknown setting 'k'";
 * wrong type or out of range → TUSK_ERR_INVALID_INPUT naming key and the
 * allowed range / choices. Persisted before it returns 0. value borrowed. */
int settings_set(Settings *s, const char *key, json_t *value, TuskError *e);
/* Reset to the default (deletes the stored row). */
int settings_reset(Settings *s, const char *key, TuskError *e);
/* {"value": …, "default": …, "type": "int", "description": …, "min"…} —
 * new reference, or NULL with e set for an unknown key. */
json_t *settings_get_json(Settings *s, const char *key, TuskError *e);
/* Object of key → the same description object, for every key. */
json_t *settings_list_json(Settings *s);

/* Typed reads for daemon code; abort on a key of the wrong type. */
long long settings_int(Settings *s, const char *key);
bool settings_bool(Settings *s, const char *key);
const char *settings_string(Settings *s, const char *key);
