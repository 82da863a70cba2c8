/* The interactive loop: read lines with libedit, collect them until the
 * scanner sees a statement end, run it in the shell's named context, show
 * the transaction state in the prompt. Ctrl-C at the prompt drops the
 * line; during a query it cancels it on the server (ctl_execute). */
#include "client-cli/shell.h"

#include <editline/readline.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "client-cli/format.h"
#include "client-cli/script.h"
#include "common/sql-scan.h"
#include "common/uuid.h"

static volatile sig_atomic_t prompt_interrupted;

static void on_prompt_sigint(int sig)
{
	(void)sig;
	prompt_interrupted = 1;
}

/* libedit reads through this: a Ctrl-C (EINTR with the flag set) ends the
 * line as EOF, and the loop tells it from Ctrl-D by the flag. */
static int getc_interruptible(FILE *f)
{
	unsigned char c;
	for (;;) {
		ssize_t n = read(fileno(f), &c, 1);
		if (n == 1)
			return c;
		if (n < 0 && errno == EINTR) {
			if (prompt_interrupted)
				return EOF;
			continue;
		}
		return EOF;
	}
}

static void buf_append(struct shell *sh, const char *s, size_t n)
{
	if (sh->len + n + 2 > sh->cap) {
		size_t cap = (sh->len + n + 2) * 2;
		char *b = realloc(sh->buf, cap);
		if (!b)
			return;
		sh->buf = b;
		sh->cap = cap;
	}
	memcpy(sh->buf + sh->len, s, n);
	sh->len += n;
	sh->buf[sh->len] = '\0';
}

static void buf_clear(struct shell *sh)
{
	sh->len = 0;
	if (sh->buf)
		sh->buf[0] = '\0';
}

static char *prompt_text(struct shell *sh)
{
	char *p = NULL;
	const char *state = strcmp(sh->txn, "in_transaction") == 0 ? "*"
	                    : strcmp(sh->txn, "in_error") == 0     ? "!"
	                                                           : "";
	if (asprintf(&p, "%s%s%s%s%s> ", sh->label, sh->database ? "/" : "",
	             sh->database ? sh->database : "", sh->len ? "-" : "=", state) < 0)
		return NULL;
	return p;
}

/* Lines other clients (and this one) ran since the last look, oldest
 * first, into libedit's history: up-arrow recalls them. */
static void history_sync(struct shell *sh, int limit)
{
	json_t *params = tusk_req_history_list(
	    &(TuskReqHistoryList){.connection_id = sh->conn_id, .limit = limit});
	json_t *res = NULL;
	TuskError e = TUSK_ERROR_INIT;
	if (tusk_client_call(sh->ctl->client, TUSK_M_HISTORY_LIST, params, &res, NULL, NULL,
	                     sh->ctl->timeout_ms, &e) < 0) {
		tusk_error_clear(&e);
		return;
	}
	json_t *entries = json_object_get(res, "entries");
	size_t n = json_array_size(entries), stop = n;
	for (size_t i = 0; i < n && sh->last_history_id; i++) {
		const char *id =
		    json_string_value(json_object_get(json_array_get(entries, i), "id"));
		if (id && strcmp(id, sh->last_history_id) == 0) {
			stop = i;
			break;
		}
	}
	for (size_t i = stop; i-- > 0;) {
		const char *sql =
		    json_string_value(json_object_get(json_array_get(entries, i), "sql"));
		bool ours = false;
		for (size_t k = 0; sql && k < sh->npending && !ours; k++) {
			if (strcmp(sh->pending[k], sql) == 0) {
				free(sh->pending[k]);
				memmove(&sh->pending[k], &sh->pending[k + 1],
				        (sh->npending - k - 1) * sizeof(*sh->pending));
				sh->npending--;
				ours = true;
			}
		}
		if (sql && !ours)
			add_history(sql);
	}
	if (n) {
		free(sh->last_history_id);
		sh->last_history_id =
		    strdup(json_string_value(json_object_get(json_array_get(entries, 0), "id")));
	}
	json_decref(res);
}

int shell_execute(struct shell *sh, const char *sql)
{
	return shell_execute_copy(sh, sql, 0, NULL);
}

static int execute(struct shell *sh, const char *sql, int copy_in_fd, FILE *copy_out,
                   const struct script *script, const struct script_stmt *st, int *kind);

int shell_execute_copy(struct shell *sh, const char *sql, int copy_in_fd, FILE *copy_out)
{
	return execute(sh, sql, copy_in_fd, copy_out, NULL, NULL, NULL);
}

static int exec_statement(void *ud, const struct script *sc, const struct script_stmt *st,
                          int *kind)
{
	return execute(ud, st->sql, 0, NULL, sc, st, kind);
}

/* \i FILE: statement by statement, as psql runs it; the shell's
 * \set-like state (ON_ERROR_STOP) is tuskctl's own flag. */
int shell_execute_script(struct shell *sh, char *text, const char *name)
{
	struct script script;
	if (ctl_script_split(text, strlen(text), name, &script) < 0) {
		ctl_script_clear(&script);
		fprintf(stderr, "tuskctl: out of memory\n");
		return EXIT_DAEMON_ERROR;
	}
	struct script_run how = {.stop_on_error = sh->on_error_stop};
	int r = ctl_script_is_utf8(&script) ? ctl_script_run(&script, &how, exec_statement, sh)
	                                    : EXIT_DAEMON_ERROR;
	ctl_script_clear(&script);
	return r;
}

static int execute(struct shell *sh, const char *sql, int copy_in_fd, FILE *copy_out,
                   const struct script *script, const struct script_stmt *st, int *kind)
{
	if (!ctl_sql_is_utf8(sql))
		return EXIT_DAEMON_ERROR;
	TuskReqQueryExecute q = {.sql = sql,
	                         .context = sh->context,
	                         .hold_session = st && st->hold_session,
	                         .no_history = st != NULL};
	ctl_target(sh->target, &q);
	int columns = 0;
	struct winsize ws;
	if (sh->expanded == 2)
		columns = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
	struct exec_opts o = {.fmt = FORMAT_ALIGNED,
	                      .expand_wider_than = columns,
	                      .expanded = sh->expanded == 1,
	                      .null_text = sh->null_text,
	                      .no_header = sh->ctl->no_header,
	                      .out = sh->out,
	                      .copy_in_fd = copy_in_fd,
	                      .copy_out = copy_out,
	                      .script = script,
	                      .script_data = st ? st->data : NULL,
	                      .script_sql_offset = st ? st->sql_offset : 0,
	                      .error_kind = kind,
	                      .quiet = st && st->quiet};
	json_t *res = NULL;
	const char *before = sh->txn;
	int r = ctl_execute(sh->ctl, &q, &o, &res);
	if (r == EXIT_OK) {
		const char *t = json_string_value(json_object_get(res, "transaction_status"));
		const char *pool = json_string_value(json_object_get(res, "connection_id"));
		if (pool && (!sh->pool_id || strcmp(pool, sh->pool_id) != 0)) {
			free(sh->pool_id);
			sh->pool_id = strdup(pool);
		}
		sh->txn = t && strcmp(t, "in_transaction") == 0 ? "in_transaction"
		          : t && strcmp(t, "in_error") == 0     ? "in_error"
		                                                : "idle";
		if (sh->timing)
			printf("Time: %.3f ms\n",
			       json_number_value(json_object_get(res, "duration_ms")));
	} else if (strcmp(before, "idle") != 0) {
		/* A failed statement inside a transaction aborts it. */
		sh->txn = "in_error";
	}
	json_decref(res);
	free(sh->last_sql);
	sh->last_sql = strdup(sql);
	fflush(sh->out ? sh->out : stdout);
	return r;
}

/* Leaving a context (\\c, \\q): its transaction is rolled back and the
 * backend it may hold for a SET goes back to the pool, reset, instead of
 * waiting out query.context_idle_timeout_sec. Quietly: the user is
 * leaving; a daemon that does not answer within 3 s is left. */
void shell_release(struct shell *sh)
{
	/* The connection a statement ran on, else the saved one (a first
	 * statement that failed says no id: BEGIN; SET LOCAL …; 1/0 in one). */
	const char *id = sh->pool_id ? sh->pool_id : sh->conn_id;
	if (!id || !sh->last_sql)
		return; /* nothing ran in this context */
	json_t *res = NULL;
	TuskError e = TUSK_ERROR_INIT;
	tusk_client_call(sh->ctl->client, TUSK_M_CONTEXT_RELEASE,
	                 tusk_req_context_release(id, sh->context, false), &res, NULL, NULL, 3000,
	                 &e);
	json_decref(res);
	tusk_error_clear(&e);
	free(sh->pool_id);
	sh->pool_id = NULL;
	sh->txn = "idle";
}

/* Prompt label and database for a target: a saved connection's name and
 * database, else the target itself. */
int shell_connect(struct shell *sh, const char *target)
{
	json_t *conn = NULL;
	TuskError e = TUSK_ERROR_INIT;
	char *label = NULL, *database = NULL, *conn_id = NULL;
	if (target && !strstr(target, "://") && !strchr(target, '=')) {
		if (tusk_client_call(sh->ctl->client, TUSK_M_CONNECTIONS_GET,
		                     tusk_req_connection_id(target, NULL), &conn, NULL, NULL,
		                     sh->ctl->timeout_ms, &e) < 0) {
			ctl_print_error(&e);
			tusk_error_clear(&e);
			return EXIT_DAEMON_ERROR;
		}
		label = strdup(json_string_value(json_object_get(conn, "name")));
		const char *db = json_string_value(json_object_get(conn, "database"));
		database = db ? strdup(db) : NULL;
		conn_id = strdup(json_string_value(json_object_get(conn, "id")));
		json_decref(conn);
	} else {
		const char *slash = target ? strrchr(target, '/') : NULL;
		label = strdup(target && strstr(target, "://") && slash
		                   ? (slash[1] ? slash + 1 : "postgres")
		                   : "tusk");
		char *q = strchr(label, '?');
		if (q)
			*q = '\0';
	}
	shell_release(sh);
	free(sh->target);
	free(sh->label);
	free(sh->database);
	free(sh->conn_id);
	sh->target = target ? strdup(target) : NULL;
	sh->label = label;
	sh->database = database;
	sh->conn_id = conn_id;
	sh->txn = "idle";
	char uuid[TUSK_UUID_STRLEN + 1];
	tusk_uuid_v4(uuid);
	snprintf(sh->context, sizeof(sh->context), "tuskctl-shell-%s", uuid);
	free(sh->last_history_id);
	sh->last_history_id = NULL;
	return EXIT_OK;
}

/* A statement typed here: in libedit's history now (the daemon's copy
 * may be written a little later and is then not added twice). */
static void remember(struct shell *sh, const char *sql)
{
	add_history(sql);
	if (sh->npending == sizeof(sh->pending) / sizeof(*sh->pending)) {
		free(sh->pending[0]);
		memmove(&sh->pending[0], &sh->pending[1],
		        (sh->npending - 1) * sizeof(*sh->pending));
		sh->npending--;
	}
	char *copy = strdup(sql);
	if (copy)
		sh->pending[sh->npending++] = copy;
}

/* Run what the buffer holds up to its last complete statement. */
static void run_complete(struct shell *sh)
{
	size_t end;
	if (!tusk_sql_complete_statements(sh->buf, &end))
		return;
	char *sql = strndup(sh->buf, end);
	size_t rest = sh->len - end;
	memmove(sh->buf, sh->buf + end, rest + 1);
	sh->len = rest;
	/* What follows the ';' on the line is only white space: forget it. */
	size_t i = 0;
	while (i < sh->len && (sh->buf[i] == ' ' || sh->buf[i] == '\t' || sh->buf[i] == '\n'))
		i++;
	if (i == sh->len)
		buf_clear(sh);
	if (sql) {
		/* What others ran meanwhile goes before it in the history; then
		 * it, as sent (the daemon's history keeps the same text). */
		history_sync(sh, 50);
		remember(sh, sql);
		shell_execute(sh, sql);
	}
	free(sql);
}

/* A line typed: a meta-command (at the start of a statement, or ending
 * one as psql's \g does), else more of the statement. */
static void handle_line(struct shell *sh, const char *line)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\\') {
		add_history(line);
		shell_meta(sh, p);
		return;
	}
	if (sh->len == 0 && *p == '\0')
		return;
	buf_append(sh, line, strlen(line));
	buf_append(sh, "\n", 1);
	run_complete(sh);
}

int shell_run(struct ctl *ctl, const char *target)
{
	int r = ctl_connect(ctl);
	if (r != EXIT_OK)
		return r;
	struct shell sh = {.ctl = ctl,
	                   .txn = "idle",
	                   .expanded = ctl->expanded ? 1 : 0,
	                   .on_error_stop = ctl->on_error_stop,
	                   .null_text = ctl->null_text};
	if ((r = shell_connect(&sh, target)) != EXIT_OK)
		return r;

	rl_readline_name = "tuskctl";
	rl_catch_signals = 0;
	rl_getc_function = getc_interruptible;
	shell_complete_init(&sh);
	using_history();
	stifle_history(1000);
	history_sync(&sh, 500);
	printf("tuskctl %s shell on %s. Type \\? for help, \\q or Ctrl-D to leave.\n", TUSK_VERSION,
	       sh.label);

	while (!sh.quit) {
		struct sigaction sa = {.sa_handler = on_prompt_sigint}, old;
		sigaction(SIGINT, &sa, &old);
		prompt_interrupted = 0;
		char *prompt = prompt_text(&sh);
		char *line = readline(prompt ? prompt : "> ");
		free(prompt);
		sigaction(SIGINT, &old, NULL);
		if (prompt_interrupted) {
			/* Ctrl-C: drop the line and the statement being typed. */
			free(line);
			buf_clear(&sh);
			putchar('\n');
			continue;
		}
		if (!line) {
			putchar('\n');
			break;
		}
		handle_line(&sh, line);
		free(line);
		history_sync(&sh, 50);
	}
	shell_release(&sh);
	if (sh.out)
		fclose(sh.out);
	free(sh.buf);
	free(sh.last_sql);
	free(sh.last_history_id);
	for (size_t k = 0; k < sh.npending; k++)
		free(sh.pending[k]);
	free(sh.target);
	free(sh.label);
	free(sh.database);
	free(sh.conn_id);
	return EXIT_OK;
}
