/* The embedded protocol schema: parsed once, then shared read-only by every
 * thread (jansson values are safe to read concurrently as long as nobody
 * changes them or their reference counts, so lookups hand out borrowed
 * pointers and never incref). */
#include <pthread.h>
#include <string.h>

#include "protocol/schema-internal.h"
#include "protocol/schema.h"

/* Generated from schema.json by embed.cmake. */
extern const unsigned char tusk_schema_json[];
extern const size_t tusk_schema_json_len;

static pthread_once_t schema_once = PTHREAD_ONCE_INIT;
static json_t *schema_doc;

/* Fold a fragment's methods, notifications and definitions into the base.
 * A name defined twice makes the whole schema unusable (NULL), which every
 * test then reports, rather than one definition silently winning. */
static int merge_fragment(json_t *base, json_t *frag)
{
	static const char *const parts[] = {"methods", "notifications", "definitions"};
	for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		json_t *from = json_object_get(frag, parts[i]);
		if (!from)
			continue;
		json_t *into = json_object_get(base, parts[i]);
		if (!into) {
			into = json_object();
			json_object_set_new(base, parts[i], into);
		}
		const char *name;
		json_t *v;
		json_object_foreach(from, name, v)
		{
			if (json_object_get(into, name))
				return -1;
			json_object_set(into, name, v);
		}
	}
	return 0;
}

static void schema_load(void)
{
	json_error_t jerr;
	json_t *all = json_loadb((const char *)tusk_schema_json, tusk_schema_json_len,
	                         JSON_REJECT_DUPLICATES, &jerr);
	json_t *base = json_incref(json_array_get(all, 0));
	for (size_t i = 1; base && i < json_array_size(all); i++) {
		if (merge_fragment(base, json_array_get(all, i)) < 0) {
			json_decref(base);
			base = NULL;
		}
	}
	json_decref(all);
	schema_doc = base;
}

const json_t *tusk_schema(void)
{
	pthread_once(&schema_once, schema_load);
	return schema_doc;
}

const char *tusk_schema_text(size_t *len)
{
	if (len)
		*len = tusk_schema_json_len;
	return (const char *)tusk_schema_json;
}

bool tusk_schema_method_persists(const char *name)
{
	const json_t *m = tusk_schema_method(name);
	return m && json_is_true(json_object_get(m, "persists"));
}

const json_t *tusk_schema_method(const char *name)
{
	return name ? json_object_get(json_object_get(tusk_schema(), "methods"), name) : NULL;
}

const json_t *tusk_schema_notification(const char *name)
{
	return name ? json_object_get(json_object_get(tusk_schema(), "notifications"), name) : NULL;
}

static int validate_member(const json_t *entry, const char *member, const json_t *value,
                           const char *path, TuskError *e)
{
	const json_t *type = json_object_get(entry, member);
	if (!type)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "schema: no %s type", member);

	/* Absent params mean "no parameters", which JSON-RPC treats as {}. */
	json_t *empty = NULL;
	if (!value)
		value = empty = json_object();
	TuskSchemaPath p = {0};
	tusk_schema_path_push_key(&p, path);
	int ret = tusk_schema_validate_in(tusk_schema(), type, value, &p, e);
	tusk_schema_path_done(&p);
	json_decref(empty);
	return ret;
}

static int unknown(TuskError *e, const char *what, const char *name)
{
	if (!tusk_schema())
		return tusk_error_set(e, TUSK_ERR_INTERNAL,
		                      "the embedded protocol schema is broken");
	return tusk_error_set(e, TUSK_ERR_METHOD_NOT_FOUND, "unknown %s \"%s\"", what,
	                      name ? name : "");
}

int tusk_schema_validate_params(const char *method, const json_t *params, TuskError *e)
{
	const json_t *entry = tusk_schema_method(method);
	if (!entry)
		return unknown(e, "method", method);
	return validate_member(entry, "params", params, "params", e);
}

static bool names_kind(const json_t *list, const char *kind)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), kind) == 0)
			return true;
	}
	return false;
}

int tusk_schema_validate_error(const char *method, TuskErrorKind kind, TuskError *e)
{
	const char *name = tusk_error_kind_name(kind);
	const json_t *entry = tusk_schema_method(method);
	if (!entry)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "error of unknown method %s",
		                      method ? method : "(none)");
	if (names_kind(json_object_get(entry, "errors"), name) ||
	    names_kind(json_object_get(tusk_schema(), "common_errors"), name))
		return 0;
	return tusk_error_set(e, TUSK_ERR_INTERNAL,
	                      "%s answered %s, which its documented errors do not name", method,
	                      name);
}

int tusk_schema_validate_result(const char *method, const json_t *result, TuskError *e)
{
	const json_t *entry = tusk_schema_method(method);
	if (!entry)
		return unknown(e, "method", method);
	if (!result)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "result: missing");
	int ret = validate_member(entry, "result", result, "result", e);
	if (ret < 0 && e)
		e->kind = TUSK_ERR_INTERNAL;
	return ret;
}

int tusk_schema_validate_notification(const char *method, const json_t *params, TuskError *e)
{
	const json_t *entry = tusk_schema_notification(method);
	if (!entry)
		return unknown(e, "notification", method);
	return validate_member(entry, "params", params, "params", e);
}
