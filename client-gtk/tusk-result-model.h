/* The rows of one result set as a GListModel of TuskResultRow. Two ways
 * to fill it: store mode pages rows from the daemon with query.fetch (a
 * window of pages around what is asked for, neighbours prefetched, far
 * pages dropped: never the whole result), stream mode appends the rows of
 * query.rows notifications. */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

#include "client-gtk/tusk-rpc.h"

G_BEGIN_DECLS

#define TUSK_RESULT_PAGE_ROWS 256
#define TUSK_RESULT_MAX_PAGES 24

#define TUSK_TYPE_RESULT_MODEL (tusk_result_model_get_type())
G_DECLARE_FINAL_TYPE(TuskResultModel, tusk_result_model, TUSK, RESULT_MODEL, GObject)

/* columns: the Column array of query.columns (borrowed, copied). rpc and
 * query_id only for store mode (NULL for stream). */
TuskResultModel *tusk_result_model_new(TuskRpc *rpc, const char *query_id, int result_index,
                                       json_t *columns);
guint tusk_result_model_get_n_columns(TuskResultModel *self);
const char *tusk_result_model_get_column_name(TuskResultModel *self, guint col);
const char *tusk_result_model_get_column_type(TuskResultModel *self, guint col);
gboolean tusk_result_model_column_is_numeric(TuskResultModel *self, guint col);
int tusk_result_model_get_result_index(TuskResultModel *self);

/* Store mode: fetch the first page now, before the row count is known
 * (the first rows show as soon as the daemon has them). */
void tusk_result_model_prefetch(TuskResultModel *self);
/* Stream mode: append a batch (borrowed). */
void tusk_result_model_append(TuskResultModel *self, json_t *rows);
/* Store mode: the result set has this many rows now (grows while it runs). */
void tusk_result_model_set_row_count(TuskResultModel *self, guint64 n);

/* The cell's text, or NULL: *ret_null TRUE for SQL NULL, FALSE when the
 * row's page is not here yet (it is being fetched; "rows-loaded" follows).
 * Signal "rows-loaded" (guint position, guint n_rows): store mode, rows of
 * a fetched page are here. The rows were there before (no items-changed:
 * a list view keeps its row widgets and refreshes their cells). Stream
 * mode: rows were appended (after their items-changed). */
const char *tusk_result_model_get_cell(TuskResultModel *self, guint row, guint col,
                                       gboolean *ret_null);
/* The cell's text if its row is held here (as get_cell), never fetching. */
const char *tusk_result_model_peek_cell(TuskResultModel *self, guint row, guint col,
                                        gboolean *ret_null);
/* Store mode: fetch the pages of rows first … first+n_rows-1 that are not
 * held (and the rest of a held page cut short), not their neighbours. */
void tusk_result_model_want_rows(TuskResultModel *self, guint first, guint n_rows);
/* The row as TSV (NULL as empty, tabs and newlines escaped as \t \n), or
 * NULL when its page is not here. */
char *tusk_result_model_row_tsv(TuskResultModel *self, guint row);
/* Rows first … first+n_rows-1, for copying a selection. */
typedef struct {
	guint first;
	guint n_rows;
} TuskRowRange;
#define TUSK_RESULT_COPY_MAX_ROWS 100000u
/* The rows of ranges (a GArray of TuskRowRange, in order) as TSV lines,
 * fetching with query.fetch what is not held; more than
 * TUSK_RESULT_COPY_MAX_ROWS rows is G_IO_ERROR_MESSAGE_TOO_LARGE. */
void tusk_result_model_copy_rows_async(TuskResultModel *self, GArray *ranges,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data);
char *tusk_result_model_copy_rows_finish(TuskResultModel *self, GAsyncResult *result,
                                         GError **error);
/* Store mode: the stored query (NULL in stream mode) and the client. */
const char *tusk_result_model_get_query_id(TuskResultModel *self);
TuskRpc *tusk_result_model_get_rpc(TuskResultModel *self);
/* Pages held / fetched so far (tests and benchmarks). */
guint tusk_result_model_get_pages_held(TuskResultModel *self);
guint tusk_result_model_get_fetches(TuskResultModel *self);
/* Pages asked for and not here yet, or asked for the rest of their rows. */
guint tusk_result_model_get_loading(TuskResultModel *self);

G_END_DECLS
