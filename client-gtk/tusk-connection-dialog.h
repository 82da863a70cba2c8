/* The connection dialog: every ConnectionConfig field on General, TLS and
 * SSH pages; import from a URI; Test; the password to the keyring, with
 * the keyring's real state from daemon.hello. Emits "saved" (id).
 * One dialog is made per window and reused: closing hides it (GTK 4.8's
 * AT-SPI bridge crashes answering about a window being destroyed). */
#pragma once

#include <adwaita.h>

#include "client-gtk/tusk-rpc.h"

G_BEGIN_DECLS

#define TUSK_TYPE_CONNECTION_DIALOG (tusk_connection_dialog_get_type())
G_DECLARE_FINAL_TYPE(TuskConnectionDialog, tusk_connection_dialog, TUSK, CONNECTION_DIALOG,
                     AdwWindow)

TuskConnectionDialog *tusk_connection_dialog_new(GtkWindow *parent, TuskRpc *rpc);
/* Resets every field and shows the dialog. id NULL: a new connection;
 * else that saved connection is loaded. */
void tusk_connection_dialog_open(TuskConnectionDialog *self, const char *id);

G_END_DECLS
