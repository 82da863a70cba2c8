/* Writing a JSON string literal fast, without a jansson value: the hot path
 * of streaming rows, and the exact dumper of typed cells. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Emit s (n bytes of UTF-8) as a JSON string literal through cb (jansson's
 * dump callback type). Quotes, backslashes and control characters are
 * escaped; bytes that are not valid UTF-8 (possible only from a SQL_ASCII
 * database) become U+FFFD. Returns 0, or -1 when cb failed. */
int tusk_json_string(const char *s, size_t n, json_dump_callback_t cb, void *data);

/* Whether s (n bytes) is a JSON number exactly as written (RFC 8259's
 * grammar): such a text can go into JSON unquoted and unchanged. */
bool tusk_json_number_text(const char *s, size_t n);

/* A copy of the NUL-terminated s with every byte that is not part of valid
 * UTF-8 replaced by U+FFFD (for diagnostics, never for data), or NULL when
 * s is valid already (or memory ran out). Free it. */
char *tusk_utf8_lossy(const char *s);
/* The offset of the first byte of s (len bytes) that is not part of valid
 * UTF-8, or len when all of it is. */
size_t tusk_utf8_invalid_at(const char *s, size_t len);
/* Length of the valid UTF-8 sequence of two to four bytes at s (at most n
 * bytes), or 0 (not valid, or cut short). */
size_t tusk_utf8_seq(const unsigned char *s, size_t n);
