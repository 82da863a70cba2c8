/* tuskctl: shared declarations of the command-line client. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/error.h"
#include "protocol/client.h"
#include "protocol/req.h"

/* Exit codes, documented in tuskctl --help and the README. */
enum {
	EXIT_OK = 0,
	EXIT_DAEMON_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3,
	EXIT_INTERRUPTED = 130, /* 128 + SIGINT, as shells report it */
};

struct ctl {
	const char *socket_path; /* resolved */
	bool json;
	bool autostart;
	int timeout_ms;
	TuskClient *client; /* connected on first use */
	/* Output habits (output.c), for every printing command. */
	bool expanded, no_header, no_pager;
	const char *null_text;
	bool on_error_stop; /* the shell's \i stops at a failed statement */
};

struct ctl_command {
	const char *name;
	const char *summary;
	int (*exec)(struct ctl *ctl, int argc, char **argv);
};

/* Connect (starting tuskd when allowed and needed) and say hello. Returns
 * EXIT_OK, or EXIT_UNREACHABLE after printing why. */
int ctl_connect(struct ctl *ctl);
/* Call a method; on failure prints the error and returns its exit code. */
int ctl_call(struct ctl *ctl, const char *method, json_t *params, json_t **ret_result);
/* The exit status for a failed call: EXIT_DAEMON_ERROR when tuskd answered
 * with an error (an io_error of its own included), EXIT_UNREACHABLE when
 * the connection to it broke or timed out. */
int ctl_exit_status(const struct ctl *ctl, const TuskError *e);
/* Print an error the way tuskctl does (message, detail, hint). */
void ctl_print_error(const TuskError *e);
/* Print a value as indented JSON on stdout. */
void ctl_print_json(const json_t *v);
int ctl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* help.c: argv (from the command on) asks for --help; print a command's
 * (or sub-command's) help on stdout. */
bool ctl_help_wanted(int argc, char **argv);
int ctl_help(const char *name, const char *sub);

/* tuskctl query's options, also accepted before any command psql-style
 * (tuskctl -d NAME -c SQL). */
struct query_args {
	const char *target; /* -d: saved name or id, or a URI / conninfo */
	const char *sql;    /* -c */
	const char *file;   /* -f (- for stdin) */
	const char *format;
	const char *session;
	bool typed;
	bool quiet;
	bool store;         /* --store: keep the result in tuskd, print its id */
	long long max_rows; /* --max-rows */
	/* A script (-f, or SQL on stdin) runs statement by statement: */
	bool on_error_stop;      /* --on-error-stop, -v ON_ERROR_STOP=1 */
	bool single_transaction; /* -1, --single-transaction */
};
/* true/on/yes/1 → 1, false/off/no/0 → 0 (any case), else -1: the one
 * reading of a boolean word for settings, -v and \\set. */
int ctl_parse_bool(const char *text);
/* -v NAME=VALUE of psql: ON_ERROR_STOP is the one tuskctl knows. */
int ctl_query_variable(struct query_args *a, const char *arg);
int ctl_run_query(struct ctl *ctl, const struct query_args *a);
struct exec_opts;
/* Run text (changed while it is split, then restored) as a script named
 * name: statement by statement, COPY data from it, a->target, a->session
 * and a->on_error_stop / single_transaction as given; o is how results
 * print. */
int ctl_run_script_text(struct ctl *ctl, const struct query_args *a, const struct exec_opts *o,
                        char *text, const char *name);

/* query.execute's target: connection_id for a saved name or id (with
 * ctl_agent_env), else conninfo with this process's PG* variables as env. */
void ctl_target(const char *target, TuskReqQueryExecute *q);
/* {SSH_AUTH_SOCK} of this process, for a tunnel with agent auth, or NULL. */
json_t *ctl_agent_env(void);
struct script;
struct exec_opts {
	int fmt; /* enum format_kind */
	bool quiet;
	bool expanded;
	int expand_wider_than; /* \x auto: expanded when wider than this */
	bool no_header;        /* psql -t: no header, no row count */
	const char *null_text;
	FILE *out;      /* NULL: stdout */
	bool store;     /* params ask for mode store: no rows come, print the id */
	int copy_in_fd; /* COPY … FROM STDIN reads this (0: stdin) */
	FILE *copy_out; /* COPY … TO STDOUT writes here (NULL: out) */
	/* A statement of a script (client-cli/script-run.c): its COPY … FROM
	 * stdin takes its data from script_data (none: an error), errors name
	 * the script's lines (the statement starts at byte script_sql_offset
	 * of the script's SQL). */
	const struct script *script;
	const struct script_data *script_data;
	size_t script_sql_offset;
	int *error_kind; /* set to the error's kind when it fails */
};
/* Run query.execute with q (its query_id, render and timeout_ms are set
 * here; its json members are stolen), results printed to o->out as
 * they stream; Ctrl-C cancels on the server. Errors are printed. Returns
 * EXIT_OK (with the reply in *ret_result when asked), EXIT_DAEMON_ERROR,
 * EXIT_INTERRUPTED or EXIT_UNREACHABLE. */
int ctl_execute(struct ctl *ctl, TuskReqQueryExecute *q, const struct exec_opts *o,
                json_t **ret_result);

/* progress.c: a running query's id and progress on a terminal's stderr. */
void ctl_progress_begin(const char *query_id, bool stdout_shared);
void ctl_progress_rows(unsigned long long rows);
void ctl_progress_clear(void);
void ctl_progress_end(void);

/* describe.c: schema.describe's answer for a relation, as psql's \d. */
void ctl_describe_print(FILE *out, const json_t *d);

/* output.c: take -o FILE, -x/--expanded, --no-header, --null S and
 * --no-pager out of argv (any position before "--"); -o reopens stdout. */
int ctl_take_output_flags(struct ctl *ctl, int *argc, char **argv);
/* sgr (e.g. "\033[1;31m") when fd is a terminal and NO_COLOR is unset,
 * else "". */
const char *ctl_color(int fd, const char *sgr);
/* Aligned output on a terminal goes to memory first; at the end it is
 * printed, or piped to TUSK_PAGER / PAGER / less -SFX when it does not fit.
 * begin returns NULL when no pager applies (print straight). */
FILE *ctl_pager_begin(struct ctl *ctl, char **buf, size_t *len);
void ctl_pager_end(FILE *mem, char **buf, size_t *len);

/* Commands: one file per family. */
int cmd_ping(struct ctl *ctl, int argc, char **argv);
int cmd_status(struct ctl *ctl, int argc, char **argv);
int cmd_shutdown(struct ctl *ctl, int argc, char **argv);
int cmd_settings(struct ctl *ctl, int argc, char **argv);
int cmd_query(struct ctl *ctl, int argc, char **argv);       /* cmd-query.c */
int cmd_cancel(struct ctl *ctl, int argc, char **argv);      /* cmd-query.c */
int cmd_query_list(struct ctl *ctl, int argc, char **argv);  /* cmd-store.c */
int cmd_query_close(struct ctl *ctl, int argc, char **argv); /* cmd-store.c */
int cmd_fetch(struct ctl *ctl, int argc, char **argv);       /* cmd-store.c */
int cmd_export(struct ctl *ctl, int argc, char **argv);      /* cmd-store.c */
int cmd_names(struct ctl *ctl, int argc, char **argv);       /* cmd-names.c */
int cmd_shell(struct ctl *ctl, int argc, char **argv);       /* shell-meta.c */
int cmd_history(struct ctl *ctl, int argc, char **argv);     /* cmd-history.c */
int cmd_conn(struct ctl *ctl, int argc, char **argv);        /* cmd-conn.c */
int cmd_open(struct ctl *ctl, int argc, char **argv);        /* cmd-conn.c */
int cmd_close(struct ctl *ctl, int argc, char **argv);       /* cmd-conn.c */
int cmd_group(struct ctl *ctl, int argc, char **argv);       /* cmd-group.c */
int cmd_secret(struct ctl *ctl, int argc, char **argv);      /* cmd-secret.c */
int cmd_schema(struct ctl *ctl, int argc, char **argv);      /* cmd-schema.c */
int cmd_describe(struct ctl *ctl, int argc, char **argv);    /* cmd-schema.c */
int cmd_complete(struct ctl *ctl, int argc, char **argv);    /* cmd-schema.c */
int cmd_ssh(struct ctl *ctl, int argc, char **argv);         /* cmd-ssh.c */
int cmd_workspace(struct ctl *ctl, int argc, char **argv);   /* cmd-workspace.c */
int cmd_listen(struct ctl *ctl, int argc, char **argv);      /* cmd-listen.c */
int cmd_events(struct ctl *ctl, int argc, char **argv);      /* cmd-listen.c */
int cmd_session(struct ctl *ctl, int argc, char **argv);     /* cmd-session.c */

/* Ctrl-C during a long call (cancel-line.c): prepare the request
 * (params stolen) that ctl_cancel_send, safe in a signal handler, sends to
 * tuskd on a connection of its own. */
void ctl_cancel_prepare(const char *socket_path, const char *method, json_t *params);
void ctl_cancel_send(void);

/* All of f's bytes, NUL-terminated; NULL when out of memory. read-text.c */
char *ctl_read_text(FILE *f);
/* Whether sql is valid UTF-8 (JSON text must be); if not, the error (the
 * offending byte and its offset, a hint to convert) is printed. */
bool ctl_sql_is_utf8(const char *sql);

/* id → name of the saved connections (an empty object when they cannot be
 * listed: ids are shown instead). cmd-history.c */
json_t *ctl_connection_names(struct ctl *ctl);
