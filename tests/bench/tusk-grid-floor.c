/* The scrolling floor for the window's benchmark (tests/bench/gtk.sh):
 * GtkColumnView alone, over a plain GListModel of strings with the rows
 * and columns of the scroll bench's result (i and md5(i), 10,000,000 rows
 * unless argv[1] says otherwise), cells as tusk's (a GtkInscription per
 * cell, numbers right-aligned, columns of fixed width), in a window as
 * large as tusk's with the grid as high as tusk's result grid there
 * (argv[2] px), scrolled top to bottom by tusk's own bench tick
 * (client-gtk/tusk-timing.c: TUSK_TIMING and TUSK_BENCH_SCROLL set).
 * Whatever tusk's grid takes beyond this is its own. */
#include <stdio.h>
#include <stdlib.h>

#include <gtk/gtk.h>

#include "client-gtk/tusk-timing.h"

#define FLOOR_TYPE_ROWS (floor_rows_get_type())
G_DECLARE_FINAL_TYPE(FloorRows, floor_rows, FLOOR, ROWS, GObject)

struct _FloorRows {
	GObject parent_instance;
	guint n;
};

static GType rows_item_type(GListModel *list)
{
	return GTK_TYPE_STRING_OBJECT;
}

static guint rows_n_items(GListModel *list)
{
	return FLOOR_ROWS(list)->n;
}

/* Row i as the string "i": each cell makes its text from it. */
static gpointer rows_item(GListModel *list, guint i)
{
	if (i >= FLOOR_ROWS(list)->n)
		return NULL;
	char s[16];
	g_snprintf(s, sizeof s, "%u", i + 1);
	return gtk_string_object_new(s);
}

static void floor_rows_iface(GListModelInterface *iface)
{
	iface->get_item_type = rows_item_type;
	iface->get_n_items = rows_n_items;
	iface->get_item = rows_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE(FloorRows, floor_rows, G_TYPE_OBJECT,
                              G_IMPLEMENT_INTERFACE(G_TYPE_LIST_MODEL, floor_rows_iface))

static void floor_rows_class_init(FloorRowsClass *klass) {}
static void floor_rows_init(FloorRows *self) {}

static void cell_setup(GtkSignalListItemFactory *f, GtkListItem *item, gpointer col)
{
	GtkWidget *label =
	    g_object_new(GTK_TYPE_INSCRIPTION, "accessible-role", GTK_ACCESSIBLE_ROLE_LABEL, NULL);
	gtk_inscription_set_xalign(GTK_INSCRIPTION(label), col ? 0.0f : 1.0f);
	gtk_inscription_set_text_overflow(GTK_INSCRIPTION(label),
	                                  GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
	gtk_list_item_set_child(item, label);
}

static void cell_bind(GtkSignalListItemFactory *f, GtkListItem *item, gpointer col)
{
	const char *i = gtk_string_object_get_string(gtk_list_item_get_item(item));
	GtkInscription *label = GTK_INSCRIPTION(gtk_list_item_get_child(item));
	if (!col) {
		gtk_inscription_set_text(label, i);
		return;
	}
	/* 32 hex digits, as md5(i::text) */
	guint h = g_str_hash(i);
	char hex[40];
	g_snprintf(hex, sizeof hex, "%08x%08x%08x%08x", h, h * 2654435761u, h ^ 0x5bd1e995u,
	           h * 40503u);
	gtk_inscription_set_text(label, hex);
}

static gboolean start_scroll(gpointer scroller)
{
	tusk_timing_scroll(GTK_SCROLLED_WINDOW(scroller));
	return G_SOURCE_REMOVE;
}

static void on_map(GtkWidget *win, gpointer scroller)
{
	tusk_timing_after_paint(win, "ready", 0);
	g_timeout_add(500, start_scroll, scroller);
}

static void on_activate(GApplication *app, gpointer data)
{
	char **argv = data;
	FloorRows *rows = g_object_new(FLOOR_TYPE_ROWS, NULL);
	rows->n = argv[1] ? (guint)strtoul(argv[1], NULL, 10) : 10000000u;
	GtkMultiSelection *sel = gtk_multi_selection_new(G_LIST_MODEL(rows));
	GtkWidget *view = gtk_column_view_new(GTK_SELECTION_MODEL(sel));
	gtk_column_view_set_show_column_separators(GTK_COLUMN_VIEW(view), TRUE);
	gtk_column_view_set_show_row_separators(GTK_COLUMN_VIEW(view), TRUE);
	gtk_widget_add_css_class(view, "data-table");
	PangoFontMetrics *fm =
	    pango_context_get_metrics(gtk_widget_get_pango_context(view), NULL, NULL);
	int ch = MAX(pango_font_metrics_get_approximate_char_width(fm),
	             pango_font_metrics_get_approximate_digit_width(fm));
	pango_font_metrics_unref(fm);
	const char *titles[] = {"i\ninteger", "h\ntext"};
	const int chars[] = {8, 32}; /* as tusk sizes them: the widest cell */
	for (guint c = 0; c < 2; c++) {
		GtkListItemFactory *f = gtk_signal_list_item_factory_new();
		g_signal_connect(f, "setup", G_CALLBACK(cell_setup), GUINT_TO_POINTER(c));
		g_signal_connect(f, "bind", G_CALLBACK(cell_bind), GUINT_TO_POINTER(c));
		GtkColumnViewColumn *col = gtk_column_view_column_new(titles[c], f);
		gtk_column_view_column_set_fixed_width(col, (chars[c] + 2) * ch / PANGO_SCALE + 16);
		gtk_column_view_column_set_resizable(col, TRUE);
		gtk_column_view_append_column(GTK_COLUMN_VIEW(view), col);
		g_object_unref(col);
	}
	GtkWidget *scroller = gtk_scrolled_window_new();
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroller), view);
	int height = argv[1] && argv[2] ? atoi(argv[2]) : 0;
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	if (height > 0) {
		gtk_widget_set_size_request(scroller, -1, height);
		gtk_widget_set_valign(scroller, GTK_ALIGN_END);
	} else {
		gtk_widget_set_vexpand(scroller, TRUE);
	}
	gtk_box_append(GTK_BOX(box), scroller);
	GtkWidget *win = gtk_application_window_new(GTK_APPLICATION(app));
	gtk_window_set_child(GTK_WINDOW(win), box);
	gtk_window_set_default_size(GTK_WINDOW(win), 1200, 760); /* tusk's */
	g_signal_connect(win, "map", G_CALLBACK(on_map), scroller);
	gtk_window_present(GTK_WINDOW(win));
}

int main(int argc, char **argv)
{
	g_autoptr(GtkApplication) app =
	    gtk_application_new("app.tusk.GridFloor", G_APPLICATION_NON_UNIQUE);
	g_signal_connect(app, "activate", G_CALLBACK(on_activate), argv);
	return g_application_run(G_APPLICATION(app), 1, argv);
}
