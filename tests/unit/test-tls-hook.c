/* The client-key passphrase hook and tls_describe without a server: the
 * hook libpq calls gives each PGconn its own passphrase, falls back to
 * libpq's default (the sslpassword keyword) and forgets on request. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/db/tls.h"
#include "tests/lib/tt-check.h"

/* A real PGconn that never reaches a server: a Unix socket dir that does
 * not exist fails at once, but the object keeps its options. */
static PGconn *offline_conn(const char *sslpassword)
{
	const char *k[] = {"host", "dbname", "sslpassword", NULL};
	const char *v[] = {"/nonexistent-tusk-socket-dir", "x", sslpassword, NULL};
	PGconn *conn = PQconnectStartParams(k, v, 0);
	ck_assert_ptr_nonnull(conn);
	return conn;
}

static char *ask(PGconn *conn)
{
	PQsslKeyPassHook_OpenSSL_type hook = PQgetSSLKeyPassHook_OpenSSL();
	ck_assert_ptr_nonnull(hook);
	char buf[256];
	memset(buf, 'x', sizeof(buf));
	int n = hook(buf, sizeof(buf), conn);
	ck_assert_int_ge(n, 0);
	ck_assert_int_eq((int)strlen(buf), n);
	return strdup(buf);
}

START_TEST(init_installs_the_hook_once)
{
	ck_assert_ptr_null(PQgetSSLKeyPassHook_OpenSSL());
	tls_init();
	PQsslKeyPassHook_OpenSSL_type first = PQgetSSLKeyPassHook_OpenSSL();
	ck_assert_ptr_nonnull(first);
	tls_init();
	ck_assert_ptr_eq(PQgetSSLKeyPassHook_OpenSSL(), first);
}
END_TEST

START_TEST(passphrase_per_connection_with_fallback)
{
	tls_init();
	PGconn *a = offline_conn("from-keyword");
	PGconn *b = offline_conn(NULL);
	char *s;

	/* Nothing registered: libpq's default gives sslpassword, or "". */
	ck_assert_str_eq(s = ask(a), "from-keyword");
	free(s);
	ck_assert_str_eq(s = ask(b), "");
	free(s);

	tls_set_key_passphrase(a, "pass-a");
	tls_set_key_passphrase(b, "pass-b");
	ck_assert_str_eq(s = ask(a), "pass-a");
	free(s);
	ck_assert_str_eq(s = ask(b), "pass-b");
	free(s);

	/* Replacing and forgetting. */
	tls_set_key_passphrase(a, "pass-a2");
	ck_assert_str_eq(s = ask(a), "pass-a2");
	free(s);
	tls_set_key_passphrase(a, NULL);
	ck_assert_str_eq(s = ask(a), "from-keyword");
	free(s);
	ck_assert_str_eq(s = ask(b), "pass-b");
	free(s);
	tls_set_key_passphrase(b, NULL);
	ck_assert_str_eq(s = ask(b), "");
	free(s);
	/* Forgetting twice is harmless. */
	tls_set_key_passphrase(b, NULL);
	PQfinish(a);
	PQfinish(b);
}
END_TEST

/* A passphrase longer than OpenSSL's buffer is not cut short (which could
 * only fail as a "wrong passphrase"): the hook gives nothing. */
START_TEST(overlong_passphrase_is_not_truncated)
{
	PGconn *a = offline_conn(NULL);
	tls_set_key_passphrase(a, "0123456789");
	PQsslKeyPassHook_OpenSSL_type hook = PQgetSSLKeyPassHook_OpenSSL();
	char buf[8] = "zzzzzzz";
	ck_assert_int_eq(hook(buf, sizeof(buf), a), 0);
	ck_assert_str_eq(buf, "");
	char big[11];
	ck_assert_int_eq(hook(big, sizeof(big), a), 10);
	ck_assert_str_eq(big, "0123456789");
	tls_set_key_passphrase(a, NULL);
	PQfinish(a);
}
END_TEST

/* Many connections registering and forgetting from several threads while
 * the hook reads: each always sees its own passphrase. */
#define THREADS  4
#define PER_CONN 200

static void *churn(void *arg)
{
	long id = (long)arg;
	PGconn *conn = offline_conn(NULL);
	PQsslKeyPassHook_OpenSSL_type hook = PQgetSSLKeyPassHook_OpenSSL();
	long bad = 0;
	for (int i = 0; i < PER_CONN; i++) {
		char want[64], buf[64];
		snprintf(want, sizeof(want), "thread-%ld-round-%d", id, i);
		tls_set_key_passphrase(conn, want);
		if (hook(buf, sizeof(buf), conn) != (int)strlen(want) || strcmp(buf, want) != 0)
			bad++;
		if (i % 3 == 0)
			tls_set_key_passphrase(conn, NULL);
	}
	tls_set_key_passphrase(conn, NULL);
	PQfinish(conn);
	return (void *)bad;
}

START_TEST(concurrent_registrations)
{
	tls_init();
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, (void *)i), 0);
	for (int i = 0; i < THREADS; i++) {
		void *bad;
		ck_assert_int_eq(pthread_join(t[i], &bad), 0);
		ck_assert_int_eq((long)bad, 0);
	}
}
END_TEST

START_TEST(describe_without_tls)
{
	json_t *d = tls_describe(NULL);
	ck_assert_ptr_nonnull(d);
	char *s = json_dumps(d, JSON_COMPACT);
	ck_assert_str_eq(s, "{\"in_use\":false}");
	free(s);
	json_decref(d);

	PGconn *a = offline_conn(NULL);
	d = tls_describe(a);
	ck_assert(json_is_false(json_object_get(d, "in_use")));
	ck_assert_int_eq(json_object_size(d), 1);
	json_decref(d);
	PQfinish(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tls-hook");
	TCase *tc = tcase_create("hook");
	tcase_add_test(tc, init_installs_the_hook_once);
	tcase_add_test(tc, passphrase_per_connection_with_fallback);
	tcase_add_test(tc, overlong_passphrase_is_not_truncated);
	tcase_add_test(tc, concurrent_registrations);
	tcase_add_test(tc, describe_without_tls);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
