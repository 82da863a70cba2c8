/* A small result held back for the query.execute reply (param inline):
 * each result set's columns, its one batch of rows (query.rows JSON or
 * query.text lines) and its summary, in the order the query made them,
 * so they can be sent as the notifications they would have been if the
 * result turns out not to be small after all. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum inline_kind { INLINE_COLUMNS, INLINE_ROWS, INLINE_TEXT, INLINE_RESULT };

struct inline_part {
	enum inline_kind kind;
	unsigned idx;   /* result_index */
	unsigned nrows; /* ROWS, TEXT */
	json_t *json;   /* COLUMNS: the columns; RESULT: the summary */
	char *data;     /* ROWS: a JSON array; TEXT: the lines */
	size_t len;
};

struct inline_buf {
	struct inline_part *parts;
	size_t n, cap;
	size_t bytes;
	unsigned long long rows;
};

/* Whether nrows more rows of len bytes keep it within max_rows rows and
 * max_bytes bytes in all. */
bool inline_fits(const struct inline_buf *b, unsigned nrows, size_t len, unsigned max_rows,
                 size_t max_bytes);
/* Appends a part: json is referenced, data copied. -1 when out of memory. */
int inline_add(struct inline_buf *b, enum inline_kind kind, unsigned idx, json_t *json,
               const char *data, size_t len, unsigned nrows);
void inline_clear(struct inline_buf *b);
/* summary (the reply's object) with "inline" added, as compact JSON text
 * (malloc'd, *ret_len its length; NULL when out of memory). text: rows
 * were rendered (an empty result set gets "text":"" rather than
 * "rows":[]). */
char *inline_reply_text(const struct inline_buf *b, const json_t *summary, bool text,
                        size_t *ret_len);
