/* tuskctl's output formats: result sets in, psql's bytes out. CSV and TSV
 * are written as rows arrive; the aligned table holds one result set (its
 * column widths depend on every row); JSON is streamed row by row. */
#include "client-cli/format-internal.h"
#include "common/render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

static const char *const kind_names[] = {
    [FORMAT_ALIGNED] = "aligned", [FORMAT_CSV] = "csv",     [FORMAT_TSV] = "tsv",
    [FORMAT_JSON] = "json",       [FORMAT_JSONL] = "jsonl",
};

int format_kind_from_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strcmp(name, kind_names[i]) == 0)
			return (int)i;
	return -1;
}

struct formatter *formatter_new(enum format_kind kind, FILE *out)
{
	struct formatter *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->kind = kind;
	f->out = out;
	return f;
}

void formatter_set_quiet(struct formatter *f, bool quiet)
{
	f->quiet = quiet;
}

const char *format_cell_shown(const struct formatter *f, const json_t *cell, size_t *len,
                              char **tofree)
{
	if (json_is_null(cell) && f->null_text) {
		*tofree = NULL;
		*len = strlen(f->null_text);
		return f->null_text;
	}
	return format_cell_text(cell, len, tofree);
}

void formatter_set_no_header(struct formatter *f, bool no_header)
{
	f->no_header = no_header;
}

void formatter_set_expand_auto(struct formatter *f, int columns)
{
	f->expand_wider_than = columns;
}

void formatter_set_expanded(struct formatter *f, bool expanded)
{
	f->expanded = expanded;
}

void formatter_set_null(struct formatter *f, const char *text)
{
	f->null_text = text && *text ? text : NULL;
}

static void set_clear(struct formatter *f)
{
	for (size_t i = 0; i < f->ncols; i++)
		free(f->names[i]);
	format_json_clear(f);
	free(f->names);
	free(f->types);
	json_decref(f->held);
	f->names = NULL;
	f->types = NULL;
	f->held = NULL;
	f->ncols = 0;
	f->nrows = 0;
	f->in_set = false;
}

void formatter_free(struct formatter *f)
{
	if (!f)
		return;
	set_clear(f);
	free(f);
}

void format_check(struct formatter *f)
{
	if (f->error == 0 && ferror(f->out))
		f->error = errno ? -errno : -EIO;
}

int formatter_error(const struct formatter *f)
{
	return f->error;
}

const char *format_cell_text(const json_t *cell, size_t *len, char **tofree)
{
	*tofree = NULL;
	if (json_is_string(cell)) {
		*len = json_string_length(cell);
		return json_string_value(cell);
	}
	if (cell && !json_is_null(cell))
		*tofree = tusk_json_dumps_exact(cell);
	*len = *tofree ? strlen(*tofree) : 0;
	return *tofree ? *tofree : "";
}

static void emit_file(void *ud, const char *buf, size_t len)
{
	fwrite(buf, 1, len, ud);
}

/* A line of fields: csv quotes as psql --csv does, tsv writes them as
 * psql's unaligned format does (as they are). */
static void text_line(struct formatter *f, const json_t *row, bool header)
{
	for (size_t i = 0; i < f->ncols; i++) {
		_cleanup_free_ char *tofree = NULL;
		const char *s = "";
		size_t n = 0;
		if (header) {
			s = f->names[i];
			n = strlen(s);
		} else {
			s = format_cell_text(json_array_get(row, i), &n, &tofree);
		}
		TuskRender r = f->kind == FORMAT_CSV ? TUSK_RENDER_CSV : TUSK_RENDER_TSV;
		if (i > 0)
			fputc(tusk_render_separator(r), f->out);
		tusk_render_field(r, s, n, emit_file, f->out);
	}
	fputc('\n', f->out);
}

/* Close the open result set without its summary (an error or a cancel
 * mid-set, or a new set without one): the rows that came are shown, as
 * the streaming formats already did. */
static void set_end(struct formatter *f)
{
	if (!f->in_set)
		return;
	if (f->kind == FORMAT_ALIGNED && !f->error && f->expanded)
		format_expanded_print(f);
	else if (f->kind == FORMAT_ALIGNED && !f->error)
		format_aligned_print(f);
	else if (f->kind == FORMAT_JSON || f->kind == FORMAT_JSONL)
		format_json_end(f);
	set_clear(f);
}

void formatter_columns(struct formatter *f, const json_t *columns)
{
	set_end(f);
	size_t n = json_array_size(columns);
	f->in_set = true;
	f->names = calloc(n ? n : 1, sizeof(*f->names));
	f->types = calloc(n ? n : 1, sizeof(*f->types));
	if (!f->names || !f->types) {
		f->error = f->error ? f->error : -ENOMEM;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *c = json_array_get(columns, i);
		const char *name = json_string_value(json_object_get(c, "name"));
		f->names[i] = strdup(name ? name : "?column?");
		f->types[i] = (TuskOid)json_integer_value(json_object_get(c, "type_oid"));
		f->ncols = i + 1;
		if (!f->names[i]) {
			f->error = f->error ? f->error : -ENOMEM;
			return;
		}
	}
	switch (f->kind) {
	case FORMAT_CSV:
	case FORMAT_TSV:
		if (!f->no_header)
			text_line(f, NULL, true);
		break;
	case FORMAT_JSON:
	case FORMAT_JSONL:
		if (format_json_begin(f) < 0)
			f->error = f->error ? f->error : -ENOMEM;
		break;
	case FORMAT_ALIGNED:
		f->held = json_array();
		break;
	}
	format_check(f);
}

void formatter_rows(struct formatter *f, const json_t *rows)
{
	if (!f->in_set || f->error)
		return;
	switch (f->kind) {
	case FORMAT_CSV:
	case FORMAT_TSV:
		/* psql prints no line for a row without columns (select;). */
		for (size_t i = 0; f->ncols > 0 && i < json_array_size(rows); i++)
			text_line(f, json_array_get(rows, i), false);
		break;
	case FORMAT_JSON:
	case FORMAT_JSONL:
		format_json_rows(f, rows);
		break;
	case FORMAT_ALIGNED:
		if (!f->held || json_array_append(f->held, (json_t *)rows) < 0)
			f->error = -ENOMEM;
		break;
	}
	f->nrows += json_array_size(rows);
	format_check(f);
}

void formatter_text(struct formatter *f, const char *text, size_t len, size_t nrows)
{
	if (!f->in_set || f->error)
		return;
	if (f->ncols > 0)
		fwrite(text, 1, len, f->out);
	f->nrows += nrows;
	format_check(f);
}

static bool returns_rows_and_tag(const char *tag)
{
	/* psql 15 prints the status after the rows only for these. */
	return strncmp(tag, "INSERT", 6) == 0 || strncmp(tag, "UPDATE", 6) == 0 ||
	       strncmp(tag, "DELETE", 6) == 0;
}

void formatter_result_end(struct formatter *f, const json_t *result)
{
	const char *tag = json_string_value(json_object_get(result, "command_tag"));
	bool text = f->kind == FORMAT_ALIGNED || f->kind == FORMAT_CSV || f->kind == FORMAT_TSV;
	bool print_tag = text && !f->quiet && tag && *tag;

	if (f->in_set) {
		set_end(f);
		print_tag = print_tag && returns_rows_and_tag(tag);
	}
	if (print_tag && !f->error)
		fprintf(f->out, "%s\n", tag);
	format_check(f);
}

int formatter_finish(struct formatter *f)
{
	set_end(f);
	if (fflush(f->out) != 0 && f->error == 0)
		f->error = errno ? -errno : -EIO;
	format_check(f);
	return f->error;
}
