#include "client-gtk/tusk-sidebar.h"

#include <adwaita.h>

#include "client-gtk/tusk-host-key-prompt.h"
#include "client-gtk/tusk-schema-browser.h"
#include "client-gtk/tusk-window.h"

struct _TuskSidebar {
	GtkBox parent_instance;
	GtkSearchEntry *filter;
	GtkListBox *list;
	TuskSchemaBrowser *browser;

	TuskRpc *rpc;
	json_t *groups;
	json_t *connections;
	GHashTable *status; /* connection id -> status string */
	char *selected_id;
	char *selected_name;
	char *shown; /* what the rows show, to rebuild them only when it changes */
	/* the host-key prompt (made at the first unknown key); an open waiting
	 * for its answer is held by it, and dropped when the window goes */
	TuskHostKeyPrompt *prompt;
};

enum { SIGNAL_ACTIVATED, SIGNAL_OPEN_SQL, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(TuskSidebar, tusk_sidebar, GTK_TYPE_BOX)

static void sidebar_toast(TuskSidebar *self, const char *text)
{
	GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
	if (TUSK_IS_WINDOW(root))
		tusk_window_toast(TUSK_WINDOW(root), text);
}

static json_t *find_connection(TuskSidebar *self, const char *id)
{
	json_t *c;
	size_t i;
	json_array_foreach(self->connections, i, c)
	{
		if (g_strcmp0(json_string_value(json_object_get(c, "id")), id) == 0)
			return c;
	}
	return NULL;
}

static void draw_color(GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
	GdkRGBA rgba;
	if (!gdk_rgba_parse(&rgba, data))
		return;
	gdk_cairo_set_source_rgba(cr, &rgba);
	cairo_rectangle(cr, 0, 2, w, h - 4);
	cairo_fill(cr);
}

static GtkWidget *color_bar(const char *color)
{
	GtkWidget *area = gtk_drawing_area_new();
	gtk_drawing_area_set_content_width(GTK_DRAWING_AREA(area), 4);
	if (color)
		gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(area), draw_color, g_strdup(color),
		                               g_free);
	return area;
}

static const char *status_of(TuskSidebar *self, const char *id)
{
	const char *s = g_hash_table_lookup(self->status, id);
	return s ? s : "closed";
}

static void dot_update(GtkWidget *dot, const char *status)
{
	const char *classes[] = {"connected", "connecting", "error", "closed", NULL};
	for (int i = 0; classes[i]; i++)
		gtk_widget_remove_css_class(dot, classes[i]);
	const char *cls = g_str_equal(status, "disconnected") ? "closed" : status;
	gtk_widget_add_css_class(dot, cls);
	gtk_widget_set_tooltip_text(dot, cls);
	gtk_accessible_update_property(GTK_ACCESSIBLE(dot), GTK_ACCESSIBLE_PROPERTY_LABEL, cls, -1);
}

static GMenuModel *row_menu(const char *id)
{
	GMenu *menu = g_menu_new();
	const char *items[][2] = {
	    {"Open", "sidebar.open"},           {"New Query Tab", "sidebar.tab"},
	    {"Close", "sidebar.close"},         {"Edit…", "sidebar.edit"},
	    {"Duplicate", "sidebar.duplicate"}, {"Delete…", "sidebar.delete"}};
	for (size_t i = 0; i < G_N_ELEMENTS(items); i++) {
		g_autoptr(GMenuItem) item = g_menu_item_new(items[i][0], NULL);
		g_menu_item_set_action_and_target_value(item, items[i][1],
		                                        g_variant_new_string(id));
		g_menu_append_item(menu, item);
	}
	return G_MENU_MODEL(menu);
}

static GtkWidget *connection_row(TuskSidebar *self, json_t *c, int depth)
{
	const char *id = json_string_value(json_object_get(c, "id"));
	const char *name = json_string_value(json_object_get(c, "name"));
	GtkWidget *row = gtk_list_box_row_new();
	g_object_set_data_full(G_OBJECT(row), "id", g_strdup(id), g_free);
	g_object_set_data_full(G_OBJECT(row), "name", g_strdup(name), g_free);
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	gtk_widget_set_margin_start(box, 6 + depth * 14);
	gtk_box_append(GTK_BOX(box), color_bar(json_string_value(json_object_get(c, "color"))));
	GtkWidget *dot = gtk_label_new("●");
	gtk_widget_add_css_class(dot, "tusk-dot");
	dot_update(dot, status_of(self, id));
	g_object_set_data(G_OBJECT(row), "dot", dot);
	gtk_box_append(GTK_BOX(box), dot);
	GtkWidget *label = gtk_label_new(name);
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
	gtk_widget_set_hexpand(label, TRUE);
	gtk_box_append(GTK_BOX(box), label);
	if (json_is_true(json_object_get(json_object_get(c, "options"), "readonly"))) {
		GtkWidget *ro = gtk_label_new("read-only");
		gtk_widget_add_css_class(ro, "caption");
		gtk_widget_add_css_class(ro, "dim-label");
		gtk_box_append(GTK_BOX(box), ro);
	}
	GtkWidget *menu = gtk_menu_button_new();
	gtk_menu_button_set_icon_name(GTK_MENU_BUTTON(menu), "view-more-symbolic");
	gtk_menu_button_set_has_frame(GTK_MENU_BUTTON(menu), FALSE);
	g_autoptr(GMenuModel) model = row_menu(id);
	gtk_menu_button_set_menu_model(GTK_MENU_BUTTON(menu), model);
	g_autofree char *menu_label = g_strdup_printf("Actions for %s", name);
	gtk_accessible_update_property(GTK_ACCESSIBLE(menu), GTK_ACCESSIBLE_PROPERTY_LABEL,
	                               menu_label, -1);
	gtk_box_append(GTK_BOX(box), menu);
	gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), box);
	gtk_accessible_update_property(GTK_ACCESSIBLE(row), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
	                               -1);
	return row;
}

static GtkWidget *group_row(json_t *g, int depth)
{
	GtkWidget *row = gtk_list_box_row_new();
	gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), FALSE);
	gtk_list_box_row_set_selectable(GTK_LIST_BOX_ROW(row), FALSE);
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	gtk_widget_set_margin_start(box, 6 + depth * 14);
	gtk_widget_set_margin_top(box, 6);
	gtk_box_append(GTK_BOX(box), color_bar(json_string_value(json_object_get(g, "color"))));
	GtkWidget *label = gtk_label_new(json_string_value(json_object_get(g, "name")));
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_widget_add_css_class(label, "tusk-group");
	gtk_box_append(GTK_BOX(box), label);
	gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), box);
	g_object_set_data(G_OBJECT(row), "group", GINT_TO_POINTER(1));
	return row;
}

static void add_connections_of(TuskSidebar *self, const char *group_id, int depth)
{
	json_t *c;
	size_t i;
	json_array_foreach(self->connections, i, c)
	{
		const char *g = json_string_value(json_object_get(c, "group_id"));
		if (g_strcmp0(g, group_id) == 0)
			gtk_list_box_append(self->list, connection_row(self, c, depth));
	}
}

/* groups.list is ordered by sort_order then name: keep that order. */
static void add_groups_under(TuskSidebar *self, const char *parent_id, int depth)
{
	if (depth > 16)
		return;
	json_t *g;
	size_t i;
	json_array_foreach(self->groups, i, g)
	{
		if (g_strcmp0(json_string_value(json_object_get(g, "parent_id")), parent_id) != 0)
			continue;
		const char *id = json_string_value(json_object_get(g, "id"));
		gtk_list_box_append(self->list, group_row(g, depth));
		add_connections_of(self, id, depth + 1);
		add_groups_under(self, id, depth + 1);
	}
}

static void sidebar_rebuild(TuskSidebar *self)
{
	GtkWidget *child;
	while ((child = gtk_widget_get_first_child(GTK_WIDGET(self->list))))
		gtk_list_box_remove(self->list, child);
	add_connections_of(self, NULL, 0);
	add_groups_under(self, NULL, 0);
	for (child = gtk_widget_get_first_child(GTK_WIDGET(self->list)); child;
	     child = gtk_widget_get_next_sibling(child)) {
		if (g_strcmp0(g_object_get_data(G_OBJECT(child), "id"), self->selected_id) == 0)
			gtk_list_box_select_row(self->list, GTK_LIST_BOX_ROW(child));
	}
}

static char *sidebar_shown(TuskSidebar *self)
{
	GString *out = g_string_new(NULL);
	json_t *c;
	size_t i;
	const char *keys[] = {"id", "name", "color", "group_id", "parent_id", "sort_order"};
	json_t *lists[] = {self->groups, self->connections};
	for (size_t l = 0; l < G_N_ELEMENTS(lists); l++) {
		json_array_foreach(lists[l], i, c)
		{
			for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
				char *v = json_dumps(json_object_get(c, keys[k]), JSON_ENCODE_ANY);
				g_string_append(out, v ? v : "-");
				g_string_append_c(out, '|');
				free(v);
			}
			g_string_append(out, json_is_true(json_object_get(
			                         json_object_get(c, "options"), "readonly"))
			                         ? "ro\n"
			                         : "rw\n");
		}
		g_string_append(out, "--\n");
	}
	return g_string_free(out, FALSE);
}

static void on_connections(GObject *source, GAsyncResult *res, gpointer data)
{
	TuskSidebar *self = data;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (r) {
		json_decref(self->connections);
		self->connections = json_incref(json_object_get(r, "connections"));
		json_decref(r);
		/* rebuilding closes an open menu: only when what is shown changed
		 * (not for a password flag another client flipped) */
		g_autofree char *shown = sidebar_shown(self);
		if (g_strcmp0(shown, self->shown) != 0) {
			g_free(self->shown);
			self->shown = g_steal_pointer(&shown);
			sidebar_rebuild(self);
		}
	}
	g_object_unref(self);
}

static void on_groups(GObject *source, GAsyncResult *res, gpointer data)
{
	TuskSidebar *self = data;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (r) {
		json_decref(self->groups);
		self->groups = json_incref(json_object_get(r, "groups"));
		json_decref(r);
	}
	tusk_rpc_call_async(self->rpc, TUSK_M_CONNECTIONS_LIST, NULL, NULL, on_connections, self);
}

void tusk_sidebar_reload(TuskSidebar *self)
{
	if (self->rpc)
		tusk_rpc_call_async(self->rpc, TUSK_M_GROUPS_LIST, NULL, NULL, on_groups,
		                    g_object_ref(self));
}

static GtkWidget *row_of(TuskSidebar *self, const char *id)
{
	for (GtkWidget *c = gtk_widget_get_first_child(GTK_WIDGET(self->list)); c;
	     c = gtk_widget_get_next_sibling(c))
		if (g_strcmp0(g_object_get_data(G_OBJECT(c), "id"), id) == 0)
			return c;
	return NULL;
}

static void sidebar_set_status(TuskSidebar *self, const char *id, const char *status)
{
	if (!id || !status)
		return;
	/* a failed open is followed by its pool closing: the failure stays shown */
	if (g_str_equal(status, "disconnected") && g_str_equal(status_of(self, id), "error"))
		return;
	g_hash_table_insert(self->status, g_strdup(id), g_strdup(status));
	GtkWidget *row = row_of(self, id);
	if (row)
		dot_update(g_object_get_data(G_OBJECT(row), "dot"), status);
	if (g_strcmp0(id, self->selected_id) == 0)
		tusk_schema_browser_set_connection(self->browser, self->rpc,
		                                   g_str_equal(status, "connected") ? id : NULL);
}

static void on_connection_event(TuskRpc *rpc, const char *method, json_t *params, TuskSidebar *self)
{
	sidebar_set_status(self, json_string_value(json_object_get(params, "connection_id")),
	                   json_string_value(json_object_get(params, "status")));
}

static void on_list_changed(TuskRpc *rpc, const char *method, json_t *params, TuskSidebar *self)
{
	tusk_sidebar_reload(self);
}

typedef struct Open {
	TuskSidebar *self;
	char *id;
	char *name;
} Open;

static void open_free(Open *o)
{
	g_object_unref(o->self);
	g_free(o->id);
	g_free(o->name);
	g_free(o);
}

static void sidebar_open_call(Open *o);

static void on_trusted(GObject *source, GAsyncResult *res, gpointer data)
{
	Open *o = data;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (r) {
		json_decref(r);
		/* the same open again (its tab is there already) */
		sidebar_set_status(o->self, o->id, "connecting");
		sidebar_open_call(o);
		return;
	}
	sidebar_toast(o->self, error->message);
	open_free(o);
}

static void on_trust_answer(gboolean trusted, const char *fingerprint, gpointer data)
{
	Open *o = data;
	if (trusted) {
		tusk_rpc_call_async(o->self->rpc, TUSK_M_SSH_TRUST_HOST_KEY,
		                    tusk_req_ssh_trust_host_key(o->id, fingerprint), NULL,
		                    on_trusted, o);
		return;
	}
	g_autofree char *t =
	    g_strdup_printf("%s: not connected, its SSH host key was not trusted", o->name);
	sidebar_toast(o->self, t);
	open_free(o);
}

/* An SSH server whose host key is not in known_hosts: show its fingerprint
 * and let the user decide (a newer prompt replaces one not answered yet:
 * that open stays failed). */
static void ask_host_key(Open *o, const char *fingerprint)
{
	TuskSidebar *self = o->self;
	if (!self->prompt)
		self->prompt = tusk_host_key_prompt_new(
		    GTK_WINDOW(gtk_widget_get_root(GTK_WIDGET(self))), "_Trust and Connect");
	tusk_host_key_prompt_ask(self->prompt, o->name, fingerprint, on_trust_answer, o,
	                         (GDestroyNotify)open_free);
}

static void on_opened(GObject *source, GAsyncResult *res, gpointer data)
{
	Open *o = data;
	g_autoptr(GError) error = NULL;
	json_t *edata = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, &edata, &error);
	const char *fingerprint = r ? NULL : tusk_host_key_fingerprint(error, edata);
	if (r) {
		sidebar_set_status(o->self, o->id, json_string_value(json_object_get(r, "status")));
		json_decref(r);
	} else if (fingerprint) {
		sidebar_set_status(o->self, o->id, "error");
		ask_host_key(o, fingerprint); /* o goes with the prompt's answer */
		json_decref(edata);
		return;
	} else {
		sidebar_set_status(o->self, o->id, "error");
		g_autofree char *t = g_strdup_printf("%s: %s", o->name, error->message);
		sidebar_toast(o->self, t);
	}
	json_decref(edata);
	open_free(o);
}

static void sidebar_open_call(Open *o)
{
	tusk_rpc_call_async(o->self->rpc, TUSK_M_CONNECTION_OPEN,
	                    tusk_req_connection_id(o->id, NULL), NULL, on_opened, o);
}

static void sidebar_open(TuskSidebar *self, const char *id, gboolean new_tab)
{
	json_t *c = find_connection(self, id);
	const char *name = c ? json_string_value(json_object_get(c, "name")) : id;
	g_free(self->selected_id);
	g_free(self->selected_name);
	self->selected_id = g_strdup(id);
	self->selected_name = g_strdup(name);
	if (!g_str_equal(status_of(self, id), "connected"))
		sidebar_set_status(self, id, "connecting");
	Open *o = g_new0(Open, 1);
	o->self = g_object_ref(self);
	o->id = g_strdup(id);
	o->name = g_strdup(name);
	sidebar_open_call(o);
	g_signal_emit(self, signals[SIGNAL_ACTIVATED], 0, id, name);
}

static void on_row_activated(GtkListBox *list, GtkListBoxRow *row, TuskSidebar *self)
{
	const char *id = g_object_get_data(G_OBJECT(row), "id");
	if (id)
		sidebar_open(self, id, FALSE);
}

static void on_row_selected(GtkListBox *list, GtkListBoxRow *row, TuskSidebar *self)
{
	const char *id = row ? g_object_get_data(G_OBJECT(row), "id") : NULL;
	if (!id)
		return;
	g_free(self->selected_id);
	g_free(self->selected_name);
	self->selected_id = g_strdup(id);
	self->selected_name = g_strdup(g_object_get_data(G_OBJECT(row), "name"));
	tusk_schema_browser_set_connection(
	    self->browser, self->rpc, g_str_equal(status_of(self, id), "connected") ? id : NULL);
}

static void act_open(GtkWidget *w, const char *action, GVariant *param)
{
	sidebar_open(TUSK_SIDEBAR(w), g_variant_get_string(param, NULL), FALSE);
}

static void act_tab(GtkWidget *w, const char *action, GVariant *param)
{
	TuskSidebar *self = TUSK_SIDEBAR(w);
	const char *id = g_variant_get_string(param, NULL);
	sidebar_open(self, id, TRUE);
	gtk_widget_activate_action(w, "win.new-tab", NULL);
}

static void act_close(GtkWidget *w, const char *action, GVariant *param)
{
	TuskSidebar *self = TUSK_SIDEBAR(w);
	const char *id = g_variant_get_string(param, NULL);
	tusk_rpc_send(self->rpc, TUSK_M_CONNECTION_CLOSE, tusk_req_connection_id(id, NULL));
	sidebar_set_status(self, id, "closed");
}

/* the window's one connection dialog (reloads this sidebar when saved) */
static void act_edit(GtkWidget *w, const char *action, GVariant *param)
{
	gtk_widget_activate_action_variant(w, "win.edit-connection", param);
}

static void on_saved_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	TuskSidebar *self = data;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (!r)
		sidebar_toast(self, error->message);
	json_decref(r);
	tusk_sidebar_reload(self);
	g_object_unref(self);
}

static void act_duplicate(GtkWidget *w, const char *action, GVariant *param)
{
	TuskSidebar *self = TUSK_SIDEBAR(w);
	json_t *c = find_connection(self, g_variant_get_string(param, NULL));
	if (!c)
		return;
	json_t *copy = json_deep_copy(c);
	json_object_del(copy, "id");
	json_object_del(copy, "password_in_keyring");
	json_t *tunnel = json_object_get(copy, "ssh_tunnel");
	if (json_is_object(tunnel))
		json_object_del(tunnel, "passphrase_in_keyring");
	g_autofree char *name =
	    g_strdup_printf("%s (copy)", json_string_value(json_object_get(c, "name")));
	json_object_set_new(copy, "name", json_string(name));
	tusk_rpc_call_async(self->rpc, TUSK_M_CONNECTIONS_SAVE, tusk_req_connections_save(copy),
	                    NULL, on_saved_reply, g_object_ref(self));
}

static void on_delete_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	TuskSidebar *self = data;
	if (g_str_equal(response, "delete")) {
		const char *id = g_object_get_data(G_OBJECT(d), "id");
		tusk_rpc_call_async(self->rpc, TUSK_M_CONNECTIONS_DELETE,
		                    tusk_req_connection_id(id, NULL), NULL, on_saved_reply,
		                    g_object_ref(self));
	}
	g_object_unref(self);
}

static void act_delete(GtkWidget *w, const char *action, GVariant *param)
{
	TuskSidebar *self = TUSK_SIDEBAR(w);
	const char *id = g_variant_get_string(param, NULL);
	json_t *c = find_connection(self, id);
	g_autofree char *heading =
	    g_strdup_printf("Delete “%s”?", c ? json_string_value(json_object_get(c, "name")) : id);
	GtkWidget *d = adw_message_dialog_new(GTK_WINDOW(gtk_widget_get_root(w)), heading,
	                                      "Its saved settings and stored passwords go; its "
	                                      "history stays.");
	adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(d), "cancel", "_Cancel", "delete",
	                                 "_Delete", NULL);
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(d), "delete",
	                                           ADW_RESPONSE_DESTRUCTIVE);
	g_object_set_data_full(G_OBJECT(d), "id", g_strdup(id), g_free);
	g_signal_connect(d, "response", G_CALLBACK(on_delete_response), g_object_ref(self));
	gtk_window_present(GTK_WINDOW(d));
}

static gboolean filter_row(GtkListBoxRow *row, gpointer data)
{
	TuskSidebar *self = data;
	const char *text = gtk_editable_get_text(GTK_EDITABLE(self->filter));
	const char *name = g_object_get_data(G_OBJECT(row), "name");
	if (!*text || !name)
		return TRUE;
	g_autofree char *a = g_utf8_casefold(name, -1);
	g_autofree char *b = g_utf8_casefold(text, -1);
	return strstr(a, b) != NULL;
}

static void on_filter_changed(GtkSearchEntry *entry, TuskSidebar *self)
{
	gtk_list_box_invalidate_filter(self->list);
	tusk_schema_browser_set_filter(self->browser, gtk_editable_get_text(GTK_EDITABLE(entry)));
}

static void on_browser_open_sql(TuskSchemaBrowser *b, const char *sql, TuskSidebar *self)
{
	g_signal_emit(self, signals[SIGNAL_OPEN_SQL], 0, sql, self->selected_id,
	              self->selected_name);
}

void tusk_sidebar_get_selected(TuskSidebar *self, const char **ret_id, const char **ret_name)
{
	*ret_id = self->selected_id;
	*ret_name = self->selected_name;
}

void tusk_sidebar_set_rpc(TuskSidebar *self, TuskRpc *rpc)
{
	self->rpc = g_object_ref(rpc);
	const char *events[] = {TUSK_N_CONNECTION_STATUS_CHANGED, TUSK_N_CONNECTION_CONNECTED,
	                        TUSK_N_CONNECTION_DISCONNECTED, TUSK_N_CONNECTION_ERROR};
	for (size_t i = 0; i < G_N_ELEMENTS(events); i++) {
		g_autofree char *sig = g_strdup_printf("notification::%s", events[i]);
		g_signal_connect_object(rpc, sig, G_CALLBACK(on_connection_event), self, 0);
	}
	g_signal_connect_object(rpc, "notification::" TUSK_N_CONNECTIONS_CHANGED,
	                        G_CALLBACK(on_list_changed), self, 0);
	g_signal_connect_object(rpc, "notification::" TUSK_N_GROUPS_CHANGED,
	                        G_CALLBACK(on_list_changed), self, 0);
}

static void tusk_sidebar_dispose(GObject *object)
{
	TuskSidebar *self = TUSK_SIDEBAR(object);
	g_clear_object(&self->prompt);
	g_clear_object(&self->rpc);
	gtk_widget_dispose_template(GTK_WIDGET(self), TUSK_TYPE_SIDEBAR);
	G_OBJECT_CLASS(tusk_sidebar_parent_class)->dispose(object);
}

static void tusk_sidebar_finalize(GObject *object)
{
	TuskSidebar *self = TUSK_SIDEBAR(object);
	json_decref(self->groups);
	json_decref(self->connections);
	g_hash_table_destroy(self->status);
	g_free(self->selected_id);
	g_free(self->selected_name);
	g_free(self->shown);
	G_OBJECT_CLASS(tusk_sidebar_parent_class)->finalize(object);
}

static void tusk_sidebar_class_init(TuskSidebarClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = tusk_sidebar_dispose;
	G_OBJECT_CLASS(klass)->finalize = tusk_sidebar_finalize;
	signals[SIGNAL_ACTIVATED] =
	    g_signal_new("connection-activated", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
	                 NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
	signals[SIGNAL_OPEN_SQL] =
	    g_signal_new("open-sql", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
	g_type_ensure(TUSK_TYPE_SCHEMA_BROWSER);
	gtk_widget_class_set_template_from_resource(wc, "/app/tusk/Tusk/tusk-sidebar.ui");
	gtk_widget_class_bind_template_child(wc, TuskSidebar, filter);
	gtk_widget_class_bind_template_child(wc, TuskSidebar, list);
	gtk_widget_class_bind_template_child(wc, TuskSidebar, browser);
	gtk_widget_class_install_action(wc, "sidebar.open", "s", act_open);
	gtk_widget_class_install_action(wc, "sidebar.tab", "s", act_tab);
	gtk_widget_class_install_action(wc, "sidebar.close", "s", act_close);
	gtk_widget_class_install_action(wc, "sidebar.edit", "s", act_edit);
	gtk_widget_class_install_action(wc, "sidebar.duplicate", "s", act_duplicate);
	gtk_widget_class_install_action(wc, "sidebar.delete", "s", act_delete);
}

static void tusk_sidebar_init(TuskSidebar *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->status = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	gtk_list_box_set_filter_func(self->list, filter_row, self, NULL);
	g_signal_connect(self->list, "row-activated", G_CALLBACK(on_row_activated), self);
	g_signal_connect(self->list, "row-selected", G_CALLBACK(on_row_selected), self);
	g_signal_connect(self->filter, "search-changed", G_CALLBACK(on_filter_changed), self);
	g_signal_connect(self->browser, "open-sql", G_CALLBACK(on_browser_open_sql), self);
}
