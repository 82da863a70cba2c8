/* TLS around libpq. libpq does the TLS itself; this file only makes its
 * failures understandable before they happen (tls_check_files), feeds it
 * key passphrases from the keyring (tls_set_key_passphrase), and reports
 * what was negotiated (tls_describe). */
#include "daemon/db/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"

/* No PEM file a user points us at is this big; a bigger one is a mistake
 * (a disk image, /dev/zero) and must not be slurped into memory. */
#define TLS_MAX_FILE_SIZE (16u * 1024 * 1024)

#define WHAT_CA   "SSL root certificate"
#define WHAT_CERT "SSL client certificate"
#define WHAT_KEY  "SSL client key"

static int ssl_fail(TuskError *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int ssl_fail(TuskError *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tusk_error_setv(e, TUSK_ERR_SSL, fmt, ap);
	va_end(ap);
	return -1;
}

/* OpenSSL's reason for the last failure, as detail; clears its queue so
 * the next check on this thread starts clean. */
static void detail_from_openssl(TuskError *e)
{
	unsigned long err = ERR_peek_last_error();
	if (err && e && e->kind != TUSK_ERR_NONE) {
		char buf[256];
		ERR_error_string_n(err, buf, sizeof(buf));
		tusk_error_set_detail(e, "OpenSSL: %s", buf);
	}
	ERR_clear_error();
}

/* A file read whole, with the fstat of the descriptor it was read from so
 * the permission check looks at the same file that was read. */
struct tls_file {
	char *data;
	size_t len;
	struct stat st;
};

static void tls_file_done(struct tls_file *f)
{
	if (f->data) {
		/* Key files hold secrets; certificates cost nothing to wipe. */
		explicit_bzero(f->data, f->len);
		free(f->data);
	}
	f->data = NULL;
}

static int tls_file_read(const char *what, const char *path, struct tls_file *ret, TuskError *e)
{
	memset(ret, 0, sizeof(*ret));
	/* O_NONBLOCK: a FIFO given by mistake must not hang the worker. */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return ssl_fail(e, "%s %s does not exist", what, path);
		return ssl_fail(e, "%s %s cannot be read: %s", what, path, strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return ssl_fail(e, "%s %s cannot be read: %s", what, path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return ssl_fail(e, "%s %s is a directory, not a file", what, path);
	if (!S_ISREG(st.st_mode))
		return ssl_fail(e, "%s %s is not a regular file", what, path);
	if ((uintmax_t)st.st_size > TLS_MAX_FILE_SIZE)
		return ssl_fail(e, "%s %s is not a PEM file (%jd bytes is far too big)", what, path,
		                (intmax_t)st.st_size);

	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *data = malloc(cap);
	if (!data)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	for (;;) {
		if (len + 1 >= cap) {
			/* The file grew while we read it; keep reading up to
			 * the limit. */
			if (cap > TLS_MAX_FILE_SIZE)
				break;
			char *bigger = malloc(cap * 2);
			if (!bigger) {
				explicit_bzero(data, len);
				free(data);
				return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
			}
			memcpy(bigger, data, len);
			explicit_bzero(data, len);
			free(data);
			data = bigger;
			cap *= 2;
		}
		ssize_t n = read(fd, data + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			explicit_bzero(data, len);
			free(data);
			return ssl_fail(e, "%s %s cannot be read: %s", what, path, strerror(err));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	data[len] = '\0';
	ret->data = data;
	ret->len = len;
	ret->st = st;
	return 0;
}

/* libpq loads every one of these files as PEM (SSL_FILETYPE_PEM,
 * X509_STORE_load_locations), so DER or random text fails there. */
static int require_pem(const char *what, const char *path, const struct tls_file *f, TuskError *e)
{
	if (!memmem(f->data, f->len, "-----BEGIN ", 11))
		return ssl_fail(e, "%s %s is not a PEM file", what, path);
	return 0;
}

static BIO *mem_bio(const struct tls_file *f, TuskError *e)
{
	BIO *b = BIO_new_mem_buf(f->data, (int)f->len);
	if (!b)
		tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	return b;
}

/* "2025-03-01 12:00:00 UTC", the form a person reads in an error. */
static void asn1_time_text(const ASN1_TIME *t, char *out, size_t size)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm) || !strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(out, size, "an unreadable date");
}

/* ISO-8601 UTC for JSON. */
static json_t *asn1_time_json(const ASN1_TIME *t)
{
	struct tm tm;
	char buf[32];
	if (!t || !ASN1_TIME_to_tm(t, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	return json_string(buf);
}

/* Not yet valid or expired, in words naming the date. */
static int check_validity(const char *what, const char *path, const X509 *x, TuskError *e)
{
	char when[64];
	const ASN1_TIME *nb = X509_get0_notBefore(x), *na = X509_get0_notAfter(x);
	if (X509_cmp_current_time(na) <= 0) {
		asn1_time_text(na, when, sizeof(when));
		ssl_fail(e, "%s %s expired on %s", what, path, when);
		tusk_error_set_hint(e, "Renew the certificate or choose a current one.");
		return -1;
	}
	if (X509_cmp_current_time(nb) >= 0) {
		asn1_time_text(nb, when, sizeof(when));
		ssl_fail(e, "%s %s is not valid before %s", what, path, when);
		tusk_error_set_hint(e, "Check this computer's clock, or wait until then.");
		return -1;
	}
	return 0;
}

/* The CA bundle: at least one certificate, and at least one of them
 * currently valid (OpenSSL would reject the server with only expired
 * ones, saying less clearly why). */
static int check_ca(const char *path, TuskError *e)
{
	struct tls_file f;
	if (tls_file_read(WHAT_CA, path, &f, e) < 0)
		return -1;
	int r = require_pem(WHAT_CA, path, &f, e);
	BIO *b = r == 0 ? mem_bio(&f, e) : NULL;
	if (r == 0 && !b)
		r = -1;
	if (r == 0) {
		unsigned total = 0, valid = 0;
		X509 *x, *first_bad = NULL;
		while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
			total++;
			if (X509_cmp_current_time(X509_get0_notAfter(x)) > 0 &&
			    X509_cmp_current_time(X509_get0_notBefore(x)) < 0)
				valid++;
			else if (!first_bad)
				first_bad = X509_dup(x);
			X509_free(x);
		}
		ERR_clear_error(); /* the end of the file is an "error" too */
		if (total == 0)
			r = ssl_fail(e, "%s %s contains no certificate", WHAT_CA, path);
		else if (valid == 0 && first_bad)
			r = check_validity(WHAT_CA, path, first_bad, e);
		X509_free(first_bad);
	}
	BIO_free(b);
	tls_file_done(&f);
	return r;
}

/* The client certificate as libpq takes it: the first certificate of the
 * file is ours, the rest is the chain. */
static int load_client_cert(const char *path, X509 **ret, TuskError *e)
{
	struct tls_file f;
	if (tls_file_read(WHAT_CERT, path, &f, e) < 0)
		return -1;
	int r = require_pem(WHAT_CERT, path, &f, e);
	BIO *b = r == 0 ? mem_bio(&f, e) : NULL;
	if (r == 0 && !b)
		r = -1;
	X509 *x = NULL;
	if (r == 0) {
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		ERR_clear_error();
		if (!x)
			r = ssl_fail(e, "%s %s contains no certificate", WHAT_CERT, path);
		else
			r = check_validity(WHAT_CERT, path, x, e);
	}
	BIO_free(b);
	tls_file_done(&f);
	if (r < 0) {
		X509_free(x);
		return -1;
	}
	*ret = x;
	return 0;
}

/* libpq 15's rule (fe-secure-openssl.c, kept in step with the server's
 * check of ssl_key_file): a root-owned key may be group-readable so a
 * system-wide key can be shared through a group; any other key must have
 * no group or other bits at all. */
static bool key_mode_acceptable(const struct stat *st)
{
	if (st->st_uid == 0)
		return !(st->st_mode & (S_IWGRP | S_IXGRP | S_IRWXO));
	return !(st->st_mode & (S_IRWXG | S_IRWXO));
}

struct passphrase_ctx {
	const char *passphrase;
	bool asked;
};

static int passphrase_cb(char *buf, int size, int rwflag, void *u)
{
	struct passphrase_ctx *ctx = u;
	ctx->asked = true;
	if (!ctx->passphrase || size <= 0)
		return -1;
	size_t n = strlen(ctx->passphrase);
	if (n >= (size_t)size)
		return -1;
	memcpy(buf, ctx->passphrase, n);
	return (int)n;
}

static int load_client_key(const char *path, const char *passphrase, EVP_PKEY **ret, TuskError *e)
{
	struct tls_file f;
	if (tls_file_read(WHAT_KEY, path, &f, e) < 0)
		return -1;
	int r = 0;
	if (!key_mode_acceptable(&f.st)) {
		ssl_fail(e,
		         "%s %s has group or world access (mode %04o); libpq refuses it: the "
		         "file must be 0600 or less when owned by you, or 0640 or less when owned "
		         "by root",
		         WHAT_KEY, path, (unsigned)(f.st.st_mode & 07777));
		char hint[PATH_MAX + 32];
		snprintf(hint, sizeof(hint), "Run: chmod 600 %s", path);
		tusk_error_set_hint(e, hint);
		r = -1;
	}
	if (r == 0)
		r = require_pem(WHAT_KEY, path, &f, e);
	if (r == 0 && !memmem(f.data, f.len, "PRIVATE KEY-----", 16))
		r = ssl_fail(e, "%s %s is not a private key (a PEM file, but of something else)",
		             WHAT_KEY, path);
	BIO *b = r == 0 ? mem_bio(&f, e) : NULL;
	if (r == 0 && !b)
		r = -1;
	EVP_PKEY *k = NULL;
	if (r == 0) {
		struct passphrase_ctx ctx = {.passphrase =
		                                 passphrase && passphrase[0] ? passphrase : NULL};
		k = PEM_read_bio_PrivateKey(b, NULL, passphrase_cb, &ctx);
		if (!k && ctx.asked && !ctx.passphrase) {
			ssl_fail(e, "%s %s is encrypted and no passphrase is stored for it",
			         WHAT_KEY, path);
			tusk_error_set_hint(e, "Store the key's passphrase for this connection "
			                       "(tuskctl secret set NAME --ssl-passphrase).");
			r = -1;
		} else if (!k && ctx.asked) {
			ssl_fail(e, "%s %s cannot be decrypted: wrong passphrase", WHAT_KEY, path);
			r = -1;
		} else if (!k) {
			ssl_fail(e, "%s %s is not a valid private key", WHAT_KEY, path);
			r = -1;
		}
		detail_from_openssl(r < 0 ? e : NULL);
	}
	BIO_free(b);
	tls_file_done(&f);
	if (r < 0)
		return -1;
	*ret = k;
	return 0;
}

/* libpq's home directory rule for ~/.postgresql: $HOME first, then the
 * password database (libpq 15's pqGetHomeDirectory). */
static int home_file(const char *name, char *out, size_t size)
{
	const char *home = getenv("HOME");
	char pwbuf[4096];
	struct passwd pw, *res = NULL;
	if (!home || !home[0]) {
		if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof(pwbuf), &res) != 0 || !res)
			return -ENOENT;
		home = res->pw_dir;
	}
	int n = snprintf(out, size, "%s/.postgresql/%s", home, name);
	return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

/* What libpq uses when a keyword is not given: the environment variable,
 * else the file under ~/.postgresql. */
static const char *libpq_default(const char *env, const char *file, char *buf, size_t size)
{
	const char *v = getenv(env);
	if (v && v[0])
		return v;
	return home_file(file, buf, size) == 0 ? buf : NULL;
}

static const char *nonempty(const char *s)
{
	return s && s[0] ? s : NULL;
}

int tls_check_params(const char *sslmode, const char *sslrootcert, const char *sslcert,
                     const char *sslkey, const char *key_passphrase, TuskError *e)
{
	/* libpq reads none of the files without TLS; "allow" and "prefer"
	 * may end up with TLS and then read them as "require" does. */
	if (!sslmode)
		sslmode = "prefer";
	if (strcmp(sslmode, "disable") == 0)
		return 0;
	bool verify = strcmp(sslmode, "verify-ca") == 0 || strcmp(sslmode, "verify-full") == 0;

	/* Without a root certificate libpq takes PGSSLROOTCERT or
	 * ~/.postgresql/root.crt when that exists, in every mode (require then
	 * behaves as verify-ca), so a broken default fails the connection
	 * just the same. */
	char defbuf[PATH_MAX];
	const char *ca = nonempty(sslrootcert);
	if (!ca) {
		const char *def =
		    libpq_default("PGSSLROOTCERT", "root.crt", defbuf, sizeof(defbuf));
		if (def && access(def, F_OK) == 0) {
			ca = def;
		} else if (verify) {
			ssl_fail(e,
			         "sslmode %s needs a root certificate to check the server "
			         "against, and none is set%s%s%s",
			         sslmode, def ? " (" : "", def ? def : "",
			         def ? " does not exist)" : "");
			tusk_error_set_hint(e, "Set ssl_ca_cert to the CA certificate that signed "
			                       "the server's certificate.");
			return -1;
		}
	}
	if (ca && check_ca(ca, e) < 0)
		return -1;

	const char *cert_path = nonempty(sslcert);
	const char *key_path = nonempty(sslkey);
	if (!cert_path) {
		/* libpq ignores a key without a certificate, and its own default
		 * files are its business. */
		return 0;
	}

	X509 *cert = NULL;
	if (load_client_cert(cert_path, &cert, e) < 0)
		return -1;
	if (!key_path) {
		key_path = libpq_default("PGSSLKEY", "postgresql.key", defbuf, sizeof(defbuf));
		if (!key_path || access(key_path, F_OK) < 0) {
			ssl_fail(e, "%s %s is set but no client key is: set ssl_client_key",
			         WHAT_CERT, cert_path);
			X509_free(cert);
			return -1;
		}
	}
	EVP_PKEY *key = NULL;
	int r = load_client_key(key_path, key_passphrase, &key, e);
	if (r == 0 && X509_check_private_key(cert, key) != 1) {
		r = ssl_fail(e, "%s %s does not match certificate %s", WHAT_KEY, key_path,
		             cert_path);
		tusk_error_set_hint(e, "Choose the key file that was made together with the "
		                       "certificate.");
	}
	ERR_clear_error();
	EVP_PKEY_free(key);
	X509_free(cert);
	return r;
}

int tls_check_files(const TuskConnectionConfig *cfg, const char *key_passphrase, TuskError *e)
{
	/* A caller's bug, but one that must not take the daemon down. */
	if (!cfg)
		return tusk_error_set(e, TUSK_ERR_INTERNAL,
		                      "TLS check without a connection config");
	return tls_check_params(tusk_ssl_mode_libpq_name(cfg->ssl_mode), cfg->ssl_ca_cert,
	                        cfg->ssl_client_cert, cfg->ssl_client_key, key_passphrase, e);
}

size_t tls_libpq_params(const TuskConnectionConfig *cfg, const char **keys, const char **values)
{
	size_t n = 0;
	keys[n] = "sslmode";
	values[n++] = tusk_ssl_mode_libpq_name(cfg->ssl_mode);
	if (cfg->ssl_ca_cert && cfg->ssl_ca_cert[0]) {
		keys[n] = "sslrootcert";
		values[n++] = cfg->ssl_ca_cert;
	}
	if (cfg->ssl_client_cert && cfg->ssl_client_cert[0]) {
		keys[n] = "sslcert";
		values[n++] = cfg->ssl_client_cert;
	}
	if (cfg->ssl_client_key && cfg->ssl_client_key[0]) {
		keys[n] = "sslkey";
		values[n++] = cfg->ssl_client_key;
	}
	return n;
}

/* Passphrases by connection. A handful of connections are ever opening at
 * once, so a small array under one lock does; the hook runs inside
 * PQconnectPoll while OpenSSL loads the key. */
struct passphrase_entry {
	PGconn *conn;
	char *passphrase;
};

static pthread_mutex_t passphrase_lock = PTHREAD_MUTEX_INITIALIZER;
static struct passphrase_entry *passphrases;
static size_t passphrase_count, passphrase_cap;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void erase_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static int key_pass_hook(char *buf, int size, PGconn *conn)
{
	int n = -1;
	pthread_mutex_lock(&passphrase_lock);
	for (size_t i = 0; i < passphrase_count; i++) {
		if (passphrases[i].conn != conn)
			continue;
		size_t len = strlen(passphrases[i].passphrase);
		/* A truncated passphrase could only fail to decrypt with a
		 * misleading "wrong passphrase"; give nothing instead. */
		if (size > 0 && len < (size_t)size) {
			memcpy(buf, passphrases[i].passphrase, len + 1);
			n = (int)len;
		} else if (size > 0) {
			buf[0] = '\0';
			n = 0;
		}
		break;
	}
	pthread_mutex_unlock(&passphrase_lock);
	if (n >= 0)
		return n;
	/* No passphrase of ours: libpq's default gives the sslpassword
	 * keyword or nothing, and never prompts on a terminal. */
	return PQdefaultSSLKeyPassHook_OpenSSL(buf, size, conn);
}

static void tls_init_once(void)
{
	PQsetSSLKeyPassHook_OpenSSL(key_pass_hook);
}

void tls_init(void)
{
	pthread_once(&tls_once, tls_init_once);
}

void tls_set_key_passphrase(PGconn *conn, const char *passphrase)
{
	tls_init();
	char *copy = passphrase ? strdup(passphrase) : NULL;
	pthread_mutex_lock(&passphrase_lock);
	size_t i;
	for (i = 0; i < passphrase_count; i++)
		if (passphrases[i].conn == conn)
			break;
	if (i < passphrase_count) {
		erase_free(passphrases[i].passphrase);
		if (copy) {
			passphrases[i].passphrase = copy;
			copy = NULL;
		} else {
			passphrases[i] = passphrases[--passphrase_count];
		}
	} else if (copy) {
		if (passphrase_count == passphrase_cap) {
			size_t cap = passphrase_cap ? passphrase_cap * 2 : 8;
			struct passphrase_entry *bigger =
			    realloc(passphrases, cap * sizeof(*bigger));
			if (bigger) {
				passphrases = bigger;
				passphrase_cap = cap;
			}
		}
		/* Out of memory leaves the connection without a passphrase:
		 * the key then fails to load with a clear SSL error. */
		if (passphrase_count < passphrase_cap) {
			passphrases[passphrase_count].conn = conn;
			passphrases[passphrase_count++].passphrase = copy;
			copy = NULL;
		}
	}
	if (passphrase_count == 0) {
		free(passphrases);
		passphrases = NULL;
		passphrase_cap = 0;
	}
	pthread_mutex_unlock(&passphrase_lock);
	erase_free(copy);
}

/* One-line RFC 2253 text, UTF-8 kept as is (JSON carries it); names with
 * bytes that are not UTF-8 fall back to RFC 2253's hex escapes. */
static json_t *name_json(const X509_NAME *name)
{
	static const unsigned long flag_sets[] = {XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB,
	                                          XN_FLAG_RFC2253};
	for (size_t i = 0; i < 2; i++) {
		BIO *b = BIO_new(BIO_s_mem());
		if (!b)
			return NULL;
		json_t *j = NULL;
		if (X509_NAME_print_ex(b, name, 0, flag_sets[i]) >= 0) {
			char *text;
			long len = BIO_get_mem_data(b, &text);
			j = json_stringn(len > 0 ? text : "", len > 0 ? (size_t)len : 0);
		}
		BIO_free(b);
		if (j)
			return j;
	}
	return json_null();
}

static json_t *peer_json(PGconn *conn)
{
	SSL *ssl = PQsslStruct(conn, "OpenSSL");
	X509 *x = ssl ? SSL_get1_peer_certificate(ssl) : NULL;
	if (!x)
		return json_null();
	json_t *peer = json_object();
	if (peer) {
		json_object_set_new(peer, "subject", name_json(X509_get_subject_name(x)));
		json_object_set_new(peer, "issuer", name_json(X509_get_issuer_name(x)));
		json_object_set_new(peer, "not_before", asn1_time_json(X509_get0_notBefore(x)));
		json_object_set_new(peer, "not_after", asn1_time_json(X509_get0_notAfter(x)));
	}
	X509_free(x);
	return peer;
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *tls_describe(PGconn *conn)
{
	if (!conn || !PQsslInUse(conn))
		return json_pack("{s:b}", "in_use", 0);
	json_t *d = json_object();
	if (!d)
		return NULL;
	json_object_set_new(d, "in_use", json_true());
	json_object_set_new(d, "protocol", string_or_null(PQsslAttribute(conn, "protocol")));
	json_object_set_new(d, "cipher", string_or_null(PQsslAttribute(conn, "cipher")));
	const char *bits = PQsslAttribute(conn, "key_bits");
	json_object_set_new(d, "bits", bits ? json_integer(atoi(bits)) : json_null());
	json_t *peer = peer_json(conn);
	if (!peer) {
		json_decref(d);
		return NULL;
	}
	json_object_set_new(d, "peer", peer);
	return d;
}
