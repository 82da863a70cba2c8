/* Type names PostgreSQL's format_type(oid, typmod) prints, for the built-in
 * types, without asking a server: the query engine names columns this way
 * when no second backend can be spared (a pool of one) and to save a round
 * trip for the types nearly every result uses. */
#pragma once

#include <stdint.h>

/* format_type(oid, -1) for a type of PostgreSQL's initial catalog (OIDs
 * below 10000, hand-assigned and stable across versions), or NULL. */
const char *meta_builtin_type_name(uint32_t oid);
/* format_type(oid, typmod) for a built-in type: any typmod for the types
 * with modifiers (character, character varying, numeric, time, timetz,
 * timestamp, timestamptz, interval, bit, bit varying and their arrays),
 * typmod -1 for the rest. NULL when only a server can say (a type created
 * later, a typmod on a type that takes none) or out of memory. */
char *meta_builtin_format_type(uint32_t oid, int32_t typmod);
