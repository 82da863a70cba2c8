/* A script run statement by statement on one session, as psql -f runs one:
 * a statement that fails is reported and the next one runs (unless told
 * to stop), VACUUM and CREATE INDEX CONCURRENTLY run outside a transaction
 * block, and SET or set_config() carry to the statements after them (the
 * daemon holds the backend while more statements follow). Statement
 * boundaries come from libpg_query (common/sql.h). Of psql's meta-commands
 * a script may hold, \set ON_ERROR_STOP, \echo and \qecho are done,
 * pg_dump's \restrict / \unrestrict and display settings are passed
 * over, and any other is an error of its line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client-cli/script.h"
#include "client-cli/tuskctl.h"
#include "common/error.h"
#include "common/jsonstr.h"
#include "common/sql.h"

/* The script's data block for statement i, or NULL: the data was cut out
 * of the SQL after the statement's end and before the next one starts. */
static const struct script_data *data_of(const struct script *s, const TuskSqlScript *ts, size_t i,
                                         size_t *k)
{
	const TuskSqlStatement *st = &ts->stmts[i];
	/* A statement's text starts with the comments before it, so a COPY's
	 * data (cut at the end of its line, after a comment there too) can
	 * lie past the next statement's start: never past its end. */
	size_t next =
	    i + 1 < ts->n ? ts->stmts[i + 1].offset + ts->stmts[i + 1].length : s->sql_len;
	const struct script_data *d = NULL;
	while (*k < s->ndata && s->data[*k].sql_at <= next) {
		if (s->data[*k].sql_at >= st->offset + st->length)
			d = &s->data[*k];
		(*k)++;
	}
	return d;
}

static int run_text(const struct script *s, script_exec_fn exec, void *ud, const char *sql,
                    bool hold, int *kind)
{
	struct script_stmt st = {
	    .sql = sql, .sql_offset = s->sql_len, .hold_session = hold, .quiet = true};
	return exec(ud, s, &st, kind);
}

/* A script's text that is not UTF-8 cannot go out as JSON: say which line. */
bool ctl_script_is_utf8(const struct script *sc)
{
	size_t bad = tusk_utf8_invalid_at(sc->sql, sc->sql_len);
	if (bad >= sc->sql_len)
		return true;
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_SERIALIZATION,
	               "%s, line %lu: the SQL is not valid UTF-8 (byte 0x%02x at offset %zu): it "
	               "cannot be sent as JSON text",
	               sc->name, ctl_script_line_of_sql(sc, bad), (unsigned char)sc->sql[bad],
	               ctl_script_file_offset(sc, bad));
	tusk_error_set_hint(&e, "Tusk sends SQL as UTF-8: convert the file first, e.g. iconv -f "
	                        "LATIN1 -t UTF-8 FILE");
	ctl_print_error(&e);
	tusk_error_clear(&e);
	return false;
}

/* \\echo's words as psql prints them: one space between words, a
 * '…' word without its quotes ('' in it is one quote). */
static void echo(const char *p)
{
	bool first = true;
	while (*p) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		if (!first)
			putchar(' ');
		first = false;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p != '\'') {
				putchar(*p++);
				continue;
			}
			for (p++; *p; p++) {
				if (*p == '\'' && p[1] == '\'')
					putchar(*p++);
				else if (*p == '\'')
					break;
				else
					putchar(*p);
			}
			if (*p)
				p++;
		}
	}
	putchar('\n');
	fflush(stdout);
}

enum meta_outcome {
	META_DONE,
	META_FAILED, /* one tuskctl does not run: an error of its line */
	META_FATAL,  /* … and running on without it would run SQL psql would not */
};

/* Do the meta-command line m (a failure is said on stderr, with its line). */
static enum meta_outcome run_meta(const struct script *s, const struct script_meta *m,
                                  struct script_run *how)
{
	char line[1024];
	snprintf(line, sizeof(line), "%.*s", (int)m->len, s->text + m->offset);
	char *save = NULL, *cmd = strtok_r(line, " \t", &save);
	char *rest = save ? save + strspn(save, " \t") : NULL;
	if (!cmd)
		return META_DONE;
	if (strcmp(cmd, "\\echo") == 0 || strcmp(cmd, "\\qecho") == 0) {
		echo(rest ? rest : "");
		return META_DONE;
	}
	if (strcmp(cmd, "\\set") == 0 || strcmp(cmd, "\\unset") == 0) {
		char *var = strtok_r(NULL, " \t", &save);
		char *val = strtok_r(NULL, " \t", &save);
		bool set = strcmp(cmd, "\\set") == 0;
		int v = set ? (val ? ctl_parse_bool(val) : -1) : 0;
		if (var && strcmp(var, "ON_ERROR_STOP") == 0 && v >= 0) {
			how->stop_on_error = v == 1;
			return META_DONE;
		}
		if (var && strcmp(var, "ON_ERROR_STOP") == 0) {
			fprintf(stderr,
			        "tuskctl: %s, line %lu: \\set ON_ERROR_STOP takes on or off\n",
			        s->name, m->line);
			return META_FAILED;
		}
		fprintf(stderr,
		        "tuskctl: %s, line %lu: %s %s passed over (tuskctl keeps only "
		        "ON_ERROR_STOP of psql's variables)\n",
		        s->name, m->line, cmd, var ? var : "");
		return META_DONE;
	}
	/* pg_dump's guard, and psql's display settings: nothing to do. */
	static const char *const passed[] = {
	    "\\restrict", "\\unrestrict", "\\timing", "\\pset", "\\x", "\\t", "\\a", "\\encoding"};
	for (size_t i = 0; i < sizeof(passed) / sizeof(*passed); i++)
		if (strcmp(cmd, passed[i]) == 0)
			return META_DONE;
	/* Where or whether the SQL after them runs: another database, a
	 * branch, another file. Going on without them would run SQL where or
	 * when psql would not. */
	static const char *const fatal[] = {
	    "\\c",     "\\connect", "\\if", "\\elif",    "\\else",
	    "\\endif", "\\i",       "\\ir", "\\include", "\\include_relative",
	    "\\gexec"};
	bool stop = false;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(*fatal); i++)
		stop = stop || strcmp(cmd, fatal[i]) == 0;
	fprintf(stderr,
	        "tuskctl: %s, line %lu: psql's %s is not run from a script by tuskctl (it runs "
	        "SQL, \\set ON_ERROR_STOP and \\echo)%s\n",
	        s->name, m->line, cmd,
	        stop ? "; the script stops here: the SQL after it would not run where or when "
	               "psql runs it"
	             : "");
	return stop ? META_FATAL : META_FAILED;
}

/* Run the meta-commands cut out before SQL byte upto; false when one
 * failed and the script stops for it. */
static bool metas_before(const struct script *s, size_t upto, size_t *mi, struct script_run *how,
                         int *failed)
{
	for (; *mi < s->nmetas && s->metas[*mi].sql_at <= upto; (*mi)++) {
		enum meta_outcome o = run_meta(s, &s->metas[*mi], how);
		if (o == META_DONE)
			continue;
		if (*failed == EXIT_OK)
			*failed = EXIT_DAEMON_ERROR;
		if (o == META_FATAL || how->stop_on_error) {
			(*mi)++;
			return false;
		}
	}
	return true;
}

int ctl_script_run(const struct script *s, const struct script_run *given, script_exec_fn exec,
                   void *ud)
{
	struct script_run run = *given, *how = &run;
	/* In one transaction the first failure ends it. */
	run.stop_on_error |= run.single_transaction;
	TuskSqlScript ts = {0};
	TuskError e = TUSK_ERROR_INIT;
	if (tusk_sql_analyse(s->sql, s->sql_len, &ts, &e) < 0) {
		ctl_print_error(&e);
		tusk_error_clear(&e);
		return EXIT_DAEMON_ERROR;
	}
	bool one = how->single_transaction;
	int kind = TUSK_ERR_NONE, failed = EXIT_OK, r;
	if (one && ts.n > 0 && (r = run_text(s, exec, ud, "BEGIN", true, &kind)) != EXIT_OK) {
		tusk_sql_script_clear(&ts);
		return r;
	}
	size_t k = 0, mi = 0;
	bool stopped = false;
	for (size_t i = 0; i < ts.n && !stopped; i++) {
		const TuskSqlStatement *t = &ts.stmts[i];
		/* before its end: a meta-command line after a comment that
		 * opens the statement's text runs before the statement too */
		if (!metas_before(s, t->offset + t->length, &mi, how, &failed)) {
			stopped = true;
			break;
		}
		char *sql = strndup(s->sql + t->offset, t->length);
		if (!sql) {
			failed = EXIT_DAEMON_ERROR;
			fprintf(stderr, "tuskctl: out of memory\n");
			stopped = true;
			break;
		}
		struct script_stmt st = {.sql = sql,
		                         .sql_offset = t->offset,
		                         .data = data_of(s, &ts, i, &k),
		                         .hold_session = one || i + 1 < ts.n};
		kind = TUSK_ERR_NONE;
		r = exec(ud, s, &st, &kind);
		free(sql);
		if (r == EXIT_OK)
			continue;
		if (failed == EXIT_OK)
			failed = r;
		/* A statement's own error: psql goes on with the next one. */
		bool statement_error =
		    kind == TUSK_ERR_QUERY_FAILED || kind == TUSK_ERR_QUERY_TIMEOUT;
		if (!statement_error || how->stop_on_error)
			stopped = true;
	}
	if (!stopped && !metas_before(s, s->sql_len, &mi, how, &failed))
		stopped = true;
	if (one && ts.n > 0) {
		if (failed == EXIT_OK) {
			failed = run_text(s, exec, ud, "COMMIT", false, &kind);
		} else {
			run_text(s, exec, ud, "ROLLBACK", false, &kind);
			fprintf(stderr,
			        "tuskctl: the script ran in one transaction (-1): rolled back\n");
		}
	}
	tusk_sql_script_clear(&ts);
	return failed;
}
