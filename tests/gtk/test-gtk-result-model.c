/* The grid's row model in stream mode (rows of query.rows batches appended):
 * what a cell shows (text, SQL NULL apart from an empty string), rows as
 * TSV for the clipboard, numeric columns, and the GListModel signals a
 * GtkColumnView relies on. Paging from the daemon's result store is in
 * test-gtk-result-paging.c (a real tuskd). */
#include "client-gtk/tusk-result-model.h"
#include "client-gtk/tusk-result-row.h"

typedef struct {
	guint position, removed, added, calls;
} Changed;

static void on_items_changed(GListModel *m, guint position, guint removed, guint added, Changed *c)
{
	c->position = position;
	c->removed = removed;
	c->added = added;
	c->calls++;
}

static json_t *columns(void)
{
	return json_pack("[{s:s, s:i, s:s}, {s:s, s:i, s:s}, {s:s, s:i, s:n}]", "name", "id",
	                 "type_oid", 23, "type_name", "integer", "name", "note", "type_oid", 25,
	                 "type_name", "text", "name", "amount", "type_oid", 1700, "type_name");
}

static void test_cells(void)
{
	json_t *cols = columns();
	g_autoptr(TuskResultModel) m = tusk_result_model_new(NULL, NULL, 0, cols);
	json_decref(cols);
	g_assert_cmpuint(tusk_result_model_get_n_columns(m), ==, 3);
	g_assert_cmpstr(tusk_result_model_get_column_name(m, 1), ==, "note");
	g_assert_cmpstr(tusk_result_model_get_column_type(m, 0), ==, "integer");
	g_assert_null(tusk_result_model_get_column_type(m, 2));
	g_assert_true(tusk_result_model_column_is_numeric(m, 0));
	g_assert_false(tusk_result_model_column_is_numeric(m, 1));
	g_assert_true(tusk_result_model_column_is_numeric(m, 2));

	Changed c = {0};
	g_signal_connect(m, "items-changed", G_CALLBACK(on_items_changed), &c);
	json_t *rows = json_pack("[[s, s, s], [s, n, s], [s, s, n]]", "1", "tab\there", "1.50", "2",
	                         "-0", "3", "", NULL);
	tusk_result_model_append(m, rows);
	json_decref(rows);
	g_assert_cmpuint(c.calls, ==, 1);
	g_assert_cmpuint(c.position, ==, 0);
	g_assert_cmpuint(c.added, ==, 3);
	g_assert_cmpuint(g_list_model_get_n_items(G_LIST_MODEL(m)), ==, 3);

	gboolean is_null = TRUE;
	g_assert_cmpstr(tusk_result_model_get_cell(m, 0, 1, &is_null), ==, "tab\there");
	g_assert_false(is_null);
	g_assert_null(tusk_result_model_get_cell(m, 1, 1, &is_null));
	g_assert_true(is_null);
	/* an empty string is not NULL */
	g_assert_cmpstr(tusk_result_model_get_cell(m, 2, 1, &is_null), ==, "");
	g_assert_false(is_null);

	g_autofree char *tsv0 = tusk_result_model_row_tsv(m, 0);
	g_assert_cmpstr(tsv0, ==, "1\ttab\\there\t1.50");
	g_autofree char *tsv1 = tusk_result_model_row_tsv(m, 1);
	g_assert_cmpstr(tsv1, ==, "2\t\t-0");

	g_autoptr(TuskResultRow) row = g_list_model_get_item(G_LIST_MODEL(m), 2);
	g_assert_true(TUSK_IS_RESULT_ROW(row));
	g_assert_cmpuint(tusk_result_row_get_index(row), ==, 2);
	g_assert_true(tusk_result_row_get_model(row) == m);
	g_assert_null(g_list_model_get_item(G_LIST_MODEL(m), 3));
}

/* Many batches: positions keep counting across pages of the model. */
static void test_many_batches(void)
{
	json_t *cols = columns();
	g_autoptr(TuskResultModel) m = tusk_result_model_new(NULL, NULL, 0, cols);
	json_decref(cols);
	Changed c = {0};
	g_signal_connect(m, "items-changed", G_CALLBACK(on_items_changed), &c);
	guint total = 0;
	for (int b = 0; b < 40; b++) {
		json_t *rows = json_array();
		for (int i = 0; i < 97; i++) {
			char id[16];
			g_snprintf(id, sizeof id, "%u", total + (guint)i);
			json_array_append_new(rows, json_pack("[s, s, n]", id, "x"));
		}
		tusk_result_model_append(m, rows);
		json_decref(rows);
		g_assert_cmpuint(c.position, ==, total);
		total += 97;
	}
	g_assert_cmpuint(g_list_model_get_n_items(G_LIST_MODEL(m)), ==, total);
	gboolean is_null;
	for (guint r = 0; r < total; r += 311) {
		char want[16];
		g_snprintf(want, sizeof want, "%u", r);
		g_assert_cmpstr(tusk_result_model_get_cell(m, r, 0, &is_null), ==, want);
	}
	/* stream mode keeps what came: nothing to fetch, nothing dropped */
	g_assert_cmpuint(tusk_result_model_get_fetches(m), ==, 0);
	g_assert_cmpuint(tusk_result_model_get_pages_held(m), ==,
	                 (total + TUSK_RESULT_PAGE_ROWS - 1) / TUSK_RESULT_PAGE_ROWS);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/gtk-result-model/cells", test_cells);
	g_test_add_func("/gtk-result-model/many-batches", test_many_batches);
	return g_test_run();
}
