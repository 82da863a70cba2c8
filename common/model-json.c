#include "common/model-json.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tusk_json_path(char *buf, size_t size, const char *prefix, const char *key)
{
	if (prefix && prefix[0])
		snprintf(buf, size, "%s.%s", prefix, key);
	else
		snprintf(buf, size, "%s", key);
	return buf;
}

int tusk_json_reject_unknown(const json_t *obj, const char *prefix, const char *const *allowed,
                             TuskError *e)
{
	const char *key;
	json_t *value;
	char path[256];

	json_object_foreach((json_t *)obj, key, value)
	{
		bool known = false;
		for (const char *const *a = allowed; *a && !known; a++)
			known = strcmp(*a, key) == 0;
		if (!known)
			return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s: unknown field",
			                      tusk_json_path(path, sizeof(path), prefix, key));
	}
	return 0;
}

static const json_t *member(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

int tusk_json_take_string(const json_t *obj, const char *prefix, const char *key, bool required,
                          char **ret, TuskError *e)
{
	char path[256];
	const json_t *v = member(obj, key);

	if (!v) {
		if (required)
			return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s: required",
			                      tusk_json_path(path, sizeof(path), prefix, key));
		return 0;
	}
	if (!json_is_string(v))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s: must be a string",
		                      tusk_json_path(path, sizeof(path), prefix, key));
	/* jansson allows NUL inside strings; a C string cannot hold one. */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s: must not contain NUL",
		                      tusk_json_path(path, sizeof(path), prefix, key));
	char *s = strdup(json_string_value(v));
	if (!s)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	free(*ret);
	*ret = s;
	return 0;
}

int tusk_json_take_bool(const json_t *obj, const char *prefix, const char *key, bool *ret,
                        TuskError *e)
{
	char path[256];
	const json_t *v = member(obj, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s: must be true or false",
		                      tusk_json_path(path, sizeof(path), prefix, key));
	*ret = json_is_true(v);
	return 0;
}

int tusk_json_take_int(const json_t *obj, const char *prefix, const char *key, int64_t min,
                       int64_t max, int64_t *ret, bool *ret_present, TuskError *e)
{
	char path[256];
	const json_t *v = member(obj, key);

	if (ret_present)
		*ret_present = false;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "%s: must be an integer from %" PRId64 " to %" PRId64,
		                      tusk_json_path(path, sizeof(path), prefix, key), min, max);
	*ret = json_integer_value(v);
	if (ret_present)
		*ret_present = true;
	return 0;
}

int tusk_json_take_object(const json_t *obj, const char *prefix, const char *key,
                          const json_t **ret, TuskError *e)
{
	char path[256];
	const json_t *v = member(obj, key);

	*ret = NULL;
	if (!v)
		return 0;
	if (!json_is_object(v))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s: must be an object",
		                      tusk_json_path(path, sizeof(path), prefix, key));
	*ret = v;
	return 0;
}

int tusk_json_set_string_or_null(json_t *obj, const char *key, const char *value)
{
	return json_object_set_new(obj, key, value ? json_string(value) : json_null());
}

bool tusk_color_valid(const char *s)
{
	if (!s || s[0] != '#' || strlen(s) != 7)
		return false;
	for (int i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}
