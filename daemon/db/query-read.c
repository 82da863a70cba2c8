/* Reading a query's results: rows in single-row mode, batched and
 * rendered for the sink, result summaries, errors, the UTF-8 guard, and the
 * loop that consumes what libpq has parsed (query.c drives it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/buffer.h>

#include "common/cellvalue.h"
#include "common/clock.h"
#include "common/jsonstr.h"
#include "common/copy-text.h"
#include "common/log.h"
#include "common/model-query.h"
#include "common/sql.h"
#include "common/sql-scan.h"
#include "common/uuid.h"
#include "daemon/db/context.h"
#include "daemon/db/db-internal.h"
#include "daemon/db/meta.h"
#include "daemon/db/pool.h"
#include "daemon/db/query.h"
#include "daemon/db/query-copy.h"
#include "daemon/db/query-internal.h"
#include "daemon/db/rowjson.h"
#include "daemon/db/tunnel.h"
#include "daemon/worker/worker.h"

/* ---- rows ---------------------------------------------------------------- */

/* COPY … TO STDOUT's own bytes go to the client as they are (a render of
 * a SELECT run as COPY is text like any render). */
static bool copy_raw(const struct query *q)
{
	return q->copy == COPY_OUT && q->via != VIA_COPY;
}

void query_flush_batch(struct query *q)
{
	if (q->batch_count == 0)
		return;
	bool raw = copy_raw(q);
	if (!q->render && !raw)
		evbuffer_add(q->batch, "]", 1);
	size_t len = evbuffer_get_length(q->batch);
	const char *data = (const char *)evbuffer_pullup(q->batch, -1);
	q->copy_flushed_us = tusk_mono_us();
	if (!q->detached && q->state == QUERY_RUNNING) {
		if (raw)
			q->sink->copy_out(q->ud, q, q->result_index, data, len, q->batch_count);
		else if (q->render)
			q->sink->text(q->ud, q, q->result_index, data, len, q->batch_count);
		else
			q->sink->rows(q->ud, q, q->result_index, data, len, q->batch_count);
	}
	evbuffer_drain(q->batch, len);
	q->batch_count = 0;
}

static void add_row(struct query *q, const PGresult *res);
static void end_result(struct query *q, const PGresult *res);

static void columns_ready(json_t *cols, const TuskError *e, void *ud)
{
	struct query *q = ud;
	if (e)
		log_debug("query", "%s: columns described in part: %s", q->id,
		          tusk_error_message(e));
	if (cols && !q->detached && q->state == QUERY_RUNNING)
		q->sink->columns(q->ud, q, q->result_index, cols);
	if (q->in_describe)
		return; /* described at once: send_columns goes on */
	q->meta_wait = NULL;
	PGresult *res = q->meta_res;
	q->meta_res = NULL;
	if (q->via == VIA_DESCRIBE)
		; /* the statement's description: the COPY comes next */
	else if (PQresultStatus(res) == PGRES_SINGLE_TUPLE)
		add_row(q, res);
	else
		end_result(q, res);
	PQclear(res);
	if (q->b && !q->paused) {
		backend_watch(q->b, EV_READ);
		query_step(q);
	}
}

/* Describe the result set's columns. false: the description needs a
 * catalog look-up; res is kept and handled when it is done. */
static bool send_columns(struct query *q, PGresult *res)
{
	q->ncols = PQnfields(res);
	free(q->col_types);
	q->col_types = calloc((size_t)q->ncols + 1, sizeof(*q->col_types));
	for (int i = 0; i < q->ncols; i++)
		q->col_types[i] = PQftype(res, i);
	q->columns_sent = true;
	q->in_describe = true;
	q->meta_wait = meta_describe(q->pool, pool_meta(q->pool), res, columns_ready, q);
	q->in_describe = false;
	if (!q->meta_wait)
		return true;
	q->meta_res = res;
	backend_watch(q->b, 0);
	return false;
}

static void emit_evbuffer(void *ud, const char *buf, size_t len)
{
	evbuffer_add(ud, buf, len);
}

/* One row as a csv / tsv line, exactly as the client would print it. */
static void render_row(struct query *q, const PGresult *res)
{
	char sep = tusk_render_separator(q->render);
	for (int c = 0; c < q->ncols; c++) {
		if (c)
			evbuffer_add(q->batch, &sep, 1);
		if (!PQgetisnull(res, 0, c))
			tusk_render_field(q->render, PQgetvalue(res, 0, c),
			                  (size_t)PQgetlength(res, 0, c), emit_evbuffer, q->batch);
	}
	evbuffer_add(q->batch, "\n", 1);
}

static void add_row(struct query *q, const PGresult *res)
{
	if (q->max_rows > 0 && (int64_t)q->total_rows >= q->max_rows) {
		if (!q->truncated) {
			q->truncated = true;
			query_cancel(q);
		}
		return;
	}
	if (q->stored) {
		if (!q->detached && q->state == QUERY_RUNNING)
			q->sink->row(q->ud, q, q->result_index, res);
	} else if (q->render) {
		render_row(q, res);
	} else {
		evbuffer_add(q->batch, q->batch_count ? "," : "[", 1);
		rowjson_append(q->batch, res, 0, q->ncols, q->typed ? q->col_types : NULL);
	}
	q->batch_count += !q->stored;
	q->result_rows++;
	q->total_rows++;
	if (q->batch_count >= q->batch_rows || evbuffer_get_length(q->batch) >= q->batch_bytes)
		query_flush_batch(q);
	query_progress(q, tusk_mono_us());
}

static void on_progress_timer(evutil_socket_t fd, short what, void *ud)
{
	struct query *q = ud;
	if (q->state == QUERY_RUNNING && q->total_rows != q->progress_rows)
		query_progress(q, tusk_mono_us());
}

void query_progress(struct query *q, uint64_t now)
{
	uint64_t since = now - q->last_progress_us;
	if (since >= 100000) {
		q->last_progress_us = now;
		q->progress_rows = q->total_rows;
		if (!q->detached)
			q->sink->progress(q->ud, q, q->total_rows, (now - q->started_us) / 1000);
		return;
	}
	if (!q->progress_timer)
		q->progress_timer = evtimer_new(q->db->env.base, on_progress_timer, q);
	if (q->progress_timer && !evtimer_pending(q->progress_timer, NULL)) {
		struct timeval tv = {.tv_usec = (suseconds_t)(100000 - since)};
		evtimer_add(q->progress_timer, &tv);
	}
}

static bool tag_is(const char *tag, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(tag, prefix, n) == 0 && (tag[n] == '\0' || tag[n] == ' ');
}

/* Command tags that set something for the session's next statements, as
 * a user means them to stay in a psql session. */
static bool sets_for_session(const char *tag)
{
	static const char *const prefixes[] = {"SET", "RESET", "PREPARE", "DECLARE CURSOR", "LOAD"};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (tag_is(tag, prefixes[i]))
			return true;
	return false;
}

/* SET LOCAL and SET TRANSACTION end with their transaction. The script
 * is scanned once, at its first SET (about 7 ms for 64 KiB); past 64 KiB
 * it is not: taken as a session SET then (held, and reset on its way back). */
static bool set_is_local(struct query *q, const char *tag)
{
	if (strcmp(tag, "SET") != 0 || !q->sql)
		return false;
	if (q->n_local_sets == 0 && !q->local_sets) {
		q->n_local_sets =
		    strlen(q->sql) <= 64 * 1024 ? tusk_sql_local_sets(q->sql, &q->local_sets) : -1;
	}
	return (int)q->result_index < q->n_local_sets && q->local_sets[q->result_index];
}

/* Command tags after which a backend's session differs from a fresh one. */
static bool changes_session(const char *tag)
{
	/* sets_for_session's tags, and these (temporary objects, LISTEN …) */
	static const char *const prefixes[] = {
	    "DEALLOCATE",  "LISTEN",          "UNLISTEN",        "CREATE TABLE",
	    "CREATE VIEW", "CREATE SEQUENCE", "CREATE FUNCTION",
	};
	if (sets_for_session(tag))
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (tag_is(tag, prefixes[i]))
			return true;
	return false;
}

static void end_result(struct query *q, const PGresult *res)
{
	query_flush_batch(q);
	const char *tag = PQcmdStatus((PGresult *)res);
	const char *affected = PQcmdTuples((PGresult *)res);
	bool has_rows = PQresultStatus(res) == PGRES_TUPLES_OK;
	char select_tag[48];
	if (q->via == VIA_COPY) {
		/* What the SELECT would have said ("COPY n" is ours). */
		snprintf(select_tag, sizeof(select_tag), "SELECT %s", affected ? affected : "0");
		tag = select_tag;
		has_rows = true;
	}
	json_t *s =
	    json_pack("{s:i, s:s, s:o, s:s, s:I, s:b, s:f}", "result_index", (int)q->result_index,
	              "command_tag", tag ? tag : "", "rows_affected",
	              affected && *affected ? json_integer(atoll(affected)) : json_null(),
	              "query_type", tusk_query_type_name(tusk_query_type_from_command_tag(tag)),
	              "row_count", (json_int_t)q->result_rows, "has_rows", has_rows,
	              "execution_time_ms", query_ms_since(q->result_started_us));
	json_array_append_new(q->results, s);
	/* The catalog may have changed: forget cached column facts. */
	if (tusk_sql_tag_is_ddl(tag)) {
		meta_cache_invalidate(pool_meta(q->pool));
		q->ran_ddl = true;
	}
	if (tag && strcmp(tag, "DISCARD ALL") == 0)
		backend_mark_clean(q->b); /* a named context lets it go again */
	else if (tag && set_is_local(q, tag))
		; /* gone with the transaction: nothing to hold or reset */
	else if (tag && sets_for_session(tag))
		backend_mark_settings(q->b);
	else if (tag && changes_session(tag))
		backend_mark_dirty(q->b);
	if (q->state == QUERY_RUNNING && !q->detached)
		q->sink->result(q->ud, q, s);
	q->result_index++;
	q->result_rows = 0;
	q->columns_sent = false;
	q->result_started_us = tusk_mono_us();
}

/* ---- reading ------------------------------------------------------------- */

/* Which statement of the script failed. The server counts the position in
 * characters of the whole script; libpg_query splits it as the server did.
 * Scripts past 64 KiB would cost the loop too long to analyse (about
 * 0.5 ms per KiB): for those, the result sets completed before the error
 * say it. */
static unsigned statement_of_error(struct query *q, unsigned position)
{
	size_t len = strlen(q->sql);
	if (position == 0 || len > 64 * 1024 || !q->b)
		return q->result_index;
	const char *scs = PQparameterStatus(backend_conn(q->b), "standard_conforming_strings");
	unsigned flags = scs && strcmp(scs, "off") == 0 ? TUSK_SQL_BACKSLASH_ESCAPES : 0;
	TuskSqlScript script = {0};
	unsigned idx = q->result_index;
	if (tusk_sql_analyse_flags(q->sql, len, flags, &script, NULL) == 0 && script.n > 0)
		idx = (unsigned)tusk_sql_statement_at(&script, position);
	tusk_sql_script_clear(&script);
	return idx;
}

static void record_error(struct query *q, const PGresult *res)
{
	if (q->error.kind != TUSK_ERR_NONE)
		return;
	tusk_error_from_pgresult(&q->error, res);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	bool cancelled = state && strcmp(state, "57014") == 0;
	if (cancelled && q->truncated) {
		/* Our own cancel after max_rows: not an error. */
		tusk_error_clear(&q->error);
		return;
	}
	if (cancelled && q->timed_out) {
		tusk_error_clear(&q->error);
		tusk_error_set(&q->error, TUSK_ERR_QUERY_TIMEOUT, "Query timeout after %lldms",
		               (long long)q->timeout_ms);
	} else if (cancelled && q->cancel_requested) {
		tusk_error_clear(&q->error);
		tusk_error_set(&q->error, TUSK_ERR_QUERY_CANCELLED, "Query cancelled");
	}
	/* libpq files a bind or protocol complaint (class 08) under connection
	 * errors, but a backend that is still up only refused this query. */
	if (q->error.kind == TUSK_ERR_CONNECTION_FAILED && q->b &&
	    PQstatus(backend_conn(q->b)) == CONNECTION_OK)
		q->error.kind = TUSK_ERR_QUERY_FAILED;
	q->error_statement = statement_of_error(q, q->error.position);
}

/* JSON text is UTF-8, and so is every session tuskd opens: the server
 * then converts what it sends, or refuses what it cannot. A statement that
 * changes client_encoding (SET client_encoding, set_config) would let text
 * in another encoding through — mangled on the way, or not valid UTF-8 at
 * all (a SQL_ASCII database) — so from that moment nothing more is read:
 * the query ends with serialization_error and the backend is reset
 * (DISCARD ALL) before anyone else uses it; a named context keeps its
 * session and says the same until RESET client_encoding. */
static bool not_utf8(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return tusk_utf8_invalid_at(s + i, len - i) != len - i;
	return false;
}

/* The server reports a new client_encoding only when the query ends
 * (ParameterStatus before ReadyForQuery): the statements after a SET in
 * the same query text are checked by their bytes instead — the names and
 * values of every result but the first. */
static const char *bytes_not_utf8(struct query *q, const PGresult *res)
{
	if (q->result_index == 0)
		return NULL;
	int n = PQnfields(res);
	for (int c = 0; c < n; c++) {
		const char *name = PQfname(res, c);
		if (!q->columns_sent && name && not_utf8(name, strlen(name)))
			return "a column name";
		for (int r = 0; r < PQntuples(res); r++)
			if (!PQgetisnull(res, r, c) &&
			    not_utf8(PQgetvalue(res, r, c), (size_t)PQgetlength(res, r, c)))
				return "a value";
	}
	return NULL;
}

static bool encoding_guard(struct query *q, PGconn *conn, const PGresult *res)
{
	int utf8 = q->db->utf8_encoding;
	if (q->encoding_lost)
		return false;
	int enc = PQclientEncoding(conn);
	const char *what = enc == utf8 ? bytes_not_utf8(q, res) : NULL;
	if (enc == utf8 && !what)
		return true;
	q->encoding_lost = true;
	backend_mark_dirty(q->b);
	if (q->error.kind != TUSK_ERR_NONE)
		return false; /* the first error stands */
	if (what)
		tusk_error_set(&q->error, TUSK_ERR_SERIALIZATION,
		               "%s of result %u is not UTF-8: a statement before it changed the "
		               "session's client_encoding, and what the server sends now cannot be "
		               "passed on as JSON text unchanged, so it was not read",
		               what, q->result_index + 1);
	else
		tusk_error_set(
		    &q->error, TUSK_ERR_SERIALIZATION,
		    "the session's client_encoding is %s, not UTF8: what the server sends "
		    "now cannot be passed on as JSON text unchanged, so it was not read",
		    pg_encoding_to_char(enc));
	tusk_error_set_hint(&q->error,
	                    "Tusk talks to the server in UTF-8 and the server converts: leave "
	                    "client_encoding alone (RESET client_encoding in a named context); to "
	                    "see raw bytes, select convert_to(value, 'SQL_ASCII') as bytea");
	q->error_statement = q->result_index;
	return false;
}

/* Consume what libpq has parsed. Returns false when the query ended. */
bool query_drain_results(struct query *q)
{
	PGconn *conn = backend_conn(q->b);
	if (q->copy == COPY_IN)
		return true; /* the client sends; the outcome comes after the end */
	if (q->copy == COPY_OUT && query_read_copy_out(q) == 0)
		return true;
	while (!PQisBusy(conn)) {
		if (q->meta_wait)
			return true; /* columns_ready reads on */
		if (q->state == QUERY_RUNNING && !q->detached && q->sink->congested(q->ud, q)) {
			q->paused = true;
			backend_watch(q->b, 0);
			return true;
		}
		PGresult *res = PQgetResult(conn);
		if (!res) {
			if ((q->via == VIA_PREPARE || q->via == VIA_DESCRIBE) &&
			    q->error.kind == TUSK_ERR_NONE && q->via_answered &&
			    !q->cancel_requested) {
				if (query_via_next(q) == 0)
					continue;
				tusk_error_set(&q->error, TUSK_ERR_CONNECTION_FAILED,
				               "cannot send the query");
				tusk_error_set_detail(&q->error, "%s", PQerrorMessage(conn));
			}
			query_finish(q);
			return false;
		}
		if (!encoding_guard(q, conn, res)) {
			/* COPY data is read and dropped like the rest. */
			if (PQresultStatus(res) == PGRES_COPY_IN)
				PQputCopyEnd(conn, "not read: the session left UTF-8");
			else if (PQresultStatus(res) == PGRES_COPY_OUT) {
				char *buf;
				int n;
				while ((n = PQgetCopyData(conn, &buf, 1)) > 0)
					PQfreemem(buf);
				if (n == 0) {
					PQclear(res);
					return true;
				}
			}
			PQclear(res);
			continue;
		}
		switch (PQresultStatus(res)) {
		case PGRES_SINGLE_TUPLE:
			if (!q->columns_sent && !send_columns(q, res))
				return true; /* res is kept until the columns are described */
			add_row(q, res);
			break;
		case PGRES_TUPLES_OK:
			if (!q->columns_sent && !send_columns(q, res))
				return true;
			end_result(q, res);
			break;
		case PGRES_COMMAND_OK:
			if (q->via == VIA_PREPARE || q->via == VIA_DESCRIBE) {
				q->via_answered = true;
				if (q->via == VIA_DESCRIBE && PQnfields(res) > 0 &&
				    !send_columns(q, res))
					return true; /* kept until described; then the COPY */
				break;
			}
			end_result(q, res);
			break;
		case PGRES_EMPTY_QUERY:
			break;
		case PGRES_COPY_IN:
			query_copy_in_begins(q, res);
			PQclear(res);
			if (q->copy == COPY_IN)
				return true;
			continue;
		case PGRES_COPY_OUT:
			PQclear(res);
			q->copy = COPY_OUT;
			q->copy_flushed_us = tusk_mono_us();
			if (query_read_copy_out(q) == 0)
				return true;
			continue;
		default:
			record_error(q, res);
			break;
		}
		PQclear(res);
	}
	return true;
}
