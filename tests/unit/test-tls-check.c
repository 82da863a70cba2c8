/* tls_check_files against real certificates and keys made with OpenSSL in
 * a temp dir: every mistake a user can make with the files gives an SSL
 * error naming the file and the problem, before libpq is involved. */
#include <check.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/db/tls.h"
#include "tests/lib/tt-certs.h"
#include "tests/lib/tt-check.h"

static struct tt_certs c;
static char home[300];

static void setup(void)
{
	tt_certs_init(&c);
	tt_certs_client(&c, "alice", "alice");
	/* An empty home, so ~/.postgresql defaults never come from the
	 * machine running the tests. */
	snprintf(home, sizeof(home), "%s/home", c.dir);
	ck_assert_int_eq(mkdir(home, 0700), 0);
	setenv("HOME", home, 1);
	unsetenv("PGSSLROOTCERT");
	unsetenv("PGSSLKEY");
	unsetenv("PGSSLCERT");
}

static void teardown(void)
{
	tt_certs_cleanup(&c);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static TuskConnectionConfig *cfg_new(TuskSslMode mode, const char *ca, const char *cert,
                                     const char *key)
{
	TuskConnectionConfig *cfg = tusk_connection_config_new("t", "127.0.0.1", "postgres");
	ck_assert_ptr_nonnull(cfg);
	cfg->ssl_mode = mode;
	cfg->ssl_ca_cert = dup_or_null(ca);
	cfg->ssl_client_cert = dup_or_null(cert);
	cfg->ssl_client_key = dup_or_null(key);
	return cfg;
}

static void expect_ok(TuskConnectionConfig *cfg, const char *pass)
{
	TuskError e = TUSK_ERROR_INIT;
	int r = tls_check_files(cfg, pass, &e);
	ck_assert_msg(r == 0, "expected success, got: %s", tusk_error_message(&e));
	ck_assert_int_eq(e.kind, TUSK_ERR_NONE);
	tusk_connection_config_free(cfg);
}

/* Fails with an SSL error whose message is exactly want (when want_exact)
 * or contains every one of the NULL-terminated parts. */
static void expect_fail_v(TuskConnectionConfig *cfg, const char *pass, const char *exact,
                          const char *const *parts)
{
	TuskError e = TUSK_ERROR_INIT;
	int r = tls_check_files(cfg, pass, &e);
	ck_assert_int_eq(r, -1);
	ck_assert_msg(e.kind == TUSK_ERR_SSL, "kind %s, message %s", tusk_error_kind_name(e.kind),
	              tusk_error_message(&e));
	if (exact)
		ck_assert_str_eq(e.message, exact);
	for (size_t i = 0; parts && parts[i]; i++)
		ck_assert_msg(strstr(e.message, parts[i]), "message \"%s\" lacks \"%s\"", e.message,
		              parts[i]);
	if (pass && pass[0])
		ck_assert_msg(!strstr(e.message, pass) && (!e.detail || !strstr(e.detail, pass)),
		              "the passphrase leaked into the error");
	tusk_error_clear(&e);
	tusk_connection_config_free(cfg);
}

#define EXPECT_FAIL(cfg, pass, ...) \
	expect_fail_v(cfg, pass, NULL, (const char *const[]){__VA_ARGS__, NULL})
#define EXPECT_FAIL_EXACT(cfg, pass, msg) expect_fail_v(cfg, pass, msg, NULL)

static const char *P(const char *file)
{
	return tt_certs_path(&c, file);
}

START_TEST(complete_set_passes)
{
	expect_ok(cfg_new(TUSK_SSL_VERIFY_FULL, c.ca_crt, P("alice.crt"), P("alice.key")), NULL);
	expect_ok(cfg_new(TUSK_SSL_VERIFY_CA, c.ca_crt, NULL, NULL), NULL);
	expect_ok(cfg_new(TUSK_SSL_REQUIRE, NULL, P("alice.crt"), P("alice.key")), NULL);
	/* prefer and require need no file at all. */
	expect_ok(cfg_new(TUSK_SSL_PREFER, NULL, NULL, NULL), NULL);
	expect_ok(cfg_new(TUSK_SSL_REQUIRE, NULL, NULL, NULL), NULL);
	/* An RSA pair is as good as an EC one. */
	struct tt_cert_opts o = {.cn = "bob", .client = true, .rsa = true};
	tt_certs_make(&c, "bob", &o);
	expect_ok(cfg_new(TUSK_SSL_VERIFY_FULL, c.ca_crt, P("bob.crt"), P("bob.key")), NULL);
}
END_TEST

START_TEST(no_config_is_an_error_not_a_crash)
{
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tls_check_files(NULL, NULL, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INTERNAL);
	tusk_error_clear(&e);
}
END_TEST

START_TEST(disable_reads_nothing)
{
	expect_ok(cfg_new(TUSK_SSL_DISABLE, P("none.crt"), P("none.crt"), P("none.key")), NULL);
}
END_TEST

START_TEST(root_certificate_problems)
{
	char want[600];
	snprintf(want, sizeof(want), "SSL root certificate %s does not exist", P("nope.crt"));
	EXPECT_FAIL_EXACT(cfg_new(TUSK_SSL_VERIFY_FULL, P("nope.crt"), NULL, NULL), NULL, want);

	tt_certs_write(&c, "text.crt", "this is not a certificate\n", 0644);
	snprintf(want, sizeof(want), "SSL root certificate %s is not a PEM file", P("text.crt"));
	EXPECT_FAIL_EXACT(cfg_new(TUSK_SSL_VERIFY_CA, P("text.crt"), NULL, NULL), NULL, want);

	/* PEM, but a key: no certificate to trust. */
	EXPECT_FAIL(cfg_new(TUSK_SSL_VERIFY_CA, c.ca_key, NULL, NULL), NULL, c.ca_key,
	            "contains no certificate");

	ck_assert_int_eq(mkdir(P("dir.crt"), 0755), 0);
	EXPECT_FAIL(cfg_new(TUSK_SSL_VERIFY_CA, P("dir.crt"), NULL, NULL), NULL, P("dir.crt"),
	            "is a directory");

	ck_assert_int_eq(mkfifo(P("fifo.crt"), 0644), 0);
	EXPECT_FAIL(cfg_new(TUSK_SSL_VERIFY_CA, P("fifo.crt"), NULL, NULL), NULL, P("fifo.crt"),
	            "is not a regular file");

	/* A CA file whose only certificate has expired. */
	struct tt_cert_opts o = {
	    .cn = "Old CA", .self_signed = true, .not_before_days = -400, .not_after_days = -30};
	tt_certs_make(&c, "oldca", &o);
	EXPECT_FAIL(cfg_new(TUSK_SSL_VERIFY_FULL, P("oldca.crt"), NULL, NULL), NULL,
	            "SSL root certificate", P("oldca.crt"), "expired on 20", " UTC");
}
END_TEST

START_TEST(verify_modes_need_a_root_certificate)
{
	char def[400];
	snprintf(def, sizeof(def), "%s/.postgresql/root.crt", home);
	EXPECT_FAIL(cfg_new(TUSK_SSL_VERIFY_FULL, NULL, NULL, NULL), NULL,
	            "sslmode verify-full needs a root certificate", def, "does not exist");
	EXPECT_FAIL(cfg_new(TUSK_SSL_VERIFY_CA, NULL, NULL, NULL), NULL, "verify-ca");

	/* libpq's default file counts, and is checked like a given one. */
	char dir[400];
	snprintf(dir, sizeof(dir), "%s/.postgresql", home);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	tt_certs_write(&c, "home/.postgresql/root.crt", "garbage", 0644);
	EXPECT_FAIL(cfg_new(TUSK_SSL_VERIFY_FULL, NULL, NULL, NULL), NULL, def,
	            "is not a PEM file");
	/* libpq uses that file in require and prefer too, when it exists. */
	EXPECT_FAIL(cfg_new(TUSK_SSL_REQUIRE, NULL, NULL, NULL), NULL, def, "is not a PEM file");
	EXPECT_FAIL(cfg_new(TUSK_SSL_PREFER, NULL, NULL, NULL), NULL, def, "is not a PEM file");
	ck_assert_int_eq(rename(c.ca_crt, def), 0);
	expect_ok(cfg_new(TUSK_SSL_VERIFY_FULL, NULL, NULL, NULL), NULL);

	/* PGSSLROOTCERT in the environment wins over the home file. */
	setenv("PGSSLROOTCERT", P("elsewhere.crt"), 1);
	EXPECT_FAIL(cfg_new(TUSK_SSL_VERIFY_FULL, NULL, NULL, NULL), NULL, P("elsewhere.crt"));
	ck_assert_int_eq(rename(def, P("elsewhere.crt")), 0);
	expect_ok(cfg_new(TUSK_SSL_VERIFY_FULL, NULL, NULL, NULL), NULL);
}
END_TEST

START_TEST(client_certificate_problems)
{
	EXPECT_FAIL(cfg_new(TUSK_SSL_REQUIRE, NULL, P("gone.crt"), P("alice.key")), NULL,
	            "SSL client certificate", P("gone.crt"), "does not exist");

	tt_certs_write(&c, "der.crt", "0\x82\x01\x0a binary", 0644);
	EXPECT_FAIL(cfg_new(TUSK_SSL_REQUIRE, NULL, P("der.crt"), P("alice.key")), NULL,
	            "SSL client certificate", P("der.crt"), "is not a PEM file");

	EXPECT_FAIL(cfg_new(TUSK_SSL_REQUIRE, NULL, P("alice.key"), P("alice.key")), NULL,
	            "SSL client certificate", "contains no certificate");

	/* No key given and none where libpq would look. */
	char want[600];
	snprintf(want, sizeof(want),
	         "SSL client certificate %s is set but no client key is: set ssl_client_key",
	         P("alice.crt"));
	EXPECT_FAIL_EXACT(cfg_new(TUSK_SSL_REQUIRE, NULL, P("alice.crt"), NULL), NULL, want);
	/* …but libpq's default key is used when it is there. */
	setenv("PGSSLKEY", P("alice.key"), 1);
	expect_ok(cfg_new(TUSK_SSL_REQUIRE, NULL, P("alice.crt"), NULL), NULL);
}
END_TEST

START_TEST(expired_and_future_client_certificates)
{
	struct tt_cert_opts o = {
	    .cn = "alice", .client = true, .not_before_days = -100, .not_after_days = -2};
	tt_certs_make(&c, "old", &o);
	/* The date in the message is the certificate's own notAfter. */
	time_t t = time(NULL) - 2 * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	char day[16];
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	EXPECT_FAIL(cfg_new(TUSK_SSL_VERIFY_FULL, c.ca_crt, P("old.crt"), P("old.key")), NULL,
	            "SSL client certificate", P("old.crt"), "expired on ", day, " UTC");

	struct tt_cert_opts f = {
	    .cn = "alice", .client = true, .not_before_days = 3, .not_after_days = 30};
	tt_certs_make(&c, "future", &f);
	EXPECT_FAIL(cfg_new(TUSK_SSL_VERIFY_FULL, c.ca_crt, P("future.crt"), P("future.key")), NULL,
	            P("future.crt"), "is not valid before 20");
}
END_TEST

START_TEST(client_key_problems)
{
	EXPECT_FAIL(cfg_new(TUSK_SSL_REQUIRE, NULL, P("alice.crt"), P("gone.key")), NULL,
	            "SSL client key", P("gone.key"), "does not exist");

	tt_certs_write(&c, "text.key", "password123\n", 0600);
	EXPECT_FAIL(cfg_new(TUSK_SSL_REQUIRE, NULL, P("alice.crt"), P("text.key")), NULL,
	            "SSL client key", P("text.key"), "is not a PEM file");

	/* A certificate given as the key (an easy slip in a form). */
	char cmd[900];
	snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 600 %s", P("alice.crt"), P("cert-as.key"),
	         P("cert-as.key"));
	ck_assert_int_eq(system(cmd), 0);
	EXPECT_FAIL(cfg_new(TUSK_SSL_REQUIRE, NULL, P("alice.crt"), P("cert-as.key")), NULL,
	            P("cert-as.key"), "is not a private key");

	/* PEM private-key armour around garbage. */
	tt_certs_write(&c, "bad.key",
	               "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 0600);
	EXPECT_FAIL(cfg_new(TUSK_SSL_REQUIRE, NULL, P("alice.crt"), P("bad.key")), NULL,
	            P("bad.key"), "is not a valid private key");
}
END_TEST

START_TEST(key_that_does_not_match)
{
	tt_certs_client(&c, "bob", "bob");
	char want[600];
	snprintf(want, sizeof(want), "SSL client key %s does not match certificate %s",
	         P("bob.key"), P("alice.crt"));
	EXPECT_FAIL_EXACT(cfg_new(TUSK_SSL_VERIFY_FULL, c.ca_crt, P("alice.crt"), P("bob.key")),
	                  NULL, want);
	/* A key of another type altogether. */
	struct tt_cert_opts o = {.cn = "carol", .client = true, .rsa = true};
	tt_certs_make(&c, "carol", &o);
	EXPECT_FAIL(cfg_new(TUSK_SSL_REQUIRE, NULL, P("alice.crt"), P("carol.key")), NULL,
	            "does not match certificate");
}
END_TEST

static void key_mode(uid_t uid, mode_t mode)
{
	ck_assert_int_eq(chown(P("alice.key"), uid, (gid_t)-1), 0);
	ck_assert_int_eq(chmod(P("alice.key"), mode), 0);
}

/* libpq 15's rule exactly: root-owned ≤ 0640, anyone else ≤ 0600. */
START_TEST(key_permissions_as_libpq_enforces_them)
{
	ck_assert_msg(geteuid() == 0, "this suite runs as root (scripts/test does); as another "
	                              "user it cannot make files owned by root and by others");
	struct passwd *nobody = getpwnam("nobody");
	ck_assert_ptr_nonnull(nobody);
	char key[400];
	snprintf(key, sizeof(key), "%s", P("alice.key"));
	struct {
		uid_t uid;
		mode_t mode;
		bool ok;
	} cases[] = {
	    {0, 0600, true},
	    {0, 0400, true},
	    {0, 0640, true},
	    {0, 0644, false},
	    {0, 0660, false},
	    {0, 0650, false},
	    {0, 0604, false},
	    {nobody->pw_uid, 0600, true},
	    {nobody->pw_uid, 0400, true},
	    {nobody->pw_uid, 0640, false},
	    {nobody->pw_uid, 0604, false},
	    {nobody->pw_uid, 0610, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		key_mode(cases[i].uid, cases[i].mode);
		TuskConnectionConfig *cfg =
		    cfg_new(TUSK_SSL_VERIFY_FULL, c.ca_crt, P("alice.crt"), key);
		if (cases[i].ok) {
			expect_ok(cfg, NULL);
			continue;
		}
		char mode_text[32];
		snprintf(mode_text, sizeof(mode_text), "(mode %04o)", (unsigned)cases[i].mode);
		EXPECT_FAIL(cfg, NULL, "SSL client key", key, "has group or world access",
		            mode_text, "0600 or less when owned by you",
		            "0640 or less when owned by root");
	}
	/* The hint says how to fix it. */
	key_mode(0, 0644);
	TuskConnectionConfig *cfg = cfg_new(TUSK_SSL_REQUIRE, NULL, P("alice.crt"), key);
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(tls_check_files(cfg, NULL, &e), -1);
	ck_assert_ptr_nonnull(e.hint);
	ck_assert_ptr_nonnull(strstr(e.hint, "chmod 600"));
	tusk_error_clear(&e);
	tusk_connection_config_free(cfg);
}
END_TEST

static void encrypted_cases(bool traditional)
{
	struct tt_cert_opts o = {.cn = "erin",
	                         .client = true,
	                         .passphrase = "s3cret-Pass",
	                         .traditional_format = traditional};
	tt_certs_make(&c, "erin", &o);
	char crt[400], key[400];
	snprintf(crt, sizeof(crt), "%s", P("erin.crt"));
	snprintf(key, sizeof(key), "%s", P("erin.key"));
	expect_ok(cfg_new(TUSK_SSL_VERIFY_FULL, c.ca_crt, crt, key), "s3cret-Pass");
	EXPECT_FAIL(cfg_new(TUSK_SSL_VERIFY_FULL, c.ca_crt, crt, key), NULL, "SSL client key", key,
	            "is encrypted and no passphrase is stored for it");
	EXPECT_FAIL(cfg_new(TUSK_SSL_VERIFY_FULL, c.ca_crt, crt, key), "", "is encrypted");
	EXPECT_FAIL(cfg_new(TUSK_SSL_VERIFY_FULL, c.ca_crt, crt, key), "not-the-one",
	            "SSL client key", key, "cannot be decrypted: wrong passphrase");
	/* A passphrase given for a plain key does no harm. */
	expect_ok(cfg_new(TUSK_SSL_VERIFY_FULL, c.ca_crt, P("alice.crt"), P("alice.key")),
	          "s3cret-Pass");
}

START_TEST(encrypted_key_pkcs8)
{
	encrypted_cases(false);
}
END_TEST

START_TEST(encrypted_key_traditional)
{
	encrypted_cases(true);
	/* The file really is the old format, so both code paths ran. */
	FILE *f = fopen(P("erin.key"), "r");
	ck_assert_ptr_nonnull(f);
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "Proc-Type: 4,ENCRYPTED"));
}
END_TEST

/* A file we may not read. As root permissions never stop us, so the check
 * runs in a child that has become "nobody"; as another user a mode of 000
 * does it directly. */
START_TEST(unreadable_file)
{
	ck_assert_int_eq(chmod(P("alice.crt"), 0600), 0);
	char want[600];
	snprintf(want, sizeof(want), "SSL client certificate %s cannot be read: Permission denied",
	         P("alice.crt"));
	if (geteuid() != 0) {
		ck_assert_int_eq(chmod(P("alice.crt"), 0), 0);
		EXPECT_FAIL_EXACT(cfg_new(TUSK_SSL_REQUIRE, NULL, P("alice.crt"), P("alice.key")),
		                  NULL, want);
		return;
	}
	struct passwd *nobody = getpwnam("nobody");
	ck_assert_ptr_nonnull(nobody);
	int pipefd[2];
	ck_assert_int_eq(pipe(pipefd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(pipefd[0]);
		if (setgid(nobody->pw_gid) < 0 || setuid(nobody->pw_uid) < 0)
			_exit(3);
		TuskConnectionConfig *cfg =
		    cfg_new(TUSK_SSL_REQUIRE, NULL, P("alice.crt"), P("alice.key"));
		TuskError e = TUSK_ERROR_INIT;
		int r = tls_check_files(cfg, NULL, &e);
		const char *msg = tusk_error_message(&e);
		if (write(pipefd[1], msg, strlen(msg)) < 0)
			_exit(4);
		_exit(r == -1 && e.kind == TUSK_ERR_SSL ? 0 : 2);
	}
	close(pipefd[1]);
	char got[700] = {0};
	ssize_t n = read(pipefd[0], got, sizeof(got) - 1);
	close(pipefd[0]);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed (status %d): %s",
	              status, n > 0 ? got : "");
	ck_assert_str_eq(got, want);
}
END_TEST

/* The keyword form a transient conninfo uses. */
START_TEST(check_from_libpq_keywords)
{
	TuskError e = TUSK_ERROR_INIT;
	char crt[400], key[400], other[400];
	snprintf(crt, sizeof(crt), "%s", P("alice.crt"));
	snprintf(key, sizeof(key), "%s", P("alice.key"));
	tt_certs_client(&c, "bob", "bob");
	snprintf(other, sizeof(other), "%s", P("bob.key"));

	ck_assert_int_eq(tls_check_params("verify-full", c.ca_crt, crt, key, NULL, &e), 0);
	ck_assert_int_eq(tls_check_params(NULL, NULL, NULL, NULL, NULL, &e), 0);
	ck_assert_int_eq(tls_check_params("disable", "/nonexistent", crt, other, NULL, &e), 0);
	/* libpq ignores a key without a certificate: so do we. */
	ck_assert_int_eq(tls_check_params("require", NULL, NULL, "/nonexistent", NULL, &e), 0);
	ck_assert_int_eq(e.kind, TUSK_ERR_NONE);

	ck_assert_int_eq(tls_check_params("verify-ca", "", NULL, NULL, NULL, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.message, "sslmode verify-ca needs a root certificate"));
	tusk_error_clear(&e);
	/* allow and prefer read the files once TLS is on, so they are checked. */
	ck_assert_int_eq(tls_check_params("allow", NULL, crt, other, NULL, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.message, "does not match certificate"));
	tusk_error_clear(&e);
	ck_assert_int_eq(tls_check_params(NULL, "/nonexistent/ca.crt", NULL, NULL, NULL, &e), -1);
	ck_assert_str_eq(e.message, "SSL root certificate /nonexistent/ca.crt does not exist");
	tusk_error_clear(&e);
}
END_TEST

START_TEST(libpq_keywords)
{
	TuskConnectionConfig *cfg =
	    cfg_new(TUSK_SSL_VERIFY_FULL, c.ca_crt, P("alice.crt"), P("alice.key"));
	const char *k[TLS_LIBPQ_PARAMS_MAX], *v[TLS_LIBPQ_PARAMS_MAX];
	ck_assert_uint_eq(tls_libpq_params(cfg, k, v), 4);
	ck_assert_str_eq(k[0], "sslmode");
	ck_assert_str_eq(v[0], "verify-full");
	ck_assert_str_eq(k[1], "sslrootcert");
	ck_assert_str_eq(v[1], c.ca_crt);
	ck_assert_str_eq(k[2], "sslcert");
	ck_assert_str_eq(k[3], "sslkey");
	tusk_connection_config_free(cfg);

	cfg = cfg_new(TUSK_SSL_DISABLE, NULL, NULL, NULL);
	ck_assert_uint_eq(tls_libpq_params(cfg, k, v), 1);
	ck_assert_str_eq(v[0], "disable");
	tusk_connection_config_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tls-check");
	TCase *tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, complete_set_passes);
	tcase_add_test(tc, disable_reads_nothing);
	tcase_add_test(tc, no_config_is_an_error_not_a_crash);
	tcase_add_test(tc, root_certificate_problems);
	tcase_add_test(tc, verify_modes_need_a_root_certificate);
	tcase_add_test(tc, client_certificate_problems);
	tcase_add_test(tc, expired_and_future_client_certificates);
	tcase_add_test(tc, client_key_problems);
	tcase_add_test(tc, key_that_does_not_match);
	tcase_add_test(tc, key_permissions_as_libpq_enforces_them);
	tcase_add_test(tc, encrypted_key_pkcs8);
	tcase_add_test(tc, encrypted_key_traditional);
	tcase_add_test(tc, unreadable_file);
	tcase_add_test(tc, check_from_libpq_keywords);
	tcase_add_test(tc, libpq_keywords);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
