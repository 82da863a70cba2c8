/* The result store: rows in, segments sealed and written to the spill file
 * on a worker (two writes at a time), the memory budget (least recently
 * used results lose their cached segments first), the disk budget and the
 * idle TTL (least recently used finished results are released). */
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/grow.h"
#include "common/log.h"
#include "common/paths.h"
#include "daemon/db/db-internal.h"
#include "daemon/db/query.h"
#include "daemon/db/store-internal.h"
#include "daemon/storage/settings.h"
#include "daemon/worker/worker.h"

#define WRITES_IN_FLIGHT 2

struct write_job {
	struct store_entry *s;
	size_t ri, si;
	int fd;
	const char *buf;
	size_t len;
	uint64_t off;
	int err;
	struct write_job *next;
};

static void pump_writes(struct store_globals *st);
static void release_over_disk_budget(struct store_globals *st, const struct store_entry *keep);

uint64_t store_memory_budget(const struct store_globals *st)
{
	return (uint64_t)settings_int(st->db->env.settings, "store.memory_budget_mb") << 20;
}

/* Writes in flight are capped too, so that a fast query over a slow
 * disk stops reading instead of filling memory. */
static uint64_t dirty_max(const struct store_globals *st)
{
	uint64_t b = store_memory_budget(st) / 2;
	return b < 16u << 20 ? (b < STORE_SEG_BYTES * 2 ? STORE_SEG_BYTES * 2 : b) : 16u << 20;
}

char *store_path(const struct store_globals *st, const char *id, const char *ext)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s.%s", st->dir, id, ext) < 0)
		return NULL;
	return p;
}

struct store_entry *store_find(struct db *db, const char *id)
{
	struct store_globals *st = &db->store;
	for (struct store_entry *s = st->list; s; s = s->next)
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

struct store_entry *store_lookup(struct db *db, const char *id, TuskError *e)
{
	struct store_entry *s = store_find(db, id);
	if (!s)
		tusk_error_set(e, TUSK_ERR_RESULT_NOT_FOUND,
		               "no stored result has id '%s' (it may have been closed or released)",
		               id);
	return s;
}

const char *store_id(const struct store_entry *s)
{
	return s->id;
}

enum store_state store_state(const struct store_entry *s)
{
	return s->state;
}

const char *store_connection_id(const struct store_entry *s)
{
	return s->connection_id;
}

const char *store_state_name(enum store_state st)
{
	switch (st) {
	case STORE_RUNNING:
		return "running";
	case STORE_COMPLETE:
		return "complete";
	case STORE_FAILED:
		return "failed";
	default:
		return "cancelled";
	}
}

struct store_rset *store_rset_find(struct store_entry *s, unsigned result_index)
{
	for (size_t i = 0; i < s->nrsets; i++)
		if (s->rsets[i].result_index == result_index)
			return &s->rsets[i];
	return NULL;
}

/* ---- life ------------------------------------------------------------------ */

struct store_entry *store_entry_new(struct store_globals *st, const char *id)
{
	struct store_entry *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->id, sizeof(s->id), "%s", id);
	s->st = st;
	s->fd = -1;
	s->started_us = s->last_used_us = tusk_mono_us();
	s->started_wall_us = store_wall_us();
	return s;
}

void store_entry_link(struct store_entry *s)
{
	struct store_globals *st = s->st;
	s->next = st->list;
	st->list = s;
}

static void unlink_entry(struct store_entry *s)
{
	struct store_globals *st = s->st;
	for (struct store_entry **pp = &st->list; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			return;
		}
}

static void destroy(struct store_entry *s)
{
	struct store_globals *st = s->st;
	bool big = s->mem_bytes >= 8u << 20;
	for (size_t i = 0; i < s->nrsets; i++) {
		struct store_rset *r = &s->rsets[i];
		for (size_t j = 0; j < r->nsegs; j++)
			if (r->segs[j].mem) {
				st->mem_total -= r->segs[j].len;
				free(r->segs[j].mem);
			}
		free(r->segs);
		free(r->cur);
		free(r->types);
		free(r->columns_text);
		json_decref(r->columns);
	}
	st->disk_total -= s->file_size;
	if (s->fd >= 0)
		close(s->fd);
	if (s->rows_path) {
		unlink(s->rows_path);
		char *meta = store_path(st, s->id, "meta");
		if (meta)
			unlink(meta);
		free(meta);
	}
	free(s->rows_path);
	free(s->rsets);
	free(s->connection_id);
	free(s->sql_head);
	free(s->context);
	free(s);
	/* Give the pages of a large result back to the system now, not
	 * whenever the heap's top happens to be free. */
	if (big)
		malloc_trim(0);
}

static void maybe_destroy(struct store_entry *s)
{
	if (s->released && s->pending == 0 && !s->q)
		destroy(s);
}

static void fire_waiters(struct store_entry *s, bool released);

void store_close(struct store_entry *s)
{
	if (s->released)
		return;
	s->released = true;
	unlink_entry(s);
	fire_waiters(s, true);
	if (s->q)
		query_cancel(s->q);
	maybe_destroy(s);
}

struct store_entry *store_begin(struct db *db, const char *id, const char *connection_id,
                                const char *sql, const char *context, TuskError *e)
{
	struct store_globals *st = &db->store;
	if (store_find(db, id)) {
		tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "a stored result with id '%s' exists",
		               id);
		return NULL;
	}
	struct store_entry *s = store_entry_new(st, id);
	if (!s) {
		tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	s->connection_id = strdup(connection_id);
	s->sql_head = query_sql_head(sql);
	s->context = context ? strdup(context) : NULL;
	s->rows_path = store_path(st, id, "rows");
	s->fd =
	    s->rows_path ? open(s->rows_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
	if (s->fd < 0) {
		tusk_error_set(e, TUSK_ERR_IO, "cannot create the spill file %s: %s",
		               s->rows_path ? s->rows_path : "", strerror(errno));
		free(s->rows_path);
		s->rows_path = NULL;
		destroy(s);
		return NULL;
	}
	store_entry_link(s);
	return s;
}

void store_set_query(struct store_entry *s, struct query *q)
{
	s->q = q;
}

/* ---- rows in ----------------------------------------------------------------- */

void store_columns(struct store_entry *s, unsigned result_index, json_t *columns)
{
	if (s->released || store_rset_find(s, result_index))
		return;
	struct store_rset *n = realloc(s->rsets, (s->nrsets + 1) * sizeof(*n));
	if (!n)
		return;
	s->rsets = n;
	struct store_rset *r = &s->rsets[s->nrsets++];
	memset(r, 0, sizeof(*r));
	r->result_index = result_index;
	r->columns = json_incref(columns);
	r->columns_text = json_dumps(columns, JSON_COMPACT);
	r->ncols = (int)json_array_size(columns);
	r->types = calloc((size_t)r->ncols + 1, sizeof(*r->types));
	for (int i = 0; i < r->ncols; i++)
		r->types[i] = (TuskOid)json_integer_value(
		    json_object_get(json_array_get(columns, (size_t)i), "type_oid"));
}

static void seal(struct store_entry *s, struct store_rset *r)
{
	struct store_globals *st = s->st;
	if (r->cur_rows == 0)
		return;
	if (r->nsegs == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct store_seg *n = realloc(r->segs, cap * sizeof(*n));
		if (!n)
			return;
		r->segs = n;
		r->cap = cap;
	}
	/* The budget counts what is allocated: no slack kept. */
	char *fit = realloc(r->cur, r->cur_len);
	if (fit)
		r->cur = fit;
	struct store_seg *g = &r->segs[r->nsegs++];
	g->first_row = r->rows - r->cur_rows;
	g->nrows = r->cur_rows;
	g->len = (uint32_t)r->cur_len;
	g->file_off = s->file_size;
	g->mem = r->cur;
	g->dirty = true;
	r->cur = NULL;
	r->cur_len = r->cur_cap = 0;
	r->cur_rows = 0;
	s->file_size += g->len;
	s->mem_bytes += g->len;
	s->last_used_us = tusk_mono_us();
	st->disk_total += g->len;
	st->mem_total += g->len;
	st->dirty_total += g->len;

	struct write_job *j = calloc(1, sizeof(*j));
	j->s = s;
	j->ri = (size_t)(r - s->rsets);
	j->si = r->nsegs - 1;
	j->buf = g->mem;
	j->len = g->len;
	j->off = g->file_off;
	j->fd = s->fd;
	s->pending++;
	if (st->wq_tail)
		st->wq_tail->next = j;
	else
		st->wq_head = j;
	st->wq_tail = j;
	pump_writes(st);
	release_over_disk_budget(st, s);
}

static int reserve(struct store_rset *r, size_t more)
{
	return tusk_grow(&r->cur, &r->cur_cap, r->cur_len + more, STORE_SEG_BYTES + 4096);
}

void store_row(struct store_entry *s, unsigned result_index, const PGresult *res)
{
	struct store_rset *r = store_rset_find(s, result_index);
	if (s->released || !r)
		return;
	size_t need = 0;
	for (int c = 0; c < r->ncols; c++)
		need += 4 + (PQgetisnull(res, 0, c) ? 0 : (size_t)PQgetlength(res, 0, c));
	if (reserve(r, need) < 0)
		return;
	char *p = r->cur + r->cur_len;
	for (int c = 0; c < r->ncols; c++) {
		uint32_t len =
		    PQgetisnull(res, 0, c) ? STORE_NULL_LEN : (uint32_t)PQgetlength(res, 0, c);
		memcpy(p, &len, 4);
		p += 4;
		if (len != STORE_NULL_LEN) {
			memcpy(p, PQgetvalue(res, 0, c), len);
			p += len;
		}
	}
	r->cur_len += need;
	r->cur_rows++;
	r->rows++;
	if (r->cur_len >= STORE_SEG_BYTES || r->cur_rows >= STORE_SEG_ROWS)
		seal(s, r);
}

const char *store_row_decode(const char *p, int ncols, const char **cells, uint32_t *lens)
{
	for (int c = 0; c < ncols; c++) {
		uint32_t len;
		memcpy(&len, p, 4);
		p += 4;
		if (len == STORE_NULL_LEN) {
			cells[c] = NULL;
			lens[c] = 0;
		} else {
			cells[c] = p;
			lens[c] = len;
			p += len;
		}
	}
	return p;
}

void store_result_end(struct store_entry *s, unsigned result_index)
{
	if (result_index + 1 > s->results_seen)
		s->results_seen = result_index + 1;
	struct store_rset *r = store_rset_find(s, result_index);
	if (!r || s->released)
		return;
	seal(s, r);
	r->complete = true;
}

static bool flushed(const struct store_entry *s)
{
	return s->state != STORE_RUNNING && s->pending == 0;
}

static void on_flushed(struct store_entry *s)
{
	if (s->state == STORE_COMPLETE && !s->io_failed && !s->meta_written)
		store_meta_write(s);
	fire_waiters(s, false);
}

void store_end(struct store_entry *s, enum store_state st, bool truncated)
{
	s->q = NULL;
	for (size_t i = 0; i < s->nrsets; i++) {
		seal(s, &s->rsets[i]);
		s->rsets[i].complete = true;
	}
	s->state = st;
	s->truncated = truncated;
	s->ended_us = s->last_used_us = tusk_mono_us();
	if (s->released) {
		maybe_destroy(s);
		return;
	}
	if (flushed(s))
		on_flushed(s);
}

bool store_congested(const struct store_entry *s)
{
	return s->st->dirty_total > dirty_max(s->st);
}

/* ---- the writer ------------------------------------------------------------- */

static void write_work(void *arg)
{
	struct write_job *j = arg;
	size_t done = 0;
	while (done < j->len) {
		ssize_t n = pwrite(j->fd, j->buf + done, j->len - done, (off_t)(j->off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			j->err = n < 0 ? errno : ENOSPC;
			return;
		}
		done += (size_t)n;
	}
}

/* Memory over budget: the least recently used results lose their cached
 * segments first, the newest segments of a result before its first ones
 * (the page a grid shows first stays in memory longest). */
static void enforce_budget(struct store_globals *st)
{
	uint64_t budget = store_memory_budget(st);
	while (st->mem_total > budget) {
		struct store_entry *lru = NULL;
		for (struct store_entry *s = st->list; s; s = s->next)
			if (s->clean_bytes > 0 && (!lru || s->last_used_us < lru->last_used_us))
				lru = s;
		if (!lru)
			return;
		for (size_t i = lru->nrsets; i-- > 0 && st->mem_total > budget;) {
			struct store_rset *r = &lru->rsets[i];
			for (size_t k = r->nsegs; k-- > 0 && st->mem_total > budget;) {
				struct store_seg *g = &r->segs[k];
				if (!g->mem || g->dirty)
					continue;
				free(g->mem);
				g->mem = NULL;
				st->mem_total -= g->len;
				lru->mem_bytes -= g->len;
				lru->clean_bytes -= g->len;
			}
		}
	}
}

/* Resume the queries paused for the writes to catch up. A resumed query may
 * end at once, and its end may close other results (the disk budget): no
 * pointer into the list is held across query_resume. Each entry is marked
 * with this walk's number when visited, and the walk starts over from the
 * head after every resume. */
static void resume_paused(struct store_globals *st)
{
	unsigned pass = ++st->resume_pass;
	for (;;) {
		struct store_entry *e = st->list;
		while (e && (e->resume_pass == pass || !e->q || !query_paused(e->q))) {
			e->resume_pass = pass;
			e = e->next;
		}
		if (!e)
			return;
		e->resume_pass = pass;
		query_resume(e->q);
	}
}

static void write_done(void *arg)
{
	struct write_job *j = arg;
	struct store_entry *s = j->s;
	struct store_globals *st = s->st; /* s may go below */
	struct store_seg *g = &s->rsets[j->ri].segs[j->si];
	st->writes_running--;
	s->pending--;
	g->dirty = false;
	st->dirty_total -= j->len;
	if (j->err) {
		if (!s->io_failed)
			log_error("store", "%s: cannot write the spill file: %s", s->id,
			          strerror(j->err));
		s->io_failed = true;
	} else {
		s->clean_bytes += j->len;
	}
	free(j);
	if (s->released) {
		maybe_destroy(s);
	} else {
		enforce_budget(st);
		if (flushed(s))
			on_flushed(s);
	}
	pump_writes(st);
	if (st->dirty_total <= dirty_max(st) / 2)
		resume_paused(st);
}

static void pump_writes(struct store_globals *st)
{
	while (st->wq_head && st->writes_running < WRITES_IN_FLIGHT && !st->stopping) {
		struct write_job *j = st->wq_head;
		st->wq_head = j->next;
		if (!st->wq_head)
			st->wq_tail = NULL;
		j->next = NULL;
		if (worker_submit(st->db->env.workers, write_work, write_done, j) < 0) {
			write_work(j); /* the pool is stopping: do it here */
			st->writes_running++;
			write_done(j);
			continue;
		}
		st->writes_running++;
	}
}

/* ---- release ------------------------------------------------------------------ */

static bool releasable(const struct store_entry *s, const struct store_entry *keep)
{
	return s != keep && s->state != STORE_RUNNING && !s->waiters;
}

static void release_over_disk_budget(struct store_globals *st, const struct store_entry *keep)
{
	uint64_t budget = (uint64_t)settings_int(st->db->env.settings, "store.disk_budget_mb")
	                  << 20;
	while (st->disk_total > budget) {
		struct store_entry *lru = NULL;
		for (struct store_entry *s = st->list; s; s = s->next)
			if (releasable(s, keep) && (!lru || s->last_used_us < lru->last_used_us))
				lru = s;
		if (!lru)
			return;
		log_info("store", "%s released: the stored results pass store.disk_budget_mb",
		         lru->id);
		store_close(lru);
	}
}

static void on_timer(evutil_socket_t fd, short what, void *ud)
{
	struct store_globals *st = ud;
	uint64_t ttl_us = (uint64_t)settings_int(st->db->env.settings, "store.ttl_sec") * 1000000u;
	uint64_t now = tusk_mono_us();
	for (struct store_entry *s = st->list, *next; s; s = next) {
		next = s->next;
		if (releasable(s, NULL) && now - s->last_used_us >= ttl_us) {
			log_info("store", "%s released: unused for store.ttl_sec", s->id);
			store_close(s);
		}
	}
	enforce_budget(st);
	release_over_disk_budget(st, NULL);
}

static void fire_waiters(struct store_entry *s, bool released)
{
	struct store_waiter *w = s->waiters;
	s->waiters = NULL;
	while (w) {
		struct store_waiter *next = w->next;
		TuskError e = TUSK_ERROR_INIT;
		struct store_snapshot *snap = NULL;
		struct store_rset *r = store_rset_find(s, w->result_index);
		if (released)
			tusk_error_set(&e, TUSK_ERR_RESULT_NOT_FOUND,
			               "stored result '%s' was released before it ended", s->id);
		else if (s->io_failed)
			tusk_error_set(&e, TUSK_ERR_IO,
			               "the spill file of '%s' could not be written", s->id);
		else if (!r)
			tusk_error_set(&e, TUSK_ERR_INVALID_INPUT,
			               "result set %u of '%s' has no rows", w->result_index, s->id);
		else
			snap = calloc(1, sizeof(*snap));
		if (snap) {
			s->last_used_us = tusk_mono_us();
			snap->fd = dup(s->fd);
			snap->columns = json_incref(r->columns);
			snap->rows = r->rows;
			snap->nsegs = r->nsegs;
			snap->seg_off = calloc(r->nsegs + 1, sizeof(*snap->seg_off));
			snap->seg_len = calloc(r->nsegs + 1, sizeof(*snap->seg_len));
			snap->seg_rows = calloc(r->nsegs + 1, sizeof(*snap->seg_rows));
			for (size_t i = 0; i < r->nsegs; i++) {
				snap->seg_off[i] = r->segs[i].file_off;
				snap->seg_len[i] = r->segs[i].len;
				snap->seg_rows[i] = r->segs[i].nrows;
			}
		}
		w->fn(w->ud, snap, snap ? NULL : &e);
		tusk_error_clear(&e);
		free(w);
		w = next;
	}
}

void store_when_flushed(struct store_entry *s, unsigned result_index, store_ready_fn fn, void *ud)
{
	struct store_waiter *w = calloc(1, sizeof(*w));
	w->result_index = result_index;
	w->fn = fn;
	w->ud = ud;
	w->next = s->waiters;
	s->waiters = w;
	if (flushed(s))
		fire_waiters(s, false);
}

void store_snapshot_free(struct store_snapshot *snap)
{
	if (!snap)
		return;
	if (snap->fd >= 0)
		close(snap->fd);
	json_decref(snap->columns);
	free(snap->seg_off);
	free(snap->seg_len);
	free(snap->seg_rows);
	free(snap);
}

/* ---- start and stop ------------------------------------------------------------ */

int store_init(struct db *db, const char *dir, TuskError *e)
{
	struct store_globals *st = &db->store;
	if (tusk_mkdir_p(dir, 0700, e) < 0)
		return -1;
	st->dir = strdup(dir);
	store_load_dir(st);
	st->timer = event_new(db->env.base, -1, EV_PERSIST, on_timer, st);
	event_add(st->timer, &(struct timeval){.tv_sec = 1});
	return 0;
}

void store_stop(struct db *db)
{
	db->store.stopping = true;
}

void store_free(struct db *db)
{
	struct store_globals *st = &db->store;
	/* Writes the pool did not take: done here, then the meta files of
	 * complete results (with their last use), so they outlive us. */
	while (st->wq_head) {
		struct write_job *j = st->wq_head;
		st->wq_head = j->next;
		write_work(j);
		st->writes_running++;
		st->stopping = true;
		write_done(j);
	}
	st->wq_tail = NULL;
	int64_t now = store_wall_us();
	while (st->list) {
		struct store_entry *s = st->list;
		st->list = s->next;
		fire_waiters(s, true);
		if (s->state == STORE_COMPLETE && !s->io_failed && s->pending == 0) {
			char *text = store_meta_text(s, now);
			if (text && store_meta_write_file(st, s->id, text) == 0) {
				free(s->rows_path); /* keep the files */
				s->rows_path = NULL;
			}
			free(text);
		}
		destroy(s);
	}
	if (st->timer)
		event_free(st->timer);
	st->timer = NULL;
	free(st->dir);
	st->dir = NULL;
}
