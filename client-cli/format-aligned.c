/* psql's default output (aligned, border 1, ascii line style, not wrapped —
 * what psql prints into a pipe), byte for byte: headers centred, numbers
 * right-aligned by type, "+" after a line that continues, control
 * characters shown as \r, \xNN and \uNNNN, widths as libpq measures them
 * (PQdsplen: wide characters 2, combining marks 0). */
#include "client-cli/format-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

/* One display line of a formatted cell: bytes [off, off+len) of buf. */
struct line {
	size_t off, len;
	int width;
};

struct cellfmt {
	char *buf;
	size_t len, cap;
	struct line *lines;
	size_t nlines, lines_cap;
	size_t cur; /* next line to print */
	bool oom;
};

static void cf_put(struct cellfmt *c, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (c->len + n > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		while (cap < c->len + n)
			cap *= 2;
		char *b = realloc(c->buf, cap);
		if (!b) {
			c->oom = true;
			return;
		}
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

static struct line *cf_new_line(struct cellfmt *c)
{
	if (c->nlines == c->lines_cap) {
		size_t cap = c->lines_cap ? c->lines_cap * 2 : 4;
		struct line *l = realloc(c->lines, cap * sizeof(*l));
		if (!l) {
			c->oom = true;
			return NULL;
		}
		c->lines = l;
		c->lines_cap = cap;
	}
	struct line *l = &c->lines[c->nlines++];
	*l = (struct line){.off = c->len};
	return l;
}

static unsigned utf8_codepoint(const unsigned char *s, int n)
{
	unsigned cp = n == 2 ? s[0] & 0x1f : n == 3 ? s[0] & 0x0f : s[0] & 0x07;
	for (int i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

/* psql's pg_wcsformat for UTF-8: split at newlines, make the invisible
 * visible, measure. */
static void cf_format(struct cellfmt *c, const char *s, size_t n, int enc)
{
	c->len = 0;
	c->nlines = 0;
	c->cur = 0;
	struct line *l = cf_new_line(c);
	size_t li = 0;
	int width = 0;
	char esc[16];
	if (!l)
		return;
	while (n > 0 && *s) {
		/* Printable ASCII, most of any table: one column each. */
		if (*s >= 0x20 && *s < 0x7f) {
			size_t k = 1;
			while (k < n && s[k] >= 0x20 && s[k] < 0x7f)
				k++;
			cf_put(c, s, k);
			width += (int)k;
			s += k;
			n -= k;
			continue;
		}
		int chlen = format_mblen(s);
		if (chlen < 1 || (size_t)chlen > n)
			break;
		int w = format_dsplen(s);
		if (chlen == 1 && *s == '\n') {
			c->lines[li].len = c->len - c->lines[li].off;
			c->lines[li].width = width;
			width = 0;
			if (!cf_new_line(c))
				return;
			li = c->nlines - 1;
		} else if (chlen == 1 && *s == '\r') {
			cf_put(c, "\\r", 2);
			width += 2;
		} else if (chlen == 1 && *s == '\t') {
			do {
				cf_put(c, " ", 1);
				width++;
			} while (width % 8 != 0);
		} else if (chlen == 1 && w < 0) {
			snprintf(esc, sizeof(esc), "\\x%02X", (unsigned char)*s);
			cf_put(c, esc, 4);
			width += 4;
		} else if (w < 0) {
			snprintf(esc, sizeof(esc), "\\u%04X",
			         utf8_codepoint((const unsigned char *)s, chlen));
			cf_put(c, esc, strlen(esc));
			width += 6;
		} else {
			cf_put(c, s, (size_t)chlen);
			width += w;
		}
		s += chlen;
		n -= (size_t)chlen;
	}
	c->lines[li].len = c->len - c->lines[li].off;
	c->lines[li].width = width;
}

static void cf_free(struct cellfmt *c)
{
	free(c->buf);
	free(c->lines);
}

static void spaces(FILE *out, int n)
{
	static const char blanks[] = "                                ";
	while (n > 0) {
		int k = n < (int)sizeof(blanks) - 1 ? n : (int)sizeof(blanks) - 1;
		fwrite(blanks, 1, (size_t)k, out);
		n -= k;
	}
}

/* psql's column_type_alignment. */
static bool right_aligned(TuskOid t)
{
	switch (t) {
	case 20:   /* int8 */
	case 21:   /* int2 */
	case 23:   /* int4 */
	case 700:  /* float4 */
	case 701:  /* float8 */
	case 1700: /* numeric */
	case 26:   /* oid */
	case 28:   /* xid */
	case 5069: /* xid8 */
	case 29:   /* cid */
	case 790:  /* money */
		return true;
	default:
		return false;
	}
}

static void print_rule(FILE *out, size_t ncols, const int *width)
{
	fputc('-', out);
	for (size_t i = 0; i < ncols; i++) {
		for (int k = 0; k < width[i]; k++)
			fputc('-', out);
		if (i + 1 < ncols)
			fputs("-+-", out);
	}
	fputs("-\n", out);
}

static void print_header(struct formatter *f, struct cellfmt *cf, const int *width)
{
	size_t n = f->ncols, more = n;
	_cleanup_free_ bool *done = calloc(n ? n : 1, sizeof(*done));
	if (!done) {
		f->error = -ENOMEM;
		return;
	}
	for (size_t cur = 0; more > 0; cur++) {
		for (size_t i = 0; i < n; i++) {
			fputc(' ', f->out);
			if (!done[i]) {
				const struct line *l = &cf[i].lines[cur];
				int pad = width[i] - l->width;
				spaces(f->out, pad / 2);
				if (l->len > 0) /* an empty cell may have no buffer yet */
					fwrite(cf[i].buf + l->off, 1, l->len, f->out);
				spaces(f->out, (pad + 1) / 2);
				if (cur + 1 >= cf[i].nlines) {
					done[i] = true;
					more--;
				}
			} else {
				spaces(f->out, width[i]);
			}
			fputc(done[i] ? ' ' : '+', f->out);
			if (i + 1 < n)
				fputc('|', f->out);
		}
		fputc('\n', f->out);
	}
}

static void print_row(struct formatter *f, struct cellfmt *cf, const int *width, const bool *right)
{
	size_t n = f->ncols;
	bool more;
	do {
		more = false;
		for (size_t j = 0; j < n; j++) {
			bool last = j + 1 == n;
			int chars = width[j];
			fputc(' ', f->out);
			if (cf[j].cur >= cf[j].nlines) {
				if (!last)
					spaces(f->out, width[j]);
			} else {
				const struct line *l = &cf[j].lines[cf[j].cur++];
				chars = l->width;
				if (right[j])
					spaces(f->out, width[j] - chars);
				if (l->len > 0)
					fwrite(cf[j].buf + l->off, 1, l->len, f->out);
				if (cf[j].cur < cf[j].nlines)
					more = true;
			}
			bool continues = cf[j].cur < cf[j].nlines;
			if (!right[j] && (!last || continues))
				spaces(f->out, width[j] - chars);
			if (continues)
				fputc('+', f->out);
			else if (!last)
				fputc(' ', f->out);
			if (!last)
				fputc('|', f->out);
		}
		fputc('\n', f->out);
	} while (more);
}

void format_aligned_print(struct formatter *f)
{
	size_t n = f->ncols;
	int enc = 0; /* all text is UTF-8 (client_encoding) */
	_cleanup_free_ int *width = calloc(n ? n : 1, sizeof(*width));
	_cleanup_free_ bool *right = calloc(n ? n : 1, sizeof(*right));
	_cleanup_free_ struct cellfmt *cf = calloc(n ? n : 1, sizeof(*cf));
	struct cellfmt scratch = {0};
	if (!width || !right || !cf) {
		f->error = -ENOMEM;
		return;
	}

	/* Two passes over the held rows: measure, then print. A table
	 * without columns prints no row lines, only the row count. */
	for (size_t i = 0; i < n; i++) {
		right[i] = right_aligned(f->types[i]);
		cf_format(&cf[i], f->names[i], strlen(f->names[i]), enc);
		if (cf[i].oom)
			goto oom;
		for (size_t k = 0; k < cf[i].nlines; k++)
			if (cf[i].lines[k].width > width[i])
				width[i] = cf[i].lines[k].width;
	}
	for (size_t b = 0; n > 0 && b < json_array_size(f->held); b++) {
		const json_t *batch = json_array_get(f->held, b);
		for (size_t r = 0; r < json_array_size(batch); r++) {
			const json_t *row = json_array_get(batch, r);
			for (size_t i = 0; i < n; i++) {
				_cleanup_free_ char *tofree = NULL;
				size_t len;
				const char *s =
				    format_cell_shown(f, json_array_get(row, i), &len, &tofree);
				cf_format(&scratch, s, len, enc);
				for (size_t k = 0; k < scratch.nlines; k++)
					if (scratch.lines[k].width > width[i])
						width[i] = scratch.lines[k].width;
			}
		}
	}
	if (scratch.oom)
		goto oom;

	if (f->expand_wider_than > 0) {
		/* psql's \x auto: expanded when the table would not fit. */
		size_t total = n ? 3 * n - 1 : 0;
		for (size_t i = 0; i < n; i++)
			total += (size_t)width[i];
		if (total > (size_t)f->expand_wider_than) {
			for (size_t i = 0; i < n; i++)
				cf_free(&cf[i]);
			cf_free(&scratch);
			format_expanded_print(f);
			return;
		}
	}
	if (!f->no_header) {
		print_header(f, cf, width);
		print_rule(f->out, n, width);
	}
	for (size_t b = 0; n > 0 && b < json_array_size(f->held); b++) {
		const json_t *batch = json_array_get(f->held, b);
		for (size_t r = 0; r < json_array_size(batch); r++) {
			const json_t *row = json_array_get(batch, r);
			for (size_t i = 0; i < n; i++) {
				_cleanup_free_ char *tofree = NULL;
				size_t len;
				const char *s =
				    format_cell_shown(f, json_array_get(row, i), &len, &tofree);
				cf_format(&cf[i], s, len, enc);
				if (cf[i].oom)
					goto oom;
			}
			print_row(f, cf, width, right);
		}
	}
	if (f->no_header)
		fputc('\n', f->out);
	else
		fprintf(f->out, f->nrows == 1 ? "(%llu row)\n\n" : "(%llu rows)\n\n",
		        (unsigned long long)f->nrows);
	goto out;
oom:
	f->error = -ENOMEM;
out:
	for (size_t i = 0; i < n; i++)
		cf_free(&cf[i]);
	cf_free(&scratch);
	format_check(f);
}
