/* libpq connection input → a saved connection (connections.import). The
 * input is a URI ("postgresql://…"), a conninfo string ("host=… dbname=…")
 * or the name of a service in pg_service.conf, and libpq itself reads it:
 * PQconninfoParse for URIs and conninfo strings, libpq's own service-file
 * lookup for services. No home-made parser of libpq syntax.
 *
 * Service lookup needs libpq to read PGSERVICEFILE / PGSYSCONFDIR from the
 * environment of the client that asked. Changing the daemon's own
 * environment is not thread-safe (other threads read it, libpq's connects
 * among them), so the lookup runs in a short-lived helper process,
 * tusk-conninfo (conninfo-helper.c), spawned with posix_spawn and an
 * environment built for that one lookup: PGSERVICEFILE and PGSYSCONFDIR
 * from the client, HOME from the daemon, PGPASSFILE=/dev/null, nothing
 * else. The helper never opens a network connection (see its comment), is
 * given the input on a pipe (never argv: it may hold a password) and is
 * killed after CONNINFO_HELPER_TIMEOUT_MS.
 *
 * Everything here may block (a process, file reads, getpwuid): call it on
 * a worker thread. Nothing here logs. */
#pragma once

#include <jansson.h>

#include "common/error.h"
#include "common/model-connection.h"

#define CONNINFO_HELPER_TIMEOUT_MS 10000

typedef struct ConninfoImport {
	/* Validated, with a fresh id and a default name: the service name, or
	 * "user@host/db" ("host/db" without a user). */
	TuskConnectionConfig *config;
	/* A password from the input or the service file, or NULL. Never put
	 * in config, a reply or a log; freed with explicit_bzero. */
	char *password;
	json_t *ignored;  /* array of libpq keywords given but not kept */
	json_t *warnings; /* array of strings for people: what was adjusted */
} ConninfoImport;

ConninfoImport *conninfo_import_free(ConninfoImport *imp); /* erases password */
static inline void conninfo_import_freep(ConninfoImport **imp)
{
	conninfo_import_free(*imp);
}

/* Exactly one of source (a URI or conninfo string) and service (a service
 * name) is non-NULL. env: the client's environment as an object of
 * name → string, of which PGSERVICEFILE and PGSYSCONFDIR are used; NULL
 * uses the daemon's own values of those two. Errors:
 * TUSK_ERR_INVALID_INPUT naming the part ("source: …", "service: definition
 * of service \"x\" not found", "port: …", "sslmode: …") — a libpq message
 * that could quote a password is withheld; TUSK_ERR_INTERNAL / IO when the
 * helper cannot run. *ret is set only on success. */
int conninfo_import(const char *source, const char *service, const json_t *env,
                    ConninfoImport **ret, TuskError *e);

/* The keyword → value pairs a service adds to the explicit ones (an object
 * without "password"), as libpq's service lookup gives them: values that
 * only repeat libpq's built-in defaults are left out. The service's
 * password, if any, goes to *ret_password (erase it). Runs the helper; see
 * above. In conninfo-service.c. */
int conninfo_expand_service(const json_t *explicit, const json_t *env, json_t **ret_values,
                            char **ret_password, TuskError *e);
