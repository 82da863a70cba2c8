/* Writing one result set of a stored result to a file (query.export), on a
 * worker thread: reads the spill file segment by segment through the
 * snapshot's own descriptor and writes csv (psql --csv), tsv, json or
 * jsonl exactly as tuskctl prints them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/jsonstr.h"
#include "common/render.h"
#include "daemon/db/store-export.h"
#include "daemon/db/store-internal.h"

int store_export_format_from_name(const char *name)
{
	static const char *const names[] = {"csv", "tsv", "json", "jsonl"};
	for (int i = 0; name && i < 4; i++)
		if (strcmp(name, names[i]) == 0)
			return i + 1;
	return 0;
}

static void emit_file(void *ud, const char *buf, size_t len)
{
	fwrite(buf, 1, len, ud);
}

static int dump_file(const char *buf, size_t len, void *ud)
{
	return fwrite(buf, 1, len, ud) == len ? 0 : -1;
}

static bool taken(char **keys, size_t upto, const char *const *names, size_t n, const char *key)
{
	for (size_t i = 0; i < upto; i++)
		if (strcmp(keys[i], key) == 0)
			return true;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], key) == 0)
			return true;
	return false;
}

/* ",\"key\":" per column; a repeated name gets the first free "_2", "_3"… */
static char **json_keys(const char *const *names, size_t n)
{
	char **keys = calloc(n + 1, sizeof(*keys));
	char **prefix = calloc(n + 1, sizeof(*prefix));
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t k = 0; k < i && !dup; k++)
			dup = strcmp(keys[k], names[i]) == 0;
		if (!dup)
			keys[i] = strdup(names[i]);
		for (unsigned s = 2; dup; s++) {
			char *key = NULL;
			if (asprintf(&key, "%s_%u", names[i], s) < 0)
				break;
			if (!taken(keys, i, names, n, key)) {
				keys[i] = key;
				break;
			}
			free(key);
		}
		json_t *k = json_string(keys[i] ? keys[i] : "");
		char *quoted = k ? json_dumps(k, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		json_decref(k);
		if (quoted && asprintf(&prefix[i], "%s%s:", i ? "," : "", quoted) < 0)
			prefix[i] = NULL;
		free(quoted);
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return prefix;
}

struct writer {
	FILE *f;
	int format;
	int ncols;
	const char **names;
	TuskOid *types;
	char **prefix;
	uint64_t rows;
};

static void write_row(struct writer *w, const char **cells, const uint32_t *lens)
{
	if (w->format == STORE_EXPORT_CSV || w->format == STORE_EXPORT_TSV) {
		if (w->ncols == 0)
			return; /* psql prints no line for a row without columns */
		TuskRender r = w->format == STORE_EXPORT_CSV ? TUSK_RENDER_CSV : TUSK_RENDER_TSV;
		for (int c = 0; c < w->ncols; c++) {
			if (c)
				fputc(tusk_render_separator(r), w->f);
			if (cells[c])
				tusk_render_field(r, cells[c], lens[c], emit_file, w->f);
		}
		fputc('\n', w->f);
		return;
	}
	if (w->format == STORE_EXPORT_JSON)
		fputs(w->rows == 0 ? "\n" : ",\n", w->f);
	fputc('{', w->f);
	for (int c = 0; c < w->ncols; c++) {
		fputs(w->prefix[c] ? w->prefix[c] : "", w->f);
		if (!cells[c]) {
			fputs("null", w->f);
			continue;
		}
		if ((w->types[c] == TUSK_OID_FLOAT8 || w->types[c] == TUSK_OID_FLOAT4) &&
		    tusk_json_number_text(cells[c], lens[c])) {
			fwrite(cells[c], 1, lens[c], w->f);
			continue;
		}
		json_t *v = tusk_cell_typed(w->types[c], cells[c], lens[c]);
		if (!v || tusk_json_dump_exact(v, dump_file, w->f) < 0)
			tusk_json_string(cells[c], lens[c], dump_file, w->f);
		json_decref(v);
	}
	fputc('}', w->f);
	if (w->format == STORE_EXPORT_JSONL)
		fputc('\n', w->f);
}

static void write_head(struct writer *w)
{
	if (w->format == STORE_EXPORT_CSV || w->format == STORE_EXPORT_TSV) {
		TuskRender r = w->format == STORE_EXPORT_CSV ? TUSK_RENDER_CSV : TUSK_RENDER_TSV;
		for (int c = 0; c < w->ncols; c++) {
			if (c)
				fputc(tusk_render_separator(r), w->f);
			tusk_render_field(r, w->names[c], strlen(w->names[c]), emit_file, w->f);
		}
		fputc('\n', w->f);
	} else if (w->format == STORE_EXPORT_JSON) {
		fputc('[', w->f);
	}
}

static int read_full(int fd, char *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

static int write_rows(struct store_export_job *j, struct writer *w)
{
	struct store_snapshot *s = j->snap;
	const char **cells = calloc((size_t)w->ncols + 1, sizeof(*cells));
	uint32_t *lens = calloc((size_t)w->ncols + 1, sizeof(*lens));
	char *buf = NULL;
	size_t cap = 0;
	int r = 0;
	for (size_t k = 0; k < s->nsegs && r == 0; k++) {
		if (atomic_load(&j->cancel))
			break;
		if (s->seg_len[k] > cap) {
			free(buf);
			cap = s->seg_len[k];
			buf = malloc(cap);
			if (!buf)
				r = -ENOMEM;
		}
		if (r == 0)
			r = read_full(s->fd, buf, s->seg_len[k], s->seg_off[k]);
		const char *p = buf;
		for (uint32_t i = 0; r == 0 && i < s->seg_rows[k]; i++) {
			p = store_row_decode(p, w->ncols, cells, lens);
			write_row(w, cells, lens);
			w->rows++;
		}
		atomic_store(&j->rows, w->rows);
		atomic_store(&j->bytes, (uint64_t)ftello(w->f));
		if (ferror(w->f))
			r = -EIO;
	}
	free(buf);
	free(cells);
	free(lens);
	return r;
}

void store_export_run(void *arg)
{
	struct store_export_job *j = arg;
	struct store_snapshot *s = j->snap;
	struct writer w = {.format = j->format, .ncols = (int)json_array_size(s->columns)};
	w.names = calloc((size_t)w.ncols + 1, sizeof(*w.names));
	w.types = calloc((size_t)w.ncols + 1, sizeof(*w.types));
	for (int c = 0; c < w.ncols; c++) {
		json_t *col = json_array_get(s->columns, (size_t)c);
		w.names[c] = json_string_value(json_object_get(col, "name"));
		if (!w.names[c])
			w.names[c] = "?column?";
		w.types[c] = (TuskOid)json_integer_value(json_object_get(col, "type_oid"));
	}
	if (w.format == STORE_EXPORT_JSON || w.format == STORE_EXPORT_JSONL)
		w.prefix = json_keys(w.names, (size_t)w.ncols);
	int fd = open(j->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	w.f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int r = 0;
	if (!w.f) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		tusk_error_set(&j->error, TUSK_ERR_IO, "cannot create %s: %s", j->path,
		               strerror(-r));
		goto out;
	}
	setvbuf(w.f, NULL, _IOFBF, 256 * 1024);
	write_head(&w);
	r = write_rows(j, &w);
	if (w.format == STORE_EXPORT_JSON)
		fputs(w.rows ? "\n]\n" : "]\n", w.f);
	if (fflush(w.f) != 0 && r == 0)
		r = -errno;
	atomic_store(&j->bytes, (uint64_t)ftello(w.f));
	if (fclose(w.f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && atomic_load(&j->cancel))
		tusk_error_set(&j->error, TUSK_ERR_QUERY_CANCELLED, "Export cancelled");
	else if (r < 0)
		tusk_error_set(&j->error, TUSK_ERR_IO, "cannot write %s: %s", j->path,
		               strerror(-r));
	if (j->error.kind != TUSK_ERR_NONE)
		unlink(j->path);
out:
	if (w.prefix)
		for (int c = 0; c < w.ncols; c++)
			free(w.prefix[c]);
	free(w.prefix);
	free(w.names);
	free(w.types);
}
