/* Base64 with tables; no line breaks, padding required. COPY data crosses
 * the protocol in it, so both ways go by whole groups: encoding two 12-bit
 * halves of each 3 bytes at once, decoding each 4 characters with four
 * pre-shifted lookups whose OR shows a bad character in a high bit. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Any bit of BAD set: not a base64 character (padding included). */
#define BAD 0x01000000u

static char pairs[4096][2];      /* 12 bits -> two characters */
static uint32_t shifted[4][256]; /* character -> value << 18, 12, 6, 0, or BAD */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void init_tables(void)
{
	for (int i = 0; i < 4096; i++) {
		pairs[i][0] = alphabet[i >> 6];
		pairs[i][1] = alphabet[i & 63];
	}
	for (int k = 0; k < 4; k++)
		for (int c = 0; c < 256; c++)
			shifted[k][c] = BAD;
	for (uint32_t i = 0; i < 64; i++)
		for (int k = 0; k < 4; k++)
			shifted[k][(unsigned char)alphabet[i]] = i << (18 - 6 * k);
}

size_t tusk_base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

size_t tusk_base64_encode(const void *in, size_t n, char *out)
{
	pthread_once(&tables_once, init_tables);
	const unsigned char *p = in;
	char *o = out;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		memcpy(o, pairs[v >> 12], 2);
		memcpy(o + 2, pairs[v & 4095], 2);
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

/* The last group: padding allowed ("xx==", "xxx="), nowhere else. */
static long long last_group(const unsigned char *s, unsigned char *o)
{
	uint32_t a = shifted[0][s[0]], b = shifted[1][s[1]];
	if ((a | b) & BAD)
		return -1;
	if (s[2] == '=' && s[3] == '=') {
		o[0] = (unsigned char)((a | b) >> 16);
		return 1;
	}
	uint32_t c = shifted[2][s[2]];
	if (c & BAD)
		return -1;
	if (s[3] == '=') {
		uint32_t v = a | b | c;
		o[0] = (unsigned char)(v >> 16);
		o[1] = (unsigned char)(v >> 8);
		return 2;
	}
	uint32_t v = a | b | c | shifted[3][s[3]];
	if (v & BAD)
		return -1;
	o[0] = (unsigned char)(v >> 16);
	o[1] = (unsigned char)(v >> 8);
	o[2] = (unsigned char)v;
	return 3;
}

long long tusk_base64_decode(const char *in, size_t n, void *out)
{
	pthread_once(&tables_once, init_tables);
	if (n % 4)
		return -1;
	if (n == 0)
		return 0;
	const unsigned char *s = (const unsigned char *)in;
	unsigned char *o = out;
	uint32_t bad = 0;
	for (size_t i = 0; i + 4 < n; i += 4) {
		uint32_t v = shifted[0][s[i]] | shifted[1][s[i + 1]] | shifted[2][s[i + 2]] |
		             shifted[3][s[i + 3]];
		bad |= v;
		o[0] = (unsigned char)(v >> 16);
		o[1] = (unsigned char)(v >> 8);
		o[2] = (unsigned char)v;
		o += 3;
	}
	if (bad & BAD)
		return -1;
	long long last = last_group(s + n - 4, o);
	return last < 0 ? -1 : (long long)(o - (unsigned char *)out) + last;
}
