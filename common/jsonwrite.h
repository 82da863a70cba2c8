/* A JSON writer for jansson values that writes exactly the bytes of
 * json_dump*(v, JSON_COMPACT) (keys in insertion order, reals as "%.17g"
 * with ".0" added, control characters escaped as jansson does) without
 * jansson's per-container loop check (a formatted pointer in a hash table
 * for every object and array): the hot path of every reply. */
#pragma once

#include <jansson.h>
#include <stddef.h>

/* A growing byte buffer; {0} is an empty one. */
struct tusk_jbuf {
	char *p;
	size_t len, cap;
};

/* Append n bytes; 0, or -1 when memory ran out. */
int tusk_jbuf_add(struct tusk_jbuf *b, const void *s, size_t n);
/* Append v as compact JSON (as json_dumpb(v, JSON_COMPACT | JSON_ENCODE_ANY)
 * would write it); 0, or -1 when memory ran out or v nests deeper than
 * 2,048 levels. */
int tusk_json_write(struct tusk_jbuf *b, const json_t *v);
/* The number as jansson writes a JSON real (buf of 32 bytes at least);
 * returns the length, or 0 for infinities and NaN (jansson fails those). */
size_t tusk_json_real_text(double d, char *buf);
