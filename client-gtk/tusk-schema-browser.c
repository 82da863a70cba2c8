#include "client-gtk/tusk-schema-browser.h"

#include "client-gtk/tusk-schema-node.h"

struct _TuskSchemaBrowser {
	GtkBox parent_instance;
	GtkListView *view;
	GtkLabel *placeholder;
	GtkPopover *menu;
	GListStore *root;
	GtkSingleSelection *selection;
	TuskRpc *rpc;
	char *connection_id;
	char *filter;
	GCancellable *cancel;
};

enum { SIGNAL_OPEN_SQL, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(TuskSchemaBrowser, tusk_schema_browser, GTK_TYPE_BOX)

static void tusk_schema_browser_watch(TuskSchemaBrowser *self, TuskRpc *rpc);

static gboolean matches(TuskSchemaBrowser *self, const char *name)
{
	if (!self->filter || !*self->filter || !name)
		return TRUE;
	g_autofree char *a = g_utf8_casefold(name, -1);
	g_autofree char *b = g_utf8_casefold(self->filter, -1);
	return strstr(a, b) != NULL;
}

static void add_category(TuskSchemaBrowser *self, GListStore *into, const char *schema,
                         const char *title, json_t *items, const char *kind)
{
	g_autoptr(TuskSchemaNode) cat = tusk_schema_node_new("category", schema, title, NULL, NULL);
	GListStore *children = tusk_schema_node_get_children(cat);
	json_t *o;
	size_t i;
	json_array_foreach(items, i, o)
	{
		const char *k = json_string_value(json_object_get(o, "kind"));
		if (kind && g_strcmp0(k, kind) != 0 &&
		    !(g_str_equal(kind, "table") && g_strcmp0(k, "partitioned_table") == 0))
			continue;
		const char *name = json_string_value(json_object_get(o, "name"));
		if (!matches(self, name))
			continue;
		const char *detail = json_string_value(json_object_get(o, "result_type"));
		g_autoptr(TuskSchemaNode) n =
		    tusk_schema_node_new(k ? k : kind, schema, name, detail, o);
		g_list_store_append(children, n);
	}
	if (g_list_model_get_n_items(G_LIST_MODEL(children)))
		g_list_store_append(into, cat);
}

typedef struct {
	TuskSchemaBrowser *self;
	TuskSchemaNode *node;
} Load;

static void on_schema_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	Load *l = data;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (r) {
		json_t *s = json_array_get(json_object_get(r, "schemas"), 0);
		const char *schema = tusk_schema_node_get_name(l->node);
		GListStore *into = tusk_schema_node_get_children(l->node);
		json_t *rel = json_object_get(s, "relations");
		add_category(l->self, into, schema, "Tables", rel, "table");
		add_category(l->self, into, schema, "Views", rel, "view");
		add_category(l->self, into, schema, "Materialized Views", rel, "materialized_view");
		add_category(l->self, into, schema, "Foreign Tables", rel, "foreign_table");
		add_category(l->self, into, schema, "Functions", json_object_get(s, "functions"),
		             NULL);
		add_category(l->self, into, schema, "Sequences", json_object_get(s, "sequences"),
		             NULL);
		add_category(l->self, into, schema, "Types", json_object_get(s, "types"), NULL);
		json_decref(r);
	}
	g_object_unref(l->self);
	g_object_unref(l->node);
	g_free(l);
}

/* Children on demand: a schema's objects come with a schema.get of that
 * schema when it is first expanded. */
static GListModel *create_children(gpointer item, gpointer data)
{
	TuskSchemaBrowser *self = data;
	TuskSchemaNode *node = item;
	const char *kind = tusk_schema_node_get_kind(node);
	if (g_str_equal(kind, "schema")) {
		GListStore *children = tusk_schema_node_get_children(node);
		if (!g_object_get_data(G_OBJECT(node), "requested") && self->connection_id) {
			g_object_set_data(G_OBJECT(node), "requested", GINT_TO_POINTER(1));
			Load *l = g_new0(Load, 1);
			l->self = g_object_ref(self);
			l->node = g_object_ref(node);
			tusk_rpc_call_async(self->rpc, TUSK_M_SCHEMA_GET,
			                    tusk_req_schema_get(&(TuskReqSchemaGet){
			                        .connection_id = self->connection_id,
			                        .schema = tusk_schema_node_get_name(node)}),
			                    self->cancel, on_schema_loaded, l);
		}
		return G_LIST_MODEL(g_object_ref(children));
	}
	if (g_str_equal(kind, "category"))
		return G_LIST_MODEL(g_object_ref(tusk_schema_node_get_children(node)));
	if (tusk_schema_node_is_relation(node)) {
		GListStore *children = tusk_schema_node_get_children(node);
		if (!g_list_model_get_n_items(G_LIST_MODEL(children))) {
			json_t *c;
			size_t i;
			json_array_foreach(
			    json_object_get(tusk_schema_node_get_data(node), "columns"), i, c)
			{
				g_autoptr(TuskSchemaNode) col = tusk_schema_node_new(
				    "column", tusk_schema_node_get_schema(node),
				    json_string_value(json_object_get(c, "name")),
				    json_string_value(json_object_get(c, "type")), c);
				g_list_store_append(children, col);
			}
		}
		return G_LIST_MODEL(g_object_ref(children));
	}
	return NULL;
}

static void on_schemas(GObject *source, GAsyncResult *res, gpointer data)
{
	TuskSchemaBrowser *self = data;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (r) {
		g_list_store_remove_all(self->root);
		json_t *s;
		size_t i;
		json_array_foreach(json_object_get(r, "schemas"), i, s)
		{
			g_autoptr(TuskSchemaNode) n = tusk_schema_node_new(
			    "schema", NULL, json_string_value(json_object_get(s, "name")), NULL,
			    NULL);
			g_list_store_append(self->root, n);
		}
		gtk_widget_set_visible(GTK_WIDGET(self->placeholder), FALSE);
		json_decref(r);
	} else if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		gtk_label_set_text(self->placeholder, error->message);
	}
	g_object_unref(self);
}

static void browser_reload(TuskSchemaBrowser *self)
{
	g_cancellable_cancel(self->cancel);
	g_clear_object(&self->cancel);
	self->cancel = g_cancellable_new();
	g_list_store_remove_all(self->root);
	gtk_widget_set_visible(GTK_WIDGET(self->placeholder), TRUE);
	if (!self->connection_id) {
		gtk_label_set_text(self->placeholder, "Open a connection to browse its schema");
		return;
	}
	gtk_label_set_text(self->placeholder, "Loading the schema…");
	tusk_rpc_call_async(self->rpc, TUSK_M_SCHEMA_GET,
	                    tusk_req_schema_get(&(TuskReqSchemaGet){
	                        .connection_id = self->connection_id, .kind = "schema"}),
	                    self->cancel, on_schemas, g_object_ref(self));
}

void tusk_schema_browser_set_connection(TuskSchemaBrowser *self, TuskRpc *rpc,
                                        const char *connection_id)
{
	if (!self->rpc && rpc) {
		self->rpc = g_object_ref(rpc);
		tusk_schema_browser_watch(self, rpc);
	}
	if (g_strcmp0(connection_id, self->connection_id) == 0)
		return;
	g_free(self->connection_id);
	self->connection_id = g_strdup(connection_id);
	browser_reload(self);
}

void tusk_schema_browser_set_filter(TuskSchemaBrowser *self, const char *text)
{
	g_free(self->filter);
	self->filter = g_strdup(text);
	browser_reload(self);
}

static void on_schema_event(TuskRpc *rpc, const char *method, json_t *params,
                            TuskSchemaBrowser *self)
{
	if (g_strcmp0(json_string_value(json_object_get(params, "connection_id")),
	              self->connection_id) == 0)
		browser_reload(self);
}

static TuskSchemaNode *selected_node(TuskSchemaBrowser *self)
{
	GtkTreeListRow *row = gtk_single_selection_get_selected_item(self->selection);
	return row ? gtk_tree_list_row_get_item(row) : NULL;
}

static void act_select_top(GtkWidget *w, const char *action, GVariant *param)
{
	TuskSchemaBrowser *self = TUSK_SCHEMA_BROWSER(w);
	g_autoptr(TuskSchemaNode) n = selected_node(self);
	if (!n || !tusk_schema_node_is_relation(n))
		return;
	g_autofree char *q = tusk_schema_node_qualified(n);
	g_autofree char *sql = g_strdup_printf("SELECT * FROM %s LIMIT 100;\n", q);
	g_signal_emit(self, signals[SIGNAL_OPEN_SQL], 0, sql);
}

static void act_copy_name(GtkWidget *w, const char *action, GVariant *param)
{
	TuskSchemaBrowser *self = TUSK_SCHEMA_BROWSER(w);
	g_autoptr(TuskSchemaNode) n = selected_node(self);
	if (!n)
		return;
	g_autofree char *q = g_str_equal(tusk_schema_node_get_kind(n), "column")
	                         ? g_strdup(tusk_schema_node_get_name(n))
	                         : tusk_schema_node_qualified(n);
	gdk_clipboard_set_text(gtk_widget_get_clipboard(w), q);
}

static void on_described(GObject *source, GAsyncResult *res, gpointer data)
{
	TuskSchemaBrowser *self = data;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	g_autofree char *text = NULL;
	if (r)
		text = g_strdup_printf("-- %s %s.%s\n%s\n",
		                       json_string_value(json_object_get(r, "kind")),
		                       json_string_value(json_object_get(r, "schema")),
		                       json_string_value(json_object_get(r, "name")),
		                       json_string_value(json_object_get(r, "ddl"))
		                           ? json_string_value(json_object_get(r, "ddl"))
		                           : "-- (no DDL)");
	else
		text = g_strdup_printf("-- describe failed: %s\n", error->message);
	json_decref(r);
	g_signal_emit(self, signals[SIGNAL_OPEN_SQL], 0, text);
	g_object_unref(self);
}

static void act_describe(GtkWidget *w, const char *action, GVariant *param)
{
	TuskSchemaBrowser *self = TUSK_SCHEMA_BROWSER(w);
	g_autoptr(TuskSchemaNode) n = selected_node(self);
	if (!n || !self->connection_id)
		return;
	const char *kind = tusk_schema_node_get_kind(n);
	if (g_str_equal(kind, "schema") || g_str_equal(kind, "category") ||
	    g_str_equal(kind, "column"))
		return;
	g_autofree char *obj =
	    g_strdup_printf("%s.%s", tusk_schema_node_get_schema(n), tusk_schema_node_get_name(n));
	tusk_rpc_call_async(self->rpc, TUSK_M_SCHEMA_DESCRIBE,
	                    tusk_req_schema_describe(self->connection_id, obj, NULL), NULL,
	                    on_described, g_object_ref(self));
}

/* Enter or a double click: a schema or category opens or closes, a
 * relation opens "Select Top 100" in a new tab. */
static void on_activate(GtkListView *view, guint position, TuskSchemaBrowser *self)
{
	g_autoptr(GtkTreeListRow) row =
	    g_list_model_get_item(G_LIST_MODEL(self->selection), position);
	if (!row)
		return;
	if (gtk_tree_list_row_is_expandable(row)) {
		g_autoptr(TuskSchemaNode) n = gtk_tree_list_row_get_item(row);
		if (!tusk_schema_node_is_relation(n)) {
			gtk_tree_list_row_set_expanded(row, !gtk_tree_list_row_get_expanded(row));
			return;
		}
	}
	gtk_single_selection_set_selected(self->selection, position);
	gtk_widget_activate_action(GTK_WIDGET(self), "browser.select-top", NULL);
}

static void row_setup(GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
	GtkWidget *expander = gtk_tree_expander_new();
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	GtkWidget *name = gtk_label_new(NULL);
	GtkWidget *detail = gtk_label_new(NULL);
	gtk_label_set_ellipsize(GTK_LABEL(name), PANGO_ELLIPSIZE_END);
	gtk_label_set_ellipsize(GTK_LABEL(detail), PANGO_ELLIPSIZE_END);
	gtk_widget_add_css_class(detail, "dim-label");
	gtk_widget_add_css_class(detail, "caption");
	gtk_box_append(GTK_BOX(box), name);
	gtk_box_append(GTK_BOX(box), detail);
	gtk_tree_expander_set_child(GTK_TREE_EXPANDER(expander), box);
	gtk_list_item_set_child(item, expander);
}

static void row_bind(GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
	GtkTreeListRow *row = gtk_list_item_get_item(item);
	GtkTreeExpander *expander = GTK_TREE_EXPANDER(gtk_list_item_get_child(item));
	gtk_tree_expander_set_list_row(expander, row);
	TuskSchemaNode *n = gtk_tree_list_row_get_item(row);
	GtkWidget *box = gtk_tree_expander_get_child(expander);
	GtkWidget *name = gtk_widget_get_first_child(box);
	GtkWidget *detail = gtk_widget_get_next_sibling(name);
	gtk_label_set_text(GTK_LABEL(name), tusk_schema_node_get_name(n));
	const char *d = tusk_schema_node_get_detail(n);
	gtk_label_set_text(GTK_LABEL(detail), d ? d : "");
	gtk_accessible_update_property(GTK_ACCESSIBLE(expander), GTK_ACCESSIBLE_PROPERTY_LABEL,
	                               tusk_schema_node_get_name(n), -1);
	g_object_unref(n);
}

static void on_right_click(GtkGestureClick *g, int n, double x, double y, TuskSchemaBrowser *self)
{
	gtk_popover_set_pointing_to(self->menu, &(GdkRectangle){(int)x, (int)y, 1, 1});
	gtk_popover_popup(self->menu);
}

static void tusk_schema_browser_dispose(GObject *object)
{
	TuskSchemaBrowser *self = TUSK_SCHEMA_BROWSER(object);
	if (self->cancel)
		g_cancellable_cancel(self->cancel);
	g_clear_object(&self->cancel);
	g_clear_object(&self->rpc);
	GtkWidget *child;
	while ((child = gtk_widget_get_first_child(GTK_WIDGET(self))))
		gtk_widget_unparent(child);
	g_clear_object(&self->root);
	G_OBJECT_CLASS(tusk_schema_browser_parent_class)->dispose(object);
}

static void tusk_schema_browser_finalize(GObject *object)
{
	TuskSchemaBrowser *self = TUSK_SCHEMA_BROWSER(object);
	g_free(self->connection_id);
	g_free(self->filter);
	G_OBJECT_CLASS(tusk_schema_browser_parent_class)->finalize(object);
}

static void tusk_schema_browser_watch(TuskSchemaBrowser *self, TuskRpc *rpc)
{
	const char *events[] = {TUSK_N_SCHEMA_REFRESH_COMPLETED, TUSK_N_SCHEMA_OBJECT_CREATED,
	                        TUSK_N_SCHEMA_OBJECT_ALTERED, TUSK_N_SCHEMA_OBJECT_DROPPED};
	for (size_t i = 0; i < G_N_ELEMENTS(events); i++) {
		g_autofree char *sig = g_strdup_printf("notification::%s", events[i]);
		g_signal_connect_object(rpc, sig, G_CALLBACK(on_schema_event), self, 0);
	}
}

static void tusk_schema_browser_class_init(TuskSchemaBrowserClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = tusk_schema_browser_dispose;
	G_OBJECT_CLASS(klass)->finalize = tusk_schema_browser_finalize;
	signals[SIGNAL_OPEN_SQL] =
	    g_signal_new("open-sql", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
	gtk_widget_class_install_action(wc, "browser.select-top", NULL, act_select_top);
	gtk_widget_class_install_action(wc, "browser.copy-name", NULL, act_copy_name);
	gtk_widget_class_install_action(wc, "browser.describe", NULL, act_describe);
	gtk_widget_class_add_binding_action(wc, GDK_KEY_c, GDK_CONTROL_MASK, "browser.copy-name",
	                                    NULL);
	gtk_widget_class_add_binding_action(wc, GDK_KEY_d, GDK_CONTROL_MASK, "browser.describe",
	                                    NULL);
}

static void tusk_schema_browser_init(TuskSchemaBrowser *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	self->cancel = g_cancellable_new();
	self->root = g_list_store_new(TUSK_TYPE_SCHEMA_NODE);
	GtkTreeListModel *tree = gtk_tree_list_model_new(G_LIST_MODEL(g_object_ref(self->root)),
	                                                 FALSE, FALSE, create_children, self, NULL);
	self->selection = gtk_single_selection_new(G_LIST_MODEL(tree));
	GtkListItemFactory *f = gtk_signal_list_item_factory_new();
	g_signal_connect(f, "setup", G_CALLBACK(row_setup), NULL);
	g_signal_connect(f, "bind", G_CALLBACK(row_bind), NULL);
	self->view = GTK_LIST_VIEW(gtk_list_view_new(GTK_SELECTION_MODEL(self->selection), f));
	gtk_widget_add_css_class(GTK_WIDGET(self->view), "navigation-sidebar");
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
	                               "Schema Browser", -1);
	g_signal_connect(self->view, "activate", G_CALLBACK(on_activate), self);
	GtkGesture *click = gtk_gesture_click_new();
	gtk_gesture_single_set_button(GTK_GESTURE_SINGLE(click), GDK_BUTTON_SECONDARY);
	g_signal_connect(click, "pressed", G_CALLBACK(on_right_click), self);
	gtk_widget_add_controller(GTK_WIDGET(self->view), GTK_EVENT_CONTROLLER(click));
	self->placeholder = GTK_LABEL(gtk_label_new("Open a connection to browse its schema"));
	gtk_label_set_wrap(self->placeholder, TRUE);
	gtk_widget_add_css_class(GTK_WIDGET(self->placeholder), "dim-label");
	gtk_widget_set_margin_top(GTK_WIDGET(self->placeholder), 12);
	GtkWidget *scroller = gtk_scrolled_window_new();
	gtk_widget_set_vexpand(scroller, TRUE);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroller), GTK_WIDGET(self->view));
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->placeholder));
	gtk_box_append(GTK_BOX(self), scroller);
	g_autoptr(GMenu) menu = g_menu_new();
	g_menu_append(menu, "Select Top 100", "browser.select-top");
	g_menu_append(menu, "Copy Name", "browser.copy-name");
	g_menu_append(menu, "Describe", "browser.describe");
	self->menu = GTK_POPOVER(gtk_popover_menu_new_from_model(G_MENU_MODEL(menu)));
	gtk_widget_set_parent(GTK_WIDGET(self->menu), GTK_WIDGET(self));
}
