#include "tests/integration/values-lib.h"

#include <check.h>
#include <dirent.h>
#include <pg_query.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TUSK_FIDELITY_DIR
#error "TUSK_FIDELITY_DIR names tests/integration/fidelity"
#endif

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **values_corpus(void)
{
	DIR *d = opendir(TUSK_FIDELITY_DIR);
	ck_assert_msg(d, "cannot open %s", TUSK_FIDELITY_DIR);
	size_t n = 0;
	char **v = calloc(1, sizeof(*v));
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".sql") != 0)
			continue;
		v = realloc(v, (n + 2) * sizeof(*v));
		ck_assert_int_ge(asprintf(&v[n++], "%s/%s", TUSK_FIDELITY_DIR, e->d_name), 0);
		v[n] = NULL;
	}
	closedir(d);
	ck_assert_msg(n > 0, "no .sql files in %s", TUSK_FIDELITY_DIR);
	qsort(v, n, sizeof(*v), cmp_str);
	return v;
}

void values_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void values_corpus_free(char **files)
{
	values_strv_free(files);
}

char *values_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f, "cannot read %s", path);
	char *buf = NULL;
	size_t cap = 0, n = 0, r;
	do {
		if (n + 65536 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			ck_assert_ptr_nonnull(buf);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char **values_split(const char *sql)
{
	PgQuerySplitResult r = pg_query_split_with_parser(sql);
	ck_assert_msg(!r.error, "the corpus does not parse: %s", r.error ? r.error->message : "");
	char **v = calloc((size_t)r.n_stmts + 1, sizeof(*v));
	for (int i = 0; i < r.n_stmts; i++)
		v[i] = strndup(sql + r.stmts[i]->stmt_location, (size_t)r.stmts[i]->stmt_len);
	pg_query_free_split_result(r);
	return v;
}

void values_clean_env(void)
{
	/* Nothing from the caller's shell may change how the server prints. */
	unsetenv("PGTZ");
	unsetenv("PGDATESTYLE");
	unsetenv("PGOPTIONS");
	unsetenv("PGSERVICE");
	setenv("PGCLIENTENCODING", "UTF8", 1);
}

PGconn *values_connect(const struct tt_pg *pg)
{
	char conninfo[512];
	snprintf(conninfo, sizeof(conninfo), "host=%s port=%d user=postgres dbname=postgres",
	         pg->host, pg->port);
	PGconn *c = PQconnectdb(conninfo);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
	return c;
}
