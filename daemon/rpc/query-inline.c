/* The parts of a small result kept for the query.execute reply; see
 * query-inline.h. */
#include "daemon/rpc/query-inline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonstr.h"
#include "common/jsonwrite.h"

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

static int add_str(struct tusk_jbuf *out, const char *s)
{
	return tusk_jbuf_add(out, s, strlen(s));
}

static int add_cb(const char *s, size_t n, void *data)
{
	return tusk_jbuf_add(data, s, n);
}

/* Closes the open result set's object, giving it its empty rows when no
 * batch came. */
static int close_set(struct tusk_jbuf *out, bool *open, bool *has_rows, bool text)
{
	if (!*open)
		return 0;
	int r = 0;
	if (!*has_rows)
		r = add_str(out, text ? ",\"text\":\"\"" : ",\"rows\":[]");
	*open = *has_rows = false;
	return r < 0 ? r : tusk_jbuf_add(out, "}", 1);
}

static int write_part(struct tusk_jbuf *out, const struct inline_part *p, bool *open,
                      bool *has_rows, bool *first, bool text)
{
	char head[64];
	switch (p->kind) {
	case INLINE_COLUMNS:
		if (close_set(out, open, has_rows, text) < 0)
			return -1;
		snprintf(head, sizeof(head),
		         "%s{\"result_index\":%u,\"columns\":", *first ? "" : ",", p->idx);
		*first = false;
		*open = true;
		return add_str(out, head) < 0 ? -1 : tusk_json_write(out, p->json);
	case INLINE_ROWS:
		*has_rows = true;
		return add_str(out, ",\"rows\":") < 0 ? -1 : tusk_jbuf_add(out, p->data, p->len);
	case INLINE_TEXT:
		*has_rows = true;
		return add_str(out, ",\"text\":") < 0
		           ? -1
		           : tusk_json_string(p->data, p->len, add_cb, out);
	case INLINE_RESULT:
		return close_set(out, open, has_rows, text);
	}
	return 0;
}

char *inline_reply_text(const struct inline_buf *b, const json_t *summary, bool text,
                        size_t *ret_len)
{
	struct tusk_jbuf out = {0};
	/* Reopen the object: its last byte is the closing brace. */
	if (tusk_json_write(&out, summary) < 0 || out.len < 2)
		goto fail;
	out.len--;
	if (add_str(&out, ",\"inline\":[") < 0)
		goto fail;
	bool open = false, has_rows = false, first = true;
	for (size_t i = 0; i < b->n; i++)
		if (write_part(&out, &b->parts[i], &open, &has_rows, &first, text) < 0)
			goto fail;
	if (close_set(&out, &open, &has_rows, text) < 0 || tusk_jbuf_add(&out, "]}", 2) < 0)
		goto fail;
	*ret_len = out.len;
	return out.p;
fail:
	free(out.p);
	return NULL;
}
