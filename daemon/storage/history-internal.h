/* Shared between history.c (the writer: queue, jobs, flushing) and
 * history-sql.c (the statements). */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon/storage/history.h"

enum history_item_kind {
	HISTORY_ITEM_RECORD,
	HISTORY_ITEM_FLUSH,
	HISTORY_ITEM_DELETE,
	HISTORY_ITEM_CLEAR,
	HISTORY_ITEM_RETENTION,
};

/* One entry of the writer's queue: a record to insert, or an operation
 * that runs after the records queued before it. */
struct history_item {
	struct history_item *next;
	enum history_item_kind kind;
	TuskQueryHistoryEntry rec;   /* RECORD: owned strings */
	bool type_from_sql;          /* RECORD: the writer sets rec.query_type from rec.sql */
	char *arg;                   /* DELETE: the id; CLEAR: connection id, NULL = all */
	long long max_entries, days; /* RETENTION */
	history_done_fn cb;
	void *ud;
	/* outcome, set by whoever ran it */
	bool ran;
	int r;
	int64_t count;
	TuskError e;
};

/* Rows a delete statement removes per transaction: big deletes are cut
 * into short transactions so the loop's own writes wait little. */
#define HISTORY_DELETE_CHUNK 2000

/* Insert (or replace, by uuid) n records in one transaction. 0, or -1 with
 * e set and nothing written. */
int history_sql_insert(sqlite3 *db, struct history_item *first, size_t n, TuskError *e);
/* Run a DELETE, CLEAR or RETENTION item: sets it->r, it->count, it->e. */
void history_sql_run_op(sqlite3 *db, struct history_item *it);
/* The list query (see history_list). */
json_t *history_sql_list(sqlite3 *db, const json_t *filter, TuskError *e);
