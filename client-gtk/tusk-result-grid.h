/* A result set's grid: a GtkColumnView over a TuskResultModel. Numbers
 * right-aligned, NULL shown apart from an empty string, the type under each
 * column's name; Ctrl+C copies the selected rows as TSV. */
#pragma once

#include <gtk/gtk.h>

#include "client-gtk/tusk-result-model.h"

G_BEGIN_DECLS

#define TUSK_TYPE_RESULT_GRID (tusk_result_grid_get_type())
G_DECLARE_FINAL_TYPE(TuskResultGrid, tusk_result_grid, TUSK, RESULT_GRID, GtkBox)

TuskResultGrid *tusk_result_grid_new(TuskResultModel *model);
TuskResultModel *tusk_result_grid_get_model(TuskResultGrid *self);
/* Scroll so that row is shown (tests, keyboard End). */
void tusk_result_grid_scroll_to(TuskResultGrid *self, guint row);
GtkScrolledWindow *tusk_result_grid_get_scroller(TuskResultGrid *self);
/* Tests: cells bound so far, cells given their text so far (when bound,
 * and once more when a blank one's row arrives), cells blank now waiting
 * for their rows, times Pango was asked for the font's metrics, a
 * column's width in characters. */
guint tusk_result_grid_get_cells_bound(TuskResultGrid *self);
guint tusk_result_grid_get_cells_shown(TuskResultGrid *self);
guint tusk_result_grid_get_cells_waiting(TuskResultGrid *self);
/* How long a jumping scroll rests before the bound rows' pages are fetched
 * (100 ms; a test holds it to count what the jumps alone fetch). */
void tusk_result_grid_set_rest_ms(TuskResultGrid *self, guint ms);
guint tusk_result_grid_get_metrics_asked(TuskResultGrid *self);
guint tusk_result_grid_get_column_chars(TuskResultGrid *self, guint col);

G_END_DECLS
