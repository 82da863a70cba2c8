/* The result grid in a real window (Xvfb, from test-gtk-result-grid.sh):
 * streamed batches give the cells of their rows their text once, when the
 * view binds them, and touch no other cell; Pango is asked for the font's
 * metrics once, not per batch, and again when the font changes (the
 * columns widen with it, in the new font's metrics even when the
 * re-measure runs before the next frame); cells bound while their page is
 * fetched from a real tuskd are blank, then filled once when the page
 * arrives. */
#include <stdlib.h>

#include "client-gtk/tusk-result-grid.h"
#include "tests/gtk/gtk-daemon.h"

static void spin(int ms)
{
	gint64 end = g_get_monotonic_time() + ms * 1000;
	while (g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, FALSE);
}

static GtkWidget *show(TuskResultGrid *grid)
{
	GtkWidget *win = gtk_window_new();
	gtk_window_set_default_size(GTK_WINDOW(win), 900, 600);
	gtk_window_set_child(GTK_WINDOW(win), GTK_WIDGET(grid));
	gtk_window_present(GTK_WINDOW(win));
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (!gtk_widget_get_mapped(GTK_WIDGET(grid)) && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	g_assert_true(gtk_widget_get_mapped(GTK_WIDGET(grid)));
	spin(200);
	return win;
}

static int column_width(TuskResultGrid *grid, guint col)
{
	GtkWidget *view = gtk_scrolled_window_get_child(tusk_result_grid_get_scroller(grid));
	GListModel *cols = gtk_column_view_get_columns(GTK_COLUMN_VIEW(view));
	g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item(cols, col);
	return gtk_column_view_column_get_fixed_width(c);
}

static void test_stream(void)
{
	json_t *cols =
	    json_pack("[{s:s, s:i, s:s}, {s:s, s:i, s:s}]", "name", "id", "type_oid", 23,
	              "type_name", "integer", "name", "note", "type_oid", 25, "type_name", "text");
	g_autoptr(TuskResultModel) m = tusk_result_model_new(NULL, NULL, 0, cols);
	json_decref(cols);
	TuskResultGrid *grid = tusk_result_grid_new(m);
	GtkWidget *win = show(grid);
	guint metrics0 = tusk_result_grid_get_metrics_asked(grid);
	g_assert_cmpuint(metrics0, >=, 1);
	guint row = 0;
	for (int batch = 0; batch < 40; batch++) {
		json_t *rows = json_array();
		for (int i = 0; i < 100; i++, row++) {
			char id[16];
			g_snprintf(id, sizeof id, "%u", row);
			json_array_append_new(rows,
			                      json_pack("[s, s]", id,
			                                batch == 30 && i == 7
			                                    ? "a much wider note than the rest"
			                                    : "note"));
		}
		tusk_result_model_append(m, rows);
		json_decref(rows);
		spin(20);
	}
	g_assert_cmpuint(g_list_model_get_n_items(G_LIST_MODEL(m)), ==, 4000);
	guint bound = tusk_result_grid_get_cells_bound(grid);
	guint shown = tusk_result_grid_get_cells_shown(grid);
	g_test_message("40 batches: %u cells bound, %u shown, metrics asked %u times", bound, shown,
	               tusk_result_grid_get_metrics_asked(grid));
	g_assert_cmpuint(bound, >, 0);
	/* every cell given its text once, when bound: no batch touched it again */
	g_assert_cmpuint(shown, ==, bound);
	g_assert_cmpuint(tusk_result_grid_get_cells_waiting(grid), ==, 0);
	/* the font's metrics once, not per batch */
	g_assert_cmpuint(tusk_result_grid_get_metrics_asked(grid), ==, metrics0);
	g_assert_cmpuint(tusk_result_grid_get_column_chars(grid, 1), ==, 31);

	int w = column_width(grid, 1);
	g_object_set(gtk_settings_get_default(), "gtk-font-name", "Sans 24", NULL);
	spin(300);
	g_assert_cmpuint(tusk_result_grid_get_metrics_asked(grid), ==, metrics0 + 1);
	g_test_message("column width %d px, %d px in a larger font", w, column_width(grid, 1));
	g_assert_cmpint(column_width(grid, 1), >, w);
	gtk_window_destroy(GTK_WINDOW(win));
}

/* A font or text-scale change made right after a frame was painted (the
 * next frame is a frame interval away, and idle callbacks run before it),
 * and what the grid shows when the main loop is next idle. */
typedef struct {
	TuskResultGrid *grid;
	const char *font;      /* a font name, or "dpi N" for a text scale */
	gint64 frame;          /* the frame it was set after */
	int width;             /* the column's width when the loop went idle */
	gboolean before_frame; /* …and no frame had come in between */
} Refont;

static gboolean refont_idle(gpointer data)
{
	Refont *r = data;
	GdkFrameClock *clock = gtk_widget_get_frame_clock(GTK_WIDGET(r->grid));
	r->before_frame = gdk_frame_clock_get_frame_counter(clock) == r->frame;
	r->width = column_width(r->grid, 0);
	return G_SOURCE_REMOVE;
}

static void refont_after_paint(GdkFrameClock *clock, Refont *r)
{
	g_signal_handlers_disconnect_by_func(clock, refont_after_paint, r);
	r->frame = gdk_frame_clock_get_frame_counter(clock);
	if (g_str_has_prefix(r->font, "dpi "))
		g_object_set(gtk_settings_get_default(), "gtk-xft-dpi", atoi(r->font + 4) * 1024,
		             NULL);
	else
		g_object_set(gtk_settings_get_default(), "gtk-font-name", r->font, NULL);
	/* after every default-priority idle, the grid's among them */
	g_idle_add_full(G_PRIORITY_LOW, refont_idle, r, NULL);
}

/* Review question: can the grid size its columns with the old font's
 * metrics, its re-measure running before the new font reached the view?
 * No: GtkSettings gives every widget's Pango context the new font (or
 * resolution) before anyone hears of the change, so the columns are
 * sized in the new font even when the re-measure runs before the next
 * frame, and they stay so. */
static void test_refont(void)
{
	json_t *cols =
	    json_pack("[{s:s, s:i, s:s}]", "name", "note", "type_oid", 25, "type_name", "text");
	g_autoptr(TuskResultModel) m = tusk_result_model_new(NULL, NULL, 0, cols);
	json_decref(cols);
	g_object_set(gtk_settings_get_default(), "gtk-font-name", "Sans 10", "gtk-xft-dpi",
	             96 * 1024, NULL);
	TuskResultGrid *grid = tusk_result_grid_new(m);
	GtkWidget *win = show(grid);
	json_t *rows = json_pack("[[s]]", "a note of thirty characters ..");
	tusk_result_model_append(m, rows);
	json_decref(rows);
	spin(200);
	int w = column_width(grid, 0);
	guint metrics0 = tusk_result_grid_get_metrics_asked(grid);
	GdkFrameClock *clock = gtk_widget_get_frame_clock(GTK_WIDGET(grid));
	const char *fonts[] = {"Sans 24", "Sans 10", "dpi 192", "dpi 96"};
	for (guint i = 0; i < G_N_ELEMENTS(fonts); i++) {
		Refont r = {grid, fonts[i], -1, 0, FALSE};
		g_signal_connect(clock, "after-paint", G_CALLBACK(refont_after_paint), &r);
		gtk_widget_queue_draw(GTK_WIDGET(grid));
		spin(300);
		int now = column_width(grid, 0);
		g_test_message("%s: column width %d px (%d when idle, %s the next frame; %d px in "
		               "Sans 10 at 96 dpi)",
		               fonts[i], now, r.width, r.before_frame ? "before" : "after", w);
		g_assert_cmpint(r.frame, >=, 0);
		g_assert_cmpuint(tusk_result_grid_get_metrics_asked(grid), ==, metrics0 + 1 + i);
		/* twice the size: at least half as wide again; back: as before */
		if (i & 1)
			g_assert_cmpint(now, ==, w);
		else
			g_assert_cmpint(now, >, w * 3 / 2);
		/* sized in the new font already before the next frame */
		if (r.before_frame)
			g_assert_cmpint(r.width, ==, now);
	}
	gtk_window_destroy(GTK_WINDOW(win));
}

/* A stored result paged from tuskd: the cells bound before their page
 * is here are blank, and filled once when it comes. */
static gboolean wake(gpointer data)
{
	return G_SOURCE_CONTINUE;
}

/* A stored result paged in: cells bound blank while their page was in
 * flight all get their text, also those past a page the daemon cut short
 * at its byte limit. */
static void paged(Fixture *f, const char *qid, const char *sql, guint rows)
{
	g_autofree char *conninfo = pg_conninfo();
	Reply r;
	call(f->rpc, "query.execute",
	     json_pack("{s:s, s:s, s:s, s:s}", "conninfo", conninfo, "sql", sql, "query_id", qid,
	               "mode", "store"),
	     NULL, &r);
	g_assert_no_error(r.error);
	reply_clear(&r);
	call(f->rpc, "query.fetch", json_pack("{s:s, s:i}", "query_id", qid, "limit", 0), NULL, &r);
	g_assert_no_error(r.error);
	g_autoptr(TuskResultModel) m =
	    tusk_result_model_new(f->rpc, qid, 0, json_object_get(r.result, "columns"));
	reply_clear(&r);
	TuskResultGrid *grid = tusk_result_grid_new(m);
	GtkWidget *win = show(grid);
	tusk_result_model_set_row_count(m, rows);
	/* a tick, so the wait ends at its deadline when nothing else comes */
	guint tick = g_timeout_add(50, wake, NULL);
	gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	while ((tusk_result_grid_get_cells_bound(grid) == 0 ||
	        tusk_result_grid_get_cells_waiting(grid) > 0 || tusk_result_model_get_loading(m)) &&
	       g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(tick);
	spin(100);
	guint bound = tusk_result_grid_get_cells_bound(grid);
	guint shown = tusk_result_grid_get_cells_shown(grid);
	g_test_message("%u cells bound, %u shown", bound, shown);
	g_assert_cmpuint(tusk_result_grid_get_cells_waiting(grid), ==, 0);
	/* bound blank while page 0 was fetched, filled once when it came */
	g_assert_cmpuint(shown, >, bound);
	g_assert_cmpuint(shown, <=, 2 * bound);
	/* the columns sized from the rows that came ('r99' …) */
	g_assert_cmpuint(tusk_result_grid_get_column_chars(grid, 1), >=, 4);
	gtk_window_destroy(GTK_WINDOW(win));
}

static void test_paged(Fixture *f, gconstpointer data)
{
	paged(f, "gtk-grid-paged", "select i, 'r' || i as s from generate_series(0, 99999) i",
	      100000);
}

/* Rows of 200 kB: the daemon cuts page 0 after ~20 of the ~200 rows the
 * view binds; the cells past the cut asked for the page's rest. */
static void test_paged_wide(Fixture *f, gconstpointer data)
{
	paged(f, "gtk-grid-wide",
	      "select i, repeat('w', 200000) || i as s from generate_series(0, 299) i", 300);
}

/* A scroll that jumps every frame, as a dragged scrollbar does. */
typedef struct {
	TuskResultModel *model;
	guint frames, done;
	guint fetches0; /* the model's fetches when it started */
	guint fetches;  /* …and when the last jump had been painted */
} Jump;

static gboolean jump_tick(GtkWidget *scroller, GdkFrameClock *clock, gpointer data)
{
	Jump *j = data;
	GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment(GTK_SCROLLED_WINDOW(scroller));
	if (j->done == j->frames) {
		j->fetches = tusk_result_model_get_fetches(j->model);
		return G_SOURCE_REMOVE;
	}
	if (j->done == 0)
		j->fetches0 = tusk_result_model_get_fetches(j->model);
	j->done++;
	double span = gtk_adjustment_get_upper(adj) - gtk_adjustment_get_page_size(adj);
	gtk_adjustment_set_value(adj, span * 0.8 * j->done / j->frames);
	return G_SOURCE_CONTINUE;
}

/* While the scroll jumps (thousands of rows a frame), the grid fetches
 * the pages of the rows shown, not those of the ~200 rows GTK 4.8's view
 * binds around them and their neighbours (3-4 pages a frame, parsed and
 * dropped unseen); once it rests, every bound cell gets its text and the
 * pages either side are prefetched. */
static void test_jump(Fixture *f, gconstpointer data)
{
	g_autofree char *conninfo = pg_conninfo();
	Reply r;
	const guint n_rows = 200000;
	call(f->rpc, "query.execute",
	     json_pack("{s:s, s:s, s:s, s:s}", "conninfo", conninfo, "sql",
	               "select i, 'r' || i as s from generate_series(0, 199999) i", "query_id",
	               "gtk-grid-jump", "mode", "store"),
	     NULL, &r);
	g_assert_no_error(r.error);
	reply_clear(&r);
	call(f->rpc, "query.fetch",
	     json_pack("{s:s, s:i}", "query_id", "gtk-grid-jump", "limit", 0), NULL, &r);
	g_assert_no_error(r.error);
	g_autoptr(TuskResultModel) m =
	    tusk_result_model_new(f->rpc, "gtk-grid-jump", 0, json_object_get(r.result, "columns"));
	reply_clear(&r);
	TuskResultGrid *grid = tusk_result_grid_new(m);
	GtkWidget *win = show(grid);
	tusk_result_model_set_row_count(m, n_rows);
	spin(500);
	g_assert_cmpuint(tusk_result_grid_get_cells_waiting(grid), ==, 0);

	/* the grid does not rest between these frames, however late one is */
	tusk_result_grid_set_rest_ms(grid, 60 * 1000);
	Jump j = {m, 40, 0, 0, 0};
	GtkWidget *scroller = GTK_WIDGET(tusk_result_grid_get_scroller(grid));
	gtk_widget_add_tick_callback(scroller, jump_tick, &j, NULL);
	gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	while (!j.fetches && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(j.done, ==, j.frames);
	guint during = j.fetches - j.fetches0;
	g_test_message("%u jumps of %u rows: %u fetches", j.frames, n_rows * 8 / 10 / j.frames,
	               during);
	/* the rows shown straddle at most two pages; before, each jump fetched
	 * the bound rows' pages too, 3-4 */
	g_assert_cmpuint(during, >=, j.frames / 2);
	g_assert_cmpuint(during, <=, 2 * j.frames);
	tusk_result_grid_set_rest_ms(grid, 100); /* now it rests */

	/* at rest: every bound cell has its text, the pages either side are here */
	end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	while ((tusk_result_grid_get_cells_waiting(grid) || tusk_result_model_get_loading(m)) &&
	       g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, FALSE);
	spin(300);
	g_assert_cmpuint(tusk_result_grid_get_cells_waiting(grid), ==, 0);
	GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment(GTK_SCROLLED_WINDOW(scroller));
	guint top = (guint)(gtk_adjustment_get_value(adj) / gtk_adjustment_get_upper(adj) * n_rows);
	guint page = top / TUSK_RESULT_PAGE_ROWS;
	g_test_message("at rest: row %u shown first, %u fetches in all", top,
	               tusk_result_model_get_fetches(m));
	for (guint p = page - 1; p <= page + 1; p++) {
		gboolean is_null;
		guint row = p * TUSK_RESULT_PAGE_ROWS;
		char want[32];
		g_snprintf(want, sizeof want, "%u", row);
		g_assert_cmpstr(tusk_result_model_peek_cell(m, row, 0, &is_null), ==, want);
	}
	gtk_window_destroy(GTK_WINDOW(win));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gtk_init();
	g_test_add_func("/gtk-result-grid/stream", test_stream);
	g_test_add_func("/gtk-result-grid/refont", test_refont);
	g_assert_nonnull(g_getenv("TUSKD"));
	g_test_add("/gtk-result-grid/paged", Fixture, NULL, fixture_setup, test_paged,
	           fixture_teardown);
	g_test_add("/gtk-result-grid/paged-wide", Fixture, NULL, fixture_setup, test_paged_wide,
	           fixture_teardown);
	g_test_add("/gtk-result-grid/jump", Fixture, NULL, fixture_setup, test_jump,
	           fixture_teardown);
	return g_test_run();
}
