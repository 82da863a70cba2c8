/* COPY in a query: the decision to run a rendered SELECT as COPY
 * (libpg_query says what the script is; its scanner finds the keywords that
 * rule COPY out; a query refused here simply runs in single-row mode), and
 * the COPY data itself, both ways: TO STDOUT read and sent on in chunks,
 * FROM STDIN fed by the client, ended or failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "common/clock.h"
#include "common/copy-text.h"
#include "common/sql-scan.h"
#include "common/sql.h"
#include "daemon/db/pool.h"
#include "daemon/db/query-copy.h"
#include "daemon/db/query-internal.h"
#include "daemon/db/query.h"

#define COPY_SQL_MAX (4 * 1024)

/* Keywords after which COPY would differ or refuse: row locks, INTO,
 * data-modifying WITH. A false alarm (substring(x for 2)) only costs the
 * fast path. */
static bool refuses(const char *sql, size_t off, size_t len)
{
	static const char *const words[] = {"for",    "into",  "insert", "update",
	                                    "delete", "merge", "copy"};
	char *stmt = strndup(sql + off, len);
	TuskSqlToken *tok = NULL;
	int n = stmt ? tusk_sql_scan(stmt, &tok) : -1;
	bool bad = n < 0;
	for (int i = 0; i < n && !bad; i++) {
		if (!tok[i].keyword)
			continue;
		size_t tl = tok[i].end - tok[i].start;
		for (size_t w = 0; w < sizeof(words) / sizeof(*words) && !bad; w++)
			bad = tl == strlen(words[w]) &&
			      strncasecmp(stmt + tok[i].start, words[w], tl) == 0;
	}
	free(tok);
	free(stmt);
	return bad;
}

char *query_copy_sql(const char *sql)
{
	size_t len = strlen(sql);
	if (len > COPY_SQL_MAX)
		return NULL;
	TuskSqlScript script = {0};
	char *out = NULL;
	if (tusk_sql_analyse(sql, len, &script, NULL) == 0 && !script.parse_error &&
	    script.n == 1 && script.stmts[0].type == TUSK_QUERY_SELECT &&
	    script.stmts[0].returns_rows && script.stmts[0].tag &&
	    strcmp(script.stmts[0].tag, "SELECT") == 0 &&
	    !refuses(sql, script.stmts[0].offset, script.stmts[0].length)) {
		const TuskSqlStatement *st = &script.stmts[0];
		/* On lines of its own: a trailing -- comment cannot eat the ")". */
		size_t cap = st->length + 32;
		out = malloc(cap);
		if (out)
			snprintf(out, cap, "COPY (\n%.*s\n) TO STDOUT", (int)st->length,
			         sql + st->offset);
	}
	tusk_sql_script_clear(&script);
	return out;
}

/* ---- COPY data ------------------------------------------------------------ */

/* Bytes of COPY data per message to the client. */
#define COPY_CHUNK (256 * 1024)

static void copy_row(struct query *q, const char *buf, size_t n)
{
	if (q->max_rows > 0 && (int64_t)q->total_rows >= q->max_rows) {
		if (!q->truncated) {
			q->truncated = true;
			query_cancel(q);
		}
		return;
	}
	if (q->via == VIA_COPY) {
		if (tusk_copy_text_render(q->render, buf, n, &q->scratch) == 0)
			evbuffer_add(q->batch, q->scratch.buf, q->scratch.len);
	} else {
		evbuffer_add(q->batch, buf, n);
	}
	q->batch_count++;
	q->result_rows++;
	q->total_rows++;
	size_t limit = q->batch_bytes < COPY_CHUNK ? q->batch_bytes : COPY_CHUNK;
	if (evbuffer_get_length(q->batch) >= limit)
		query_flush_batch(q);
	/* The clock every 64 rows: once a row it cost a tenth of a COPY's time. */
	if (q->total_rows % 64)
		return;
	query_progress(q, tusk_mono_us());
}

/* Read COPY … TO STDOUT data. 1: the data ended (PQgetResult has the
 * outcome); 0: wait for the socket or the client. */
int query_read_copy_out(struct query *q)
{
	PGconn *conn = backend_conn(q->b);
	for (;;) {
		if (q->state == QUERY_RUNNING && !q->detached && q->sink->congested(q->ud, q)) {
			q->paused = true;
			backend_watch(q->b, 0);
			return 0;
		}
		char *buf;
		int n = PQgetCopyData(conn, &buf, 1);
		if (n == 0) {
			/* Nothing more for now: a slow producer's rows still go out. */
			if (q->batch_count && tusk_mono_us() - q->copy_flushed_us >= 50000)
				query_flush_batch(q);
			return 0;
		}
		if (n < 0) {
			query_flush_batch(q);
			q->copy = COPY_NONE;
			return 1;
		}
		copy_row(q, buf, (size_t)n);
		PQfreemem(buf);
	}
}

void query_watch_flush(struct query *q)
{
	int f = PQflush(backend_conn(q->b));
	backend_watch(q->b, f == 1 ? EV_READ | EV_WRITE : EV_READ);
}

void query_copy_in_begins(struct query *q, const PGresult *res)
{
	q->copy = COPY_IN;
	if (q->detached || q->cancel_requested || !q->sink->copy_in) {
		PQputCopyEnd(backend_conn(q->b), q->sink->copy_in ? "cancelled"
		                                                  : "COPY FROM STDIN is not "
		                                                    "supported here");
		q->copy = COPY_NONE;
		query_watch_flush(q);
		return;
	}
	q->sink->copy_in(q->ud, q, q->result_index, PQbinaryTuples(res) != 0, PQnfields(res));
}

/* Send the COPY's end (or its failure): the outcome follows from the
 * server. Does not read: the caller steps, or the socket wakes it. */
int query_copy_send_end(struct query *q, const char *fail_message)
{
	PGconn *conn = backend_conn(q->b);
	q->copy = COPY_NONE;
	q->copy_full = false;
	if (PQputCopyEnd(conn, fail_message) != 1)
		return -1;
	query_watch_flush(q);
	/* The server's answer may already sit in libpq's buffer. */
	backend_kick(q->b);
	return 0;
}

bool query_copy_waiting(const struct query *q)
{
	return q->state == QUERY_RUNNING && q->copy == COPY_IN;
}

bool query_copy_full(const struct query *q)
{
	return q->copy_full;
}

static int not_waiting(struct query *q, TuskError *e)
{
	return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
	                      "query '%s' is not waiting for COPY data (no COPY FROM STDIN "
	                      "is running, or it has ended)",
	                      q->id);
}

int query_copy_put(struct query *q, const void *data, size_t len, TuskError *e)
{
	if (!query_copy_waiting(q))
		return not_waiting(q, e);
	if (len == 0)
		return 0;
	PGconn *conn = backend_conn(q->b);
	if (PQputCopyData(conn, data, (int)len) != 1)
		return tusk_error_set(e, TUSK_ERR_CONNECTION_FAILED, "cannot send COPY data: %s",
		                      PQerrorMessage(conn));
	int f = PQflush(conn);
	if (f < 0)
		return tusk_error_set(e, TUSK_ERR_CONNECTION_FAILED, "cannot send COPY data: %s",
		                      PQerrorMessage(conn));
	if (f == 1) {
		q->copy_full = true;
		backend_watch(q->b, EV_READ | EV_WRITE);
	}
	return 0;
}

int query_copy_end(struct query *q, const char *fail_message, TuskError *e)
{
	if (!query_copy_waiting(q))
		return not_waiting(q, e);
	if (query_copy_send_end(q, fail_message) < 0)
		return tusk_error_set(e, TUSK_ERR_CONNECTION_FAILED, "cannot end the COPY: %s",
		                      PQerrorMessage(backend_conn(q->b)));
	return 0;
}

/* A render run as COPY: after the prepare, describe; after the
 * description, the COPY (or, with no columns, the statement as it is). */
int query_via_next(struct query *q)
{
	PGconn *conn = backend_conn(q->b);
	int ok;
	q->via_answered = false;
	if (q->via == VIA_PREPARE) {
		q->via = VIA_DESCRIBE;
		ok = PQsendDescribePrepared(conn, "");
	} else if (q->columns_sent) {
		q->via = VIA_COPY;
		ok = PQsendQuery(conn, q->copy_sql);
	} else {
		q->via = VIA_NONE;
		ok = PQsendQuery(conn, q->sql) && PQsetSingleRowMode(conn);
	}
	if (ok)
		query_watch_flush(q);
	return ok ? 0 : -1;
}
