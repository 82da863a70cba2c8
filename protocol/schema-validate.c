/* Validating a JSON value against a type of the schema's JSON-Schema
 * subset. The first mismatch wins and is named by its path, because a
 * person fixing a request wants one precise reason, not a list. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/schema-internal.h"
#include "protocol/schema.h"

/* A chain of $refs that never reaches a type is a schema bug; this bounds
 * the recursion it would cause. */
#define MAX_REF_CHAIN 16

const char *tusk_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	}
	return "value";
}

const json_t *tusk_schema_resolve_ref(const json_t *root, const char *ref)
{
	static const char prefix[] = "#/definitions/";
	if (!ref || strncmp(ref, prefix, sizeof(prefix) - 1) != 0)
		return NULL;
	const json_t *defs = json_object_get(root, "definitions");
	return json_object_get(defs, ref + sizeof(prefix) - 1);
}

static int mismatch(TuskError *e, const TuskSchemaPath *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int mismatch(TuskError *e, const TuskSchemaPath *path, const char *fmt, ...)
{
	_cleanup_free_ char *what = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	const char *p = tusk_schema_path_str(path);
	return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS, "%s%s%s", p, *p ? ": " : "",
	                      what ? what : "invalid value");
}

static bool type_matches(const char *name, const json_t *v)
{
	if (strcmp(name, "number") == 0)
		return json_is_number(v);
	return strcmp(name, tusk_json_type_name(v)) == 0;
}

/* "string or null", "integer, boolean or string". */
static char *type_list_text(const json_t *type)
{
	if (json_is_string(type))
		return strdup(json_string_value(type));
	char *out = NULL;
	size_t n = json_array_size(type);
	for (size_t i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		char *next = NULL;
		if (asprintf(&next, "%s%s%s", out ? out : "", sep,
		             json_string_value(json_array_get(type, i))) < 0)
			next = NULL;
		free(out);
		out = next;
		if (!out)
			return NULL;
	}
	return out;
}

static int check_type(const json_t *type, const json_t *v, TuskSchemaPath *path, TuskError *e)
{
	if (!type)
		return 0;
	if (json_is_string(type) && type_matches(json_string_value(type), v))
		return 0;
	size_t i;
	json_t *t;
	json_array_foreach(type, i, t)
	{
		if (json_is_string(t) && type_matches(json_string_value(t), v))
			return 0;
	}
	_cleanup_free_ char *want = type_list_text(type);
	return mismatch(e, path, "expected %s, got %s", want ? want : "another type",
	                tusk_json_type_name(v));
}

/* A JSON rendering of a value for messages, cut short if long. */
static char *value_text(const json_t *v)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (s && strlen(s) > 60)
		strcpy(s + 57, "...");
	return s;
}

static int check_enum(const json_t *choices, const json_t *v, TuskSchemaPath *path, TuskError *e)
{
	size_t i;
	json_t *c;
	json_array_foreach(choices, i, c)
	{
		if (json_equal(c, v))
			return 0;
	}
	_cleanup_free_ char *got = value_text(v);
	_cleanup_free_ char *list = NULL;
	json_array_foreach(choices, i, c)
	{
		_cleanup_free_ char *one = value_text(c);
		char *next = NULL;
		if (asprintf(&next, "%s%s%s", list ? list : "", i ? ", " : "", one ? one : "?") < 0)
			next = NULL;
		free(list);
		list = next;
	}
	return mismatch(e, path, "%s is not one of %s", got ? got : "the value",
	                list ? list : "the allowed values");
}

static void number_text(const json_t *n, char *buf, size_t size)
{
	if (json_is_integer(n))
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(n));
	else
		snprintf(buf, size, "%.15g", json_number_value(n));
}

static int check_number(const json_t *type, const json_t *v, TuskSchemaPath *path, TuskError *e)
{
	const json_t *lo = json_object_get(type, "minimum");
	const json_t *hi = json_object_get(type, "maximum");
	bool ints = json_is_integer(v);
	json_int_t iv = ints ? json_integer_value(v) : 0;
	double dv = json_number_value(v);
	char got[64], bound[64];

	number_text(v, got, sizeof(got));
	if (lo) {
		bool below = ints && json_is_integer(lo) ? iv < json_integer_value(lo)
		                                         : dv < json_number_value(lo);
		if (below) {
			number_text(lo, bound, sizeof(bound));
			return mismatch(e, path, "%s is less than the minimum %s", got, bound);
		}
	}
	if (hi) {
		bool above = ints && json_is_integer(hi) ? iv > json_integer_value(hi)
		                                         : dv > json_number_value(hi);
		if (above) {
			number_text(hi, bound, sizeof(bound));
			return mismatch(e, path, "%s is greater than the maximum %s", got, bound);
		}
	}
	return 0;
}

static size_t utf8_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static int check_length(const json_t *type, size_t n, const char *unit, TuskSchemaPath *path,
                        TuskError *e, const char *min_key, const char *max_key)
{
	const json_t *lo = json_object_get(type, min_key);
	const json_t *hi = json_object_get(type, max_key);
	char got[32], bound[32];

	snprintf(got, sizeof(got), "%zu", n);
	if (lo && (json_int_t)n < json_integer_value(lo)) {
		snprintf(bound, sizeof(bound), "%" JSON_INTEGER_FORMAT, json_integer_value(lo));
		return mismatch(e, path,
		                unit[0] == 'c' ? "%s characters, fewer than the minimum %s"
		                               : "%s items, fewer than the minimum %s",
		                got, bound);
	}
	if (hi && (json_int_t)n > json_integer_value(hi)) {
		snprintf(bound, sizeof(bound), "%" JSON_INTEGER_FORMAT, json_integer_value(hi));
		return mismatch(e, path,
		                unit[0] == 'c' ? "%s characters, more than the maximum %s"
		                               : "%s items, more than the maximum %s",
		                got, bound);
	}
	return 0;
}

static int check_object(const json_t *root, const json_t *type, const json_t *v,
                        TuskSchemaPath *path, TuskError *e)
{
	const json_t *props = json_object_get(type, "properties");
	const json_t *extra = json_object_get(type, "additionalProperties");
	const json_t *required = json_object_get(type, "required");
	size_t i;
	json_t *r;

	json_array_foreach(required, i, r)
	{
		const char *name = json_string_value(r);
		if (name && !json_object_get(v, name)) {
			size_t mark = tusk_schema_path_push_key(path, name);
			int ret = mismatch(e, path, "missing required member");
			tusk_schema_path_pop(path, mark);
			return ret;
		}
	}

	const char *key;
	json_t *member;
	json_object_foreach((json_t *)v, key, member)
	{
		const json_t *ptype = json_object_get(props, key);
		if (!ptype && !json_is_false(extra))
			continue;
		size_t mark = tusk_schema_path_push_key(path, key);
		int ret = ptype ? tusk_schema_validate_in(root, ptype, member, path, e)
		                : mismatch(e, path, "unknown member");
		tusk_schema_path_pop(path, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int check_array(const json_t *root, const json_t *type, const json_t *v,
                       TuskSchemaPath *path, TuskError *e)
{
	if (check_length(type, json_array_size(v), "items", path, e, "minItems", "maxItems") < 0)
		return -1;
	const json_t *items = json_object_get(type, "items");
	if (!items)
		return 0;
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item)
	{
		size_t mark = tusk_schema_path_push(path, "[%zu]", i);
		int ret = tusk_schema_validate_in(root, items, item, path, e);
		tusk_schema_path_pop(path, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int tusk_schema_validate_in(const json_t *root, const json_t *type, const json_t *value,
                            TuskSchemaPath *path, TuskError *e)
{
	for (int hops = 0; json_is_string(json_object_get(type, "$ref")); hops++) {
		const char *ref = json_string_value(json_object_get(type, "$ref"));
		const json_t *target = tusk_schema_resolve_ref(root, ref);
		if (!target || hops >= MAX_REF_CHAIN)
			return tusk_error_set(e, TUSK_ERR_INTERNAL, "schema: cannot resolve %s",
			                      ref);
		type = target;
	}
	if (!json_is_object(type))
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "schema: type at %s is not an object",
		                      tusk_schema_path_str(path));

	if (check_type(json_object_get(type, "type"), value, path, e) < 0)
		return -1;
	const json_t *choices = json_object_get(type, "enum");
	if (choices && check_enum(choices, value, path, e) < 0)
		return -1;

	switch (json_typeof(value)) {
	case JSON_INTEGER:
	case JSON_REAL:
		return check_number(type, value, path, e);
	case JSON_STRING:
		return check_length(type,
		                    utf8_count(json_string_value(value), json_string_length(value)),
		                    "characters", path, e, "minLength", "maxLength");
	case JSON_ARRAY:
		return check_array(root, type, value, path, e);
	case JSON_OBJECT:
		return check_object(root, type, value, path, e);
	default:
		return 0;
	}
}

int tusk_schema_validate(const json_t *type, const json_t *value, const char *path, TuskError *e)
{
	const json_t *root = tusk_schema();
	TuskSchemaPath p = {0};
	if (path && *path)
		tusk_schema_path_push(&p, "%s", path);
	int ret = tusk_schema_validate_in(root, type, value, &p, e);
	tusk_schema_path_done(&p);
	return ret;
}
