/* libpg_query's scanner (PostgreSQL's own lexer) as a token list: where a
 * statement ends for an interactive shell, and what precedes a cursor for
 * completion. No home-made lexer: quotes, $$ bodies, comments and E''
 * strings are the server's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct TuskSqlToken {
	size_t start, end; /* byte offsets */
	int token;         /* libpg_query's Token: ';' is 59, IDENT 258, … */
	bool keyword;      /* any kind of SQL keyword */
} TuskSqlToken;

/* libpg_query's Token numbers for comments (pg_query.proto: SQL_COMMENT
 * "-- …", C_COMMENT "/ * … * /"); test-sql checks them against a scan. */
enum {
	TUSK_SQL_TOKEN_SQL_COMMENT = 275,
	TUSK_SQL_TOKEN_C_COMMENT = 276,
};

static inline bool tusk_sql_token_is_comment(const TuskSqlToken *t)
{
	return t->token == TUSK_SQL_TOKEN_SQL_COMMENT || t->token == TUSK_SQL_TOKEN_C_COMMENT;
}

/* Scan sql. Returns the number of tokens (*ret malloc'ed, may be NULL when
 * 0), or -1 when the text does not scan (an unterminated quote, $$ body
 * or comment: more text is needed) or memory ran out. */
int tusk_sql_scan(const char *sql, TuskSqlToken **ret);

/* An interactive shell's question: does buf hold at least one statement
 * ended by a top-level ';'? Sets *end to the byte after the last such ';'
 * (what to send); the rest is the start of the next statement. */
bool tusk_sql_complete_statements(const char *buf, size_t *end);

/* Which statements of sql (0-based, empty ones not counted: one per
 * result) are SET LOCAL or SET TRANSACTION — their tag says "SET", but what
 * they set ends with the transaction. Returns the number of statements
 * (*ret malloc'ed, one bool each), or -1 when sql does not scan. */
int tusk_sql_local_sets(const char *sql, bool **ret);
