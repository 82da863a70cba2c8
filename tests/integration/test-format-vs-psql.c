/* tuskctl's formatters against the real psql 15, byte for byte, on every
 * file of the fidelity corpus: each file runs on the real server through
 * libpq and the formatter is fed the shapes query.execute sends (columns
 * {name, type_oid}, batches of text|null rows, one summary per result set
 * {command_tag, has_rows, row_count}); psql runs the same file with the
 * flags format.h documents. Both the statement-by-statement way (psql -f)
 * and one multi-statement query are checked. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client-cli/format.h"
#include "common/cleanup.h"
#include "tests/integration/values-lib.h"
#include "tests/lib/tt-check.h"

#define PSQL "/usr/bin/psql"

/* psql's stdout for file with extra flags (NULL-terminated). */
static char *run_psql(const struct tt_pg *pg, const char *const *flags, const char *file,
                      size_t *len)
{
	char port[16];
	snprintf(port, sizeof(port), "%d", pg->port);
	const char *argv[32] = {PSQL, "-X", "-v", "ON_ERROR_STOP=1", "-h", pg->host,
	                        "-p", port, "-U", "postgres",        "-d", "postgres"};
	size_t n = 12;
	for (size_t i = 0; flags[i]; i++)
		argv[n++] = flags[i];
	argv[n++] = "-f";
	argv[n++] = file;
	argv[n] = NULL;

	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(PSQL, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	char *buf = NULL;
	size_t cap = 0, used = 0;
	for (;;) {
		if (used + 65536 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
		}
		ssize_t r = read(p[0], buf + used, cap - used);
		if (r < 0 && errno == EINTR)
			continue;
		ck_assert_int_ge(r, 0);
		if (r == 0)
			break;
		used += (size_t)r;
	}
	close(p[0]);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "psql failed on %s (status %d)", file,
	              st);
	*len = used;
	return buf;
}

static unsigned batch_rows = 7; /* odd, so sets span several batches */

static void feed(struct formatter *f, PGresult *res, const char *what)
{
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK: {
		int nf = PQnfields(res), nt = PQntuples(res);
		_cleanup_json_ json_t *cols = json_array();
		for (int c = 0; c < nf; c++)
			json_array_append_new(
			    cols, json_pack("{s:s, s:I, s:s}", "name", PQfname(res, c), "type_oid",
			                    (json_int_t)PQftype(res, c), "type_name", "?"));
		formatter_columns(f, cols);
		for (int r0 = 0; r0 < nt; r0 += (int)batch_rows) {
			_cleanup_json_ json_t *rows = json_array();
			for (int r = r0; r < nt && r < r0 + (int)batch_rows; r++) {
				json_t *row = json_array();
				for (int c = 0; c < nf; c++)
					json_array_append_new(
					    row,
					    PQgetisnull(res, r, c)
					        ? json_null()
					        : json_stringn(PQgetvalue(res, r, c),
					                       (size_t)PQgetlength(res, r, c)));
				json_array_append_new(rows, row);
			}
			formatter_rows(f, rows);
		}
		_cleanup_json_ json_t *sum =
		    json_pack("{s:s, s:b, s:I}", "command_tag", PQcmdStatus(res), "has_rows", 1,
		              "row_count", (json_int_t)nt);
		formatter_result_end(f, sum);
		break;
	}
	case PGRES_COMMAND_OK: {
		_cleanup_json_ json_t *sum =
		    json_pack("{s:s, s:b, s:I}", "command_tag", PQcmdStatus(res), "has_rows", 0,
		              "row_count", 0);
		formatter_result_end(f, sum);
		break;
	}
	case PGRES_EMPTY_QUERY:
		break;
	default:
		ck_abort_msg("%s: %s", what, PQresultErrorMessage(res));
	}
}

/* The formatter's output for file, statement by statement or as one
 * multi-statement query. */
static char *run_formatter(const struct tt_pg *pg, enum format_kind kind, const char *file,
                           bool split, size_t *len)
{
	_cleanup_free_ char *sql = values_read_file(file, NULL);
	char *buf = NULL;
	FILE *out = open_memstream(&buf, len);
	struct formatter *f = formatter_new(kind, out);
	PGconn *c = values_connect(pg);
	char **stmts = split ? values_split(sql) : NULL;
	const char *one[] = {sql, NULL};
	const char *const *todo = split ? (const char *const *)stmts : one;
	for (size_t i = 0; todo[i]; i++) {
		ck_assert_msg(PQsendQuery(c, todo[i]), "%s: %s", file, PQerrorMessage(c));
		PGresult *res;
		while ((res = PQgetResult(c))) {
			feed(f, res, file);
			PQclear(res);
		}
	}
	values_strv_free(stmts);
	PQfinish(c);
	ck_assert_int_eq(formatter_finish(f), 0);
	formatter_free(f);
	fclose(out);
	return buf;
}

/* Where two outputs first differ, as a readable note. */
static void explain_difference(const char *file, const char *want, size_t wn, const char *got,
                               size_t gn)
{
	size_t i = 0, line = 1, bol = 0;
	while (i < wn && i < gn && want[i] == got[i]) {
		if (want[i] == '\n') {
			line++;
			bol = i + 1;
		}
		i++;
	}
	size_t we = bol, ge = bol;
	while (we < wn && want[we] != '\n')
		we++;
	while (ge < gn && got[ge] != '\n')
		ge++;
	fprintf(stderr, "# %s differs at byte %zu (line %zu; psql %zu bytes, ours %zu)\n", file, i,
	        line, wn, gn);
	fprintf(stderr, "#   psql: %.*s\n#   ours: %.*s\n", (int)(we - bol > 300 ? 300 : we - bol),
	        want + bol, (int)(ge - bol > 300 ? 300 : ge - bol), got + bol);
}

static void compare_format(enum format_kind kind, const char *const *flags)
{
	struct tt_pg pg;
	tt_pg_shared(&pg);
	values_clean_env();
	char **files = values_corpus();
	int bad = 0, checked = 0;
	for (size_t i = 0; files[i]; i++) {
		size_t wn;
		_cleanup_free_ char *want = run_psql(&pg, flags, files[i], &wn);
		ck_assert_msg(wn > 0, "psql printed nothing for %s", files[i]);
		for (int split = 1; split >= 0; split--) {
			size_t gn;
			_cleanup_free_ char *got = run_formatter(&pg, kind, files[i], split, &gn);
			checked++;
			if (wn != gn || memcmp(want, got, wn) != 0) {
				explain_difference(files[i], want, wn, got, gn);
				bad++;
			}
		}
	}
	values_corpus_free(files);
	ck_assert_msg(bad == 0, "%d of %d outputs differ from psql (see above)", bad, checked);
}

START_TEST(csv_is_psql_csv)
{
	const char *const flags[] = {"--csv", NULL};
	compare_format(FORMAT_CSV, flags);
}
END_TEST

START_TEST(tsv_is_psql_unaligned_tab)
{
	const char *const flags[] = {"-A", "-F", "\t", "-P", "footer=off", NULL};
	compare_format(FORMAT_TSV, flags);
}
END_TEST

START_TEST(aligned_is_psql_default)
{
	const char *const flags[] = {NULL};
	compare_format(FORMAT_ALIGNED, flags);
}
END_TEST

START_TEST(quiet_is_psql_q)
{
	const char *const flags[] = {"--csv", "-q", NULL};
	struct tt_pg pg;
	tt_pg_shared(&pg);
	values_clean_env();
	char **files = values_corpus();
	for (size_t i = 0; files[i]; i++) {
		size_t wn, gn;
		_cleanup_free_ char *want = run_psql(&pg, flags, files[i], &wn);
		_cleanup_free_ char *sql = values_read_file(files[i], NULL);
		char *got = NULL;
		FILE *out = open_memstream(&got, &gn);
		struct formatter *f = formatter_new(FORMAT_CSV, out);
		formatter_set_quiet(f, true);
		PGconn *c = values_connect(&pg);
		char **stmts = values_split(sql);
		for (size_t s = 0; stmts[s]; s++) {
			PGresult *res = PQexec(c, stmts[s]);
			feed(f, res, files[i]);
			PQclear(res);
		}
		values_strv_free(stmts);
		PQfinish(c);
		ck_assert_int_eq(formatter_finish(f), 0);
		formatter_free(f);
		fclose(out);
		if (wn != gn || memcmp(want, got, wn) != 0)
			explain_difference(files[i], want, wn, got, gn);
		ck_assert_msg(wn == gn && memcmp(want, got, wn) == 0, "%s differs from psql -q",
		              files[i]);
		free(got);
	}
	values_corpus_free(files);
}
END_TEST

/* JSON has no psql to compare with: it must parse, hold one object per
 * row in each result set's array, and keep every key. */
START_TEST(json_parses_with_every_row)
{
	struct tt_pg pg;
	tt_pg_shared(&pg);
	values_clean_env();
	char **files = values_corpus();
	for (size_t i = 0; files[i]; i++) {
		size_t n;
		_cleanup_free_ char *json = run_formatter(&pg, FORMAT_JSON, files[i], true, &n);
		_cleanup_free_ char *jsonl = run_formatter(&pg, FORMAT_JSONL, files[i], true, &n);
		_cleanup_free_ char *sql = values_read_file(files[i], NULL);
		PGconn *c = values_connect(&pg);
		char **stmts = values_split(sql);
		const char *jp = json, *lp = jsonl;
		for (size_t s = 0; stmts[s]; s++) {
			PGresult *res = PQexec(c, stmts[s]);
			if (PQresultStatus(res) == PGRES_TUPLES_OK) {
				json_error_t err;
				json_t *arr =
				    json_loadb(jp, strlen(jp), JSON_DISABLE_EOF_CHECK, &err);
				ck_assert_msg(json_is_array(arr), "%s: %s at %d: %.80s", files[i],
				              err.text, err.position, jp);
				jp += err.position;
				while (*jp == '\n')
					jp++;
				ck_assert_int_eq(json_array_size(arr), PQntuples(res));
				for (int r = 0; r < PQntuples(res); r++) {
					json_t *o = json_array_get(arr, (size_t)r);
					ck_assert_int_eq(json_object_size(o), PQnfields(res));
					json_t *line = json_loadb(lp, strlen(lp),
					                          JSON_DISABLE_EOF_CHECK, &err);
					ck_assert_msg(line && json_equal(line, o),
					              "%s: jsonl row %d", files[i], r);
					lp += err.position;
					ck_assert_int_eq(*lp, '\n');
					lp++;
					json_decref(line);
				}
				json_decref(arr);
			}
			PQclear(res);
		}
		ck_assert_msg(*jp == '\0' && *lp == '\0', "%s: output left over", files[i]);
		values_strv_free(stmts);
		PQfinish(c);
	}
	values_corpus_free(files);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("format-vs-psql");
	TCase *tc = tcase_create("corpus");
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, csv_is_psql_csv);
	tcase_add_test(tc, tsv_is_psql_unaligned_tab);
	tcase_add_test(tc, aligned_is_psql_default);
	tcase_add_test(tc, quiet_is_psql_q);
	tcase_add_test(tc, json_parses_with_every_row);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
