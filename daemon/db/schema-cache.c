/* Reading the schema cache: schema.get's views of the tree, finding one
 * object, and completion from an index of sorted lower-case names built
 * after each load (binary search for the prefix, then a short scan). */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/db/pool.h"
#include "daemon/db/schema-catalog.h"
#include "daemon/db/schema-internal.h"

/* schema.get's kinds: a schema node's member, or a relation kind. */
static const struct {
	const char *kind, *member;
} kinds[] = {
    {"table", "relations"},
    {"partitioned_table", "relations"},
    {"view", "relations"},
    {"materialized_view", "relations"},
    {"foreign_table", "relations"},
    {"relation", "relations"},
    {"function", "functions"},
    {"sequence", "sequences"},
    {"type", "types"},
    {"extension", NULL},
    {"role", NULL},
    {"schema", NULL},
};

bool schema_kind_valid(const char *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return true;
	return false;
}

static const char *kind_member(const char *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return kinds[i].member;
	return NULL;
}

static bool relation_kind(const char *kind)
{
	const char *m = kind_member(kind);
	return m && strcmp(m, "relations") == 0 && strcmp(kind, "relation") != 0;
}

/* A schema node limited to one kind: a new object sharing its items. */
static json_t *node_of_kind(json_t *node, const char *kind)
{
	json_t *out =
	    json_pack("{s:O, s:O, s:O, s:O}", "name", json_object_get(node, "name"), "owner",
	              json_object_get(node, "owner"), "comment", json_object_get(node, "comment"),
	              "system", json_object_get(node, "system"));
	if (!out || strcmp(kind, "schema") == 0)
		return out;
	const char *member = kind_member(kind);
	if (!relation_kind(kind)) {
		json_object_set(out, member, json_object_get(node, member));
		return out;
	}
	json_t *list = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(node, "relations"), i, r)
	{
		if (strcmp(schema_field(r, "kind"), kind) == 0)
			json_array_append(list, r);
	}
	json_object_set_new(out, "relations", list);
	return out;
}

static const char *const members[] = {"relations", "functions", "sequences", "types"};

static bool matches(const char *pattern, const char *schema, const json_t *o)
{
	if (!pattern)
		return true;
	const char *name = schema_field(o, "name");
	if (!name)
		return false;
	if (fnmatch(pattern, name, 0) == 0)
		return true;
	char *full = NULL;
	if (asprintf(&full, "%s.%s", schema, name) < 0)
		return false;
	bool ok = fnmatch(pattern, full, 0) == 0;
	free(full);
	return ok;
}

struct page {
	const struct schema_query *q;
	size_t item;  /* index of the next item in the whole answer */
	size_t bytes; /* objects' bytes on this page so far */
	bool full;
	json_t *next; /* next_offset once full */
};

/* Whether item number p->item goes on this page (and count it). */
static bool take(struct page *p, const json_t *o)
{
	size_t idx = p->item++;
	if (idx < p->q->offset || p->full)
		return false;
	size_t len = schema_written_size(o);
	if (p->bytes > 0 && p->bytes + len > p->q->budget) {
		p->full = true;
		p->next = json_integer((json_int_t)idx);
		return false;
	}
	p->bytes += len + 1;
	return true;
}

/* One schema node's share of the page, or NULL when it has none. */
static json_t *page_node(struct page *p, json_t *src)
{
	const char *schema = json_string_value(json_object_get(src, "name"));
	json_t *out =
	    json_pack("{s:O, s:O, s:O, s:O}", "name", json_object_get(src, "name"), "owner",
	              json_object_get(src, "owner"), "comment", json_object_get(src, "comment"),
	              "system", json_object_get(src, "system"));
	/* Without a pattern the node itself is an item: an empty schema is
	 * listed too. */
	bool any = !p->q->pattern && take(p, out);
	for (size_t m = 0; m < sizeof(members) / sizeof(*members); m++) {
		json_t *list = json_object_get(src, members[m]);
		if (!list)
			continue;
		json_t *part = json_array();
		size_t i;
		json_t *o;
		json_array_foreach(list, i, o)
		{
			if (matches(p->q->pattern, schema, o) && take(p, o))
				json_array_append(part, o);
		}
		any = any || json_array_size(part) > 0;
		json_object_set_new(out, members[m], part);
	}
	if (!any) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static json_t *filtered(json_t *list, const struct schema_query *q, bool system_ok)
{
	json_t *out = json_array();
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
	{
		if ((system_ok || !json_is_true(json_object_get(o, "system"))) &&
		    (!q->pattern ||
		     fnmatch(q->pattern, json_string_value(json_object_get(o, "name")), 0) == 0))
			json_array_append(out, o);
	}
	return out;
}

static json_t *get_json(struct schema_cache *c, const struct schema_query *q)
{
	struct page p = {.q = q};
	const char *kind = q->kind;
	bool system = q->include_system || q->schema;
	json_t *schemas = json_array();
	const char *name;
	json_t *node;
	bool globals = !kind || !kind_member(kind);
	json_object_foreach(json_object_get(c->tree, "schemas"), name, node)
	{
		if (p.full)
			break;
		if (q->schema ? strcmp(q->schema, name) != 0
		              : !system && json_is_true(json_object_get(node, "system")))
			continue;
		if (kind && (strcmp(kind, "extension") == 0 || strcmp(kind, "role") == 0))
			break;
		json_t *src = kind ? node_of_kind(node, kind) : json_incref(node);
		json_t *part = src ? page_node(&p, src) : NULL;
		json_decref(src);
		if (part)
			json_array_append_new(schemas, part);
	}
	json_t *out =
	    json_pack("{s:s, s:I, s:f, s:o, s:O?}", "connection_id", pool_id(c->pool),
	              "loaded_at_us", (json_int_t)c->loaded_at_us, "load_ms", c->load_ms, "schemas",
	              schemas, "search_path", json_object_get(c->tree, "search_path"));
	if (!out) {
		json_decref(p.next);
		return NULL;
	}
	if (p.next)
		json_object_set_new(out, "next_offset", p.next);
	/* Extensions and roles come with the first page. */
	if (q->offset > 0 || q->schema)
		return out;
	if (globals && (!kind || strcmp(kind, "extension") == 0))
		json_object_set_new(out, "extensions",
		                    filtered(json_object_get(c->tree, "extensions"), q, true));
	if (globals && (!kind || strcmp(kind, "role") == 0))
		json_object_set_new(
		    out, "roles",
		    filtered(json_object_get(c->tree, "roles"), q, q->include_system));
	return out;
}

static json_t *find_in(json_t *node, const char *name, const char *kind, const char **ret_kind)
{
	for (size_t m = 0; m < sizeof(members) / sizeof(*members); m++) {
		if (kind && strcmp(kind, "relation") != 0 && kind_member(kind) &&
		    strcmp(kind_member(kind), members[m]) != 0)
			continue;
		size_t i;
		json_t *o;
		json_array_foreach(json_object_get(node, members[m]), i, o)
		{
			if (strcmp(schema_field(o, "name"), name) != 0)
				continue;
			const char *k = schema_field(o, "kind");
			if (!k)
				k = "sequence";
			if (kind && relation_kind(kind) && strcmp(k, kind) != 0)
				continue;
			if (ret_kind)
				*ret_kind = m == 0                 ? k
				            : members[m][0] == 'f' ? "function"
				            : m == 2               ? "sequence"
				                                   : "type";
			return o;
		}
	}
	return NULL;
}

json_t *schema_find(struct schema_cache *c, const char *object, const char *kind,
                    const char **ret_schema, const char **ret_kind)
{
	json_t *schemas = json_object_get(c->tree, "schemas");
	const char *dot = strchr(object, '.');
	const char *k = NULL;
	if (dot) {
		char nsp[256];
		size_t n = (size_t)(dot - object);
		if (n >= sizeof(nsp))
			return NULL;
		memcpy(nsp, object, n);
		nsp[n] = '\0';
		const char *key;
		json_t *node;
		json_object_foreach(schemas, key, node)
		{
			if (strcmp(key, nsp) != 0)
				continue;
			json_t *o = find_in(node, dot + 1, kind, &k);
			if (o) {
				if (ret_schema)
					*ret_schema = key;
				if (ret_kind)
					*ret_kind = k;
			}
			return o ? schema_object_full(o) : NULL;
		}
		return NULL;
	}
	/* The search_path first, then every schema. */
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(c->tree, "search_path"), i, v)
	{
		json_t *node = json_object_get(schemas, json_string_value(v));
		json_t *o = node ? find_in(node, object, kind, &k) : NULL;
		if (o) {
			if (ret_schema)
				*ret_schema = json_string_value(json_object_get(node, "name"));
			if (ret_kind)
				*ret_kind = k;
			return schema_object_full(o);
		}
	}
	const char *key;
	json_t *node;
	json_object_foreach(schemas, key, node)
	{
		json_t *o = find_in(node, object, kind, &k);
		if (o) {
			if (ret_schema)
				*ret_schema = key;
			if (ret_kind)
				*ret_kind = k;
			return schema_object_full(o);
		}
	}
	return NULL;
}

char *schema_get_text(struct schema_cache *c, const struct schema_query *q, size_t *len)
{
	json_t *page = get_json(c, q);
	struct schema_out w = {0};
	if (!page || schema_write(&w, page) < 0 || !(w.len + 1 <= w.cap || w.s)) {
		json_decref(page);
		free(w.s);
		return NULL;
	}
	json_decref(page);
	if (w.len == w.cap) {
		char *s = realloc(w.s, w.len + 1);
		if (!s) {
			free(w.s);
			return NULL;
		}
		w.s = s;
	}
	w.s[w.len] = '\0';
	*len = w.len;
	return w.s;
}

char *schema_quote_ident(const char *name)
{
	bool plain = name[0] && !isdigit((unsigned char)name[0]);
	for (const char *p = name; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
	size_t n = strlen(name);
	char *q = malloc(n * 2 + 3), *o = q;
	if (!q)
		return NULL;
	if (plain) {
		memcpy(q, name, n + 1);
		return q;
	}
	*o++ = '"';
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			*o++ = '"';
		*o++ = *p;
	}
	*o++ = '"';
	*o = '\0';
	return q;
}
