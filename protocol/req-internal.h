/* Shared by the request builders (req-*.c): set a member only when given. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

static inline void req_str(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, json_string(v));
}

static inline void req_int(json_t *o, const char *key, long long v)
{
	if (v)
		json_object_set_new(o, key, json_integer(v));
}

static inline void req_true(json_t *o, const char *key, bool v)
{
	if (v)
		json_object_set_new(o, key, json_true());
}

/* Steals v; NULL leaves the member out. */
static inline void req_obj(json_t *o, const char *key, json_t *v)
{
	if (v)
		json_object_set_new(o, key, v);
}
