/* One completion candidate from schema.complete. */
#pragma once

#include <gtksourceview/gtksource.h>

G_BEGIN_DECLS

#define TUSK_TYPE_COMPLETION_ITEM (tusk_completion_item_get_type())
G_DECLARE_FINAL_TYPE(TuskCompletionItem, tusk_completion_item, TUSK, COMPLETION_ITEM, GObject)

TuskCompletionItem *tusk_completion_item_new(const char *text, const char *kind,
                                             const char *detail);
const char *tusk_completion_item_get_text(TuskCompletionItem *self);
const char *tusk_completion_item_get_kind(TuskCompletionItem *self);
const char *tusk_completion_item_get_detail(TuskCompletionItem *self);

G_END_DECLS
