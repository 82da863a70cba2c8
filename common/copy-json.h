/* COPY data as a JSON string (query.copy_data's "text"): for data that is
 * UTF-8 text, smaller than base64 (a CSV row escapes a few quotes and its
 * newline, base64 adds a third) and as cheap to write and to read. */
#pragma once

#include <stddef.h>

/* Escape the longest prefix of in (n bytes) that a JSON string can carry
 * as it is: valid UTF-8 without NUL (a multi-byte character cut by the
 * end of in is left out too). Writes into out (room for 6 * n bytes) the
 * string's contents without its quotes; *used: the bytes of in taken.
 * Returns the length written. */
size_t tusk_copy_json_escape(const char *in, size_t n, char *out, size_t *used);

/* Undo tusk_copy_json_escape: the contents of a JSON string (n bytes,
 * without its quotes) into out (room for n bytes, which it may write
 * past the result; not in). Strict: a raw
 * quote or control character, a bad escape, \u0000, a \u surrogate or
 * bytes that are not UTF-8 give -1 (a JSON parser then says what is
 * wrong, or reads what this leaves to it). Returns the length. */
long long tusk_copy_json_unescape(const char *in, size_t n, char *out);
