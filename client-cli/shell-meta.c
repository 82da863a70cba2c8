/* The shell's meta-commands, psql's spelling and output: \d family (the
 * catalog queries psql 15 runs, laid out as psql lays them out), \x,
 * \timing, \conninfo, \c, \e, \i, \o, \g, \watch, \q, \?. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client-cli/ptable.h"
#include "client-cli/shell.h"
#include "common/sql-scan.h"

const char *const shell_meta_names[] = {
    "\\?",  "\\c", "\\conninfo", "\\copy", "\\d", "\\df", "\\di",     "\\dn",    "\\dt", "\\du",
    "\\dv", "\\e", "\\g",        "\\i",    "\\o", "\\q",  "\\timing", "\\watch", "\\x",  NULL,
};

static const char help_text[] =
    "General\n"
    "  \\q                      quit (or Ctrl-D)\n"
    "  \\?                      this help\n"
    "Query buffer\n"
    "  \\g                      run the buffer (or the last statement again)\n"
    "  \\e                      edit the buffer (or the last statement) in $EDITOR\n"
    "  \\watch [SEC]            run the last statement every SEC seconds (2)\n"
    "Input/Output\n"
    "  \\i FILE                 run the SQL in FILE\n"
    "  \\o [FILE]               results to FILE (none: back to the terminal)\n"
    "  \\copy T|(QUERY) from|to 'FILE'|stdin|stdout|pstdin|pstdout [OPTIONS]\n"
    "                          COPY with the data in a file of this machine\n"
    "Informational\n"
    "  \\d [NAME]               describe a relation, or list relations\n"
    "  \\dt \\dv \\di [PATTERN]   list tables, views, indexes\n"
    "  \\df [PATTERN]           list functions\n"
    "  \\dn [PATTERN]           list schemas\n"
    "  \\du [PATTERN]           list roles\n"
    "Formatting\n"
    "  \\x [on|off|auto]        expanded display\n"
    "  \\timing [on|off]        show how long each statement took\n"
    "Connection\n"
    "  \\c NAME|URI             connect to another saved connection or URI\n"
    "  \\conninfo               where you are connected\n"
    "Ctrl-C cancels the running statement on the server; statements end with ';'.\n";

/* ---- catalog queries -------------------------------------------------------- */

struct rows {
	json_t *columns; /* names */
	json_t *rows;    /* arrays of text or null */
	const char *qid;
};

static int collect(const char *method, json_t *params, void *ud)
{
	struct rows *r = ud;
	if (strcmp(method, TUSK_N_QUERY_COLUMNS) == 0) {
		size_t i;
		json_t *c;
		json_array_foreach(json_object_get(params, "columns"), i, c)
		    json_array_append(r->columns, json_object_get(c, "name"));
	} else if (strcmp(method, TUSK_N_QUERY_ROWS) == 0) {
		json_array_extend(r->rows, json_object_get(params, "rows"));
	}
	return 0;
}

/* Run a catalog query in the shell's context; rows, or NULL after
 * printing the error. */
static json_t *fetch(struct shell *sh, const char *sql)
{
	TuskReqQueryExecute q = {.sql = sql, .context = sh->context, .inline_reply = true};
	ctl_target(sh->target, &q);
	json_t *params = tusk_req_query_execute(&q);
	struct rows r = {.columns = json_array(), .rows = json_array()};
	json_t *res = NULL;
	TuskError e = TUSK_ERROR_INIT;
	int rc = tusk_client_call(sh->ctl->client, TUSK_M_QUERY_EXECUTE, params, &res, collect, &r,
	                          -1, &e);
	/* A small result comes in the reply. */
	size_t i;
	json_t *set;
	json_array_foreach(json_object_get(res, "inline"), i, set)
	    json_array_extend(r.rows, json_object_get(set, "rows"));
	json_decref(res);
	json_decref(r.columns);
	if (rc < 0) {
		fprintf(stderr, "ERROR:  %s\n", tusk_error_message(&e));
		tusk_error_clear(&e);
		json_decref(r.rows);
		return NULL;
	}
	return r.rows;
}

/* A psql name pattern as a regular expression condition on column col:
 * * and ? are wildcards, unquoted letters fold to lower case. Appended to
 * *sql. */
static void pattern_condition(char **sql, const char *col, const char *pattern)
{
	char re[1024];
	size_t n = 0;
	bool quoted = false;
	for (const char *p = pattern; *p && n + 4 < sizeof(re); p++) {
		if (*p == '"') {
			quoted = !quoted;
		} else if (!quoted && *p == '*') {
			re[n++] = '.';
			re[n++] = '*';
		} else if (!quoted && *p == '?') {
			re[n++] = '.';
		} else if (strchr("\\^$.[]()|+{}", *p)) {
			re[n++] = '\\';
			re[n++] = *p;
		} else if (*p == '\'') {
			re[n++] = '\'';
			re[n++] = '\'';
		} else {
			re[n++] = quoted ? *p : (char)tolower((unsigned char)*p);
		}
	}
	re[n] = '\0';
	char *out = NULL;
	if (asprintf(&out,
	             "%s  AND %s OPERATOR(pg_catalog.~) '^(%s)$' COLLATE pg_catalog.default\n",
	             *sql, col, re) >= 0) {
		free(*sql);
		*sql = out;
	}
}

/* Split "schema.name" (outside quotes) into conditions on both columns;
 * without a schema, visibility decides as in psql. */
static void name_conditions(char **sql, const char *pattern, const char *nsp_col,
                            const char *name_col, const char *visible)
{
	const char *dot = NULL;
	bool quoted = false;
	for (const char *p = pattern ? pattern : ""; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '.' && !quoted)
			dot = p;
	}
	if (pattern && dot) {
		char *nsp = strndup(pattern, (size_t)(dot - pattern));
		if (dot[1])
			pattern_condition(sql, name_col, dot + 1);
		pattern_condition(sql, nsp_col, nsp ? nsp : "");
		free(nsp);
		return;
	}
	if (pattern)
		pattern_condition(sql, name_col, pattern);
	char *out = NULL;
	if (visible && asprintf(&out, "%s  AND %s\n", *sql, visible) >= 0) {
		free(*sql);
		*sql = out;
	}
}

static void print_rows(struct shell *sh, json_t *rows, const char *title, size_t ncols,
                       const char *const *headers, bool row_count)
{
	struct ptable t;
	ptable_init(&t, title, ncols, headers);
	t.row_count = row_count;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		const char *cells[8] = {0};
		for (size_t c = 0; c < ncols && c < 8; c++)
			cells[c] = json_string_value(json_array_get(row, c));
		ptable_row(&t, cells);
	}
	ptable_print(&t, sh->out ? sh->out : stdout);
}

static const char relkind_case[] =
    "  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized "
    "view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN "
    "'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned "
    "index' END as \"Type\",\n";

/* Run sql (freed here; NULL when building it ran out of memory) with order
 * ("ORDER BY …;") after it: its rows, or NULL after printing the error. */
static json_t *fetch_ordered(struct shell *sh, char *sql, const char *order)
{
	char *full = NULL;
	if (!sql || asprintf(&full, "%s%s", sql, order) < 0)
		full = NULL;
	free(sql);
	json_t *rows = full ? fetch(sh, full) : NULL;
	free(full);
	return rows;
}

/* Print rows (taken) as a psql list titled title with n columns named h. */
static int show_list(struct shell *sh, json_t *rows, const char *title, size_t n,
                     const char *const *h)
{
	print_rows(sh, rows, title, n, h, true);
	json_decref(rows);
	return EXIT_OK;
}

static int list_relations(struct shell *sh, const char *kinds, const char *pattern)
{
	bool index = strchr(kinds, 'i') != NULL;
	char *sql = NULL;
	if (asprintf(&sql,
	             "SELECT n.nspname as \"Schema\",\n  c.relname as \"Name\",\n%s"
	             "  pg_catalog.pg_get_userbyid(c.relowner) as \"Owner\"%s\n"
	             "FROM pg_catalog.pg_class c\n"
	             "     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n%s"
	             "WHERE c.relkind IN (%s)\n"
	             "      AND n.nspname <> 'pg_catalog'\n"
	             "      AND n.nspname !~ '^pg_toast'\n"
	             "      AND n.nspname <> 'information_schema'\n",
	             relkind_case, index ? ",\n  c2.relname as \"Table\"" : "",
	             index ? "     LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid\n"
	                     "     LEFT JOIN pg_catalog.pg_class c2 ON i.indrelid = c2.oid\n"
	                   : "",
	             kinds) < 0)
		return EXIT_DAEMON_ERROR;
	name_conditions(&sql, pattern, "n.nspname", "c.relname",
	                "pg_catalog.pg_table_is_visible(c.oid)");
	json_t *rows = fetch_ordered(sh, sql, "ORDER BY 1,2;");
	if (!rows)
		return EXIT_DAEMON_ERROR;
	if (json_array_size(rows) == 0) {
		if (pattern)
			fprintf(stderr, "Did not find any relation named \"%s\".\n", pattern);
		else
			fprintf(stderr, "Did not find any relations.\n");
	} else {
		static const char *const h[] = {"Schema", "Name", "Type", "Owner", "Table"};
		print_rows(sh, rows, "List of relations", index ? 5 : 4, h, true);
	}
	json_decref(rows);
	return EXIT_OK;
}

static int list_schemas(struct shell *sh, const char *pattern)
{
	char *sql = strdup("SELECT n.nspname AS \"Name\",\n"
	                   "  pg_catalog.pg_get_userbyid(n.nspowner) AS \"Owner\"\n"
	                   "FROM pg_catalog.pg_namespace n\n"
	                   "WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'\n");
	if (pattern)
		pattern_condition(&sql, "n.nspname", pattern);
	json_t *rows = fetch_ordered(sh, sql, "ORDER BY 1;");
	if (!rows)
		return EXIT_DAEMON_ERROR;
	static const char *const h[] = {"Name", "Owner"};
	return show_list(sh, rows, "List of schemas", 2, h);
}

static int list_functions(struct shell *sh, const char *pattern)
{
	char *sql = strdup("SELECT n.nspname as \"Schema\",\n"
	                   "  p.proname as \"Name\",\n"
	                   "  pg_catalog.pg_get_function_result(p.oid) as \"Result data type\",\n"
	                   "  pg_catalog.pg_get_function_arguments(p.oid) as \"Argument data "
	                   "types\",\n"
	                   " CASE p.prokind\n  WHEN 'a' THEN 'agg'\n  WHEN 'w' THEN 'window'\n"
	                   "  WHEN 'p' THEN 'proc'\n  ELSE 'func'\n END as \"Type\"\n"
	                   "FROM pg_catalog.pg_proc p\n"
	                   "     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace\n"
	                   "WHERE n.nspname <> 'pg_catalog'\n"
	                   "      AND n.nspname <> 'information_schema'\n");
	if (sql)
		name_conditions(&sql, pattern, "n.nspname", "p.proname",
		                "pg_catalog.pg_function_is_visible(p.oid)");
	json_t *rows = fetch_ordered(sh, sql, "ORDER BY 1, 2, 4;");
	if (!rows)
		return EXIT_DAEMON_ERROR;
	static const char *const h[] = {"Schema", "Name", "Result data type", "Argument data types",
	                                "Type"};
	return show_list(sh, rows, "List of functions", 5, h);
}

static int list_roles(struct shell *sh, const char *pattern)
{
	/* psql puts the attributes together on the client; here the query
	 * does, in psql's order and words. */
	char *sql = strdup(
	    "SELECT r.rolname,\n"
	    " array_to_string(array_remove(ARRAY[\n"
	    "  CASE WHEN r.rolsuper THEN 'Superuser' END,\n"
	    "  CASE WHEN NOT r.rolinherit THEN 'No inheritance' END,\n"
	    "  CASE WHEN r.rolcreaterole THEN 'Create role' END,\n"
	    "  CASE WHEN r.rolcreatedb THEN 'Create DB' END,\n"
	    "  CASE WHEN NOT r.rolcanlogin THEN 'Cannot login' END,\n"
	    "  CASE WHEN r.rolreplication THEN 'Replication' END,\n"
	    "  CASE WHEN r.rolbypassrls THEN 'Bypass RLS' END,\n"
	    "  CASE WHEN r.rolconnlimit >= 0 THEN r.rolconnlimit || CASE WHEN r.rolconnlimit = 1 "
	    "THEN ' connection' ELSE ' connections' END END,\n"
	    "  CASE WHEN r.rolvaliduntil IS NOT NULL THEN 'Password valid until ' || "
	    "r.rolvaliduntil END\n"
	    " ], NULL), E'\\n') AS attributes,\n"
	    " ARRAY(SELECT b.rolname FROM pg_catalog.pg_auth_members m\n"
	    "       JOIN pg_catalog.pg_roles b ON (m.roleid = b.oid)\n"
	    "       WHERE m.member = r.oid)::text AS memberof\n"
	    "FROM pg_catalog.pg_roles r\n"
	    "WHERE r.rolname !~ '^pg_'\n");
	if (sql && pattern)
		pattern_condition(&sql, "r.rolname", pattern);
	json_t *rows = fetch_ordered(sh, sql, "ORDER BY 1;");
	if (!rows)
		return EXIT_DAEMON_ERROR;
	/* psql joins the attributes with ", " on one line (\n only between
	 * the connection limit and the rest); one line is enough here. */
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		const char *a = json_string_value(json_array_get(row, 1));
		if (!a)
			continue;
		char *joined = malloc(strlen(a) * 2 + 1), *o = joined;
		for (const char *p = a; joined && *p; p++) {
			if (*p == '\n') {
				*o++ = ',';
				*o++ = ' ';
			} else {
				*o++ = *p;
			}
		}
		if (joined) {
			*o = '\0';
			json_array_set_new(row, 1, json_string(joined));
			free(joined);
		}
	}
	static const char *const h[] = {"Role name", "Attributes", "Member of"};
	print_rows(sh, rows, "List of roles", 3, h, false);
	json_decref(rows);
	return EXIT_OK;
}

static int describe(struct shell *sh, const char *name)
{
	json_t *d = NULL;
	TuskError e = TUSK_ERROR_INIT;
	const char *id = sh->conn_id ? sh->conn_id : sh->target;
	if (tusk_client_call(sh->ctl->client, TUSK_M_SCHEMA_DESCRIBE,
	                     tusk_req_schema_describe(id ? id : "", name, NULL), &d, NULL, NULL,
	                     sh->ctl->timeout_ms, &e) < 0) {
		if (e.kind == TUSK_ERR_INVALID_INPUT)
			fprintf(stderr, "Did not find any relation named \"%s\".\n", name);
		else
			ctl_print_error(&e);
		tusk_error_clear(&e);
		return EXIT_DAEMON_ERROR;
	}
	FILE *out = sh->out ? sh->out : stdout;
	const json_t *obj = json_object_get(d, "object");
	const char *kind = json_string_value(json_object_get(d, "kind"));
	if (json_object_get(obj, "columns") && kind && strcmp(kind, "function") != 0)
		ctl_describe_print(out, d);
	else
		fprintf(out, "%s\n\n", json_string_value(json_object_get(d, "ddl")));
	json_decref(d);
	return EXIT_OK;
}

/* ---- buffer commands ---------------------------------------------------------- */

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "tuskctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	char *text = ctl_read_text(f);
	fclose(f);
	return text;
}

static int edit(struct shell *sh)
{
	char path[] = "/tmp/tuskctl-edit-XXXXXX.sql";
	int fd = mkstemps(path, 4);
	if (fd < 0) {
		fprintf(stderr, "tuskctl: cannot make a temporary file: %s\n", strerror(errno));
		return EXIT_DAEMON_ERROR;
	}
	const char *text = sh->len ? sh->buf : sh->last_sql ? sh->last_sql : "";
	(void)!write(fd, text, strlen(text));
	close(fd);
	const char *editor = getenv("TUSK_EDITOR");
	if (!editor || !*editor)
		editor = getenv("VISUAL");
	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	pid_t pid = fork();
	if (pid == 0) {
		execlp("sh", "sh", "-c", "exec $0 \"$1\"", editor, path, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	char *edited = read_file(path);
	unlink(path);
	if (!edited)
		return EXIT_DAEMON_ERROR;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "tuskctl: the editor failed; the buffer is unchanged\n");
		free(edited);
		return EXIT_DAEMON_ERROR;
	}
	/* psql keeps the text as the buffer, and runs it when it ends with
	 * a ';'. */
	free(sh->buf);
	sh->buf = edited;
	sh->len = strlen(edited);
	sh->cap = sh->len + 1;
	fputs(edited, stdout);
	size_t end;
	if (tusk_sql_complete_statements(sh->buf, &end)) {
		char *sql = strndup(sh->buf, end);
		sh->len = 0;
		sh->buf[0] = '\0';
		if (sql)
			shell_execute(sh, sql);
		free(sql);
	}
	return EXIT_OK;
}

static volatile sig_atomic_t watch_stop;

static void on_watch_sigint(int sig)
{
	(void)sig;
	watch_stop = 1;
}

static int watch(struct shell *sh, const char *arg)
{
	double every = arg && *arg ? strtod(arg, NULL) : 2.0;
	if (every <= 0)
		every = 2.0;
	char *sql = sh->len ? strdup(sh->buf) : sh->last_sql ? strdup(sh->last_sql) : NULL;
	if (!sql) {
		fprintf(stderr, "\\watch cannot be used with an empty query\n");
		return EXIT_USAGE;
	}
	sh->len = 0;
	if (sh->buf)
		sh->buf[0] = '\0';
	watch_stop = 0;
	while (!watch_stop) {
		time_t now = time(NULL);
		char when[64];
		strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", localtime(&now));
		printf("%s (every %gs)\n\n", when, every);
		fflush(stdout);
		if (shell_execute(sh, sql) != EXIT_OK)
			break;
		struct sigaction sa = {.sa_handler = on_watch_sigint}, old;
		sigaction(SIGINT, &sa, &old);
		struct timespec ts = {.tv_sec = (time_t)every,
		                      .tv_nsec = (long)((every - (double)(time_t)every) * 1e9)};
		while (!watch_stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		sigaction(SIGINT, &old, NULL);
	}
	free(sql);
	return EXIT_OK;
}

static int conninfo(struct shell *sh)
{
	json_t *rows = fetch(sh, "select current_database(), current_user, "
	                         "host(inet_server_addr()), current_setting('port')");
	if (!rows)
		return EXIT_DAEMON_ERROR;
	json_t *r = json_array_get(rows, 0);
	const char *host = json_string_value(json_array_get(r, 2));
	printf("You are connected to database \"%s\" as user \"%s\" %s%s%s at port \"%s\" "
	       "(tuskd connection %s).\n",
	       json_string_value(json_array_get(r, 0)), json_string_value(json_array_get(r, 1)),
	       host ? "on host \"" : "via socket", host ? host : "", host ? "\"" : "",
	       json_string_value(json_array_get(r, 3)), sh->label);
	json_decref(rows);
	return EXIT_OK;
}

/* ---- dispatch ---------------------------------------------------------------------- */

static bool on_off(const char *arg, bool current, const char *what)
{
	if (!arg || !*arg)
		return !current;
	int b = ctl_parse_bool(arg);
	if (b >= 0)
		return b == 1;
	fprintf(stderr, "unrecognized value \"%s\" for \"%s\": Boolean expected\n", arg, what);
	return current;
}

int shell_meta(struct shell *sh, const char *line)
{
	char cmd[32];
	size_t n = 0;
	const char *p = line;
	while (*p && !isspace((unsigned char)*p) && n + 1 < sizeof(cmd))
		cmd[n++] = *p++;
	cmd[n] = '\0';
	while (isspace((unsigned char)*p))
		p++;
	char *arg = *p ? strdup(p) : NULL;
	for (size_t i = arg ? strlen(arg) : 0; i > 0 && isspace((unsigned char)arg[i - 1]); i--)
		arg[i - 1] = '\0';
	int r = EXIT_OK;
	if (strcmp(cmd, "\\q") == 0) {
		sh->quit = true;
	} else if (strcmp(cmd, "\\?") == 0) {
		fputs(help_text, stdout);
	} else if (strcmp(cmd, "\\x") == 0) {
		if (arg && strcmp(arg, "auto") == 0)
			sh->expanded = 2;
		else
			sh->expanded = on_off(arg, sh->expanded == 1, "\\x") ? 1 : 0;
		printf("Expanded display is %s.\n", sh->expanded == 2   ? "used automatically"
		                                    : sh->expanded == 1 ? "on"
		                                                        : "off");
	} else if (strcmp(cmd, "\\timing") == 0) {
		sh->timing = on_off(arg, sh->timing, "\\timing");
		printf("Timing is %s.\n", sh->timing ? "on" : "off");
	} else if (strcmp(cmd, "\\conninfo") == 0) {
		r = conninfo(sh);
	} else if (strcmp(cmd, "\\c") == 0 || strcmp(cmd, "\\connect") == 0) {
		if (!arg) {
			fprintf(stderr, "\\c needs a saved connection name or a URI\n");
			r = EXIT_USAGE;
		} else if ((r = shell_connect(sh, arg)) == EXIT_OK) {
			printf("You are now connected to %s%s%s.\n", sh->label,
			       sh->database ? ", database " : "", sh->database ? sh->database : "");
		}
	} else if (strcmp(cmd, "\\d") == 0) {
		r = arg && !strpbrk(arg, "*?")
		        ? describe(sh, arg)
		        : list_relations(sh, "'r','p','v','m','S','f',''", arg);
	} else if (strcmp(cmd, "\\dt") == 0) {
		r = list_relations(sh, "'r','p',''", arg);
	} else if (strcmp(cmd, "\\dv") == 0) {
		r = list_relations(sh, "'v',''", arg);
	} else if (strcmp(cmd, "\\di") == 0) {
		r = list_relations(sh, "'i','I',''", arg);
	} else if (strcmp(cmd, "\\dn") == 0) {
		r = list_schemas(sh, arg);
	} else if (strcmp(cmd, "\\df") == 0) {
		r = list_functions(sh, arg);
	} else if (strcmp(cmd, "\\du") == 0 || strcmp(cmd, "\\dg") == 0) {
		r = list_roles(sh, arg);
	} else if (strcmp(cmd, "\\i") == 0) {
		char *sql = arg ? read_file(arg) : NULL;
		if (!arg)
			fprintf(stderr, "\\i needs a file name\n");
		r = sql ? shell_execute_script(sh, sql, arg) : EXIT_USAGE;
		free(sql);
	} else if (strcmp(cmd, "\\o") == 0) {
		if (sh->out)
			fclose(sh->out);
		sh->out = NULL;
		if (arg && !(sh->out = fopen(arg, "we"))) {
			fprintf(stderr, "tuskctl: %s: %s\n", arg, strerror(errno));
			r = EXIT_USAGE;
		}
	} else if (strcmp(cmd, "\\g") == 0) {
		char *sql = sh->len ? strdup(sh->buf) : sh->last_sql ? strdup(sh->last_sql) : NULL;
		sh->len = 0;
		if (sh->buf)
			sh->buf[0] = '\0';
		if (sql)
			r = shell_execute(sh, sql);
		free(sql);
	} else if (strcmp(cmd, "\\e") == 0) {
		r = edit(sh);
	} else if (strcmp(cmd, "\\copy") == 0) {
		r = shell_copy(sh, arg);
	} else if (strcmp(cmd, "\\watch") == 0) {
		r = watch(sh, arg);
	} else {
		fprintf(stderr, "invalid command %s\nTry \\? for help.\n", cmd);
		r = EXIT_USAGE;
	}
	free(arg);
	return r;
}

int cmd_shell(struct ctl *ctl, int argc, char **argv)
{
	const char *target = getenv("TUSK_DATABASE");
	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-d") == 0 || strcmp(argv[i], "--dbname") == 0) &&
		    i + 1 < argc)
			target = argv[++i];
		else if (strncmp(argv[i], "--dbname=", 9) == 0)
			target = argv[i] + 9;
		else
			return ctl_usage_error("usage: tuskctl shell [-d NAME|URI]");
	}
	if (!isatty(STDIN_FILENO))
		return ctl_usage_error("the shell needs a terminal; use -c or -f for scripts");
	return shell_run(ctl, target);
}
