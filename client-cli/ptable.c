/* psql's aligned table with border 1: a centered title, centered headers,
 * a rule of '-' and '+', cells padded except the last column's, footers. */
#include "client-cli/ptable.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "client-cli/format-internal.h"

size_t ptable_width(const char *s)
{
	size_t w = 0;
	while (s && *s) {
		int n = format_mblen(s);
		int d = format_dsplen(s);
		w += d > 0 ? (size_t)d : 0;
		s += n > 0 ? n : 1;
	}
	return w;
}

void ptable_init(struct ptable *t, const char *title, size_t ncols, const char *const *headers)
{
	*t = (struct ptable){.title = title, .ncols = ncols, .headers = headers};
}

void ptable_row(struct ptable *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **v = realloc(t->cells, cap * t->ncols * sizeof(*v));
		if (!v)
			return;
		t->cells = v;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = strdup(cells[i] ? cells[i] : "");
	t->nrows++;
}

void ptable_footer(struct ptable *t, const char *fmt, ...)
{
	char **v = realloc(t->footers, (t->nfooters + 1) * sizeof(*v));
	if (!v)
		return;
	t->footers = v;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&v[t->nfooters], fmt, ap) >= 0)
		t->nfooters++;
	va_end(ap);
}

static void spaces(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

void ptable_print(struct ptable *t, FILE *out)
{
	size_t *w = calloc(t->ncols ? t->ncols : 1, sizeof(*w));
	if (!w)
		return;
	size_t total = t->ncols ? t->ncols - 1 : 0;
	for (size_t c = 0; c < t->ncols; c++) {
		w[c] = ptable_width(t->headers[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t x = ptable_width(t->cells[r * t->ncols + c]);
			if (x > w[c])
				w[c] = x;
		}
		total += w[c] + 2;
	}
	if (t->title) {
		size_t tw = ptable_width(t->title);
		if (tw < total)
			spaces(out, (total - tw) / 2);
		fprintf(out, "%s\n", t->title);
	}
	for (size_t c = 0; c < t->ncols; c++) {
		size_t hw = ptable_width(t->headers[c]);
		fputs(c ? "| " : " ", out);
		spaces(out, (w[c] - hw) / 2);
		fputs(t->headers[c], out);
		spaces(out, (w[c] - hw + 1) / 2 + 1);
	}
	fputc('\n', out);
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			fputc('+', out);
		for (size_t i = 0; i < w[c] + 2; i++)
			fputc('-', out);
	}
	fputc('\n', out);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			fputs(c ? "| " : " ", out);
			fputs(s, out);
			if (c + 1 < t->ncols)
				spaces(out, w[c] - ptable_width(s) + 1);
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < t->nfooters; i++)
		fprintf(out, "%s\n", t->footers[i]);
	if (t->row_count)
		fprintf(out, "(%zu row%s)\n", t->nrows, t->nrows == 1 ? "" : "s");
	fputc('\n', out);
	free(w);
	ptable_free(t);
}

void ptable_free(struct ptable *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	for (size_t i = 0; i < t->nfooters; i++)
		free(t->footers[i]);
	free(t->footers);
	t->cells = NULL;
	t->footers = NULL;
	t->nrows = t->nfooters = t->cap = 0;
}
