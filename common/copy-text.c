/* COPY text rows to psql's csv / tsv lines. Most rows have no backslash
 * (no NULL, no escape) and, for csv, nothing to quote: those are the row
 * with its tabs turned into commas. The others are decoded field by field
 * and rendered by tusk_render_field. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/copy-text.h"
#include "common/grow.h"

void tusk_copy_scratch_clear(TuskCopyScratch *s)
{
	free(s->buf);
	free(s->field);
	*s = (TuskCopyScratch){0};
}

static void append(void *ud, const char *p, size_t n)
{
	TuskCopyScratch *s = ud;
	if (n == 0 || tusk_grow(&s->buf, &s->cap, s->len + n, 256) < 0)
		return;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The field's value with its escapes undone (as COPY FROM reads it). */
static size_t decode(const char *p, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c != '\\' || i + 1 == n) {
			out[o++] = c;
			continue;
		}
		c = p[++i];
		switch (c) {
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'v':
			out[o++] = '\v';
			break;
		case 'x':
			if (i + 1 < n && hexval(p[i + 1]) >= 0) {
				int v = hexval(p[++i]);
				if (i + 1 < n && hexval(p[i + 1]) >= 0)
					v = v * 16 + hexval(p[++i]);
				out[o++] = (char)v;
			} else {
				out[o++] = 'x';
			}
			break;
		default:
			if (c >= '0' && c <= '7') {
				int v = c - '0';
				for (int k = 0;
				     k < 2 && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7'; k++)
					v = v * 8 + (p[++i] - '0');
				out[o++] = (char)v;
			} else {
				out[o++] = c; /* \\ and any other escaped character */
			}
		}
	}
	return o;
}

int tusk_copy_text_render(TuskRender kind, const char *row, size_t len, TuskCopyScratch *s)
{
	if (len > 0 && row[len - 1] == '\n')
		len--;
	s->len = 0;
	if (tusk_grow(&s->buf, &s->cap, len + 1, 256) < 0)
		return -1;
	bool plain = memchr(row, '\\', len) == NULL;
	if (plain && kind == TUSK_RENDER_CSV)
		plain = !memchr(row, ',', len) && !memchr(row, '"', len);
	if (plain) {
		memcpy(s->buf, row, len);
		if (kind == TUSK_RENDER_CSV)
			for (char *t = memchr(s->buf, '\t', len); t;
			     t = memchr(t + 1, '\t', len - (size_t)(t + 1 - s->buf)))
				*t = ',';
		s->buf[len] = '\n';
		s->len = len + 1;
		return 0;
	}
	if (tusk_grow(&s->field, &s->field_cap, len + 1, 256) < 0)
		return -1;
	char sep = tusk_render_separator(kind);
	const char *p = row, *end = row + len;
	for (bool first = true;; first = false) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		const char *fe = tab ? tab : end;
		if (!first)
			append(s, &sep, 1);
		size_t fl = (size_t)(fe - p);
		if (!(fl == 2 && p[0] == '\\' && p[1] == 'N')) {
			size_t n = decode(p, fl, s->field);
			tusk_render_field(kind, s->field, n, append, s);
		}
		if (!tab)
			break;
		p = tab + 1;
	}
	append(s, "\n", 1);
	return 0;
}
