/* TLS around libpq: OpenSSL checks of the certificate and key files before
 * connecting (so the user gets a clear SSL error instead of libpq's), the
 * client-key passphrase hook, and a report of the session once connected. */
#pragma once

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

#include "common/error.h"
#include "common/model-connection.h"

/* Blocking file I/O: call on a worker. Checks ssl_ca_cert, ssl_client_cert
 * and ssl_client_key when set: exists and readable, PEM, the key opens
 * (with passphrase when encrypted; NULL passphrase for an encrypted key is
 * an SSL error saying a passphrase is needed), the key matches the
 * certificate, and the key file's permissions are ones libpq accepts
 * (owned by us: no group/other access; owned by root: at most 0640).
 * verify_ca / verify_full without a CA file and no ~/.postgresql/root.crt
 * is an SSL error too. Failures are TUSK_ERR_SSL naming the file.
 *
 * Also: a certificate (client, or every one in the CA file) that expired or
 * is not valid yet is an SSL error naming the date; a client certificate
 * without ssl_client_key needs libpq's default key (PGSSLKEY or
 * ~/.postgresql/postgresql.key). sslmode disable checks nothing (libpq
 * reads none of the files then). Defaults follow libpq: PGSSLROOTCERT /
 * PGSSLKEY of this process, else $HOME/.postgresql/. The key's bytes are
 * wiped from memory after the check. Returns 0 or -1 with e set. */
int tls_check_files(const TuskConnectionConfig *cfg, const char *key_passphrase, TuskError *e);

/* The same checks from libpq keywords, for a transient conninfo that has
 * no TuskConnectionConfig (and may hold what a config may not, e.g. sslkey
 * without sslcert): sslmode as libpq spells it ("verify-full"; NULL means
 * libpq's default, prefer; "allow" checks as prefer does), each file NULL
 * or "" when unset. Blocking: call on a worker. */
int tls_check_params(const char *sslmode, const char *sslrootcert, const char *sslcert,
                     const char *sslkey, const char *key_passphrase, TuskError *e);

/* libpq's TLS keywords for cfg: sslmode always, sslrootcert / sslcert /
 * sslkey when set. Writes at most TLS_LIBPQ_PARAMS_MAX entries to keys[]
 * and values[] (values point into cfg) and returns how many. Never
 * "sslpassword": the passphrase goes through tls_set_key_passphrase so it
 * is not in the connection's PQconninfo. */
#define TLS_LIBPQ_PARAMS_MAX 4
size_t tls_libpq_params(const TuskConnectionConfig *cfg, const char **keys, const char **values);

/* Install the PQsetSSLKeyPassHook_OpenSSL hook once (idempotent,
 * thread-safe; tls_set_key_passphrase calls it too). The hook gives
 * OpenSSL the passphrase registered for the PGconn, else falls back to
 * PQdefaultSSLKeyPassHook_OpenSSL (the sslpassword keyword or nothing —
 * never a terminal prompt). */
void tls_init(void);
/* Make passphrase (copied) available to the hook for conn's key; forget
 * it (and wipe the copy) with NULL. Thread-safe. Register it between
 * PQconnectStartParams and the first PQconnectPoll that can reach the TLS
 * handshake, and forget it once the connection is made or failed, at the
 * latest before PQfinish(conn) — a later PGconn may get the same address. */
void tls_set_key_passphrase(PGconn *conn, const char *passphrase);

/* After connecting: {"in_use": false} or {"in_use": true, "protocol"
 * ("TLSv1.3"), "cipher" ("TLS_AES_256_GCM_SHA384"), "bits" (the cipher's
 * key bits, 256), "peer": {"subject", "issuer" (one-line RFC 2253,
 * "CN=localhost" / "CN=Tusk Test CA,O=Tusk"), "not_before", "not_after"
 * (ISO-8601 UTC, "2026-01-31T12:00:00Z")} | null}. Never blocks. New
 * reference; NULL only when out of memory. */
json_t *tls_describe(PGconn *conn);
