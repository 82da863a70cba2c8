/* The compact JSON writer: see jsonwrite.h. */
#include "common/jsonwrite.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "common/jsonstr.h"

#define MAX_DEPTH 2048

/* Room for n more bytes and the NUL; 0, or -1 when memory ran out. */
static int reserve(struct tusk_jbuf *b, size_t n)
{
	return tusk_grow(&b->p, &b->cap, b->len + n + 1, 256);
}

int tusk_jbuf_add(struct tusk_jbuf *b, const void *s, size_t n)
{
	if (reserve(b, n) < 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int add_cb(const char *s, size_t n, void *data)
{
	return tusk_jbuf_add(data, s, n);
}

size_t tusk_json_real_text(double d, char *buf)
{
	if (!isfinite(d))
		return 0;
	int n = snprintf(buf, 32, "%.17g", d);
	if (n <= 0 || n >= 29)
		return 0;
	size_t len = (size_t)n;
	/* The C locale's point; a dot or an exponent keeps it a real. */
	if (!strchr(buf, '.') && !strchr(buf, 'e')) {
		memcpy(buf + len, ".0", 3);
		len += 2;
	}
	/* No '+' and no leading zeros in the exponent. */
	char *e = strchr(buf, 'e');
	if (e) {
		char *start = e + 1, *end = start + 1;
		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, len - (size_t)(end - buf) + 1);
			len -= (size_t)(end - start);
		}
	}
	return len;
}

/* Most strings need no escape: quoted as they are in one copy. */
static int write_string(struct tusk_jbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
			return tusk_json_string(s, n, add_cb, b);
	}
	if (reserve(b, n + 2) < 0)
		return -1;
	b->p[b->len++] = '"';
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len++] = '"';
	b->p[b->len] = '\0';
	return 0;
}

static int write_int(struct tusk_jbuf *b, json_int_t v)
{
	char buf[24], *o = buf + sizeof(buf);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		*--o = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--o = '-';
	return tusk_jbuf_add(b, o, (size_t)(buf + sizeof(buf) - o));
}

static int write_value(struct tusk_jbuf *b, const json_t *v, int depth)
{
	char buf[32];
	size_t n;
	if (depth > MAX_DEPTH)
		return -1;
	switch (json_typeof(v)) {
	case JSON_NULL:
		return tusk_jbuf_add(b, "null", 4);
	case JSON_TRUE:
		return tusk_jbuf_add(b, "true", 4);
	case JSON_FALSE:
		return tusk_jbuf_add(b, "false", 5);
	case JSON_INTEGER:
		return write_int(b, json_integer_value(v));
	case JSON_REAL:
		n = tusk_json_real_text(json_real_value(v), buf);
		return n ? tusk_jbuf_add(b, buf, n) : -1;
	case JSON_STRING:
		return write_string(b, json_string_value(v), json_string_length(v));
	case JSON_ARRAY: {
		size_t size = json_array_size(v);
		if (tusk_jbuf_add(b, "[", 1) < 0)
			return -1;
		for (size_t i = 0; i < size; i++)
			if ((i > 0 && tusk_jbuf_add(b, ",", 1) < 0) ||
			    write_value(b, json_array_get(v, i), depth + 1) < 0)
				return -1;
		return tusk_jbuf_add(b, "]", 1);
	}
	case JSON_OBJECT: {
		if (tusk_jbuf_add(b, "{", 1) < 0)
			return -1;
		bool first = true;
		for (void *it = json_object_iter((json_t *)v); it;
		     it = json_object_iter_next((json_t *)v, it)) {
			if ((!first && tusk_jbuf_add(b, ",", 1) < 0) ||
			    write_string(b, json_object_iter_key(it),
			                 json_object_iter_key_len(it)) < 0 ||
			    tusk_jbuf_add(b, ":", 1) < 0 ||
			    write_value(b, json_object_iter_value(it), depth + 1) < 0)
				return -1;
			first = false;
		}
		return tusk_jbuf_add(b, "}", 1);
	}
	}
	return -1;
}

int tusk_json_write(struct tusk_jbuf *b, const json_t *v)
{
	return v ? write_value(b, v, 0) : -1;
}
