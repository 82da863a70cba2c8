/* Scope-bound ownership helpers, in the manner of systemd's _cleanup_. */
#pragma once

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

/* Hand ownership on: returns the pointer and leaves NULL behind. */
#define TAKE_PTR(p)                       \
	({                                \
		__typeof__(p) _tp_ = (p); \
		(p) = NULL;               \
		_tp_;                     \
	})

#define TAKE_FD(fd)               \
	({                        \
		int _tfd_ = (fd); \
		(fd) = -1;        \
		_tfd_;            \
	})

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) \
	static inline void func##p(type *p)     \
	{                                       \
		if (*p)                         \
			func(*p);               \
	}

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Zero a secret before it is freed. */
static inline void erase_and_freep(void *p)
{
	char *s = *(char **)p;
	if (s) {
		size_t n = 0;
		while (s[n])
			n++;
		explicit_bzero(s, n);
		free(s);
	}
}
#define _cleanup_erase_ _cleanup_(erase_and_freep)

/* Helpers for the libraries Tusk uses. */
#include <jansson.h>
/* jansson ≥ 2.9 provides json_decrefp for its own json_auto_t. */
#define _cleanup_json_ _cleanup_(json_decrefp)

#include <libpq-fe.h>
DEFINE_TRIVIAL_CLEANUP_FUNC(PGresult *, PQclear)
DEFINE_TRIVIAL_CLEANUP_FUNC(PGconn *, PQfinish)
DEFINE_TRIVIAL_CLEANUP_FUNC(PQconninfoOption *, PQconninfoFree)

#include <sqlite3.h>
DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize)
static inline void sqlite3_freep(char **p)
{
	sqlite3_free(*p);
}
