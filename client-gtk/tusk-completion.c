#include "client-gtk/tusk-completion.h"

#include "client-gtk/tusk-completion-item.h"

#define CONTEXT_CHARS 4000

struct _TuskCompletion {
	GObject parent_instance;
	TuskRpc *rpc;
	char *connection_id;
};

static void provider_iface_init(GtkSourceCompletionProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE(TuskCompletion, tusk_completion, G_TYPE_OBJECT,
                              G_IMPLEMENT_INTERFACE(GTK_SOURCE_TYPE_COMPLETION_PROVIDER,
                                                    provider_iface_init))

static void on_completed(GObject *source, GAsyncResult *res, gpointer data)
{
	GTask *task = data;
	GError *error = NULL;
	json_t *result = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (!result) {
		g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	GListStore *store = g_list_store_new(TUSK_TYPE_COMPLETION_ITEM);
	json_t *c;
	size_t i;
	json_array_foreach(json_object_get(result, "candidates"), i, c)
	{
		g_autoptr(TuskCompletionItem) item =
		    tusk_completion_item_new(json_string_value(json_object_get(c, "text")),
		                             json_string_value(json_object_get(c, "kind")),
		                             json_string_value(json_object_get(c, "detail")));
		g_list_store_append(store, item);
	}
	json_decref(result);
	g_task_return_pointer(task, store, g_object_unref);
	g_object_unref(task);
}

static void provider_populate_async(GtkSourceCompletionProvider *provider,
                                    GtkSourceCompletionContext *context, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
	TuskCompletion *self = TUSK_COMPLETION(provider);
	GTask *task = g_task_new(provider, cancellable, callback, user_data);
	g_autofree char *word = gtk_source_completion_context_get_word(context);
	if (!self->connection_id || !word || !*word) {
		g_task_return_pointer(task, g_list_store_new(TUSK_TYPE_COMPLETION_ITEM),
		                      g_object_unref);
		g_object_unref(task);
		return;
	}
	GtkTextIter begin, end, from;
	gtk_source_completion_context_get_bounds(context, &begin, &end);
	from = begin;
	gtk_text_iter_backward_chars(&from, CONTEXT_CHARS);
	g_autofree char *before = gtk_text_iter_get_text(&from, &begin);
	json_t *params = tusk_req_schema_complete(self->connection_id, word, before, -1, 100);
	tusk_rpc_call_async(self->rpc, TUSK_M_SCHEMA_COMPLETE, params, cancellable, on_completed,
	                    task);
}

static GListModel *provider_populate_finish(GtkSourceCompletionProvider *provider,
                                            GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void provider_display(GtkSourceCompletionProvider *provider,
                             GtkSourceCompletionContext *context,
                             GtkSourceCompletionProposal *proposal, GtkSourceCompletionCell *cell)
{
	TuskCompletionItem *item = TUSK_COMPLETION_ITEM(proposal);
	switch (gtk_source_completion_cell_get_column(cell)) {
	case GTK_SOURCE_COMPLETION_COLUMN_TYPED_TEXT:
		gtk_source_completion_cell_set_text(cell, tusk_completion_item_get_text(item));
		break;
	case GTK_SOURCE_COMPLETION_COLUMN_AFTER: {
		const char *detail = tusk_completion_item_get_detail(item);
		g_autofree char *s =
		    detail ? g_strdup_printf("%s · %s", tusk_completion_item_get_kind(item), detail)
		           : g_strdup(tusk_completion_item_get_kind(item));
		gtk_source_completion_cell_set_text(cell, s);
		break;
	}
	default:
		gtk_source_completion_cell_set_text(cell, NULL);
	}
}

static void provider_activate(GtkSourceCompletionProvider *provider,
                              GtkSourceCompletionContext *context,
                              GtkSourceCompletionProposal *proposal)
{
	GtkTextIter begin, end;
	GtkTextBuffer *buffer = GTK_TEXT_BUFFER(gtk_source_completion_context_get_buffer(context));
	gtk_source_completion_context_get_bounds(context, &begin, &end);
	gtk_text_buffer_begin_user_action(buffer);
	gtk_text_buffer_delete(buffer, &begin, &end);
	gtk_text_buffer_insert(buffer, &begin,
	                       tusk_completion_item_get_text(TUSK_COMPLETION_ITEM(proposal)), -1);
	gtk_text_buffer_end_user_action(buffer);
}

static char *provider_get_title(GtkSourceCompletionProvider *provider)
{
	return g_strdup("Schema");
}

static void provider_iface_init(GtkSourceCompletionProviderInterface *iface)
{
	iface->populate_async = provider_populate_async;
	iface->populate_finish = provider_populate_finish;
	iface->display = provider_display;
	iface->activate = provider_activate;
	iface->get_title = provider_get_title;
}

void tusk_completion_set_connection(GtkSourceView *view, TuskRpc *rpc, const char *connection_id)
{
	TuskCompletion *self = g_object_get_data(G_OBJECT(view), "tusk-completion");
	if (!self) {
		self = g_object_new(TUSK_TYPE_COMPLETION, NULL);
		self->rpc = g_object_ref(rpc);
		gtk_source_completion_add_provider(gtk_source_view_get_completion(view),
		                                   GTK_SOURCE_COMPLETION_PROVIDER(self));
		g_object_set_data_full(G_OBJECT(view), "tusk-completion", self, g_object_unref);
	}
	g_free(self->connection_id);
	self->connection_id = g_strdup(connection_id);
}

static void tusk_completion_finalize(GObject *object)
{
	TuskCompletion *self = TUSK_COMPLETION(object);
	g_clear_object(&self->rpc);
	g_free(self->connection_id);
	G_OBJECT_CLASS(tusk_completion_parent_class)->finalize(object);
}

static void tusk_completion_class_init(TuskCompletionClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = tusk_completion_finalize;
}

static void tusk_completion_init(TuskCompletion *self) {}
