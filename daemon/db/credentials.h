/* The secrets a connection may need, and the one way the db library asks
 * for them: a lookup it is given (tuskd passes the keyring, keyring.h). */
#pragma once

#include <stdbool.h>

#include "common/error.h"

typedef enum SecretKind {
	SECRET_PASSWORD,       /* tusk:connection:<uuid> */
	SECRET_SSH_PASSWORD,   /* tusk:ssh:<uuid> */
	SECRET_SSH_PASSPHRASE, /* tusk:ssh-passphrase:<uuid> */
	SECRET_SSL_PASSPHRASE, /* tusk:ssl-passphrase:<uuid> (client key) */
	_SECRET_KIND_MAX,
} SecretKind;

/* Answers a lookup on the loop: r 0 with secret (owned by the callee,
 * erase and free it; NULL when there is none), or r < 0 with e. in_memory:
 * the secret came from the daemon's memory fallback, not the keyring. */
typedef void (*credential_cb)(int r, char *secret, bool in_memory, const TuskError *e, void *ud);

struct db_credentials {
	/* Returns 0 when cb will run, or < 0 (cb will not run). */
	int (*lookup)(void *ud, SecretKind kind, const char *connection_id, credential_cb cb,
	              void *cb_ud);
	void *ud;
};
