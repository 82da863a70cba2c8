#include "client-gtk/tusk-workspace.h"

#include <adwaita.h>

#include "client-gtk/tusk-timing.h"
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
	json_int_t revision; /* the daemon's revision our tabs are based on */
	gboolean dirty;      /* edits the daemon has not acknowledged yet */
	gboolean saving;     /* a workspace.save in flight */
	gboolean again;      /* edits made while it was in flight */
	gboolean synced;     /* compared with the daemon's copy since start */
	/* Start-up opens the selected tab at once and the others one by one
	 * after the first frames: their tabs, the next to make, the selected. */
	json_t *later;
	size_t later_next;
	size_t later_selected;
	guint later_source;
	gboolean edited_meanwhile;
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
		const char *tab_id = tusk_editor_page_get_tab_id(page);
		g_autofree char *context = g_strdup_printf("tab:%s", tab_id);
		const char *title = tusk_editor_page_get_title(page);
		json_array_append_new(
		    tabs, json_pack("{s:s, s:s, s:o, s:s, s:i, s:n, s:s, s:i, s:n, s:{s:o}}", "id",
		                    tab_id, "title", title ? title : "", "connection_id",
		                    cid ? json_string(cid) : json_null(), "sql", text, "cursor",
		                    tusk_editor_page_get_cursor(page), "selection", "context",
		                    context, "order", (int)i, "last_query_id", "extra",
		                    "connection_name", cname ? json_string(cname) : json_null()));
		if (page == selected)
			selected_index = (int)i;
	}
	return json_pack("{s:i, s:o, s:i, s:I, s:b}", "version", 2, "tabs", tabs, "selected",
	                 selected_index, "revision", (json_int_t)self->revision, "dirty",
	                 self->dirty);
}

static void workspace_write_file(TuskWorkspace *self, json_t *ws)
{
	if (!self->path)
		return;
	char *text = json_dumps(ws, JSON_COMPACT);
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

static void workspace_push(TuskWorkspace *self, gboolean force);

static void on_pushed(GObject *source, GAsyncResult *res, gpointer data)
{
	TuskWorkspace *self = data;
	g_autoptr(GError) error = NULL;
	json_t *edata = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, &edata, &error);
	self->saving = FALSE;
	if (r) {
		self->revision = json_integer_value(json_object_get(r, "revision"));
		json_decref(r);
		if (self->again) {
			self->again = FALSE;
			workspace_push(self, FALSE);
		} else if (self->window) {
			self->dirty = FALSE;
			json_t *ws = workspace_collect(self);
			workspace_write_file(self, ws);
			json_decref(ws);
		}
	} else if (error->domain == TUSK_RPC_ERROR && error->code == -32070 && self->window) {
		/* another window saved since: these tabs are the ones being edited */
		self->revision = json_integer_value(json_object_get(edata, "current_revision"));
		workspace_push(self, TRUE);
	} else if (error->domain == TUSK_RPC_ERROR && error->code != TUSK_RPC_ERROR_DISCONNECTED) {
		g_warning("the daemon did not keep the tabs: %s", error->message);
	}
	/* disconnected: still dirty; pushed again when the daemon is back */
	json_decref(edata);
	g_object_unref(self);
}

static void workspace_push(TuskWorkspace *self, gboolean force)
{
	if (!self->window || self->later)
		return;
	if (self->saving) {
		self->again = TRUE;
		return;
	}
	json_t *ws = workspace_collect(self);
	json_t *params = tusk_req_workspace_save(NULL, json_incref(json_object_get(ws, "tabs")),
	                                         self->revision, force);
	json_decref(ws);
	self->saving = TRUE;
	tusk_rpc_call_async(self->rpc, TUSK_M_WORKSPACE_SAVE, params, NULL, on_pushed,
	                    g_object_ref(self));
}

void tusk_workspace_save_now(TuskWorkspace *self)
{
	g_clear_handle_id(&self->save_source, g_source_remove);
	if (self->restoring || !self->window)
		return;
	/* the local copy first: it holds the edits until the daemon has them */
	self->dirty = TRUE;
	json_t *ws = workspace_collect(self);
	workspace_write_file(self, ws);
	json_decref(ws);
	if (tusk_rpc_get_state(self->rpc) == TUSK_RPC_READY && self->synced)
		workspace_push(self, FALSE);
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
	if (self && self->restoring && self->later)
		self->edited_meanwhile = TRUE;
	if (!self || self->restoring)
		return;
	if (self->save_source)
		g_source_remove(self->save_source);
	self->save_source = g_timeout_add(SAVE_DELAY_MS, on_save, self);
}

static TuskEditorPage *open_tab_json(TuskWorkspace *self, json_t *t, int position)
{
	const char *id = json_string_value(json_object_get(t, "id"));
	const char *cid = json_string_value(json_object_get(t, "connection_id"));
	const char *cname =
	    json_string_value(json_object_get(json_object_get(t, "extra"), "connection_name"));
	const char *sql = json_string_value(json_object_get(t, "sql"));
	TuskEditorPage *page =
	    position == -2 ? tusk_window_open_tab(self->window, id, cid, cname, sql)
	                   : tusk_window_insert_tab(self->window, position, id, cid, cname, sql);
	tusk_editor_page_set_cursor(page, (int)json_integer_value(json_object_get(t, "cursor")));
	return page;
}

/* One background tab per call: those before the selected one go in front
 * of it, in order; the others after it. FALSE when none is left. */
static gboolean workspace_later_step(TuskWorkspace *self)
{
	size_t n = json_array_size(self->later);
	if (self->later_next == self->later_selected)
		self->later_next++;
	if (self->later_next < n) {
		size_t i = self->later_next++;
		open_tab_json(self, json_array_get(self->later, i),
		              i < self->later_selected ? (int)i : -1);
	}
	if (self->later_next == self->later_selected)
		self->later_next++;
	if (self->later_next < n)
		return TRUE;
	json_decref(self->later);
	self->later = NULL;
	self->restoring = FALSE;
	tusk_timing_mark("tabs-all");
	if (self->edited_meanwhile) {
		self->edited_meanwhile = FALSE;
		tusk_workspace_schedule_save(self);
	}
	return FALSE;
}

static gboolean on_later(gpointer data)
{
	TuskWorkspace *self = data;
	if (workspace_later_step(self))
		return G_SOURCE_CONTINUE;
	self->later_source = 0;
	return G_SOURCE_REMOVE;
}

/* Makes every tab still waiting (before a save or a close). */
static void workspace_finish_later(TuskWorkspace *self)
{
	g_clear_handle_id(&self->later_source, g_source_remove);
	while (self->later && workspace_later_step(self))
		;
}

/* Tabs of the daemon's shape (id, sql, connection_id, cursor, extra): the
 * selected one now, the rest after the first frames (start-up paints one
 * editor, not twenty). */
static void workspace_open_tabs(TuskWorkspace *self, json_t *ws)
{
	json_t *tabs = json_object_get(ws, "tabs");
	size_t n = json_array_size(tabs);
	json_int_t selected = json_integer_value(json_object_get(ws, "selected"));
	if (selected < 0 || (size_t)selected >= n)
		selected = 0;
	self->restoring = TRUE;
	if (!n) {
		tusk_window_open_tab(self->window, NULL, NULL, NULL, NULL);
		self->restoring = FALSE;
		return;
	}
	open_tab_json(self, json_array_get(tabs, (size_t)selected), -2);
	if (n == 1) {
		self->restoring = FALSE;
		return;
	}
	self->later = json_incref(tabs);
	self->later_next = 0;
	self->later_selected = (size_t)selected;
	self->edited_meanwhile = FALSE;
	self->later_source = g_idle_add_full(G_PRIORITY_LOW, on_later, self, NULL);
}

static void workspace_restore(TuskWorkspace *self)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	json_t *ws = NULL;
	if (self->path && g_file_get_contents(self->path, &text, &len, NULL))
		ws = json_loadb(text, len, 0, NULL);
	if (json_integer_value(json_object_get(ws, "version")) != 2) {
		json_decref(ws);
		ws = NULL;
	}
	self->revision = json_integer_value(json_object_get(ws, "revision"));
	self->dirty = json_is_true(json_object_get(ws, "dirty"));
	workspace_open_tabs(self, ws);
	json_decref(ws);
}

static void workspace_close_all(TuskWorkspace *self)
{
	g_clear_handle_id(&self->later_source, g_source_remove);
	json_decref(self->later);
	self->later = NULL;
	GListModel *pages = tusk_window_get_pages(self->window);
	self->restoring = TRUE;
	/* (over a snapshot: a page that would not go cannot hang the loop) */
	guint n = g_list_model_get_n_items(pages);
	g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_object_unref);
	for (guint i = 0; i < n; i++)
		g_ptr_array_add(all, g_list_model_get_item(pages, i));
	for (guint i = 0; i < all->len; i++)
		tusk_window_drop_tab(self->window, g_ptr_array_index(all, i));
	self->restoring = FALSE;
}

/* The daemon's copy against ours: a newer one there (another window,
 * tuskctl workspace save) replaces these tabs unless they hold edits the
 * daemon has not seen; those go to the daemon instead. */
static void on_fetched(GObject *source, GAsyncResult *res, gpointer data)
{
	TuskWorkspace *self = data;
	g_autoptr(GError) error = NULL;
	json_t *ws = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (ws && self->window) {
		tusk_timing_mark("workspace-fetched");
		self->synced = TRUE;
		json_int_t rev = json_integer_value(json_object_get(ws, "revision"));
		if (rev > self->revision && !self->dirty &&
		    json_array_size(json_object_get(ws, "tabs"))) {
			workspace_close_all(self);
			workspace_open_tabs(self, ws);
			self->revision = rev;
			json_t *mine = workspace_collect(self);
			workspace_write_file(self, mine);
			json_decref(mine);
		} else if (self->dirty || rev != self->revision) {
			workspace_finish_later(self); /* every tab, or the daemon would lose some */
			workspace_push(self, self->dirty);
		}
	} else if (error && error->domain == TUSK_RPC_ERROR && error->code == -32601) {
		self->synced = FALSE; /* a daemon without workspaces: the local copy only */
	}
	json_decref(ws);
	g_object_unref(self);
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
	workspace_restore(self);
	return self;
}

void tusk_workspace_detach(TuskWorkspace *self)
{
	if (self->later) {
		workspace_finish_later(self);
		if (self->save_source)
			tusk_workspace_save_now(self);
	}
	if (self->save_source)
		tusk_workspace_save_now(self);
	self->window = NULL;
}

void tusk_workspace_daemon_ready(TuskWorkspace *self)
{
	if (!self)
		return;
	tusk_rpc_call_async(self->rpc, TUSK_M_WORKSPACE_GET, NULL, NULL, on_fetched,
	                    g_object_ref(self));
}

static void tusk_workspace_dispose(GObject *object)
{
	TuskWorkspace *self = TUSK_WORKSPACE(object);
	g_clear_handle_id(&self->later_source, g_source_remove);
	json_decref(self->later);
	self->later = NULL;
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
