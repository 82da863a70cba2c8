/* Real PostgreSQL servers for integration tests. The shared one is started
 * by scripts/test for the whole run (TUSK_TEST_PG* variables); a test that
 * needs its own configuration (password auth, TLS, restarts) starts a
 * private one with tt_pg_start. As root the server runs as "postgres". */
#pragma once

#include <libpq-fe.h>
#include <stdbool.h>

struct tt_pg {
	char dir[256];     /* data dir and logs live under it */
	char sockdir[300]; /* Unix socket directory */
	char host[64];     /* 127.0.0.1 */
	int port;
	bool own; /* started by this test */
};

/* The run's shared server; fails the test when scripts/test did not start
 * one (TUSK_TEST_PGHOST / TUSK_TEST_PGPORT unset): never a silent skip. */
void tt_pg_shared(struct tt_pg *pg);

/* initdb + start a private server on a free port listening on 127.0.0.1
 * and a socket dir. conf: extra postgresql.conf lines or NULL. hba: the
 * whole pg_hba.conf, or NULL for "local all all trust" + "host all all
 * 127.0.0.1/32 trust". The superuser is "postgres" (no password); local
 * socket connections stay trust in any hba you pass if it keeps that line. */
void tt_pg_start(struct tt_pg *pg, const char *conf, const char *hba);
void tt_pg_stop(struct tt_pg *pg); /* immediate; removes the dir */
/* Stop with -m immediate (a crash, for recovery tests) and start again on
 * the same port. */
void tt_pg_restart(struct tt_pg *pg);
void tt_pg_stop_only(struct tt_pg *pg);
void tt_pg_start_again(struct tt_pg *pg);

/* A superuser connection over the Unix socket; aborts the test on failure. */
PGconn *tt_pg_connect(const struct tt_pg *pg, const char *dbname);
/* Run SQL as superuser in dbname ("postgres" when NULL); aborts on error. */
void tt_pg_exec(const struct tt_pg *pg, const char *dbname, const char *sql);
/* A throwaway database named "<prefix>_<pid>" (written to db, n bytes),
 * made from template0 (nobody can be connected to it, while another
 * suite's session may hold template1); tt_pg_drop_db drops it even with
 * sessions still connected. */
void tt_pg_create_db(const struct tt_pg *pg, const char *prefix, char *db, size_t n);
void tt_pg_drop_db(const struct tt_pg *pg, const char *db);
/* A free TCP port on 127.0.0.1. */
int tt_free_port(void);
/* Run a shell command as the server's user ("postgres" when root). */
int tt_run_as_pg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
