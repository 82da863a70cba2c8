/* The error taxonomy: names, codes, setters and the ErrorInfo JSON form.
 * Conversions from libpq, SQLite, errno and jansson live in error-from.c. */
#include "common/error.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/jsonstr.h"

struct kind_info {
	const char *name;
	int rpc_code;
	TuskErrorType type;
	/* What tusk_error_message() says when no message was set. */
	const char *generic;
	const char *hint;
};

/* The seed's ErrorType for a kind follows its From<&TuskError> impl for the
 * kinds it names; the rest are grouped by what a user would look at. */
static const struct kind_info kinds[_TUSK_ERR_KIND_MAX] = {
    [TUSK_ERR_NONE] = {"none", 0, TUSK_ERROR_TYPE_INTERNAL, "No error", NULL},
    [TUSK_ERR_CONNECTION_FAILED] = {"connection_failed", -32001, TUSK_ERROR_TYPE_CONNECTION,
                                    "Connection failed", NULL},
    [TUSK_ERR_AUTHENTICATION_FAILED] = {"authentication_failed", -32002,
                                        TUSK_ERROR_TYPE_AUTHENTICATION, "Authentication failed",
                                        "Check your username and password"},
    [TUSK_ERR_SSL] = {"ssl_error", -32003, TUSK_ERROR_TYPE_SSL, "SSL/TLS error",
                      "Check SSL certificate configuration"},
    [TUSK_ERR_SSH] = {"ssh_error", -32004, TUSK_ERROR_TYPE_SSH, "SSH tunnel error",
                      "Check SSH tunnel configuration"},
    [TUSK_ERR_CONNECTION_TIMEOUT] = {"connection_timeout", -32005, TUSK_ERROR_TYPE_CONNECTION,
                                     "Connection timeout",
                                     "Check that the server is reachable and the port is open"},
    [TUSK_ERR_CONNECTION_NOT_FOUND] = {"connection_not_found", -32006, TUSK_ERROR_TYPE_CONNECTION,
                                       "Connection not found", NULL},
    [TUSK_ERR_NO_ACTIVE_CONNECTION] = {"no_active_connection", -32007, TUSK_ERROR_TYPE_CONNECTION,
                                       "No active connection", "Open the connection first"},
    [TUSK_ERR_POOL_TIMEOUT] = {"pool_timeout", -32008, TUSK_ERROR_TYPE_CONNECTION,
                               "Timed out waiting for a free connection from the pool",
                               "Other queries hold every pooled connection; cancel one or raise "
                               "the pool size"},
    [TUSK_ERR_QUERY_FAILED] = {"query_failed", -32010, TUSK_ERROR_TYPE_QUERY,
                               "Query execution failed", NULL},
    [TUSK_ERR_QUERY_CANCELLED] = {"query_cancelled", -32011, TUSK_ERROR_TYPE_QUERY,
                                  "Query cancelled", NULL},
    [TUSK_ERR_QUERY_TIMEOUT] = {"query_timeout", -32012, TUSK_ERROR_TYPE_QUERY, "Query timeout",
                                NULL},
    [TUSK_ERR_STORAGE] = {"storage_error", -32020, TUSK_ERROR_TYPE_STORAGE, "Storage error", NULL},
    [TUSK_ERR_MIGRATION] = {"migration_error", -32021, TUSK_ERROR_TYPE_STORAGE, "Migration failed",
                            NULL},
    [TUSK_ERR_KEYRING] = {"keyring_error", -32030, TUSK_ERROR_TYPE_KEYRING, "Keyring error",
                          "Is a Secret Service (GNOME Keyring, KeePassXC) running and unlocked?"},
    [TUSK_ERR_CREDENTIAL_NOT_FOUND] = {"credential_not_found", -32031, TUSK_ERROR_TYPE_KEYRING,
                                       "Credential not found",
                                       "Save the password for this connection"},
    [TUSK_ERR_SERIALIZATION] = {"serialization_error", -32040, TUSK_ERROR_TYPE_INTERNAL,
                                "Serialization error", NULL},
    /* JSON-RPC's own "internal error"; -32050 stays unassigned. */
    [TUSK_ERR_INTERNAL] = {"internal", -32603, TUSK_ERROR_TYPE_INTERNAL, "Internal error", NULL},
    [TUSK_ERR_INVALID_INPUT] = {"invalid_input", -32051, TUSK_ERROR_TYPE_QUERY, "Invalid input",
                                NULL},
    [TUSK_ERR_IO] = {"io_error", -32052, TUSK_ERROR_TYPE_INTERNAL, "IO error", NULL},
    [TUSK_ERR_RESULT_NOT_FOUND] = {"result_not_found", -32013, TUSK_ERROR_TYPE_QUERY,
                                   "Result not found",
                                   "It was closed or released (idle TTL, store budget): run the "
                                   "query again, or pick a result still stored (tuskctl query "
                                   "list)"},
    [TUSK_ERR_PARSE] = {"parse_error", -32700, TUSK_ERROR_TYPE_INTERNAL, "Parse error", NULL},
    [TUSK_ERR_INVALID_REQUEST] = {"invalid_request", -32600, TUSK_ERROR_TYPE_INTERNAL,
                                  "Invalid request", NULL},
    [TUSK_ERR_METHOD_NOT_FOUND] = {"method_not_found", -32601, TUSK_ERROR_TYPE_INTERNAL,
                                   "Method not found", NULL},
    [TUSK_ERR_INVALID_PARAMS] = {"invalid_params", -32602, TUSK_ERROR_TYPE_QUERY, "Invalid params",
                                 NULL},
    [TUSK_ERR_LIMIT_EXCEEDED] = {"limit_exceeded", -32060, TUSK_ERROR_TYPE_INTERNAL,
                                 "Limit exceeded", NULL},
    [TUSK_ERR_CONFLICT] = {"conflict", -32070, TUSK_ERROR_TYPE_STORAGE, "Changed by someone else",
                           "Read it again, merge, and save"},
    [TUSK_ERR_TOO_LARGE] = {"too_large", -32071, TUSK_ERROR_TYPE_QUERY, "Too large", NULL},
};

static const char *const type_names[_TUSK_ERROR_TYPE_MAX] = {
    [TUSK_ERROR_TYPE_CONNECTION] = "connection",
    [TUSK_ERROR_TYPE_AUTHENTICATION] = "authentication",
    [TUSK_ERROR_TYPE_SSL] = "ssl",
    [TUSK_ERROR_TYPE_SSH] = "ssh",
    [TUSK_ERROR_TYPE_QUERY] = "query",
    [TUSK_ERROR_TYPE_STORAGE] = "storage",
    [TUSK_ERROR_TYPE_KEYRING] = "keyring",
    [TUSK_ERROR_TYPE_INTERNAL] = "internal",
};

static bool kind_valid(TuskErrorKind kind)
{
	return (int)kind >= 0 && kind < _TUSK_ERR_KIND_MAX;
}

const char *tusk_error_kind_name(TuskErrorKind kind)
{
	return kind_valid(kind) ? kinds[kind].name : "internal";
}

TuskErrorKind tusk_error_kind_from_name(const char *name)
{
	if (!name)
		return TUSK_ERR_NONE;
	for (int k = TUSK_ERR_NONE + 1; k < _TUSK_ERR_KIND_MAX; k++)
		if (strcmp(kinds[k].name, name) == 0)
			return (TuskErrorKind)k;
	return TUSK_ERR_NONE;
}

TuskErrorType tusk_error_kind_type(TuskErrorKind kind)
{
	return kind_valid(kind) ? kinds[kind].type : TUSK_ERROR_TYPE_INTERNAL;
}

const char *tusk_error_type_name(TuskErrorType type)
{
	if ((int)type < 0 || type >= _TUSK_ERROR_TYPE_MAX)
		return "internal";
	return type_names[type];
}

int tusk_error_rpc_code(TuskErrorKind kind)
{
	return kind_valid(kind) ? kinds[kind].rpc_code : kinds[TUSK_ERR_INTERNAL].rpc_code;
}

TuskErrorKind tusk_error_kind_from_rpc_code(int code)
{
	for (int k = TUSK_ERR_NONE + 1; k < _TUSK_ERR_KIND_MAX; k++)
		if (kinds[k].rpc_code == code)
			return (TuskErrorKind)k;
	return TUSK_ERR_INTERNAL;
}

const char *tusk_error_default_hint(TuskErrorKind kind)
{
	return kind_valid(kind) ? kinds[kind].hint : NULL;
}

static void replace_str(char **dst, const char *src)
{
	char *copy = src ? strdup(src) : NULL;
	free(*dst);
	*dst = copy;
}

void tusk_error_clear(TuskError *e)
{
	if (!e)
		return;
	free(e->message);
	free(e->detail);
	free(e->hint);
	free(e->code);
	free(e->severity);
	free(e->context);
	free(e->schema_name);
	free(e->table_name);
	free(e->column_name);
	free(e->datatype_name);
	free(e->constraint_name);
	free(e->internal_query);
	free(e->source_file);
	free(e->source_line);
	free(e->source_function);
	*e = (TuskError)TUSK_ERROR_INIT;
}

int tusk_error_setv(TuskError *e, TuskErrorKind kind, const char *fmt, va_list ap)
{
	if (!e)
		return -1;
	char *msg = NULL;
	if (fmt && vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	tusk_error_clear(e);
	e->kind = kind_valid(kind) ? kind : TUSK_ERR_INTERNAL;
	e->message = msg;
	replace_str(&e->hint, tusk_error_default_hint(e->kind));
	return -1;
}

int tusk_error_set(TuskError *e, TuskErrorKind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tusk_error_setv(e, kind, fmt, ap);
	va_end(ap);
	return -1;
}

void tusk_error_set_detail(TuskError *e, const char *fmt, ...)
{
	if (!e)
		return;
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (fmt && vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(e->detail);
	e->detail = s;
}

void tusk_error_set_hint(TuskError *e, const char *hint)
{
	if (e)
		replace_str(&e->hint, hint);
}

static int dup_field(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

int tusk_error_copy(TuskError *dst, const TuskError *src)
{
	TuskError t = TUSK_ERROR_INIT;
	int r = 0;

	if (!dst)
		return 0;
	if (!src) {
		tusk_error_clear(dst);
		return 0;
	}
	t.kind = src->kind;
	t.position = src->position;
	t.internal_position = src->internal_position;
	r |= dup_field(&t.message, src->message);
	r |= dup_field(&t.detail, src->detail);
	r |= dup_field(&t.hint, src->hint);
	r |= dup_field(&t.code, src->code);
	r |= dup_field(&t.severity, src->severity);
	r |= dup_field(&t.context, src->context);
	r |= dup_field(&t.schema_name, src->schema_name);
	r |= dup_field(&t.table_name, src->table_name);
	r |= dup_field(&t.column_name, src->column_name);
	r |= dup_field(&t.datatype_name, src->datatype_name);
	r |= dup_field(&t.constraint_name, src->constraint_name);
	r |= dup_field(&t.internal_query, src->internal_query);
	r |= dup_field(&t.source_file, src->source_file);
	r |= dup_field(&t.source_line, src->source_line);
	r |= dup_field(&t.source_function, src->source_function);
	if (r) {
		tusk_error_clear(&t);
		return -ENOMEM;
	}
	/* dst may alias a field of src only through a bug; copy first, then swap. */
	tusk_error_clear(dst);
	*dst = t;
	return 0;
}

void tusk_error_move(TuskError *dst, TuskError *src)
{
	if (!dst) {
		tusk_error_clear(src);
		return;
	}
	if (dst == src)
		return;
	tusk_error_clear(dst);
	if (src) {
		*dst = *src;
		*src = (TuskError)TUSK_ERROR_INIT;
	}
}

const char *tusk_error_message(const TuskError *e)
{
	if (!e)
		return kinds[TUSK_ERR_NONE].generic;
	if (e->message && e->message[0])
		return e->message;
	return kind_valid(e->kind) ? kinds[e->kind].generic : kinds[TUSK_ERR_INTERNAL].generic;
}

/* --- JSON --------------------------------------------------------------- */

static int put_str(json_t *o, const char *key, const char *v)
{
	if (!v)
		return 0;
	json_t *j = json_string(v);
	if (!j) {
		/* Not UTF-8 (a server's text in another encoding): the message
		 * still reaches the user, the odd bytes shown as U+FFFD. */
		char *fixed = tusk_utf8_lossy(v);
		j = json_string(fixed ? fixed : "");
		free(fixed);
	}
	return json_object_set_new(o, key, j);
}

static int put_uint(json_t *o, const char *key, unsigned v)
{
	if (!v)
		return 0;
	return json_object_set_new(o, key, json_integer(v));
}

json_t *tusk_error_info_to_json(const TuskError *e)
{
	_cleanup_json_ json_t *o = json_object();
	/* An unset error sent to a client still has to be a real kind. */
	TuskErrorKind kind =
	    e && kind_valid(e->kind) && e->kind != TUSK_ERR_NONE ? e->kind : TUSK_ERR_INTERNAL;
	int r = 0;

	if (!o)
		return NULL;
	r |= put_str(o, "error_type", tusk_error_type_name(tusk_error_kind_type(kind)));
	r |= put_str(o, "kind", tusk_error_kind_name(kind));
	r |= put_str(o, "message", tusk_error_message(e));
	if (e) {
		r |= put_str(o, "detail", e->detail);
		r |= put_str(o, "hint", e->hint);
		r |= put_uint(o, "position", e->position);
		r |= put_str(o, "code", e->code);
		r |= put_str(o, "severity", e->severity);
		r |= put_str(o, "context", e->context);
		r |= put_str(o, "schema", e->schema_name);
		r |= put_str(o, "table", e->table_name);
		r |= put_str(o, "column", e->column_name);
		r |= put_str(o, "datatype", e->datatype_name);
		r |= put_str(o, "constraint", e->constraint_name);
		r |= put_uint(o, "internal_position", e->internal_position);
		r |= put_str(o, "internal_query", e->internal_query);
	}
	if (r)
		return NULL;
	return TAKE_PTR(o);
}

json_t *tusk_error_to_rpc_json(const TuskError *e)
{
	TuskErrorKind kind =
	    e && kind_valid(e->kind) && e->kind != TUSK_ERR_NONE ? e->kind : TUSK_ERR_INTERNAL;
	json_t *data = tusk_error_info_to_json(e);

	if (!data)
		return NULL;
	/* data.message is UTF-8 already (put_str): the same text. */
	json_t *msg = json_object_get(data, "message");
	return json_pack("{s:i, s:s, s:o}", "code", tusk_error_rpc_code(kind), "message",
	                 msg ? json_string_value(msg) : tusk_error_message(e), "data", data);
}

static void take_str(char **dst, const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	replace_str(dst, s);
}

static unsigned take_uint(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return 0;
	json_int_t i = json_integer_value(v);
	return i > 0 && i <= UINT_MAX ? (unsigned)i : 0;
}

void tusk_error_from_rpc_json(TuskError *e, const json_t *error_obj)
{
	if (!e)
		return;
	tusk_error_clear(e);

	json_t *code = json_object_get(error_obj, "code");
	json_t *data = json_object_get(error_obj, "data");
	TuskErrorKind kind = TUSK_ERR_NONE;

	/* The kind name is more precise than the code (several kinds could one
	 * day share a code), so it wins when it is one we know. */
	if (json_is_object(data))
		kind = tusk_error_kind_from_name(json_string_value(json_object_get(data, "kind")));
	if (kind == TUSK_ERR_NONE)
		kind = json_is_integer(code)
		           ? tusk_error_kind_from_rpc_code((int)json_integer_value(code))
		           : TUSK_ERR_INTERNAL;
	e->kind = kind;

	if (json_is_object(data)) {
		take_str(&e->message, data, "message");
		take_str(&e->detail, data, "detail");
		take_str(&e->hint, data, "hint");
		e->position = take_uint(data, "position");
		take_str(&e->code, data, "code");
		take_str(&e->severity, data, "severity");
		take_str(&e->context, data, "context");
		take_str(&e->schema_name, data, "schema");
		take_str(&e->table_name, data, "table");
		take_str(&e->column_name, data, "column");
		take_str(&e->datatype_name, data, "datatype");
		take_str(&e->constraint_name, data, "constraint");
		e->internal_position = take_uint(data, "internal_position");
		take_str(&e->internal_query, data, "internal_query");
	}
	if (!e->message)
		take_str(&e->message, error_obj, "message");
}
