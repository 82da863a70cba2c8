/* Export of one result set to a file by the daemon (query.export): the
 * format, the file (typed, or chosen in a file chooser), a progress bar fed
 * by query.export_progress, and Cancel (query.export_cancel: the daemon
 * removes the partial file). */
#pragma once

#include <adwaita.h>

#include "client-gtk/tusk-result-model.h"

G_BEGIN_DECLS

#define TUSK_TYPE_EXPORT_DIALOG (tusk_export_dialog_get_type())
G_DECLARE_FINAL_TYPE(TuskExportDialog, tusk_export_dialog, TUSK, EXPORT_DIALOG, AdwWindow)

/* One per window: it hides on close and is opened again for the next
 * export (GTK 4.8 crashes when an accessibility client asks about a window
 * being destroyed). */
TuskExportDialog *tusk_export_dialog_new(GtkWindow *parent);
/* Shows it for model, a stored result (tusk_result_model_get_query_id not
 * NULL); while an export runs, shows that one. */
void tusk_export_dialog_open(TuskExportDialog *self, TuskResultModel *model);

G_END_DECLS
