#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/jsonstr.h"

#include "daemon/db/rowjson.h"

static int emit_evbuffer(const char *buf, size_t len, void *data)
{
	return evbuffer_add(data, buf, len);
}

void rowjson_string(struct evbuffer *out, const char *s, size_t len)
{
	tusk_json_string(s, len, emit_evbuffer, out);
}

void rowjson_append(struct evbuffer *out, const PGresult *res, int row, int ncols,
                    const TuskOid *types)
{
	evbuffer_add(out, "[", 1);
	for (int c = 0; c < ncols; c++) {
		if (c)
			evbuffer_add(out, ",", 1);
		if (PQgetisnull(res, row, c)) {
			evbuffer_add(out, "null", 4);
			continue;
		}
		const char *v = PQgetvalue(res, row, c);
		size_t len = (size_t)PQgetlength(res, row, c);
		if (!types) {
			rowjson_string(out, v, len);
			continue;
		}
		json_t *typed = tusk_cell_typed(types[c], v, len);
		/* Floats exactly as PostgreSQL printed them, not jansson's
		 * 17-digit form of the same value. */
		char *text = typed ? tusk_json_dumps_exact(typed) : NULL;
		if (text) {
			evbuffer_add(out, text, strlen(text));
			free(text);
		} else {
			rowjson_string(out, v, len);
		}
		json_decref(typed);
	}
	evbuffer_add(out, "]", 1);
}
