/* Completion from the schema cache. After each load every schema,
 * relation, function, sequence and type gets an entry keyed by its
 * lower-case name; the entries are sorted once, so a prefix is a binary
 * search plus a scan of what matches. Columns come from the relations the
 * SQL around the cursor names (by name, schema.name or alias), ranked
 * first. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/sql-scan.h"
#include "daemon/db/schema-catalog.h"
#include "daemon/db/schema-internal.h"

enum {
	RANK_COLUMN = 0,
	RANK_RELATION = 10,
	RANK_SCHEMA = 20,
	RANK_FUNCTION = 30,
	RANK_SYSTEM = 40, /* anything in pg_catalog / information_schema */
	RANK_KEYWORD = 50,
};

static const char *const keywords[] = {
    "ALTER",  "AND",    "AS",      "ASC",     "BEGIN", "BETWEEN",   "BY",        "CASE",
    "COMMIT", "CREATE", "CROSS",   "DELETE",  "DESC",  "DISTINCT",  "DROP",      "ELSE",
    "END",    "EXCEPT", "EXISTS",  "EXPLAIN", "FALSE", "FROM",      "FULL",      "GROUP",
    "HAVING", "ILIKE",  "IN",      "INDEX",   "INNER", "INSERT",    "INTERSECT", "INTO",
    "IS",     "JOIN",   "LATERAL", "LEFT",    "LIKE",  "LIMIT",     "NOT",       "NULL",
    "OFFSET", "ON",     "OR",      "ORDER",   "OUTER", "RETURNING", "RIGHT",     "ROLLBACK",
    "SCHEMA", "SELECT", "SET",     "TABLE",   "THEN",  "TRUE",      "TRUNCATE",  "UNION",
    "UPDATE", "USING",  "VALUES",  "VIEW",    "WHEN",  "WHERE",     "WITH",
};

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct schema_entry *)a)->key, ((const struct schema_entry *)b)->key);
}

struct builder {
	struct schema_entry *v;
	size_t n, cap;
	struct schema_named *named;
	size_t nnamed;
	char *arena;
	size_t used, size;
	bool counting;
};

static const char *add(struct builder *b, const char *text, const char *kind, const char *detail,
                       int rank)
{
	size_t len = strlen(text) + 1;
	if (b->counting) {
		b->n++;
		b->size += len;
		return NULL;
	}
	char *key = b->arena + b->used;
	for (size_t i = 0; i < len; i++)
		key[i] = (char)tolower((unsigned char)text[i]);
	b->used += len;
	b->v[b->n++] = (struct schema_entry){
	    .key = key, .text = text, .kind = kind, .detail = detail, .rank = rank};
	return key;
}

/* A relation by its lower-case name (key from add) and by schema.name. */
static void add_relation_names(struct builder *b, const char *key, const char *nsp, json_t *rel)
{
	size_t len = strlen(nsp) + 1 + strlen(key) + 1;
	if (b->counting) {
		b->nnamed += 2;
		b->size += len;
		return;
	}
	char *q = b->arena + b->used;
	snprintf(q, len, "%s.%s", nsp, key);
	for (char *p = q; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	b->used += len;
	b->named[b->nnamed] = (struct schema_named){key, rel, b->nnamed};
	b->nnamed++;
	b->named[b->nnamed] = (struct schema_named){q, rel, b->nnamed};
	b->nnamed++;
}

static int named_cmp(const void *a, const void *b)
{
	const struct schema_named *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

json_t *schema_relation_named(const struct schema_cache *c, const char *lower)
{
	size_t lo = 0, hi = c->nnamed;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(c->named[mid].key, lower) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nnamed && strcmp(c->named[lo].key, lower) == 0 ? c->named[lo].rel : NULL;
}

static void walk(struct schema_cache *c, struct builder *b)
{
	const char *name;
	json_t *node;
	json_object_foreach(json_object_get(c->tree, "schemas"), name, node)
	{
		int sys = json_is_true(json_object_get(node, "system")) ? RANK_SYSTEM : 0;
		const char *nsp = json_string_value(json_object_get(node, "name"));
		add(b, nsp, "schema", NULL, sys ? sys : RANK_SCHEMA);
		size_t i;
		json_t *o;
		json_array_foreach(json_object_get(node, "relations"), i, o)
		{
			const char *rel = schema_field(o, "name");
			const char *key =
			    add(b, rel, schema_field(o, "kind"), nsp, sys ? sys : RANK_RELATION);
			add_relation_names(b, key ? key : rel, nsp, o);
		}
		const char *last = NULL;
		json_array_foreach(json_object_get(node, "functions"), i, o)
		{
			const char *fn = schema_field(o, "name");
			if (last && strcmp(last, fn) == 0)
				continue; /* overloads: one candidate */
			last = fn;
			add(b, fn, schema_field(o, "kind"), nsp, sys ? sys : RANK_FUNCTION);
		}
		json_array_foreach(json_object_get(node, "sequences"), i, o)
		    add(b, json_string_value(json_object_get(o, "name")), "sequence", nsp,
		        sys ? sys : RANK_RELATION + 1);
		json_array_foreach(json_object_get(node, "types"), i, o)
		    add(b, json_string_value(json_object_get(o, "name")), "type", nsp,
		        sys ? sys : RANK_FUNCTION);
	}
	for (size_t k = 0; k < sizeof(keywords) / sizeof(*keywords); k++)
		add(b, keywords[k], "keyword", NULL, RANK_KEYWORD);
}

int schema_index_build(struct schema_cache *c)
{
	free(c->entries);
	free(c->named);
	free(c->arena);
	c->entries = NULL;
	c->named = NULL;
	c->arena = NULL;
	c->nentries = c->nnamed = 0;
	struct builder b = {.counting = true};
	walk(c, &b);
	size_t n = b.n, size = b.size, nnamed = b.nnamed;
	b = (struct builder){.v = calloc(n ? n : 1, sizeof(*b.v)),
	                     .named = calloc(nnamed ? nnamed : 1, sizeof(*b.named)),
	                     .arena = malloc(size ? size : 1)};
	if (!b.v || !b.named || !b.arena) {
		free(b.v);
		free(b.named);
		free(b.arena);
		return -1;
	}
	walk(c, &b);
	qsort(b.v, b.n, sizeof(*b.v), entry_cmp);
	qsort(b.named, b.nnamed, sizeof(*b.named), named_cmp);
	c->entries = b.v;
	c->nentries = b.n;
	c->named = b.named;
	c->nnamed = b.nnamed;
	c->arena = b.arena;
	return 0;
}

/* ---- the context ------------------------------------------------------------ */

/* Relations the context names, and aliases: {lower name or alias: Relation}. */
static json_t *context_relations(struct schema_cache *c, const char *context)
{
	json_t *found = json_object();
	if (!context)
		return found;
	json_t *last = NULL; /* the relation the previous word named */
	bool after_as = false;
	const char *p = context;
	while (*p) {
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '"')) {
			p++;
			continue;
		}
		char word[512];
		size_t n = 0;
		while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '"' ||
		              (unsigned char)*p >= 0x80)) {
			if (*p != '"' && n + 1 < sizeof(word))
				word[n++] = (char)tolower((unsigned char)*p);
			p++;
		}
		word[n] = '\0';
		json_t *rel = schema_relation_named(c, word);
		if (strcmp(word, "as") == 0) {
			after_as = true;
			continue;
		}
		if (rel) {
			json_object_set(found, word, rel);
			const char *dot = strrchr(word, '.');
			if (dot)
				json_object_set(found, dot + 1, rel);
			last = rel;
		} else if (last && !strchr(word, '.')) {
			/* "from orders o", "join orders as o": o is an alias
			 * unless it is a keyword. */
			bool kw = false;
			for (size_t k = 0; k < sizeof(keywords) / sizeof(*keywords) && !kw; k++)
				kw = strcasecmp(keywords[k], word) == 0;
			if (!kw)
				json_object_set(found, word, last);
			last = NULL;
		} else {
			last = NULL;
		}
		(void)after_as;
		after_as = false;
	}
	return found;
}

/* ---- the position ------------------------------------------------------------ */

/* What fits where the cursor is, from the scanner's tokens before it. */
enum position {
	POS_ANY,       /* an expression: columns, functions, keywords, … */
	POS_RELATION,  /* after FROM, JOIN, UPDATE, INTO, TABLE: relations, schemas */
	POS_STATEMENT, /* the start of a statement, or after CREATE/ALTER/DROP */
	POS_NONE,      /* inside a quote or comment: nothing */
};

static bool word_is(const char *sql, const TuskSqlToken *t, const char *word)
{
	size_t n = t->end - t->start;
	return t->keyword && strlen(word) == n && strncasecmp(sql + t->start, word, n) == 0;
}

static enum position position_at(const char *before)
{
	TuskSqlToken *t = NULL;
	int n = tusk_sql_scan(before, &t);
	if (n < 0) {
		free(t);
		return POS_NONE;
	}
	int first = 0;
	for (int i = 0; i < n; i++)
		if (t[i].token == ';')
			first = i + 1;
	enum position pos = POS_ANY;
	if (first == n) {
		pos = POS_STATEMENT;
	} else {
		const TuskSqlToken *last = &t[n - 1];
		static const char *const rel_words[] = {"FROM",  "JOIN", "UPDATE",   "INTO",
		                                        "TABLE", "ONLY", "TRUNCATE", "DESCRIBE"};
		static const char *const stmt_words[] = {"CREATE", "ALTER", "DROP", "EXPLAIN",
		                                         "ANALYZE"};
		for (size_t k = 0; k < sizeof(rel_words) / sizeof(*rel_words); k++)
			if (word_is(before, last, rel_words[k]))
				pos = POS_RELATION;
		for (size_t k = 0; k < sizeof(stmt_words) / sizeof(*stmt_words); k++)
			if (word_is(before, last, stmt_words[k]))
				pos = POS_STATEMENT;
		if (last->token == ',') {
			/* A comma in a FROM list: the clause keyword before it at
			 * the same parenthesis depth decides. */
			int depth = 0;
			for (int i = n - 2; i >= first; i--) {
				if (t[i].token == ')')
					depth++;
				else if (t[i].token == '(' && depth-- == 0)
					break;
				if (depth != 0 || !t[i].keyword)
					continue;
				if (word_is(before, &t[i], "FROM"))
					pos = POS_RELATION;
				if (word_is(before, &t[i], "FROM") ||
				    word_is(before, &t[i], "SELECT") ||
				    word_is(before, &t[i], "WHERE") ||
				    word_is(before, &t[i], "BY") || word_is(before, &t[i], "SET") ||
				    word_is(before, &t[i], "VALUES"))
					break;
			}
		}
	}
	free(t);
	return pos;
}

static bool is_relation_kind(const char *kind)
{
	static const char *const kinds[] = {
	    "table", "partitioned_table", "view", "materialized_view", "foreign_table", "schema"};
	for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(*kinds); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

/* Does an entry fit the position? */
static bool fits(enum position pos, const char *kind, int rank)
{
	switch (pos) {
	case POS_RELATION:
		/* Relations, schemas, and the database's own set-returning
		 * candidates; never keywords or pg_catalog's internals. */
		return is_relation_kind(kind) ||
		       (rank == RANK_FUNCTION && kind && strcmp(kind, "function") == 0);
	case POS_STATEMENT:
		return kind && strcmp(kind, "keyword") == 0;
	case POS_NONE:
		return false;
	case POS_ANY:
	default:
		return true;
	}
}

/* ---- candidates ----------------------------------------------------------------- */

struct cand {
	const char *text, *kind, *detail;
	int rank;
	size_t len;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return strcmp(x->text, y->text);
}

struct cands {
	struct cand *v;
	size_t n, cap;
};

static void push(struct cands *cs, const char *text, const char *kind, const char *detail, int rank)
{
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 64;
		struct cand *v = realloc(cs->v, cap * sizeof(*v));
		if (!v)
			return;
		cs->v = v;
		cs->cap = cap;
	}
	cs->v[cs->n++] = (struct cand){text, kind, detail, rank, strlen(text)};
}

static bool starts_with(const char *s, const char *lower_prefix)
{
	for (; *lower_prefix; s++, lower_prefix++)
		if (tolower((unsigned char)*s) != *lower_prefix)
			return false;
	return true;
}

/* keep holds the relations parsed back from the cache's compact form until
 * the candidates are written. */
static void push_columns(struct cands *cs, json_t *frozen, const char *lp, json_t *keep)
{
	json_t *rel = schema_object_full(frozen);
	if (!rel || json_array_append_new(keep, rel) < 0)
		return;
	size_t i;
	json_t *col;
	json_array_foreach(json_object_get(rel, "columns"), i, col)
	{
		const char *name = json_string_value(json_object_get(col, "name"));
		if (starts_with(name, lp))
			push(cs, name, "column", json_string_value(json_object_get(rel, "name")),
			     RANK_COLUMN);
	}
}

json_t *schema_complete_json(struct schema_cache *c, const char *prefix, const char *context,
                             long long cursor, size_t limit)
{
	enum position pos = POS_ANY;
	if (context) {
		size_t clen = strlen(context);
		size_t at = cursor >= 0 && (size_t)cursor < clen ? (size_t)cursor : clen;
		char *before = strndup(context, at);
		pos = before ? position_at(before) : POS_ANY;
		free(before);
	}
	char lp[512];
	size_t n = 0;
	for (; prefix[n] && n + 1 < sizeof(lp); n++)
		lp[n] = (char)tolower((unsigned char)prefix[n]);
	lp[n] = '\0';
	json_t *ctx = context_relations(c, context);
	json_t *keep = json_array();
	struct cands cs = {0};
	char *dot = strrchr(lp, '.');
	if (dot) {
		/* qualifier.prefix: columns of a relation or alias, or the
		 * objects of a schema. */
		*dot = '\0';
		const char *rest = dot + 1;
		json_t *rel = json_object_get(ctx, lp);
		if (!rel)
			rel = schema_relation_named(c, lp);
		if (rel && pos == POS_ANY)
			push_columns(&cs, rel, rest, keep);
		size_t lo = 0, hi = c->nentries;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (strcmp(c->entries[mid].key, rest) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < c->nentries && starts_with(c->entries[i].key, rest); i++) {
			const struct schema_entry *e = &c->entries[i];
			if (e->detail && strcasecmp(e->detail, lp) == 0 &&
			    fits(pos, e->kind, e->rank))
				push(&cs, e->text, e->kind, e->detail, e->rank);
		}
	} else {
		const char *k;
		json_t *rel;
		json_t *seen = json_object();
		json_object_foreach(ctx, k, rel)
		{
			if (pos != POS_ANY)
				break;
			char ptr[32];
			snprintf(ptr, sizeof(ptr), "%p", (void *)rel);
			if (json_object_get(seen, ptr))
				continue;
			json_object_set_new(seen, ptr, json_true());
			push_columns(&cs, rel, lp, keep);
		}
		json_decref(seen);
		size_t lo = 0, hi = c->nentries;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (strcmp(c->entries[mid].key, lp) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < c->nentries && starts_with(c->entries[i].key, lp); i++) {
			const struct schema_entry *e = &c->entries[i];
			if (fits(pos, e->kind, e->rank))
				push(&cs, e->text, e->kind, e->detail, e->rank);
		}
	}
	json_decref(ctx);
	if (cs.n)
		qsort(cs.v, cs.n, sizeof(*cs.v), cand_cmp);
	json_t *out = json_array();
	for (size_t i = 0; i < cs.n && i < limit; i++)
		json_array_append_new(out,
		                      json_pack("{s:s, s:s, s:s?}", "text", cs.v[i].text, "kind",
		                                cs.v[i].kind, "detail", cs.v[i].detail));
	free(cs.v);
	json_decref(keep);
	return out;
}
