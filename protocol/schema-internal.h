/* Internal to protocol/: the pieces the schema loader, validator and
 * checker share. A TuskSchemaPath is a growable "params.topics[1]", pushed
 * and popped in place so validating a large value allocates once. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

typedef struct TuskSchemaPath {
	char *s;
	size_t len;
	size_t cap;
	int oom; /* an append failed; the text is truncated */
} TuskSchemaPath;

/* Append; returns the previous length to pop back to. */
size_t tusk_schema_path_push(TuskSchemaPath *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tusk_schema_path_pop(TuskSchemaPath *p, size_t len);
/* The text ("" when empty). */
const char *tusk_schema_path_str(const TuskSchemaPath *p);
void tusk_schema_path_done(TuskSchemaPath *p);

/* Append ".key" (or "[N]" via push) in the way paths are shown. */
size_t tusk_schema_path_push_key(TuskSchemaPath *p, const char *key);

#include <jansson.h>

#include "common/error.h"

/* Resolve "#/definitions/Name" in root; NULL if it does not. */
const json_t *tusk_schema_resolve_ref(const json_t *root, const char *ref);
/* The validator behind tusk_schema_validate(), with $refs resolved in root
 * and the path already started. Sets TUSK_ERR_INVALID_PARAMS. */
int tusk_schema_validate_in(const json_t *root, const json_t *type, const json_t *value,
                            TuskSchemaPath *path, TuskError *e);
