/* The session-memory fallback of keyring.c: secrets by keyring key
 * ("tusk:connection:<uuid>") while the Secret Service is locked or
 * unavailable. Thread-safe (one mutex); never written to disk; every value
 * is erased when it is replaced, removed or cleared. */
#pragma once

#include <stdbool.h>

/* Copies key and secret. Returns 0 or -ENOMEM. */
int keyring_memory_put(const char *key, const char *secret);
/* A copy the caller erases and frees, or NULL (absent, or out of memory:
 * ret_errno tells which when non-NULL: 0 or -ENOMEM). */
char *keyring_memory_get(const char *key, int *ret_errno);
bool keyring_memory_has(const char *key);
/* Returns true when something was removed. */
bool keyring_memory_remove(const char *key);
/* Erase and forget everything (daemon shutdown). */
void keyring_memory_clear(void);
