/* Helpers for the keyring suites: the real gnome-keyring on the session
 * bus that test-keyring-session.sh made, driven over D-Bus (lock, unlock,
 * pause), secret-tool, and JSON-RPC calls that must succeed. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "tests/lib/tt-grep.h"
#include "tests/lib/tt.h"

/* Fails the whole run (exit 1) with a clear message when there is no
 * session bus or no Secret Service on it: these suites never skip. */
void tk_require_keyring(void);
/* For the parent process (main, unchecked fixtures), which must not use
 * GDBus itself: the pid owning org.freedesktop.secrets
 * (gnome-keyring-daemon), and unlocking the login collection in a child.
 * Both print and exit(1) on failure. */
pid_t tk_keyring_pid(void);
void tk_restore_unlocked(void);

/* A fresh lower-case UUID; a secret no test could meet by chance. */
void tk_uuid(char out[37]);
void tk_secret(char *out, size_t size);

/* `secret-tool lookup service com.tusk.app key KEY`: the secret printed,
 * or NULL when secret-tool finds nothing. */
char *tk_secret_tool_lookup(const char *key);
/* `secret-tool search --all service com.tusk.app key KEY` output ("" when
 * none). */
char *tk_secret_tool_search(const char *key);

/* The login collection, over D-Bus without any prompt: Lock, and
 * gnome-keyring's UnlockWithMasterPassword with $TUSK_KEYRING_PASSWORD. */
void tk_lock(void);
void tk_unlock(void);
bool tk_locked(void);

/* Call on fd and return the result (new reference); fails the test on an
 * error reply. Ids are taken from a counter. */
json_t *tk_ok(int fd, const char *method, json_t *params);
/* Call and return the error code (fails the test on a result). */
int tk_err(int fd, const char *method, json_t *params, char **ret_reply_text);
/* Poll daemon.status until its keyring state is want (at most ms). */
void tk_wait_state(int fd, const char *want, int ms);
const char *tk_str(const json_t *obj, const char *member);
bool tk_bool(const json_t *obj, const char *member);
