/* One way to grow a byte buffer: at least need bytes in all, doubling from
 * its current capacity (or from first when it has none). */
#pragma once

#include <stdlib.h>

/* Make *buf hold at least need bytes; 0, or -1 (buffer untouched) when
 * memory ran out. */
static inline int tusk_grow(char **buf, size_t *cap, size_t need, size_t first)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : first;
	while (c < need)
		c *= 2;
	char *p = realloc(*buf, c);
	if (!p)
		return -1;
	*buf = p;
	*cap = c;
	return 0;
}
