/* Pages of a stored result (query.fetch), its summary (query.stored) and
 * the list of stored results (query.list). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "common/clock.h"
#include "common/jsonstr.h"
#include "daemon/db/query.h"
#include "daemon/db/rowjson.h"
#include "daemon/db/db-internal.h"
#include "daemon/db/store-internal.h"

static int emit_evbuffer(const char *buf, size_t len, void *data)
{
	return evbuffer_add(data, buf, len);
}

static void append_cell(struct evbuffer *out, const char *v, uint32_t len, TuskOid type, bool typed)
{
	if (!v) {
		evbuffer_add(out, "null", 4);
		return;
	}
	if (typed) {
		json_t *t = tusk_cell_typed(type, v, len);
		char *text = t ? tusk_json_dumps_exact(t) : NULL;
		json_decref(t);
		if (text) {
			evbuffer_add(out, text, strlen(text));
			free(text);
			return;
		}
	}
	tusk_json_string(v, len, emit_evbuffer, out);
}

/* The segment holding row (binary search over first_row). */
static size_t seg_of(const struct store_rset *r, uint64_t row)
{
	size_t lo = 0, hi = r->nsegs;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (r->segs[mid].first_row <= row)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The bytes of segment k (or the open one when k == nsegs): in memory, or
 * read from the spill file into *tmp. */
static const char *seg_bytes(struct store_entry *s, const struct store_rset *r, size_t k,
                             char **tmp, TuskError *e)
{
	if (k == r->nsegs)
		return r->cur;
	const struct store_seg *g = &r->segs[k];
	if (g->mem)
		return g->mem;
	char *buf = malloc(g->len ? g->len : 1);
	size_t done = 0;
	while (buf && done < g->len) {
		ssize_t n = pread(s->fd, buf + done, g->len - done, (off_t)(g->file_off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			tusk_error_set(e, TUSK_ERR_IO, "cannot read the spill file of '%s': %s",
			               s->id,
			               n < 0 ? strerror(errno) : "it is shorter than its index");
			free(buf);
			return NULL;
		}
		done += (size_t)n;
	}
	*tmp = buf;
	return buf;
}

static int append_rows(struct store_entry *s, struct store_rset *r, uint64_t offset, uint64_t limit,
                       bool typed, size_t max_bytes, struct evbuffer *out, uint64_t *sent,
                       TuskError *e)
{
	const char **cells = calloc((size_t)r->ncols + 1, sizeof(*cells));
	uint32_t *lens = calloc((size_t)r->ncols + 1, sizeof(*lens));
	uint64_t end = offset + limit < r->rows ? offset + limit : r->rows;
	uint64_t row = offset;
	size_t k = r->nsegs && offset < r->rows - r->cur_rows ? seg_of(r, offset) : r->nsegs;
	int ret = 0;
	while (row < end && evbuffer_get_length(out) < max_bytes) {
		char *tmp = NULL;
		const char *p = seg_bytes(s, r, k, &tmp, e);
		if (!p) {
			ret = -1;
			break;
		}
		uint64_t first = k == r->nsegs ? r->rows - r->cur_rows : r->segs[k].first_row;
		uint64_t n = k == r->nsegs ? r->cur_rows : r->segs[k].nrows;
		for (uint64_t i = first; i < first + n && row < end; i++) {
			p = store_row_decode(p, r->ncols, cells, lens);
			if (i < row)
				continue;
			if (evbuffer_get_length(out) >= max_bytes)
				break;
			evbuffer_add(out, *sent ? ",[" : "[", *sent ? 2 : 1);
			for (int c = 0; c < r->ncols; c++) {
				if (c)
					evbuffer_add(out, ",", 1);
				append_cell(out, cells[c], lens[c], r->types[c], typed);
			}
			evbuffer_add(out, "]", 1);
			(*sent)++;
			row++;
		}
		free(tmp);
		k++;
	}
	free(cells);
	free(lens);
	return ret;
}

char *store_fetch(struct store_entry *s, unsigned result_index, uint64_t offset, uint64_t limit,
                  bool typed, size_t max_bytes, size_t *len, TuskError *e)
{
	struct store_rset *r = store_rset_find(s, result_index);
	bool running = s->state == STORE_RUNNING;
	if (!r && (!running || result_index < s->results_seen)) {
		if (result_index < s->results_seen)
			tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
			               "result set %u of '%s' is a command without rows",
			               result_index, s->id);
		else
			tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "'%s' has no result set %u",
			               s->id, result_index);
		return NULL;
	}
	uint64_t rows = r ? r->rows : 0;
	bool complete = r ? r->complete : false;
	if (offset > rows && complete) {
		tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		               "offset %llu is past the end of result set %u (%llu rows)",
		               (unsigned long long)offset, result_index, (unsigned long long)rows);
		return NULL;
	}
	s->last_used_us = tusk_mono_us();
	struct evbuffer *out = evbuffer_new();
	evbuffer_add_printf(out, "{\"query_id\":");
	tusk_json_string(s->id, strlen(s->id), emit_evbuffer, out);
	evbuffer_add_printf(out, ",\"result_index\":%u,\"columns\":%s,\"offset\":%llu,\"rows\":[",
	                    result_index, r && r->columns_text ? r->columns_text : "[]",
	                    (unsigned long long)offset);
	uint64_t sent = 0;
	if (r && offset < rows &&
	    append_rows(s, r, offset, limit, typed, max_bytes, out, &sent, e) < 0) {
		evbuffer_free(out);
		return NULL;
	}
	evbuffer_add_printf(out,
	                    "],\"row_count\":%llu,\"complete\":%s,\"state\":\"%s\","
	                    "\"truncated\":%s}",
	                    (unsigned long long)rows, complete ? "true" : "false",
	                    store_state_name(s->state), s->truncated ? "true" : "false");
	*len = evbuffer_get_length(out);
	char *text = malloc(*len + 1);
	if (text) {
		evbuffer_remove(out, text, *len);
		text[*len] = '\0';
	}
	evbuffer_free(out);
	return text;
}

static json_t *rsets_json(const struct store_entry *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->nrsets; i++)
		json_array_append_new(a, json_pack("{s:i, s:I, s:b}", "result_index",
		                                   (int)s->rsets[i].result_index, "row_count",
		                                   (json_int_t)s->rsets[i].rows, "complete",
		                                   s->rsets[i].complete));
	return a;
}

static uint64_t total_rows(const struct store_entry *s)
{
	uint64_t n = 0;
	for (size_t i = 0; i < s->nrsets; i++)
		n += s->rsets[i].rows;
	return n;
}

json_t *store_summary_json(const struct store_entry *s)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:I, s:o, s:I, s:I}", "query_id", s->id,
	                 "connection_id", s->connection_id ? s->connection_id : "", "state",
	                 store_state_name(s->state), "truncated", s->truncated, "rows",
	                 (json_int_t)total_rows(s), "results", rsets_json(s), "bytes_memory",
	                 (json_int_t)s->mem_bytes, "bytes_disk", (json_int_t)s->file_size);
}

json_t *store_list_json(struct db *db)
{
	json_t *list = json_array();
	uint64_t now = tusk_mono_us();
	for (struct store_entry *s = db->store.list; s; s = s->next) {
		uint64_t end = s->state == STORE_RUNNING ? now : s->ended_us;
		json_array_append_new(
		    list,
		    json_pack(
		        "{s:s, s:s, s:s, s:I, s:f, s:b, s:s, s:s, s:s?, s:I, s:I, s:b, s:f, s:o}",
		        "query_id", s->id, "connection_id",
		        s->connection_id ? s->connection_id : "", "state",
		        store_state_name(s->state), "rows", (json_int_t)total_rows(s), "elapsed_ms",
		        (double)(end - s->started_us) / 1000.0, "paused",
		        s->q ? query_paused(s->q) : false, "mode", "store", "sql_head",
		        s->sql_head ? s->sql_head : "", "context", s->context, "bytes_memory",
		        (json_int_t)s->mem_bytes, "bytes_disk", (json_int_t)s->file_size,
		        "truncated", s->truncated, "idle_ms",
		        (double)(now - s->last_used_us) / 1000.0, "results", rsets_json(s)));
	}
	return list;
}
