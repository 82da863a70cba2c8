#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonstr.h"

size_t tusk_utf8_seq(const unsigned char *s, size_t n)
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

int tusk_json_string(const char *str, size_t len, json_dump_callback_t cb, void *data)
{
	/* Upper case, as jansson writes them: the same text either way. */
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)str;
	size_t start = 0;
	if (cb("\"", 1, data) < 0)
		return -1;
	for (size_t i = 0; i < len;) {
		/* Eight plain ASCII bytes at a time (the usual case of a CSV
		 * line): none below 0x20, none a quote or backslash, none
		 * 0x80 or above. */
		while (len - i >= 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
			uint64_t ctl = (w - ones * 0x20) & ~w;
			uint64_t quote = ((w ^ (ones * '"')) - ones) & ~(w ^ (ones * '"'));
			uint64_t bslash = ((w ^ (ones * '\\')) - ones) & ~(w ^ (ones * '\\'));
			if ((ctl | quote | bslash | w) & high)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		unsigned char c = s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t n = tusk_utf8_seq(s + i, len - i);
			if (n) {
				i += n;
				continue;
			}
		}
		if (i > start && cb(str + start, i - start, data) < 0)
			return -1;
		char esc[8] = {'\\'};
		size_t elen = 2;
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
				memcpy(esc + 1, "u00", 3);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 0xf];
			} else {
				memcpy(esc + 1, "ufffd", 5);
			}
			elen = 6;
		}
		if (cb(esc, elen, data) < 0)
			return -1;
		i++;
		start = i;
	}
	if (len > start && cb(str + start, len - start, data) < 0)
		return -1;
	return cb("\"", 1, data);
}

bool tusk_json_number_text(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return false;
	if (i < n && s[i] == '.') {
		size_t start = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t start = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	return i == n;
}

char *tusk_utf8_lossy(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), bad = 0;
	for (size_t i = 0; i < len;) {
		size_t n = u[i] < 0x80 ? 1 : tusk_utf8_seq(u + i, len - i);
		if (!n) {
			bad++;
			n = 1;
		}
		i += n;
	}
	if (!bad)
		return NULL;
	char *out = malloc(len + bad * 2 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t n = u[i] < 0x80 ? 1 : tusk_utf8_seq(u + i, len - i);
		if (n) {
			memcpy(o, s + i, n);
			o += n;
			i += n;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3); /* U+FFFD */
			o += 3;
			i++;
		}
	}
	*o = '\0';
	return out;
}

size_t tusk_utf8_invalid_at(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = u[i] < 0x80 ? 1 : tusk_utf8_seq(u + i, len - i);
		if (!n)
			return i;
		i += n;
	}
	return len;
}
