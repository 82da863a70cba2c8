#include "client-gtk/tusk-result-grid.h"

#include "client-gtk/tusk-result-row.h"

struct _TuskResultGrid {
	GtkBox parent_instance;
	TuskResultModel *model;
	GtkMultiSelection *selection;
	GtkColumnView *view;
	GtkScrolledWindow *scroller;
};

G_DEFINE_FINAL_TYPE(TuskResultGrid, tusk_result_grid, GTK_TYPE_BOX)

static void cell_setup(GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
	gboolean numeric = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(f), "numeric"));
	GtkWidget *label = gtk_label_new(NULL);
	gtk_label_set_xalign(GTK_LABEL(label), numeric ? 1.0f : 0.0f);
	gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
	gtk_label_set_single_line_mode(GTK_LABEL(label), TRUE);
	gtk_label_set_max_width_chars(GTK_LABEL(label), 48);
	gtk_list_item_set_child(item, label);
}

static void cell_bind(GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
	guint col = GPOINTER_TO_UINT(data);
	GtkLabel *label = GTK_LABEL(gtk_list_item_get_child(item));
	TuskResultRow *row = gtk_list_item_get_item(item);
	gboolean is_null = FALSE;
	const char *text = tusk_result_model_get_cell(
	    tusk_result_row_get_model(row), tusk_result_row_get_index(row), col, &is_null);
	if (is_null) {
		gtk_label_set_text(label, "NULL");
		gtk_widget_add_css_class(GTK_WIDGET(label), "tusk-null");
	} else {
		/* one line per cell; the whole text is in the copy */
		const char *nl = text ? strchr(text, '\n') : NULL;
		if (nl) {
			g_autofree char *first = g_strndup(text, (gsize)(nl - text));
			g_autofree char *shown = g_strconcat(first, " …", NULL);
			gtk_label_set_text(label, shown);
		} else {
			gtk_label_set_text(label, text ? text : "");
		}
		gtk_widget_remove_css_class(GTK_WIDGET(label), "tusk-null");
	}
}

static void grid_copy(TuskResultGrid *self)
{
	g_autoptr(GtkBitset) set =
	    gtk_selection_model_get_selection(GTK_SELECTION_MODEL(self->selection));
	GString *out = g_string_new(NULL);
	GtkBitsetIter it;
	guint row;
	for (gboolean ok = gtk_bitset_iter_init_first(&it, set, &row); ok;
	     ok = gtk_bitset_iter_next(&it, &row)) {
		g_autofree char *line = tusk_result_model_row_tsv(self->model, row);
		g_string_append(out, line ? line : "");
		g_string_append_c(out, '\n');
	}
	gdk_clipboard_set_text(gtk_widget_get_clipboard(GTK_WIDGET(self)), out->str);
	g_string_free(out, TRUE);
}

static gboolean on_copy(GtkWidget *widget, GVariant *args, gpointer data)
{
	grid_copy(TUSK_RESULT_GRID(widget));
	return TRUE;
}

TuskResultModel *tusk_result_grid_get_model(TuskResultGrid *self)
{
	return self->model;
}

void tusk_result_grid_scroll_to(TuskResultGrid *self, guint row)
{
	/* GTK 4.8 has no gtk_column_view_scroll_to: move the adjustment to
	 * the row's share of the height */
	GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment(self->scroller);
	guint n = g_list_model_get_n_items(G_LIST_MODEL(self->model));
	if (!n)
		return;
	double upper = gtk_adjustment_get_upper(adj) - gtk_adjustment_get_page_size(adj);
	gtk_adjustment_set_value(adj, upper * ((double)row / (double)MAX(n - 1, 1)));
}

TuskResultGrid *tusk_result_grid_new(TuskResultModel *model)
{
	TuskResultGrid *self = g_object_new(TUSK_TYPE_RESULT_GRID, NULL);
	self->model = g_object_ref(model);
	self->selection = gtk_multi_selection_new(G_LIST_MODEL(g_object_ref(model)));
	/* the view takes a reference of its own */
	self->view = GTK_COLUMN_VIEW(
	    gtk_column_view_new(GTK_SELECTION_MODEL(g_object_ref(self->selection))));
	gtk_column_view_set_show_column_separators(self->view, TRUE);
	gtk_column_view_set_show_row_separators(self->view, TRUE);
	gtk_column_view_set_reorderable(self->view, FALSE);
	gtk_widget_add_css_class(GTK_WIDGET(self->view), "data-table");
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
	                               "Result Grid", -1);
	guint ncols = tusk_result_model_get_n_columns(model);
	for (guint c = 0; c < ncols; c++) {
		GtkListItemFactory *f = gtk_signal_list_item_factory_new();
		g_object_set_data(G_OBJECT(f), "numeric",
		                  GINT_TO_POINTER(tusk_result_model_column_is_numeric(model, c)));
		g_signal_connect(f, "setup", G_CALLBACK(cell_setup), NULL);
		g_signal_connect(f, "bind", G_CALLBACK(cell_bind), GUINT_TO_POINTER(c));
		const char *type = tusk_result_model_get_column_type(model, c);
		g_autofree char *title =
		    type ? g_strdup_printf("%s\n%s", tusk_result_model_get_column_name(model, c),
		                           type)
		         : g_strdup(tusk_result_model_get_column_name(model, c));
		GtkColumnViewColumn *column = gtk_column_view_column_new(title, f);
		gtk_column_view_column_set_resizable(column, TRUE);
		gtk_column_view_append_column(self->view, column);
		g_object_unref(column);
	}
	self->scroller = GTK_SCROLLED_WINDOW(gtk_scrolled_window_new());
	gtk_widget_set_vexpand(GTK_WIDGET(self->scroller), TRUE);
	gtk_widget_set_hexpand(GTK_WIDGET(self->scroller), TRUE);
	gtk_scrolled_window_set_child(self->scroller, GTK_WIDGET(self->view));
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->scroller));
	return self;
}

static void tusk_result_grid_dispose(GObject *object)
{
	TuskResultGrid *self = TUSK_RESULT_GRID(object);
	GtkWidget *child;
	while ((child = gtk_widget_get_first_child(GTK_WIDGET(self))))
		gtk_box_remove(GTK_BOX(self), child);
	g_clear_object(&self->selection);
	g_clear_object(&self->model);
	G_OBJECT_CLASS(tusk_result_grid_parent_class)->dispose(object);
}

static void tusk_result_grid_class_init(TuskResultGridClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = tusk_result_grid_dispose;
	gtk_widget_class_add_binding(GTK_WIDGET_CLASS(klass), GDK_KEY_c, GDK_CONTROL_MASK, on_copy,
	                             NULL);
}

static void tusk_result_grid_init(TuskResultGrid *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
}
