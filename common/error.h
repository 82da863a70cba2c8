/* The error taxonomy: every TuskError kind of the seed, the ErrorInfo
 * carried in a JSON-RPC error's data, and conversions from the libraries. */
#pragma once

#include <jansson.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdarg.h>

typedef enum TuskErrorKind {
	TUSK_ERR_NONE = 0,
	TUSK_ERR_CONNECTION_FAILED,
	TUSK_ERR_AUTHENTICATION_FAILED,
	TUSK_ERR_SSL,
	TUSK_ERR_SSH,
	TUSK_ERR_CONNECTION_TIMEOUT,
	TUSK_ERR_CONNECTION_NOT_FOUND,
	TUSK_ERR_NO_ACTIVE_CONNECTION,
	TUSK_ERR_POOL_TIMEOUT,
	TUSK_ERR_QUERY_FAILED,
	TUSK_ERR_QUERY_CANCELLED,
	TUSK_ERR_QUERY_TIMEOUT,
	TUSK_ERR_STORAGE,
	TUSK_ERR_MIGRATION,
	TUSK_ERR_KEYRING,
	TUSK_ERR_CREDENTIAL_NOT_FOUND,
	TUSK_ERR_SERIALIZATION,
	TUSK_ERR_INTERNAL,
	TUSK_ERR_INVALID_INPUT,
	TUSK_ERR_IO,
	TUSK_ERR_RESULT_NOT_FOUND, /* no stored result has the id */
	/* Protocol-level kinds: JSON-RPC's own codes and per-client limits. */
	TUSK_ERR_PARSE,            /* -32700 */
	TUSK_ERR_INVALID_REQUEST,  /* -32600 */
	TUSK_ERR_METHOD_NOT_FOUND, /* -32601 */
	TUSK_ERR_INVALID_PARAMS,   /* -32602 */
	TUSK_ERR_LIMIT_EXCEEDED,   /* a per-client limit was hit */
	TUSK_ERR_CONFLICT,         /* changed by someone else since read */
	TUSK_ERR_TOO_LARGE,        /* a value over its size limit */
	_TUSK_ERR_KIND_MAX,
} TuskErrorKind;

/* The seed's ErrorType: the coarse category a UI shows. */
typedef enum TuskErrorType {
	TUSK_ERROR_TYPE_CONNECTION,
	TUSK_ERROR_TYPE_AUTHENTICATION,
	TUSK_ERROR_TYPE_SSL,
	TUSK_ERROR_TYPE_SSH,
	TUSK_ERROR_TYPE_QUERY,
	TUSK_ERROR_TYPE_STORAGE,
	TUSK_ERROR_TYPE_KEYRING,
	TUSK_ERROR_TYPE_INTERNAL,
	_TUSK_ERROR_TYPE_MAX,
} TuskErrorType;

/* An error with the seed's ErrorInfo fields plus everything libpq's
 * PG_DIAG_* fields carry. All strings are owned; NULL when absent.
 * position is 1-based as PostgreSQL reports it; 0 when absent. */
typedef struct TuskError {
	TuskErrorKind kind;
	char *message;
	char *detail;
	char *hint;
	unsigned position;
	char *code; /* SQLSTATE */
	char *severity;
	char *context;
	char *schema_name;
	char *table_name;
	char *column_name;
	char *datatype_name;
	char *constraint_name;
	unsigned internal_position;
	char *internal_query;
	char *source_file;
	char *source_line;
	char *source_function;
} TuskError;

#define TUSK_ERROR_INIT               \
	{                             \
		.kind = TUSK_ERR_NONE \
	}

/* Names and codes. kind names are snake_case ("query_failed"); the
 * error_type names are "connection", "authentication", … */
const char *tusk_error_kind_name(TuskErrorKind kind);
TuskErrorKind tusk_error_kind_from_name(const char *name); /* NONE if unknown */
TuskErrorType tusk_error_kind_type(TuskErrorKind kind);
const char *tusk_error_type_name(TuskErrorType type);
/* JSON-RPC error code: -32700..-32602 for the protocol kinds, -32001… for
 * the application kinds (table in protocol/schema.json). */
int tusk_error_rpc_code(TuskErrorKind kind);
TuskErrorKind tusk_error_kind_from_rpc_code(int code); /* INTERNAL if unknown */
/* The seed's default user-facing hint for a kind, or NULL. */
const char *tusk_error_default_hint(TuskErrorKind kind);

/* Setting and clearing. All setters accept e == NULL (the caller did not
 * want details) and replace whatever e held. They return -1 so a caller can
 * write "return tusk_error_set(...)". */
int tusk_error_set(TuskError *e, TuskErrorKind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int tusk_error_setv(TuskError *e, TuskErrorKind kind, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Set detail / hint on an already-set error (replacing any). */
void tusk_error_set_detail(TuskError *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tusk_error_set_hint(TuskError *e, const char *hint);
void tusk_error_clear(TuskError *e); /* frees strings, kind = NONE */
int tusk_error_copy(TuskError *dst, const TuskError *src);
/* Move src into dst (dst cleared first); src is left cleared. */
void tusk_error_move(TuskError *dst, TuskError *src);
/* The one-line text a person reads, e.g. "Query timeout after 500ms".
 * Returns a pointer into e (the message) — never NULL. */
const char *tusk_error_message(const TuskError *e);

/* From libraries. */
/* A failed result: every PG_DIAG_* field; kind QUERY_FAILED, or
 * QUERY_CANCELLED for 57014 "canceling statement due to user request",
 * QUERY_TIMEOUT for 57014 statement timeout, AUTHENTICATION_FAILED for
 * 28P01/28000, CONNECTION_FAILED for class 08. */
int tusk_error_from_pgresult(TuskError *e, const PGresult *res);
/* A failed connection attempt: classified from PQerrorMessage (auth,
 * SSL, timeout, refused/unreachable → CONNECTION_FAILED with libpq's text as
 * detail). connect_timeout_sec is used for the timeout message. */
int tusk_error_from_pgconn(TuskError *e, const PGconn *conn, unsigned connect_timeout_sec);
/* Classify a libpq connection error text (used by the above). */
TuskErrorKind tusk_error_classify_pg_message(const char *msg);
int tusk_error_from_sqlite(TuskError *e, sqlite3 *db, int rc);         /* STORAGE */
int tusk_error_from_errno(TuskError *e, int errnum, const char *what); /* IO */
int tusk_error_from_json(TuskError *e, const json_error_t *jerr);      /* SERIALIZATION */

/* To and from JSON. */
/* The ErrorInfo object: {error_type, kind, message, detail, hint, position,
 * code, severity, context, schema, table, column, datatype, constraint,
 * internal_position, internal_query}; absent fields are omitted. */
json_t *tusk_error_info_to_json(const TuskError *e);
/* The JSON-RPC error object {code, message, data: ErrorInfo}. */
json_t *tusk_error_to_rpc_json(const TuskError *e);
/* Parse a JSON-RPC error object (as a client receives it). Unknown or
 * missing parts degrade gracefully: never fails, at worst kind INTERNAL. */
void tusk_error_from_rpc_json(TuskError *e, const json_t *error_obj);
