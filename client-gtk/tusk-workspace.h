/* The window's tabs kept across runs: every edit schedules a save
 * (debounced) to a local copy ($TUSK_STATE_DIR or XDG state/tusk/window.json,
 * what start-up restores at once) and to the daemon's workspace
 * (workspace.save), which is shared with other windows and tuskctl. A
 * killed window or a daemon away loses no tab and no text. */
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
/* Compares with the daemon's copy (workspace.get) and syncs. */
void tusk_workspace_daemon_ready(TuskWorkspace *self);
/* The window is going: save what is pending, forget the window. */
void tusk_workspace_detach(TuskWorkspace *self);

G_END_DECLS
