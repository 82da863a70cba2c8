#include "client-gtk/tusk-workspace.h"

#include <adwaita.h>

#include "client-gtk/tusk-window.h"
#include "common/paths.h"

#define SAVE_DELAY_MS 400

struct _TuskWorkspace {
	GObject parent_instance;
	TuskRpc *rpc;
	TuskWindow *window; /* not owned: the window owns us */
	char *path;
	guint save_source;
	gboolean restoring;
};

G_DEFINE_FINAL_TYPE(TuskWorkspace, tusk_workspace, G_TYPE_OBJECT)

static json_t *workspace_collect(TuskWorkspace *self)
{
	json_t *tabs = json_array();
	GListModel *pages = tusk_window_get_pages(self->window);
	TuskEditorPage *selected = tusk_window_get_selected_page(self->window);
	int selected_index = -1;
	guint n = g_list_model_get_n_items(pages);
	for (guint i = 0; i < n; i++) {
		g_autoptr(AdwTabPage) tp = g_list_model_get_item(pages, i);
		TuskEditorPage *page = TUSK_EDITOR_PAGE(adw_tab_page_get_child(tp));
		g_autofree char *text = tusk_editor_page_get_text(page);
		const char *cid = tusk_editor_page_get_connection_id(page);
		const char *cname = tusk_editor_page_get_connection_name(page);
		json_array_append_new(
		    tabs, json_pack("{s:s, s:s, s:i, s:o, s:o}", "tab_id",
		                    tusk_editor_page_get_tab_id(page), "text", text, "cursor",
		                    tusk_editor_page_get_cursor(page), "connection_id",
		                    cid ? json_string(cid) : json_null(), "connection_name",
		                    cname ? json_string(cname) : json_null()));
		if (page == selected)
			selected_index = (int)i;
	}
	return json_pack("{s:i, s:o, s:i}", "version", 1, "tabs", tabs, "selected", selected_index);
}

void tusk_workspace_save_now(TuskWorkspace *self)
{
	g_clear_handle_id(&self->save_source, g_source_remove);
	if (self->restoring || !self->path)
		return;
	json_t *ws = workspace_collect(self);
	char *text = json_dumps(ws, JSON_COMPACT);
	json_decref(ws);
	g_autofree char *dir = g_path_get_dirname(self->path);
	g_mkdir_with_parents(dir, 0700);
	g_autoptr(GError) error = NULL;
	/* written to a temporary file and renamed: a kill leaves the old or the new */
	if (!g_file_set_contents_full(self->path, text, -1,
	                              G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
	                              0600, &error))
		g_warning("cannot save the tabs: %s", error->message);
	free(text);
}

static gboolean on_save(gpointer data)
{
	TuskWorkspace *self = data;
	self->save_source = 0;
	tusk_workspace_save_now(self);
	return G_SOURCE_REMOVE;
}

void tusk_workspace_schedule_save(TuskWorkspace *self)
{
	if (!self || self->restoring)
		return;
	if (self->save_source)
		g_source_remove(self->save_source);
	self->save_source = g_timeout_add(SAVE_DELAY_MS, on_save, self);
}

void tusk_workspace_daemon_ready(TuskWorkspace *self) {}

static void workspace_restore(TuskWorkspace *self)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	json_t *ws = NULL;
	if (g_file_get_contents(self->path, &text, &len, NULL))
		ws = json_loadb(text, len, 0, NULL);
	json_t *tabs = json_object_get(ws, "tabs");
	self->restoring = TRUE;
	json_t *t;
	size_t i;
	TuskEditorPage *select = NULL;
	json_int_t selected = json_integer_value(json_object_get(ws, "selected"));
	json_array_foreach(tabs, i, t)
	{
		TuskEditorPage *page = tusk_window_open_tab(
		    self->window, json_string_value(json_object_get(t, "tab_id")),
		    json_string_value(json_object_get(t, "connection_id")),
		    json_string_value(json_object_get(t, "connection_name")),
		    json_string_value(json_object_get(t, "text")));
		tusk_editor_page_set_cursor(page,
		                            (int)json_integer_value(json_object_get(t, "cursor")));
		if ((json_int_t)i == selected)
			select = page;
	}
	if (!json_array_size(tabs))
		tusk_window_open_tab(self->window, NULL, NULL, NULL, NULL);
	if (select) {
		TuskEditorPage *cur = tusk_window_get_selected_page(self->window);
		GListModel *pages = tusk_window_get_pages(self->window);
		for (guint k = 0; cur != select && k < g_list_model_get_n_items(pages); k++) {
			g_autoptr(AdwTabPage) tp = g_list_model_get_item(pages, k);
			if (adw_tab_page_get_child(tp) == GTK_WIDGET(select)) {
				AdwTabView *view = ADW_TAB_VIEW(
				    gtk_widget_get_ancestor(GTK_WIDGET(select), ADW_TYPE_TAB_VIEW));
				if (view)
					adw_tab_view_set_selected_page(view, tp);
			}
		}
	}
	json_decref(ws);
	self->restoring = FALSE;
}

TuskWorkspace *tusk_workspace_new(TuskRpc *rpc, TuskWindow *window)
{
	TuskWorkspace *self = g_object_new(TUSK_TYPE_WORKSPACE, NULL);
	self->rpc = g_object_ref(rpc);
	self->window = window;
	TuskError e = TUSK_ERROR_INIT;
	char *state = tusk_path_state_dir(&e);
	tusk_error_clear(&e);
	if (state)
		self->path = g_build_filename(state, "window.json", NULL);
	free(state);
	if (self->path)
		workspace_restore(self);
	return self;
}

static void tusk_workspace_dispose(GObject *object)
{
	TuskWorkspace *self = TUSK_WORKSPACE(object);
	if (self->save_source)
		tusk_workspace_save_now(self);
	g_clear_object(&self->rpc);
	G_OBJECT_CLASS(tusk_workspace_parent_class)->dispose(object);
}

static void tusk_workspace_finalize(GObject *object)
{
	g_free(TUSK_WORKSPACE(object)->path);
	G_OBJECT_CLASS(tusk_workspace_parent_class)->finalize(object);
}

static void tusk_workspace_class_init(TuskWorkspaceClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = tusk_workspace_dispose;
	G_OBJECT_CLASS(klass)->finalize = tusk_workspace_finalize;
}

static void tusk_workspace_init(TuskWorkspace *self) {}
