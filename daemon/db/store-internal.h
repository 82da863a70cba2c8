/* The result store's insides, shared by store.c (rows, budget, writer,
 * release), store-page.c (pages, lists), store-disk.c (meta files, start
 * up) and store-export.c. Loop thread only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cellvalue.h"
#include "daemon/db/store.h"

#define STORE_SEG_BYTES (64 * 1024)
#define STORE_SEG_ROWS  4096
#define STORE_NULL_LEN  0xFFFFFFFFu

struct store_seg {
	uint64_t first_row;
	uint32_t nrows;
	uint32_t len;
	uint64_t file_off;
	char *mem;  /* the cached copy, or NULL when only on disk */
	bool dirty; /* a write is pending */
};

struct store_rset {
	unsigned result_index;
	json_t *columns;
	char *columns_text; /* compact JSON of columns, for pages */
	TuskOid *types;
	int ncols;
	uint64_t rows;
	bool complete;
	struct store_seg *segs;
	size_t nsegs, cap;
	/* The segment being filled (not yet sealed). */
	char *cur;
	size_t cur_len, cur_cap;
	uint32_t cur_rows;
};

struct store_waiter {
	unsigned result_index;
	store_ready_fn fn;
	void *ud;
	struct store_waiter *next;
};

struct store_entry {
	char id[40];
	char *connection_id;
	char *sql_head;
	char *context;
	enum store_state state;
	bool truncated;
	bool released; /* closed: freed once no query and no write holds it */
	bool io_failed;
	bool meta_written;
	struct store_rset *rsets;
	size_t nrsets;
	unsigned results_seen;                       /* result sets ended (with or without rows) */
	uint64_t started_us, ended_us, last_used_us; /* monotonic */
	int64_t started_wall_us;
	int fd;
	char *rows_path;
	uint64_t file_size;
	uint64_t mem_bytes, clean_bytes; /* cached in memory; of which written */
	unsigned pending;                /* write jobs queued or running */
	struct query *q;
	struct store_waiter *waiters;
	struct store_globals *st; /* the store it belongs to */
	unsigned resume_pass;     /* the resume walk that last visited it */
	struct store_entry *next;
};

struct write_job;
struct db;

/* The store of one struct db (its member: db->store). */
struct store_globals {
	struct db *db;
	char *dir;
	struct store_entry *list;
	uint64_t mem_total, dirty_total, disk_total;
	struct event *timer;
	bool stopping;
	/* Segments waiting for a worker to write them; writes running. */
	struct write_job *wq_head, *wq_tail;
	unsigned writes_running;
	unsigned resume_pass; /* resume_paused's walks so far */
};

uint64_t store_memory_budget(const struct store_globals *st);
struct store_rset *store_rset_find(struct store_entry *s, unsigned result_index);
/* A fresh entry (not yet listed) / link it in. */
struct store_entry *store_entry_new(struct store_globals *st, const char *id);
void store_entry_link(struct store_entry *s);
/* The rows file's and meta file's paths (free()). */
char *store_path(const struct store_globals *st, const char *id, const char *ext);

/* store-disk.c */
/* The meta file's text for a complete, flushed result (free()). */
char *store_meta_text(const struct store_entry *s, int64_t now_wall_us);
/* Write text to ID.meta (through a temporary file). Blocking: workers and
 * shutdown only. */
int store_meta_write_file(const struct store_globals *st, const char *id, const char *text);
void store_meta_write(struct store_entry *s);
/* Scan the directory at start. */
void store_load_dir(struct store_globals *st);
int64_t store_wall_us(void);
