/* Closing an editor tab lets its named context go in the daemon
 * (context.release), so a SET or a transaction the tab held does not keep
 * a backend until the daemon's idle timeout. The daemon, not the tab, says
 * whether a transaction is open (a restored tab has not heard yet): then
 * the person chooses — commit, roll back, or keep the tab. One message
 * dialog per window, made once and hidden when answered (GTK 4.8's AT-SPI
 * bridge crashes answering about a window being destroyed); closes that
 * come while it asks wait their turn. */
#pragma once

#include <adwaita.h>

#include "client-gtk/tusk-rpc.h"

G_BEGIN_DECLS

#define TUSK_TYPE_TAB_CLOSE (tusk_tab_close_get_type())
G_DECLARE_FINAL_TYPE(TuskTabClose, tusk_tab_close, TUSK, TAB_CLOSE, GObject)

/* Signals: "toast" (const char *text): a commit that failed (the tab stays). */
TuskTabClose *tusk_tab_close_new(GtkWindow *parent, TuskRpc *rpc);

/* For AdwTabView::close-page on a TuskEditorPage: finishes the close
 * (adw_tab_view_close_page_finish) once the context is let go, or with
 * FALSE when the person keeps the tab. */
void tusk_tab_close_page(TuskTabClose *self, AdwTabView *view, AdwTabPage *page);

/* The page goes without a question (the workspace replaces it): a close
 * of it that waits or asks is finished now, with TRUE. */
void tusk_tab_close_forget(TuskTabClose *self, AdwTabPage *page);

G_END_DECLS
