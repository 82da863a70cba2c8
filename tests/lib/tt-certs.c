/* Test certificates with the OpenSSL API (no openssl CLI, so no quoting
 * and no passphrase in any argv). See tt-certs.h. */
#include "tests/lib/tt-certs.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Abort the test with OpenSSL's own reason when cond is false. */
#define OSSL_CHECK(cond, what)                                                   \
	do {                                                                     \
		if (!(cond)) {                                                   \
			char _err[256];                                          \
			ERR_error_string_n(ERR_get_error(), _err, sizeof(_err)); \
			ck_abort_msg("tt-certs: %s failed: %s", what, _err);     \
		}                                                                \
	} while (0)

const char *tt_certs_path(struct tt_certs *c, const char *file)
{
	char *b = c->buf[c->next_buf++ % 4];
	char tmp[sizeof(c->buf[0])];
	/* Through tmp: file may itself be one of the rotating buffers. */
	int n = snprintf(tmp, sizeof(tmp), "%s/%s", c->dir, file);
	ck_assert_msg(n > 0 && (size_t)n < sizeof(tmp), "tt-certs: path too long");
	memcpy(b, tmp, (size_t)n + 1);
	return b;
}

/* A file created (or truncated) with exactly mode, as a BIO. */
static BIO *open_out(const char *path, unsigned mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ck_assert_msg(fd >= 0, "tt-certs: cannot create %s", path);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	BIO *b = BIO_new_fd(fd, BIO_CLOSE);
	OSSL_CHECK(b, "BIO_new_fd");
	return b;
}

static EVP_PKEY *read_key(const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	OSSL_CHECK(b, path);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)"");
	BIO_free(b);
	OSSL_CHECK(k, path);
	return k;
}

static X509 *read_cert(const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	OSSL_CHECK(b, path);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	OSSL_CHECK(x, path);
	return x;
}

static void write_key(const char *path, EVP_PKEY *k, const char *passphrase, bool traditional)
{
	BIO *b = open_out(path, 0600);
	int ok;
	if (!passphrase)
		ok = PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	else if (traditional)
		ok = PEM_write_bio_PrivateKey_traditional(b, k, EVP_aes_256_cbc(),
		                                          (unsigned char *)passphrase,
		                                          (int)strlen(passphrase), NULL, NULL);
	else
		ok = PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_256_cbc(), (char *)passphrase,
		                                   (int)strlen(passphrase), NULL, NULL);
	BIO_free_all(b);
	OSSL_CHECK(ok, "writing a private key");
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	OSSL_CHECK(ext, value);
	OSSL_CHECK(X509_add_ext(x, ext, -1), "X509_add_ext");
	X509_EXTENSION_free(ext);
}

/* A certificate for key, signed by signer (issuer's key), with issuer's
 * subject as its issuer name; issuer == NULL makes it self-signed. */
static X509 *build_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *signer, const struct tt_cert_opts *o,
                        bool ca)
{
	X509 *x = X509_new();
	OSSL_CHECK(x, "X509_new");
	OSSL_CHECK(X509_set_version(x, X509_VERSION_3), "X509_set_version");

	/* A random positive serial: two certificates from one CA never share
	 * one, which OpenSSL does not check but a real CA must not do. */
	unsigned char serial[8];
	OSSL_CHECK(RAND_bytes(serial, sizeof(serial)) == 1, "RAND_bytes");
	serial[0] &= 0x7f;
	BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), NULL);
	OSSL_CHECK(bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)), "serial");
	BN_free(bn);

	long before = o->not_before_days ? o->not_before_days * 86400L : -3600L;
	long after = (o->not_after_days ? o->not_after_days : 365) * 86400L;
	OSSL_CHECK(X509_gmtime_adj(X509_getm_notBefore(x), before), "notBefore");
	OSSL_CHECK(X509_gmtime_adj(X509_getm_notAfter(x), after), "notAfter");

	X509_NAME *name = X509_get_subject_name(x);
	if (ca)
		X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"Tusk",
		                           -1, -1, 0);
	OSSL_CHECK(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	                                      (const unsigned char *)o->cn, -1, -1, 0),
	           "subject CN");
	OSSL_CHECK(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name),
	           "issuer");
	OSSL_CHECK(X509_set_pubkey(x, key), "X509_set_pubkey");

	X509 *ext_issuer = issuer ? issuer : x;
	add_ext(x, ext_issuer, NID_subject_key_identifier, "hash");
	add_ext(x, ext_issuer, NID_authority_key_identifier, "keyid:always");
	if (ca) {
		add_ext(x, ext_issuer, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, ext_issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, ext_issuer, NID_basic_constraints, "CA:FALSE");
		add_ext(x, ext_issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
		add_ext(x, ext_issuer, NID_ext_key_usage, o->client ? "clientAuth" : "serverAuth");
		if (o->san)
			add_ext(x, ext_issuer, NID_subject_alt_name, o->san);
	}
	OSSL_CHECK(X509_sign(x, signer, EVP_sha256()) > 0, "X509_sign");
	return x;
}

static void write_cert(const char *path, X509 *x)
{
	BIO *b = open_out(path, 0644);
	int ok = PEM_write_bio_X509(b, x);
	BIO_free_all(b);
	OSSL_CHECK(ok, "PEM_write_bio_X509");
}

static EVP_PKEY *new_key(bool rsa)
{
	EVP_PKEY *k = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
	OSSL_CHECK(k, "key generation");
	return k;
}

void tt_certs_init(struct tt_certs *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->dir, sizeof(c->dir), "/tmp/tusk-certs-XXXXXX");
	ck_assert_msg(mkdtemp(c->dir), "tt-certs: mkdtemp failed");
	/* The server runs as another user and must reach its files. */
	ck_assert_int_eq(chmod(c->dir, 0755), 0);
	snprintf(c->ca_crt, sizeof(c->ca_crt), "%s/ca.crt", c->dir);
	snprintf(c->ca_key, sizeof(c->ca_key), "%s/ca.key", c->dir);

	struct tt_cert_opts o = {.cn = "Tusk Test CA", .not_after_days = 3650};
	EVP_PKEY *k = new_key(false);
	X509 *x = build_cert(k, NULL, k, &o, true);
	write_key(c->ca_key, k, NULL, false);
	write_cert(c->ca_crt, x);
	X509_free(x);
	EVP_PKEY_free(k);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void tt_certs_cleanup(struct tt_certs *c)
{
	if (!c->dir[0])
		return;
	nftw(c->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	c->dir[0] = '\0';
}

void tt_certs_make(struct tt_certs *c, const char *name, const struct tt_cert_opts *o)
{
	ck_assert_msg(o && o->cn, "tt_certs_make: a CN is required");
	char file[300];
	EVP_PKEY *k = new_key(o->rsa);
	X509 *x;
	if (o->self_signed) {
		x = build_cert(k, NULL, k, o, false);
	} else {
		X509 *ca = read_cert(c->ca_crt);
		EVP_PKEY *ca_key = read_key(c->ca_key);
		x = build_cert(k, ca, ca_key, o, false);
		X509_free(ca);
		EVP_PKEY_free(ca_key);
	}
	snprintf(file, sizeof(file), "%s.key", name);
	write_key(tt_certs_path(c, file), k, o->passphrase, o->traditional_format);
	snprintf(file, sizeof(file), "%s.crt", name);
	write_cert(tt_certs_path(c, file), x);
	X509_free(x);
	EVP_PKEY_free(k);
}

void tt_certs_server(struct tt_certs *c, const char *name, const char *cn, const char *san)
{
	struct tt_cert_opts o = {.cn = cn, .san = san};
	tt_certs_make(c, name, &o);
}

void tt_certs_client(struct tt_certs *c, const char *name, const char *cn)
{
	struct tt_cert_opts o = {.cn = cn, .client = true};
	tt_certs_make(c, name, &o);
}

void tt_certs_encrypt_key(struct tt_certs *c, const char *src, const char *dst,
                          const char *passphrase)
{
	EVP_PKEY *k = read_key(tt_certs_path(c, src));
	write_key(tt_certs_path(c, dst), k, passphrase, false);
	EVP_PKEY_free(k);
}

void tt_certs_write(struct tt_certs *c, const char *file, const char *text, unsigned mode)
{
	BIO *b = open_out(tt_certs_path(c, file), mode);
	ck_assert_int_ge(BIO_puts(b, text), 0);
	BIO_free_all(b);
}

void tt_certs_give_to_pg(struct tt_certs *c, const char *name)
{
	char file[300];
	snprintf(file, sizeof(file), "%s.key", name);
	const char *path = tt_certs_path(c, file);
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("postgres");
		ck_assert_msg(pw, "tt-certs: no \"postgres\" user to own the server key");
		ck_assert_int_eq(chown(path, pw->pw_uid, pw->pw_gid), 0);
	}
	ck_assert_int_eq(chmod(path, 0600), 0);
}

void tt_certs_pg_conf(struct tt_certs *c, const char *name, char *out, size_t size)
{
	int n = snprintf(out, size,
	                 "ssl = on\nssl_cert_file = '%s/%s.crt'\nssl_key_file = '%s/%s.key'\n"
	                 "ssl_ca_file = '%s'\n",
	                 c->dir, name, c->dir, name, c->ca_crt);
	ck_assert_msg(n > 0 && (size_t)n < size, "tt_certs_pg_conf: buffer too small");
}
