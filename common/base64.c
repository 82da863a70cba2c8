/* Base64 with a table each way; no line breaks, padding required. */
#include <stdbool.h>
#include <stdint.h>

#include "common/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t tusk_base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

size_t tusk_base64_encode(const void *in, size_t n, char *out)
{
	const unsigned char *p = in;
	char *o = out;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		o[0] = alphabet[v >> 18];
		o[1] = alphabet[(v >> 12) & 63];
		o[2] = alphabet[(v >> 6) & 63];
		o[3] = alphabet[v & 63];
		o += 4;
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		o[0] = alphabet[v >> 18];
		o[1] = alphabet[(v >> 12) & 63];
		o[2] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
		o[3] = '=';
		o += 4;
	}
	return (size_t)(o - out);
}

/* 0..63 for a base64 character, 64 for '=', 255 for anything else. */
static unsigned char value_of[256];

static void init_values(void)
{
	for (int i = 0; i < 256; i++)
		value_of[i] = 255;
	for (int i = 0; i < 64; i++)
		value_of[(unsigned char)alphabet[i]] = (unsigned char)i;
	value_of['='] = 64;
}

long long tusk_base64_decode(const char *in, size_t n, void *out)
{
	if (value_of[0] == 0)
		init_values();
	if (n % 4)
		return -1;
	const unsigned char *s = (const unsigned char *)in;
	unsigned char *o = out;
	for (size_t i = 0; i < n; i += 4) {
		unsigned a = value_of[s[i]], b = value_of[s[i + 1]], c = value_of[s[i + 2]],
		         d = value_of[s[i + 3]];
		if (a > 63 || b > 63 || c == 255 || d == 255)
			return -1;
		bool last = i + 4 == n;
		if (c == 64 || d == 64) {
			/* Padding: only at the very end, "x=" after "=" too. */
			if (!last || (c == 64 && d != 64))
				return -1;
		}
		uint32_t v = a << 18 | b << 12 | (c & 63) << 6 | (d & 63);
		*o++ = (unsigned char)(v >> 16);
		if (c != 64)
			*o++ = (unsigned char)(v >> 8);
		if (d != 64)
			*o++ = (unsigned char)v;
	}
	return (long long)(o - (unsigned char *)out);
}
