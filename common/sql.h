/* SQL analysis with libpg_query (PostgreSQL's own scanner and parser): no
 * home-made lexer. Split a script into statements as the server would,
 * classify each, and name what a DDL statement touches.
 *
 * Thread-safe: libpg_query keeps its state per thread and frees a thread's
 * memory when the thread exits (the main thread's stays reachable until
 * the process ends). Cost grows with the script (a parse tree is built):
 * run multi-megabyte scripts on a worker. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/model-query.h"

/* An object a DDL statement names, for a schema cache to reload: kind is
 * "table", "view", "materialized view", "foreign table", "index",
 * "sequence", "function", "procedure", "type", "domain", "schema",
 * "extension", "role", … (static text). schema is NULL when the name was
 * not qualified (resolve it with the backend's search_path). Members of a
 * table (columns, constraints, triggers, policies, rules) are reported as
 * their table; an index being created also names its table; a rename or
 * SET SCHEMA names the object under its old and its new name. */
typedef struct TuskSqlObject {
	const char *kind;
	char *schema;
	char *name;
} TuskSqlObject;

typedef struct TuskSqlStatement {
	size_t offset;      /* byte offset of the statement in the script */
	size_t length;      /* bytes, without the terminating semicolon */
	size_t char_offset; /* the same in characters (UTF-8), as the server */
	size_t char_length; /* counts error positions */
	TuskQueryType type; /* SELECT INTO and CREATE TABLE AS: create */
	bool is_ddl;        /* CREATE/ALTER/DROP/COMMENT/GRANT/REVOKE/TRUNCATE/… */
	bool is_txn;        /* BEGIN/COMMIT/ROLLBACK/SAVEPOINT/… */
	bool returns_rows;  /* SELECT, VALUES, TABLE, SHOW, EXPLAIN, FETCH,
	                     * … RETURNING; CALL and EXECUTE (may) */
	/* The command tag as the server's CreateCommandTag() names the
	 * statement ("CREATE TABLE", "ALTER INDEX", "DROP VIEW", "BEGIN"): the
	 * tag event triggers see. The tag a client receives differs for
	 * SELECT INTO, CREATE TABLE AS and CREATE MATERIALIZED VIEW ("SELECT n")
	 * and for EXECUTE (the prepared statement's tag). NULL when the
	 * statement does not parse. */
	char *tag;
	/* DDL only: what it creates, alters or drops, as far as the parse
	 * tree names it (GRANT/REVOKE on tables and functions, COMMENT,
	 * TRUNCATE included; DO, CALL and functions cannot be seen into). */
	TuskSqlObject *objects;
	size_t nobjects;
} TuskSqlStatement;

typedef struct TuskSqlScript {
	TuskSqlStatement *stmts;
	size_t n;
	/* The script does not parse: it was split with the scanner and the
	 * statements that parse alone are classified (the others: type other,
	 * tag NULL). The server would run none of it in one simple query. */
	bool parse_error;
} TuskSqlScript;

enum {
	/* The server's standard_conforming_strings is off: a backslash
	 * escapes in '…' literals (PQparameterStatus tells). */
	TUSK_SQL_BACKSLASH_ESCAPES = 1 << 0,
};

/* Split and classify. Statements are trimmed of surrounding white space
 * (comments before a statement stay part of it); empty statements (";;")
 * are dropped. Comments-only or empty input gives n == 0. A script the
 * parser rejects is still split with the scanner (as the server's
 * simple-query protocol would scan it) and classified as far as possible;
 * only out of memory fails (-1, e set). Text after a NUL byte is ignored. */
int tusk_sql_analyse(const char *sql, size_t len, TuskSqlScript *ret, TuskError *e);
int tusk_sql_analyse_flags(const char *sql, size_t len, unsigned flags, TuskSqlScript *ret,
                           TuskError *e);
void tusk_sql_script_clear(TuskSqlScript *s);
/* Which statement (0-based) a 1-based server error position falls in
 * (PostgreSQL counts characters, not bytes); the last one when position is
 * 0 or past the end, the first one for a position before it; 0 when n is 0. */
size_t tusk_sql_statement_at(const TuskSqlScript *s, unsigned position);
/* DDL by command tag, the statement's (TuskSqlStatement.tag) or the one the
 * server completes it with (PQcmdStatus: "ALTER TABLE", "DROP VIEW"); a
 * CREATE TABLE AS completes as "SELECT n" and is not seen as DDL then. */
bool tusk_sql_tag_is_ddl(const char *tag);
/* libpg_query's fingerprint (16 hex digits) for grouping "the same query
 * with other constants", or NULL when the text does not parse. */
char *tusk_sql_fingerprint(const char *sql);
/* A client-side syntax check: 0, or -1 with e = TUSK_ERR_QUERY_FAILED,
 * message and 1-based character position as the server would give, severity
 * ERROR and SQLSTATE 42601 (libpg_query keeps no SQLSTATE: the few grammar
 * errors of another class, such as 0A000, are reported as 42601 too). */
int tusk_sql_check_syntax(const char *sql, TuskError *e);
int tusk_sql_check_syntax_flags(const char *sql, unsigned flags, TuskError *e);

/* The SQL to keep in history: as typed, unless it mentions a password (or
 * passwd, secret): then libpg_query's normalised form, with every literal
 * replaced by a placeholder. Newly allocated. */
char *tusk_sql_redact(const char *sql);
