/* An editor tab: SQL in a GtkSourceView bound to a connection and a named
 * context, its results (one grid per result set, a messages pane), the
 * error of its last run and a status line. */
#pragma once

#include <gtk/gtk.h>

#include "client-gtk/tusk-rpc.h"

G_BEGIN_DECLS

#define TUSK_TYPE_EDITOR_PAGE (tusk_editor_page_get_type())
G_DECLARE_FINAL_TYPE(TuskEditorPage, tusk_editor_page, TUSK, EDITOR_PAGE, GtkBox)

/* tab_id NULL: a new one. Its context is "tab:<tab_id>". */
TuskEditorPage *tusk_editor_page_new(TuskRpc *rpc, const char *tab_id, const char *connection_id,
                                     const char *connection_name, const char *text);
const char *tusk_editor_page_get_tab_id(TuskEditorPage *self);
const char *tusk_editor_page_get_title(TuskEditorPage *self);
gboolean tusk_editor_page_get_running(TuskEditorPage *self);
/* "in_transaction" / "in_error" while the context holds a transaction, else NULL. */
const char *tusk_editor_page_get_transaction(TuskEditorPage *self);
/* The daemon that held the tab's transaction is gone: no transaction now. */
void tusk_editor_page_forget_transaction(TuskEditorPage *self);
const char *tusk_editor_page_get_connection_id(TuskEditorPage *self);
/* The named context its statements run in: "tab:<tab_id>". */
const char *tusk_editor_page_get_context(TuskEditorPage *self);
const char *tusk_editor_page_get_connection_name(TuskEditorPage *self);
void tusk_editor_page_set_connection(TuskEditorPage *self, const char *id, const char *name);
char *tusk_editor_page_get_text(TuskEditorPage *self);
int tusk_editor_page_get_cursor(TuskEditorPage *self);
void tusk_editor_page_set_cursor(TuskEditorPage *self, int offset);
void tusk_editor_page_update_style(TuskEditorPage *self);

G_END_DECLS
