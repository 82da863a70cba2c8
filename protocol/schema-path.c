#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "protocol/schema-internal.h"

/* Room for need bytes in all; -1 (and p->oom) when there is no memory. */
static int path_reserve(TuskSchemaPath *p, size_t need)
{
	if (tusk_grow(&p->s, &p->cap, need, 64) < 0) {
		p->oom = 1;
		return -1;
	}
	return 0;
}

static void path_vappend(TuskSchemaPath *p, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void path_vappend(TuskSchemaPath *p, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0) {
		p->oom = 1;
		return;
	}
	size_t need = p->len + (size_t)n + 1;
	if (path_reserve(p, need) < 0)
		return;
	vsnprintf(p->s + p->len, (size_t)n + 1, fmt, ap);
	p->len += (size_t)n;
}

size_t tusk_schema_path_push(TuskSchemaPath *p, const char *fmt, ...)
{
	size_t old = p->len;
	va_list ap;
	va_start(ap, fmt);
	path_vappend(p, fmt, ap);
	va_end(ap);
	return old;
}

/* sep then key, copied (no printf: every member of every request passes
 * here). */
static size_t path_append(TuskSchemaPath *p, const char *sep, const char *key)
{
	size_t old = p->len, ls = strlen(sep), lk = strlen(key);
	size_t need = p->len + ls + lk + 1;
	if (path_reserve(p, need) < 0)
		return old;
	memcpy(p->s + p->len, sep, ls);
	memcpy(p->s + p->len + ls, key, lk + 1);
	p->len += ls + lk;
	return old;
}

size_t tusk_schema_path_push_key(TuskSchemaPath *p, const char *key)
{
	return path_append(p, p->len == 0 ? "" : ".", key);
}

void tusk_schema_path_pop(TuskSchemaPath *p, size_t len)
{
	if (len < p->len) {
		p->len = len;
		p->s[len] = '\0';
	}
}

const char *tusk_schema_path_str(const TuskSchemaPath *p)
{
	return p->len ? p->s : "";
}

void tusk_schema_path_done(TuskSchemaPath *p)
{
	free(p->s);
	*p = (TuskSchemaPath){0};
}
