#include "client-gtk/tusk-export-dialog.h"

#include "common/error.h"

static const struct {
	const char *label, *format, *suffix;
} formats[] = {
    {"CSV", "csv", ".csv"},
    {"TSV", "tsv", ".tsv"},
    {"JSON", "json", ".json"},
    {"JSON Lines", "jsonl", ".jsonl"},
};
#define N_FORMATS G_N_ELEMENTS(formats)

struct _TuskExportDialog {
	AdwWindow parent_instance;
	TuskResultModel *model;
	TuskRpc *rpc;
	GtkToggleButton *format_buttons[N_FORMATS];
	GtkEntry *path_entry;
	GtkProgressBar *progress;
	GtkLabel *status;
	GtkButton *export_button;
	GtkButton *cancel_button;
	GtkFileChooserNative *chooser;
	GCancellable *cancel; /* the query.export call */
	char *export_id;      /* while exporting */
	gulong progress_handler;
};

G_DEFINE_FINAL_TYPE(TuskExportDialog, tusk_export_dialog, ADW_TYPE_WINDOW)

static guint dialog_format(TuskExportDialog *self)
{
	for (guint i = 0; i < N_FORMATS; i++)
		if (gtk_toggle_button_get_active(self->format_buttons[i]))
			return i;
	return 0;
}

static void dialog_status(TuskExportDialog *self, const char *text)
{
	gtk_label_set_text(self->status, text);
}

static void dialog_set_running(TuskExportDialog *self, gboolean running)
{
	gtk_widget_set_sensitive(GTK_WIDGET(self->export_button), !running);
	gtk_widget_set_sensitive(GTK_WIDGET(self->path_entry), !running);
	for (guint i = 0; i < N_FORMATS; i++)
		gtk_widget_set_sensitive(GTK_WIDGET(self->format_buttons[i]), !running);
	gtk_button_set_label(self->cancel_button, running ? "Cancel Export" : "Close");
}

/* The suffix follows the format while the name still has a known one. */
static void on_format_toggled(GtkToggleButton *button, TuskExportDialog *self)
{
	if (!gtk_toggle_button_get_active(button))
		return;
	const char *text = gtk_editable_get_text(GTK_EDITABLE(self->path_entry));
	const char *dot = strrchr(text, '.');
	if (!dot || strchr(dot, '/'))
		return;
	for (guint i = 0; i < N_FORMATS; i++) {
		if (g_strcmp0(dot, formats[i].suffix) == 0) {
			g_autofree char *base = g_strndup(text, (gsize)(dot - text));
			g_autofree char *path =
			    g_strconcat(base, formats[dialog_format(self)].suffix, NULL);
			gtk_editable_set_text(GTK_EDITABLE(self->path_entry), path);
			return;
		}
	}
}

static void on_progress(TuskRpc *rpc, const char *method, json_t *params, TuskExportDialog *self)
{
	if (!self->export_id ||
	    g_strcmp0(json_string_value(json_object_get(params, "export_id")), self->export_id))
		return;
	json_int_t rows = json_integer_value(json_object_get(params, "rows"));
	json_int_t total = json_integer_value(json_object_get(params, "total_rows"));
	gtk_progress_bar_set_fraction(self->progress, total > 0 ? (double)rows / (double)total : 0);
	g_autofree char *text = g_strdup_printf(
	    "%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT " rows", rows, total);
	gtk_progress_bar_set_text(self->progress, text);
	dialog_status(self, "Exporting…");
}

static void on_exported(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	json_t *result = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return; /* the dialog went away */
	TuskExportDialog *self = data;
	g_clear_pointer(&self->export_id, g_free);
	dialog_set_running(self, FALSE);
	if (!result) {
		/* the daemon removed the partial file */
		gboolean cancelled =
		    tusk_error_kind_from_rpc_code(error->code) == TUSK_ERR_QUERY_CANCELLED;
		gtk_progress_bar_set_fraction(self->progress, 0);
		gtk_progress_bar_set_text(self->progress, cancelled ? "Cancelled" : "Failed");
		g_autofree char *text = cancelled
		                            ? g_strdup("Export cancelled; no file was written")
		                            : g_strdup_printf("Export failed: %s", error->message);
		dialog_status(self, text);
		return;
	}
	json_int_t rows = json_integer_value(json_object_get(result, "rows"));
	json_int_t bytes = json_integer_value(json_object_get(result, "bytes"));
	g_autofree char *size = g_format_size((guint64)bytes);
	g_autofree char *text =
	    g_strdup_printf("Exported %" JSON_INTEGER_FORMAT " rows (%s) to %s", rows, size,
	                    json_string_value(json_object_get(result, "path")));
	gtk_progress_bar_set_fraction(self->progress, 1.0);
	gtk_progress_bar_set_text(self->progress, "Done");
	dialog_status(self, text);
	json_decref(result);
}

static void dialog_export(GtkWidget *widget, const char *action, GVariant *param)
{
	TuskExportDialog *self = TUSK_EXPORT_DIALOG(widget);
	if (self->export_id)
		return;
	const char *text = gtk_editable_get_text(GTK_EDITABLE(self->path_entry));
	if (!*text) {
		dialog_status(self, "Choose a file to export to");
		return;
	}
	/* the daemon writes the file: it needs an absolute path */
	g_autofree char *expanded = text[0] == '~' && (text[1] == '/' || !text[1])
	                                ? g_build_filename(g_get_home_dir(), text + 1, NULL)
	                                : g_strdup(text);
	g_autofree char *path = g_canonicalize_filename(expanded, g_get_home_dir());
	self->export_id = g_uuid_string_random();
	g_cancellable_cancel(self->cancel);
	g_clear_object(&self->cancel);
	self->cancel = g_cancellable_new();
	dialog_set_running(self, TRUE);
	gtk_progress_bar_set_fraction(self->progress, 0);
	gtk_progress_bar_set_text(self->progress, "Starting");
	dialog_status(self, "Exporting…");
	tusk_rpc_call_async(self->rpc, TUSK_M_QUERY_EXPORT,
	                    tusk_req_query_export(tusk_result_model_get_query_id(self->model),
	                                          tusk_result_model_get_result_index(self->model),
	                                          formats[dialog_format(self)].format, path,
	                                          self->export_id),
	                    self->cancel, on_exported, self);
}

static void dialog_cancel(GtkWidget *widget, const char *action, GVariant *param)
{
	TuskExportDialog *self = TUSK_EXPORT_DIALOG(widget);
	if (!self->export_id) {
		gtk_window_close(GTK_WINDOW(self));
		return;
	}
	/* the reply to query.export then says query_cancelled */
	tusk_rpc_send(self->rpc, TUSK_M_QUERY_EXPORT_CANCEL,
	              tusk_req_query_export_cancel(self->export_id));
	dialog_status(self, "Cancelling…");
}

static void on_chosen(GtkNativeDialog *native, int response, TuskExportDialog *self)
{
	if (response == GTK_RESPONSE_ACCEPT) {
		g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(native));
		g_autofree char *path = file ? g_file_get_path(file) : NULL;
		if (path)
			gtk_editable_set_text(GTK_EDITABLE(self->path_entry), path);
	}
	g_clear_object(&self->chooser);
}

static void dialog_choose(GtkWidget *widget, const char *action, GVariant *param)
{
	TuskExportDialog *self = TUSK_EXPORT_DIALOG(widget);
	if (self->chooser)
		return;
	self->chooser = gtk_file_chooser_native_new(
	    "Export To", GTK_WINDOW(self), GTK_FILE_CHOOSER_ACTION_SAVE, "_Export", "_Cancel");
	g_autofree char *name =
	    g_path_get_basename(gtk_editable_get_text(GTK_EDITABLE(self->path_entry)));
	gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(self->chooser), name);
	g_signal_connect(self->chooser, "response", G_CALLBACK(on_chosen), self);
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(self->chooser));
}

static GtkWidget *labelled(GtkWidget *w, const char *name)
{
	gtk_accessible_update_property(GTK_ACCESSIBLE(w), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
	return w;
}

static void dialog_build(TuskExportDialog *self)
{
	gtk_window_set_title(GTK_WINDOW(self), "Export Result");
	gtk_window_set_modal(GTK_WINDOW(self), TRUE);
	gtk_window_set_default_size(GTK_WINDOW(self), 560, -1);
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	GtkWidget *header = adw_header_bar_new();
	adw_header_bar_set_show_end_title_buttons(ADW_HEADER_BAR(header), FALSE);
	adw_header_bar_set_title_widget(ADW_HEADER_BAR(header),
	                                adw_window_title_new("Export Result", NULL));
	self->cancel_button = GTK_BUTTON(gtk_button_new_with_label("Close"));
	gtk_actionable_set_action_name(GTK_ACTIONABLE(self->cancel_button), "export.cancel");
	adw_header_bar_pack_start(ADW_HEADER_BAR(header), GTK_WIDGET(self->cancel_button));
	self->export_button = GTK_BUTTON(gtk_button_new_with_label("Export"));
	gtk_actionable_set_action_name(GTK_ACTIONABLE(self->export_button), "export.export");
	gtk_widget_add_css_class(GTK_WIDGET(self->export_button), "suggested-action");
	adw_header_bar_pack_end(ADW_HEADER_BAR(header), GTK_WIDGET(self->export_button));
	gtk_box_append(GTK_BOX(box), header);

	GtkWidget *body = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	gtk_widget_set_margin_start(body, 18);
	gtk_widget_set_margin_end(body, 18);
	gtk_widget_set_margin_top(body, 18);
	gtk_widget_set_margin_bottom(body, 18);

	GtkWidget *fmt = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 0);
	gtk_widget_add_css_class(fmt, "linked");
	labelled(fmt, "Format");
	for (guint i = 0; i < N_FORMATS; i++) {
		GtkWidget *b = gtk_toggle_button_new_with_label(formats[i].label);
		self->format_buttons[i] = GTK_TOGGLE_BUTTON(b);
		if (i)
			gtk_toggle_button_set_group(GTK_TOGGLE_BUTTON(b), self->format_buttons[0]);
		g_signal_connect(b, "toggled", G_CALLBACK(on_format_toggled), self);
		gtk_box_append(GTK_BOX(fmt), b);
	}
	gtk_box_append(GTK_BOX(body), fmt);

	GtkWidget *file_row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	self->path_entry = GTK_ENTRY(labelled(gtk_entry_new(), "File"));
	gtk_widget_set_hexpand(GTK_WIDGET(self->path_entry), TRUE);
	gtk_entry_set_activates_default(self->path_entry, TRUE);
	gtk_box_append(GTK_BOX(file_row), GTK_WIDGET(self->path_entry));
	GtkWidget *choose = gtk_button_new_from_icon_name("document-open-symbolic");
	gtk_widget_set_tooltip_text(choose, "Choose File");
	labelled(choose, "Choose File");
	gtk_actionable_set_action_name(GTK_ACTIONABLE(choose), "export.choose");
	gtk_box_append(GTK_BOX(file_row), choose);
	gtk_box_append(GTK_BOX(body), file_row);

	self->progress = GTK_PROGRESS_BAR(labelled(gtk_progress_bar_new(), "Export Progress"));
	gtk_progress_bar_set_show_text(self->progress, TRUE);
	gtk_progress_bar_set_text(self->progress, "");
	gtk_box_append(GTK_BOX(body), GTK_WIDGET(self->progress));

	self->status = GTK_LABEL(gtk_label_new(""));
	gtk_label_set_wrap(self->status, TRUE);
	gtk_label_set_xalign(self->status, 0);
	gtk_label_set_selectable(self->status, TRUE);
	/* labels that change are found by their description */
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->status),
	                               GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "Export Status", -1);
	gtk_box_append(GTK_BOX(body), GTK_WIDGET(self->status));

	gtk_box_append(GTK_BOX(box), body);
	adw_window_set_content(ADW_WINDOW(self), box);
	gtk_window_set_default_widget(GTK_WINDOW(self), GTK_WIDGET(self->export_button));
}

TuskExportDialog *tusk_export_dialog_new(GtkWindow *parent)
{
	return g_object_new(TUSK_TYPE_EXPORT_DIALOG, "transient-for", parent, "hide-on-close", TRUE,
	                    NULL);
}

void tusk_export_dialog_open(TuskExportDialog *self, TuskResultModel *model)
{
	if (self->export_id) {
		/* one export at a time: show the running one */
		gtk_window_present(GTK_WINDOW(self));
		return;
	}
	g_clear_signal_handler(&self->progress_handler, self->rpc);
	g_set_object(&self->model, model);
	g_set_object(&self->rpc, tusk_result_model_get_rpc(model));
	self->progress_handler = g_signal_connect(self->rpc, "notification::query.export_progress",
	                                          G_CALLBACK(on_progress), self);
	g_autofree char *name =
	    g_strdup_printf("result-%.8s%s", tusk_result_model_get_query_id(model),
	                    formats[dialog_format(self)].suffix);
	const char *dir = g_get_user_special_dir(G_USER_DIRECTORY_DOCUMENTS);
	g_autofree char *path = g_build_filename(dir ? dir : g_get_home_dir(), name, NULL);
	gtk_editable_set_text(GTK_EDITABLE(self->path_entry), path);
	gtk_progress_bar_set_fraction(self->progress, 0);
	gtk_progress_bar_set_text(self->progress, "");
	dialog_status(self, "");
	dialog_set_running(self, FALSE);
	gtk_window_present(GTK_WINDOW(self));
}

/* Closing the window while it exports cancels the export. */
static gboolean on_close_request(GtkWindow *window, gpointer data)
{
	TuskExportDialog *self = TUSK_EXPORT_DIALOG(window);
	if (self->export_id && self->rpc)
		tusk_rpc_send(self->rpc, TUSK_M_QUERY_EXPORT_CANCEL,
		              tusk_req_query_export_cancel(self->export_id));
	return FALSE;
}

static void tusk_export_dialog_dispose(GObject *object)
{
	TuskExportDialog *self = TUSK_EXPORT_DIALOG(object);
	if (self->export_id && self->rpc)
		tusk_rpc_send(self->rpc, TUSK_M_QUERY_EXPORT_CANCEL,
		              tusk_req_query_export_cancel(self->export_id));
	g_clear_pointer(&self->export_id, g_free);
	g_cancellable_cancel(self->cancel);
	g_clear_object(&self->cancel);
	g_clear_signal_handler(&self->progress_handler, self->rpc);
	if (self->chooser)
		gtk_native_dialog_destroy(GTK_NATIVE_DIALOG(self->chooser));
	g_clear_object(&self->chooser);
	g_clear_object(&self->rpc);
	g_clear_object(&self->model);
	G_OBJECT_CLASS(tusk_export_dialog_parent_class)->dispose(object);
}

static void tusk_export_dialog_class_init(TuskExportDialogClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = tusk_export_dialog_dispose;
	gtk_widget_class_install_action(wc, "export.export", NULL, dialog_export);
	gtk_widget_class_install_action(wc, "export.cancel", NULL, dialog_cancel);
	gtk_widget_class_install_action(wc, "export.choose", NULL, dialog_choose);
	gtk_widget_class_add_binding_action(wc, GDK_KEY_Escape, 0, "export.cancel", NULL);
}

static void tusk_export_dialog_init(TuskExportDialog *self)
{
	dialog_build(self);
	gtk_toggle_button_set_active(self->format_buttons[0], TRUE);
	g_signal_connect(self, "close-request", G_CALLBACK(on_close_request), NULL);
}
