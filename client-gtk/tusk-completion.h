/* SQL completion in the editor from the daemon's schema cache
 * (schema.complete), as a GtkSourceCompletionProvider. */
#pragma once

#include <gtksourceview/gtksource.h>

#include "client-gtk/tusk-rpc.h"

G_BEGIN_DECLS

#define TUSK_TYPE_COMPLETION (tusk_completion_get_type())
G_DECLARE_FINAL_TYPE(TuskCompletion, tusk_completion, TUSK, COMPLETION, GObject)

/* Adds the provider to view's completion the first time; then points it
 * at connection_id (NULL: no candidates). */
void tusk_completion_set_connection(GtkSourceView *view, TuskRpc *rpc, const char *connection_id);

G_END_DECLS
