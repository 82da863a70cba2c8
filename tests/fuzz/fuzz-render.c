/* libFuzzer target: tuskctl's output formats (client-cli/format*.c, which
 * use common/render.c and the typed mapping). The input is a result: byte
 * 0 picks the format and quiet, byte 1 the column count and types; the
 * rest, split at 0xff bytes, is column names and then cells, row by row (a
 * lone 0xfe is NULL; a lone 0xfd ends a batch of rows; a lone 0xfc ends
 * the result set and starts another). CSV must read back as the same
 * header and cells; JSON and JSONL must parse, with the typed values of
 * the cells under their column keys; aligned output must stay UTF-8. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client-cli/format.h"
#include "common/cellvalue.h"
#include "tests/fuzz/fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const TuskOid types[] = {25, 23, 701, 16, 114, 1007, 1700, 3802};

struct set {
	json_t *columns; /* [{name, type_oid}] */
	json_t *rows;    /* every row of the set */
};

static void fail(const char *what, const char *out, size_t len)
{
	fprintf(stderr, "fuzz-render: %s\noutput: %.*s\n", what, (int)(len > 4096 ? 4096 : len),
	        out);
	abort();
}

/* One CSV record at *p (psql's --csv: quotes doubled inside quoted
 * fields), as an array of strings; NULL at the end of the text. */
static json_t *csv_record(const char **p, const char *end, const char *out, size_t len)
{
	if (*p >= end)
		return NULL;
	json_t *rec = json_array();
	for (;;) {
		size_t cap = 64, n = 0;
		char *field = malloc(cap);
		if (**p == '"') {
			(*p)++;
			for (;;) {
				if (*p >= end)
					fail("unterminated quoted CSV field", out, len);
				if (**p == '"' && *p + 1 < end && (*p)[1] == '"')
					(*p)++;
				else if (**p == '"')
					break;
				if (n + 1 >= cap)
					field = realloc(field, cap *= 2);
				field[n++] = *(*p)++;
			}
			(*p)++;
		} else {
			while (*p < end && **p != ',' && **p != '\n') {
				if (**p == '"' || **p == '\r')
					fail("a quote or CR in an unquoted CSV field", out, len);
				if (n + 1 >= cap)
					field = realloc(field, cap *= 2);
				field[n++] = *(*p)++;
			}
		}
		json_array_append_new(rec, json_stringn_nocheck(field, n));
		free(field);
		if (*p >= end)
			fail("CSV record without its newline", out, len);
		if (*(*p)++ == '\n')
			return rec;
	}
}

static void check_csv(const char *out, size_t len, json_t *sets)
{
	const char *p = out, *end = out + len;
	size_t i;
	json_t *set;
	json_array_foreach(sets, i, set)
	{
		json_t *columns = json_object_get(set, "columns");
		json_t *want = json_array();
		size_t j;
		json_t *col, *row;
		json_array_foreach(columns, j, col)
		{
			json_array_append(want, json_object_get(col, "name"));
		}
		json_t *expect = json_array();
		json_array_append_new(expect, want);
		json_array_foreach(json_object_get(set, "rows"), j, row)
		{
			json_t *cells = json_array();
			size_t k;
			json_t *cell;
			json_array_foreach(row, k, cell)
			{
				json_array_append_new(cells, json_is_null(cell)
				                                 ? json_string("")
				                                 : json_incref(cell));
			}
			json_array_append_new(expect, cells);
		}
		json_array_foreach(expect, j, row)
		{
			json_t *got = csv_record(&p, end, out, len);
			if (!got || !json_equal(got, row))
				fail("CSV does not read back as the header and cells", out, len);
			json_decref(got);
		}
		json_decref(expect);
	}
	if (p != end)
		fail("CSV output after the last record", out, len);
}

/* Integers are read as doubles: a float column is printed as PostgreSQL
 * printed it, which may be more digits than an integer holds. */
static void check_json(const char *out, size_t len, json_t *sets, bool lines)
{
	size_t at = 0, i;
	json_t *set;
	json_array_foreach(sets, i, set)
	{
		json_t *rows = json_object_get(set, "rows");
		json_t *columns = json_object_get(set, "columns");
		json_t *objs = json_array();
		if (lines) {
			for (size_t r = 0; r < json_array_size(rows); r++) {
				json_error_t jerr;
				json_t *o = json_loadb(out + at, len - at,
				                       JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL |
				                           JSON_DECODE_INT_AS_REAL,
				                       &jerr);
				if (!o)
					fail("a JSONL line that is not JSON", out, len);
				at += jerr.position;
				if (at >= len || out[at] != '\n')
					fail("a JSONL object not followed by a newline", out, len);
				at++;
				json_array_append_new(objs, o);
			}
		} else {
			json_error_t jerr;
			json_decref(objs);
			objs = json_loadb(out + at, len - at,
			                  JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL |
			                      JSON_DECODE_INT_AS_REAL,
			                  &jerr);
			if (!json_is_array(objs))
				fail("JSON output that is not an array", out, len);
			at += jerr.position;
			if (at >= len || out[at] != '\n')
				fail("a JSON array not followed by a newline", out, len);
			at++;
		}
		if (json_array_size(objs) != json_array_size(rows))
			fail("JSON output with another number of rows", out, len);
		for (size_t r = 0; r < json_array_size(rows); r++) {
			json_t *o = json_array_get(objs, r), *row = json_array_get(rows, r);
			if (!json_is_object(o) || json_object_size(o) != json_array_size(columns))
				fail("a JSON row without one key per column", out, len);
			/* Every cell's typed value is one of the object's values
			 * (keys of repeated names are suffixed). */
			for (size_t c = 0; c < json_array_size(row); c++) {
				json_t *cell = json_array_get(row, c);
				json_t *col = json_array_get(columns, c);
				TuskOid oid =
				    (TuskOid)json_integer_value(json_object_get(col, "type_oid"));
				json_t *typed = json_is_null(cell)
				                    ? json_null()
				                    : tusk_cell_typed(oid, json_string_value(cell),
				                                      json_string_length(cell));
				const char *name = json_string_value(json_object_get(col, "name"));
				json_t *v = json_object_get(o, name);
				bool found = v && fuzz_json_same(v, typed);
				const char *k;
				json_object_foreach(o, k, v)
				{
					found |= fuzz_json_same(v, typed);
				}
				if (!found)
					fail("a cell's typed value is missing from its JSON row",
					     out, len);
				json_decref(typed);
			}
		}
		json_decref(objs);
	}
	if (at != len)
		fail("JSON output after the last result set", out, len);
}

/* The next token (up to 0xff) as a cell: a string, or null for 0xfe or
 * text that PostgreSQL cannot send (not UTF-8, or with a NUL byte). */
static json_t *token(const char *t, size_t n)
{
	if ((n == 1 && (unsigned char)t[0] == 0xfe) || !fuzz_utf8_valid(t, n) || memchr(t, 0, n))
		return json_null();
	return json_stringn(t, n);
}

/* A float8 cell as PostgreSQL would send it: a text strtod reads whole
 * is printed the way float8out prints its double (the formatter copies
 * such texts as they are). Steals cell. */
static json_t *as_float8out(json_t *cell)
{
	const char *s = json_string_value(cell);
	char *end;
	if (!s || !*s || isspace((unsigned char)*s))
		return cell;
	double d = strtod(s, &end);
	if (*end)
		return cell;
	char buf[TUSK_DOUBLE_STRLEN];
	json_decref(cell);
	if (isnan(d))
		return json_string("NaN");
	if (isinf(d))
		return json_string(d > 0 ? "Infinity" : "-Infinity");
	tusk_double_text(d, buf);
	return json_string(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	enum format_kind kind = (enum format_kind)(data[0] % 5);
	bool quiet = kind == FORMAT_CSV || (data[0] & 0x80);
	size_t ncols = 1 + data[1] % 5;
	const char *p = (const char *)data + 2, *end = (const char *)data + size;

	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct formatter *fmt = formatter_new(kind, f);
	formatter_set_quiet(fmt, quiet);
	json_t *sets = json_array();
	json_t *set = NULL, *batch = json_array(), *row = NULL;
	size_t nset = 0;
	while (p <= end) {
		const char *t = memchr(p, 0xff, (size_t)(end - p));
		size_t n = t ? (size_t)(t - p) : (size_t)(end - p);
		unsigned char mark = n == 1 ? (unsigned char)p[0] : 0;
		if (!set) {
			set = json_pack("{s:[], s:[]}", "columns", "rows");
			json_array_append_new(sets, set);
			nset++;
		}
		json_t *columns = json_object_get(set, "columns");
		if (json_array_size(columns) < ncols) {
			json_t *name = token(p, n);
			json_array_append_new(
			    columns,
			    json_pack("{s:o, s:i}", "name",
			              json_is_null(name) ? json_string("?column?") : name,
			              "type_oid", types[(nset + json_array_size(columns)) % 8]));
			if (json_array_size(columns) == ncols)
				formatter_columns(fmt, columns);
		} else if (mark == 0xfd || mark == 0xfc || !t) {
			/* A short last row is filled up with NULLs. */
			while (row && json_array_size(row) < ncols)
				json_array_append_new(row, json_null());
			if (row)
				json_array_append_new(batch, row);
			row = NULL;
			formatter_rows(fmt, batch);
			json_array_extend(json_object_get(set, "rows"), batch);
			json_decref(batch);
			batch = json_array();
			if (mark == 0xfc || !t) {
				size_t nrows = json_array_size(json_object_get(set, "rows"));
				json_t *result = json_pack("{s:s+, s:b, s:I}", "command_tag",
				                           "SELECT ", nrows ? "1" : "0", "has_rows",
				                           1, "row_count", (json_int_t)nrows);
				formatter_result_end(fmt, result);
				json_decref(result);
				set = NULL;
			}
		} else {
			if (!row)
				row = json_array();
			json_t *cell = token(p, n);
			TuskOid oid = (TuskOid)json_integer_value(json_object_get(
			    json_array_get(columns, json_array_size(row)), "type_oid"));
			json_array_append_new(row, oid == 701 ? as_float8out(cell) : cell);
			if (json_array_size(row) == ncols) {
				json_array_append_new(batch, row);
				row = NULL;
			}
		}
		if (!t)
			break;
		p = t + 1;
	}
	json_decref(batch);
	json_decref(row);
	if (set && json_array_size(json_object_get(set, "columns")) == ncols) {
		json_t *result = json_pack("{s:s, s:b}", "command_tag", "SELECT 0", "has_rows", 1);
		formatter_result_end(fmt, result);
		json_decref(result);
	} else if (set) {
		/* The input ended among the column names: no result set. */
		json_array_remove(sets, json_array_size(sets) - 1);
	}
	if (formatter_finish(fmt) != 0)
		fail("formatter_finish failed", "", 0);
	formatter_free(fmt);
	fclose(f);

	if (getenv("FUZZ_PRINT"))
		fprintf(stderr, "%.*s", (int)len, out);
	if (kind == FORMAT_CSV)
		check_csv(out, len, sets);
	else if (kind == FORMAT_JSON || kind == FORMAT_JSONL)
		check_json(out, len, sets, kind == FORMAT_JSONL);
	else if (!fuzz_utf8_valid(out, len))
		fail("output that is not UTF-8", out, len);
	free(out);
	json_decref(sets);
	return 0;
}
