/* The main window: sidebar, editor tabs, history, banner and toasts. */
#pragma once

#include <adwaita.h>

#include "client-gtk/tusk-application.h"
#include "client-gtk/tusk-editor-page.h"

G_BEGIN_DECLS

#define TUSK_TYPE_WINDOW (tusk_window_get_type())
G_DECLARE_FINAL_TYPE(TuskWindow, tusk_window, TUSK, WINDOW, AdwApplicationWindow)

TuskWindow *tusk_window_new(TuskApplication *app);
void tusk_window_toast(TuskWindow *self, const char *text);
/* A new editor tab, selected (tab_id NULL: a new one). */
TuskEditorPage *tusk_window_open_tab(TuskWindow *self, const char *tab_id,
                                     const char *connection_id, const char *connection_name,
                                     const char *text);
/* A tab at position (-1: last), not selected. */
TuskEditorPage *tusk_window_insert_tab(TuskWindow *self, int position, const char *tab_id,
                                       const char *connection_id, const char *connection_name,
                                       const char *text);
/* AdwTabPage items, in order. */
GListModel *tusk_window_get_pages(TuskWindow *self);
/* Close a tab without letting its context go (the workspace replaces tabs
 * another window or tuskctl saved: their contexts live on there). */
void tusk_window_drop_tab(TuskWindow *self, AdwTabPage *page);
TuskEditorPage *tusk_window_get_selected_page(TuskWindow *self);

G_END_DECLS
