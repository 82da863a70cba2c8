/* Nothing lossy: every non-null cell of every result of the fidelity
 * corpus goes PostgreSQL text → tusk_cell_typed → back to text by the
 * obvious rule (strings as they are, numbers as printed, arrays
 * re-serialised) → the server reads that text as the column's type and
 * must print exactly the original text again (json/jsonb: the same jsonb
 * value). Checked right after each statement, on the same session, so
 * time zones, styles and pg_temp types are the ones that printed it. Also:
 * tusk_double_text against float8out on 100,000 doubles. */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cellvalue.h"
#include "common/cleanup.h"
#include "tests/integration/values-lib.h"
#include "tests/lib/tt-check.h"

#define OID_RECORD       2249
#define OID_RECORD_ARRAY 2287

struct sb {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sb *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_str(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* A scalar typed value back to PostgreSQL input text. */
static void scalar_text(struct sb *b, const json_t *v, bool json_type)
{
	char num[TUSK_DOUBLE_STRLEN];
	switch (json_typeof(v)) {
	case JSON_STRING:
		sb_add(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		sb_str(b, num);
		break;
	case JSON_REAL:
		ck_assert_uint_gt(tusk_double_text(json_real_value(v), num), 0);
		sb_str(b, num);
		break;
	case JSON_TRUE:
		sb_str(b, json_type ? "true" : "t");
		break;
	case JSON_FALSE:
		sb_str(b, json_type ? "false" : "f");
		break;
	default: {
		/* Objects and arrays only come from json/jsonb. */
		ck_assert(json_type);
		_cleanup_free_ char *s = tusk_json_dumps_exact(v);
		sb_str(b, s);
	}
	}
}

/* array_in's syntax: every element quoted (always valid), NULL bare. */
static void array_text(struct sb *b, const json_t *v, char delim, bool json_elems)
{
	sb_str(b, "{");
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *e = json_array_get(v, i);
		if (i > 0)
			sb_add(b, &delim, 1);
		if (json_is_array(e)) {
			array_text(b, e, delim, json_elems);
		} else if (json_is_null(e)) {
			sb_str(b, "NULL");
		} else {
			struct sb t = {0};
			scalar_text(&t, e, json_elems);
			sb_str(b, "\"");
			for (size_t k = 0; k < t.len; k++) {
				if (t.s[k] == '"' || t.s[k] == '\\')
					sb_str(b, "\\");
				sb_add(b, &t.s[k], 1);
			}
			sb_str(b, "\"");
			free(t.s);
		}
	}
	sb_str(b, "}");
}

static char *back_to_text(TuskOid type, const json_t *v)
{
	struct sb b = {0};
	TuskOid elem = tusk_cell_array_elem(type);
	if (elem && json_is_array(v))
		array_text(&b, v, elem == TUSK_OID_BOX ? ';' : ',',
		           elem == TUSK_OID_JSON || elem == TUSK_OID_JSONB);
	else
		scalar_text(&b, v, type == TUSK_OID_JSON || type == TUSK_OID_JSONB);
	if (!b.s)
		sb_str(&b, "");
	return b.s;
}

struct tally {
	unsigned cells, typed_nontext, skipped;
};

static void check_cell(PGconn *c, const char *file, const char *col, TuskOid type, const char *text,
                       int len, struct tally *t)
{
	_cleanup_json_ json_t *v = tusk_cell_typed(type, text, (size_t)len);
	ck_assert_msg(v, "%s: %s: no typed value", file, col);
	t->cells++;
	if (!json_is_string(v))
		t->typed_nontext++;
	_cleanup_free_ char *back = back_to_text(type, v);

	if (type == TUSK_OID_JSON || type == TUSK_OID_JSONB) {
		/* json text kept as a string must be the very text (jsonb
		 * could not even hold some of it: "\u0000"). */
		if (json_is_string(v)) {
			ck_assert_msg(strcmp(back, text) == 0, "%s: %s: %s", file, col, text);
			return;
		}
		const char *params[2] = {back, text};
		PGresult *r =
		    PQexecParams(c, "select $1::jsonb = $2::jsonb", 2, NULL, params, NULL, NULL, 0);
		ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s: %s", file, col,
		              PQresultErrorMessage(r));
		ck_assert_msg(strcmp(PQgetvalue(r, 0, 0), "t") == 0, "%s: %s: %s became %s", file,
		              col, text, back);
		PQclear(r);
		return;
	}
	if (type == OID_RECORD || type == OID_RECORD_ARRAY) {
		/* Anonymous records have no input function; their typed value
		 * is the text (checked). */
		ck_assert_msg(json_is_string(v) || type == OID_RECORD_ARRAY, "%s: %s", file, col);
		ck_assert_msg(type == OID_RECORD_ARRAY || strcmp(back, text) == 0, "%s", col);
		t->skipped++;
		return;
	}
	const char *params[1] = {back};
	Oid types[1] = {type};
	PGresult *r = PQexecParams(c, "select $1", 1, types, params, NULL, NULL, 0);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s (type %u): %s → %s: %s", file,
	              col, type, text, back, PQresultErrorMessage(r));
	ck_assert_msg(strcmp(PQgetvalue(r, 0, 0), text) == 0,
	              "%s: %s (type %u): %.200s came back as %.200s (sent %.200s)", file, col, type,
	              text, PQgetvalue(r, 0, 0), back);
	PQclear(r);
}

START_TEST(every_corpus_value_round_trips)
{
	struct tt_pg pg;
	tt_pg_shared(&pg);
	values_clean_env();
	char **files = values_corpus();
	struct tally t = {0};
	for (size_t i = 0; files[i]; i++) {
		_cleanup_free_ char *sql = values_read_file(files[i], NULL);
		char **stmts = values_split(sql);
		PGconn *c = values_connect(&pg);
		for (size_t s = 0; stmts[s]; s++) {
			PGresult *res = PQexec(c, stmts[s]);
			ExecStatusType st = PQresultStatus(res);
			ck_assert_msg(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK, "%s: %s",
			              files[i], PQresultErrorMessage(res));
			for (int row = 0; st == PGRES_TUPLES_OK && row < PQntuples(res); row++)
				for (int col = 0; col < PQnfields(res); col++)
					if (!PQgetisnull(res, row, col))
						check_cell(c, files[i], PQfname(res, col),
						           PQftype(res, col),
						           PQgetvalue(res, row, col),
						           PQgetlength(res, row, col), &t);
			PQclear(res);
		}
		PQfinish(c);
		values_strv_free(stmts);
	}
	values_corpus_free(files);
	fprintf(stderr, "# %u cells round-tripped, %u typed as non-strings, %u records as text\n",
	        t.cells, t.typed_nontext, t.skipped);
	ck_assert_uint_gt(t.cells, 500);
	ck_assert_uint_gt(t.typed_nontext, 150);
}
END_TEST

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Our shortest text and float8out name the same double, and the texts are
 * equal but where float8out takes the longer of two (a decimal exactly
 * halfway between doubles, as for 1e23). */
START_TEST(double_text_agrees_with_float8out)
{
	struct tt_pg pg;
	tt_pg_shared(&pg);
	values_clean_env();
	PGconn *c = values_connect(&pg);
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	unsigned same = 0, longer = 0;
	for (int batch = 0; batch < 20; batch++) {
		struct sb arr = {0};
		double ds[5000];
		int n = 0;
		sb_str(&arr, "{");
		while (n < 5000) {
			uint64_t bits = xorshift(&seed);
			if (n % 4 == 0) /* powers of two and their neighbours */
				bits = (bits & 0xfff0000000000000ULL) | (bits & 3);
			double d;
			memcpy(&d, &bits, sizeof(d));
			if (!isfinite(d))
				continue;
			char t[40];
			snprintf(t, sizeof(t), "%s%.17g", n ? "," : "", d);
			sb_str(&arr, t);
			ds[n++] = d;
		}
		sb_str(&arr, "}");
		const char *params[1] = {arr.s};
		PGresult *r =
		    PQexecParams(c, "select unnest($1::float8[])", 1, NULL, params, NULL, NULL, 0);
		ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQresultErrorMessage(r));
		ck_assert_int_eq(PQntuples(r), n);
		for (int i = 0; i < n; i++) {
			const char *pgtext = PQgetvalue(r, i, 0);
			char ours[TUSK_DOUBLE_STRLEN];
			tusk_double_text(ds[i], ours);
			double a = strtod(pgtext, NULL), b = strtod(ours, NULL);
			ck_assert_msg(memcmp(&a, &ds[i], 8) == 0 && memcmp(&b, &ds[i], 8) == 0,
			              "%a: float8out %s, ours %s", ds[i], pgtext, ours);
			if (strcmp(pgtext, ours) == 0)
				same++;
			else {
				ck_assert_msg(strlen(ours) < strlen(pgtext),
				              "%a: float8out %s, ours %s", ds[i], pgtext, ours);
				longer++;
			}
		}
		PQclear(r);
		free(arr.s);
	}
	PQfinish(c);
	fprintf(stderr, "# %u doubles print as float8out does, %u where float8out is longer\n",
	        same, longer);
	ck_assert_uint_ge(same, 99000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("values-roundtrip");
	TCase *tc = tcase_create("corpus");
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, every_corpus_value_round_trips);
	tcase_add_test(tc, double_text_agrees_with_float8out);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
