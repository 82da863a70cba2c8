/* describe OBJECT / \d OBJECT: a relation laid out as psql 15's \d lays it
 * out (title, columns, then Indexes, Check constraints, Foreign-key
 * constraints, Referenced by, Policies, Triggers); other objects as DDL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client-cli/ptable.h"
#include "client-cli/tuskctl.h"

static const char *sv(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static const char *kind_title(const char *kind)
{
	static const char *const titles[][2] = {
	    {"table", "Table"},
	    {"partitioned_table", "Partitioned table"},
	    {"view", "View"},
	    {"materialized_view", "Materialized view"},
	    {"foreign_table", "Foreign table"},
	};
	for (size_t i = 0; i < sizeof(titles) / sizeof(*titles); i++)
		if (strcmp(kind, titles[i][0]) == 0)
			return titles[i][1];
	return "Relation";
}

/* "(x)" → "x" when the parentheses wrap all of it. */
static char *unwrap(const char *s)
{
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '(' && s[n - 1] == ')') {
		int depth = 0;
		for (size_t i = 0; i < n; i++) {
			depth += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
			if (depth == 0 && i + 1 < n)
				return strdup(s);
		}
		return strndup(s + 1, n - 2);
	}
	return strdup(s);
}

/* psql's index line: what follows "USING " in the index definition (the
 * method and columns), else method and columns put together; predicates
 * without their outer parentheses, as pg_get_indexdef's pretty form. */
static char *index_text(const json_t *ix)
{
	const char *def = sv(ix, "definition");
	const char *using = strstr(def, " USING ");
	char *out = NULL;
	if (using) {
		using += 7;
		const char *where = strstr(using, " WHERE ");
		if (where) {
			char *pred = unwrap(where + 7);
			if (asprintf(&out, "%.*s WHERE %s", (int)(where - using), using,
			             pred ? pred : "") < 0)
				out = NULL;
			free(pred);
		} else {
			out = strdup(using);
		}
		return out;
	}
	size_t len = 0;
	char cols[2048] = "";
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(ix, "columns"), i, c) len +=
	    (size_t)snprintf(cols + len, len < sizeof(cols) ? sizeof(cols) - len : 0, "%s%s",
	                     i ? ", " : "", json_string_value(c));
	const char *pred = sv(ix, "predicate");
	char *p = *pred ? unwrap(pred) : NULL;
	if (asprintf(&out, "%s (%s)%s%s", *sv(ix, "method") ? sv(ix, "method") : "btree", cols,
	             p ? " WHERE " : "", p ? p : "") < 0)
		out = NULL;
	free(p);
	return out;
}

/* psql orders indexes primary key first, then by name. */
static int index_cmp(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	bool px = json_is_true(json_object_get(x, "primary"));
	bool py = json_is_true(json_object_get(y, "primary"));
	if (px != py)
		return px ? -1 : 1;
	return strcmp(sv(x, "name"), sv(y, "name"));
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(sv(*(json_t *const *)a, "name"), sv(*(json_t *const *)b, "name"));
}

/* The members of an array, sorted by cmp, as a new array of borrowed
 * pointers (n in *ret_n). */
static json_t **sorted(const json_t *arr, int (*cmp)(const void *, const void *), size_t *ret_n)
{
	size_t n = json_array_size(arr);
	json_t **v = calloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; v && i < n; i++)
		v[i] = json_array_get(arr, i);
	if (v && n)
		qsort(v, n, sizeof(*v), cmp);
	*ret_n = v ? n : 0;
	return v;
}

static bool is_unique_constraint(const json_t *o, const char *index_name)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(o, "constraints"), i, c)
	{
		if (strcmp(sv(c, "name"), index_name) == 0 && strcmp(sv(c, "type"), "unique") == 0)
			return true;
	}
	return false;
}

static void index_footers(struct ptable *t, const json_t *o)
{
	size_t n;
	json_t **ix = sorted(json_object_get(o, "indexes"), index_cmp, &n);
	for (size_t i = 0; i < n; i++) {
		if (i == 0)
			ptable_footer(t, "Indexes:");
		char *text = index_text(ix[i]);
		const char *label =
		    json_is_true(json_object_get(ix[i], "primary"))  ? "PRIMARY KEY, "
		    : is_unique_constraint(o, sv(ix[i], "name"))     ? "UNIQUE CONSTRAINT, "
		    : json_is_true(json_object_get(ix[i], "unique")) ? "UNIQUE, "
		                                                     : "";
		ptable_footer(t, "    \"%s\" %s%s", sv(ix[i], "name"), label, text ? text : "");
		free(text);
	}
	free(ix);
}

static void constraint_footers(struct ptable *t, const json_t *o, const char *type,
                               const char *heading)
{
	size_t n, shown = 0;
	json_t **cs = sorted(json_object_get(o, "constraints"), name_cmp, &n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(sv(cs[i], "type"), type) != 0)
			continue;
		if (shown++ == 0)
			ptable_footer(t, "%s", heading);
		ptable_footer(t, "    \"%s\" %s", sv(cs[i], "name"), sv(cs[i], "definition"));
	}
	free(cs);
}

static void referenced_by(struct ptable *t, const json_t *d)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(d, "referenced_by"), i, r)
	{
		if (i == 0)
			ptable_footer(t, "Referenced by:");
		bool qualify = strcmp(sv(r, "schema"), "public") != 0;
		ptable_footer(t, "    TABLE \"%s%s%s\" CONSTRAINT \"%s\" %s",
		              qualify ? sv(r, "schema") : "", qualify ? "." : "", sv(r, "table"),
		              sv(r, "constraint"), sv(r, "definition"));
	}
}

static void policy_footers(struct ptable *t, const json_t *o)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(o, "policies"), i, p)
	{
		if (i == 0)
			ptable_footer(t, "Policies:");
		const char *cmd = sv(p, "command");
		bool all = !*cmd || strcmp(cmd, "ALL") == 0 || strcmp(cmd, "*") == 0;
		ptable_footer(t, "    POLICY \"%s\"%s%s%s", sv(p, "name"),
		              json_is_false(json_object_get(p, "permissive")) ? " AS RESTRICTIVE"
		                                                              : "",
		              all ? "" : " FOR ", all ? "" : cmd);
		if (*sv(p, "using"))
			ptable_footer(t, "      USING (%s)", sv(p, "using"));
		if (*sv(p, "with_check"))
			ptable_footer(t, "      WITH CHECK (%s)", sv(p, "with_check"));
	}
}

static void trigger_footers(struct ptable *t, const json_t *o)
{
	size_t n;
	json_t **tg = sorted(json_object_get(o, "triggers"), name_cmp, &n);
	for (size_t i = 0; i < n; i++) {
		if (i == 0)
			ptable_footer(t, "Triggers:");
		const char *def = sv(tg[i], "definition");
		const char *after = strstr(def, " TRIGGER ");
		ptable_footer(t, "    %s", after ? after + 9 : def);
	}
	free(tg);
}

void ctl_describe_print(FILE *out, const json_t *d)
{
	const json_t *o = json_object_get(d, "object");
	const char *kind = sv(d, "kind");
	char title[1024];
	snprintf(title, sizeof(title), "%s \"%s.%s\"", kind_title(kind), sv(d, "schema"),
	         sv(d, "name"));
	static const char *const headers[] = {"Column", "Type", "Collation", "Nullable", "Default"};
	struct ptable t;
	ptable_init(&t, title, 5, headers);
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(o, "columns"), i, c)
	{
		char gen[1024] = "";
		if (json_is_string(json_object_get(c, "identity")))
			snprintf(gen, sizeof(gen), "generated %s as identity",
			         strcmp(sv(c, "identity"), "always") == 0 ? "always"
			                                                  : "by default");
		else if (json_is_string(json_object_get(c, "generated")))
			snprintf(gen, sizeof(gen), "generated always as (%s) stored",
			         sv(c, "generated"));
		const char *cells[] = {sv(c, "name"), sv(c, "type"), sv(c, "collation"),
		                       json_is_false(json_object_get(c, "nullable")) ? "not null"
		                                                                     : "",
		                       gen[0] ? gen : sv(c, "default")};
		ptable_row(&t, cells);
	}
	const json_t *parent = json_object_get(o, "partition_of");
	if (json_is_object(parent))
		ptable_footer(&t, "Partition of: %s.%s %s", sv(parent, "schema"),
		              sv(parent, "name"), sv(o, "partition_bound"));
	if (strcmp(kind, "view") == 0 || strcmp(kind, "materialized_view") == 0) {
		ptable_print(&t, out);
		return;
	}
	index_footers(&t, o);
	constraint_footers(&t, o, "check", "Check constraints:");
	constraint_footers(&t, o, "foreign_key", "Foreign-key constraints:");
	referenced_by(&t, d);
	policy_footers(&t, o);
	trigger_footers(&t, o);
	ptable_print(&t, out);
}
