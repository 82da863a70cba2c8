/* The servers of the TLS suites (integration-tls, integration-tls-daemon):
 * one test CA and two PostgreSQL servers that speak TLS with its
 * certificates. */
#pragma once

#include "tests/lib/tt-certs.h"
#include "tests/lib/tt-pg.h"

/* Makes in certs: server certificates "server" (localhost, 127.0.0.1) and
 * "other" (db.example); client certificates "certuser", "alice" and
 * "certuser-enc" (its key encrypted with the passphrase open-sesame).
 * Starts pg_tls with "server" (role certuser logs in by certificate over
 * hostssl, every other login is trusted) and pg_other with "other". */
void tt_tls_servers_start(struct tt_certs *certs, struct tt_pg *pg_tls, struct tt_pg *pg_other);
/* Stops both servers and removes the certificates. */
void tt_tls_servers_stop(struct tt_certs *certs, struct tt_pg *pg_tls, struct tt_pg *pg_other);
