/* JSON-RPC 2.0 over NDJSON: framing with limits, message validation and
 * builders, shared by the daemon and both clients. Knows no socket. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

#define TUSK_PROTOCOL_VERSION 1
/* The protocol's message limit, one number for both directions: no
 * message the daemon sends is longer (a reply that would be is answered
 * with limit_exceeded instead), clients refuse longer lines, and it is the
 * default of the daemon's incoming limit (setting rpc.max_message_bytes).
 * Not counting the line end. */
#define TUSK_RPC_MAX_MESSAGE (16u * 1024 * 1024)
/* Answers that come in pieces (schema.get, history.list, query.rows) fill
 * a piece up to about this many bytes, far below the message limit. */
#define TUSK_RPC_PAGE_BYTES        (4u * 1024 * 1024)
#define TUSK_RPC_DEFAULT_MAX_DEPTH 64
/* Longest string id accepted (longer: limit_exceeded, answered with id
 * null), and most members in one batch (more: the whole batch is refused
 * with one limit_exceeded). */
#define TUSK_RPC_MAX_ID_BYTES 65536u
#define TUSK_RPC_MAX_BATCH    1000u

/* ---- framing ------------------------------------------------------------
 * A line reader: bytes in, complete lines out. A line longer than max_len
 * is reported once as TUSK_LINE_TOO_LONG and the rest of it, up to the next
 * newline, is discarded: the stream resynchronises there. */
typedef struct TuskLineReader TuskLineReader;

typedef enum TuskLineStatus {
	TUSK_LINE_OK,       /* line/len valid; line has no '\n' and is NUL-terminated */
	TUSK_LINE_TOO_LONG, /* an oversized line was dropped */
	TUSK_LINE_NONE,     /* need more bytes */
} TuskLineStatus;

TuskLineReader *tusk_line_reader_new(size_t max_len);
void tusk_line_reader_free(TuskLineReader *r);
/* Append bytes (copied). Returns 0 or -ENOMEM. */
int tusk_line_reader_feed(TuskLineReader *r, const void *buf, size_t len);
/* Take the next event. For TUSK_LINE_OK, *line points into the reader's
 * buffer and stays valid until the next call to feed or next. */
TuskLineStatus tusk_line_reader_next(TuskLineReader *r, const char **line, size_t *len);
/* Bytes held but not yet returned (for limits and tests). */
size_t tusk_line_reader_pending(const TuskLineReader *r);

/* ---- decoding -----------------------------------------------------------
 * Validate and parse one line: UTF-8 checked, nesting depth limited, NUL
 * bytes refused. On success returns the JSON value (object or array) with
 * a new reference. On failure returns NULL and sets e to TUSK_ERR_PARSE. */
json_t *tusk_rpc_parse(const char *line, size_t len, size_t max_depth, TuskError *e);

typedef enum TuskRpcKind {
	TUSK_RPC_REQUEST,      /* has method and id */
	TUSK_RPC_NOTIFICATION, /* has method, no id */
	TUSK_RPC_RESPONSE,     /* has result or error and id */
} TuskRpcKind;

/* A view into a validated message; borrowed references into msg. */
typedef struct TuskRpcMessage {
	TuskRpcKind kind;
	json_t *id;         /* string, integer or null; NULL for notifications */
	const char *method; /* requests / notifications */
	json_t *params;     /* object or array, or NULL when absent */
	json_t *result;     /* responses */
	json_t *error;      /* responses */
} TuskRpcMessage;

/* A non-empty array: a batch whose members are validated one by one. An
 * empty array is not a batch but an invalid request. */
bool tusk_rpc_is_batch(const json_t *msg);

/* Check one message object against JSON-RPC 2.0. On failure sets e to
 * TUSK_ERR_INVALID_REQUEST and, when the id could be read, *bad_id to it
 * (borrowed) so the error reply can echo it; else *bad_id is NULL. A
 * string id longer than TUSK_RPC_MAX_ID_BYTES is TUSK_ERR_LIMIT_EXCEEDED
 * (and not echoed). */
int tusk_rpc_validate(json_t *msg, TuskRpcMessage *out, json_t **bad_id, TuskError *e);

/* ---- encoding -----------------------------------------------------------
 * Builders return new references. id is borrowed and may be NULL (JSON
 * null). params /
 * result are stolen (may be NULL: params omitted, result null). */
json_t *tusk_rpc_request(json_t *id, const char *method, json_t *params);
json_t *tusk_rpc_notification(const char *method, json_t *params);
json_t *tusk_rpc_result(json_t *id, json_t *result);
json_t *tusk_rpc_error(json_t *id, const TuskError *e);
/* Serialise compactly with a trailing '\n'. Returns a malloc'd buffer and
 * its length, or NULL. */
char *tusk_rpc_dump(const json_t *msg, size_t *len);

/* ---- parameters ---------------------------------------------------------
 * Helpers for handlers: read a typed member of a params object. They set e
 * to TUSK_ERR_INVALID_PARAMS naming the member on a wrong type, or on a
 * missing required member. Return 0 (found), 1 (absent, optional), -1. */
int tusk_param_string(const json_t *params, const char *name, bool required, const char **out,
                      TuskError *e);
int tusk_param_int(const json_t *params, const char *name, bool required, long long *out,
                   TuskError *e);
int tusk_param_bool(const json_t *params, const char *name, bool required, bool *out, TuskError *e);
/* Any JSON value (borrowed). */
int tusk_param_value(const json_t *params, const char *name, bool required, json_t **out,
                     TuskError *e);
