/* tuskctl's interactive shell (tuskctl -d NAME on a terminal, tuskctl
 * shell): libedit line editing, statements ended by ';' as PostgreSQL's
 * scanner sees them, history shared with the daemon, completion from the
 * schema cache, psql's meta-commands. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "client-cli/tuskctl.h"

struct shell {
	struct ctl *ctl;
	char *target;     /* as given: saved name or id, URI, conninfo */
	char *conn_id;    /* the saved connection's id, when it is one */
	char *pool_id;    /* the connection the context ran on (context.release) */
	char *label;      /* prompt: connection name */
	char *database;   /* prompt: database name */
	char context[64]; /* the named context: transactions span statements */
	const char *txn;  /* "idle", "in_transaction", "in_error" */
	bool timing;
	bool on_error_stop; /* \i stops at a failed statement */
	int expanded;       /* 0 off, 1 on, 2 auto */
	const char *null_text;
	FILE *out; /* \o FILE, or NULL for stdout */
	char *buf; /* the statement being typed */
	size_t len, cap;
	char *last_sql; /* for \g on an empty buffer, \e, \watch */
	char *last_history_id;
	/* Statements typed here, already in libedit's history, that the
	 * daemon's history will bring back once it has written them. */
	char *pending[32];
	size_t npending;
	bool quit;
};

/* Run the shell until \q or Ctrl-D. Returns an exit code. */
int shell_run(struct ctl *ctl, const char *target);

/* shell.c */
/* Run sql in the shell's context and print its results; updates the
 * transaction state. Returns EXIT_*. */
int shell_execute(struct shell *sh, const char *sql);
/* Leave the shell's context: roll back, let a held backend go (reset). */
void shell_release(struct shell *sh);
/* The same, a COPY's data read from copy_in_fd (0: stdin) or written to
 * copy_out (NULL: where results go). */
int shell_execute_copy(struct shell *sh, const char *sql, int copy_in_fd, FILE *copy_out);
/* \i: a script's text (changed while split), its COPY … FROM stdin data
 * taken from it as psql reads a file. */
int shell_execute_script(struct shell *sh, char *text, const char *name);
/* shell-copy.c: \copy as psql spells it. */
int shell_copy(struct shell *sh, const char *arg);
/* Switch to another connection (\c): a new context. */
int shell_connect(struct shell *sh, const char *target);

/* shell-meta.c: a line starting with a backslash. */
int shell_meta(struct shell *sh, const char *line);
/* The meta-commands, for completion. */
extern const char *const shell_meta_names[];
/* shell-complete.c */
void shell_complete_init(struct shell *sh);
