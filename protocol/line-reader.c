/* NDJSON framing: bytes in, complete lines out, with a per-line limit.
 *
 * Memory stays bounded by max_len plus one feed, provided the caller drains
 * with tusk_line_reader_next() until TUSK_LINE_NONE after each feed: an
 * unterminated tail that outgrows the limit is thrown away at once and the
 * rest of that line is skipped inside feed without being buffered. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/jsonrpc.h"

struct TuskLineReader {
	char *buf;
	size_t start; /* first byte not yet returned */
	size_t end;   /* one past the last byte held */
	size_t cap;
	size_t scan; /* bytes in [start, scan) are known to hold no '\n' */
	size_t max_len;
	bool discarding; /* skipping the rest of an oversized line */
};

TuskLineReader *tusk_line_reader_new(size_t max_len)
{
	TuskLineReader *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->max_len = max_len ? max_len : TUSK_RPC_MAX_MESSAGE;
	return r;
}

void tusk_line_reader_free(TuskLineReader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

static int reserve(TuskLineReader *r, size_t extra)
{
	/* Reclaim what has already been returned before growing. */
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->scan -= r->start;
		r->start = 0;
	}
	if (extra > SIZE_MAX - r->end)
		return -ENOMEM;
	size_t need = r->end + extra;
	if (need <= r->cap)
		return 0;
	size_t cap = r->cap ? r->cap : 4096;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *b = realloc(r->buf, cap);
	if (!b)
		return -ENOMEM;
	r->buf = b;
	r->cap = cap;
	return 0;
}

int tusk_line_reader_feed(TuskLineReader *r, const void *buf, size_t len)
{
	const char *p = buf;

	if (r->discarding) {
		const char *nl = memchr(p, '\n', len);
		if (!nl)
			return 0;
		r->discarding = false;
		len -= (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	if (len == 0)
		return 0;
	int ret = reserve(r, len);
	if (ret < 0)
		return ret;
	memcpy(r->buf + r->end, p, len);
	r->end += len;
	return 0;
}

/* The tail may still end in the '\r' of a CRLF, which does not count. */
static bool tail_too_long(const TuskLineReader *r)
{
	size_t n = r->end - r->start;
	if (n <= r->max_len)
		return false;
	if (n == r->max_len + 1 && r->buf[r->end - 1] == '\r')
		return false;
	return true;
}

TuskLineStatus tusk_line_reader_next(TuskLineReader *r, const char **line, size_t *len)
{
	for (;;) {
		if (r->scan < r->start)
			r->scan = r->start;
		char *nl =
		    r->scan < r->end ? memchr(r->buf + r->scan, '\n', r->end - r->scan) : NULL;
		if (!nl) {
			r->scan = r->end;
			if (tail_too_long(r)) {
				r->start = r->end = r->scan = 0;
				r->discarding = true;
				return TUSK_LINE_TOO_LONG;
			}
			return TUSK_LINE_NONE;
		}

		char *s = r->buf + r->start;
		size_t n = (size_t)(nl - s);
		r->start += n + 1;
		r->scan = r->start;
		*nl = '\0';
		if (n > 0 && s[n - 1] == '\r')
			s[--n] = '\0';
		if (n == 0)
			continue;
		if (n > r->max_len)
			return TUSK_LINE_TOO_LONG;
		*line = s;
		*len = n;
		return TUSK_LINE_OK;
	}
}

size_t tusk_line_reader_pending(const TuskLineReader *r)
{
	return r->end - r->start;
}
