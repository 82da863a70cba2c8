/* Real X.509 material for TLS tests, made with the OpenSSL API in a fresh
 * temp dir: a CA, server certificates for given host names / IPs, client
 * certificates for given user names, expired or not-yet-valid ones,
 * encrypted keys. Everything is EC P-256 (fast to generate) unless a test
 * asks for RSA, signed with SHA-256, PEM on disk.
 *
 * Typical use in a suite that starts its own PostgreSQL:
 *
 *	struct tt_certs c;
 *	tt_certs_init(&c);                                   // CA: c.ca_crt
 *	tt_certs_server(&c, "server", "localhost", "DNS:localhost,IP:127.0.0.1");
 *	tt_certs_give_to_pg(&c, "server");                   // key 0600 postgres
 *	tt_certs_client(&c, "alice", "alice");               // CN = role name
 *	char conf[2048];
 *	tt_certs_pg_conf(&c, "server", conf, sizeof(conf));  // ssl=on + files
 *	tt_pg_start(&pg, conf, "hostssl all alice 127.0.0.1/32 cert\n…");
 *	… sslrootcert=c.ca_crt sslcert=tt_certs_path(&c,"alice.crt") …
 *	tt_certs_cleanup(&c);
 *
 * Files for a name N are DIR/N.crt and DIR/N.key (key 0600, owned by the
 * caller). The dir is 0755 so the server's user ("postgres" when the test
 * runs as root) can reach what it is given. Every function aborts the
 * running Check test on failure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct tt_certs {
	char dir[256];
	char ca_crt[320]; /* the CA certificate: pass as sslrootcert / ssl_ca_file */
	char ca_key[320];
	char buf[4][400]; /* ring of buffers behind tt_certs_path */
	unsigned next_buf;
};

/* How a certificate is made; zero-initialised fields take the defaults. */
struct tt_cert_opts {
	const char *cn;          /* subject CN (required) */
	const char *san;         /* subjectAltName in openssl syntax, e.g.
	                          * "DNS:localhost,IP:127.0.0.1"; NULL: none */
	long not_before_days;    /* validity start, days from now (default 0,
	                          * i.e. now minus one hour for clock skew) */
	long not_after_days;     /* validity end, days from now; 0 → 365;
	                          * negative gives an expired certificate */
	bool client;             /* extendedKeyUsage clientAuth, else serverAuth */
	bool self_signed;        /* signed by its own key, not the CA */
	bool rsa;                /* RSA 2048 instead of EC P-256 */
	const char *passphrase;  /* encrypt the key (AES-256-CBC) with this */
	bool traditional_format; /* with passphrase: the old "Proc-Type:
	                          * 4,ENCRYPTED" PEM, else PKCS#8 */
};

/* mkdtemp under /tmp, then a CA "Tusk Test CA" (ca.crt, ca.key). */
void tt_certs_init(struct tt_certs *c);
/* rm -rf the dir. Safe to call twice. */
void tt_certs_cleanup(struct tt_certs *c);

/* DIR/file in one of four rotating buffers inside c (valid until the
 * fourth call after it). */
const char *tt_certs_path(struct tt_certs *c, const char *file);

/* Make DIR/name.crt and DIR/name.key as o says. */
void tt_certs_make(struct tt_certs *c, const char *name, const struct tt_cert_opts *o);
/* Shorthands: a server certificate (serverAuth) and a client one
 * (clientAuth), both signed by the CA, valid for a year. */
void tt_certs_server(struct tt_certs *c, const char *name, const char *cn, const char *san);
void tt_certs_client(struct tt_certs *c, const char *name, const char *cn);
/* Write DIR/dst (0600) as the key DIR/src encrypted with passphrase. */
void tt_certs_encrypt_key(struct tt_certs *c, const char *src, const char *dst,
                          const char *passphrase);
/* Write DIR/file with text and mode. */
void tt_certs_write(struct tt_certs *c, const char *file, const char *text, unsigned mode);

/* Hand DIR/name.key to the PostgreSQL server's user (chown postgres when
 * root, mode 0600), as the server requires of ssl_key_file. */
void tt_certs_give_to_pg(struct tt_certs *c, const char *name);
/* postgresql.conf lines for a TLS server using DIR/name.crt + .key and the
 * CA as ssl_ca_file (so "cert" hba lines can check client certificates). */
void tt_certs_pg_conf(struct tt_certs *c, const char *name, char *out, size_t size);
