/* SQL analysis on libpg_query: PostgreSQL 15's own scanner and parser.
 *
 * A script is parsed once; each raw statement's node type gives its kind,
 * and its command tag is derived the way the server's CreateCommandTag()
 * does (utility.c). When the parser rejects the script the scanner still
 * finds the boundaries, so the failing statement can be named.
 *
 * Threads: libpg_query keeps its memory contexts and parser globals in
 * thread-local storage, so these functions may run on any thread at once.
 * A thread's top memory context stays allocated until the thread exits,
 * when libpg_query's thread-exit hook frees it. pg_query_exit() is never
 * called: it frees the context without clearing that hook, so a thread
 * calling it and then exiting frees the context twice (libpg_query 15-4.0). */
#include "common/sql.h"

#include <errno.h>
#include <jansson.h>
#include <pg_query.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/sql-objects.h"

#ifdef TUSK_PGQ_HAS_SCS
/* The scanner's GUCs, thread-local inside libpg_query: the server's
 * standard_conforming_strings decides whether '\'' ends a literal. */
extern _Thread_local bool standard_conforming_strings;
extern _Thread_local bool escape_string_warning;
#endif

struct flags_scope {
	bool scs, warn;
};

static struct flags_scope flags_enter(unsigned flags)
{
	struct flags_scope s = {true, true};
#ifdef TUSK_PGQ_HAS_SCS
	s.scs = standard_conforming_strings;
	s.warn = escape_string_warning;
	standard_conforming_strings = !(flags & TUSK_SQL_BACKSLASH_ESCAPES);
	/* The warning would go to the daemon's stderr, not to a result. */
	escape_string_warning = false;
#endif
	return s;
}

static void flags_leave(struct flags_scope s)
{
#ifdef TUSK_PGQ_HAS_SCS
	standard_conforming_strings = s.scs;
	escape_string_warning = s.warn;
#endif
}

/* ---- command tags ---------------------------------------------------- */

static const char *str(const json_t *node, const char *key)
{
	return json_string_value(json_object_get(node, key));
}

static bool flag(const json_t *node, const char *key)
{
	return json_is_true(json_object_get(node, key));
}

struct objtype_word {
	const char *objtype;
	const char *word;
};

/* ObjectType → the object's words in a command tag (ALTER/DROP …). */
static const struct objtype_word objtype_words[] = {
    {"OBJECT_ACCESS_METHOD", "ACCESS METHOD"},
    {"OBJECT_AGGREGATE", "AGGREGATE"},
    {"OBJECT_ATTRIBUTE", "TYPE"},
    {"OBJECT_CAST", "CAST"},
    {"OBJECT_COLUMN", "TABLE"},
    {"OBJECT_COLLATION", "COLLATION"},
    {"OBJECT_CONVERSION", "CONVERSION"},
    {"OBJECT_DATABASE", "DATABASE"},
    {"OBJECT_DOMAIN", "DOMAIN"},
    {"OBJECT_DOMCONSTRAINT", "DOMAIN"},
    {"OBJECT_EVENT_TRIGGER", "EVENT TRIGGER"},
    {"OBJECT_EXTENSION", "EXTENSION"},
    {"OBJECT_FDW", "FOREIGN DATA WRAPPER"},
    {"OBJECT_FOREIGN_SERVER", "SERVER"},
    {"OBJECT_FOREIGN_TABLE", "FOREIGN TABLE"},
    {"OBJECT_FUNCTION", "FUNCTION"},
    {"OBJECT_INDEX", "INDEX"},
    {"OBJECT_LANGUAGE", "LANGUAGE"},
    {"OBJECT_LARGEOBJECT", "LARGE OBJECT"},
    {"OBJECT_MATVIEW", "MATERIALIZED VIEW"},
    {"OBJECT_OPCLASS", "OPERATOR CLASS"},
    {"OBJECT_OPERATOR", "OPERATOR"},
    {"OBJECT_OPFAMILY", "OPERATOR FAMILY"},
    {"OBJECT_POLICY", "POLICY"},
    {"OBJECT_PROCEDURE", "PROCEDURE"},
    {"OBJECT_PUBLICATION", "PUBLICATION"},
    {"OBJECT_ROLE", "ROLE"},
    {"OBJECT_ROUTINE", "ROUTINE"},
    {"OBJECT_RULE", "RULE"},
    {"OBJECT_SCHEMA", "SCHEMA"},
    {"OBJECT_SEQUENCE", "SEQUENCE"},
    {"OBJECT_SUBSCRIPTION", "SUBSCRIPTION"},
    {"OBJECT_STATISTIC_EXT", "STATISTICS"},
    {"OBJECT_TABCONSTRAINT", "TABLE"},
    {"OBJECT_TABLE", "TABLE"},
    {"OBJECT_TABLESPACE", "TABLESPACE"},
    {"OBJECT_TRANSFORM", "TRANSFORM"},
    {"OBJECT_TRIGGER", "TRIGGER"},
    {"OBJECT_TSCONFIGURATION", "TEXT SEARCH CONFIGURATION"},
    {"OBJECT_TSDICTIONARY", "TEXT SEARCH DICTIONARY"},
    {"OBJECT_TSPARSER", "TEXT SEARCH PARSER"},
    {"OBJECT_TSTEMPLATE", "TEXT SEARCH TEMPLATE"},
    {"OBJECT_TYPE", "TYPE"},
    {"OBJECT_USER_MAPPING", "USER MAPPING"},
    {"OBJECT_VIEW", "VIEW"},
};

static char *verb_object(const char *verb, const char *objtype)
{
	const char *word = NULL;
	for (size_t i = 0; objtype && i < sizeof(objtype_words) / sizeof(objtype_words[0]); i++)
		if (strcmp(objtype, objtype_words[i].objtype) == 0)
			word = objtype_words[i].word;
	char *tag = NULL;
	if (asprintf(&tag, "%s %s", verb, word ? word : "???") < 0)
		return NULL;
	return tag;
}

/* Statements whose tag never depends on their fields. */
static const struct {
	const char *node;
	const char *tag;
} fixed_tags[] = {
    {"InsertStmt", "INSERT"},
    {"DeleteStmt", "DELETE"},
    {"UpdateStmt", "UPDATE"},
    {"MergeStmt", "MERGE"},
    {"PLAssignStmt", "SELECT"},
    {"DeclareCursorStmt", "DECLARE CURSOR"},
    {"CreateDomainStmt", "CREATE DOMAIN"},
    {"CreateSchemaStmt", "CREATE SCHEMA"},
    {"CreateStmt", "CREATE TABLE"},
    {"CreateTableSpaceStmt", "CREATE TABLESPACE"},
    {"DropTableSpaceStmt", "DROP TABLESPACE"},
    {"AlterTableSpaceOptionsStmt", "ALTER TABLESPACE"},
    {"CreateExtensionStmt", "CREATE EXTENSION"},
    {"AlterExtensionStmt", "ALTER EXTENSION"},
    {"AlterExtensionContentsStmt", "ALTER EXTENSION"},
    {"CreateFdwStmt", "CREATE FOREIGN DATA WRAPPER"},
    {"AlterFdwStmt", "ALTER FOREIGN DATA WRAPPER"},
    {"CreateForeignServerStmt", "CREATE SERVER"},
    {"AlterForeignServerStmt", "ALTER SERVER"},
    {"CreateUserMappingStmt", "CREATE USER MAPPING"},
    {"AlterUserMappingStmt", "ALTER USER MAPPING"},
    {"DropUserMappingStmt", "DROP USER MAPPING"},
    {"CreateForeignTableStmt", "CREATE FOREIGN TABLE"},
    {"ImportForeignSchemaStmt", "IMPORT FOREIGN SCHEMA"},
    {"TruncateStmt", "TRUNCATE TABLE"},
    {"CommentStmt", "COMMENT"},
    {"SecLabelStmt", "SECURITY LABEL"},
    {"CopyStmt", "COPY"},
    {"AlterDomainStmt", "ALTER DOMAIN"},
    {"AlterDefaultPrivilegesStmt", "ALTER DEFAULT PRIVILEGES"},
    {"CompositeTypeStmt", "CREATE TYPE"},
    {"CreateEnumStmt", "CREATE TYPE"},
    {"CreateRangeStmt", "CREATE TYPE"},
    {"AlterEnumStmt", "ALTER TYPE"},
    {"ViewStmt", "CREATE VIEW"},
    {"IndexStmt", "CREATE INDEX"},
    {"RuleStmt", "CREATE RULE"},
    {"CreateSeqStmt", "CREATE SEQUENCE"},
    {"AlterSeqStmt", "ALTER SEQUENCE"},
    {"DoStmt", "DO"},
    {"CreatedbStmt", "CREATE DATABASE"},
    {"AlterDatabaseStmt", "ALTER DATABASE"},
    {"AlterDatabaseRefreshCollStmt", "ALTER DATABASE"},
    {"AlterDatabaseSetStmt", "ALTER DATABASE"},
    {"DropdbStmt", "DROP DATABASE"},
    {"NotifyStmt", "NOTIFY"},
    {"ListenStmt", "LISTEN"},
    {"UnlistenStmt", "UNLISTEN"},
    {"LoadStmt", "LOAD"},
    {"CallStmt", "CALL"},
    {"ClusterStmt", "CLUSTER"},
    {"ExplainStmt", "EXPLAIN"},
    {"RefreshMatViewStmt", "REFRESH MATERIALIZED VIEW"},
    {"AlterSystemStmt", "ALTER SYSTEM"},
    {"VariableShowStmt", "SHOW"},
    {"CreateTransformStmt", "CREATE TRANSFORM"},
    {"CreateTrigStmt", "CREATE TRIGGER"},
    {"CreateEventTrigStmt", "CREATE EVENT TRIGGER"},
    {"AlterEventTrigStmt", "ALTER EVENT TRIGGER"},
    {"CreatePLangStmt", "CREATE LANGUAGE"},
    {"CreateRoleStmt", "CREATE ROLE"},
    {"AlterRoleStmt", "ALTER ROLE"},
    {"AlterRoleSetStmt", "ALTER ROLE"},
    {"DropRoleStmt", "DROP ROLE"},
    {"DropOwnedStmt", "DROP OWNED"},
    {"ReassignOwnedStmt", "REASSIGN OWNED"},
    {"LockStmt", "LOCK TABLE"},
    {"ConstraintsSetStmt", "SET CONSTRAINTS"},
    {"CheckPointStmt", "CHECKPOINT"},
    {"ReindexStmt", "REINDEX"},
    {"CreateConversionStmt", "CREATE CONVERSION"},
    {"CreateCastStmt", "CREATE CAST"},
    {"CreateOpClassStmt", "CREATE OPERATOR CLASS"},
    {"CreateOpFamilyStmt", "CREATE OPERATOR FAMILY"},
    {"AlterOpFamilyStmt", "ALTER OPERATOR FAMILY"},
    {"AlterOperatorStmt", "ALTER OPERATOR"},
    {"AlterTypeStmt", "ALTER TYPE"},
    {"AlterTSDictionaryStmt", "ALTER TEXT SEARCH DICTIONARY"},
    {"AlterTSConfigurationStmt", "ALTER TEXT SEARCH CONFIGURATION"},
    {"CreatePolicyStmt", "CREATE POLICY"},
    {"AlterPolicyStmt", "ALTER POLICY"},
    {"CreateAmStmt", "CREATE ACCESS METHOD"},
    {"CreatePublicationStmt", "CREATE PUBLICATION"},
    {"AlterPublicationStmt", "ALTER PUBLICATION"},
    {"CreateSubscriptionStmt", "CREATE SUBSCRIPTION"},
    {"AlterSubscriptionStmt", "ALTER SUBSCRIPTION"},
    {"DropSubscriptionStmt", "DROP SUBSCRIPTION"},
    {"AlterCollationStmt", "ALTER COLLATION"},
    {"PrepareStmt", "PREPARE"},
    {"ExecuteStmt", "EXECUTE"},
    {"CreateStatsStmt", "CREATE STATISTICS"},
    {"AlterStatsStmt", "ALTER STATISTICS"},
};

static const char *transaction_tag(const json_t *n)
{
	static const struct {
		const char *kind, *tag;
	} kinds[] = {
	    {"TRANS_STMT_BEGIN", "BEGIN"},
	    {"TRANS_STMT_START", "START TRANSACTION"},
	    {"TRANS_STMT_COMMIT", "COMMIT"},
	    {"TRANS_STMT_ROLLBACK", "ROLLBACK"},
	    {"TRANS_STMT_SAVEPOINT", "SAVEPOINT"},
	    {"TRANS_STMT_RELEASE", "RELEASE"},
	    {"TRANS_STMT_ROLLBACK_TO", "ROLLBACK"},
	    {"TRANS_STMT_PREPARE", "PREPARE TRANSACTION"},
	    {"TRANS_STMT_COMMIT_PREPARED", "COMMIT PREPARED"},
	    {"TRANS_STMT_ROLLBACK_PREPARED", "ROLLBACK PREPARED"},
	};
	const char *kind = str(n, "kind");
	for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i].kind) == 0)
			return kinds[i].tag;
	return "???";
}

static const char *define_tag(const json_t *n)
{
	static const struct objtype_word kinds[] = {
	    {"OBJECT_AGGREGATE", "CREATE AGGREGATE"},
	    {"OBJECT_OPERATOR", "CREATE OPERATOR"},
	    {"OBJECT_TYPE", "CREATE TYPE"},
	    {"OBJECT_TSPARSER", "CREATE TEXT SEARCH PARSER"},
	    {"OBJECT_TSDICTIONARY", "CREATE TEXT SEARCH DICTIONARY"},
	    {"OBJECT_TSTEMPLATE", "CREATE TEXT SEARCH TEMPLATE"},
	    {"OBJECT_TSCONFIGURATION", "CREATE TEXT SEARCH CONFIGURATION"},
	    {"OBJECT_COLLATION", "CREATE COLLATION"},
	    {"OBJECT_ACCESS_METHOD", "CREATE ACCESS METHOD"},
	};
	const char *kind = str(n, "kind");
	for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i].objtype) == 0)
			return kinds[i].word;
	return "???";
}

static const char *discard_tag(const json_t *n)
{
	const char *t = str(n, "target");
	if (!t || strcmp(t, "DISCARD_ALL") == 0)
		return "DISCARD ALL";
	if (strcmp(t, "DISCARD_PLANS") == 0)
		return "DISCARD PLANS";
	if (strcmp(t, "DISCARD_TEMP") == 0)
		return "DISCARD TEMP";
	return "DISCARD SEQUENCES";
}

static const char *set_tag(const json_t *n)
{
	const char *k = str(n, "kind");
	return k && strncmp(k, "VAR_RESET", 9) == 0 ? "RESET" : "SET";
}

/* The tag, following CreateCommandTag() for raw parse trees. */
static char *command_tag(const char *node, const json_t *n)
{
	for (size_t i = 0; i < sizeof(fixed_tags) / sizeof(fixed_tags[0]); i++)
		if (strcmp(node, fixed_tags[i].node) == 0)
			return strdup(fixed_tags[i].tag);

	const char *t = NULL;
	if (strcmp(node, "SelectStmt") == 0)
		t = json_object_get(n, "intoClause") ? "SELECT INTO" : "SELECT";
	else if (strcmp(node, "TransactionStmt") == 0)
		t = transaction_tag(n);
	else if (strcmp(node, "ClosePortalStmt") == 0)
		t = str(n, "portalname") ? "CLOSE CURSOR" : "CLOSE CURSOR ALL";
	else if (strcmp(node, "FetchStmt") == 0)
		t = flag(n, "ismove") ? "MOVE" : "FETCH";
	else if (strcmp(node, "DropStmt") == 0)
		return verb_object("DROP", str(n, "removeType"));
	else if (strcmp(node, "RenameStmt") == 0) {
		/* A renamed column is tagged after its relation's kind. */
		const char *what = str(n, "renameType");
		if (what && strcmp(what, "OBJECT_COLUMN") == 0 && str(n, "relationType"))
			what = str(n, "relationType");
		return verb_object("ALTER", what);
	} else if (strcmp(node, "AlterObjectDependsStmt") == 0 ||
	           strcmp(node, "AlterObjectSchemaStmt") == 0 ||
	           strcmp(node, "AlterOwnerStmt") == 0)
		return verb_object("ALTER", str(n, "objectType"));
	else if (strcmp(node, "AlterTableStmt") == 0 || strcmp(node, "AlterTableMoveAllStmt") == 0)
		return verb_object("ALTER", str(n, "objtype"));
	else if (strcmp(node, "AlterFunctionStmt") == 0)
		return verb_object("ALTER", str(n, "objtype"));
	else if (strcmp(node, "GrantStmt") == 0)
		t = flag(n, "is_grant") ? "GRANT" : "REVOKE";
	else if (strcmp(node, "GrantRoleStmt") == 0)
		t = flag(n, "is_grant") ? "GRANT ROLE" : "REVOKE ROLE";
	else if (strcmp(node, "DefineStmt") == 0)
		t = define_tag(n);
	else if (strcmp(node, "CreateFunctionStmt") == 0)
		t = flag(n, "is_procedure") ? "CREATE PROCEDURE" : "CREATE FUNCTION";
	else if (strcmp(node, "VacuumStmt") == 0)
		t = flag(n, "is_vacuumcmd") ? "VACUUM" : "ANALYZE";
	else if (strcmp(node, "CreateTableAsStmt") == 0) {
		const char *o = str(n, "objtype");
		if (o && strcmp(o, "OBJECT_MATVIEW") == 0)
			t = "CREATE MATERIALIZED VIEW";
		else
			t = flag(n, "is_select_into") ? "SELECT INTO" : "CREATE TABLE AS";
	} else if (strcmp(node, "VariableSetStmt") == 0)
		t = set_tag(n);
	else if (strcmp(node, "DiscardStmt") == 0)
		t = discard_tag(n);
	else if (strcmp(node, "DeallocateStmt") == 0)
		t = str(n, "name") ? "DEALLOCATE" : "DEALLOCATE ALL";
	else
		t = "???";
	return strdup(t);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* DDL: what changes the catalog objects a schema browser shows. ALTER
 * SYSTEM changes a file, not the catalog; DO and CALL may change anything
 * but cannot be seen into. */
bool tusk_sql_tag_is_ddl(const char *tag)
{
	if (!tag)
		return false;
	static const char *const prefixes[] = {
	    "CREATE ",  "ALTER ",         "DROP ",   "COMMENT",        "GRANT",       "REVOKE",
	    "TRUNCATE", "SECURITY LABEL", "IMPORT ", "REASSIGN OWNED", "SELECT INTO",
	};
	if (strcmp(tag, "ALTER SYSTEM") == 0)
		return false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (has_prefix(tag, prefixes[i]))
			return true;
	return false;
}

static bool has_returning(const json_t *n)
{
	return json_array_size(json_object_get(n, "returningList")) > 0;
}

static bool node_returns_rows(const char *node, const json_t *n)
{
	if (strcmp(node, "SelectStmt") == 0)
		return !json_object_get(n, "intoClause");
	if (strcmp(node, "FetchStmt") == 0)
		return !flag(n, "ismove");
	if (strcmp(node, "InsertStmt") == 0 || strcmp(node, "UpdateStmt") == 0 ||
	    strcmp(node, "DeleteStmt") == 0)
		return has_returning(n);
	/* CALL returns a row when the procedure has output arguments and
	 * EXECUTE when its statement does: not knowable here, so "may". */
	return strcmp(node, "ExplainStmt") == 0 || strcmp(node, "VariableShowStmt") == 0 ||
	       strcmp(node, "CallStmt") == 0 || strcmp(node, "ExecuteStmt") == 0;
}

/* stmt: {"NodeName": {...}} */
static int classify(TuskSqlStatement *st, const json_t *stmt)
{
	void *it = json_object_iter((json_t *)stmt);
	if (!it)
		return 0;
	const char *node = json_object_iter_key(it);
	const json_t *n = json_object_iter_value(it);
	st->tag = command_tag(node, n);
	if (!st->tag)
		return -ENOMEM;
	st->is_txn = strcmp(node, "TransactionStmt") == 0;
	st->is_ddl = tusk_sql_tag_is_ddl(st->tag);
	st->returns_rows = node_returns_rows(node, n);
	if (strcmp(st->tag, "SELECT INTO") == 0 || strcmp(st->tag, "CREATE TABLE AS") == 0)
		st->type = TUSK_QUERY_CREATE;
	else
		st->type = tusk_query_type_from_command_tag(st->tag);
	if (st->is_ddl)
		return tusk_sql_objects_collect(st, node, n);
	return 0;
}

/* ---- splitting ------------------------------------------------------- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/* Byte offset of the 1-based character position pos (clamped to len). */
static size_t utf8_byte_at(const char *s, size_t len, size_t pos)
{
	size_t chars = 0;
	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars == pos)
			return i;
	}
	return len;
}

struct builder {
	const char *sql;
	size_t len;
	unsigned flags;
	TuskSqlScript *s;
	size_t cap;
};

/* Append [start, end) without its surrounding white space; *ret is NULL
 * when nothing but white space was left. */
static int push(struct builder *b, size_t start, size_t end, TuskSqlStatement **ret)
{
	*ret = NULL;
	while (start < end && is_space(b->sql[start]))
		start++;
	while (end > start && is_space(b->sql[end - 1]))
		end--;
	if (start == end)
		return 0;
	if (b->s->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		TuskSqlStatement *p = realloc(b->s->stmts, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		b->s->stmts = p;
		b->cap = cap;
	}
	TuskSqlStatement *st = &b->s->stmts[b->s->n++];
	*st = (TuskSqlStatement){.offset = start, .length = end - start, .type = TUSK_QUERY_OTHER};
	*ret = st;
	return 0;
}

/* A piece the whole-script parse could not classify: parse it alone. A
 * piece that parses to nothing was only comments and is dropped; one that
 * does not parse stays, unclassified. */
static int add_piece(struct builder *b, size_t start, size_t end)
{
	TuskSqlStatement *st;
	if (push(b, start, end, &st) < 0)
		return -ENOMEM;
	if (!st)
		return 0;
	_cleanup_free_ char *text = strndup(b->sql + st->offset, st->length);
	if (!text)
		return -ENOMEM;
	struct flags_scope fs = flags_enter(b->flags);
	PgQueryParseResult r = pg_query_parse(text);
	flags_leave(fs);
	int ret = 0;
	if (!r.error) {
		json_t *doc = json_loads(r.parse_tree, 0, NULL);
		json_t *stmts = json_object_get(doc, "stmts");
		if (doc && json_array_size(stmts) == 0)
			b->s->n--; /* comments only */
		else if (doc)
			ret = classify(st, json_object_get(json_array_get(stmts, 0), "stmt"));
		json_decref(doc);
	}
	pg_query_free_parse_result(r);
	return ret;
}

/* The parser rejected the script, so the scanner finds the boundaries.
 * libpg_query's scanner splitter keeps only pieces holding a keyword
 * before their semicolon; the pieces it skips (always syntax errors) are
 * put back so that every byte the server scans belongs to a statement. A
 * lexical error (unterminated quote or comment) ends the scan: what comes
 * before it is split, and the piece holding it runs to the end. */
static int split_scanner(struct builder *b)
{
	size_t end = b->len;
	bool lexical_error = false;
	PgQuerySplitResult r;
	_cleanup_free_ char *text = NULL;
	for (;;) {
		text = strndup(b->sql, end);
		if (!text)
			return -ENOMEM;
		struct flags_scope fs = flags_enter(b->flags);
		r = pg_query_split_with_scanner(text);
		flags_leave(fs);
		if (!r.error)
			break;
		size_t at = utf8_byte_at(text, end, (size_t)r.error->cursorpos);
		pg_query_free_split_result(r);
		free(TAKE_PTR(text));
		if (at == 0 || at >= end)
			return add_piece(b, 0, b->len);
		end = at;
		lexical_error = true;
	}
	size_t pos = 0;
	int ret = 0;
	for (int i = 0; i < r.n_stmts && ret == 0; i++) {
		size_t loc = (size_t)r.stmts[i]->stmt_location;
		size_t stop = loc + (size_t)r.stmts[i]->stmt_len;
		bool terminated = stop < end && text[stop] == ';';
		if (loc > pos)
			ret = add_piece(b, pos, text[loc - 1] == ';' ? loc - 1 : loc);
		if (ret < 0)
			break;
		if (lexical_error && !terminated) {
			pos = loc; /* it holds the error: taken below */
			break;
		}
		ret = add_piece(b, loc, stop);
		pos = terminated ? stop + 1 : stop;
	}
	pg_query_free_split_result(r);
	if (ret == 0)
		ret = add_piece(b, pos, lexical_error ? b->len : end);
	return ret;
}

static void fill_char_offsets(TuskSqlScript *s, const char *sql)
{
	size_t at = 0, chars = 0;
	for (size_t i = 0; i < s->n; i++) {
		TuskSqlStatement *st = &s->stmts[i];
		chars += utf8_chars(sql + at, st->offset - at);
		st->char_offset = chars;
		st->char_length = utf8_chars(sql + st->offset, st->length);
		at = st->offset;
	}
}

static int analyse_parsed(struct builder *b, const char *tree)
{
	_cleanup_json_ json_t *doc = json_loads(tree, 0, NULL);
	json_t *stmts = json_object_get(doc, "stmts");
	if (!doc)
		return 1; /* too deep for jansson: classify piece by piece */
	size_t i;
	json_t *item;
	json_array_foreach(stmts, i, item)
	{
		size_t loc = (size_t)json_integer_value(json_object_get(item, "stmt_location"));
		size_t len = (size_t)json_integer_value(json_object_get(item, "stmt_len"));
		if (len == 0 || loc + len > b->len) /* 0: "to the end" */
			len = b->len - loc;
		TuskSqlStatement *st;
		if (push(b, loc, loc + len, &st) < 0 ||
		    (st && classify(st, json_object_get(item, "stmt")) < 0))
			return -ENOMEM;
	}
	return 0;
}

static int split_parser(struct builder *b)
{
	struct flags_scope fs = flags_enter(b->flags);
	PgQuerySplitResult r = pg_query_split_with_parser(b->sql);
	flags_leave(fs);
	int ret = 0;
	for (int i = 0; !r.error && i < r.n_stmts && ret == 0; i++) {
		size_t loc = (size_t)r.stmts[i]->stmt_location;
		size_t len = (size_t)r.stmts[i]->stmt_len;
		ret = add_piece(b, loc, loc + len);
	}
	pg_query_free_split_result(r);
	return ret;
}

int tusk_sql_analyse_flags(const char *sql, size_t len, unsigned flags, TuskSqlScript *ret,
                           TuskError *e)
{
	TuskSqlScript s = {0};
	_cleanup_free_ char *text = strndup(sql ? sql : "", sql ? len : 0);
	if (!text)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	struct builder b = {.sql = text, .len = strlen(text), .flags = flags, .s = &s};

	struct flags_scope fs = flags_enter(flags);
	PgQueryParseResult r = pg_query_parse(text);
	flags_leave(fs);
	int rc;
	if (!r.error) {
		rc = analyse_parsed(&b, r.parse_tree);
		if (rc == 1) {
			tusk_sql_script_clear(&s);
			b.cap = 0;
			rc = split_parser(&b);
		}
	} else {
		s.parse_error = true;
		rc = split_scanner(&b);
	}
	pg_query_free_parse_result(r);
	if (rc < 0) {
		tusk_sql_script_clear(&s);
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	}
	fill_char_offsets(&s, text);
	*ret = s;
	return 0;
}

int tusk_sql_analyse(const char *sql, size_t len, TuskSqlScript *ret, TuskError *e)
{
	return tusk_sql_analyse_flags(sql, len, 0, ret, e);
}

void tusk_sql_script_clear(TuskSqlScript *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->stmts[i].tag);
		tusk_sql_objects_clear(&s->stmts[i]);
	}
	free(s->stmts);
	*s = (TuskSqlScript){0};
}

size_t tusk_sql_statement_at(const TuskSqlScript *s, unsigned position)
{
	if (!s || s->n == 0)
		return 0;
	if (position == 0)
		return s->n - 1;
	size_t at = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->stmts[i].char_offset <= (size_t)position - 1)
			at = i;
	return at;
}

char *tusk_sql_fingerprint(const char *sql)
{
	if (!sql)
		return NULL;
	PgQueryFingerprintResult r = pg_query_fingerprint(sql);
	char *fp = !r.error && r.fingerprint_str ? strdup(r.fingerprint_str) : NULL;
	pg_query_free_fingerprint_result(r);
	return fp;
}

int tusk_sql_check_syntax_flags(const char *sql, unsigned flags, TuskError *e)
{
	struct flags_scope fs = flags_enter(flags);
	PgQueryParseResult r = pg_query_parse(sql ? sql : "");
	flags_leave(fs);
	if (!r.error) {
		pg_query_free_parse_result(r);
		return 0;
	}
	tusk_error_set(e, TUSK_ERR_QUERY_FAILED, "%s", r.error->message);
	if (e) {
		/* libpg_query does not carry the SQLSTATE; the grammar's and
		 * the scanner's errors are syntax errors but for a few. */
		e->code = strdup("42601");
		e->severity = strdup("ERROR");
		e->position = r.error->cursorpos > 0 ? (unsigned)r.error->cursorpos : 0;
	}
	pg_query_free_parse_result(r);
	return -1;
}

int tusk_sql_check_syntax(const char *sql, TuskError *e)
{
	return tusk_sql_check_syntax_flags(sql, 0, e);
}
