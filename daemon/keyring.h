/* Secrets in the Secret Service (libsecret), schema "com.tusk.app" with
 * attributes service=com.tusk.app and key=tusk:<kind>:<connection uuid>.
 * Every libsecret call runs on a worker thread; callbacks run on the loop.
 * When the service is unavailable or locked, secrets live in daemon memory
 * for this session only (never in a file) and callbacks say so. Nothing
 * here logs a secret. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "daemon/db/credentials.h" /* SecretKind; db asks through struct db_credentials */

struct worker_pool;

typedef enum KeyringState {
	KEYRING_UNKNOWN, /* not probed yet */
	KEYRING_OK,
	KEYRING_LOCKED,
	KEYRING_UNAVAILABLE,
} KeyringState;

/* Start the probe on a worker; on_probed (may be NULL) runs on the loop
 * when the state is known. Returns 0 or a negative errno. */
int keyring_init(struct worker_pool *workers, void (*on_probed)(KeyringState st, void *ud),
                 void *ud);
/* Erase and free the in-memory secrets. */
void keyring_shutdown(void);
KeyringState keyring_state(void);
const char *keyring_state_name(KeyringState st); /* "unknown" "ok" "locked" "unavailable" */
const char *secret_kind_name(SecretKind kind);   /* "password" "ssh_password" … */
int secret_kind_from_name(const char *name);     /* -1 if unknown */

/* Result of a keyring call, on the loop thread. r is 0 on success, -1 with
 * e set (TUSK_ERR_CREDENTIAL_NOT_FOUND for a lookup that found nothing,
 * TUSK_ERR_KEYRING otherwise). secret is set only by lookups that found
 * one; the callback takes ownership and must erase it (explicit_bzero)
 * before free. in_memory tells whether the session-memory fallback served
 * the call. */
typedef credential_cb keyring_cb;

/* Each copies what it needs before returning; cb may be NULL. */
int keyring_store(SecretKind kind, const char *connection_id, const char *secret, keyring_cb cb,
                  void *ud);
int keyring_lookup(SecretKind kind, const char *connection_id, keyring_cb cb, void *ud);
/* Deleting what is not there succeeds. */
int keyring_delete(SecretKind kind, const char *connection_id, keyring_cb cb, void *ud);
/* Every kind for one connection (connections.delete). */
int keyring_delete_all(const char *connection_id, keyring_cb cb, void *ud);
/* has: r == 0 and secret == NULL when present; CREDENTIAL_NOT_FOUND when not. */
int keyring_has(SecretKind kind, const char *connection_id, keyring_cb cb, void *ud);
