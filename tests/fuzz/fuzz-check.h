/* What every fuzz target that makes the daemon speak checks: each line it
 * sent is JSON, a JSON-RPC 2.0 message, and matches the protocol schema.
 * A violation prints the line and aborts (a finding). */
#pragma once

#include <jansson.h>
#include <stddef.h>

/* The requests in data (NDJSON as a client sends it, batches too) as an
 * object: compact id text → array of the method names sent with that id;
 * the methods of notifications (no id) under the key "". */
json_t *fuzz_requests(const char *data, size_t len);
/* Every line of out (which must end with a newline when not empty) is a
 * valid reply to one of requests, or a valid notification. */
void fuzz_check_output(const char *out, size_t len, const json_t *requests);
/* One message already parsed (a response, a batch of them or a
 * notification). */
void fuzz_check_message(const json_t *msg, const json_t *requests, const char *line, size_t len);
/* Abort with what is wrong and the offending text. */
void fuzz_fail(const char *what, const char *text, size_t len) __attribute__((noreturn));
