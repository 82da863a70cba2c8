/* A small blocking client for tuskctl and tests: connect to the daemon's
 * socket, call a method, and read notifications until its reply. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"

typedef struct TuskClient TuskClient;

/* Called for each notification that arrives while waiting for a reply.
 * Return 0 to go on, non-zero to stop waiting (the call then fails with
 * TUSK_ERR_INTERNAL "interrupted"). params is borrowed. */
typedef int (*TuskNotifyFn)(const char *method, json_t *params, void *userdata);

/* Connect to path. Returns NULL with e set: TUSK_ERR_IO with errno detail
 * when nothing listens (ENOENT / ECONNREFUSED distinguishable through
 * *ret_errno if non-NULL). */
TuskClient *tusk_client_connect(const char *path, int *ret_errno, TuskError *e);
void tusk_client_free(TuskClient *c);
int tusk_client_fd(const TuskClient *c);

/* Send a request and wait for its reply, handing notifications to fn.
 * params is stolen (may be NULL). On success returns 0 and *ret_result (new
 * reference). On an error reply returns -1 with e filled from the reply. On
 * a broken connection returns -1 with e set to TUSK_ERR_IO. timeout_ms < 0
 * waits forever. */
/* Whether the last tusk_client_call that failed did so because the daemon
 * answered with an error (whatever its kind, io_error included), rather
 * than because the connection broke or timed out. */
bool tusk_client_error_from_daemon(const TuskClient *c);
/* Called with each line the daemon sends before it is parsed (line is
 * NUL-terminated, len excludes the newline): true when fn consumed it (it
 * is then neither parsed nor handed on). For messages too big and too many
 * to build JSON trees for, e.g. COPY data. NULL: none. */
typedef bool (*TuskLineFn)(const char *line, size_t len, void *userdata);
void tusk_client_set_line_hook(TuskClient *c, TuskLineFn fn, void *userdata);
int tusk_client_call(TuskClient *c, const char *method, json_t *params, json_t **ret_result,
                     TuskNotifyFn fn, void *userdata, int timeout_ms, TuskError *e);

/* Write len bytes of ready-made messages (e.g. COPY data as
 * notifications) while reading what the daemon sends meanwhile: its
 * notifications go to fn, and a reply that arrives (the call this belongs
 * to ended, e.g. its COPY failed) is kept for the tusk_client_call waiting
 * for it. Returns 0 when all was written, 1 when a reply arrived (stop
 * sending), -1 with e set. */
int tusk_client_write_pumping(TuskClient *c, const void *buf, size_t len, TuskNotifyFn fn,
                              void *userdata, TuskError *e);

/* Send a notification or request without waiting (e.g. query.cancel from
 * a signal-driven path). Returns the id used (>0) or -1. */
long long tusk_client_send(TuskClient *c, const char *method, json_t *params, TuskError *e);
/* Send raw bytes (tests). */
int tusk_client_send_raw(TuskClient *c, const void *buf, size_t len, TuskError *e);
/* Read one message line (tests): returns a new reference or NULL on
 * EOF / timeout / error (e set). */
json_t *tusk_client_read(TuskClient *c, int timeout_ms, TuskError *e);
