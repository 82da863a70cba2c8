/* libpq connection keywords for one pool, built from a saved config or from
 * a transient conninfo plus the asking client's PG* environment. Values may
 * hold a password: connparams_free erases them. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"
#include "common/model-connection.h"

struct connparams {
	const char **keys; /* NULL-terminated, for PQconnectStartParams */
	const char **values;
	size_t n, cap;
	unsigned connect_timeout_sec;
	bool readonly;
};

struct connparams *connparams_new(void);
struct connparams *connparams_free(struct connparams *p);
struct connparams *connparams_copy(const struct connparams *p);
/* Set (replace) or, with value NULL, remove a keyword. Returns 0 or -ENOMEM. */
int connparams_set(struct connparams *p, const char *key, const char *value);
const char *connparams_get(const struct connparams *p, const char *key);

/* A saved connection: host, port, dbname, user, sslmode and files,
 * application_name, statement timeout and read-only as startup options,
 * client_encoding UTF8. No password: the pool adds it from the keyring. */
struct connparams *connparams_from_config(const TuskConnectionConfig *cfg, TuskError *e);
/* A URI or conninfo string parsed by libpq; env (object of PG* name →
 * string, may be NULL) fills keywords the string leaves unset, mapped with
 * libpq's own table (PQconndefaults envvar names). TUSK_ERR_INVALID_INPUT
 * with libpq's message when it cannot be parsed. */
struct connparams *connparams_from_conninfo(const char *conninfo, const json_t *env, TuskError *e);
/* "user@host:port/dbname", never a password. Newly allocated. */
char *connparams_display(const struct connparams *p);
/* A stable key for reusing a transient pool: every keyword and value. */
char *connparams_identity(const struct connparams *p);
