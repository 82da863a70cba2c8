/* The protocol schema (protocol/schema.json, embedded at build time): the
 * one description of every method, notification and error code. The daemon
 * validates each request's params through it before dispatch, the
 * integration suite validates every reply and notification, and
 * tusk-protodoc renders PROTOCOL.md from it.
 *
 * Types use a small JSON-Schema subset: type (a name or an array of names
 * among object, array, string, integer, number, boolean, null), properties,
 * required, additionalProperties (boolean), items, minItems, maxItems,
 * enum, minimum, maximum, minLength, maxLength (in code points),
 * description, and "$ref": "#/definitions/Name" (beside which only
 * description may appear). */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"

/* The parsed schema, loaded once (thread-safe); borrowed, never freed.
 * NULL only if the embedded text is broken, which a unit test rules out. */
const json_t *tusk_schema(void);
/* The embedded text, not NUL-terminated: a JSON array of schema.json and
 * its schema.d/ fragments. */
const char *tusk_schema_text(size_t *len);

/* methods[name] / notifications[name] (borrowed), or NULL if unknown. */
const json_t *tusk_schema_method(const char *name);
const json_t *tusk_schema_notification(const char *name);
/* Whether the method saves something that must outlive tuskd ("persists":
 * true): while tuskd's file cannot be used it is refused before it runs. */
bool tusk_schema_method_persists(const char *name);

/* Validate value against a type of the schema, naming the first mismatch
 * with path as its root: "params.topics[1]: \"x\" is not one of …".
 * "$ref"s resolve against tusk_schema(). Returns 0, or -1 with e set to
 * TUSK_ERR_INVALID_PARAMS. */
int tusk_schema_validate(const json_t *type, const json_t *value, const char *path, TuskError *e);

/* A request's params (NULL = absent, validated as {}). Unknown method:
 * TUSK_ERR_METHOD_NOT_FOUND; mismatch: TUSK_ERR_INVALID_PARAMS. */
int tusk_schema_validate_params(const char *method, const json_t *params, TuskError *e);
/* A reply's result. A mismatch is the daemon's bug: TUSK_ERR_INTERNAL
 * ("result.pid: expected integer, got string"); unknown method:
 * TUSK_ERR_METHOD_NOT_FOUND. */
int tusk_schema_validate_result(const char *method, const json_t *result, TuskError *e);
/* An error a method answered with: its kind must be named by the method's
 * "errors" or by the schema's common_errors. 0, or -1 with e set to
 * TUSK_ERR_INTERNAL naming the method and the kind (also for an unknown
 * method). */
int tusk_schema_validate_error(const char *method, TuskErrorKind kind, TuskError *e);
/* A notification's params. Unknown notification: TUSK_ERR_METHOD_NOT_FOUND;
 * mismatch: TUSK_ERR_INVALID_PARAMS. */
int tusk_schema_validate_notification(const char *method, const json_t *params, TuskError *e);

/* Check that doc is a well-formed schema document: the top-level members,
 * every error entry, every method and notification, and every type (known
 * keywords only, $refs that resolve, required names that are properties,
 * error lists that name known kinds). Returns 0 or -1 with e set to
 * TUSK_ERR_INVALID_INPUT naming the place, e.g.
 * "methods.daemon.ping.result.properties.pong: unknown keyword \"typ\"". */
int tusk_schema_check(const json_t *doc, TuskError *e);

/* The schema type name of a JSON value: "object", "array", "string",
 * "integer", "number" (a fractional number), "boolean" or "null". */
const char *tusk_json_type_name(const json_t *v);
