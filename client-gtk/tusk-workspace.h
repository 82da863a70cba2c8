/* The window's tabs kept across runs: every edit schedules a save
 * (debounced), and the tabs come back at start — a killed window loses no
 * tab and no text. Saved with the daemon's workspace.save when it has it,
 * else to $TUSK_STATE_DIR (XDG state)/tusk/window.json. */
#pragma once

#include <glib-object.h>

#include "client-gtk/tusk-rpc.h"

G_BEGIN_DECLS

typedef struct _TuskWindow TuskWindow;

#define TUSK_TYPE_WORKSPACE (tusk_workspace_get_type())
G_DECLARE_FINAL_TYPE(TuskWorkspace, tusk_workspace, TUSK, WORKSPACE, GObject)

/* Restores the saved tabs into window (or opens one empty tab). */
TuskWorkspace *tusk_workspace_new(TuskRpc *rpc, TuskWindow *window);
void tusk_workspace_schedule_save(TuskWorkspace *self);
/* Writes now (tests, quit). */
void tusk_workspace_save_now(TuskWorkspace *self);
void tusk_workspace_daemon_ready(TuskWorkspace *self);

G_END_DECLS
