#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/lib/tt-pg.h"

#define PG_BINDIR_DEFAULT "/usr/lib/postgresql/15/bin"

static const char *bindir(void)
{
	const char *d = getenv("TUSK_TEST_PG_BINDIR");
	return d && *d ? d : PG_BINDIR_DEFAULT;
}

int tt_run_as_pg(const char *fmt, ...)
{
	char *cmd = NULL, *full = NULL;
	va_list ap;
	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	if (geteuid() == 0)
		ck_assert_int_ge(asprintf(&full, "runuser -u postgres -- sh -c '%s'", cmd), 0);
	else
		full = strdup(cmd);
	int r = system(full);
	free(cmd);
	free(full);
	return r;
}

int tt_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t len = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	close(fd);
	return ntohs(sa.sin_port);
}

void tt_pg_shared(struct tt_pg *pg)
{
	const char *host = getenv("TUSK_TEST_PGHOST");
	const char *port = getenv("TUSK_TEST_PGPORT");
	const char *sock = getenv("TUSK_TEST_PGSOCKDIR");
	ck_assert_msg(host && port && sock,
	              "no test PostgreSQL: run this suite through scripts/test, which starts one "
	              "and sets TUSK_TEST_PGHOST, TUSK_TEST_PGPORT and TUSK_TEST_PGSOCKDIR");
	memset(pg, 0, sizeof(*pg));
	snprintf(pg->host, sizeof(pg->host), "%s", host);
	snprintf(pg->sockdir, sizeof(pg->sockdir), "%s", sock);
	pg->port = atoi(port);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

void tt_pg_start_again(struct tt_pg *pg)
{
	int r = tt_run_as_pg("%s/pg_ctl -D %s/data -l %s/server.log -w -t 60 -o \"-p %d -k %s "
	                     "-c listen_addresses=127.0.0.1\" start >/dev/null",
	                     bindir(), pg->dir, pg->dir, pg->port, pg->sockdir);
	if (r != 0) {
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "cat %s/server.log >&2", pg->dir);
		(void)!system(cmd);
	}
	ck_assert_msg(r == 0, "PostgreSQL did not start in %s", pg->dir);
}

void tt_pg_start(struct tt_pg *pg, const char *conf, const char *hba)
{
	memset(pg, 0, sizeof(*pg));
	snprintf(pg->dir, sizeof(pg->dir), "/tmp/tusk-pg-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(pg->dir));
	snprintf(pg->sockdir, sizeof(pg->sockdir), "%s/sock", pg->dir);
	snprintf(pg->host, sizeof(pg->host), "127.0.0.1");
	pg->port = tt_free_port();
	pg->own = true;
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && chmod 755 %s%s%s", pg->sockdir, pg->dir,
	         geteuid() == 0 ? " && chown -R postgres: " : "", geteuid() == 0 ? pg->dir : "");
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_msg(tt_run_as_pg("%s/initdb -D %s/data -A trust -U postgres -E UTF8 "
	                           "--locale=C.UTF-8 >%s/initdb.log 2>&1",
	                           bindir(), pg->dir, pg->dir) == 0,
	              "initdb failed; see %s/initdb.log", pg->dir);
	char path[400];
	if (conf) {
		snprintf(path, sizeof(path), "%s/data/postgresql.conf", pg->dir);
		FILE *f = fopen(path, "a");
		ck_assert_ptr_nonnull(f);
		fprintf(f, "\n%s\n", conf);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/data/pg_hba.conf", pg->dir);
	write_file(path, hba ? hba : "local all all trust\nhost all all 127.0.0.1/32 trust\n");
	tt_pg_start_again(pg);
}

void tt_pg_stop_only(struct tt_pg *pg)
{
	tt_run_as_pg("%s/pg_ctl -D %s/data -m immediate -w stop >/dev/null 2>&1", bindir(),
	             pg->dir);
}

void tt_pg_restart(struct tt_pg *pg)
{
	tt_pg_stop_only(pg);
	tt_pg_start_again(pg);
}

void tt_pg_stop(struct tt_pg *pg)
{
	if (!pg->own)
		return;
	tt_pg_stop_only(pg);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pg->dir);
	(void)!system(cmd);
	pg->own = false;
}

PGconn *tt_pg_connect(const struct tt_pg *pg, const char *dbname)
{
	char port[16];
	snprintf(port, sizeof(port), "%d", pg->port);
	const char *k[] = {"host", "port", "dbname", "user", NULL};
	const char *v[] = {pg->sockdir, port, dbname ? dbname : "postgres", "postgres", NULL};
	PGconn *c = PQconnectdbParams(k, v, 0);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "cannot connect to the test server: %s",
	              PQerrorMessage(c));
	return c;
}

void tt_pg_exec(const struct tt_pg *pg, const char *dbname, const char *sql)
{
	PGconn *c = tt_pg_connect(pg, dbname);
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
	              PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

void tt_pg_create_db(const struct tt_pg *pg, const char *prefix, char *db, size_t n)
{
	char sql[256];
	snprintf(db, n, "%s_%d", prefix, (int)getpid());
	snprintf(sql, sizeof(sql), "create database %s template template0", db);
	tt_pg_exec(pg, NULL, sql);
}

void tt_pg_drop_db(const struct tt_pg *pg, const char *db)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "drop database if exists %s with (force)", db);
	tt_pg_exec(pg, NULL, sql);
}
