/* Rows straight from a PGresult to JSON text, without building a jansson
 * tree per cell: the hot path of streaming a million rows. */
#pragma once

#include <event2/buffer.h>
#include <libpq-fe.h>

#include "common/cellvalue.h"

/* Append row `row` of res as a JSON array of its cells: PostgreSQL's text
 * form as a JSON string, or null. With types (one OID per column), cells
 * are mapped with tusk_cell_typed instead. */
void rowjson_append(struct evbuffer *out, const PGresult *res, int row, int ncols,
                    const TuskOid *types);
/* Append s (len bytes of UTF-8) as a JSON string literal. Bytes that are
 * not valid UTF-8 (possible only from a SQL_ASCII database) become U+FFFD. */
void rowjson_string(struct evbuffer *out, const char *s, size_t len);
