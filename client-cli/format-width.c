/* Character widths for aligned output, as psql measures them: libpq's
 * PQmblen / PQdsplen, loaded on first need. Most tables are plain ASCII,
 * and not linking libpq spares every tuskctl run the start-up cost of
 * libpq's twenty-odd dependencies. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>

#include "client-cli/format-internal.h"

static int (*mblen_fn)(const char *s, int encoding);
static int (*dsplen_fn)(const char *s, int encoding);
static int utf8_encoding = -1;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return;
	int (*to_encoding)(const char *) = (int (*)(const char *))dlsym(h, "pg_char_to_encoding");
	mblen_fn = (int (*)(const char *, int))dlsym(h, "PQmblen");
	dsplen_fn = (int (*)(const char *, int))dlsym(h, "PQdsplen");
	if (to_encoding)
		utf8_encoding = to_encoding("UTF8");
	if (!mblen_fn || !dsplen_fn || utf8_encoding < 0)
		mblen_fn = NULL, dsplen_fn = NULL;
}

/* Without libpq: UTF-8 sequence lengths, one column per character. */
static int fallback_mblen(const unsigned char *s)
{
	if (*s < 0x80)
		return 1;
	if ((*s & 0xe0) == 0xc0)
		return 2;
	if ((*s & 0xf0) == 0xe0)
		return 3;
	if ((*s & 0xf8) == 0xf0)
		return 4;
	return 1;
}

int format_mblen(const char *s)
{
	pthread_once(&once, load);
	return mblen_fn ? mblen_fn(s, utf8_encoding) : fallback_mblen((const unsigned char *)s);
}

int format_dsplen(const char *s)
{
	pthread_once(&once, load);
	if (dsplen_fn)
		return dsplen_fn(s, utf8_encoding);
	unsigned char c = (unsigned char)*s;
	return c < 0x20 || c == 0x7f ? -1 : 1;
}
