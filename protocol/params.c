/* Typed access to a request's params object for method handlers. Absent
 * params read as an empty object, as the schema validator treats them. */
#include "protocol/jsonrpc.h"

static int lookup(const json_t *params, const char *name, bool required, json_t **out, TuskError *e)
{
	if (params && !json_is_object(params))
		return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS, "params: expected object, got %s",
		                      json_is_array(params) ? "array" : "another type");
	json_t *v = params ? json_object_get(params, name) : NULL;
	if (!v) {
		if (required)
			return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
			                      "params.%s: missing required member", name);
		return 1;
	}
	*out = v;
	return 0;
}

static int wrong_type(TuskError *e, const char *name, const char *want)
{
	return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS, "params.%s: expected %s", name, want);
}

int tusk_param_string(const json_t *params, const char *name, bool required, const char **out,
                      TuskError *e)
{
	json_t *v = NULL;
	int r = lookup(params, name, required, &v, e);
	if (r != 0)
		return r;
	if (!json_is_string(v))
		return wrong_type(e, name, "string");
	*out = json_string_value(v);
	return 0;
}

int tusk_param_int(const json_t *params, const char *name, bool required, long long *out,
                   TuskError *e)
{
	json_t *v = NULL;
	int r = lookup(params, name, required, &v, e);
	if (r != 0)
		return r;
	if (!json_is_integer(v))
		return wrong_type(e, name, "integer");
	*out = json_integer_value(v);
	return 0;
}

int tusk_param_bool(const json_t *params, const char *name, bool required, bool *out, TuskError *e)
{
	json_t *v = NULL;
	int r = lookup(params, name, required, &v, e);
	if (r != 0)
		return r;
	if (!json_is_boolean(v))
		return wrong_type(e, name, "boolean");
	*out = json_is_true(v);
	return 0;
}

int tusk_param_value(const json_t *params, const char *name, bool required, json_t **out,
                     TuskError *e)
{
	return lookup(params, name, required, out, e);
}
