/* The result store on disk: ID.rows (the segments, written by store.c) and
 * ID.meta (columns and segment table of a complete result, written once
 * everything is on disk), and the start-up scan that re-indexes complete
 * results within their TTL and removes every other file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "daemon/db/db-internal.h"
#include "daemon/db/store-internal.h"
#include "daemon/storage/settings.h"
#include "daemon/worker/worker.h"

#define META_VERSION 1

int64_t store_wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

char *store_meta_text(const struct store_entry *s, int64_t now_wall_us)
{
	int64_t idle = (int64_t)(tusk_mono_us() - s->last_used_us);
	json_t *rsets = json_array();
	for (size_t i = 0; i < s->nrsets; i++) {
		const struct store_rset *r = &s->rsets[i];
		json_t *segs = json_array();
		for (size_t k = 0; k < r->nsegs; k++)
			json_array_append_new(segs,
			                      json_pack("[I,I,I]", (json_int_t)r->segs[k].file_off,
			                                (json_int_t)r->segs[k].len,
			                                (json_int_t)r->segs[k].nrows));
		json_array_append_new(rsets, json_pack("{s:i, s:O, s:I, s:o}", "result_index",
		                                       (int)r->result_index, "columns", r->columns,
		                                       "rows", (json_int_t)r->rows, "segs", segs));
	}
	json_t *m = json_pack(
	    "{s:i, s:s, s:s, s:s, s:s?, s:b, s:I, s:I, s:I, s:i, s:o}", "version", META_VERSION,
	    "query_id", s->id, "connection_id", s->connection_id ? s->connection_id : "",
	    "sql_head", s->sql_head ? s->sql_head : "", "context", s->context, "truncated",
	    s->truncated, "started_wall_us", (json_int_t)s->started_wall_us, "last_used_wall_us",
	    (json_int_t)(now_wall_us - idle), "file_size", (json_int_t)s->file_size, "results_seen",
	    (int)s->results_seen, "rsets", rsets);
	char *text = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	return text;
}

int store_meta_write_file(const struct store_globals *st, const char *id, const char *text)
{
	char *path = store_path(st, id, "meta");
	char *tmp = store_path(st, id, "tmp");
	int r = -1;
	if (!path || !tmp)
		goto out;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	size_t len = strlen(text), done = 0;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done == len && fdatasync(fd) == 0 && close(fd) == 0) {
		fd = -1;
		r = rename(tmp, path);
	}
	if (fd >= 0)
		close(fd);
	if (r < 0)
		unlink(tmp);
out:
	free(path);
	free(tmp);
	return r;
}

struct meta_job {
	struct store_globals *st; /* its dir is read on the worker: set before, freed after */
	char id[40];
	char *text;
	int r;
};

static void meta_work(void *arg)
{
	struct meta_job *j = arg;
	j->r = store_meta_write_file(j->st, j->id, j->text);
}

static void meta_done(void *arg)
{
	struct meta_job *j = arg;
	if (j->r < 0)
		log_warn("store", "%s: cannot write its meta file: it will not outlive a restart",
		         j->id);
	if (!store_find(j->st->db, j->id)) {
		/* Released meanwhile: the file must not outlive it. */
		char *path = store_path(j->st, j->id, "meta");
		if (path)
			unlink(path);
		free(path);
	}
	free(j->text);
	free(j);
}

void store_meta_write(struct store_entry *s)
{
	struct meta_job *j = calloc(1, sizeof(*j));
	if (!j)
		return;
	j->st = s->st;
	snprintf(j->id, sizeof(j->id), "%s", s->id);
	j->text = store_meta_text(s, store_wall_us());
	if (!j->text) {
		free(j);
		return;
	}
	s->meta_written = true;
	if (worker_submit(s->st->db->env.workers, meta_work, meta_done, j) < 0) {
		meta_work(j);
		meta_done(j);
	}
}

/* ---- start-up ------------------------------------------------------------------ */

static int load_rset(struct store_rset *r, json_t *js)
{
	json_t *cols = json_object_get(js, "columns");
	json_t *segs = json_object_get(js, "segs");
	if (!json_is_array(cols) || !json_is_array(segs))
		return -1;
	r->result_index = (unsigned)json_integer_value(json_object_get(js, "result_index"));
	r->columns = json_incref(cols);
	r->columns_text = json_dumps(cols, JSON_COMPACT);
	r->ncols = (int)json_array_size(cols);
	r->types = calloc((size_t)r->ncols + 1, sizeof(*r->types));
	for (int i = 0; i < r->ncols; i++)
		r->types[i] = (TuskOid)json_integer_value(
		    json_object_get(json_array_get(cols, (size_t)i), "type_oid"));
	r->nsegs = r->cap = json_array_size(segs);
	r->segs = calloc(r->nsegs + 1, sizeof(*r->segs));
	uint64_t row = 0;
	for (size_t k = 0; k < r->nsegs; k++) {
		json_t *g = json_array_get(segs, k);
		r->segs[k].file_off = (uint64_t)json_integer_value(json_array_get(g, 0));
		r->segs[k].len = (uint32_t)json_integer_value(json_array_get(g, 1));
		r->segs[k].nrows = (uint32_t)json_integer_value(json_array_get(g, 2));
		r->segs[k].first_row = row;
		row += r->segs[k].nrows;
	}
	r->rows = row;
	r->complete = true;
	return row == (uint64_t)json_integer_value(json_object_get(js, "rows")) ? 0 : -1;
}

/* A complete result from its meta file, or NULL (stale, broken). */
static struct store_entry *load_one(struct store_globals *st, const char *id, int64_t now_wall)
{
	char *meta = store_path(st, id, "meta");
	json_t *m = meta ? json_load_file(meta, 0, NULL) : NULL;
	free(meta);
	if (!m || json_integer_value(json_object_get(m, "version")) != META_VERSION ||
	    strcmp(json_string_value(json_object_get(m, "query_id")) ?: "", id) != 0) {
		json_decref(m);
		return NULL;
	}
	int64_t ttl = settings_int(st->db->env.settings, "store.ttl_sec") * 1000000LL;
	int64_t last = json_integer_value(json_object_get(m, "last_used_wall_us"));
	int64_t idle = now_wall - last;
	if (idle < 0)
		idle = 0;
	struct store_entry *s = store_entry_new(st, id);
	json_t *rsets = json_object_get(m, "rsets");
	if (!s || idle >= ttl || !json_is_array(rsets))
		goto bad;
	s->state = STORE_COMPLETE;
	s->meta_written = true;
	s->connection_id = strdup(json_string_value(json_object_get(m, "connection_id")) ?: "");
	s->sql_head = strdup(json_string_value(json_object_get(m, "sql_head")) ?: "");
	const char *ctx = json_string_value(json_object_get(m, "context"));
	s->context = ctx ? strdup(ctx) : NULL;
	s->truncated = json_is_true(json_object_get(m, "truncated"));
	s->started_wall_us = json_integer_value(json_object_get(m, "started_wall_us"));
	s->file_size = (uint64_t)json_integer_value(json_object_get(m, "file_size"));
	s->results_seen = (unsigned)json_integer_value(json_object_get(m, "results_seen"));
	uint64_t now = tusk_mono_us();
	s->last_used_us = (uint64_t)idle < now ? now - (uint64_t)idle : 0;
	s->started_us = s->ended_us = s->last_used_us;
	s->nrsets = json_array_size(rsets);
	s->rsets = calloc(s->nrsets + 1, sizeof(*s->rsets));
	for (size_t i = 0; i < s->nrsets; i++)
		if (load_rset(&s->rsets[i], json_array_get(rsets, i)) < 0)
			goto bad;
	s->rows_path = store_path(st, id, "rows");
	s->fd = s->rows_path ? open(s->rows_path, O_RDWR | O_CLOEXEC) : -1;
	struct stat sb;
	if (s->fd < 0 || fstat(s->fd, &sb) < 0 || (uint64_t)sb.st_size < s->file_size)
		goto bad;
	st->disk_total += s->file_size;
	json_decref(m);
	return s;
bad:
	if (s) {
		s->released = true;
		s->file_size = 0; /* not counted yet */
		free(s->rows_path);
		s->rows_path = NULL; /* the caller removes the files */
		store_entry_link(s);
		store_close(s);
	}
	json_decref(m);
	return NULL;
}

static bool ends_with(const char *s, const char *suffix, size_t *stem)
{
	size_t n = strlen(s), k = strlen(suffix);
	if (n <= k || strcmp(s + n - k, suffix) != 0)
		return false;
	*stem = n - k;
	return true;
}

void store_load_dir(struct store_globals *st)
{
	DIR *d = opendir(st->dir);
	if (!d)
		return;
	int64_t now_wall = store_wall_us();
	struct dirent *de;
	unsigned kept = 0, removed = 0;
	/* Meta files first: they say which rows files stay. */
	while ((de = readdir(d))) {
		size_t stem;
		if (!ends_with(de->d_name, ".meta", &stem) || stem >= 40)
			continue;
		char id[40];
		memcpy(id, de->d_name, stem);
		id[stem] = '\0';
		struct store_entry *s = load_one(st, id, now_wall);
		if (s) {
			store_entry_link(s);
			kept++;
		}
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		size_t stem;
		if (de->d_name[0] == '.')
			continue;
		bool ours = ends_with(de->d_name, ".rows", &stem) ||
		            ends_with(de->d_name, ".meta", &stem) ||
		            ends_with(de->d_name, ".tmp", &stem);
		if (!ours)
			continue;
		char id[40] = "";
		if (stem < sizeof(id)) {
			memcpy(id, de->d_name, stem);
			id[stem] = '\0';
		}
		if (strcmp(de->d_name + stem, ".tmp") != 0 && *id && store_find(st->db, id))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	if (kept || removed)
		log_info("store", "%u stored result(s) kept from the last run, %u file(s) removed",
		         kept, removed);
}
