/* A SQL script read by tuskctl -f FILE or the shell's \i FILE, as psql
 * reads one: the data lines after a `COPY … FROM stdin;` (up to a line
 * "\." or the end of the file, pg_dump's plain format) are taken out of
 * the SQL and sent as that COPY's data; a psql meta-command line between
 * statements (a backslash first) ends at the end of its line and is kept
 * apart for the runner (\set ON_ERROR_STOP, \echo; pg_dump's \restrict).
 * client-cli/script.c */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct script_data {
	size_t offset, len;       /* in the file's text */
	unsigned long first_line; /* 1-based line of the file where it starts */
	size_t sql_at;            /* where it was cut out of the SQL */
	bool ended;               /* by a line "\." (else by the end of the file) */
};

/* A psql meta-command line of the script ("\\set ON_ERROR_STOP on"). */
struct script_meta {
	size_t offset, len; /* in the file's text: from the backslash, no newline */
	unsigned long line; /* 1-based */
	size_t sql_at;      /* where it was cut out of the SQL */
};

struct script_piece {
	size_t sql_offset, file_offset; /* a run of SQL copied from the file */
};

struct script {
	const char *name; /* the file's name, for error lines */
	const char *text; /* the file's text (borrowed) */
	size_t text_len;
	char *sql; /* the SQL without the COPY data, NUL-terminated */
	size_t sql_len;
	struct script_data *data; /* one per COPY … FROM stdin, in order */
	size_t ndata;
	struct script_meta *metas; /* meta-command lines, in order */
	size_t nmetas;
	struct script_piece *pieces;
	size_t npieces;
};

/* Split text (NUL-terminated at len; its bytes are changed and restored
 * while scanning). 0, or -1 when memory ran out. */
int ctl_script_split(char *text, size_t len, const char *name, struct script *ret);
void ctl_script_clear(struct script *s);
/* The byte of the file that is the SQL's byte sql_offset. */
size_t ctl_script_file_offset(const struct script *s, size_t sql_offset);
/* The 1-based line of the file holding the SQL's byte sql_offset. */
unsigned long ctl_script_line_of_sql(const struct script *s, size_t sql_offset);
/* The byte offset in s->sql of the 1-based character position pos of the
 * statement that starts at byte from. */
size_t ctl_script_sql_byte(const struct script *s, size_t from, unsigned pos);

/* How a script runs: statement by statement on one session, as psql -f
 * runs one (client-cli/script-run.c). */
struct script_run {
	bool stop_on_error;      /* --on-error-stop: psql -v ON_ERROR_STOP=1 */
	bool single_transaction; /* -1: BEGIN … COMMIT around it, stop at an error */
};

/* One statement of a script, as the runner hands it out. */
struct script_stmt {
	const char *sql;                /* NUL-terminated, without its ';' */
	size_t sql_offset;              /* its first byte in the script's SQL */
	const struct script_data *data; /* a COPY … FROM stdin's data, or NULL */
	bool hold_session;              /* more statements follow on this session */
	bool quiet;                     /* -1's own BEGIN / COMMIT: no tag printed */
};

/* Runs one statement: an exit code (EXIT_OK, …); *kind is the error kind
 * when it failed (TUSK_ERR_QUERY_FAILED: a statement error, go on). */
typedef int (*script_exec_fn)(void *ud, const struct script *s, const struct script_stmt *st,
                              int *kind);

/* Run every statement of s through exec. Statement errors are reported by
 * exec and the script goes on (as psql does) unless how says stop; any
 * other error (the daemon, the connection, Ctrl-C) stops it. Returns
 * EXIT_OK when every statement succeeded, else the first failure's code. */
int ctl_script_run(const struct script *s, const struct script_run *how, script_exec_fn exec,
                   void *ud);
/* The script's SQL is UTF-8 (JSON text); else says which line is not. */
bool ctl_script_is_utf8(const struct script *s);
