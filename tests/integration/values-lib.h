/* Helpers shared by the value-fidelity suites: the corpus of SQL files in
 * tests/integration/fidelity, run statement by statement on a real
 * PostgreSQL the way psql -f runs them. */
#pragma once

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "tests/lib/tt-pg.h"

/* The corpus files (full paths), sorted; NULL-terminated, free with
 * values_corpus_free. Fails the test when there are none. */
char **values_corpus(void);
void values_corpus_free(char **files);
/* The whole file (NUL-terminated); *len without the NUL. */
char *values_read_file(const char *path, size_t *len);

/* The statements of a script as the server's parser splits them, each a
 * new NUL-terminated string; NULL-terminated array. */
char **values_split(const char *sql);
void values_strv_free(char **v);

/* A fresh session on the shared server with the environment psql gets in
 * these tests (client encoding UTF8, no PGTZ/PGDATESTYLE/PGOPTIONS). */
PGconn *values_connect(const struct tt_pg *pg);
/* Make this process's libpq environment the one above; call first. */
void values_clean_env(void);
