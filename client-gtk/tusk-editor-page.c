#include "client-gtk/tusk-editor-page.h"

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "client-gtk/tusk-completion.h"
#include "client-gtk/tusk-result-grid.h"
#include "client-gtk/tusk-statement.h"
#include "client-gtk/tusk-timing.h"

struct _TuskEditorPage {
	GtkBox parent_instance;
	GtkSourceView *view;
	GtkButton *run_button;
	GtkLabel *connection_label;
	GtkLabel *txn_label;
	GtkRevealer *error_revealer;
	GtkLabel *error_label;
	GtkNotebook *results;
	GtkTextView *messages;
	GtkLabel *status_label;

	TuskRpc *rpc;
	GtkSourceBuffer *buffer;
	GtkTextTag *error_tag;
	char *tab_id;
	char *context;
	char *title;
	char *connection_id;
	char *connection_name;
	char *transaction;

	/* the running query */
	char *query_id;
	gboolean running;
	gboolean store;
	guint sql_char_offset; /* where the SQL sent starts in the buffer */
	char *sql;
	GPtrArray *models;   /* TuskResultModel by result_index */
	guint64 rows_before; /* rows of the finished result sets (progress) */
	gint64 started_us;
	GCancellable *cancel;
	gboolean timing_armed; /* TUSK_TIMING: report the first rows painted */

	/* The editor and results are made when the tab is first shown (a
	 * restored tab in the background is its text and cursor until then). */
	gboolean built;
	gboolean highlighted; /* the SQL language set on the buffer */
	guint highlight_idle;
	gulong highlight_paint; /* on the frame clock, till the first frame */
	char *pending_text;
	int pending_cursor;
};

enum { PROP_0, PROP_TITLE, PROP_RUNNING, PROP_TRANSACTION, N_PROPS };
enum { SIGNAL_RAN, SIGNAL_EDITED, SIGNAL_TOAST, N_SIGNALS };
static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];
/* The daemon took mode "store" once: keep asking for it. */
static gboolean store_unsupported;

G_DEFINE_FINAL_TYPE(TuskEditorPage, tusk_editor_page, GTK_TYPE_BOX)

static void page_message(TuskEditorPage *self, const char *text)
{
	GtkTextBuffer *b = gtk_text_view_get_buffer(self->messages);
	GtkTextIter end;
	gtk_text_buffer_get_end_iter(b, &end);
	gtk_text_buffer_insert(b, &end, text, -1);
	gtk_text_buffer_insert(b, &end, "\n", 1);
}

static void page_error_shown(TuskEditorPage *self, gboolean shown)
{
	gtk_widget_set_visible(GTK_WIDGET(self->error_revealer), shown);
	gtk_revealer_set_reveal_child(self->error_revealer, shown);
}

static void page_set_running(TuskEditorPage *self, gboolean running)
{
	self->running = running;
	gtk_widget_action_set_enabled(GTK_WIDGET(self), "editor.cancel", running);
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_RUNNING]);
}

static void page_set_transaction(TuskEditorPage *self, const char *status)
{
	const char *txn = NULL;
	if (status && (g_str_equal(status, "in_transaction") || g_str_equal(status, "in_error")))
		txn = status;
	if (g_strcmp0(txn, self->transaction) == 0)
		return;
	g_free(self->transaction);
	self->transaction = g_strdup(txn);
	gtk_widget_set_visible(GTK_WIDGET(self->txn_label), txn != NULL);
	gtk_label_set_text(self->txn_label, !txn ? ""
	                                    : g_str_equal(txn, "in_error")
	                                        ? "Transaction failed — ROLLBACK"
	                                        : "In transaction");
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_TRANSACTION]);
}

static void page_update_title(TuskEditorPage *self)
{
	g_autofree char *text = tusk_editor_page_get_text(self);
	g_strstrip(text);
	char *nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	g_autofree char *head = g_utf8_substring(text, 0, MIN(g_utf8_strlen(text, -1), 28));
	g_autofree char *title = g_strdup(*head ? head : "Untitled");
	if (g_strcmp0(title, self->title) == 0)
		return;
	g_free(self->title);
	self->title = g_steal_pointer(&title);
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_TITLE]);
}

static void on_buffer_changed(GtkTextBuffer *buffer, TuskEditorPage *self)
{
	GtkTextIter start, end;
	gtk_text_buffer_get_bounds(buffer, &start, &end);
	gtk_text_buffer_remove_tag(buffer, self->error_tag, &start, &end);
	page_update_title(self);
	g_signal_emit(self, signals[SIGNAL_EDITED], 0);
}

static void page_clear_results(TuskEditorPage *self)
{
	while (gtk_notebook_get_n_pages(self->results) > 1)
		gtk_notebook_remove_page(self->results, 0);
	gtk_text_buffer_set_text(gtk_text_view_get_buffer(self->messages), "", 0);
	page_error_shown(self, FALSE);
	g_ptr_array_set_size(self->models, 0);
	self->rows_before = 0;
}

static void page_status(TuskEditorPage *self, const char *text)
{
	gtk_label_set_text(self->status_label, text);
}

static TuskResultModel *page_model(TuskEditorPage *self, int index)
{
	if (index < 0 || (guint)index >= self->models->len)
		return NULL;
	return self->models->pdata[index];
}

static void on_model_filled(TuskResultModel *m, guint pos, guint n, TuskEditorPage *self);

static void on_columns(TuskEditorPage *self, json_t *params)
{
	if (!self->timing_armed)
		tusk_timing_mark("columns");
	int index = (int)json_integer_value(json_object_get(params, "result_index"));
	TuskResultModel *model =
	    tusk_result_model_new(self->store ? self->rpc : NULL, self->query_id, index,
	                          json_object_get(params, "columns"));
	if ((guint)index >= self->models->len)
		g_ptr_array_set_size(self->models, (guint)index + 1);
	g_clear_object(&self->models->pdata[index]);
	self->models->pdata[index] = model;
	if (self->store) {
		if (tusk_timing_enabled() && !self->timing_armed)
			g_signal_connect(model, "rows-loaded", G_CALLBACK(on_model_filled), self);
		tusk_result_model_prefetch(model);
	}
	TuskResultGrid *grid = tusk_result_grid_new(model);
	g_autofree char *label = g_strdup_printf("Result %d", index + 1);
	int pos = gtk_notebook_get_n_pages(self->results) - 1;
	gtk_notebook_insert_page(self->results, GTK_WIDGET(grid), gtk_label_new(label), pos);
	if (pos == 0)
		gtk_notebook_set_current_page(self->results, 0);
}

static void page_arm_timing(TuskEditorPage *self);

/* Store mode: the first page of rows fetched. */
static void on_model_filled(TuskResultModel *m, guint pos, guint n, TuskEditorPage *self)
{
	g_signal_handlers_disconnect_by_func(m, on_model_filled, self);
	if (!self->timing_armed)
		tusk_timing_mark("page-fetched");
	page_arm_timing(self);
}

static void on_progress(TuskEditorPage *self, json_t *params)
{
	json_int_t rows = json_integer_value(json_object_get(params, "rows"));
	double secs = (double)json_integer_value(json_object_get(params, "elapsed_ms")) / 1000.0;
	g_autofree char *s =
	    g_strdup_printf("Fetching… %" JSON_INTEGER_FORMAT " rows · %.1f s", rows, secs);
	page_status(self, s);
	if (self->store && self->models->len) {
		TuskResultModel *m = self->models->pdata[self->models->len - 1];
		if (m && (guint64)rows > self->rows_before) {
			if (tusk_timing_enabled() && !self->timing_armed &&
			    !g_signal_handler_find(m, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0,
			                           0, NULL, on_model_filled, self))
				g_signal_connect(m, "rows-loaded", G_CALLBACK(on_model_filled),
				                 self);
			tusk_result_model_set_row_count(m, (guint64)rows - self->rows_before);
		}
	}
}

static void on_result(TuskEditorPage *self, json_t *params)
{
	json_t *r = json_object_get(params, "result");
	const char *tag = json_string_value(json_object_get(r, "command_tag"));
	json_int_t n = json_integer_value(json_object_get(r, "row_count"));
	double ms = json_real_value(json_object_get(r, "execution_time_ms")) +
	            (double)json_integer_value(json_object_get(r, "execution_time_ms"));
	g_autofree char *line = g_strdup_printf("%s — %.1f ms", tag ? tag : "(no tag)", ms);
	page_message(self, line);
	TuskResultModel *m =
	    page_model(self, (int)json_integer_value(json_object_get(r, "result_index")));
	if (m && self->store)
		tusk_result_model_set_row_count(m, (guint64)n);
	self->rows_before += (guint64)n;
}

/* For benchmarks (TUSK_TIMING set): once, when the first rows of a run are
 * in the grid, print how long after Ctrl+Enter the next frame was painted. */
static void page_arm_timing(TuskEditorPage *self)
{
	if (!self->timing_armed)
		self->timing_armed =
		    tusk_timing_after_paint(GTK_WIDGET(self), "first-rows", self->started_us);
}

static void on_notification(TuskRpc *rpc, const char *method, json_t *params, TuskEditorPage *self)
{
	const char *qid = json_string_value(json_object_get(params, "query_id"));
	if (!self->query_id || g_strcmp0(qid, self->query_id) != 0)
		return;
	if (g_str_equal(method, TUSK_N_QUERY_COLUMNS)) {
		on_columns(self, params);
	} else if (g_str_equal(method, TUSK_N_QUERY_ROWS)) {
		TuskResultModel *m = page_model(
		    self, (int)json_integer_value(json_object_get(params, "result_index")));
		if (m)
			tusk_result_model_append(m, json_object_get(params, "rows"));
		if (tusk_timing_enabled() && !self->timing_armed)
			g_printerr("tusk-timing rows-arrived %.1f\n",
			           (double)(g_get_monotonic_time() - self->started_us) / 1000.0);
		page_arm_timing(self);
	} else if (g_str_equal(method, TUSK_N_QUERY_PROGRESS)) {
		on_progress(self, params);
	} else if (g_str_equal(method, TUSK_N_QUERY_RESULT)) {
		on_result(self, params);
	} else if (g_str_equal(method, TUSK_N_QUERY_NOTICE)) {
		json_t *n = json_object_get(params, "notice");
		g_autofree char *line =
		    g_strdup_printf("%s: %s", json_string_value(json_object_get(n, "severity")),
		                    json_string_value(json_object_get(n, "message")));
		page_message(self, line);
	}
}

/* Marks the error's position (1-based characters in the SQL sent) and
 * scrolls to it. */
static void page_mark_error(TuskEditorPage *self, json_int_t position)
{
	GtkTextBuffer *b = GTK_TEXT_BUFFER(self->buffer);
	GtkTextIter at, end;
	gtk_text_buffer_get_iter_at_offset(b, &at, (int)(self->sql_char_offset + position - 1));
	end = at;
	if (!gtk_text_iter_ends_word(&end) || gtk_text_iter_starts_word(&end))
		gtk_text_iter_forward_word_end(&end);
	if (gtk_text_iter_equal(&at, &end))
		gtk_text_iter_forward_char(&end);
	gtk_text_buffer_apply_tag(b, self->error_tag, &at, &end);
	gtk_text_buffer_place_cursor(b, &at);
	gtk_text_view_scroll_to_iter(GTK_TEXT_VIEW(self->view), &at, 0.1, FALSE, 0, 0);
}

static void page_show_error(TuskEditorPage *self, const GError *error, json_t *data)
{
	GString *s = g_string_new(NULL);
	const char *msg = data ? json_string_value(json_object_get(data, "message")) : NULL;
	const char *sev = data ? json_string_value(json_object_get(data, "severity")) : NULL;
	g_autofree char *m = g_markup_escape_text(msg ? msg : error->message, -1);
	g_string_append_printf(s, "<b>%s:</b> %s", sev ? sev : "Error", m);
	const char *fields[][2] = {{"detail", "Detail"}, {"hint", "Hint"}, {"code", "SQLSTATE"}};
	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
		const char *v =
		    data ? json_string_value(json_object_get(data, fields[i][0])) : NULL;
		if (v) {
			g_autofree char *e = g_markup_escape_text(v, -1);
			g_string_append_printf(s, "\n<b>%s:</b> %s", fields[i][1], e);
		}
	}
	json_t *pos = data ? json_object_get(data, "position") : NULL;
	if (json_is_integer(pos)) {
		g_string_append_printf(s, "\n<b>Position:</b> %" JSON_INTEGER_FORMAT,
		                       json_integer_value(pos));
		page_mark_error(self, json_integer_value(pos));
	}
	gtk_label_set_markup(self->error_label, s->str);
	g_string_free(s, TRUE);
	page_error_shown(self, TRUE);
	page_message(self, msg ? msg : error->message);
}

static void page_execute(TuskEditorPage *self);

static void on_executed(GObject *source, GAsyncResult *res, gpointer user_data)
{
	TuskEditorPage *self = user_data;
	g_autoptr(GError) error = NULL;
	json_t *data = NULL;
	json_t *result = tusk_rpc_call_finish(TUSK_RPC(source), res, &data, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		json_decref(data);
		g_object_unref(self);
		return;
	}
	if (!result && self->store && error && error->code == -32602 &&
	    strstr(error->message, "mode")) {
		/* a daemon without the result store: stream */
		store_unsupported = TRUE;
		json_decref(data);
		page_execute(self);
		g_object_unref(self);
		return;
	}
	page_set_running(self, FALSE);
	double ms = (double)(g_get_monotonic_time() - self->started_us) / 1000.0;
	if (result) {
		json_int_t rows = json_integer_value(json_object_get(result, "rows"));
		const char *txn = json_string_value(json_object_get(result, "transaction_status"));
		if (tusk_timing_enabled()) {
			g_printerr("tusk-timing done %.1f rows=%" JSON_INTEGER_FORMAT "\n", ms,
			           rows);
			GtkWidget *grid = gtk_notebook_get_nth_page(self->results, 0);
			if (TUSK_IS_RESULT_GRID(grid))
				tusk_timing_scroll(
				    tusk_result_grid_get_scroller(TUSK_RESULT_GRID(grid)));
		}
		page_set_transaction(self, txn);
		g_autofree char *s = g_strdup_printf(
		    "%" JSON_INTEGER_FORMAT " rows · %.1f ms · %s%s", rows, ms, txn ? txn : "",
		    json_is_true(json_object_get(result, "truncated")) ? " · truncated" : "");
		page_status(self, s);
		json_decref(result);
	} else {
		json_t *txn = data ? json_object_get(data, "transaction_status") : NULL;
		if (json_is_string(txn))
			page_set_transaction(self, json_string_value(txn));
		page_show_error(self, error, data);
		gboolean cancelled = error->domain == TUSK_RPC_ERROR && error->code == -32011;
		g_autofree char *s =
		    g_strdup_printf("%s after %.1f ms", cancelled ? "Cancelled" : "Failed", ms);
		page_status(self, s);
		json_decref(data);
	}
	g_signal_emit(self, signals[SIGNAL_RAN], 0);
	g_object_unref(self);
}

/* The daemon keeps a stored result until it is closed (or its TTL): the
 * tab's previous one goes when the tab runs again or closes. */
static void page_close_stored(TuskEditorPage *self)
{
	if (self->store && self->query_id && self->rpc && !self->running)
		tusk_rpc_send(self->rpc, TUSK_M_QUERY_CLOSE, tusk_req_query_id(self->query_id));
}

static void page_execute(TuskEditorPage *self)
{
	page_close_stored(self);
	g_free(self->query_id);
	self->query_id = g_uuid_string_random();
	self->store = !store_unsupported;
	page_clear_results(self);
	json_t *params = tusk_req_query_execute(
	    &(TuskReqQueryExecute){.connection_id = self->connection_id,
	                           .sql = self->sql,
	                           .context = self->context,
	                           .query_id = self->query_id,
	                           .store = self->store,
	                           /* without the store, rows are held here: at most this many */
	                           .max_rows = self->store ? 0 : 200000});
	g_cancellable_cancel(self->cancel);
	g_clear_object(&self->cancel);
	self->cancel = g_cancellable_new();
	self->started_us = g_get_monotonic_time();
	self->timing_armed = FALSE;
	tusk_timing_mark("execute");
	page_set_running(self, TRUE);
	page_status(self, "Running…");
	tusk_rpc_call_async(self->rpc, TUSK_M_QUERY_EXECUTE, params, self->cancel, on_executed,
	                    g_object_ref(self));
}

static void page_run_range(TuskEditorPage *self, int start, int end)
{
	if (self->running)
		return;
	if (!self->connection_id) {
		g_signal_emit(self, signals[SIGNAL_TOAST], 0,
		              "Choose a connection in the sidebar first");
		return;
	}
	GtkTextBuffer *b = GTK_TEXT_BUFFER(self->buffer);
	GtkTextIter s, e;
	gtk_text_buffer_get_iter_at_offset(b, &s, start);
	gtk_text_buffer_get_iter_at_offset(b, &e, end);
	gtk_text_buffer_remove_tag(b, self->error_tag, &s, &e);
	g_free(self->sql);
	self->sql = gtk_text_buffer_get_text(b, &s, &e, FALSE);
	g_autofree char *trimmed = g_strstrip(g_strdup(self->sql));
	if (!*trimmed) {
		page_status(self, "Nothing to run");
		return;
	}
	self->sql_char_offset = (guint)start;
	page_execute(self);
}

static void on_run(GtkWidget *widget, const char *action, GVariant *param)
{
	TuskEditorPage *self = TUSK_EDITOR_PAGE(widget);
	g_autofree char *text = tusk_editor_page_get_text(self);
	int start = 0, end = 0;
	tusk_statement_at(text, tusk_editor_page_get_cursor(self), &start, &end);
	page_run_range(self, start, end);
}

static void on_run_all(GtkWidget *widget, const char *action, GVariant *param)
{
	TuskEditorPage *self = TUSK_EDITOR_PAGE(widget);
	page_run_range(self, 0, gtk_text_buffer_get_char_count(GTK_TEXT_BUFFER(self->buffer)));
}

static void on_cancel(GtkWidget *widget, const char *action, GVariant *param)
{
	TuskEditorPage *self = TUSK_EDITOR_PAGE(widget);
	if (!self->running || !self->query_id)
		return;
	tusk_rpc_send(self->rpc, TUSK_M_QUERY_CANCEL, tusk_req_query_id(self->query_id));
	page_status(self, "Cancelling…");
}

static gboolean on_escape(GtkWidget *widget, GVariant *args, gpointer data)
{
	TuskEditorPage *self = TUSK_EDITOR_PAGE(widget);
	if (!self->running)
		return FALSE;
	on_cancel(widget, NULL, NULL);
	return TRUE;
}

static gboolean on_run_key(GtkWidget *widget, GVariant *args, gpointer data)
{
	if (GPOINTER_TO_INT(data))
		on_run_all(widget, NULL, NULL);
	else
		on_run(widget, NULL, NULL);
	return TRUE;
}

void tusk_editor_page_update_style(TuskEditorPage *self)
{
	if (!self->built)
		return;
	gboolean dark = adw_style_manager_get_dark(adw_style_manager_get_default());
	GtkSourceStyleSchemeManager *sm = gtk_source_style_scheme_manager_get_default();
	GtkSourceStyleScheme *scheme =
	    gtk_source_style_scheme_manager_get_scheme(sm, dark ? "Adwaita-dark" : "Adwaita");
	if (!scheme)
		scheme =
		    gtk_source_style_scheme_manager_get_scheme(sm, dark ? "oblivion" : "classic");
	gtk_source_buffer_set_style_scheme(self->buffer, scheme);
}

const char *tusk_editor_page_get_tab_id(TuskEditorPage *self)
{
	return self->tab_id;
}

const char *tusk_editor_page_get_title(TuskEditorPage *self)
{
	return self->title;
}

gboolean tusk_editor_page_get_running(TuskEditorPage *self)
{
	return self->running;
}

void tusk_editor_page_forget_transaction(TuskEditorPage *self)
{
	page_set_transaction(self, NULL);
}

const char *tusk_editor_page_get_context(TuskEditorPage *self)
{
	return self->context;
}

const char *tusk_editor_page_get_transaction(TuskEditorPage *self)
{
	return self->transaction;
}

const char *tusk_editor_page_get_connection_id(TuskEditorPage *self)
{
	return self->connection_id;
}

const char *tusk_editor_page_get_connection_name(TuskEditorPage *self)
{
	return self->connection_name;
}

static void page_show_connection(TuskEditorPage *self)
{
	if (!self->built)
		return;
	const char *id = self->connection_id;
	g_autofree char *label = id ? g_strdup_printf("Connection: %s", self->connection_name)
	                            : g_strdup("No connection");
	gtk_label_set_text(self->connection_label, label);
	tusk_completion_set_connection(self->view, self->rpc, id);
}

void tusk_editor_page_set_connection(TuskEditorPage *self, const char *id, const char *name)
{
	g_free(self->connection_id);
	g_free(self->connection_name);
	self->connection_id = g_strdup(id);
	self->connection_name = g_strdup(name ? name : id);
	page_show_connection(self);
	g_signal_emit(self, signals[SIGNAL_EDITED], 0);
}

char *tusk_editor_page_get_text(TuskEditorPage *self)
{
	if (!self->built)
		return g_strdup(self->pending_text ? self->pending_text : "");
	GtkTextIter s, e;
	gtk_text_buffer_get_bounds(GTK_TEXT_BUFFER(self->buffer), &s, &e);
	return gtk_text_buffer_get_text(GTK_TEXT_BUFFER(self->buffer), &s, &e, FALSE);
}

int tusk_editor_page_get_cursor(TuskEditorPage *self)
{
	if (!self->built)
		return self->pending_cursor;
	GtkTextIter it;
	GtkTextBuffer *b = GTK_TEXT_BUFFER(self->buffer);
	gtk_text_buffer_get_iter_at_mark(b, &it, gtk_text_buffer_get_insert(b));
	return gtk_text_iter_get_offset(&it);
}

void tusk_editor_page_set_cursor(TuskEditorPage *self, int offset)
{
	if (!self->built) {
		self->pending_cursor = offset;
		return;
	}
	GtkTextIter it;
	gtk_text_buffer_get_iter_at_offset(GTK_TEXT_BUFFER(self->buffer), &it, offset);
	gtk_text_buffer_place_cursor(GTK_TEXT_BUFFER(self->buffer), &it);
}

TuskEditorPage *tusk_editor_page_new(TuskRpc *rpc, const char *tab_id, const char *connection_id,
                                     const char *connection_name, const char *text)
{
	TuskEditorPage *self = g_object_new(TUSK_TYPE_EDITOR_PAGE, NULL);
	self->rpc = g_object_ref(rpc);
	self->tab_id = tab_id ? g_strdup(tab_id) : g_uuid_string_random();
	self->context = g_strdup_printf("tab:%s", self->tab_id);
	g_signal_connect_object(rpc, "notification", G_CALLBACK(on_notification), self, 0);
	self->pending_text = g_strdup(text);
	tusk_editor_page_set_connection(self, connection_id, connection_name);
	page_update_title(self);
	return self;
}

static void page_build(TuskEditorPage *self);

static gboolean tusk_editor_page_grab_focus(GtkWidget *widget)
{
	page_build(TUSK_EDITOR_PAGE(widget));
	return gtk_widget_grab_focus(GTK_WIDGET(TUSK_EDITOR_PAGE(widget)->view));
}

/* SQL highlighting: GtkSourceView reading its language files (libxml2)
 * and compiling the SQL language's rules costs ~20 ms of CPU the first
 * time, so the window's first frame shows the tab's text plain and the
 * language comes right after it; tabs shown later get it at once. */
static gboolean language_loaded;

static gboolean page_highlight(gpointer data)
{
	TuskEditorPage *self = data;
	self->highlight_idle = 0;
	if (self->highlighted || !self->built)
		return G_SOURCE_REMOVE;
	self->highlighted = TRUE;
	GtkSourceLanguage *sql = gtk_source_language_manager_get_language(
	    gtk_source_language_manager_get_default(), "sql");
	gtk_source_buffer_set_language(self->buffer, sql);
	if (!language_loaded)
		tusk_timing_mark("highlighted");
	language_loaded = TRUE;
	return G_SOURCE_REMOVE;
}

static void on_first_paint(GdkFrameClock *clock, TuskEditorPage *self)
{
	g_clear_signal_handler(&self->highlight_paint, clock);
	if (!self->highlight_idle && !self->highlighted)
		self->highlight_idle = g_idle_add(page_highlight, self);
}

static void tusk_editor_page_map(GtkWidget *widget)
{
	TuskEditorPage *self = TUSK_EDITOR_PAGE(widget);
	page_build(self);
	GTK_WIDGET_CLASS(tusk_editor_page_parent_class)->map(widget);
	GdkFrameClock *clock = gtk_widget_get_frame_clock(widget);
	if (language_loaded) {
		g_clear_handle_id(&self->highlight_idle, g_source_remove);
		page_highlight(self);
	} else if (!self->highlighted && !self->highlight_paint && !self->highlight_idle) {
		if (clock)
			self->highlight_paint = g_signal_connect(clock, "after-paint",
			                                         G_CALLBACK(on_first_paint), self);
		else
			self->highlight_idle = g_idle_add(page_highlight, self);
	}
}

static void tusk_editor_page_unmap(GtkWidget *widget)
{
	TuskEditorPage *self = TUSK_EDITOR_PAGE(widget);
	GdkFrameClock *clock = gtk_widget_get_frame_clock(widget);
	if (self->highlight_paint && clock)
		g_clear_signal_handler(&self->highlight_paint, clock);
	self->highlight_paint = 0;
	GTK_WIDGET_CLASS(tusk_editor_page_parent_class)->unmap(widget);
}

static void tusk_editor_page_dispose(GObject *object)
{
	TuskEditorPage *self = TUSK_EDITOR_PAGE(object);
	if (self->running && self->query_id && self->rpc)
		tusk_rpc_send(self->rpc, TUSK_M_QUERY_CANCEL, tusk_req_query_id(self->query_id));
	page_close_stored(self);
	if (self->cancel)
		g_cancellable_cancel(self->cancel);
	g_clear_object(&self->cancel);
	if (self->models)
		g_ptr_array_set_size(self->models, 0);
	g_clear_object(&self->rpc);
	g_clear_handle_id(&self->highlight_idle, g_source_remove);
	if (self->built)
		gtk_widget_dispose_template(GTK_WIDGET(self), TUSK_TYPE_EDITOR_PAGE);
	G_OBJECT_CLASS(tusk_editor_page_parent_class)->dispose(object);
}

static void tusk_editor_page_finalize(GObject *object)
{
	TuskEditorPage *self = TUSK_EDITOR_PAGE(object);
	g_ptr_array_unref(self->models);
	g_free(self->tab_id);
	g_free(self->context);
	g_free(self->title);
	g_free(self->connection_id);
	g_free(self->connection_name);
	g_free(self->transaction);
	g_free(self->query_id);
	g_free(self->sql);
	g_free(self->pending_text);
	G_OBJECT_CLASS(tusk_editor_page_parent_class)->finalize(object);
}

static void tusk_editor_page_get_property(GObject *object, guint id, GValue *value,
                                          GParamSpec *pspec)
{
	TuskEditorPage *self = TUSK_EDITOR_PAGE(object);
	switch (id) {
	case PROP_TITLE:
		g_value_set_string(value, self->title);
		break;
	case PROP_RUNNING:
		g_value_set_boolean(value, self->running);
		break;
	case PROP_TRANSACTION:
		g_value_set_string(value, self->transaction);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
	}
}

static void tusk_editor_page_class_init(TuskEditorPageClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	oc->dispose = tusk_editor_page_dispose;
	oc->finalize = tusk_editor_page_finalize;
	oc->get_property = tusk_editor_page_get_property;
	wc->grab_focus = tusk_editor_page_grab_focus;
	wc->map = tusk_editor_page_map;
	wc->unmap = tusk_editor_page_unmap;
	props[PROP_TITLE] = g_param_spec_string("title", NULL, NULL, NULL,
	                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	props[PROP_RUNNING] = g_param_spec_boolean("running", NULL, NULL, FALSE,
	                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	props[PROP_TRANSACTION] = g_param_spec_string("transaction", NULL, NULL, NULL,
	                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(oc, N_PROPS, props);
	signals[SIGNAL_RAN] = g_signal_new("ran", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
	                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
	signals[SIGNAL_EDITED] = g_signal_new("edited", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
	                                      0, NULL, NULL, NULL, G_TYPE_NONE, 0);
	signals[SIGNAL_TOAST] = g_signal_new("toast", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
	                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

	g_type_ensure(GTK_SOURCE_TYPE_VIEW);
	gtk_widget_class_set_template_from_resource(wc, "/app/tusk/Tusk/tusk-editor-page.ui");
	gtk_widget_class_bind_template_child(wc, TuskEditorPage, view);
	gtk_widget_class_bind_template_child(wc, TuskEditorPage, run_button);
	gtk_widget_class_bind_template_child(wc, TuskEditorPage, connection_label);
	gtk_widget_class_bind_template_child(wc, TuskEditorPage, txn_label);
	gtk_widget_class_bind_template_child(wc, TuskEditorPage, error_revealer);
	gtk_widget_class_bind_template_child(wc, TuskEditorPage, error_label);
	gtk_widget_class_bind_template_child(wc, TuskEditorPage, results);
	gtk_widget_class_bind_template_child(wc, TuskEditorPage, messages);
	gtk_widget_class_bind_template_child(wc, TuskEditorPage, status_label);
	gtk_widget_class_install_action(wc, "editor.run", NULL, on_run);
	gtk_widget_class_install_action(wc, "editor.run-all", NULL, on_run_all);
	gtk_widget_class_install_action(wc, "editor.cancel", NULL, on_cancel);
}

static void tusk_editor_page_init(TuskEditorPage *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	self->models = g_ptr_array_new_with_free_func(g_object_unref);
	gtk_widget_action_set_enabled(GTK_WIDGET(self), "editor.cancel", FALSE);
}

/* The editor, its results and its keys: when the tab is first shown. */
static void page_build(TuskEditorPage *self)
{
	if (self->built)
		return;
	self->built = TRUE;
	gtk_widget_init_template(GTK_WIDGET(self));
	self->buffer = GTK_SOURCE_BUFFER(gtk_text_view_get_buffer(GTK_TEXT_VIEW(self->view)));
	/* the SQL language after the first frame (tusk_editor_page_map) */
	self->error_tag = gtk_text_buffer_create_tag(GTK_TEXT_BUFFER(self->buffer), "error",
	                                             "underline", PANGO_UNDERLINE_ERROR,
	                                             "background", "rgba(224,27,36,0.25)", NULL);
	tusk_editor_page_update_style(self);
	if (self->pending_text)
		gtk_text_buffer_set_text(GTK_TEXT_BUFFER(self->buffer), self->pending_text, -1);
	g_clear_pointer(&self->pending_text, g_free);
	tusk_editor_page_set_cursor(self, self->pending_cursor);
	g_signal_connect(self->buffer, "changed", G_CALLBACK(on_buffer_changed), self);
	page_show_connection(self);

	/* captured before the text view sees the keys */
	GtkEventController *keys = gtk_shortcut_controller_new();
	gtk_event_controller_set_propagation_phase(keys, GTK_PHASE_CAPTURE);
	struct {
		guint key;
		GdkModifierType mods;
		GtkShortcutFunc fn;
		int all;
	} bind[] = {
	    {GDK_KEY_Return, GDK_CONTROL_MASK, on_run_key, 0},
	    {GDK_KEY_KP_Enter, GDK_CONTROL_MASK, on_run_key, 0},
	    {GDK_KEY_Return, GDK_CONTROL_MASK | GDK_SHIFT_MASK, on_run_key, 1},
	    {GDK_KEY_KP_Enter, GDK_CONTROL_MASK | GDK_SHIFT_MASK, on_run_key, 1},
	    {GDK_KEY_Escape, 0, on_escape, 0},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bind); i++)
		gtk_shortcut_controller_add_shortcut(
		    GTK_SHORTCUT_CONTROLLER(keys),
		    gtk_shortcut_new(
		        gtk_keyval_trigger_new(bind[i].key, bind[i].mods),
		        gtk_callback_action_new(bind[i].fn, GINT_TO_POINTER(bind[i].all), NULL)));
	gtk_widget_add_controller(GTK_WIDGET(self), keys);
}
