/* The result store (query.execute mode "store"): the rows of a query kept in
 * the daemon, paged by any client at any time.
 *
 * A stored result is a list of result sets; each is a list of segments of
 * up to 64 KiB of rows. A row is its cells one after another, each a
 * 32-bit length (0xFFFFFFFF for NULL) and the cell's text. Every sealed
 * segment is written to the result's spill file ($cache/results/ID.rows)
 * on a worker, in the background; its copy in memory is a cache kept
 * while all stored results together fit the memory budget (the least
 * recently used results lose theirs first). The segment table is the
 * index: a page is found by binary search, then at most one segment's rows
 * are walked. A finished, complete result also gets ID.meta (its columns
 * and segment table), so it survives a daemon restart until its TTL.
 *
 * Loop thread only. Knows no JSON-RPC. */
#pragma once

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

struct db;
struct query;
struct store_entry;

enum store_state {
	STORE_RUNNING,
	STORE_COMPLETE,
	STORE_FAILED,
	STORE_CANCELLED,
};

/* Open the store in dir (created): orphans are removed, complete results
 * within their TTL re-indexed. Starts the TTL timer. */
int store_init(struct db *db, const char *dir, TuskError *e);
/* Before the worker pool stops: no new background writes. */
void store_stop(struct db *db);
/* After it stopped: write what is left, keep complete results' files for
 * the next start, free everything. */
void store_free(struct db *db);

/* A stored query begins. */
struct store_entry *store_begin(struct db *db, const char *query_id, const char *connection_id,
                                const char *sql, const char *context, TuskError *e);
void store_set_query(struct store_entry *s, struct query *q);
/* A result set with rows begins (columns borrowed: Column objects). */
void store_columns(struct store_entry *s, unsigned result_index, json_t *columns);
/* Row 0 of res (PGRES_SINGLE_TUPLE) belongs to result_index. */
void store_row(struct store_entry *s, unsigned result_index, const PGresult *res);
/* The result set ended. */
void store_result_end(struct store_entry *s, unsigned result_index);
/* The query ended. */
void store_end(struct store_entry *s, enum store_state st, bool truncated);
/* The query should stop reading: the spill file is behind. */
bool store_congested(const struct store_entry *s);

struct store_entry *store_find(struct db *db, const char *query_id);
/* Find or set e to result_not_found. */
struct store_entry *store_lookup(struct db *db, const char *query_id, TuskError *e);
const char *store_id(const struct store_entry *s);
enum store_state store_state(const struct store_entry *s);
const char *store_state_name(enum store_state st);
const char *store_connection_id(const struct store_entry *s);
/* Release: memory now, the spill file once no write is pending. A query
 * still running is cancelled (it ends into nothing). */
void store_close(struct store_entry *s);

/* One page as the compact JSON text of query.fetch's result (free()):
 * rows stop at limit or once the text passes max_bytes. NULL with e set
 * for a bad result index or offset. */
char *store_fetch(struct store_entry *s, unsigned result_index, uint64_t offset, uint64_t limit,
                  bool typed, size_t max_bytes, size_t *len, TuskError *e);
/* query.stored's params (new reference). */
json_t *store_summary_json(const struct store_entry *s);
/* Every stored result (query.list items). */
json_t *store_list_json(struct db *db);

/* ---- exports (store-export.c) ---- */

/* What an export needs, copied on the loop: the columns, the segment
 * table and a descriptor of its own (dup) on the spill file, which stays
 * readable even when the result is released meanwhile. */
struct store_snapshot {
	int fd;
	json_t *columns; /* owned */
	uint64_t rows;
	uint64_t *seg_off; /* per segment: file offset, length, rows */
	uint32_t *seg_len;
	uint32_t *seg_rows;
	size_t nsegs;
};
/* fn(ud, snap) once the result has ended and every row is on disk (at
 * once when it already is); snap NULL and e set when it was released
 * first, or result_index has no rows. fn owns snap. */
typedef void (*store_ready_fn)(void *ud, struct store_snapshot *snap, const TuskError *e);
void store_when_flushed(struct store_entry *s, unsigned result_index, store_ready_fn fn, void *ud);
void store_snapshot_free(struct store_snapshot *snap);
/* Decode the row at p (ncols cells): cells[i] / lens[i] (cells[i] NULL
 * for SQL NULL); returns where the next row starts. */
const char *store_row_decode(const char *p, int ncols, const char **cells, uint32_t *lens);
