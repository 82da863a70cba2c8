/* One row of a TuskResultModel: the item a grid cell binds to. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _TuskResultModel TuskResultModel;

#define TUSK_TYPE_RESULT_ROW (tusk_result_row_get_type())
G_DECLARE_FINAL_TYPE(TuskResultRow, tusk_result_row, TUSK, RESULT_ROW, GObject)

TuskResultRow *tusk_result_row_new(TuskResultModel *model, guint index);
TuskResultModel *tusk_result_row_get_model(TuskResultRow *self);
guint tusk_result_row_get_index(TuskResultRow *self);

G_END_DECLS
