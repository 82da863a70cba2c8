/* The catalog queries of the schema cache, one bulk query per object kind,
 * and how their rows become the cache's tree. Every query takes the same
 * namespace filter (%s): "true" for a whole load, a list of schema names
 * for a reload after DDL. Lists (index columns, enum labels, roles of a
 * policy) come back as JSON text so that no array literal needs parsing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/db/schema-catalog.h"
#include "daemon/db/schema-internal.h"

#define NSP_HIDDEN "n.nspname !~ '^pg_(toast|temp_)'"

static const char *const catalog_sql[SCHEMA_R_MAX] = {
    [SCHEMA_R_PATH] = "select pg_catalog.array_to_json(pg_catalog.current_schemas(false))::text"
                      " from (select ''::pg_catalog.name as nspname) n where (%s) or true",
    [SCHEMA_R_SCHEMAS] = "select n.nspname, pg_catalog.pg_get_userbyid(n.nspowner),"
                         " pg_catalog.obj_description(n.oid, 'pg_namespace')"
                         " from pg_catalog.pg_namespace n where " NSP_HIDDEN " and %s order by 1",
    [SCHEMA_R_RELATIONS] =
        "select c.oid, n.nspname, c.relname, c.relkind, pg_catalog.pg_get_userbyid(c.relowner),"
        " d.description, pn.nspname, pc.relname,"
        " case when c.relkind in ('v', 'm') then pg_catalog.pg_get_viewdef(c.oid, true) end,"
        " case when c.relispartition then pg_catalog.pg_get_expr(c.relpartbound, c.oid) end,"
        " case when c.relkind = 'S' then pg_catalog.format_type(s.seqtypid, null) end"
        " from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
        " left join pg_catalog.pg_description d on d.objoid = c.oid"
        "  and d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objsubid = 0"
        " left join pg_catalog.pg_inherits i on i.inhrelid = c.oid and c.relispartition"
        " left join pg_catalog.pg_class pc on pc.oid = i.inhparent"
        " left join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace"
        " left join pg_catalog.pg_sequence s on s.seqrelid = c.oid"
        " where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and " NSP_HIDDEN " and %s"
        " order by n.nspname, c.relname",
    [SCHEMA_R_COLUMNS] =
        "select a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),"
        " a.attnotnull, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), a.attidentity,"
        " a.attgenerated, coalesce(a.attnum = any(pk.conkey), false), d.description"
        " from pg_catalog.pg_attribute a"
        " join pg_catalog.pg_class c on c.oid = a.attrelid"
        " join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
        " left join pg_catalog.pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum"
        " left join pg_catalog.pg_constraint pk on pk.conrelid = a.attrelid and pk.contype = 'p'"
        " left join pg_catalog.pg_description d on d.objoid = a.attrelid"
        "  and d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objsubid = a.attnum"
        " where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f')"
        " and " NSP_HIDDEN " and %s order by a.attrelid, a.attnum",
    /* pg_get_indexdef is the slow part of a load (tens of µs an index):
     * only for indexes no constraint owns (the constraint's definition
     * says the rest), and key columns from pg_attribute unless they are
     * expressions. */
    [SCHEMA_R_INDEXES] =
        "select i.indrelid, ic.relname, i.indisunique, i.indisprimary, am.amname,"
        " pg_catalog.pg_get_expr(i.indpred, i.indrelid),"
        " case when x.oid is null then pg_catalog.pg_get_indexdef(i.indexrelid) end,"
        " pg_catalog.array_to_json(array(select case when k.attnum = 0 then"
        "  pg_catalog.pg_get_indexdef(i.indexrelid, k.ord::pg_catalog.int4, true)"
        "  else a.attname::pg_catalog.text end"
        "  from pg_catalog.unnest(i.indkey) with ordinality k(attnum, ord)"
        "  left join pg_catalog.pg_attribute a on a.attrelid = i.indrelid"
        "  and a.attnum = k.attnum where k.ord <= i.indnkeyatts order by k.ord))::text,"
        " x.oid is not null"
        " from pg_catalog.pg_index i join pg_catalog.pg_class ic on ic.oid = i.indexrelid"
        " join pg_catalog.pg_am am on am.oid = ic.relam"
        " join pg_catalog.pg_class c on c.oid = i.indrelid"
        " join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
        " left join pg_catalog.pg_constraint x on x.conindid = i.indexrelid"
        "  and x.conrelid = i.indrelid and x.contype in ('p', 'u', 'x')"
        " where " NSP_HIDDEN " and %s order by i.indrelid, ic.relname",
    [SCHEMA_R_CONSTRAINTS] =
        "select k.conrelid, k.conname, k.contype, pg_catalog.pg_get_constraintdef(k.oid, true),"
        " pg_catalog.array_to_json(array(select a.attname from pg_catalog.unnest(k.conkey)"
        "  with ordinality u(num, ord) join pg_catalog.pg_attribute a on a.attrelid = k.conrelid"
        "  and a.attnum = u.num order by u.ord))::text,"
        " fn.nspname, fc.relname,"
        " pg_catalog.array_to_json(array(select a.attname from pg_catalog.unnest(k.confkey)"
        "  with ordinality u(num, ord) join pg_catalog.pg_attribute a on a.attrelid = k.confrelid"
        "  and a.attnum = u.num order by u.ord))::text,"
        " k.confupdtype, k.confdeltype, pg_catalog.obj_description(k.oid, 'pg_constraint')"
        " from pg_catalog.pg_constraint k join pg_catalog.pg_class c on c.oid = k.conrelid"
        " join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
        " left join pg_catalog.pg_class fc on fc.oid = k.confrelid"
        " left join pg_catalog.pg_namespace fn on fn.oid = fc.relnamespace"
        " where k.contype in ('p', 'u', 'c', 'f', 'x') and " NSP_HIDDEN " and %s"
        " order by k.conrelid, k.conname",
    [SCHEMA_R_TRIGGERS] =
        "select t.tgrelid, t.tgname, pg_catalog.pg_get_triggerdef(t.oid, true), t.tgenabled"
        " from pg_catalog.pg_trigger t join pg_catalog.pg_class c on c.oid = t.tgrelid"
        " join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
        " where not t.tgisinternal and " NSP_HIDDEN " and %s order by t.tgrelid, t.tgname",
    [SCHEMA_R_POLICIES] =
        "select p.polrelid, p.polname, p.polcmd, p.polpermissive,"
        " pg_catalog.array_to_json(array(select case when r = 0 then 'public'"
        "  else pg_catalog.pg_get_userbyid(r) end from pg_catalog.unnest(p.polroles) r))::text,"
        " pg_catalog.pg_get_expr(p.polqual, p.polrelid),"
        " pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)"
        " from pg_catalog.pg_policy p join pg_catalog.pg_class c on c.oid = p.polrelid"
        " join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
        " where " NSP_HIDDEN " and %s order by p.polrelid, p.polname",
    /* pg_get_functiondef only for user functions and procedures: it
     * refuses aggregates, and pg_catalog's thousands are not worth it. */
    [SCHEMA_R_FUNCTIONS] =
        "select n.nspname, p.proname, p.prokind,"
        " pg_catalog.pg_get_function_identity_arguments(p.oid),"
        " pg_catalog.pg_get_function_result(p.oid), l.lanname, p.provolatile,"
        " pg_catalog.pg_get_userbyid(p.proowner), d.description,"
        " case when p.prokind in ('f', 'p') and n.nspname <> 'pg_catalog'"
        "  and n.nspname <> 'information_schema' then pg_catalog.pg_get_functiondef(p.oid) end"
        " from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace"
        " join pg_catalog.pg_language l on l.oid = p.prolang"
        " left join pg_catalog.pg_description d on d.objoid = p.oid"
        "  and d.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass and d.objsubid = 0"
        " where " NSP_HIDDEN " and %s order by n.nspname, p.proname, 4",
    [SCHEMA_R_TYPES] =
        "select n.nspname, t.typname, t.typtype, pg_catalog.pg_get_userbyid(t.typowner),"
        " pg_catalog.obj_description(t.oid, 'pg_type'),"
        " case when t.typtype = 'e' then pg_catalog.array_to_json(array(select e.enumlabel"
        "  from pg_catalog.pg_enum e where e.enumtypid = t.oid order by e.enumsortorder))::text"
        " end,"
        " case when t.typtype = 'd' then pg_catalog.format_type(t.typbasetype, t.typtypmod) end,"
        " t.typnotnull, pg_catalog.pg_get_expr(t.typdefaultbin, 0),"
        " case when t.typtype = 'd' then pg_catalog.array_to_json(array("
        "  select pg_catalog.pg_get_constraintdef(k.oid, true) from pg_catalog.pg_constraint k"
        "  where k.contypid = t.oid order by k.conname))::text end,"
        " case when t.typtype = 'c' then pg_catalog.array_to_json(array("
        "  select pg_catalog.json_build_object('name', a.attname, 'type',"
        "   pg_catalog.format_type(a.atttypid, a.atttypmod)) from pg_catalog.pg_attribute a"
        "  where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped"
        "  order by a.attnum))::text end"
        " from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace"
        " left join pg_catalog.pg_class c on c.oid = t.typrelid"
        " where (t.typtype in ('e', 'd', 'r', 'm') or (t.typtype = 'c' and c.relkind = 'c'))"
        " and " NSP_HIDDEN " and %s order by n.nspname, t.typname",
    [SCHEMA_R_EXTENSIONS] =
        "select e.extname, e.extversion, n.nspname,"
        " pg_catalog.obj_description(e.oid, 'pg_extension')"
        " from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid ="
        " e.extnamespace where %s is not null order by 1",
    [SCHEMA_R_ROLES] = "select r.rolname, r.rolsuper, r.rolcanlogin,"
                       " pg_catalog.shobj_description(r.oid, 'pg_authid')"
                       " from pg_catalog.pg_roles r where %s is not null order by 1",
};

const char *const schema_result_names[SCHEMA_R_MAX] = {
    "search_path", "schemas",  "relations", "columns", "indexes",    "constraints",
    "triggers",    "policies", "functions", "types",   "extensions", "roles",
};

char *schema_catalog_sql(const char *filter, const int *kinds, int n)
{
	size_t cap = 1;
	for (int k = 0; k < n; k++)
		cap += strlen(catalog_sql[kinds[k]]) + strlen(filter) + 2;
	char *sql = malloc(cap), *p = sql;
	if (!sql)
		return NULL;
	*p = '\0';
	for (int k = 0; k < n; k++) {
		int i = kinds[k];
		/* Extensions and roles are always reloaded whole: the filter
		 * only has to be an expression there. */
		const char *f = i >= SCHEMA_R_EXTENSIONS ? "true" : filter;
		const char *hole = strstr(catalog_sql[i], "%s");
		size_t head = (size_t)(hole - catalog_sql[i]);
		memcpy(p, catalog_sql[i], head);
		p += head;
		p = stpcpy(p, f);
		p = stpcpy(p, hole + 2);
		p = stpcpy(p, ";\n");
	}
	return sql;
}

/* ---- rows → tree ---------------------------------------------------------- */

static json_t *str(const PGresult *res, int r, int c)
{
	if (PQgetisnull(res, r, c))
		return json_null();
	json_t *j = json_string(PQgetvalue(res, r, c));
	return j ? j : json_string("?"); /* not UTF-8 */
}

static json_t *boolean(const PGresult *res, int r, int c)
{
	return json_boolean(PQgetvalue(res, r, c)[0] == 't');
}

static json_t *parsed(const PGresult *res, int r, int c)
{
	if (PQgetisnull(res, r, c))
		return json_null();
	json_t *j = json_loads(PQgetvalue(res, r, c), JSON_DECODE_ANY, NULL);
	return j ? j : json_null();
}

static bool is_system_schema(const char *name)
{
	return strcmp(name, "pg_catalog") == 0 || strcmp(name, "information_schema") == 0 ||
	       strncmp(name, "pg_toast", 8) == 0 || strncmp(name, "pg_temp_", 8) == 0;
}

static json_t *schema_node(struct schema_build *b, const char *name)
{
	json_t *s = json_object_get(json_object_get(b->tree, "schemas"), name);
	if (s)
		return s;
	/* A row of a schema the schemas query did not see (created since):
	 * keep it under a bare node. */
	s = json_pack("{s:s, s:n, s:n, s:b, s:[], s:[], s:[], s:[]}", "name", name, "owner",
	              "comment", "system", is_system_schema(name), "relations", "functions",
	              "sequences", "types");
	json_object_set_new(json_object_get(b->tree, "schemas"), name, s);
	return s;
}

static void add_to(json_t *parent, const char *member, json_t *item)
{
	json_array_append_new(json_object_get(parent, member), item);
}

static const char *relkind_name(char k)
{
	switch (k) {
	case 'r':
		return "table";
	case 'p':
		return "partitioned_table";
	case 'v':
		return "view";
	case 'm':
		return "materialized_view";
	case 'f':
		return "foreign_table";
	default:
		return "sequence";
	}
}

static const char *action_name(char a)
{
	switch (a) {
	case 'r':
		return "restrict";
	case 'c':
		return "cascade";
	case 'n':
		return "set null";
	case 'd':
		return "set default";
	default:
		return "no action";
	}
}

static const char *contype_name(char t)
{
	switch (t) {
	case 'p':
		return "primary_key";
	case 'u':
		return "unique";
	case 'c':
		return "check";
	case 'f':
		return "foreign_key";
	default:
		return "exclusion";
	}
}

static const char *prokind_name(char k)
{
	switch (k) {
	case 'p':
		return "procedure";
	case 'a':
		return "aggregate";
	case 'w':
		return "window";
	default:
		return "function";
	}
}

static const char *typtype_name(char t)
{
	switch (t) {
	case 'e':
		return "enum";
	case 'd':
		return "domain";
	case 'r':
		return "range";
	case 'm':
		return "multirange";
	default:
		return "composite";
	}
}

static uint32_t oid_of(const PGresult *res, int r)
{
	return (uint32_t)strtoul(PQgetvalue(res, r, 0), NULL, 10);
}

/* Append item (stolen) to member m of the row's relation. */
static bool member(struct schema_build *b, const PGresult *res, int r, int m, json_t *item)
{
	return schema_rels_member(&b->rels, oid_of(res, r), m, item);
}

static void rows_relations(struct schema_build *b, const PGresult *res, int r)
{
	const char *nsp = PQgetvalue(res, r, 1);
	char kind = PQgetvalue(res, r, 3)[0];
	json_t *s = schema_node(b, nsp);
	if (kind == 'S') {
		add_to(s, "sequences",
		       json_pack("{s:o, s:o, s:o, s:o}", "name", str(res, r, 2), "owner",
		                 str(res, r, 4), "comment", str(res, r, 5), "data_type",
		                 str(res, r, 10)));
		return;
	}
	json_t *parent = json_null();
	if (!PQgetisnull(res, r, 7))
		parent = json_pack("{s:o, s:o}", "schema", str(res, r, 6), "name", str(res, r, 7));
	/* The head; its lists (columns, indexes, constraints, triggers,
	 * policies) follow as text (schema-text.c). */
	json_t *head =
	    json_pack("{s:I, s:o, s:s, s:o, s:o, s:o, s:o, s:o}", "oid",
	              (json_int_t)strtoll(PQgetvalue(res, r, 0), NULL, 10), "name", str(res, r, 2),
	              "kind", relkind_name(kind), "owner", str(res, r, 4), "comment",
	              str(res, r, 5), "partition_of", parent ? parent : json_null(),
	              "partition_bound", str(res, r, 9), "definition", str(res, r, 8));
	json_t *thin = schema_rels_add(&b->rels, oid_of(res, r), head);
	if (!thin)
		return;
	add_to(s, "relations", thin);
	b->counts[SCHEMA_R_RELATIONS]++;
}

static void rows_columns(struct schema_build *b, const PGresult *res, int r)
{
	char identity = PQgetvalue(res, r, 5)[0], generated = PQgetvalue(res, r, 6)[0];
	json_t *def = str(res, r, 4);
	json_t *c = json_pack("{s:o, s:o, s:b, s:o, s:s?, s:o, s:o, s:o}", "name", str(res, r, 1),
	                      "type", str(res, r, 2), "nullable", PQgetvalue(res, r, 3)[0] != 't',
	                      "default", generated ? json_null() : json_incref(def), "identity",
	                      identity == 'a'   ? "always"
	                      : identity == 'd' ? "by default"
	                                        : NULL,
	                      "generated", generated ? json_incref(def) : json_null(),
	                      "primary_key", boolean(res, r, 7), "comment", str(res, r, 8));
	json_decref(def);
	if (c && !json_object_get(c, "identity"))
		json_object_set_new(c, "identity", json_null());
	member(b, res, r, 0, c);
}

static void rows_indexes(struct schema_build *b, const PGresult *res, int r)
{
	member(b, res, r, 1,
	       json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "name", str(res, r, 1),
	                 "columns", parsed(res, r, 7), "unique", boolean(res, r, 2), "primary",
	                 boolean(res, r, 3), "method", str(res, r, 4), "predicate", str(res, r, 5),
	                 "definition", str(res, r, 6), "constraint", boolean(res, r, 8)));
}

static void rows_constraints(struct schema_build *b, const PGresult *res, int r)
{
	char type = PQgetvalue(res, r, 2)[0];
	json_t *refs = json_null();
	if (type == 'f')
		refs = json_pack("{s:o, s:o, s:o, s:s, s:s}", "schema", str(res, r, 5), "table",
		                 str(res, r, 6), "columns", parsed(res, r, 7), "on_update",
		                 action_name(PQgetvalue(res, r, 8)[0]), "on_delete",
		                 action_name(PQgetvalue(res, r, 9)[0]));
	member(b, res, r, 2,
	       json_pack("{s:o, s:s, s:o, s:o, s:o, s:o}", "name", str(res, r, 1), "type",
	                 contype_name(type), "columns", parsed(res, r, 4), "definition",
	                 str(res, r, 3), "references", refs ? refs : json_null(), "comment",
	                 str(res, r, 10)));
}

static void rows_triggers(struct schema_build *b, const PGresult *res, int r)
{
	member(b, res, r, 3,
	       json_pack("{s:o, s:o, s:b}", "name", str(res, r, 1), "definition", str(res, r, 2),
	                 "enabled", PQgetvalue(res, r, 3)[0] != 'D'));
}

static const char *polcmd_name(char c)
{
	switch (c) {
	case 'r':
		return "select";
	case 'a':
		return "insert";
	case 'w':
		return "update";
	case 'd':
		return "delete";
	default:
		return "all";
	}
}

static void rows_policies(struct schema_build *b, const PGresult *res, int r)
{
	member(b, res, r, 4,
	       json_pack("{s:o, s:s, s:o, s:o, s:o, s:o}", "name", str(res, r, 1), "command",
	                 polcmd_name(PQgetvalue(res, r, 2)[0]), "permissive", boolean(res, r, 3),
	                 "roles", parsed(res, r, 4), "using", str(res, r, 5), "with_check",
	                 str(res, r, 6)));
}

static void rows_functions(struct schema_build *b, const PGresult *res, int r)
{
	char vol = PQgetvalue(res, r, 6)[0];
	add_to(
	    schema_node(b, PQgetvalue(res, r, 0)), "functions",
	    schema_freeze_function(json_pack(
	        "{s:o, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o}", "name", str(res, r, 1), "kind",
	        prokind_name(PQgetvalue(res, r, 2)[0]), "arguments", str(res, r, 3), "result",
	        str(res, r, 4), "language", str(res, r, 5), "volatility",
	        vol == 'i'   ? "immutable"
	        : vol == 's' ? "stable"
	                     : "volatile",
	        "owner", str(res, r, 7), "comment", str(res, r, 8), "definition", str(res, r, 9))));
	b->counts[SCHEMA_R_FUNCTIONS]++;
}

static void rows_types(struct schema_build *b, const PGresult *res, int r)
{
	char t = PQgetvalue(res, r, 2)[0];
	add_to(schema_node(b, PQgetvalue(res, r, 0)), "types",
	       json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o}", "name",
	                 str(res, r, 1), "kind", typtype_name(t), "owner", str(res, r, 3),
	                 "comment", str(res, r, 4), "labels", parsed(res, r, 5), "base_type",
	                 str(res, r, 6), "not_null", t == 'd' && PQgetvalue(res, r, 7)[0] == 't',
	                 "default", str(res, r, 8), "checks", parsed(res, r, 9), "attributes",
	                 parsed(res, r, 10)));
	b->counts[SCHEMA_R_TYPES]++;
}

void schema_build_rows(struct schema_build *b, int kind, const PGresult *res)
{
	int n = PQntuples(res);
	for (int r = 0; r < n; r++) {
		switch (kind) {
		case SCHEMA_R_PATH:
			json_object_set_new(b->tree, "search_path", parsed(res, r, 0));
			break;
		case SCHEMA_R_SCHEMAS: {
			const char *name = PQgetvalue(res, r, 0);
			json_t *s = schema_node(b, name);
			json_object_set_new(s, "owner", str(res, r, 1));
			json_object_set_new(s, "comment", str(res, r, 2));
			b->counts[SCHEMA_R_SCHEMAS]++;
			break;
		}
		case SCHEMA_R_RELATIONS:
			rows_relations(b, res, r);
			break;
		case SCHEMA_R_COLUMNS:
			rows_columns(b, res, r);
			break;
		case SCHEMA_R_INDEXES:
			rows_indexes(b, res, r);
			break;
		case SCHEMA_R_CONSTRAINTS:
			rows_constraints(b, res, r);
			break;
		case SCHEMA_R_TRIGGERS:
			rows_triggers(b, res, r);
			break;
		case SCHEMA_R_POLICIES:
			rows_policies(b, res, r);
			break;
		case SCHEMA_R_FUNCTIONS:
			rows_functions(b, res, r);
			break;
		case SCHEMA_R_TYPES:
			rows_types(b, res, r);
			break;
		case SCHEMA_R_EXTENSIONS:
			add_to(b->tree, "extensions",
			       json_pack("{s:o, s:o, s:o, s:o}", "name", str(res, r, 0), "version",
			                 str(res, r, 1), "schema", str(res, r, 2), "comment",
			                 str(res, r, 3)));
			b->counts[kind]++;
			break;
		case SCHEMA_R_ROLES: {
			const char *name = PQgetvalue(res, r, 0);
			add_to(b->tree, "roles",
			       json_pack("{s:o, s:o, s:o, s:o, s:b}", "name", str(res, r, 0),
			                 "superuser", boolean(res, r, 1), "login",
			                 boolean(res, r, 2), "comment", str(res, r, 3), "system",
			                 strncmp(name, "pg_", 3) == 0));
			b->counts[kind]++;
			break;
		}
		default:
			break;
		}
	}
}

int schema_build_init(struct schema_build *b)
{
	memset(b, 0, sizeof(*b));
	b->tree =
	    json_pack("{s:{}, s:[], s:[], s:[]}", "schemas", "extensions", "roles", "search_path");
	if (!b->tree) {
		schema_build_clear(b);
		return -1;
	}
	return 0;
}

void schema_build_clear(struct schema_build *b)
{
	json_decref(b->tree);
	b->tree = NULL;
	schema_rels_clear(&b->rels);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int schema_build_finish(struct schema_build *b)
{
	long long counts[SCHEMA_REL_MEMBERS] = {0};
	int rc = schema_rels_finish(&b->rels, counts);
	schema_rels_clear(&b->rels);
	static const int kinds[SCHEMA_REL_MEMBERS] = {SCHEMA_R_COLUMNS, SCHEMA_R_INDEXES,
	                                              SCHEMA_R_CONSTRAINTS, SCHEMA_R_TRIGGERS,
	                                              SCHEMA_R_POLICIES};
	for (int m = 0; m < SCHEMA_REL_MEMBERS; m++)
		b->counts[kinds[m]] = counts[m];
	/* Schema nodes in name order (the schemas query's), whichever query
	 * made them first. */
	json_t *schemas = json_object_get(b->tree, "schemas");
	size_t n = json_object_size(schemas), i = 0;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	json_t *sorted = json_object();
	if (!names || !sorted) {
		free(names);
		json_decref(sorted);
		return -1;
	}
	const char *k;
	json_t *v;
	json_object_foreach(schemas, k, v) names[i++] = k;
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++)
		if (json_object_set(sorted, names[i], json_object_get(schemas, names[i])) < 0)
			rc = -1;
	free(names);
	json_object_set_new(b->tree, "schemas", sorted);
	return rc;
}

bool schema_is_system(const char *name)
{
	return is_system_schema(name);
}
