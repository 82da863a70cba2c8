/* tuskctl conn / group / open / close end to end against a real tuskd:
 * what a person types, what they read back, and the exit codes (0 ok,
 * 1 the daemon refused, 2 usage). The live-connection commands run against
 * a real PostgreSQL started here. */
#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

static struct tt_daemon d;
static int fd = -1;
static int next_id = 1;

struct run {
	int status;
	char *out;
	char *err;
};

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void setup(void)
{
	static const char *const env[] = {"DBUS_SESSION_BUS_ADDRESS=", "DISPLAY=", NULL};
	fd = tt_daemon_open(&d, env);
}

static void teardown(void)
{
	tt_daemon_close(&d, fd);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* Run tuskctl with args (NULL-terminated) on this test's daemon; input
 * (may be NULL) is its stdin; env: "NAME=value" entries or NULL. */
static struct run tuskctl(const char *input, const char *const *env, ...)
{
	const char *bin = getenv("TUSKCTL");
	ck_assert_msg(bin && *bin, "TUSKCTL must name the tuskctl binary (ctest sets it)");
	char out[400], err[400], in[400];
	snprintf(out, sizeof(out), "%s/ctl.out", d.dir);
	snprintf(err, sizeof(err), "%s/ctl.err", d.dir);
	snprintf(in, sizeof(in), "%s/ctl.in", d.dir);
	FILE *f = fopen(in, "w");
	ck_assert_ptr_nonnull(f);
	fputs(input ? input : "", f);
	fclose(f);

	const char *argv[32] = {"tuskctl", "-S", d.socket, "--no-autostart"};
	size_t argc = 4;
	va_list ap;
	va_start(ap, env);
	for (const char *a; (a = va_arg(ap, const char *)) && argc < 31;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;

	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int i = open(in, O_RDONLY), o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600),
		    e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(i, 0);
		dup2(o, 1);
		dup2(e, 2);
		for (const char *const *v = env; v && *v; v++)
			putenv((char *)*v);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "tuskctl died (status %d)", status);
	return (struct run){.status = WEXITSTATUS(status), .out = slurp(out), .err = slurp(err)};
}

#define expect_run(r, code, stream, text)                                                       \
	do {                                                                                    \
		ck_assert_msg((r).status == (code), "exit %d, want %d\nstdout: %s\nstderr: %s", \
		              (r).status, (code), (r).out, (r).err);                            \
		ck_assert_msg(strstr((r).stream, text), #stream " lacks \"%s\":\n%s", text,     \
		              (r).stream);                                                      \
	} while (0)

START_TEST(groups_and_connections)
{
	struct run r = tuskctl(NULL, NULL, "group", "add", "Work", "--color", "#3584e4", NULL);
	expect_run(r, 0, out, "added group 'Work'");
	run_free(&r);
	r = tuskctl(NULL, NULL, "group", "add", "Clients", "--parent", "Work", "--sort", "2", NULL);
	expect_run(r, 0, out, "added group 'Clients'");
	run_free(&r);
	r = tuskctl(NULL, NULL, "group", "add", "Orphan", "--parent", "Nowhere", NULL);
	expect_run(r, 1, err, "no group named 'Nowhere'");
	run_free(&r);
	r = tuskctl(NULL, NULL, "group", "add", "Bad", "--color", "red", NULL);
	expect_run(r, 1, err, "color: ");
	run_free(&r);

	r = tuskctl(NULL, NULL, "conn", "add", "prod",
	            "postgresql://alice@db.example.com:6543/sales?sslmode=verify-full", "--group",
	            "Clients", "--color", "#ff7800", "--readonly", NULL);
	expect_run(r, 0, out, "saved 'prod': alice@db.example.com:6543/sales (ro,ssl)");
	run_free(&r);
	r = tuskctl(NULL, NULL, "conn", "add", "prod", "host=other dbname=x", NULL);
	expect_run(r, 1, err, "name: a connection named 'prod' already exists");
	run_free(&r);
	r = tuskctl(NULL, NULL, "conn", "add", "local", "host=/tmp dbname=postgres keepalives=1",
	            NULL);
	expect_run(r, 0, err, "ignored (not kept by Tusk): keepalives");
	run_free(&r);

	r = tuskctl(NULL, NULL, "conn", "list", NULL);
	expect_run(r, 0, out, "Work/Clients");
	ck_assert_ptr_nonnull(strstr(r.out, "alice@db.example.com:6543/sales"));
	ck_assert_ptr_nonnull(strstr(r.out, "#ff7800"));
	ck_assert_ptr_nonnull(strstr(r.out, "local "));
	/* Connections in no group come first. */
	ck_assert_msg(strstr(r.out, "local ") < strstr(r.out, "prod "), "order:\n%s", r.out);
	run_free(&r);

	r = tuskctl(NULL, NULL, "group", "list", NULL);
	expect_run(r, 0, out, "Work ");
	ck_assert_ptr_nonnull(strstr(r.out, "\n  Clients "));
	ck_assert_ptr_nonnull(strstr(r.out, "1 connection\n"));
	run_free(&r);

	r = tuskctl(NULL, NULL, "conn", "show", "prod", NULL);
	expect_run(r, 0, out, "port:               6543");
	ck_assert_ptr_nonnull(strstr(r.out, "read-only:          yes"));
	ck_assert_ptr_nonnull(strstr(r.out, "group:              Work/Clients"));
	run_free(&r);

	r = tuskctl(NULL, NULL, "conn", "edit", "prod", "--port", "7000", "--no-readonly", "--db",
	            "reports", "--statement-timeout", "1500", "--group", "none", NULL);
	expect_run(r, 0, out, "updated 'prod'");
	run_free(&r);
	r = tuskctl(NULL, NULL, "conn", "show", "prod", "--json", NULL);
	ck_assert_int_eq(r.status, 0);
	json_t *c = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "port")), 7000);
	ck_assert_str_eq(json_string_value(json_object_get(c, "database")), "reports");
	ck_assert(json_is_null(json_object_get(c, "group_id")));
	json_t *o = json_object_get(c, "options");
	ck_assert(json_is_false(json_object_get(o, "readonly")));
	ck_assert_int_eq(json_integer_value(json_object_get(o, "statement_timeout_ms")), 1500);
	json_decref(c);
	run_free(&r);

	r = tuskctl(NULL, NULL, "conn", "edit", "prod", "--port", "abc", NULL);
	expect_run(r, 2, err, "--port takes a whole number");
	run_free(&r);
	r = tuskctl(NULL, NULL, "conn", "edit", "prod", "--sslmode", "sometimes", NULL);
	expect_run(r, 1, err, "ssl_mode");
	run_free(&r);
	r = tuskctl(NULL, NULL, "conn", "edit", "nosuch", "--port", "1", NULL);
	expect_run(r, 1, err, "no saved connection 'nosuch'");
	run_free(&r);
	r = tuskctl(NULL, NULL, "conn", "edit", "prod", NULL);
	expect_run(r, 2, err, "usage: tuskctl conn edit");
	run_free(&r);
	r = tuskctl(NULL, NULL, "conn", "frobnicate", NULL);
	expect_run(r, 2, err, "usage: tuskctl conn");
	run_free(&r);

	r = tuskctl(NULL, NULL, "conn", "rm", "prod", NULL);
	expect_run(r, 0, out, "deleted 'prod'");
	run_free(&r);
	r = tuskctl(NULL, NULL, "conn", "rm", "prod", NULL);
	expect_run(r, 1, err, "no saved connection 'prod'");
	run_free(&r);

	r = tuskctl(NULL, NULL, "group", "rm", "Work", NULL);
	expect_run(r, 0, out, "deleted group 'Work' and 1 group below it");
	run_free(&r);
	r = tuskctl(NULL, NULL, "group", "rm", "Work", NULL);
	expect_run(r, 1, err, "no group named 'Work'");
	run_free(&r);
}
END_TEST

static bool has_password(const char *id)
{
	json_t *reply = tt_call(fd, next_id++, "credentials.has",
	                        json_pack("{s:s, s:s}", "connection_id", id, "kind", "password"));
	bool has = json_is_true(json_object_get(json_object_get(reply, "result"), "present"));
	json_decref(reply);
	return has;
}

static char *connection_id(const char *name)
{
	json_t *reply = tt_call(fd, next_id++, "connections.get", json_pack("{s:s}", "id", name));
	const char *id = json_string_value(json_object_get(json_object_get(reply, "result"), "id"));
	ck_assert_ptr_nonnull(id);
	char *copy = strdup(id);
	json_decref(reply);
	return copy;
}

START_TEST(passwords_and_services)
{
	struct run r = tuskctl("Stdin-Pw-4411\n", NULL, "conn", "add", "withpw",
	                       "host=h.example dbname=d user=u", "--password-stdin", NULL);
	expect_run(r, 0, out, "password:  from stdin, kept in daemon memory");
	run_free(&r);
	char *id = connection_id("withpw");
	ck_assert(has_password(id));
	free(id);

	r = tuskctl(NULL, NULL, "conn", "add", "uripw", "postgresql://u:Uri-Pw-5522@h.example/d",
	            NULL);
	expect_run(r, 0, err, "warning: a password on the command line");
	ck_assert_ptr_nonnull(strstr(r.out, "password:  found, kept in daemon memory"));
	ck_assert_ptr_null(strstr(r.out, "Uri-Pw-5522"));
	run_free(&r);
	id = connection_id("uripw");
	ck_assert(has_password(id));
	r = tuskctl(NULL, NULL, "conn", "rm", "uripw", NULL);
	expect_run(r, 0, out, "deleted 'uripw' and its stored secrets");
	run_free(&r);
	ck_assert(!has_password(id));
	free(id);

	r = tuskctl("", NULL, "conn", "add", "nopw", "host=h dbname=d", "--password-stdin", NULL);
	expect_run(r, 2, err, "no password on stdin");
	run_free(&r);

	char svc[400], envvar[450];
	snprintf(svc, sizeof(svc), "%s/services.conf", d.dir);
	FILE *f = fopen(svc, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[billing]\nhost=billing.example\nport=5499\ndbname=ledger\nuser=clerk\n", f);
	fclose(f);
	snprintf(envvar, sizeof(envvar), "PGSERVICEFILE=%s", svc);
	const char *const env[] = {envvar, NULL};
	r = tuskctl(NULL, env, "conn", "import", "billing", NULL);
	expect_run(r, 0, out, "saved 'billing': clerk@billing.example:5499/ledger");
	run_free(&r);
	r = tuskctl(NULL, env, "conn", "import", "service=billing", "--name", "billing-ro",
	            "--readonly", "--dry-run", NULL);
	expect_run(r, 0, out, "not saved (--dry-run) 'billing-ro'");
	ck_assert_ptr_nonnull(strstr(r.out, "read-only: yes"));
	run_free(&r);
	r = tuskctl(NULL, env, "conn", "import", "nosuch", NULL);
	expect_run(r, 1, err, "definition of service \"nosuch\" not found");
	run_free(&r);
	/* Without the variable, libpq looks elsewhere and finds nothing. */
	r = tuskctl(NULL, NULL, "conn", "import", "billing", "--name", "x", NULL);
	expect_run(r, 1, err, "\"billing\"");
	run_free(&r);
}
END_TEST

START_TEST(open_test_status_close)
{
	struct tt_pg pg;
	tt_pg_start(&pg, NULL, NULL);
	char conninfo[256], uri[256];
	snprintf(conninfo, sizeof(conninfo), "host=%s port=%d dbname=postgres user=postgres",
	         pg.host, pg.port);
	snprintf(uri, sizeof(uri), "postgresql://postgres@%s:%d/postgres", pg.host, pg.port);

	struct run r = tuskctl(NULL, NULL, "conn", "add", "live", conninfo, NULL);
	expect_run(r, 0, out, "saved 'live'");
	run_free(&r);
	r = tuskctl(NULL, NULL, "conn", "test", "live", NULL);
	expect_run(r, 0, out, "server_version");
	run_free(&r);
	r = tuskctl(NULL, NULL, "conn", "test", uri, NULL);
	expect_run(r, 0, out, "server_version");
	run_free(&r);
	r = tuskctl(NULL, NULL, "open", "live", NULL);
	expect_run(r, 0, out, "connected");
	run_free(&r);
	r = tuskctl(NULL, NULL, "conn", "status", "live", NULL);
	expect_run(r, 0, out, "connected");
	run_free(&r);
	r = tuskctl(NULL, NULL, "close", "live", NULL);
	expect_run(r, 0, out, "closed");
	run_free(&r);
	r = tuskctl(NULL, NULL, "open", "nosuch", NULL);
	ck_assert_int_eq(r.status, 1);
	run_free(&r);
	tt_pg_stop(&pg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("connections-cli");
	TCase *tc = tcase_create("cli");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, groups_and_connections);
	tcase_add_test(tc, passwords_and_services);
	tcase_add_test(tc, open_test_status_close);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
