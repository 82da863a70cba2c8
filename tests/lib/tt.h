/* Helpers for integration tests in C: a real tuskd on a private socket in a
 * temp dir, raw socket I/O, and schema checks of what comes back. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct tt_daemon {
	pid_t pid;
	char dir[256];
	char socket[300];
	char data_dir[300];
	char log_path[300];
};

/* Start $TUSKD (set by ctest) with its own socket, data, state and cache
 * dirs under a fresh temp dir; TUSK_VALIDATE_REPLIES=1 so the daemon checks
 * its own replies against the schema. Waits until the socket answers.
 * extra_env: NULL-terminated "NAME=value" list or NULL; "NAME=" unsets NAME. Aborts the test on
 * failure. */
void tt_daemon_start(struct tt_daemon *d, const char *const *extra_env);
/* tt_daemon_start, then a connection to its socket: the fd. */
int tt_daemon_open(struct tt_daemon *d, const char *const *extra_env);
/* Close fd, then tt_daemon_stop, which must return 0. */
void tt_daemon_close(struct tt_daemon *d, int fd);
/* Stop d's daemon (it must exit 0) and start another on the same socket,
 * data, state and cache dirs, its output appended to the same log. */
void tt_daemon_restart(struct tt_daemon *d, const char *const *extra_env);
/* Start d's daemon again on the same dirs, once the last one has ended
 * (killed and waited for by the test), its output appended to the log. */
void tt_daemon_respawn(struct tt_daemon *d, const char *const *extra_env);
/* SIGTERM, wait; returns the exit status (0 for a clean stop; non-zero
 * when a sanitizer found something). Removes the temp dir. */
int tt_daemon_stop(struct tt_daemon *d);

int tt_connect(const char *socket_path); /* aborts the test on failure */
void tt_send(int fd, const void *buf, size_t len);
void tt_send_str(int fd, const char *s);
/* msg as one line of compact JSON (msg is stolen). */
void tt_send_json(int fd, json_t *msg);
/* Read one line and parse it; NULL on timeout or EOF. */
json_t *tt_read(int fd, int timeout_ms);
/* Send {"jsonrpc":"2.0","id":id,"method":method,"params":params} (params
 * stolen, may be NULL) and return the reply with that id, validating a
 * result against the schema. */
json_t *tt_call(int fd, int id, const char *method, json_t *params);
/* The reply's error code, or 0 when it has none. */
int tt_error_code(const json_t *reply);
/* The reply's error.data.kind, or NULL when it has none. */
const char *tt_error_kind(const json_t *reply);
/* The reply's result (borrowed); the test fails, showing the reply, when it
 * has none. */
const json_t *tt_result_of(const json_t *reply);
/* The reply's error.data (borrowed); the test fails, showing the reply, when
 * it has none or (code not 0) its error code is not code. */
const json_t *tt_error_data(const json_t *reply, int code);
/* ping on fd: true when a valid pong came back within timeout_ms. */
bool tt_ping(int fd, int timeout_ms);
double tt_now_ms(void);
