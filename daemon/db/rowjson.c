#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "daemon/db/rowjson.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t min;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0) {
		len = 2;
		min = 0x80;
	} else if (c < 0xf0) {
		len = 3;
		min = 0x800;
	} else if (c < 0xf5) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	uint32_t cp = c & (0xff >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void rowjson_string(struct evbuffer *out, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t start = 0;
	evbuffer_add(out, "\"", 1);
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t n = utf8_seq(s + i, len - i);
			if (n) {
				i += n;
				continue;
			}
		}
		evbuffer_add(out, s + start, i - start);
		char esc[8];
		size_t elen = 2;
		esc[0] = '\\';
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		default:
			if (c < 0x20) {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 0xf];
				elen = 6;
			} else {
				memcpy(esc, "\\ufffd", 6);
				elen = 6;
			}
		}
		evbuffer_add(out, esc, elen);
		i++;
		start = i;
	}
	evbuffer_add(out, s + start, len - start);
	evbuffer_add(out, "\"", 1);
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
