/* The objects a DDL statement names, read from libpg_query's JSON parse
 * tree, so that a schema cache can reload just those after the statement
 * ran. Names are as written (unquoted, case-folded by the parser); an
 * unqualified name has no schema: the cache resolves it by search_path.
 * Objects that live inside a table (columns, constraints, triggers,
 * policies, rules, indexes being created) also name their table. */
#include "common/sql-objects.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *objtype, *kind;
} kinds[] = {
    {"OBJECT_TABLE", "table"},
    {"OBJECT_VIEW", "view"},
    {"OBJECT_MATVIEW", "materialized view"},
    {"OBJECT_FOREIGN_TABLE", "foreign table"},
    {"OBJECT_INDEX", "index"},
    {"OBJECT_SEQUENCE", "sequence"},
    {"OBJECT_FUNCTION", "function"},
    {"OBJECT_PROCEDURE", "procedure"},
    {"OBJECT_ROUTINE", "function"},
    {"OBJECT_AGGREGATE", "function"},
    {"OBJECT_TYPE", "type"},
    {"OBJECT_DOMAIN", "domain"},
    {"OBJECT_SCHEMA", "schema"},
    {"OBJECT_EXTENSION", "extension"},
    {"OBJECT_ROLE", "role"},
    {"OBJECT_TRIGGER", "table"},
    {"OBJECT_POLICY", "table"},
    {"OBJECT_RULE", "table"},
    {"OBJECT_COLUMN", "table"},
    {"OBJECT_TABCONSTRAINT", "table"},
    {"OBJECT_ATTRIBUTE", "type"},
    {"OBJECT_DOMCONSTRAINT", "domain"},
    {"OBJECT_COLLATION", "collation"},
    {"OBJECT_OPERATOR", "operator"},
    {"OBJECT_EVENT_TRIGGER", "event trigger"},
};

static const char *kind_of(const char *objtype)
{
	for (size_t i = 0; objtype && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(objtype, kinds[i].objtype) == 0)
			return kinds[i].kind;
	return NULL;
}

/* Objects inside a table are written table-first: [schema.]table.member. */
static bool names_a_member(const char *objtype)
{
	return objtype &&
	       (strcmp(objtype, "OBJECT_TRIGGER") == 0 || strcmp(objtype, "OBJECT_POLICY") == 0 ||
	        strcmp(objtype, "OBJECT_RULE") == 0 || strcmp(objtype, "OBJECT_COLUMN") == 0 ||
	        strcmp(objtype, "OBJECT_TABCONSTRAINT") == 0);
}

static const char *sval(const json_t *string_node)
{
	return json_string_value(json_object_get(json_object_get(string_node, "String"), "sval"));
}

static int add(TuskSqlStatement *st, const char *kind, const char *schema, const char *name)
{
	if (!kind || !name)
		return 0;
	for (size_t i = 0; i < st->nobjects; i++) {
		const TuskSqlObject *o = &st->objects[i];
		if (strcmp(o->kind, kind) == 0 && strcmp(o->name, name) == 0 &&
		    (o->schema ? schema && strcmp(o->schema, schema) == 0 : !schema))
			return 0;
	}
	TuskSqlObject *p = realloc(st->objects, (st->nobjects + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	st->objects = p;
	TuskSqlObject *o = &p[st->nobjects];
	*o = (TuskSqlObject){
	    .kind = kind, .schema = schema ? strdup(schema) : NULL, .name = strdup(name)};
	st->nobjects++;
	if (!o->name || (schema && !o->schema))
		return -ENOMEM;
	return 0;
}

/* A RangeVar, wrapped ({"RangeVar": {…}}) or not. */
static int add_rangevar(TuskSqlStatement *st, const char *kind, const json_t *rv)
{
	const json_t *inner = json_object_get(rv, "RangeVar");
	if (inner)
		rv = inner;
	return add(st, kind, json_string_value(json_object_get(rv, "schemaname")),
	           json_string_value(json_object_get(rv, "relname")));
}

/* A list of String nodes: [[catalog.]schema.]name, or with member set
 * [[schema.]table.]member whose table is wanted. */
static int add_names(TuskSqlStatement *st, const char *kind, const json_t *list, bool member)
{
	size_t n = json_array_size(list);
	if (member) {
		if (n < 2)
			return 0;
		n--;
	}
	if (n == 0)
		return 0;
	return add(st, kind, n >= 2 ? sval(json_array_get(list, n - 2)) : NULL,
	           sval(json_array_get(list, n - 1)));
}

/* One item of a DropStmt / GrantStmt objects list, a RenameStmt's or
 * CommentStmt's object: names, a type name, a function signature, a bare
 * name or a RangeVar. */
static int add_object(TuskSqlStatement *st, const char *kind, const json_t *obj, bool member)
{
	const json_t *v;
	if ((v = json_object_get(obj, "List")))
		return add_names(st, kind, json_object_get(v, "items"), member);
	if ((v = json_object_get(obj, "TypeName")))
		return add_names(st, kind, json_object_get(v, "names"), false);
	if ((v = json_object_get(obj, "ObjectWithArgs")))
		return add_names(st, kind, json_object_get(v, "objname"), false);
	if ((v = json_object_get(obj, "RangeVar")))
		return add_rangevar(st, kind, obj);
	if (sval(obj))
		return add(st, kind, NULL, sval(obj));
	return 0;
}

static const char *str(const json_t *n, const char *key)
{
	return json_string_value(json_object_get(n, key));
}

static const json_t *get(const json_t *n, const char *key)
{
	return json_object_get(n, key);
}

/* The new name of a RENAME or SET SCHEMA, in the schema it will be in. */
static int add_renamed(TuskSqlStatement *st, const char *kind, const char *node, const json_t *n)
{
	if (st->nobjects == 0)
		return 0;
	const TuskSqlObject *old = &st->objects[st->nobjects - 1];
	/* Copies: adding may move the array old points into. */
	char *schema = old->schema ? strdup(old->schema) : NULL, *name = strdup(old->name);
	int r = -ENOMEM;
	if (name && (schema || !old->schema)) {
		if (strcmp(node, "RenameStmt") == 0)
			r = add(st, kind, schema, str(n, "newname"));
		else
			r = add(st, kind, str(n, "newschema"), name);
	}
	free(schema);
	free(name);
	return r;
}

int tusk_sql_objects_collect(TuskSqlStatement *st, const char *node, const json_t *n)
{
	size_t i;
	int r = 0;
	if (strcmp(node, "CreateStmt") == 0)
		return add_rangevar(st, "table", get(n, "relation"));
	if (strcmp(node, "CreateForeignTableStmt") == 0)
		return add_rangevar(st, "foreign table", get(get(n, "base"), "relation"));
	if (strcmp(node, "ViewStmt") == 0)
		return add_rangevar(st, "view", get(n, "view"));
	if (strcmp(node, "CreateTableAsStmt") == 0) {
		const char *kind = kind_of(str(n, "objtype"));
		return add_rangevar(st, kind ? kind : "table", get(get(n, "into"), "rel"));
	}
	if (strcmp(node, "SelectStmt") == 0)
		return add_rangevar(st, "table", get(get(n, "intoClause"), "rel"));
	if (strcmp(node, "IndexStmt") == 0) {
		const json_t *rel = get(n, "relation");
		if (str(n, "idxname") &&
		    (r = add(st, "index", str(rel, "schemaname"), str(n, "idxname"))) < 0)
			return r;
		return add_rangevar(st, "table", rel);
	}
	if (strcmp(node, "CreateSeqStmt") == 0 || strcmp(node, "AlterSeqStmt") == 0)
		return add_rangevar(st, "sequence", get(n, "sequence"));
	if (strcmp(node, "CreateTrigStmt") == 0 || strcmp(node, "RuleStmt") == 0)
		return add_rangevar(st, "table", get(n, "relation"));
	if (strcmp(node, "CreatePolicyStmt") == 0 || strcmp(node, "AlterPolicyStmt") == 0)
		return add_rangevar(st, "table", get(n, "table"));
	if (strcmp(node, "CompositeTypeStmt") == 0)
		return add_rangevar(st, "type", get(n, "typevar"));
	if (strcmp(node, "CreateEnumStmt") == 0 || strcmp(node, "AlterEnumStmt") == 0 ||
	    strcmp(node, "CreateRangeStmt") == 0)
		return add_names(st, "type", get(n, "typeName"), false);
	if (strcmp(node, "CreateDomainStmt") == 0)
		return add_names(st, "domain", get(n, "domainname"), false);
	if (strcmp(node, "AlterDomainStmt") == 0)
		return add_names(st, "domain", get(n, "typeName"), false);
	if (strcmp(node, "DefineStmt") == 0) {
		const char *kind = kind_of(str(n, "kind"));
		return add_names(st, kind, get(n, "defnames"), false);
	}
	if (strcmp(node, "CreateFunctionStmt") == 0)
		return add_names(st,
		                 json_is_true(get(n, "is_procedure")) ? "procedure" : "function",
		                 get(n, "funcname"), false);
	if (strcmp(node, "AlterFunctionStmt") == 0)
		return add_object(st, kind_of(str(n, "objtype")), get(n, "func"), false);
	if (strcmp(node, "CreateSchemaStmt") == 0)
		return add(st, "schema", NULL, str(n, "schemaname"));
	if (strcmp(node, "CreateExtensionStmt") == 0 || strcmp(node, "AlterExtensionStmt") == 0)
		return add(st, "extension", NULL, str(n, "extname"));
	if (strcmp(node, "CreateRoleStmt") == 0)
		return add(st, "role", NULL, str(n, "role"));
	if (strcmp(node, "AlterTableStmt") == 0)
		return add_rangevar(st, kind_of(str(n, "objtype")), get(n, "relation"));
	if (strcmp(node, "TruncateStmt") == 0) {
		const json_t *list = get(n, "relations");
		for (i = 0; r == 0 && i < json_array_size(list); i++)
			r = add_rangevar(st, "table", json_array_get(list, i));
		return r;
	}
	if (strcmp(node, "DropStmt") == 0 || strcmp(node, "GrantStmt") == 0) {
		const char *objtype =
		    str(n, strcmp(node, "DropStmt") == 0 ? "removeType" : "objtype");
		const char *kind = kind_of(objtype);
		const json_t *list = get(n, "objects");
		for (i = 0; r == 0 && i < json_array_size(list); i++)
			r = add_object(st, kind, json_array_get(list, i), names_a_member(objtype));
		return r;
	}
	if (strcmp(node, "CommentStmt") == 0) {
		const char *objtype = str(n, "objtype");
		return add_object(st, kind_of(objtype), get(n, "object"), names_a_member(objtype));
	}
	if (strcmp(node, "RenameStmt") == 0 || strcmp(node, "AlterObjectSchemaStmt") == 0 ||
	    strcmp(node, "AlterOwnerStmt") == 0) {
		const char *objtype =
		    str(n, strcmp(node, "RenameStmt") == 0 ? "renameType" : "objectType");
		bool member = names_a_member(objtype);
		const char *kind = kind_of(objtype);
		if (member && get(n, "relation")) {
			/* RENAME COLUMN / CONSTRAINT / TRIGGER … ON table */
			const char *rel = str(n, "relationType");
			return add_rangevar(st, kind_of(rel) ? kind_of(rel) : "table",
			                    get(n, "relation"));
		}
		if (get(n, "relation"))
			r = add_rangevar(st, kind, get(n, "relation"));
		else
			r = add_object(st, kind, get(n, "object"), member);
		if (r < 0 || strcmp(node, "AlterOwnerStmt") == 0)
			return r;
		return add_renamed(st, kind, node, n);
	}
	return 0;
}

void tusk_sql_objects_clear(TuskSqlStatement *st)
{
	for (size_t i = 0; i < st->nobjects; i++) {
		free(st->objects[i].schema);
		free(st->objects[i].name);
	}
	free(st->objects);
	st->objects = NULL;
	st->nobjects = 0;
}
