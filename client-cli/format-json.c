/* JSON output with the typed CellValue mapping: "json" writes one array of
 * objects per result set, "jsonl" one object per line; both stream, row by
 * row. Keys are the column names; a repeated name gets "_2", "_3", … (the
 * first free suffix that is no other column's name either), so no value is
 * lost to a duplicate key. Statements without rows print nothing: stdout
 * stays pure JSON. */
#include "client-cli/format-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/jsonstr.h"

static int file_write(const char *buf, size_t size, void *data)
{
	return fwrite(buf, 1, size, data) == size ? 0 : -1;
}

/* A suffixed key must not be an earlier key nor any column's own name. */
static bool key_taken(const struct formatter *f, size_t col, char **keys, const char *key)
{
	for (size_t i = 0; i < col; i++)
		if (strcmp(keys[i], key) == 0)
			return true;
	for (size_t i = 0; i < f->ncols; i++)
		if (strcmp(f->names[i], key) == 0)
			return true;
	return false;
}

static char *unique_key(const struct formatter *f, size_t col, char **keys)
{
	const char *name = f->names[col];
	bool dup = false;
	for (size_t i = 0; i < col && !dup; i++)
		dup = strcmp(keys[i], name) == 0;
	if (!dup)
		return strdup(name);
	for (unsigned k = 2;; k++) {
		char *key;
		if (asprintf(&key, "%s_%u", name, k) < 0)
			return NULL;
		if (!key_taken(f, col, keys, key))
			return key;
		free(key);
	}
}

int format_json_begin(struct formatter *f)
{
	size_t n = f->ncols;
	_cleanup_free_ char **keys = calloc(n ? n : 1, sizeof(*keys));
	int r = -1;
	f->key_prefix = calloc(n ? n : 1, sizeof(*f->key_prefix));
	f->key_prefix_len = calloc(n ? n : 1, sizeof(*f->key_prefix_len));
	if (!keys || !f->key_prefix || !f->key_prefix_len)
		goto out;
	for (size_t i = 0; i < n; i++) {
		keys[i] = unique_key(f, i, keys);
		if (!keys[i])
			goto out;
		/* ",\"key\":" once per column, not per row. */
		_cleanup_json_ json_t *k = json_string(keys[i]);
		_cleanup_free_ char *quoted = k ? tusk_json_dumps_exact(k) : NULL;
		if (!quoted || asprintf(&f->key_prefix[i], "%s%s:", i ? "," : "", quoted) < 0) {
			f->key_prefix[i] = NULL;
			goto out;
		}
		f->key_prefix_len[i] = strlen(f->key_prefix[i]);
	}
	if (f->kind == FORMAT_JSON)
		fputc('[', f->out);
	r = 0;
out:
	for (size_t i = 0; keys && i < n; i++)
		free(keys[i]);
	return r;
}

static int write_row(struct formatter *f, const json_t *row)
{
	fputc('{', f->out);
	for (size_t i = 0; i < f->ncols; i++) {
		const json_t *cell = json_array_get(row, i);
		fwrite(f->key_prefix[i], 1, f->key_prefix_len[i], f->out);
		_cleanup_json_ json_t *v = NULL;
		if (json_is_string(cell) &&
		    (f->types[i] == TUSK_OID_FLOAT8 || f->types[i] == TUSK_OID_FLOAT4) &&
		    tusk_json_number_text(json_string_value(cell), json_string_length(cell))) {
			fwrite(json_string_value(cell), 1, json_string_length(cell), f->out);
			continue;
		}
		if (json_is_string(cell))
			v = tusk_cell_typed(f->types[i], json_string_value(cell),
			                    json_string_length(cell));
		else
			v = json_incref((json_t *)(cell ? cell : json_null()));
		if (!v)
			return -ENOMEM;
		if (tusk_json_dump_exact(v, file_write, f->out) < 0)
			return ferror(f->out) ? -EIO : -EINVAL;
	}
	fputc('}', f->out);
	return 0;
}

void format_json_rows(struct formatter *f, const json_t *rows)
{
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *row = json_array_get(rows, i);
		if (f->kind == FORMAT_JSON)
			fputs(f->nrows + i == 0 ? "\n" : ",\n", f->out);
		int r = write_row(f, row);
		if (r < 0) {
			format_check(f);
			if (!f->error)
				f->error = r;
			return;
		}
		if (f->kind == FORMAT_JSONL)
			fputc('\n', f->out);
	}
}

void format_json_end(struct formatter *f)
{
	if (f->kind == FORMAT_JSON && f->key_prefix)
		fputs(f->nrows ? "\n]\n" : "]\n", f->out);
}

void format_json_clear(struct formatter *f)
{
	for (size_t i = 0; f->key_prefix && i < f->ncols; i++)
		free(f->key_prefix[i]);
	free(f->key_prefix);
	free(f->key_prefix_len);
	f->key_prefix = NULL;
	f->key_prefix_len = NULL;
}
