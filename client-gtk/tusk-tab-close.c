#include "client-gtk/tusk-tab-close.h"

#include "client-gtk/tusk-editor-page.h"
#include "protocol/tusk-names.h"

/* One close on its way: the page stays in the view until finished. */
typedef struct {
	TuskTabClose *self;
	AdwTabView *view;
	AdwTabPage *page;
	char *connection_id;
	char *context;
	char *title;
	char *state;    /* "in_transaction" / "in_error" / "running" when asked */
	int daemon_pid; /* of the daemon that said so */
} Closing;

struct _TuskTabClose {
	GObject parent_instance;
	TuskRpc *rpc;
	AdwMessageDialog *dialog; /* NULL once the parent is gone */
	Closing *asking;          /* the close the dialog asks about */
	GQueue waiting;           /* closes that wait for the dialog */
	guint ask_idle;           /* the next question, once the dialog has hidden */
};

G_DEFINE_FINAL_TYPE(TuskTabClose, tusk_tab_close, G_TYPE_OBJECT)

enum { SIGNAL_TOAST, N_SIGNALS };
static guint signals[N_SIGNALS];

static void ask_next(TuskTabClose *self);

/* Ends the close: the page goes (confirm) or stays, then c is freed. */
static void closing_finish(Closing *c, gboolean confirm)
{
	/* (not when the window took its pages down meanwhile) */
	if (gtk_widget_is_ancestor(adw_tab_page_get_child(c->page), GTK_WIDGET(c->view)))
		adw_tab_view_close_page_finish(c->view, c->page, confirm);
	g_object_unref(c->view);
	g_object_unref(c->page);
	g_object_unref(c->self);
	g_free(c->connection_id);
	g_free(c->context);
	g_free(c->title);
	g_free(c->state);
	g_free(c);
}

static json_t *release_params(Closing *c, gboolean keep_transaction)
{
	return tusk_req_context_release(c->connection_id, c->context, keep_transaction);
}

static void on_released(GObject *source, GAsyncResult *res, gpointer data)
{
	Closing *c = data;
	g_autoptr(GError) error = NULL;
	json_decref(tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error));
	if (error)
		g_message("closing tab %s: context.release: %s", c->title, error->message);
	closing_finish(c, TRUE); /* a daemon gone took the backend with it */
}

static void release_and_close(Closing *c)
{
	tusk_rpc_call_async(c->self->rpc, TUSK_M_CONTEXT_RELEASE, release_params(c, FALSE), NULL,
	                    on_released, c);
}

/* A COMMIT that failed (or ended a failed transaction: tag ROLLBACK) has
 * rolled the transaction back: the tab stays, no longer in one. */
static void on_committed(GObject *source, GAsyncResult *res, gpointer data)
{
	Closing *c = data;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	json_t *first = json_array_get(json_object_get(r, "results"), 0);
	const char *tag = json_string_value(json_object_get(first, "command_tag"));
	gboolean committed = r && g_strcmp0(tag, "COMMIT") == 0;
	json_decref(r);
	if (!committed) {
		g_autofree char *text =
		    g_strdup_printf("“%s”: the commit failed and the server rolled the transaction "
		                    "back%s%s; the tab "
		                    "stays open",
		                    c->title, error ? ": " : "", error ? error->message : "");
		g_signal_emit(c->self, signals[SIGNAL_TOAST], 0, text);
		if (!error || error->domain != TUSK_RPC_ERROR ||
		    error->code != TUSK_RPC_ERROR_DISCONNECTED)
			tusk_editor_page_forget_transaction(
			    TUSK_EDITOR_PAGE(adw_tab_page_get_child(c->page)));
		closing_finish(c, FALSE);
		return;
	}
	release_and_close(c); /* a SET it held goes too */
}

static void commit_and_close(Closing *c)
{
	TuskReqQueryExecute q = {
	    .connection_id = c->connection_id, .sql = "COMMIT", .context = c->context};
	tusk_rpc_call_async(c->self->rpc, TUSK_M_QUERY_EXECUTE, tusk_req_query_execute(&q), NULL,
	                    on_committed, c);
}

static gboolean ask_later(gpointer data)
{
	TuskTabClose *self = data;
	self->ask_idle = 0;
	ask_next(self);
	return G_SOURCE_REMOVE;
}

static void on_response(AdwMessageDialog *d, const char *response, TuskTabClose *self)
{
	Closing *c = g_steal_pointer(&self->asking);
	if (!c)
		return;
	if (!g_str_equal(response, "cancel") &&
	    tusk_rpc_get_daemon_pid(self->rpc) != c->daemon_pid) {
		/* tuskd restarted while asking: its transaction is gone already */
		g_autofree char *text = g_strdup_printf(
		    "“%s”: tuskd restarted meanwhile and rolled its transaction back", c->title);
		g_signal_emit(self, signals[SIGNAL_TOAST], 0, text);
		closing_finish(c, TRUE);
	} else if (g_str_equal(response, "commit")) {
		commit_and_close(c);
	} else if (g_str_equal(response, "rollback")) {
		release_and_close(c);
	} else {
		closing_finish(c, FALSE);
	}
	/* Not now: Escape answers inside close-request, and the dialog hides
	 * only after this returns (it would hide the next question). */
	if (!self->ask_idle)
		self->ask_idle = g_idle_add(ask_later, self);
}

static void ask_next(TuskTabClose *self)
{
	if (self->asking || !self->dialog)
		return;
	Closing *c = g_queue_pop_head(&self->waiting);
	if (!c)
		return;
	self->asking = c;
	gboolean open = g_str_equal(c->state, "in_transaction");
	g_autofree char *body =
	    open ? g_strdup_printf("“%s” has a transaction open that is not committed. Commit "
	                           "it, or roll it back, before the tab closes.",
	                           c->title)
	    : g_str_equal(c->state, "running")
	        ? g_strdup_printf("A query is still running in “%s”. Closing the tab cancels it "
	                          "and rolls back the transaction it may be in.",
	                          c->title)
	        : g_strdup_printf("A statement in “%s” failed inside its transaction. Closing "
	                          "the tab rolls the transaction back.",
	                          c->title);
	adw_message_dialog_set_body(self->dialog, body);
	adw_message_dialog_set_response_enabled(self->dialog, "commit", open);
	adw_message_dialog_set_default_response(self->dialog, "cancel");
	gtk_window_present(GTK_WINDOW(self->dialog));
}

/* What the daemon says of the context, asked without rolling back. */
static void on_checked(GObject *source, GAsyncResult *res, gpointer data)
{
	Closing *c = data;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	gboolean open = r && json_is_true(json_object_get(r, "held")) &&
	                !json_is_true(json_object_get(r, "released"));
	if (!open) {
		if (error)
			g_message("closing tab %s: context.release: %s", c->title, error->message);
		json_decref(r);
		closing_finish(c, TRUE);
		return;
	}
	c->state = g_strdup(json_string_value(json_object_get(r, "transaction_state")));
	c->daemon_pid = tusk_rpc_get_daemon_pid(c->self->rpc);
	json_decref(r);
	if (!c->self->dialog) {
		closing_finish(c, TRUE); /* the window is going: the context idles out */
		return;
	}
	g_queue_push_tail(&c->self->waiting, c);
	ask_next(c->self);
}

void tusk_tab_close_page(TuskTabClose *self, AdwTabView *view, AdwTabPage *page)
{
	TuskEditorPage *ed = TUSK_EDITOR_PAGE(adw_tab_page_get_child(page));
	const char *conn = tusk_editor_page_get_connection_id(ed);
	if (!conn || tusk_rpc_get_state(self->rpc) != TUSK_RPC_READY) {
		/* No context, or no daemon to hold one (its backends went with it). */
		adw_tab_view_close_page_finish(view, page, TRUE);
		return;
	}
	Closing *c = g_new0(Closing, 1);
	c->self = g_object_ref(self);
	c->view = g_object_ref(view);
	c->page = g_object_ref(page);
	c->connection_id = g_strdup(conn);
	c->context = g_strdup(tusk_editor_page_get_context(ed));
	c->title = g_strdup(tusk_editor_page_get_title(ed));
	tusk_rpc_call_async(self->rpc, TUSK_M_CONTEXT_RELEASE, release_params(c, TRUE), NULL,
	                    on_checked, c);
}

static void drop_waiting(TuskTabClose *self)
{
	g_clear_handle_id(&self->ask_idle, g_source_remove);
	if (!self->asking && g_queue_is_empty(&self->waiting))
		return;
	g_object_ref(self); /* each close holds one: the last may go here */
	Closing *c;
	if ((c = g_steal_pointer(&self->asking)))
		closing_finish(c, FALSE);
	while ((c = g_queue_pop_head(&self->waiting)))
		closing_finish(c, FALSE);
	g_object_unref(self);
}

/* The message dialog goes with its parent (destroy-with-parent), maybe
 * before this object: whatever waits for it is dropped then. */
static void on_dialog_destroy(GtkWidget *dialog, TuskTabClose *self)
{
	if (self->dialog == ADW_MESSAGE_DIALOG(dialog)) {
		self->dialog = NULL;
		drop_waiting(self);
	}
}

void tusk_tab_close_forget(TuskTabClose *self, AdwTabPage *page)
{
	GList *l = self->waiting.head;
	while (l) {
		GList *next = l->next;
		Closing *c = l->data;
		if (c->page == page) {
			g_queue_delete_link(&self->waiting, l);
			closing_finish(c, TRUE);
		}
		l = next;
	}
	if (self->asking && self->asking->page == page) {
		Closing *c = g_steal_pointer(&self->asking);
		if (self->dialog)
			gtk_widget_set_visible(GTK_WIDGET(self->dialog), FALSE);
		closing_finish(c, TRUE);
		if (!self->ask_idle)
			self->ask_idle = g_idle_add(ask_later, self);
	}
}

TuskTabClose *tusk_tab_close_new(GtkWindow *parent, TuskRpc *rpc)
{
	TuskTabClose *self = g_object_new(TUSK_TYPE_TAB_CLOSE, NULL);
	self->rpc = g_object_ref(rpc);
	self->dialog = ADW_MESSAGE_DIALOG(
	    adw_message_dialog_new(parent, "Close Tab With an Open Transaction?", NULL));
	gtk_window_set_hide_on_close(GTK_WINDOW(self->dialog), TRUE);
	adw_message_dialog_add_responses(self->dialog, "cancel", "_Keep Tab", "rollback",
	                                 "_Roll Back and Close", "commit", "_Commit and Close",
	                                 NULL);
	adw_message_dialog_set_response_appearance(self->dialog, "rollback",
	                                           ADW_RESPONSE_DESTRUCTIVE);
	adw_message_dialog_set_response_appearance(self->dialog, "commit", ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_close_response(self->dialog, "cancel");
	g_signal_connect(self->dialog, "response", G_CALLBACK(on_response), self);
	g_signal_connect(self->dialog, "destroy", G_CALLBACK(on_dialog_destroy), self);
	return self;
}

static void tusk_tab_close_dispose(GObject *object)
{
	TuskTabClose *self = TUSK_TAB_CLOSE(object);
	AdwMessageDialog *dialog = g_steal_pointer(&self->dialog);
	drop_waiting(self);
	if (dialog) {
		g_signal_handlers_disconnect_by_data(dialog, self);
		gtk_window_destroy(GTK_WINDOW(dialog));
	}
	g_clear_object(&self->rpc);
	G_OBJECT_CLASS(tusk_tab_close_parent_class)->dispose(object);
}

static void tusk_tab_close_class_init(TuskTabCloseClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = tusk_tab_close_dispose;
	signals[SIGNAL_TOAST] = g_signal_new("toast", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
	                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void tusk_tab_close_init(TuskTabClose *self)
{
	g_queue_init(&self->waiting);
}
