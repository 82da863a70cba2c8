/* Decoding one NDJSON line. A single pre-pass checks what jansson is lax or
 * vague about — strict UTF-8, raw NUL bytes, nesting depth — so that a peer
 * gets a precise reason and jansson's own recursion is bounded by our limit
 * rather than its compiled-in one. Byte offsets in messages count from 0,
 * as jansson's "position" does. */
#include <stdint.h>

#include "protocol/jsonrpc.h"

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0 with
 * *why set. Follows RFC 3629's table, which excludes overlong forms,
 * UTF-16 surrogates and anything above U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s, size_t n, const char **why)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c < 0xC0) {
		*why = "unexpected continuation byte";
		return 0;
	}
	if (c < 0xC2) {
		*why = "overlong encoding";
		return 0;
	}
	if (c < 0xE0) {
		len = 2;
	} else if (c < 0xF0) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c < 0xF5) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else if (c < 0xF8) {
		*why = "code point above U+10FFFF";
		return 0;
	} else {
		*why = "a byte that never occurs in UTF-8";
		return 0;
	}

	for (size_t i = 1; i < len; i++) {
		if (i >= n) {
			*why = "incomplete sequence";
			return 0;
		}
		unsigned char b = s[i];
		if (i == 1 && (b < lo || b > hi) && b >= 0x80 && b <= 0xBF) {
			if (c == 0xE0 || c == 0xF0)
				*why = "overlong encoding";
			else if (c == 0xED)
				*why = "UTF-16 surrogate";
			else
				*why = "code point above U+10FFFF";
			return 0;
		}
		if (b < 0x80 || b > 0xBF) {
			*why = "incomplete sequence";
			return 0;
		}
	}
	return len;
}

static int prescan(const char *text, size_t len, size_t max_depth, TuskError *e)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t depth = 0;
	bool in_string = false, escaped = false;

	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];

		if (c == 0)
			return tusk_error_set(e, TUSK_ERR_PARSE, "NUL byte at byte %zu", i);
		if (c >= 0x80) {
			const char *why = NULL;
			size_t n = utf8_sequence(s + i, len - i, &why);
			if (n == 0)
				return tusk_error_set(e, TUSK_ERR_PARSE,
				                      "invalid UTF-8 at byte %zu: %s", i, why);
			i += n;
			escaped = false;
			continue;
		}

		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return tusk_error_set(e, TUSK_ERR_PARSE,
				                      "nesting deeper than %zu at byte %zu",
				                      max_depth, i);
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
		i++;
	}
	return 0;
}

json_t *tusk_rpc_parse(const char *line, size_t len, size_t max_depth, TuskError *e)
{
	json_error_t jerr;

	if (max_depth == 0)
		max_depth = TUSK_RPC_DEFAULT_MAX_DEPTH;
	if (prescan(line, len, max_depth, e) < 0)
		return NULL;

	/* JSON_DECODE_ANY: a bare scalar is valid JSON, so JSON-RPC calls it an
	 * invalid request (-32600), not a parse error; validation says so. */
	json_t *v = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!v) {
		tusk_error_set(e, TUSK_ERR_PARSE, "invalid JSON at byte %d: %s", jerr.position,
		               jerr.text);
		return NULL;
	}
	return v;
}
