/* Text renderings of result rows shared by the daemon (which can render
 * rows itself, so a CSV export crosses the socket as one string per batch
 * instead of millions of JSON cells) and tuskctl's formatter: one
 * definition of psql's csv and unaligned output. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef enum TuskRender {
	TUSK_RENDER_NONE = 0,
	TUSK_RENDER_CSV, /* psql --csv */
	TUSK_RENDER_TSV, /* psql -A -F '<TAB>' */
} TuskRender;

/* Where rendered bytes go. */
typedef void (*TuskRenderEmit)(void *ud, const char *buf, size_t len);

/* "csv" / "tsv" → the kind; TUSK_RENDER_NONE for anything else. */
TuskRender tusk_render_from_name(const char *name);
/* One field: csv quotes it when it holds a comma, a quote, CR or LF, or is
 * exactly \. (COPY's end marker), doubling quotes, as psql does; tsv
 * writes it as it is. A NULL is an empty field in both (s NULL). */
void tusk_render_field(TuskRender kind, const char *s, size_t n, TuskRenderEmit emit, void *ud);
/* The separator between fields: ',' or '\t'. */
char tusk_render_separator(TuskRender kind);
