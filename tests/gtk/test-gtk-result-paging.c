/* The grid's row model paging a stored result from a real tuskd and
 * PostgreSQL (query.execute mode "store", query.fetch): the window of
 * pages around what is asked for, neighbours prefetched, far pages
 * dropped, every row of a 1M-row result correct (in order and at random
 * offsets) while the model holds at most TUSK_RESULT_MAX_PAGES pages and
 * the process's memory stays bounded, copying rows whose pages are not
 * held, and pages cut short by the daemon's byte limit completed with their
 * missing tail; peek_cell never fetches, want_rows fetches just the pages
 * of its rows. */
#include <stdio.h>
#include <string.h>

#include "client-gtk/tusk-result-model.h"
#include "protocol/jsonrpc.h"
#include "tests/gtk/gtk-daemon.h"

#define N_ROWS   1000000u
#define QUERY_ID "gtk-paging-1m"

#ifdef __SANITIZE_ADDRESS__
/* Under ASan freed memory waits in a quarantine (256 MiB by default), so
 * the pages the model drops would still count in RSS; a small quarantine
 * lets the memory check below mean the same in both builds. ASAN_OPTIONS
 * from the environment still wins for the keys it names. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=8";
}
#endif

static TuskResultModel *million(Fixture *f)
{
	g_autofree char *conninfo = pg_conninfo();
	Reply r;
	call(f->rpc, "query.execute",
	     json_pack("{s:s, s:s, s:s, s:s}", "conninfo", conninfo, "sql",
	               "select i, 'r' || i as s from generate_series(0, 999999) i", "query_id",
	               QUERY_ID, "mode", "store"),
	     NULL, &r);
	g_assert_no_error(r.error);
	g_assert_true(json_is_true(json_object_get(r.result, "stored")));
	reply_clear(&r);
	/* the columns, as the window gets them */
	call(f->rpc, "query.fetch", json_pack("{s:s, s:i}", "query_id", QUERY_ID, "limit", 0), NULL,
	     &r);
	g_assert_no_error(r.error);
	g_assert_cmpint(json_integer_value(json_object_get(r.result, "row_count")), ==, N_ROWS);
	TuskResultModel *m =
	    tusk_result_model_new(f->rpc, QUERY_ID, 0, json_object_get(r.result, "columns"));
	reply_clear(&r);
	tusk_result_model_set_row_count(m, N_ROWS);
	return m;
}

static void settle(TuskResultModel *m)
{
	gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	while (tusk_result_model_get_loading(m) && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(tusk_result_model_get_loading(m), ==, 0);
}

/* Row `row`'s cells, fetching its page when it is not held. */
static void check_row(TuskResultModel *m, guint row, gboolean *was_held)
{
	gboolean is_null = TRUE;
	const char *id = tusk_result_model_get_cell(m, row, 0, &is_null);
	if (was_held)
		*was_held = id != NULL;
	if (!id) {
		g_assert_false(is_null);
		settle(m);
		id = tusk_result_model_get_cell(m, row, 0, &is_null);
	}
	char want[32];
	g_snprintf(want, sizeof want, "%u", row);
	g_assert_cmpstr(id, ==, want);
	g_snprintf(want, sizeof want, "r%u", row);
	g_assert_cmpstr(tusk_result_model_get_cell(m, row, 1, &is_null), ==, want);
	g_assert_false(is_null);
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	g_assert_nonnull(f);
	char line[256];
	long kb = -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* The first page and its neighbour come with one ask; a row of a far
 * page brings its page and both neighbours; far pages are dropped. */
static void test_window(Fixture *f, gconstpointer data)
{
	g_autoptr(TuskResultModel) m = million(f);
	g_assert_cmpuint(g_list_model_get_n_items(G_LIST_MODEL(m)), ==, N_ROWS);
	g_assert_cmpuint(tusk_result_model_get_pages_held(m), ==, 0);
	gboolean held;
	check_row(m, 0, &held);
	g_assert_false(held);
	g_assert_cmpuint(tusk_result_model_get_fetches(m), ==, 2); /* pages 0 and 1 */
	/* the neighbour was prefetched: held without asking */
	check_row(m, TUSK_RESULT_PAGE_ROWS + 7, &held);
	g_assert_true(held);

	guint far = 500000;
	guint page = far / TUSK_RESULT_PAGE_ROWS;
	guint before = tusk_result_model_get_fetches(m);
	check_row(m, far, &held);
	g_assert_false(held);
	g_assert_cmpuint(tusk_result_model_get_fetches(m), ==, before + 3);
	check_row(m, (page - 1) * TUSK_RESULT_PAGE_ROWS, &held);
	g_assert_true(held);
	check_row(m, (page + 1) * TUSK_RESULT_PAGE_ROWS + TUSK_RESULT_PAGE_ROWS - 1, &held);
	g_assert_true(held);

	/* many far pages: the first ones are dropped, the window stays small */
	for (guint i = 1; i <= TUSK_RESULT_MAX_PAGES; i++) {
		check_row(m, i * 37 * TUSK_RESULT_PAGE_ROWS + i, NULL);
		g_assert_cmpuint(tusk_result_model_get_pages_held(m), <=, TUSK_RESULT_MAX_PAGES);
	}
	gboolean is_null = TRUE;
	g_assert_null(tusk_result_model_get_cell(m, 3, 0, &is_null));
	g_assert_false(is_null); /* not here: being fetched again */
	settle(m);
	check_row(m, 3, &held);
	g_assert_true(held);

	/* peek never fetches; want_rows fetches the pages of its rows, no
	 * neighbours */
	before = tusk_result_model_get_fetches(m);
	g_assert_null(tusk_result_model_peek_cell(m, 700000, 0, &is_null));
	g_assert_false(is_null);
	g_assert_cmpuint(tusk_result_model_get_fetches(m), ==, before);
	tusk_result_model_want_rows(m, 700000 - 10, 20); /* in page 2734 */
	tusk_result_model_want_rows(m, 700000 - 10, 20); /* asked for once */
	g_assert_cmpuint(tusk_result_model_get_fetches(m), ==, before + 1);
	settle(m);
	g_assert_cmpstr(tusk_result_model_peek_cell(m, 700000, 1, &is_null), ==, "r700000");
	g_assert_null(tusk_result_model_peek_cell(m, 2735 * TUSK_RESULT_PAGE_ROWS, 0, &is_null));
	g_assert_null(tusk_result_model_peek_cell(m, 2733 * TUSK_RESULT_PAGE_ROWS, 0, &is_null));
	tusk_result_model_want_rows(m, 2734 * TUSK_RESULT_PAGE_ROWS, 2 * TUSK_RESULT_PAGE_ROWS);
	g_assert_cmpuint(tusk_result_model_get_fetches(m), ==, before + 2);
}

/* Every row in order, then rows at random offsets: always right, never
 * more than the window held, memory bounded. */
static void test_million(Fixture *f, gconstpointer data)
{
	g_autoptr(TuskResultModel) m = million(f);
	long rss0 = rss_kb();
	guint max_held = 0;
	for (guint row = 0; row < N_ROWS; row++) {
		check_row(m, row, NULL);
		max_held = MAX(max_held, tusk_result_model_get_pages_held(m));
	}
	g_assert_cmpuint(max_held, <=, TUSK_RESULT_MAX_PAGES);
	/* a page of ~256 rows: prefetch means about one fetch per page */
	guint pages = (N_ROWS + TUSK_RESULT_PAGE_ROWS - 1) / TUSK_RESULT_PAGE_ROWS;
	g_assert_cmpuint(tusk_result_model_get_fetches(m), >=, pages);
	g_assert_cmpuint(tusk_result_model_get_fetches(m), <=, pages + 2);
	long rss1 = rss_kb();

	GRand *rand = g_rand_new_with_seed(12);
	for (int i = 0; i < 2000; i++) {
		check_row(m, (guint)g_rand_int_range(rand, 0, (gint32)N_ROWS), NULL);
		max_held = MAX(max_held, tusk_result_model_get_pages_held(m));
	}
	g_rand_free(rand);
	g_assert_cmpuint(max_held, <=, TUSK_RESULT_MAX_PAGES);
	long rss2 = rss_kb();
	g_test_message("RSS %ld kB before, %ld kB after 1M rows in order, %ld kB after 2,000 "
	               "random rows; %u fetches",
	               rss0, rss1, rss2, tusk_result_model_get_fetches(m));
	/* the whole result as JSON would be well over 100 MB */
	g_assert_cmpint(rss1 - rss0, <, 32 * 1024);
	g_assert_cmpint(rss2 - rss0, <, 32 * 1024);
}

typedef struct {
	char *text;
	GError *error;
	gboolean done;
} Copied;

static void on_copied(GObject *source, GAsyncResult *res, gpointer data)
{
	Copied *c = data;
	c->text = tusk_result_model_copy_rows_finish(TUSK_RESULT_MODEL(source), res, &c->error);
	c->done = TRUE;
}

static void copy(TuskResultModel *m, const TuskRowRange *ranges, guint n, Copied *c)
{
	g_autoptr(GArray) a = g_array_new(FALSE, FALSE, sizeof(TuskRowRange));
	g_array_append_vals(a, ranges, n);
	*c = (Copied){0};
	tusk_result_model_copy_rows_async(m, a, NULL, on_copied, c);
	while (!c->done)
		g_main_context_iteration(NULL, TRUE);
}

/* A selection over pages that are not held is fetched for the copy. */
static void test_copy_rows(Fixture *f, gconstpointer data)
{
	g_autoptr(TuskResultModel) m = million(f);
	check_row(m, 11, NULL); /* page 0 held, the rest not */
	Copied c;
	const TuskRowRange sel[] = {{10, 3}, {500000, 2}, {999998, 2}};
	copy(m, sel, G_N_ELEMENTS(sel), &c);
	g_assert_no_error(c.error);
	g_assert_cmpstr(c.text, ==,
	                "10\tr10\n11\tr11\n12\tr12\n500000\tr500000\n500001\tr500001\n"
	                "999998\tr999998\n999999\tr999999\n");
	g_free(c.text);

	/* 20,000 rows across pages: several fetches of up to 10,000 rows */
	const TuskRowRange big[] = {{123456, 20000}};
	copy(m, big, 1, &c);
	g_assert_no_error(c.error);
	gchar **lines = g_strsplit(c.text, "\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, 20001);
	g_assert_cmpstr(lines[0], ==, "123456\tr123456");
	g_assert_cmpstr(lines[19999], ==, "143455\tr143455");
	g_strfreev(lines);
	g_free(c.text);

	const TuskRowRange huge[] = {{0, TUSK_RESULT_COPY_MAX_ROWS + 1}};
	copy(m, huge, 1, &c);
	g_assert_error(c.error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
	g_assert_nonnull(strstr(c.error->message, "export"));
	g_clear_error(&c.error);
}

/* Rows of ~40 KB: tuskd cuts a page of 256 at a quarter of the message
 * limit (4 MiB, ~100 rows). A row past the cut fetches only the rest of
 * its page, from the first row missing (fetching the page again from its
 * first row would get the same cut, and those rows would stay blank). */
#define WIDE_ROWS  600u
#define WIDE_BYTES 40000
static void test_cut_pages(Fixture *f, gconstpointer data)
{
	g_autofree char *conninfo = pg_conninfo();
	g_autofree char *sql =
	    g_strdup_printf("select i, repeat('x', %d) || i as s from generate_series(0, %u) i",
	                    WIDE_BYTES, WIDE_ROWS - 1);
	Reply r;
	call(f->rpc, "query.execute",
	     json_pack("{s:s, s:s, s:s, s:s}", "conninfo", conninfo, "sql", sql, "query_id",
	               "gtk-paging-wide", "mode", "store"),
	     NULL, &r);
	g_assert_no_error(r.error);
	reply_clear(&r);
	call(f->rpc, "query.fetch",
	     json_pack("{s:s, s:i}", "query_id", "gtk-paging-wide", "limit", 0), NULL, &r);
	g_assert_no_error(r.error);
	g_autoptr(TuskResultModel) m = tusk_result_model_new(f->rpc, "gtk-paging-wide", 0,
	                                                     json_object_get(r.result, "columns"));
	reply_clear(&r);
	tusk_result_model_set_row_count(m, WIDE_ROWS);

	/* the first page comes cut: its first row is here, its last is not */
	gboolean is_null = TRUE;
	g_assert_null(tusk_result_model_get_cell(m, 0, 0, &is_null));
	settle(m);
	g_assert_cmpstr(tusk_result_model_get_cell(m, 0, 0, &is_null), ==, "0");
	g_assert_null(tusk_result_model_get_cell(m, TUSK_RESULT_PAGE_ROWS - 1, 0, &is_null));
	g_assert_false(is_null);

	/* every row, in order: each missing one comes after at most one
	 * fetch of its page's tail; in all about one fetch per 4 MiB */
	char want[32];
	for (guint row = 0; row < WIDE_ROWS; row++) {
		const char *id = NULL;
		for (int tries = 0; !id && tries < 2; tries++) {
			id = tusk_result_model_get_cell(m, row, 0, &is_null);
			if (!id)
				settle(m);
		}
		g_snprintf(want, sizeof want, "%u", row);
		g_assert_cmpstr(id, ==, want);
		const char *s = tusk_result_model_get_cell(m, row, 1, &is_null);
		g_assert_nonnull(s);
		g_assert_cmpuint(strlen(s), ==, WIDE_BYTES + strlen(want));
		g_assert_cmpstr(s + WIDE_BYTES, ==, want);
	}
	guint fetches = tusk_result_model_get_fetches(m);
	g_test_message("%u rows of %d bytes: %u fetches", WIDE_ROWS, WIDE_BYTES, fetches);
	guint min = (WIDE_ROWS * WIDE_BYTES) / (TUSK_RPC_MAX_MESSAGE / 4);
	g_assert_cmpuint(fetches, >=, min);
	g_assert_cmpuint(fetches, <=, 2 * min + 4);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_nonnull(g_getenv("TUSKD"));
	g_free(pg_conninfo());
#define ADD(name, fn) \
	g_test_add("/gtk-result-paging/" name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("window", test_window);
	ADD("million", test_million);
	ADD("copy-rows", test_copy_rows);
	ADD("cut-pages", test_cut_pages);
	return g_test_run();
}
