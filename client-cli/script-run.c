/* A script run statement by statement on one session, as psql -f runs one:
 * a statement that fails is reported and the next one runs (unless told
 * to stop), VACUUM and CREATE INDEX CONCURRENTLY run outside a transaction
 * block, and SET or set_config() carry to the statements after them (the
 * daemon holds the backend while more statements follow). Statement
 * boundaries come from libpg_query (common/sql.h). */
#include <stdlib.h>
#include <string.h>

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
	size_t next = i + 1 < ts->n ? ts->stmts[i + 1].offset : s->sql_len;
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
	struct script_stmt st = {.sql = sql, .sql_offset = s->sql_len, .hold_session = hold};
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

int ctl_script_run(const struct script *s, const struct script_run *how, script_exec_fn exec,
                   void *ud)
{
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
	size_t k = 0;
	for (size_t i = 0; i < ts.n; i++) {
		const TuskSqlStatement *t = &ts.stmts[i];
		char *sql = strndup(s->sql + t->offset, t->length);
		if (!sql) {
			failed = EXIT_DAEMON_ERROR;
			fprintf(stderr, "tuskctl: out of memory\n");
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
		if (!statement_error || how->stop_on_error || one)
			break;
	}
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
