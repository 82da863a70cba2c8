/* psql's expanded display (\x, --expanded): one "-[ RECORD n ]" block per
 * row, column names left, values right, a value's lines continued with
 * " +" as psql does; "(0 rows)" for an empty set. */
#include <stdlib.h>
#include <string.h>

#include "client-cli/format-internal.h"

static size_t width_of(const char *s, size_t len)
{
	size_t w = 0;
	for (size_t i = 0; i < len;) {
		int n = format_mblen(s + i);
		int d = format_dsplen(s + i);
		w += d > 0 ? (size_t)d : 0;
		i += n > 0 ? (size_t)n : 1;
	}
	return w;
}

/* The widest line of a value. */
static size_t value_width(const char *s, size_t len)
{
	size_t best = 0;
	while (len > 0) {
		const char *nl = memchr(s, '\n', len);
		size_t l = nl ? (size_t)(nl - s) : len;
		size_t w = width_of(s, l);
		if (w > best)
			best = w;
		if (!nl)
			break;
		len -= l + 1;
		s = nl + 1;
	}
	return best;
}

static void pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

void format_expanded_print(struct formatter *f)
{
	size_t hw = 0, dw = 0;
	for (size_t i = 0; i < f->ncols; i++) {
		size_t w = value_width(f->names[i], strlen(f->names[i]));
		if (w > hw)
			hw = w;
	}
	for (size_t b = 0; b < json_array_size(f->held); b++) {
		const json_t *batch = json_array_get(f->held, b);
		for (size_t r = 0; r < json_array_size(batch); r++)
			for (size_t i = 0; i < f->ncols; i++) {
				char *tofree;
				size_t len;
				const char *s = format_cell_shown(
				    f, json_array_get(json_array_get(batch, r), i), &len, &tofree);
				size_t w = value_width(s, len);
				free(tofree);
				if (w > dw)
					dw = w;
			}
	}
	if (f->nrows == 0) {
		fputs("(0 rows)\n\n", f->out);
		format_check(f);
		return;
	}
	unsigned long long record = 0;
	for (size_t b = 0; b < json_array_size(f->held); b++) {
		const json_t *batch = json_array_get(f->held, b);
		for (size_t r = 0; r < json_array_size(batch); r++) {
			int n = fprintf(f->out, "-[ RECORD %llu ]", ++record);
			for (size_t k = n > 0 ? (size_t)n : 0; k < hw + 3 + dw; k++)
				fputc('-', f->out);
			fputc('\n', f->out);
			for (size_t i = 0; i < f->ncols; i++) {
				char *tofree;
				size_t len;
				const char *s = format_cell_shown(
				    f, json_array_get(json_array_get(batch, r), i), &len, &tofree);
				const char *name = f->names[i];
				bool first = true;
				for (;;) {
					const char *nl = memchr(s, '\n', len);
					size_t l = nl ? (size_t)(nl - s) : len;
					const char *h = first ? name : "";
					fputs(h, f->out);
					pad(f->out, hw - value_width(h, strlen(h)));
					fputs(" | ", f->out);
					fwrite(s, 1, l, f->out);
					if (nl) {
						pad(f->out, dw - width_of(s, l));
						fputc('+', f->out);
					}
					fputc('\n', f->out);
					if (!nl)
						break;
					first = false;
					len -= l + 1;
					s = nl + 1;
				}
				free(tofree);
			}
		}
	}
	fputc('\n', f->out);
	format_check(f);
}
