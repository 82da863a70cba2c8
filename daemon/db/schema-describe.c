/* schema.describe: one cached object and its DDL. Views, indexes,
 * constraints, triggers and functions carry the server's own pg_get_*def
 * text from the load; a table's CREATE TABLE is put together from its
 * cached columns and constraints, followed by its other indexes, triggers,
 * policies and comments. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "daemon/db/schema-internal.h"

struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[256];
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(buf, sizeof(buf), fmt, aq);
	va_end(aq);
	if (n < 0 || t->failed) {
		va_end(ap);
		t->failed = true;
		return;
	}
	if (t->len + (size_t)n + 1 > t->cap) {
		size_t cap = (t->len + (size_t)n + 1) * 2;
		char *s = realloc(t->s, cap);
		if (!s) {
			va_end(ap);
			t->failed = true;
			return;
		}
		t->s = s;
		t->cap = cap;
	}
	vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* The text of a '…' literal, quotes doubled. */
static void put_literal(struct text *t, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			put(t, "''");
		else
			put(t, "%c", *s);
	}
}

static const char *sv(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* "schema.name", each part quoted as needed. */
static char *qualified(const char *schema, const char *name)
{
	_cleanup_free_ char *a = schema_quote_ident(schema), *b = schema_quote_ident(name);
	if (!a || !b)
		return NULL;
	size_t n = strlen(a) + strlen(b) + 2;
	char *q = malloc(n);
	if (q)
		snprintf(q, n, "%s.%s", a, b);
	return q;
}

static void comment_on(struct text *t, const char *what, const char *target, json_t *comment)
{
	if (!json_is_string(comment))
		return;
	put(t, "\nCOMMENT ON %s %s IS '", what, target);
	put_literal(t, json_string_value(comment));
	put(t, "';");
}

static void table_ddl(struct text *t, const char *q, const char *kind, json_t *rel)
{
	put(t, "CREATE %sTABLE %s (", strcmp(kind, "foreign_table") == 0 ? "FOREIGN " : "", q);
	size_t i, n = 0;
	json_t *c;
	json_array_foreach(json_object_get(rel, "columns"), i, c)
	{
		_cleanup_free_ char *name = schema_quote_ident(sv(c, "name"));
		put(t, "%s\n    %s %s", n++ ? "," : "", name ? name : "?", sv(c, "type"));
		if (sv(c, "identity"))
			put(t, " GENERATED %s AS IDENTITY",
			    strcmp(sv(c, "identity"), "always") == 0 ? "ALWAYS" : "BY DEFAULT");
		else if (sv(c, "generated"))
			put(t, " GENERATED ALWAYS AS (%s) STORED", sv(c, "generated"));
		else if (sv(c, "default"))
			put(t, " DEFAULT %s", sv(c, "default"));
		if (!json_is_true(json_object_get(c, "nullable")))
			put(t, " NOT NULL");
	}
	json_array_foreach(json_object_get(rel, "constraints"), i, c)
	{
		_cleanup_free_ char *name = schema_quote_ident(sv(c, "name"));
		put(t, "%s\n    CONSTRAINT %s %s", n++ ? "," : "", name ? name : "?",
		    sv(c, "definition"));
	}
	put(t, "\n)");
	json_t *parent = json_object_get(rel, "partition_of");
	if (json_is_object(parent) && sv(rel, "partition_bound")) {
		_cleanup_free_ char *pq = qualified(sv(parent, "schema"), sv(parent, "name"));
		/* A partition's DDL is the attach form: its columns are its
		 * parent's. */
		put(t, ";\nALTER TABLE %s ATTACH PARTITION %s %s", pq ? pq : "?", q,
		    sv(rel, "partition_bound"));
	}
	put(t, ";");
	json_array_foreach(json_object_get(rel, "indexes"), i, c)
	{
		if (!json_is_true(json_object_get(c, "constraint")))
			put(t, "\n%s;", sv(c, "definition"));
	}
	json_array_foreach(json_object_get(rel, "triggers"), i, c)
	    put(t, "\n%s;", sv(c, "definition"));
	json_array_foreach(json_object_get(rel, "policies"), i, c)
	{
		_cleanup_free_ char *name = schema_quote_ident(sv(c, "name"));
		put(t, "\nCREATE POLICY %s ON %s AS %s FOR %s", name ? name : "?", q,
		    json_is_true(json_object_get(c, "permissive")) ? "PERMISSIVE" : "RESTRICTIVE",
		    sv(c, "command"));
		if (sv(c, "using"))
			put(t, " USING (%s)", sv(c, "using"));
		if (sv(c, "with_check"))
			put(t, " WITH CHECK (%s)", sv(c, "with_check"));
		put(t, ";");
	}
	comment_on(t, "TABLE", q, json_object_get(rel, "comment"));
	json_array_foreach(json_object_get(rel, "columns"), i, c)
	{
		_cleanup_free_ char *name = schema_quote_ident(sv(c, "name"));
		char target[1024];
		snprintf(target, sizeof(target), "%s.%s", q, name ? name : "?");
		comment_on(t, "COLUMN", target, json_object_get(c, "comment"));
	}
}

static void type_ddl(struct text *t, const char *q, json_t *ty)
{
	const char *kind = sv(ty, "kind");
	size_t i;
	json_t *v;
	if (strcmp(kind, "enum") == 0) {
		put(t, "CREATE TYPE %s AS ENUM (", q);
		json_array_foreach(json_object_get(ty, "labels"), i, v)
		{
			put(t, "%s'", i ? ", " : "");
			put_literal(t, json_string_value(v));
			put(t, "'");
		}
		put(t, ");");
	} else if (strcmp(kind, "domain") == 0) {
		put(t, "CREATE DOMAIN %s AS %s", q, sv(ty, "base_type"));
		if (sv(ty, "default"))
			put(t, " DEFAULT %s", sv(ty, "default"));
		if (json_is_true(json_object_get(ty, "not_null")))
			put(t, " NOT NULL");
		json_array_foreach(json_object_get(ty, "checks"), i, v)
		    put(t, " %s", json_string_value(v));
		put(t, ";");
	} else if (strcmp(kind, "composite") == 0) {
		put(t, "CREATE TYPE %s AS (", q);
		json_array_foreach(json_object_get(ty, "attributes"), i, v)
		{
			_cleanup_free_ char *name = schema_quote_ident(sv(v, "name"));
			put(t, "%s\n    %s %s", i ? "," : "", name ? name : "?", sv(v, "type"));
		}
		put(t, "\n);");
	} else {
		put(t, "-- %s type %s", kind, q);
	}
	comment_on(t, "TYPE", q, json_object_get(ty, "comment"));
}

/* The cache keeps no pg_get_indexdef text for an index a constraint owns
 * (the load is faster without it); describe writes it from what is
 * cached, in pg_get_indexdef's form. */
static char *index_definition(const char *q, json_t *ix)
{
	struct text t = {0};
	_cleanup_free_ char *name = schema_quote_ident(sv(ix, "name"));
	put(&t, "CREATE %sINDEX %s ON %s USING %s (",
	    json_is_true(json_object_get(ix, "unique")) ? "UNIQUE " : "", name ? name : "?", q,
	    sv(ix, "method") ? sv(ix, "method") : "btree");
	size_t i;
	json_t *col;
	json_array_foreach(json_object_get(ix, "columns"), i, col)
	{
		const char *c = json_string_value(col);
		/* Key columns are names; expressions come as the server wrote them. */
		_cleanup_free_ char *quoted = c && !strchr(c, '(') ? schema_quote_ident(c) : NULL;
		put(&t, "%s%s", i ? ", " : "", quoted ? quoted : c ? c : "?");
	}
	put(&t, ")");
	if (sv(ix, "predicate"))
		put(&t, " WHERE %s", sv(ix, "predicate"));
	if (t.failed) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

/* A copy of a relation whose every index has its definition. */
static json_t *with_index_definitions(const char *q, json_t *rel)
{
	json_t *copy = json_deep_copy(rel);
	size_t i;
	json_t *ix;
	json_array_foreach(json_object_get(copy, "indexes"), i, ix)
	{
		if (json_is_string(json_object_get(ix, "definition")))
			continue;
		char *def = index_definition(q, ix);
		if (def)
			json_object_set_new(ix, "definition", json_string(def));
		free(def);
	}
	return copy;
}

json_t *schema_describe_json(const char *schema, const char *kind, json_t *obj)
{
	_cleanup_free_ char *q = qualified(schema, sv(obj, "name"));
	if (!q)
		return NULL;
	struct text t = {0};
	if (strcmp(kind, "view") == 0 || strcmp(kind, "materialized_view") == 0) {
		put(&t, "CREATE %sVIEW %s AS\n", kind[0] == 'm' ? "MATERIALIZED " : "", q);
		put(&t, "%s", sv(obj, "definition") ? sv(obj, "definition") : "");
		comment_on(&t, kind[0] == 'm' ? "MATERIALIZED VIEW" : "VIEW", q,
		           json_object_get(obj, "comment"));
	} else if (strcmp(kind, "function") == 0) {
		const char *def = sv(obj, "definition");
		json_t *out = json_pack("{s:s, s:s, s:s, s:O, s:s?}", "kind", kind, "schema",
		                        schema, "name", sv(obj, "name"), "object", obj, "ddl", def);
		free(t.s);
		return out;
	} else if (strcmp(kind, "sequence") == 0) {
		put(&t, "CREATE SEQUENCE %s AS %s;", q, sv(obj, "data_type"));
		comment_on(&t, "SEQUENCE", q, json_object_get(obj, "comment"));
	} else if (strcmp(kind, "type") == 0) {
		type_ddl(&t, q, obj);
	} else {
		table_ddl(&t, q, kind, obj);
	}
	json_t *shown =
	    json_object_get(obj, "indexes") ? with_index_definitions(q, obj) : json_incref(obj);
	json_t *out = t.failed || !shown ? NULL
	                                 : json_pack("{s:s, s:s, s:s, s:O, s:s}", "kind", kind,
	                                             "schema", schema, "name", sv(obj, "name"),
	                                             "object", shown, "ddl", t.s ? t.s : "");
	json_decref(shown);
	free(t.s);
	return out;
}

json_t *schema_referenced_by_json(struct schema_cache *c, const char *schema, const char *name)
{
	json_t *out = json_array();
	const char *k;
	json_t *node;
	json_object_foreach(json_object_get(c->tree, "schemas"), k, node)
	{
		size_t i, j;
		json_t *con;
		json_t *frozen;
		json_array_foreach(json_object_get(node, "relations"), i, frozen)
		{
			/* Only relations with a foreign key are parsed back. */
			const char *text = schema_raw_text(frozen, NULL);
			if (text && !strstr(text, "\"type\":\"foreign_key\""))
				continue;
			_cleanup_json_ json_t *rel = schema_object_full(frozen);
			json_array_foreach(json_object_get(rel, "constraints"), j, con)
			{
				json_t *ref = json_object_get(con, "references");
				if (!json_is_object(ref) || !sv(ref, "schema") ||
				    !sv(ref, "table") || strcmp(sv(ref, "schema"), schema) != 0 ||
				    strcmp(sv(ref, "table"), name) != 0)
					continue;
				json_array_append_new(
				    out, json_pack("{s:s?, s:s?, s:s?, s:s?}", "schema",
				                   sv(node, "name"), "table", sv(rel, "name"),
				                   "constraint", sv(con, "name"), "definition",
				                   sv(con, "definition")));
			}
		}
	}
	return out;
}
