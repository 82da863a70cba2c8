#include "client-gtk/tusk-history-panel.h"

#include "common/model-query.h"
#include "common/timestamp.h"

struct _TuskHistoryPanel {
	GtkBox parent_instance;
	GtkSearchEntry *search;
	GtkCheckButton *this_connection;
	GtkListBox *list;
	TuskRpc *rpc;
	char *connection_id;
	GCancellable *cancel;
};

enum { SIGNAL_OPEN_SQL, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(TuskHistoryPanel, tusk_history_panel, GTK_TYPE_BOX)

/* One row from the common model's history entry: the same shape tuskd
 * answers history.list with and tuskctl reads. */
static GtkWidget *entry_row(const TuskQueryHistoryEntry *h)
{
	GtkWidget *row = gtk_list_box_row_new();
	g_object_set_data_full(G_OBJECT(row), "sql", g_strdup(h->sql), g_free);
	g_object_set_data_full(G_OBJECT(row), "connection_id", g_strdup(h->connection_id), g_free);
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	g_autofree char *one = g_strdup(h->sql ? h->sql : "");
	g_strdelimit(one, "\n\t", ' ');
	GtkWidget *text = gtk_label_new(one);
	gtk_label_set_xalign(GTK_LABEL(text), 0);
	gtk_label_set_ellipsize(GTK_LABEL(text), PANGO_ELLIPSIZE_END);
	gtk_widget_add_css_class(text, "monospace");
	char at[TUSK_TIMESTAMP_STRLEN] = "";
	tusk_timestamp_format(h->executed_at_us, 0, at);
	g_autofree char *meta =
	    h->rows >= 0
	        ? g_strdup_printf("%.19s · %" G_GINT64_FORMAT " ms · %s · %" G_GINT64_FORMAT
	                          " rows",
	                          at, h->duration_ms, tusk_history_status_name(h->status), h->rows)
	        : g_strdup_printf("%.19s · %" G_GINT64_FORMAT " ms · %s", at, h->duration_ms,
	                          tusk_history_status_name(h->status));
	GtkWidget *caption = gtk_label_new(meta);
	gtk_label_set_xalign(GTK_LABEL(caption), 0);
	gtk_widget_add_css_class(caption, "caption");
	gtk_widget_add_css_class(caption, "dim-label");
	gtk_box_append(GTK_BOX(box), text);
	gtk_box_append(GTK_BOX(box), caption);
	gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), box);
	gtk_accessible_update_property(GTK_ACCESSIBLE(row), GTK_ACCESSIBLE_PROPERTY_LABEL, one, -1);
	return row;
}

static void on_listed(GObject *source, GAsyncResult *res, gpointer data)
{
	TuskHistoryPanel *self = data;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (r) {
		GtkWidget *c;
		while ((c = gtk_widget_get_first_child(GTK_WIDGET(self->list))))
			gtk_list_box_remove(self->list, c);
		json_t *e;
		size_t i;
		json_array_foreach(json_object_get(r, "entries"), i, e)
		{
			TuskQueryHistoryEntry *h = NULL;
			if (tusk_query_history_entry_from_json(e, &h, NULL) < 0)
				continue; /* not the protocol's shape: not shown */
			gtk_list_box_append(self->list, entry_row(h));
			tusk_query_history_entry_free(h);
		}
		json_decref(r);
	}
	g_object_unref(self);
}

void tusk_history_panel_reload(TuskHistoryPanel *self)
{
	if (!self->rpc || !gtk_widget_get_mapped(GTK_WIDGET(self)))
		return;
	g_cancellable_cancel(self->cancel);
	g_clear_object(&self->cancel);
	self->cancel = g_cancellable_new();
	const char *text = gtk_editable_get_text(GTK_EDITABLE(self->search));
	json_t *params = tusk_req_history_list(&(TuskReqHistoryList){
	    .connection_id =
	        gtk_check_button_get_active(self->this_connection) ? self->connection_id : NULL,
	    .search = *text ? text : NULL,
	    .limit = 200});
	tusk_rpc_call_async(self->rpc, TUSK_M_HISTORY_LIST, params, self->cancel, on_listed,
	                    g_object_ref(self));
}

static void on_changed(GtkWidget *w, TuskHistoryPanel *self)
{
	tusk_history_panel_reload(self);
}

static void on_activated(GtkListBox *list, GtkListBoxRow *row, TuskHistoryPanel *self)
{
	g_signal_emit(self, signals[SIGNAL_OPEN_SQL], 0, g_object_get_data(G_OBJECT(row), "sql"),
	              g_object_get_data(G_OBJECT(row), "connection_id"), NULL);
}

void tusk_history_panel_set_rpc(TuskHistoryPanel *self, TuskRpc *rpc)
{
	self->rpc = g_object_ref(rpc);
}

void tusk_history_panel_set_connection(TuskHistoryPanel *self, const char *connection_id)
{
	if (g_strcmp0(self->connection_id, connection_id) == 0)
		return;
	g_free(self->connection_id);
	self->connection_id = g_strdup(connection_id);
	if (gtk_check_button_get_active(self->this_connection))
		tusk_history_panel_reload(self);
}

static gboolean tusk_history_panel_grab_focus(GtkWidget *w)
{
	return gtk_widget_grab_focus(GTK_WIDGET(TUSK_HISTORY_PANEL(w)->search));
}

static void tusk_history_panel_dispose(GObject *object)
{
	TuskHistoryPanel *self = TUSK_HISTORY_PANEL(object);
	if (self->cancel)
		g_cancellable_cancel(self->cancel);
	g_clear_object(&self->cancel);
	g_clear_object(&self->rpc);
	gtk_widget_dispose_template(GTK_WIDGET(self), TUSK_TYPE_HISTORY_PANEL);
	G_OBJECT_CLASS(tusk_history_panel_parent_class)->dispose(object);
}

static void tusk_history_panel_finalize(GObject *object)
{
	g_free(TUSK_HISTORY_PANEL(object)->connection_id);
	G_OBJECT_CLASS(tusk_history_panel_parent_class)->finalize(object);
}

static void tusk_history_panel_class_init(TuskHistoryPanelClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = tusk_history_panel_dispose;
	G_OBJECT_CLASS(klass)->finalize = tusk_history_panel_finalize;
	wc->grab_focus = tusk_history_panel_grab_focus;
	signals[SIGNAL_OPEN_SQL] =
	    g_signal_new("open-sql", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
	gtk_widget_class_set_template_from_resource(wc, "/app/tusk/Tusk/tusk-history-panel.ui");
	gtk_widget_class_bind_template_child(wc, TuskHistoryPanel, search);
	gtk_widget_class_bind_template_child(wc, TuskHistoryPanel, this_connection);
	gtk_widget_class_bind_template_child(wc, TuskHistoryPanel, list);
}

static void tusk_history_panel_init(TuskHistoryPanel *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	g_signal_connect(self->search, "search-changed", G_CALLBACK(on_changed), self);
	g_signal_connect(self->this_connection, "toggled", G_CALLBACK(on_changed), self);
	g_signal_connect(self->list, "row-activated", G_CALLBACK(on_activated), self);
	g_signal_connect_swapped(self, "map", G_CALLBACK(tusk_history_panel_reload), self);
}
