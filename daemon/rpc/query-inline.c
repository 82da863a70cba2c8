/* The parts of a small result kept for the query.execute reply; see
 * query-inline.h. */
#include "daemon/rpc/query-inline.h"

#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/db/rowjson.h"

bool inline_fits(const struct inline_buf *b, unsigned nrows, size_t len, unsigned max_rows,
                 size_t max_bytes)
{
	return b->rows + nrows <= max_rows && b->bytes + len <= max_bytes;
}

int inline_add(struct inline_buf *b, enum inline_kind kind, unsigned idx, json_t *json,
               const char *data, size_t len, unsigned nrows)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4;
		struct inline_part *p = realloc(b->parts, cap * sizeof(*p));
		if (!p)
			return -1;
		b->parts = p;
		b->cap = cap;
	}
	struct inline_part *p = &b->parts[b->n];
	*p = (struct inline_part){.kind = kind, .idx = idx, .nrows = nrows, .len = len};
	if (data) {
		p->data = malloc(len + 1);
		if (!p->data)
			return -1;
		memcpy(p->data, data, len);
		p->data[len] = '\0';
	}
	p->json = json_incref(json);
	b->n++;
	b->bytes += len;
	b->rows += nrows;
	return 0;
}

void inline_clear(struct inline_buf *b)
{
	for (size_t i = 0; i < b->n; i++) {
		json_decref(b->parts[i].json);
		free(b->parts[i].data);
	}
	free(b->parts);
	*b = (struct inline_buf){0};
}

static int dump_to_evbuffer(const char *buf, size_t size, void *ud)
{
	return evbuffer_add(ud, buf, size);
}

/* Closes the open result set's object, giving it its empty rows when no
 * batch came. */
static void close_set(struct evbuffer *out, bool *open, bool *has_rows, bool text)
{
	if (!*open)
		return;
	if (!*has_rows)
		evbuffer_add_printf(out, text ? ",\"text\":\"\"" : ",\"rows\":[]");
	evbuffer_add(out, "}", 1);
	*open = *has_rows = false;
}

char *inline_reply_text(const struct inline_buf *b, const json_t *summary, bool text,
                        size_t *ret_len)
{
	struct evbuffer *out = evbuffer_new();
	if (!out)
		return NULL;
	int r = json_dump_callback(summary, dump_to_evbuffer, out, JSON_COMPACT);
	size_t n = evbuffer_get_length(out);
	/* Reopen the object: its last byte is the closing brace. */
	if (r < 0 || n < 2) {
		evbuffer_free(out);
		return NULL;
	}
	struct evbuffer *res = evbuffer_new();
	evbuffer_remove_buffer(out, res, n - 1);
	evbuffer_free(out);
	out = res;
	evbuffer_add_printf(out, ",\"inline\":[");
	bool open = false, has_rows = false, first = true;
	for (size_t i = 0; i < b->n; i++) {
		const struct inline_part *p = &b->parts[i];
		switch (p->kind) {
		case INLINE_COLUMNS:
			close_set(out, &open, &has_rows, text);
			evbuffer_add_printf(
			    out, "%s{\"result_index\":%u,\"columns\":", first ? "" : ",", p->idx);
			json_dump_callback(p->json, dump_to_evbuffer, out, JSON_COMPACT);
			first = false;
			open = true;
			break;
		case INLINE_ROWS:
			evbuffer_add_printf(out, ",\"rows\":");
			evbuffer_add(out, p->data, p->len);
			has_rows = true;
			break;
		case INLINE_TEXT:
			evbuffer_add_printf(out, ",\"text\":");
			rowjson_string(out, p->data, p->len);
			has_rows = true;
			break;
		case INLINE_RESULT:
			close_set(out, &open, &has_rows, text);
			break;
		}
	}
	close_set(out, &open, &has_rows, text);
	evbuffer_add(out, "]}", 2);
	size_t len = evbuffer_get_length(out);
	char *s = malloc(len + 1);
	if (s) {
		evbuffer_remove(out, s, len);
		s[len] = '\0';
		*ret_len = len;
	}
	evbuffer_free(out);
	return s;
}
