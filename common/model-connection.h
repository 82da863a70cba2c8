/* A saved connection: the seed's ConnectionConfig with its SSL, SSH tunnel
 * and options parts. It holds no secret: passwords and passphrases live in
 * the keyring under the keys built by tusk_keyring_key_*(). */
#pragma once

#include "common/error.h"
#include "common/uuid.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define TUSK_DEFAULT_PORT                5432
#define TUSK_DEFAULT_SSH_PORT            22
#define TUSK_DEFAULT_CONNECT_TIMEOUT_SEC 10
#define TUSK_DEFAULT_APPLICATION_NAME    "Tusk"
#define TUSK_MAX_CONNECT_TIMEOUT_SEC     3600
/* PostgreSQL keeps NAMEDATALEN - 1 bytes of application_name. */
#define TUSK_MAX_APPLICATION_NAME 63
#define TUSK_MAX_NAME_LEN         255

typedef enum TuskSslMode {
	TUSK_SSL_DISABLE,
	TUSK_SSL_PREFER, /* the default, as in libpq */
	TUSK_SSL_REQUIRE,
	TUSK_SSL_VERIFY_CA,
	TUSK_SSL_VERIFY_FULL,
	_TUSK_SSL_MODE_MAX,
} TuskSslMode;

typedef enum TuskSshAuth {
	TUSK_SSH_AUTH_PASSWORD,
	TUSK_SSH_AUTH_KEY,
	TUSK_SSH_AUTH_AGENT,
	_TUSK_SSH_AUTH_MAX,
} TuskSshAuth;

typedef struct TuskSshTunnelConfig {
	bool enabled;
	char *host;
	uint16_t port; /* default 22 */
	char *username;
	TuskSshAuth auth;
	char *key_path; /* required when auth is key */
	bool passphrase_in_keyring;
} TuskSshTunnelConfig;

typedef struct TuskConnectionOptions {
	unsigned connect_timeout_sec; /* 1..3600, default 10 */
	int64_t statement_timeout_ms; /* -1 when unset (server default) */
	char *application_name;       /* default "Tusk" */
	bool readonly;
} TuskConnectionOptions;

/* Strings are owned; optional ones are NULL when absent. */
typedef struct TuskConnectionConfig {
	char id[TUSK_UUID_STRLEN + 1];
	char *name;
	char *color;    /* "#rrggbb" */
	char *group_id; /* uuid of a TuskConnectionGroup */
	char *host;
	uint16_t port;
	char *database;
	char *username; /* "" lets libpq use the OS user name */
	bool password_in_keyring;
	TuskSslMode ssl_mode;
	char *ssl_ca_cert;
	char *ssl_client_cert;
	char *ssl_client_key;
	TuskSshTunnelConfig *ssh_tunnel;
	TuskConnectionOptions options;
} TuskConnectionConfig;

/* snake_case names ("verify_full"); from_name also takes libpq's spelling
 * ("verify-full"). from_name returns -1 for an unknown name. */
const char *tusk_ssl_mode_name(TuskSslMode mode);
int tusk_ssl_mode_from_name(const char *name);
/* The value for libpq's sslmode keyword ("verify-full"). */
const char *tusk_ssl_mode_libpq_name(TuskSslMode mode);
const char *tusk_ssh_auth_name(TuskSshAuth auth);
int tusk_ssh_auth_from_name(const char *name);

/* A config with the seed's defaults and a fresh id; NULL arguments are
 * empty strings. Returns NULL when out of memory or out of randomness. */
TuskConnectionConfig *tusk_connection_config_new(const char *name, const char *host,
                                                 const char *database);
TuskConnectionConfig *tusk_connection_config_free(TuskConnectionConfig *c);
static inline void tusk_connection_config_freep(TuskConnectionConfig **c)
{
	tusk_connection_config_free(*c);
}
#define _cleanup_connection_config_ __attribute__((cleanup(tusk_connection_config_freep)))
TuskConnectionConfig *tusk_connection_config_copy(const TuskConnectionConfig *c);
/* A tunnel with defaults (disabled, port 22, auth password). */
TuskSshTunnelConfig *tusk_ssh_tunnel_config_new(void);
TuskSshTunnelConfig *tusk_ssh_tunnel_config_free(TuskSshTunnelConfig *t);

/* Every rule from_json applies, on a config built in C. Fails with
 * TUSK_ERR_INVALID_INPUT "<field path>: <what is wrong>". */
int tusk_connection_config_validate(const TuskConnectionConfig *c, TuskError *e);

/* Parse and validate. Missing optional members take their defaults; a
 * missing id gets a fresh one (a config the user has not saved yet);
 * unknown members are refused by name. *ret is set only on success. */
int tusk_connection_config_from_json(const json_t *json, TuskConnectionConfig **ret, TuskError *e);
/* Every member, absent optional ones as null. NULL when out of memory. */
json_t *tusk_connection_config_to_json(const TuskConnectionConfig *c);

/* Keyring keys (newly allocated), e.g. "tusk:connection:<uuid>". NULL for
 * an invalid id or when out of memory. */
char *tusk_keyring_key_connection(const char *id);
char *tusk_keyring_key_ssh(const char *id);
char *tusk_keyring_key_ssh_passphrase(const char *id);
