#include "client-gtk/tusk-completion-item.h"

struct _TuskCompletionItem {
	GObject parent_instance;
	char *text;
	char *kind;
	char *detail;
};

static void proposal_iface_init(GtkSourceCompletionProposalInterface *iface) {}

G_DEFINE_FINAL_TYPE_WITH_CODE(TuskCompletionItem, tusk_completion_item, G_TYPE_OBJECT,
                              G_IMPLEMENT_INTERFACE(GTK_SOURCE_TYPE_COMPLETION_PROPOSAL,
                                                    proposal_iface_init))

TuskCompletionItem *tusk_completion_item_new(const char *text, const char *kind, const char *detail)
{
	TuskCompletionItem *self = g_object_new(TUSK_TYPE_COMPLETION_ITEM, NULL);
	self->text = g_strdup(text);
	self->kind = g_strdup(kind);
	self->detail = g_strdup(detail);
	return self;
}

const char *tusk_completion_item_get_text(TuskCompletionItem *self)
{
	return self->text;
}

const char *tusk_completion_item_get_kind(TuskCompletionItem *self)
{
	return self->kind;
}

const char *tusk_completion_item_get_detail(TuskCompletionItem *self)
{
	return self->detail;
}

static void tusk_completion_item_finalize(GObject *object)
{
	TuskCompletionItem *self = TUSK_COMPLETION_ITEM(object);
	g_free(self->text);
	g_free(self->kind);
	g_free(self->detail);
	G_OBJECT_CLASS(tusk_completion_item_parent_class)->finalize(object);
}

static void tusk_completion_item_class_init(TuskCompletionItemClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = tusk_completion_item_finalize;
}

static void tusk_completion_item_init(TuskCompletionItem *self) {}
