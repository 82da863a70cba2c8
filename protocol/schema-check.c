/* Checking that a schema document is well formed, so that a typo in
 * schema.json ("requried", a $ref to nothing, an error kind that does not
 * exist) fails a unit test and tusk-protodoc instead of silently weakening
 * validation. */
#include <string.h>

#include "common/cleanup.h"
#include "protocol/schema-internal.h"
#include "protocol/schema.h"

typedef struct Checker {
	const json_t *doc;
	TuskSchemaPath path;
	TuskError *e;
} Checker;

static int fail(Checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(Checker *c, const char *fmt, ...)
{
	_cleanup_free_ char *what = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	return tusk_error_set(c->e, TUSK_ERR_INVALID_INPUT, "%s: %s",
	                      c->path.len ? tusk_schema_path_str(&c->path) : "schema",
	                      what ? what : "invalid");
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static const char *const type_names[] = {"object", "array",   "string", "integer",
                                         "number", "boolean", "null",   NULL};

static int check_type(Checker *c, const json_t *t);

static int check_child(Checker *c, const char *key, const json_t *t)
{
	size_t mark = tusk_schema_path_push_key(&c->path, key);
	int ret = check_type(c, t);
	tusk_schema_path_pop(&c->path, mark);
	return ret;
}

static int check_type_names(Checker *c, const json_t *type)
{
	if (json_is_string(type))
		return in_list(json_string_value(type), type_names)
		           ? 0
		           : fail(c, "unknown type \"%s\"", json_string_value(type));
	if (!json_is_array(type) || json_array_size(type) == 0)
		return fail(c, "\"type\" must be a type name or a non-empty array of them");
	size_t i;
	json_t *t;
	json_array_foreach(type, i, t)
	{
		if (!json_is_string(t) || !in_list(json_string_value(t), type_names))
			return fail(c, "\"type\" holds something that is not a type name");
	}
	return 0;
}

static bool is_count(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0;
}

static int check_properties(Checker *c, const json_t *t)
{
	const json_t *props = json_object_get(t, "properties");
	const json_t *required = json_object_get(t, "required");

	if (props && !json_is_object(props))
		return fail(c, "\"properties\" must be an object");
	const char *key;
	json_t *pt;
	json_object_foreach((json_t *)props, key, pt)
	{
		size_t mark = tusk_schema_path_push(&c->path, ".properties");
		int ret = check_child(c, key, pt);
		tusk_schema_path_pop(&c->path, mark);
		if (ret < 0)
			return ret;
	}
	if (required && !json_is_array(required))
		return fail(c, "\"required\" must be an array");
	size_t i;
	json_t *r;
	json_array_foreach(required, i, r)
	{
		if (!json_is_string(r))
			return fail(c, "\"required\" holds a non-string");
		if (!json_object_get(props, json_string_value(r)))
			return fail(c, "required member \"%s\" is not among the properties",
			            json_string_value(r));
	}
	const json_t *extra = json_object_get(t, "additionalProperties");
	if (extra && !json_is_boolean(extra))
		return fail(c, "\"additionalProperties\" must be a boolean");
	return 0;
}

static int check_type(Checker *c, const json_t *t)
{
	static const char *const keywords[] = {
	    "type",        "properties", "required",  "additionalProperties",
	    "items",       "minItems",   "maxItems",  "enum",
	    "minimum",     "maximum",    "minLength", "maxLength",
	    "description", "$ref",       NULL};

	if (!json_is_object(t))
		return fail(c, "a type must be an object");
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)t, key, v)
	{
		if (!in_list(key, keywords))
			return fail(c, "unknown keyword \"%s\"", key);
	}
	const json_t *desc = json_object_get(t, "description");
	if (desc && !json_is_string(desc))
		return fail(c, "\"description\" must be a string");

	const json_t *ref = json_object_get(t, "$ref");
	if (ref) {
		if (json_object_size(t) > (desc ? 2u : 1u))
			return fail(c, "only \"description\" may stand beside \"$ref\"");
		if (!json_is_string(ref) ||
		    !tusk_schema_resolve_ref(c->doc, json_string_value(ref)))
			return fail(c, "\"$ref\" does not name an entry of definitions");
		return 0;
	}

	const json_t *type = json_object_get(t, "type");
	if (type && check_type_names(c, type) < 0)
		return -1;
	const json_t *choices = json_object_get(t, "enum");
	if (choices && (!json_is_array(choices) || json_array_size(choices) == 0))
		return fail(c, "\"enum\" must be a non-empty array");
	static const char *const counts[] = {"minItems", "maxItems", "minLength", "maxLength",
	                                     NULL};
	for (const char *const *k = counts; *k; k++) {
		const json_t *n = json_object_get(t, *k);
		if (n && !is_count(n))
			return fail(c, "\"%s\" must be a non-negative integer", *k);
	}
	static const char *const bounds[] = {"minimum", "maximum", NULL};
	for (const char *const *k = bounds; *k; k++) {
		const json_t *n = json_object_get(t, *k);
		if (n && !json_is_number(n))
			return fail(c, "\"%s\" must be a number", *k);
	}
	if (check_properties(c, t) < 0)
		return -1;
	const json_t *items = json_object_get(t, "items");
	return items ? check_child(c, "items", items) : 0;
}

static bool names_error(const json_t *doc, const char *kind)
{
	size_t i;
	json_t *err;
	json_array_foreach(json_object_get(doc, "errors"), i, err)
	{
		if (strcmp(json_string_value(json_object_get(err, "kind")), kind) == 0)
			return true;
	}
	return false;
}

static bool lists_kind(const json_t *list, const char *kind)
{
	size_t i;
	json_t *k;
	json_array_foreach(list, i, k)
	{
		if (json_is_string(k) && strcmp(json_string_value(k), kind) == 0)
			return true;
	}
	return false;
}

static int check_error_list(Checker *c, const json_t *list)
{
	if (!json_is_array(list))
		return fail(c, "must be an array of error kinds");
	size_t i;
	json_t *k;
	json_array_foreach(list, i, k)
	{
		if (!json_is_string(k) || !names_error(c->doc, json_string_value(k)))
			return fail(c, "item %zu is not a kind listed in errors", i);
	}
	return 0;
}

/* The user's guide to an error kind (docs/ERRORS.md): what tuskctl shows,
 * each cause with the hint tuskd gives for it, and what to do. */
static bool guide_ok(const json_t *g)
{
	if (!json_is_object(g) || json_object_size(g) != 3 ||
	    !json_is_string(json_object_get(g, "tuskctl")) ||
	    !json_is_string(json_object_get(g, "remedy")))
		return false;
	const json_t *causes = json_object_get(g, "causes");
	if (!json_is_array(causes) || json_array_size(causes) == 0)
		return false;
	size_t i;
	json_t *cause;
	json_array_foreach(causes, i, cause)
	{
		const json_t *hint = json_object_get(cause, "hint");
		if (!json_is_object(cause) || !json_is_string(json_object_get(cause, "cause")) ||
		    (hint && !json_is_string(hint)) || json_object_size(cause) != (hint ? 2u : 1u))
			return false;
	}
	return true;
}

static int check_errors(Checker *c)
{
	const json_t *errors = json_object_get(c->doc, "errors");
	if (!json_is_array(errors) || json_array_size(errors) == 0)
		return fail(c, "\"errors\" must be a non-empty array");
	size_t i, j;
	json_t *err, *other;
	json_array_foreach(errors, i, err)
	{
		size_t mark = tusk_schema_path_push(&c->path, "errors[%zu]", i);
		const char *kind = json_string_value(json_object_get(err, "kind"));
		int ret = 0;
		if (!json_is_integer(json_object_get(err, "code")) || !kind || !*kind ||
		    !json_is_string(json_object_get(err, "error_type")) ||
		    !json_is_string(json_object_get(err, "description")) ||
		    json_object_size(err) != 5 || !guide_ok(json_object_get(err, "guide")))
			ret = fail(c,
			           "must be {code, kind, error_type, description, guide: {tuskctl, "
			           "causes: [{cause, hint?}], remedy}}");
		json_array_foreach(errors, j, other)
		{
			if (ret < 0 || j >= i)
				break;
			if (json_equal(json_object_get(err, "code"),
			               json_object_get(other, "code")) ||
			    json_equal(json_object_get(err, "kind"),
			               json_object_get(other, "kind")))
				ret = fail(c, "repeats the code or kind of errors[%zu]", j);
		}
		tusk_schema_path_pop(&c->path, mark);
		if (ret < 0)
			return ret;
	}
	size_t mark = tusk_schema_path_push(&c->path, "common_errors");
	int ret = check_error_list(c, json_object_get(c->doc, "common_errors"));
	tusk_schema_path_pop(&c->path, mark);
	return ret;
}

static int check_topics(Checker *c)
{
	const json_t *topics = json_object_get(c->doc, "topics");
	if (!json_is_array(topics))
		return fail(c, "\"topics\" must be an array");
	size_t i;
	json_t *t;
	json_array_foreach(topics, i, t)
	{
		if (!json_is_string(json_object_get(t, "name")) ||
		    !json_is_string(json_object_get(t, "description")) || json_object_size(t) != 2)
			return fail(c, "topics[%zu] must be {name, description}", i);
	}
	return 0;
}

static bool names_topic(const json_t *doc, const char *name)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(doc, "topics"), i, t)
	{
		if (strcmp(json_string_value(json_object_get(t, "name")), name) == 0)
			return true;
	}
	return false;
}

/* One entry of methods or notifications. */
static int check_entry(Checker *c, const json_t *entry, bool is_method)
{
	static const char *const method_keys[] = {"summary", "description", "params", "result",
	                                          "errors",  "persists",    NULL};
	static const char *const notify_keys[] = {"summary", "description", "params", "topic",
	                                          NULL};
	const char *const *keys = is_method ? method_keys : notify_keys;

	if (!json_is_object(entry))
		return fail(c, "must be an object");
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)entry, key, v)
	{
		if (!in_list(key, keys))
			return fail(c, "unknown member \"%s\"", key);
	}
	const json_t *summary = json_object_get(entry, "summary");
	if (!json_is_string(summary) || json_string_length(summary) == 0)
		return fail(c, "needs a \"summary\"");
	const json_t *desc = json_object_get(entry, "description");
	if (desc && !json_is_string(desc))
		return fail(c, "\"description\" must be a string");
	if (!json_object_get(entry, "params"))
		return fail(c, "needs \"params\"");
	if (check_child(c, "params", json_object_get(entry, "params")) < 0)
		return -1;
	if (!is_method) {
		const json_t *topic = json_object_get(entry, "topic");
		if (topic &&
		    (!json_is_string(topic) || !names_topic(c->doc, json_string_value(topic))))
			return fail(c, "\"topic\" is not listed in topics");
		return 0;
	}
	if (!json_object_get(entry, "result"))
		return fail(c, "needs \"result\"");
	if (check_child(c, "result", json_object_get(entry, "result")) < 0)
		return -1;
	size_t mark = tusk_schema_path_push(&c->path, ".errors");
	int ret = check_error_list(c, json_object_get(entry, "errors"));
	tusk_schema_path_pop(&c->path, mark);
	if (ret < 0)
		return ret;
	/* A method that saves is refused while tuskd cannot keep what it saves;
	 * its error list must say so. */
	const json_t *persists = json_object_get(entry, "persists");
	if (persists && !json_is_boolean(persists))
		return fail(c, "\"persists\" must be a boolean");
	if (json_is_true(persists) &&
	    (!lists_kind(json_object_get(entry, "errors"), "migration_error") ||
	     !lists_kind(json_object_get(entry, "errors"), "storage_error")))
		return fail(c,
		            "a method that persists must list migration_error and storage_error");
	return 0;
}

static int check_table(Checker *c, const char *name, bool is_method)
{
	const json_t *table = json_object_get(c->doc, name);
	if (!json_is_object(table))
		return fail(c, "\"%s\" must be an object", name);
	const char *key;
	json_t *entry;
	json_object_foreach((json_t *)table, key, entry)
	{
		size_t mark = tusk_schema_path_push(&c->path, "%s.%s", name, key);
		int ret = check_entry(c, entry, is_method);
		tusk_schema_path_pop(&c->path, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int tusk_schema_check(const json_t *doc, TuskError *e)
{
	static const char *const top_keys[] = {
	    "protocol_version", "common_errors", "errors",        "topics",
	    "definitions",      "methods",       "notifications", NULL};
	Checker c = {.doc = doc, .e = e};
	int ret = -1;

	if (!json_is_object(doc)) {
		ret = fail(&c, "must be an object");
		goto out;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)doc, key, v)
	{
		if (!in_list(key, top_keys)) {
			ret = fail(&c, "unknown member \"%s\"", key);
			goto out;
		}
	}
	const json_t *version = json_object_get(doc, "protocol_version");
	if (!json_is_integer(version) || json_integer_value(version) < 1) {
		ret = fail(&c, "\"protocol_version\" must be a positive integer");
		goto out;
	}
	if (check_errors(&c) < 0 || check_topics(&c) < 0)
		goto out;

	const json_t *defs = json_object_get(doc, "definitions");
	if (defs && !json_is_object(defs)) {
		ret = fail(&c, "\"definitions\" must be an object");
		goto out;
	}
	json_object_foreach((json_t *)defs, key, v)
	{
		size_t mark = tusk_schema_path_push(&c.path, "definitions.%s", key);
		ret = check_type(&c, v);
		tusk_schema_path_pop(&c.path, mark);
		if (ret < 0)
			goto out;
	}
	if (check_table(&c, "methods", true) < 0 || check_table(&c, "notifications", false) < 0) {
		ret = -1;
		goto out;
	}
	ret = 0;
out:
	tusk_schema_path_done(&c.path);
	return ret;
}
