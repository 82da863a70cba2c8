/* Field readers shared by the models' from_json functions. Each names the
 * field by its path ("ssh_tunnel.port") in a TUSK_ERR_INVALID_INPUT error,
 * so a client can point at the bad field. A JSON null counts as absent. */
#pragma once

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Fails naming the first member of obj not in the NULL-terminated list. */
int tusk_json_reject_unknown(const json_t *obj, const char *prefix, const char *const *allowed,
                             TuskError *e);

/* *ret is replaced only when the member is present; required and absent
 * fails with "<path>: required". */
int tusk_json_take_string(const json_t *obj, const char *prefix, const char *key, bool required,
                          char **ret, TuskError *e);
int tusk_json_take_bool(const json_t *obj, const char *prefix, const char *key, bool *ret,
                        TuskError *e);
/* An integer within [min, max]; *ret_present (may be NULL) says whether
 * the member was there. */
int tusk_json_take_int(const json_t *obj, const char *prefix, const char *key, int64_t min,
                       int64_t max, int64_t *ret, bool *ret_present, TuskError *e);
/* An object member; *ret is NULL when absent. */
int tusk_json_take_object(const json_t *obj, const char *prefix, const char *key,
                          const json_t **ret, TuskError *e);

/* "<prefix>.<key>" or "<key>", in a caller buffer. */
const char *tusk_json_path(char *buf, size_t size, const char *prefix, const char *key);

/* Setting a string member to a possibly-NULL C string (NULL → null). */
int tusk_json_set_string_or_null(json_t *obj, const char *key, const char *value);

/* Checks shared by the models: "#rrggbb" colours and ids. */
bool tusk_color_valid(const char *s);
