/* Shared state of tuskctl's formatters (format.c, format-aligned.c,
 * format-json.c). */
#pragma once

#include <stdint.h>

#include "client-cli/format.h"
#include "common/cellvalue.h"

struct formatter {
	enum format_kind kind;
	FILE *out;
	int error; /* the first write failure, -errno */
	bool quiet;
	bool expanded;         /* aligned: psql's \x layout */
	bool no_header;        /* psql -t: no header (nor row count) */
	int expand_wider_than; /* aligned: expanded when wider (\x auto), 0 never */
	const char *null_text; /* aligned: how NULL shows (psql's \pset null) */

	/* The result set being printed. */
	bool in_set;
	size_t ncols;
	char **names;
	TuskOid *types;
	uint64_t nrows;
	json_t *held;      /* aligned: the set's row batches, until it ends */
	char **key_prefix; /* json/jsonl: ",\"key\":" per column, keys unique */
	size_t *key_prefix_len;
};

/* A cell as text: a string's bytes, "" for null, anything else (a typed
 * value) as exact JSON in *tofree. */
const char *format_cell_text(const json_t *cell, size_t *len, char **tofree);
/* The same for aligned output: NULL as the null text when one is set. */
const char *format_cell_shown(const struct formatter *f, const json_t *cell, size_t *len,
                              char **tofree);
/* Remember a failed write (errno) once. */
void format_check(struct formatter *f);

/* format-aligned.c: print the held result set as psql's aligned table. */
void format_aligned_print(struct formatter *f);

/* format-expanded.c: the held result set in psql's expanded layout. */
void format_expanded_print(struct formatter *f);

/* format-json.c */
int format_json_begin(struct formatter *f);
void format_json_rows(struct formatter *f, const json_t *rows);
void format_json_end(struct formatter *f);
void format_json_clear(struct formatter *f);

/* format-width.c: a UTF-8 character's byte length and display width as
 * libpq (and so psql) measure them; -1 width for a control character. */
int format_mblen(const char *s);
int format_dsplen(const char *s);
