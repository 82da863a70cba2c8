/* Standard base64 (RFC 4648, with padding): how COPY data, which may be
 * bytes of any encoding, crosses the JSON protocol. */
#pragma once

#include <stddef.h>

/* Bytes needed to encode n bytes (without a terminating NUL). */
size_t tusk_base64_encoded_len(size_t n);
/* Encode n bytes of in into out (tusk_base64_encoded_len(n) bytes; no NUL
 * is written). Returns the length written. */
size_t tusk_base64_encode(const void *in, size_t n, char *out);
/* Decode n characters into out (room for n / 4 * 3 bytes). Returns the
 * number of bytes, or -1 for text that is not base64 (a bad character,
 * a length not a multiple of 4, padding in the middle). */
long long tusk_base64_decode(const char *in, size_t n, void *out);
