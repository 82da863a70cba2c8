#include "client-gtk/tusk-result-grid.h"

#include <adwaita.h>

#include "client-gtk/tusk-export-dialog.h"
#include "client-gtk/tusk-result-row.h"
#include "client-gtk/tusk-window.h"

struct _TuskResultGrid {
	GtkBox parent_instance;
	TuskResultModel *model;
	GtkMultiSelection *selection;
	GtkColumnView *view;
	GtkScrolledWindow *scroller;
	GtkWidget *menu; /* the cells' context menu */
	guint cell_row;  /* the cell last clicked (Copy Cell) */
	guint cell_col;
	gboolean cell_set;
	GCancellable *copying; /* a copy of rows being fetched */
	GHashTable *waiting;   /* GtkListItem of cells shown blank: their row is
	                          being fetched (not owned) */
	guint *col_chars;      /* each column's width now, in characters */
	int char_width;        /* Pango units, for the view's font now */
	guint font_serial;     /* the view's PangoContext serial it is for */
	int widths_for;        /* the char_width the columns' widths were set with */
	guint font_idle;       /* the font or scale changed: widths again */
	gboolean want;         /* cells were bound blank: fetch after the frame */
	guint shown_first;     /* the first row shown at the last frame */
	guint settle;          /* the scroll jumped: the rest when it rests */
	guint rest_ms;         /* how long it rests first (100) */
	gulong after_paint;    /* on the frame clock, while realized */
	guint cells_bound, cells_shown, metrics_asked;
};

G_DEFINE_FINAL_TYPE(TuskResultGrid, tusk_result_grid, GTK_TYPE_BOX)

static void grid_message(TuskResultGrid *self, const char *text)
{
	/* the window shows it as a toast */
	GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
	if (TUSK_IS_WINDOW(root))
		tusk_window_toast(TUSK_WINDOW(root), text);
}

/* A click on a cell makes it the current cell; the secondary button
 * also opens the context menu there. One gesture on the view (not one per
 * cell: the view makes hundreds of cells before its first frame). */
static void on_cell_pressed(GtkGestureClick *gesture, int n_press, double x, double y,
                            TuskResultGrid *self)
{
	GtkWidget *view = GTK_WIDGET(self->view);
	GtkWidget *label = gtk_widget_pick(view, x, y, GTK_PICK_DEFAULT);
	while (label && label != view && !g_object_get_data(G_OBJECT(label), "item"))
		label = gtk_widget_get_parent(label);
	if (!label || label == view)
		return;
	GtkListItem *item = g_object_get_data(G_OBJECT(label), "item");
	guint pos = gtk_list_item_get_position(item);
	if (pos == GTK_INVALID_LIST_POSITION)
		return;
	self->cell_row = pos;
	self->cell_col = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(label), "column"));
	self->cell_set = TRUE;
	if (gtk_gesture_single_get_current_button(GTK_GESTURE_SINGLE(gesture)) !=
	    GDK_BUTTON_SECONDARY)
		return;
	if (!gtk_selection_model_is_selected(GTK_SELECTION_MODEL(self->selection), pos))
		gtk_selection_model_select_item(GTK_SELECTION_MODEL(self->selection), pos, TRUE);
	graphene_point_t p;
	if (!gtk_widget_compute_point(view, GTK_WIDGET(self),
	                              &GRAPHENE_POINT_INIT((float)x, (float)y), &p))
		return;
	gtk_popover_set_pointing_to(GTK_POPOVER(self->menu),
	                            &(GdkRectangle){(int)p.x, (int)p.y, 1, 1});
	gtk_popover_popup(GTK_POPOVER(self->menu));
}

static void cell_setup(GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
	gboolean numeric = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(f), "numeric"));
	/* an inscription, not a label: it takes the column's width without
	 * measuring its text, so laying out the rows the view makes is cheap */
	GtkWidget *label =
	    g_object_new(GTK_TYPE_INSCRIPTION, "accessible-role", GTK_ACCESSIBLE_ROLE_LABEL, NULL);
	g_object_set_data(G_OBJECT(label), "column", data);
	g_object_set_data(G_OBJECT(label), "item", item); /* the item owns the label */
	gtk_inscription_set_xalign(GTK_INSCRIPTION(label), numeric ? 1.0f : 0.0f);
	gtk_inscription_set_text_overflow(GTK_INSCRIPTION(label),
	                                  GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
	gtk_list_item_set_child(item, label);
}

/* The text shown; GtkInscription makes it the accessible name it is read
 * by (GTK 4.8 does so in gtk_inscription_set_text). */
static void cell_set_text(GtkInscription *cell, const char *text)
{
	if (g_strcmp0(gtk_inscription_get_text(cell), text) == 0)
		return;
	gtk_inscription_set_text(cell, text);
}

/* Shows the cell's text if its row is here (FALSE: blank; its page is
 * asked for after the frame, grid_fetch). */
static gboolean cell_show(TuskResultGrid *self, GtkListItem *item, guint col)
{
	GtkInscription *label = GTK_INSCRIPTION(gtk_list_item_get_child(item));
	TuskResultRow *row = gtk_list_item_get_item(item);
	gboolean is_null = FALSE;
	const char *text = tusk_result_model_peek_cell(
	    tusk_result_row_get_model(row), tusk_result_row_get_index(row), col, &is_null);
	if (self)
		self->cells_shown++;
	if (is_null) {
		cell_set_text(label, "NULL");
		gtk_widget_add_css_class(GTK_WIDGET(label), "tusk-null");
	} else {
		/* one line per cell; the whole text is in the copy */
		const char *nl = text ? strchr(text, '\n') : NULL;
		if (nl) {
			g_autofree char *first = g_strndup(text, (gsize)(nl - text));
			g_autofree char *shown = g_strconcat(first, " …", NULL);
			cell_set_text(label, shown);
		} else {
			cell_set_text(label, text ? text : "");
		}
		gtk_widget_remove_css_class(GTK_WIDGET(label), "tusk-null");
	}
	return text || is_null;
}

static void cell_bind(GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
	TuskResultGrid *self = g_object_get_data(G_OBJECT(f), "grid");
	if (self)
		self->cells_bound++;
	if (!cell_show(self, item, GPOINTER_TO_UINT(data)) && self && self->waiting) {
		g_hash_table_add(self->waiting, item);
		self->want = TRUE;
	}
}

static void cell_unbind(GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
	TuskResultGrid *self = g_object_get_data(G_OBJECT(f), "grid");
	if (self && self->waiting)
		g_hash_table_remove(self->waiting, item);
}

/* The width of a character in the view's font (Pango units), asked of
 * Pango again only when the font or the scale changed (the context's
 * serial moves). */
static int grid_char_width(TuskResultGrid *self)
{
	PangoContext *pc = gtk_widget_get_pango_context(GTK_WIDGET(self->view));
	guint serial = pango_context_get_serial(pc);
	if (self->char_width && serial == self->font_serial)
		return self->char_width;
	PangoFontMetrics *fm = pango_context_get_metrics(pc, NULL, NULL);
	self->char_width = MAX(pango_font_metrics_get_approximate_char_width(fm),
	                       pango_font_metrics_get_approximate_digit_width(fm));
	pango_font_metrics_unref(fm);
	self->font_serial = serial;
	self->metrics_asked++;
	return self->char_width;
}

/* Characters of a cell's first line, at most the cells' 48. */
static guint cell_chars(const char *text)
{
	guint n = 0;
	for (const char *p = text; p && *p && *p != '\n' && n < 48; p = g_utf8_next_char(p))
		n++;
	return n;
}

/* Each column as wide as its header and the widest cell of the rows
 * loaded so far (counted in characters, at most 48), growing when a page
 * brings a wider one and never shrinking: the view does not measure every
 * cell of the rows it makes to size its columns (hundreds of cells before
 * the first rows can be painted), and columns do not jump back and forth
 * as the grid scrolls. A person can still resize them. */
static void grid_size_columns(TuskResultGrid *self, guint first, guint n)
{
	if (!self->view || !self->col_chars)
		return;
	int ch = grid_char_width(self);
	GListModel *cols = gtk_column_view_get_columns(self->view);
	guint ncols = g_list_model_get_n_items(cols);
	gboolean refont = self->widths_for && ch != self->widths_for;
	self->widths_for = ch;
	for (guint c = 0; c < ncols; c++) {
		guint chars = MAX(cell_chars(tusk_result_model_get_column_name(self->model, c)),
		                  cell_chars(tusk_result_model_get_column_type(self->model, c)));
		for (guint r = first; r < first + MIN(n, 256u); r++) {
			gboolean is_null = FALSE;
			const char *t = tusk_result_model_peek_cell(self->model, r, c, &is_null);
			chars = MAX(chars, is_null ? 4 : cell_chars(t));
		}
		chars = MAX(chars, 4u);
		if (chars <= self->col_chars[c] && !refont)
			continue;
		chars = MAX(chars, self->col_chars[c]);
		self->col_chars[c] = chars;
		g_autoptr(GtkColumnViewColumn) col = g_list_model_get_item(cols, c);
		/* the cell's and the header's padding, the resize handle */
		gtk_column_view_column_set_fixed_width(
		    col, (int)((chars + 2) * (guint)ch / PANGO_SCALE) + 16);
	}
}

/* The rows shown now, from the scrolled window's position (the view's
 * rows are as high as each other), and as many again above and below. */
static gboolean grid_shown_rows(TuskResultGrid *self, guint *first, guint *n, guint *top)
{
	GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment(self->scroller);
	guint rows = g_list_model_get_n_items(G_LIST_MODEL(self->model));
	double upper = gtk_adjustment_get_upper(adj);
	if (!rows || upper <= 0)
		return FALSE;
	double per_row = upper / rows;
	guint shown = (guint)(gtk_adjustment_get_page_size(adj) / per_row) + 2;
	*top = (guint)MIN(gtk_adjustment_get_value(adj) / per_row, (double)(rows - 1));
	*first = *top > shown ? *top - shown : 0;
	*n = 3 * shown;
	return TRUE;
}

static guint item_column(gpointer item)
{
	return GPOINTER_TO_UINT(
	    g_object_get_data(G_OBJECT(gtk_list_item_get_child(item)), "column"));
}

/* The cells shown blank: those whose rows are here now get their text,
 * the pages of the others are fetched, and the pages either side of them
 * and of the rows shown (scrolling either way finds them here). */
static void grid_fetch_waiting(TuskResultGrid *self)
{
	GHashTableIter it;
	gpointer item;
	guint lo = G_MAXUINT, hi = 0;
	g_hash_table_iter_init(&it, self->waiting);
	while (g_hash_table_iter_next(&it, &item, NULL)) {
		TuskResultRow *row = gtk_list_item_get_item(item);
		if (!row)
			continue;
		guint index = tusk_result_row_get_index(row);
		lo = MIN(lo, index);
		hi = MAX(hi, index);
		gboolean is_null;
		if ((tusk_result_model_peek_cell(self->model, index, item_column(item), &is_null) ||
		     is_null) &&
		    cell_show(self, item, item_column(item)))
			g_hash_table_iter_remove(&it);
	}
	self->want = FALSE;
	guint first, n, top;
	if (grid_shown_rows(self, &first, &n, &top)) {
		lo = MIN(lo, first);
		hi = MAX(hi, first + n - 1);
	}
	if (lo > hi)
		return;
	/* and a page either side */
	lo = lo > TUSK_RESULT_PAGE_ROWS ? lo - TUSK_RESULT_PAGE_ROWS : 0;
	tusk_result_model_want_rows(self->model, lo, hi - lo + 1 + TUSK_RESULT_PAGE_ROWS);
}

static gboolean grid_settle(gpointer data)
{
	TuskResultGrid *self = data;
	self->settle = 0;
	grid_fetch_waiting(self);
	return G_SOURCE_REMOVE;
}

/* After each frame: the pages of the cells the view bound blank. GTK 4.8's
 * view binds ~200 rows around the ~20 shown; while the scroll jumps (more
 * than a page of rows since the last frame, as a dragged scrollbar does)
 * only the rows shown are fetched, and the rest with their neighbours once
 * it rests: a jump does not fetch, parse and drop pages nobody sees. */
static void on_after_paint(GdkFrameClock *clock, TuskResultGrid *self)
{
	guint first, n, top;
	if (!grid_shown_rows(self, &first, &n, &top))
		return;
	guint moved = top > self->shown_first ? top - self->shown_first : self->shown_first - top;
	self->shown_first = top;
	if (!self->want)
		return;
	if (moved < TUSK_RESULT_PAGE_ROWS) {
		g_clear_handle_id(&self->settle, g_source_remove);
		grid_fetch_waiting(self);
		return;
	}
	tusk_result_model_want_rows(self->model, first, n);
	g_clear_handle_id(&self->settle, g_source_remove);
	self->settle = g_timeout_add(self->rest_ms, grid_settle, self);
}

void tusk_result_grid_set_rest_ms(TuskResultGrid *self, guint ms)
{
	self->rest_ms = ms;
	if (self->settle) {
		g_source_remove(self->settle);
		self->settle = g_timeout_add(ms, grid_settle, self);
	}
}

/* Rows arrived (a page, or a streamed batch): the cells shown blank
 * while their rows were fetched get their text (the rows' widgets stay; a
 * list view would otherwise rebuild them all). Cells bound with their text
 * are not touched again: a streamed batch's rows are in the model before
 * the view binds them. A blank cell past the rows that came, on their
 * page, asks again: the page was cut short (the daemon's byte limit) and
 * only that ask fetches its rest. */
static void on_rows_loaded(TuskResultModel *model, guint first, guint n, TuskResultGrid *self)
{
	grid_size_columns(self, first, n);
	guint from = 0, to = G_MAXUINT, shown_n;
	/* while the scroll jumps, only the rows shown: the others' cells get
	 * theirs when it rests (grid_settle), or are bound elsewhere first */
	if (self->settle && grid_shown_rows(self, &from, &shown_n, &to))
		to = from + shown_n;
	GHashTableIter it;
	gpointer item;
	guint page = (first + n - 1) / TUSK_RESULT_PAGE_ROWS, rest = G_MAXUINT;
	g_hash_table_iter_init(&it, self->waiting);
	while (g_hash_table_iter_next(&it, &item, NULL)) {
		TuskResultRow *row = gtk_list_item_get_item(item);
		guint index = row ? tusk_result_row_get_index(row) : G_MAXUINT;
		if (index >= first && index - first < n) {
			if (index >= from && index < to && cell_show(self, item, item_column(item)))
				g_hash_table_iter_remove(&it);
		} else if (index != G_MAXUINT && index >= first + n &&
		           index / TUSK_RESULT_PAGE_ROWS == page) {
			rest = MIN(rest, index);
		}
	}
	if (rest != G_MAXUINT) {
		/* one ask fetches the page's rest; its rows-loaded shows them */
		gboolean is_null;
		tusk_result_model_get_cell(self->model, rest, 0, &is_null);
	}
}

static gboolean grid_refont(gpointer data)
{
	TuskResultGrid *self = data;
	self->font_idle = 0;
	grid_size_columns(self, 0, 0);
	return G_SOURCE_REMOVE;
}

/* The font or the scale changed: the columns' widths in the new font,
 * once GTK has given the view's Pango context the new font. */
static void on_font_changed(GObject *object, GParamSpec *pspec, TuskResultGrid *self)
{
	if (!self->font_idle)
		self->font_idle = g_idle_add(grid_refont, self);
}

static void on_grid_realize(GtkWidget *widget)
{
	TuskResultGrid *self = TUSK_RESULT_GRID(widget);
	self->after_paint = g_signal_connect(gtk_widget_get_frame_clock(widget), "after-paint",
	                                     G_CALLBACK(on_after_paint), self);
	GtkSettings *settings = gtk_widget_get_settings(widget);
	g_signal_connect_object(settings, "notify::gtk-font-name", G_CALLBACK(on_font_changed),
	                        self, 0);
	g_signal_connect_object(settings, "notify::gtk-xft-dpi", G_CALLBACK(on_font_changed), self,
	                        0);
	on_font_changed(NULL, NULL, self); /* the font it has now it is shown in */
}

static void on_grid_unrealize(GtkWidget *widget)
{
	TuskResultGrid *self = TUSK_RESULT_GRID(widget);
	g_clear_signal_handler(&self->after_paint, gtk_widget_get_frame_clock(widget));
	g_clear_handle_id(&self->settle, g_source_remove);
	g_signal_handlers_disconnect_by_func(gtk_widget_get_settings(widget), on_font_changed,
	                                     widget);
}

guint tusk_result_grid_get_cells_bound(TuskResultGrid *self)
{
	return self->cells_bound;
}

guint tusk_result_grid_get_cells_shown(TuskResultGrid *self)
{
	return self->cells_shown;
}

guint tusk_result_grid_get_cells_waiting(TuskResultGrid *self)
{
	return g_hash_table_size(self->waiting);
}

guint tusk_result_grid_get_metrics_asked(TuskResultGrid *self)
{
	return self->metrics_asked;
}

guint tusk_result_grid_get_column_chars(TuskResultGrid *self, guint col)
{
	return self->col_chars ? self->col_chars[col] : 0;
}

static void on_rows_copied(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *text =
	    tusk_result_model_copy_rows_finish(TUSK_RESULT_MODEL(source), res, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	TuskResultGrid *self = data;
	g_clear_object(&self->copying);
	if (!text) {
		grid_message(self, error->message);
		return;
	}
	gdk_clipboard_set_text(gtk_widget_get_clipboard(GTK_WIDGET(self)), text);
}

/* The selected rows as TSV; rows whose page is not here are fetched
 * first (the clipboard is set when they are). */
static void grid_copy_rows(TuskResultGrid *self)
{
	g_autoptr(GtkBitset) set =
	    gtk_selection_model_get_selection(GTK_SELECTION_MODEL(self->selection));
	g_autoptr(GArray) ranges = g_array_new(FALSE, FALSE, sizeof(TuskRowRange));
	GtkBitsetIter it;
	guint row;
	for (gboolean ok = gtk_bitset_iter_init_first(&it, set, &row); ok;
	     ok = gtk_bitset_iter_next(&it, &row)) {
		TuskRowRange *last =
		    ranges->len ? &g_array_index(ranges, TuskRowRange, ranges->len - 1) : NULL;
		if (last && last->first + last->n_rows == row)
			last->n_rows++;
		else
			g_array_append_val(ranges, ((TuskRowRange){row, 1}));
		if (gtk_bitset_get_size(set) > TUSK_RESULT_COPY_MAX_ROWS)
			break; /* the model says it is too many */
	}
	if (gtk_bitset_get_size(set) > TUSK_RESULT_COPY_MAX_ROWS)
		g_array_index(ranges, TuskRowRange, ranges->len - 1).n_rows =
		    (guint)MIN(gtk_bitset_get_size(set), G_MAXUINT);
	if (!ranges->len)
		return;
	g_cancellable_cancel(self->copying);
	g_clear_object(&self->copying);
	self->copying = g_cancellable_new();
	tusk_result_model_copy_rows_async(self->model, ranges, self->copying, on_rows_copied, self);
}

/* The current cell's whole text (NULL copies as nothing at all). */
static void grid_copy_cell(TuskResultGrid *self)
{
	guint row = self->cell_row, col = self->cell_col;
	if (!self->cell_set) {
		/* no cell clicked yet: the first column of the first selected row */
		g_autoptr(GtkBitset) set =
		    gtk_selection_model_get_selection(GTK_SELECTION_MODEL(self->selection));
		if (gtk_bitset_is_empty(set))
			return;
		row = gtk_bitset_get_minimum(set);
		col = 0;
	}
	gboolean is_null = FALSE;
	const char *text = tusk_result_model_get_cell(self->model, row, col, &is_null);
	if (!text && !is_null) {
		grid_message(self, "The cell's rows are still loading: copy again");
		return;
	}
	gdk_clipboard_set_text(gtk_widget_get_clipboard(GTK_WIDGET(self)), text ? text : "");
}

static void grid_export(TuskResultGrid *self)
{
	if (!tusk_result_model_get_query_id(self->model)) {
		grid_message(self, "Only results kept by tuskd can be exported");
		return;
	}
	GtkWindow *parent = GTK_WINDOW(gtk_widget_get_root(GTK_WIDGET(self)));
	TuskExportDialog *dialog = g_object_get_data(G_OBJECT(parent), "tusk-export-dialog");
	if (!dialog) {
		dialog = tusk_export_dialog_new(parent);
		g_object_set_data_full(G_OBJECT(parent), "tusk-export-dialog", dialog,
		                       (GDestroyNotify)gtk_window_destroy);
	}
	tusk_export_dialog_open(dialog, self->model);
}

static void on_action(GtkWidget *widget, const char *action, GVariant *param)
{
	TuskResultGrid *self = TUSK_RESULT_GRID(widget);
	if (g_str_equal(action, "grid.copy-cell"))
		grid_copy_cell(self);
	else if (g_str_equal(action, "grid.copy-rows"))
		grid_copy_rows(self);
	else
		grid_export(self);
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

static GtkWidget *bar_button(const char *icon, const char *label, const char *action)
{
	GtkWidget *b = gtk_button_new();
	gtk_button_set_child(GTK_BUTTON(b), adw_button_content_new());
	adw_button_content_set_icon_name(ADW_BUTTON_CONTENT(gtk_button_get_child(GTK_BUTTON(b))),
	                                 icon);
	adw_button_content_set_label(ADW_BUTTON_CONTENT(gtk_button_get_child(GTK_BUTTON(b))),
	                             label);
	gtk_widget_add_css_class(b, "flat");
	gtk_actionable_set_action_name(GTK_ACTIONABLE(b), action);
	/* the accessible name is the content's label (GTK 4.8 would append it
	 * to an explicit one) */
	return b;
}

/* Copy Cell, Copy Rows and Export under the grid; the same in the cells'
 * context menu. */
static void grid_add_bar(TuskResultGrid *self)
{
	GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 0);
	gtk_widget_set_halign(bar, GTK_ALIGN_END);
	gtk_box_append(GTK_BOX(bar),
	               bar_button("edit-copy-symbolic", "Copy Cell", "grid.copy-cell"));
	gtk_box_append(GTK_BOX(bar),
	               bar_button("edit-copy-symbolic", "Copy Rows", "grid.copy-rows"));
	GtkWidget *exp = bar_button("document-save-as-symbolic", "Export…", "grid.export");
	gtk_widget_set_tooltip_text(exp, "Export the result to a file (Ctrl+Shift+S)");
	gtk_widget_set_sensitive(exp, tusk_result_model_get_query_id(self->model) != NULL);
	gtk_box_append(GTK_BOX(bar), exp);
	gtk_box_append(GTK_BOX(self), bar);

	g_autoptr(GMenu) menu = g_menu_new();
	g_menu_append(menu, "Copy Cell", "grid.copy-cell");
	g_menu_append(menu, "Copy Selected Rows", "grid.copy-rows");
	g_menu_append(menu, "Export Result…", "grid.export");
	self->menu = gtk_popover_menu_new_from_model(G_MENU_MODEL(menu));
	gtk_popover_set_has_arrow(GTK_POPOVER(self->menu), FALSE);
	gtk_widget_set_halign(self->menu, GTK_ALIGN_START);
	gtk_widget_set_parent(self->menu, GTK_WIDGET(self));
}

TuskResultGrid *tusk_result_grid_new(TuskResultModel *model)
{
	TuskResultGrid *self = g_object_new(TUSK_TYPE_RESULT_GRID, NULL);
	self->model = g_object_ref(model);
	self->waiting = g_hash_table_new(NULL, NULL);
	g_signal_connect_object(model, "rows-loaded", G_CALLBACK(on_rows_loaded), self, 0);
	self->selection = gtk_multi_selection_new(G_LIST_MODEL(g_object_ref(model)));
	/* the view takes a reference of its own */
	self->view = GTK_COLUMN_VIEW(
	    gtk_column_view_new(GTK_SELECTION_MODEL(g_object_ref(self->selection))));
	gtk_column_view_set_show_column_separators(self->view, TRUE);
	gtk_column_view_set_show_row_separators(self->view, TRUE);
	gtk_column_view_set_reorderable(self->view, FALSE);
	gtk_widget_add_css_class(GTK_WIDGET(self->view), "data-table");
	GtkGesture *click = gtk_gesture_click_new();
	gtk_gesture_single_set_button(GTK_GESTURE_SINGLE(click), 0);
	gtk_event_controller_set_propagation_phase(GTK_EVENT_CONTROLLER(click), GTK_PHASE_CAPTURE);
	g_signal_connect(click, "pressed", G_CALLBACK(on_cell_pressed), self);
	gtk_widget_add_controller(GTK_WIDGET(self->view), GTK_EVENT_CONTROLLER(click));
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
	                               "Result Grid", -1);
	guint ncols = tusk_result_model_get_n_columns(model);
	self->col_chars = g_new0(guint, MAX(ncols, 1u));
	for (guint c = 0; c < ncols; c++) {
		GtkListItemFactory *f = gtk_signal_list_item_factory_new();
		g_object_set_data(G_OBJECT(f), "numeric",
		                  GINT_TO_POINTER(tusk_result_model_column_is_numeric(model, c)));
		g_signal_connect(f, "setup", G_CALLBACK(cell_setup), GUINT_TO_POINTER(c));
		g_object_set_data(G_OBJECT(f), "grid", self);
		g_signal_connect(f, "bind", G_CALLBACK(cell_bind), GUINT_TO_POINTER(c));
		g_signal_connect(f, "unbind", G_CALLBACK(cell_unbind), GUINT_TO_POINTER(c));
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
	grid_size_columns(self, 0, 0); /* the headers until rows come */
	self->scroller = GTK_SCROLLED_WINDOW(gtk_scrolled_window_new());
	gtk_widget_set_vexpand(GTK_WIDGET(self->scroller), TRUE);
	gtk_widget_set_hexpand(GTK_WIDGET(self->scroller), TRUE);
	gtk_scrolled_window_set_child(self->scroller, GTK_WIDGET(self->view));
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->scroller));
	grid_add_bar(self);
	return self;
}

GtkScrolledWindow *tusk_result_grid_get_scroller(TuskResultGrid *self)
{
	return self->scroller;
}

static void tusk_result_grid_dispose(GObject *object)
{
	TuskResultGrid *self = TUSK_RESULT_GRID(object);
	GtkWidget *child;
	g_cancellable_cancel(self->copying);
	g_clear_object(&self->copying);
	g_clear_handle_id(&self->font_idle, g_source_remove);
	g_clear_handle_id(&self->settle, g_source_remove);
	g_clear_pointer(&self->menu, gtk_widget_unparent);
	if (self->view) {
		/* the factories may outlive us: they stop pointing here */
		GListModel *cols = gtk_column_view_get_columns(self->view);
		for (guint i = 0; i < g_list_model_get_n_items(cols); i++) {
			g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item(cols, i);
			g_object_set_data(G_OBJECT(gtk_column_view_column_get_factory(c)), "grid",
			                  NULL);
		}
		self->view = NULL;
	}
	while ((child = gtk_widget_get_first_child(GTK_WIDGET(self))))
		gtk_box_remove(GTK_BOX(self), child);
	g_clear_pointer(&self->waiting, g_hash_table_unref);
	g_clear_pointer(&self->col_chars, g_free);
	g_clear_object(&self->selection);
	g_clear_object(&self->model);
	G_OBJECT_CLASS(tusk_result_grid_parent_class)->dispose(object);
}

static void tusk_result_grid_class_init(TuskResultGridClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = tusk_result_grid_dispose;
	gtk_widget_class_install_action(wc, "grid.copy-cell", NULL, on_action);
	gtk_widget_class_install_action(wc, "grid.copy-rows", NULL, on_action);
	gtk_widget_class_install_action(wc, "grid.export", NULL, on_action);
	gtk_widget_class_add_binding_action(wc, GDK_KEY_c, GDK_CONTROL_MASK, "grid.copy-rows",
	                                    NULL);
	gtk_widget_class_add_binding_action(wc, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
	                                    "grid.copy-cell", NULL);
	gtk_widget_class_add_binding_action(wc, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
	                                    "grid.export", NULL);
}

static void tusk_result_grid_init(TuskResultGrid *self)
{
	self->rest_ms = 100;
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	g_signal_connect(self, "realize", G_CALLBACK(on_grid_realize), NULL);
	g_signal_connect(self, "unrealize", G_CALLBACK(on_grid_unrealize), NULL);
	g_signal_connect(self, "notify::scale-factor", G_CALLBACK(on_font_changed), self);
}
