/* A small psql-style aligned table (border 1) for tuskctl's own listings:
 * describe / \d, \dt, \df, … laid out as psql lays out the same data. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct ptable {
	const char *title; /* centered above, or NULL */
	size_t ncols;
	const char *const *headers;
	char **cells; /* nrows × ncols, owned */
	size_t nrows, cap;
	char **footers; /* lines after the table, owned */
	size_t nfooters;
	bool row_count; /* "(N rows)" footer, as psql's lists have */
};

void ptable_init(struct ptable *t, const char *title, size_t ncols, const char *const *headers);
/* Append a row of ncols cells (NULL is empty); copied. */
void ptable_row(struct ptable *t, const char *const *cells);
void ptable_footer(struct ptable *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print it and an empty line after, as psql does; then free it. */
void ptable_print(struct ptable *t, FILE *out);
void ptable_free(struct ptable *t);
/* Display width of UTF-8 text, as psql measures it. */
size_t ptable_width(const char *s);
