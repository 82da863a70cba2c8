/* tuskctl's output formats. Results arrive as query.columns / query.rows
 * notifications (text or null cells) and end with a summary per result set;
 * a formatter writes them as they come, holding only what the format needs
 * (aligned output holds one result set to measure column widths). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* Each text format is byte-identical to a psql 15 invocation on the same
 * SQL (psql -X, client encoding UTF8; tests/integration/test-fidelity.sh):
 *   aligned  psql                          (into a pipe: no pager, no wrap)
 *   csv      psql --csv
 *   tsv      psql -A -F '<TAB>' -P footer=off   (values as they are: a tab or
 *            newline inside a value is not escaped, as in psql)
 * including the command tags psql prints ("INSERT 0 1", "SET"; after the
 * rows for INSERT/UPDATE/DELETE … RETURNING) unless quiet (psql -q).
 *   json     per result set with rows, one array of objects, one object
 *            per line: "[\n{…},\n{…}\n]\n" ("[]\n" when empty)
 *   jsonl    one object per row and line
 * json/jsonl values use the typed mapping (common/cellvalue.h), float
 * columns as PostgreSQL printed them; keys are column names, a repeated name gets
 * "_2", "_3", … (the first that is no other column's name); statements
 * without rows print nothing, so the output stays JSON. */
enum format_kind {
	FORMAT_ALIGNED, /* psql's default table */
	FORMAT_CSV,     /* byte-identical to psql --csv */
	FORMAT_TSV,     /* psql's unaligned with a tab separator, header included */
	FORMAT_JSON,    /* one JSON array of objects per result set, typed values */
	FORMAT_JSONL,   /* one JSON object per row, typed values */
};

struct formatter;

/* name: "aligned" "csv" "tsv" "json" "jsonl"; -1 if unknown. */
int format_kind_from_name(const char *name);
struct formatter *formatter_new(enum format_kind kind, FILE *out);
void formatter_free(struct formatter *f);
/* Leave out command tags, as psql -q does. */
void formatter_set_quiet(struct formatter *f, bool quiet);

/* No header line (csv, tsv), no header and no row count (aligned): psql -t. */
void formatter_set_no_header(struct formatter *f, bool no_header);
/* Aligned output expanded only when its table is wider than columns
 * (psql's \x auto); 0 turns that off. */
void formatter_set_expand_auto(struct formatter *f, int columns);
/* Aligned output in psql's expanded layout (\x, --expanded). */
void formatter_set_expanded(struct formatter *f, bool expanded);
/* Aligned output shows NULL as text (psql's \pset null; default empty). */
void formatter_set_null(struct formatter *f, const char *text);

/* A result set with rows begins: columns is the query.columns "columns"
 * array ({name, type_oid, type_name, …}). */
void formatter_columns(struct formatter *f, const json_t *columns);
/* Rows of the current result set: an array of arrays of string|null
 * (typed values, from typed: true, are printed as exact JSON text). The
 * aligned format keeps a reference to rows until the set ends. */
void formatter_rows(struct formatter *f, const json_t *rows);
/* Rows of the current result set already rendered by the daemon
 * (query.text, for csv and tsv): written as they are. */
void formatter_text(struct formatter *f, const char *text, size_t len, size_t nrows);
/* A result set ended: result is one entry of query.execute's "results"
 * ({command_tag, rows_affected, row_count, has_rows, …}). Formats print the
 * command tag for statements without rows as psql does (or not, where psql
 * does not for that format). */
void formatter_result_end(struct formatter *f, const json_t *result);
/* Everything ended (flush). Returns 0, or -errno when writing failed (e.g.
 * EPIPE when piped into head). */
int formatter_finish(struct formatter *f);
/* 0, or the first write failure so far (-errno): a caller streaming a big
 * result can stop (and cancel the query) as soon as the reader is gone. */
int formatter_error(const struct formatter *f);
