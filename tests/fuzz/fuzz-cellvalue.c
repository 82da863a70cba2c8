/* libFuzzer target: the typed value mapping (common/cellvalue.c). The
 * first byte picks a type (scalars, built-in arrays, an array of a user
 * type with a chosen element type), the rest is the value's text. The
 * mapping must give a JSON value that the exact dumper prints and that
 * reads back equal, and keep numbers as the text names them. The first 8
 * bytes also go through tusk_double_text as a double. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cellvalue.h"
#include "tests/fuzz/fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const TuskOid oids[] = {
    16,   17,   20,   21,   23,   25,   26,   114,  603,  700, 701,  1700, 3802, 1082, 1114, 1184,
    1000, 1001, 1005, 1007, 1016, 1020, 1021, 1022, 1231, 199, 3807, 1009, 1115, 22,   30,   0,
};
#define NOIDS (sizeof(oids) / sizeof(oids[0]))

static void fail(const char *what, TuskOid oid, const char *text, size_t len)
{
	fprintf(stderr, "fuzz-cellvalue: oid %u: %s\ntext: %.*s\n", oid, what, (int)len, text);
	abort();
}

static void check_double_text(const uint8_t *data)
{
	double d;
	char buf[TUSK_DOUBLE_STRLEN];
	memcpy(&d, data, sizeof(d));
	size_t n = tusk_double_text(d, buf);
	if (!isfinite(d)) {
		if (n != 0 || buf[0] != '\0')
			fail("a non-finite double printed", 0, buf, n);
		return;
	}
	if (n == 0 || n >= TUSK_DOUBLE_STRLEN || strlen(buf) != n)
		fail("a finite double without text", 0, buf, n);
	char *end;
	double back = strtod(buf, &end);
	if (*end || memcmp(&back, &d, sizeof(d)) != 0)
		fail("double text does not read back as the same double", 0, buf, n);
	json_error_t jerr;
	json_t *v = json_loads(buf, JSON_DECODE_ANY, &jerr);
	if (!json_is_number(v))
		fail("double text is not a JSON number", 0, buf, n);
	json_decref(v);
}

static void check_value(TuskOid oid, TuskOid elem, const json_t *v, const char *text, size_t len,
                        int depth)
{
	if (depth > 7)
		fail("arrays nested deeper than PostgreSQL's 6 dimensions", oid, text, len);
	if (json_is_array(v)) {
		size_t i;
		json_t *el;
		json_array_foreach(v, i, el)
		{
			check_value(oid, elem, el, text, len, depth + 1);
		}
		return;
	}
	if (depth > 0)
		return; /* elements: the exact dump below checks them */
	char *copy = strndup(text, len);
	char *end;
	bool is_json = oid == TUSK_OID_JSON || oid == TUSK_OID_JSONB;
	if (is_json) {
		/* below */
	} else if (json_is_integer(v)) {
		long long x = strtoll(copy, &end, 10);
		if (*end || x != json_integer_value(v))
			fail("an integer that is not the text's value", oid, text, len);
	} else if (json_is_real(v)) {
		double x = strtod(copy, &end);
		double r = json_real_value(v);
		if (*end || memcmp(&x, &r, sizeof(x)) != 0)
			fail("a number that is not the text's double", oid, text, len);
	} else if (json_is_boolean(v)) {
		if (oid != TUSK_OID_BOOL || len != 1 || text[0] != (json_is_true(v) ? 't' : 'f'))
			fail("a boolean from a text other than t or f", oid, text, len);
	}
	if (is_json && !json_is_string(v)) {
		json_error_t jerr;
		json_t *parsed = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
		if (!fuzz_json_same(parsed, v))
			fail("json mapped to something other than its parse", oid, text, len);
		json_decref(parsed);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	if (size >= 9)
		check_double_text(data + 1);
	TuskOid oid = oids[data[0] % NOIDS];
	TuskOid elem = oids[data[1] % NOIDS];
	bool user_array = data[0] >= 128;
	const char *text = (const char *)data + 2;
	size_t len = size - 2;

	json_t *v = user_array ? tusk_cell_typed_elem(7000, elem, text, len)
	                       : tusk_cell_typed(oid, text, len);
	if (!v) {
		if (fuzz_utf8_valid(text, len))
			fail("no value for valid UTF-8", oid, text, len);
		return 0;
	}
	check_value(user_array ? 7000 : oid, elem, v, text, len, 0);
	char *dumped = tusk_json_dumps_exact(v);
	if (!dumped)
		fail("the exact dumper refused the value", oid, text, len);
	json_error_t jerr;
	json_t *back = json_loads(dumped, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!back || !fuzz_json_same(back, v))
		fail("the exact dump does not read back as the value", oid, dumped, strlen(dumped));
	json_decref(back);
	free(dumped);
	json_decref(v);
	/* NULL text is SQL NULL. */
	json_t *null = tusk_cell_typed(oid, NULL, 0);
	if (!json_is_null(null))
		fail("NULL text is not null", oid, "", 0);
	json_decref(null);
	return 0;
}
