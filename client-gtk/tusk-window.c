#include "client-gtk/tusk-window.h"

#include "client-gtk/tusk-connection-dialog.h"
#include "client-gtk/tusk-editor-page.h"
#include "client-gtk/tusk-history-panel.h"
#include "client-gtk/tusk-sidebar.h"
#include "client-gtk/tusk-tab-close.h"
#include "client-gtk/tusk-timing.h"
#include "client-gtk/tusk-workspace.h"

struct _TuskWindow {
	AdwApplicationWindow parent_instance;
	AdwToastOverlay *toast_overlay;
	GtkRevealer *banner;
	TuskSidebar *sidebar;
	AdwTabView *tab_view;
	GtkStack *content_stack;
	GtkRevealer *history_revealer;
	TuskHistoryPanel *history_panel;
	GtkToggleButton *history_button;

	TuskRpc *rpc;
	TuskWorkspace *workspace;
	TuskConnectionDialog *connection_dialog; /* made once, hidden when closed */
	TuskTabClose *tab_close;                 /* a closed tab lets its context go */
	gboolean dropping_tab;                   /* tusk_window_drop_tab: no context.release */
	gboolean was_away;
	int daemon_pid;      /* of the daemon last answered: another one has no contexts */
	gboolean lost_heard; /* that daemon's context.lost replay came before (a reconnect) */
	guint tab_counter;
};

G_DEFINE_FINAL_TYPE(TuskWindow, tusk_window, ADW_TYPE_APPLICATION_WINDOW)

void tusk_window_toast(TuskWindow *self, const char *text)
{
	adw_toast_overlay_add_toast(self->toast_overlay, adw_toast_new(text));
}

static void page_sync(TuskEditorPage *page, AdwTabPage *tp)
{
	adw_tab_page_set_title(tp, tusk_editor_page_get_title(page));
	adw_tab_page_set_loading(tp, tusk_editor_page_get_running(page));
	const char *txn = tusk_editor_page_get_transaction(page);
	if (txn) {
		g_autoptr(GIcon) icon =
		    g_themed_icon_new(g_str_equal(txn, "in_error") ? "dialog-error-symbolic"
		                                                   : "media-record-symbolic");
		adw_tab_page_set_indicator_icon(tp, icon);
		adw_tab_page_set_indicator_tooltip(tp, g_str_equal(txn, "in_error")
		                                           ? "Transaction failed: roll back"
		                                           : "Inside a transaction");
	} else {
		adw_tab_page_set_indicator_icon(tp, NULL);
	}
}

static void on_page_changed(TuskEditorPage *page, GParamSpec *pspec, AdwTabPage *tp)
{
	page_sync(page, tp);
}

static void on_page_history(TuskEditorPage *page, TuskWindow *self)
{
	tusk_history_panel_reload(self->history_panel);
}

static void on_page_edited(TuskEditorPage *page, TuskWindow *self)
{
	tusk_workspace_schedule_save(self->workspace);
}

static void on_page_toast(TuskEditorPage *page, const char *text, TuskWindow *self)
{
	tusk_window_toast(self, text);
}

static TuskEditorPage *window_add_page(TuskWindow *self, TuskEditorPage *page, int position,
                                       gboolean select)
{
	AdwTabPage *tp = position < 0
	                     ? adw_tab_view_append(self->tab_view, GTK_WIDGET(page))
	                     : adw_tab_view_insert(self->tab_view, GTK_WIDGET(page), position);
	page_sync(page, tp);
	g_signal_connect_object(page, "notify", G_CALLBACK(on_page_changed), tp, 0);
	g_signal_connect_object(page, "ran", G_CALLBACK(on_page_history), self, 0);
	g_signal_connect_object(page, "edited", G_CALLBACK(on_page_edited), self, 0);
	g_signal_connect_object(page, "toast", G_CALLBACK(on_page_toast), self, 0);
	gtk_stack_set_visible_child_name(self->content_stack, "tabs");
	if (select)
		adw_tab_view_set_selected_page(self->tab_view, tp);
	tusk_workspace_schedule_save(self->workspace);
	return page;
}

TuskEditorPage *tusk_window_open_tab(TuskWindow *self, const char *tab_id,
                                     const char *connection_id, const char *connection_name,
                                     const char *text)
{
	TuskEditorPage *page =
	    tusk_editor_page_new(self->rpc, tab_id, connection_id, connection_name, text);
	window_add_page(self, page, -1, TRUE);
	gtk_widget_grab_focus(GTK_WIDGET(page));
	return page;
}

TuskEditorPage *tusk_window_insert_tab(TuskWindow *self, int position, const char *tab_id,
                                       const char *connection_id, const char *connection_name,
                                       const char *text)
{
	TuskEditorPage *page =
	    tusk_editor_page_new(self->rpc, tab_id, connection_id, connection_name, text);
	return window_add_page(self, page, position, FALSE);
}

static TuskEditorPage *current_page(TuskWindow *self)
{
	AdwTabPage *tp = adw_tab_view_get_selected_page(self->tab_view);
	return tp ? TUSK_EDITOR_PAGE(adw_tab_page_get_child(tp)) : NULL;
}

static void on_new_tab(GSimpleAction *action, GVariant *param, gpointer data)
{
	TuskWindow *self = data;
	const char *id = NULL, *name = NULL;
	tusk_sidebar_get_selected(self->sidebar, &id, &name);
	TuskEditorPage *cur = current_page(self);
	if (!id && cur) {
		id = tusk_editor_page_get_connection_id(cur);
		name = tusk_editor_page_get_connection_name(cur);
	}
	tusk_window_open_tab(self, NULL, id, name, NULL);
}

static void on_close_tab(GSimpleAction *action, GVariant *param, gpointer data)
{
	TuskWindow *self = data;
	AdwTabPage *tp = adw_tab_view_get_selected_page(self->tab_view);
	if (tp)
		adw_tab_view_close_page(self->tab_view, tp);
}

static gboolean on_close_page(AdwTabView *view, AdwTabPage *page, TuskWindow *self)
{
	if (self->dropping_tab || !self->tab_close)
		adw_tab_view_close_page_finish(view, page, TRUE);
	else
		tusk_tab_close_page(self->tab_close, view, page);
	return GDK_EVENT_STOP;
}

void tusk_window_drop_tab(TuskWindow *self, AdwTabPage *page)
{
	if (self->tab_close) /* a close of it under way ends now (the page goes) */
		tusk_tab_close_forget(self->tab_close, page);
	int n = adw_tab_view_get_n_pages(self->tab_view);
	for (int i = 0; i < n; i++)
		if (adw_tab_view_get_nth_page(self->tab_view, i) == page) {
			self->dropping_tab = TRUE;
			adw_tab_view_close_page(self->tab_view, page);
			self->dropping_tab = FALSE;
			break;
		}
}

static void on_pages_changed(AdwTabView *view, AdwTabPage *page, int position, TuskWindow *self)
{
	gboolean empty = adw_tab_view_get_n_pages(view) == 0;
	gtk_stack_set_visible_child_name(self->content_stack, empty ? "empty" : "tabs");
	tusk_workspace_schedule_save(self->workspace);
}

static void window_connection_dialog(TuskWindow *self, const char *id)
{
	if (!self->connection_dialog) {
		self->connection_dialog = tusk_connection_dialog_new(GTK_WINDOW(self), self->rpc);
		g_signal_connect_object(self->connection_dialog, "saved",
		                        G_CALLBACK(tusk_sidebar_reload), self->sidebar,
		                        G_CONNECT_SWAPPED);
	}
	tusk_connection_dialog_open(self->connection_dialog, id);
}

static void on_add_connection(GSimpleAction *action, GVariant *param, gpointer data)
{
	window_connection_dialog(data, NULL);
}

static void on_edit_connection(GSimpleAction *action, GVariant *param, gpointer data)
{
	window_connection_dialog(data, g_variant_get_string(param, NULL));
}

static void on_show_history(GSimpleAction *action, GVariant *param, gpointer data)
{
	TuskWindow *self = data;
	gboolean show = !gtk_revealer_get_reveal_child(self->history_revealer);
	gtk_revealer_set_reveal_child(self->history_revealer, show);
	gtk_toggle_button_set_active(self->history_button, show);
	if (show) {
		tusk_history_panel_reload(self->history_panel);
		gtk_widget_grab_focus(GTK_WIDGET(self->history_panel));
	}
}

static void on_focus_sidebar(GSimpleAction *action, GVariant *param, gpointer data)
{
	gtk_widget_grab_focus(GTK_WIDGET(TUSK_WINDOW(data)->sidebar));
}

/* A connection chosen in the sidebar: the current tab takes it when it has
 * none, otherwise a new tab opens on it. */
static void on_connection_activated(TuskSidebar *sidebar, const char *id, const char *name,
                                    TuskWindow *self)
{
	TuskEditorPage *cur = current_page(self);
	if (cur && !tusk_editor_page_get_connection_id(cur))
		tusk_editor_page_set_connection(cur, id, name);
	else
		tusk_window_open_tab(self, NULL, id, name, NULL);
}

static void on_open_sql(GtkWidget *src, const char *sql, const char *connection_id,
                        const char *connection_name, TuskWindow *self)
{
	tusk_window_open_tab(self, NULL, connection_id, connection_name, sql);
}

/* A new daemon: every context starts empty (the transactions it had are
 * reported lost one by one, as context.lost). */
static void window_forget_transactions(TuskWindow *self)
{
	int n = adw_tab_view_get_n_pages(self->tab_view);
	for (int i = 0; i < n; i++) {
		AdwTabPage *tp = adw_tab_view_get_nth_page(self->tab_view, i);
		tusk_editor_page_forget_transaction(TUSK_EDITOR_PAGE(adw_tab_page_get_child(tp)));
	}
}

/* context.lost: a tab's transaction did not survive tuskd's stop. */
static void on_context_lost(TuskRpc *rpc, const char *method, json_t *params, TuskWindow *self)
{
	const char *conn = json_string_value(json_object_get(params, "connection_id"));
	const char *context = json_string_value(json_object_get(params, "context"));
	if (self->lost_heard)
		return; /* told when this daemon first answered */
	int n = adw_tab_view_get_n_pages(self->tab_view);
	for (int i = 0; i < n; i++) {
		AdwTabPage *tp = adw_tab_view_get_nth_page(self->tab_view, i);
		TuskEditorPage *page = TUSK_EDITOR_PAGE(adw_tab_page_get_child(tp));
		if (g_strcmp0(tusk_editor_page_get_context(page), context) != 0 ||
		    g_strcmp0(tusk_editor_page_get_connection_id(page), conn) != 0)
			continue;
		tusk_editor_page_forget_transaction(page);
		json_int_t count = json_integer_value(json_object_get(params, "statement_count"));
		g_autofree char *text =
		    g_strdup_printf("“%s”: its transaction was rolled back when tuskd stopped "
		                    "(%" JSON_INTEGER_FORMAT " statement%s lost)",
		                    tusk_editor_page_get_title(page), count, count == 1 ? "" : "s");
		/* work lost: shown at once, until dismissed */
		AdwToast *toast = adw_toast_new(text);
		adw_toast_set_priority(toast, ADW_TOAST_PRIORITY_HIGH);
		adw_toast_set_timeout(toast, 0);
		adw_toast_overlay_add_toast(self->toast_overlay, toast);
	}
}

static void on_rpc_state(TuskRpc *rpc, GParamSpec *pspec, TuskWindow *self)
{
	TuskRpcState st = tusk_rpc_get_state(rpc);
	/* hidden, not only folded: assistive technologies see it only while away */
	gtk_widget_set_visible(GTK_WIDGET(self->banner), st == TUSK_RPC_AWAY);
	gtk_revealer_set_reveal_child(self->banner, st == TUSK_RPC_AWAY);
	if (st == TUSK_RPC_AWAY)
		self->was_away = TRUE;
	if (st == TUSK_RPC_READY) {
		if (self->was_away)
			tusk_window_toast(self, "Reconnected to tuskd");
		self->was_away = FALSE;
		int pid = tusk_rpc_get_daemon_pid(rpc);
		if (self->daemon_pid && pid != self->daemon_pid)
			window_forget_transactions(self);
		/* tuskd replays its start's context.lost to every subscribe */
		self->lost_heard = pid == self->daemon_pid;
		self->daemon_pid = pid;
		tusk_sidebar_reload(self->sidebar);
		tusk_workspace_daemon_ready(self->workspace);
	}
}

static void on_connection_event(TuskRpc *rpc, const char *method, json_t *params, TuskWindow *self)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	g_autofree char *text = NULL;
	if (g_str_equal(method, TUSK_N_CONNECTION_DISCONNECTED)) {
		gboolean again = json_is_true(json_object_get(params, "will_reconnect"));
		if (again)
			text =
			    g_strdup_printf("%s: connection lost; the next query reconnects", name);
	} else if (g_str_equal(method, TUSK_N_CONNECTION_ERROR)) {
		json_t *err = json_object_get(params, "error");
		text = g_strdup_printf("%s: %s", name,
		                       json_string_value(json_object_get(err, "message")));
	} else if (g_str_equal(method, TUSK_N_CONNECTION_CONNECTED)) {
		/* (a first connect shows in the sidebar's dot; a comeback is news) */
		if (json_is_true(json_object_get(params, "tunnel_rebuilt")))
			text = g_strdup_printf("%s: SSH tunnel rebuilt; connected again", name);
		else if (json_is_true(json_object_get(params, "again")))
			text = g_strdup_printf("%s: connected again", name);
	}
	if (text && name)
		tusk_window_toast(self, text);
}

static void on_style_dark(AdwStyleManager *sm, GParamSpec *pspec, TuskWindow *self)
{
	int n = adw_tab_view_get_n_pages(self->tab_view);
	for (int i = 0; i < n; i++) {
		AdwTabPage *tp = adw_tab_view_get_nth_page(self->tab_view, i);
		tusk_editor_page_update_style(TUSK_EDITOR_PAGE(adw_tab_page_get_child(tp)));
	}
}

GListModel *tusk_window_get_pages(TuskWindow *self)
{
	return G_LIST_MODEL(adw_tab_view_get_pages(self->tab_view));
}

TuskEditorPage *tusk_window_get_selected_page(TuskWindow *self)
{
	return current_page(self);
}

/* For benchmarks (TUSK_TIMING set): the monotonic clock when the window's
 * first frame, restored tabs included, was painted. */
static void on_map_timing(GtkWidget *widget, TuskWindow *self)
{
	tusk_timing_mark("mapped");
	tusk_timing_after_paint(widget, "ready", 0);
}

TuskWindow *tusk_window_new(TuskApplication *app)
{
	TuskWindow *self = g_object_new(TUSK_TYPE_WINDOW, "application", app, NULL);
	self->rpc = g_object_ref(tusk_application_get_rpc(app));
	tusk_sidebar_set_rpc(self->sidebar, self->rpc);
	tusk_history_panel_set_rpc(self->history_panel, self->rpc);
	tusk_timing_mark("rpc-set");
	self->tab_close = tusk_tab_close_new(GTK_WINDOW(self), self->rpc);
	g_signal_connect_object(self->tab_close, "toast", G_CALLBACK(tusk_window_toast), self,
	                        G_CONNECT_SWAPPED);
	self->workspace = tusk_workspace_new(self->rpc, self);
	tusk_timing_mark("workspace");
	g_signal_connect_object(self->rpc, "notify::state", G_CALLBACK(on_rpc_state), self, 0);
	g_signal_connect_object(self->rpc, "notification::" TUSK_N_CONNECTION_DISCONNECTED,
	                        G_CALLBACK(on_connection_event), self, 0);
	g_signal_connect_object(self->rpc, "notification::" TUSK_N_CONNECTION_ERROR,
	                        G_CALLBACK(on_connection_event), self, 0);
	g_signal_connect_object(self->rpc, "notification::" TUSK_N_CONNECTION_CONNECTED,
	                        G_CALLBACK(on_connection_event), self, 0);
	g_signal_connect_object(self->rpc, "notification::" TUSK_N_CONTEXT_LOST,
	                        G_CALLBACK(on_context_lost), self, 0);
	g_signal_connect_object(adw_style_manager_get_default(), "notify::dark",
	                        G_CALLBACK(on_style_dark), self, 0);
	on_rpc_state(self->rpc, NULL, self);
	if (tusk_timing_enabled())
		g_signal_connect(self, "map", G_CALLBACK(on_map_timing), self);
	tusk_timing_mark("window");
	return self;
}

static void tusk_window_dispose(GObject *object)
{
	TuskWindow *self = TUSK_WINDOW(object);
	if (self->workspace)
		tusk_workspace_detach(self->workspace);
	g_clear_object(&self->workspace);
	g_clear_object(&self->tab_close);
	if (self->connection_dialog)
		gtk_window_destroy(GTK_WINDOW(self->connection_dialog));
	self->connection_dialog = NULL;
	g_clear_object(&self->rpc);
	G_OBJECT_CLASS(tusk_window_parent_class)->dispose(object);
}

static void tusk_window_class_init(TuskWindowClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = tusk_window_dispose;
	g_type_ensure(TUSK_TYPE_SIDEBAR);
	g_type_ensure(TUSK_TYPE_HISTORY_PANEL);
	gtk_widget_class_set_template_from_resource(wc, "/app/tusk/Tusk/tusk-window.ui");
	gtk_widget_class_bind_template_child(wc, TuskWindow, toast_overlay);
	gtk_widget_class_bind_template_child(wc, TuskWindow, banner);
	gtk_widget_class_bind_template_child(wc, TuskWindow, sidebar);
	gtk_widget_class_bind_template_child(wc, TuskWindow, tab_view);
	gtk_widget_class_bind_template_child(wc, TuskWindow, content_stack);
	gtk_widget_class_bind_template_child(wc, TuskWindow, history_revealer);
	gtk_widget_class_bind_template_child(wc, TuskWindow, history_panel);
	gtk_widget_class_bind_template_child(wc, TuskWindow, history_button);
}

static const GActionEntry win_actions[] = {
    {.name = "new-tab", .activate = on_new_tab},
    {.name = "close-tab", .activate = on_close_tab},
    {.name = "add-connection", .activate = on_add_connection},
    {.name = "edit-connection", .activate = on_edit_connection, .parameter_type = "s"},
    {.name = "show-history", .activate = on_show_history},
    {.name = "focus-sidebar", .activate = on_focus_sidebar},
};

static void tusk_window_init(TuskWindow *self)
{
	tusk_timing_mark("window-init");
	gtk_widget_init_template(GTK_WIDGET(self));
	tusk_timing_mark("template");
	g_action_map_add_action_entries(G_ACTION_MAP(self), win_actions, G_N_ELEMENTS(win_actions),
	                                self);
	g_signal_connect(self->tab_view, "page-attached", G_CALLBACK(on_pages_changed), self);
	g_signal_connect(self->tab_view, "page-detached", G_CALLBACK(on_pages_changed), self);
	g_signal_connect(self->tab_view, "close-page", G_CALLBACK(on_close_page), self);
	g_signal_connect(self->sidebar, "connection-activated", G_CALLBACK(on_connection_activated),
	                 self);
	g_signal_connect(self->sidebar, "open-sql", G_CALLBACK(on_open_sql), self);
	g_signal_connect(self->history_panel, "open-sql", G_CALLBACK(on_open_sql), self);
}
