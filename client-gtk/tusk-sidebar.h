/* The sidebar: saved connections in nested, coloured groups with status
 * dots, their actions, and the schema browser of the selected open one. */
#pragma once

#include <gtk/gtk.h>

#include "client-gtk/tusk-rpc.h"

G_BEGIN_DECLS

#define TUSK_TYPE_SIDEBAR (tusk_sidebar_get_type())
G_DECLARE_FINAL_TYPE(TuskSidebar, tusk_sidebar, TUSK, SIDEBAR, GtkBox)

void tusk_sidebar_set_rpc(TuskSidebar *self, TuskRpc *rpc);
void tusk_sidebar_reload(TuskSidebar *self);
/* The selected connection (borrowed; NULL when none). */
void tusk_sidebar_get_selected(TuskSidebar *self, const char **ret_id, const char **ret_name);

G_END_DECLS
