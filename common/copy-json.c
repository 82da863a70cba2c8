/* COPY data as a JSON string, both ways. Eight bytes at a time up to the
 * first that needs a look (a quote, a backslash, a control character or
 * a byte of a multi-byte character): a CSV row has a few of them. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/copy-json.h"
#include "common/jsonstr.h"

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* How many of the 8 bytes at p, from the first, need no look: none is
 * < 0x20, '"', '\\' or >= 0x80. The lowest flagged byte of each test is
 * exact (a borrow runs only upwards from a true one). */
__attribute__((always_inline)) static inline unsigned clean_bytes(const unsigned char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	uint64_t quote = x ^ (ONES * '"'), bslash = x ^ (ONES * '\\');
	uint64_t m =
	    ((x - ONES * 0x20) & ~x) | ((quote - ONES) & ~quote) | ((bslash - ONES) & ~bslash) | x;
	m &= HIGHS;
	if (!m)
		return 8;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (unsigned)__builtin_ctzll(m) >> 3;
#else
	return (unsigned)__builtin_clzll(m) >> 3;
#endif
}

/* The bytes at p that need no escaping, copied to o 8 at a time while 8
 * remain (o has the room for all 8 of each): how many were kept. */
static size_t clean_run(const unsigned char *p, size_t n, char *o)
{
	size_t i = 0;
	while (n - i >= 8) {
		unsigned k = clean_bytes(p + i);
		memcpy(o + i, p + i, 8);
		i += k;
		if (k < 8)
			break;
	}
	return i;
}

/* What both directions copy as it is: runs that need no look and whole
 * UTF-8 sequences. Stops at an ASCII byte that needs a look, or at one
 * that starts no valid sequence (>= 0x80 there), or at the end. */
static size_t plain_run(const unsigned char *p, size_t n, char *o)
{
	size_t i = 0;
	while (i < n) {
		i += clean_run(p + i, n - i, o + i);
		if (i == n || p[i] < 0x80)
			break;
		size_t l = tusk_utf8_seq(p + i, n - i);
		if (!l)
			break;
		memcpy(o + i, p + i, l);
		i += l;
	}
	return i;
}

static const char hex[] = "0123456789abcdef";

size_t tusk_copy_json_escape(const char *in, size_t n, char *out, size_t *used)
{
	const unsigned char *p = (const unsigned char *)in;
	char *o = out;
	size_t i = 0;
	while (i < n) {
		size_t k = plain_run(p + i, n - i, o);
		o += k;
		i += k;
		if (i == n)
			break;
		unsigned char c = p[i];
		if (c >= 0x80)
			break; /* not UTF-8: the caller sends the rest as base64 */
		i++;
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		if (c == 0) {
			i--;
			break;
		}
		*o++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*o++ = (char)c;
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\r':
			*o++ = 'r';
			break;
		case '\t':
			*o++ = 't';
			break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex[c >> 4];
			o[4] = hex[c & 15];
			o += 5;
		}
	}
	*used = i;
	return (size_t)(o - out);
}

static int hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A \uXXXX escape at p (its 4 digits) as UTF-8 into o: its length, or 0
 * for what this reader leaves to a JSON parser (\u0000, surrogates). */
static size_t unicode_escape(const unsigned char *p, char *o)
{
	unsigned cp = 0;
	for (int k = 0; k < 4; k++) {
		int d = hex_digit(p[k]);
		if (d < 0)
			return 0;
		cp = cp << 4 | (unsigned)d;
	}
	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	o[0] = (char)(0xe0 | cp >> 12);
	o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

long long tusk_copy_json_unescape(const char *in, size_t n, char *out)
{
	const unsigned char *p = (const unsigned char *)in;
	char *o = out;
	size_t i = 0;
	while (i < n) {
		size_t k = plain_run(p + i, n - i, o);
		o += k;
		i += k;
		if (i == n)
			break;
		unsigned char c = p[i];
		if (c >= 0x80)
			return -1;
		if (c < 0x20 || c == '"')
			return -1;
		if (c != '\\') {
			*o++ = (char)c;
			i++;
			continue;
		}
		if (n - i < 2)
			return -1;
		switch (p[i + 1]) {
		case '"':
		case '\\':
		case '/':
			*o++ = (char)p[i + 1];
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u': {
			size_t l = n - i >= 6 ? unicode_escape(p + i + 2, o) : 0;
			if (!l)
				return -1;
			o += l;
			i += 6;
			continue;
		}
		default:
			return -1;
		}
		i += 2;
	}
	return (long long)(o - out);
}
