/* Rows of COPY's text format (what `COPY (query) TO STDOUT` sends: fields
 * split by tabs, \N for NULL, backslash escapes) rendered as psql prints
 * the same row with --csv or -A -F '<TAB>' (common/render.h): the daemon
 * runs a CSV export as COPY and still gives psql's bytes. */
#pragma once

#include <stddef.h>

#include "common/render.h"

/* Reused between rows: the rendered line is built here. */
typedef struct TuskCopyScratch {
	char *buf;
	size_t len, cap;
	char *field;
	size_t field_cap;
} TuskCopyScratch;

void tusk_copy_scratch_clear(TuskCopyScratch *s);

/* Render one row (len bytes, its final newline optional) as one csv / tsv
 * line ending in a newline; the line is left in s->buf (s->len bytes).
 * Returns 0, or -1 when out of memory. */
int tusk_copy_text_render(TuskRender kind, const char *row, size_t len, TuskCopyScratch *s);
