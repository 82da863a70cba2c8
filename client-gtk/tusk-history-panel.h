/* Query history from the daemon (history.list): full-text search, filter by
 * connection, activate an entry to open it in a new tab. */
#pragma once

#include <gtk/gtk.h>

#include "client-gtk/tusk-rpc.h"

G_BEGIN_DECLS

#define TUSK_TYPE_HISTORY_PANEL (tusk_history_panel_get_type())
G_DECLARE_FINAL_TYPE(TuskHistoryPanel, tusk_history_panel, TUSK, HISTORY_PANEL, GtkBox)

void tusk_history_panel_set_rpc(TuskHistoryPanel *self, TuskRpc *rpc);
/* The connection "only the current tab's connection" means. */
void tusk_history_panel_set_connection(TuskHistoryPanel *self, const char *connection_id);
void tusk_history_panel_reload(TuskHistoryPanel *self);

G_END_DECLS
