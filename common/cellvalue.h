/* The seed's CellValue: PostgreSQL's text form of a value plus its type OID
 * mapped to typed JSON, losslessly. Used by the daemon for `typed: true`
 * and by clients (tuskctl --format json) on the text they received. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef unsigned int TuskOid;

/* Built-in type OIDs used by the mapping (pg_type.h values). */
enum {
	TUSK_OID_BOOL = 16,
	TUSK_OID_BYTEA = 17,
	TUSK_OID_INT8 = 20,
	TUSK_OID_INT2 = 21,
	TUSK_OID_INT4 = 23,
	TUSK_OID_TEXT = 25,
	TUSK_OID_OID = 26,
	TUSK_OID_JSON = 114,
	TUSK_OID_BOX = 603,
	TUSK_OID_FLOAT4 = 700,
	TUSK_OID_FLOAT8 = 701,
	TUSK_OID_NUMERIC = 1700,
	TUSK_OID_JSONB = 3802,
};

/* text (len bytes, not necessarily NUL-terminated, valid UTF-8) of a value
 * of type oid → a new JSON value:
 *   NULL text                → null
 *   bool                     → true / false
 *   int2/int4/int8/oid       → integer (int8 extremes exact)
 *   float4/float8            → number when finite (exactly the double the
 *                              text names; tusk_json_dump_exact prints it
 *                              back as PostgreSQL did), else "NaN" /
 *                              "Infinity" / "-Infinity"
 *   numeric                  → the decimal string as sent (also NaN, ±Infinity)
 *   json/jsonb               → the parsed object, array, number or boolean,
 *                              unless parsing would change it (duplicate
 *                              keys, a number a double cannot hold exactly,
 *                              "-0", \u0000, …): then the text as a string.
 *                              A JSON string or JSON null is kept as its
 *                              text too ("\"abc\"", "null"), so that a
 *                              string always means "JSON text" and a JSON
 *                              null never looks like SQL NULL.
 *   bytea                    → the "\x…" hex text as sent
 *   date/time types          → PostgreSQL's ISO text as sent
 *   arrays of any of these   → nested JSON arrays (one level per
 *                              dimension) of typed elements, NULL → null;
 *                              elements of json[]/jsonb[] stay JSON text
 *                              strings (a parsed JSON array element would
 *                              look like one more dimension). An array with
 *                              explicit bounds ("[0:1]={1,2}") stays text:
 *                              JSON arrays cannot say where they start.
 *   anything else            → the text as a string
 * Built-in array types are recognised by OID (tusk_cell_array_elem); for
 * other arrays (user types) use tusk_cell_typed_elem. Returns NULL only
 * when out of memory or when text is not valid UTF-8. Text that does not
 * parse as its type (should not happen) stays a string. */
json_t *tusk_cell_typed(TuskOid oid, const char *text, size_t len);
/* The element type of a built-in array type (1007 int4[] → 23), or 0
 * (also for int2vector and oidvector, which print as "1 2 3"). */
TuskOid tusk_cell_array_elem(TuskOid array_oid);
/* text is an array value: map it with elements of type elem_oid (0: the
 * element type of the built-in array_oid, and when that is unknown too,
 * elements as text). For arrays of user types, whose element OID only the
 * catalog knows. NULL text → null. */
json_t *tusk_cell_typed_elem(TuskOid array_oid, TuskOid elem_oid, const char *text, size_t len);

/* The shortest text that reads back as the finite double d, laid out the
 * way PostgreSQL's float8out lays it out ("0.1", "100", "1e-310",
 * "1.7976931348623157e+308", "-0"), and always a valid JSON number. It is
 * float8out's text except where float8out skips a shorter decimal lying
 * exactly halfway between two doubles (1e23 prints as
 * 9.999999999999999e+22 there, "1e+23" here: the same double). buf
 * needs TUSK_DOUBLE_STRLEN bytes; returns the length (0 if d is not
 * finite, buf then ""). Independent of the C library's locale. */
#define TUSK_DOUBLE_STRLEN 32
size_t tusk_double_text(double d, char *buf);

/* Compact JSON through cb (jansson's json_dump_callback_t) with reals
 * printed by tusk_double_text: jansson's own dump prints 17 digits (0.1
 * as 0.10000000000000001) — the same value, but not what PostgreSQL
 * printed. Any value, not only objects and arrays. Returns 0, or -1 when
 * cb failed or v holds a non-finite real. */
int tusk_json_dump_exact(const json_t *v, json_dump_callback_t cb, void *data);
/* The same into a new string (free()), or NULL. */
char *tusk_json_dumps_exact(const json_t *v);
