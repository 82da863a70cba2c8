#include "client-gtk/tusk-result-model.h"

#include "client-gtk/tusk-result-row.h"

typedef struct {
	json_t *rows; /* NULL while loading; fewer than a page while rows arrive */
	guint64 last_use;
	gboolean refreshing; /* asked again for the rows it lacks */
} Page;

struct _TuskResultModel {
	GObject parent_instance;
	TuskRpc *rpc;
	char *query_id;
	int result_index;
	json_t *columns;
	gboolean stream;
	gboolean failed;
	guint64 n_rows;
	GHashTable *pages; /* page number -> Page */
	guint64 clock;
	guint fetches;
	GCancellable *cancel;
};

enum { SIGNAL_ROWS_LOADED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void list_model_iface_init(GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE(TuskResultModel, tusk_result_model, G_TYPE_OBJECT,
                              G_IMPLEMENT_INTERFACE(G_TYPE_LIST_MODEL, list_model_iface_init))

static void page_free(gpointer p)
{
	Page *page = p;
	json_decref(page->rows);
	g_free(page);
}

static GType model_get_item_type(GListModel *list)
{
	return TUSK_TYPE_RESULT_ROW;
}

static guint model_get_n_items(GListModel *list)
{
	return (guint)TUSK_RESULT_MODEL(list)->n_rows;
}

static gpointer model_get_item(GListModel *list, guint position)
{
	TuskResultModel *self = TUSK_RESULT_MODEL(list);
	if (position >= self->n_rows)
		return NULL;
	return tusk_result_row_new(self, position);
}

static void list_model_iface_init(GListModelInterface *iface)
{
	iface->get_item_type = model_get_item_type;
	iface->get_n_items = model_get_n_items;
	iface->get_item = model_get_item;
}

/* Keeps at most TUSK_RESULT_MAX_PAGES loaded pages: the least recently
 * used go (pages still loading stay). */
static void model_evict(TuskResultModel *self)
{
	while (g_hash_table_size(self->pages) > TUSK_RESULT_MAX_PAGES) {
		GHashTableIter it;
		gpointer k, v, oldest = NULL;
		gboolean found = FALSE; /* page 0's key is NULL */
		guint64 oldest_use = G_MAXUINT64;
		g_hash_table_iter_init(&it, self->pages);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			Page *p = v;
			if (p->rows && p->last_use < oldest_use) {
				oldest_use = p->last_use;
				oldest = k;
				found = TRUE;
			}
		}
		if (!found)
			return;
		g_hash_table_remove(self->pages, oldest);
	}
}

typedef struct {
	TuskResultModel *model;
	guint page;
	guint from; /* rows of the page held when asked: it brings the rest */
} Fetch;

static void on_fetched(GObject *source, GAsyncResult *res, gpointer data)
{
	Fetch *f = data;
	TuskResultModel *self = f->model;
	g_autoptr(GError) error = NULL;
	json_t *result = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	Page *p = g_hash_table_lookup(self->pages, GUINT_TO_POINTER(f->page));
	if (p)
		p->refreshing = FALSE;
	if (!result) {
		if (p && !p->rows && !f->from)
			g_hash_table_remove(self->pages, GUINT_TO_POINTER(f->page));
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
		    !g_error_matches(error, TUSK_RPC_ERROR, TUSK_RPC_ERROR_DISCONNECTED))
			self->failed = TRUE;
		goto out;
	}
	guint64 offset = (guint64)f->page * TUSK_RESULT_PAGE_ROWS;
	json_t *rows = json_object_get(result, "rows");
	guint64 count = json_integer_value(json_object_get(result, "row_count"));
	guint got = (guint)json_array_size(rows);
	if (f->from) {
		/* the tail of a page cut short: it follows the rows held, or
		 * nothing (the page was dropped or fetched anew meanwhile) */
		if (!p || !p->rows || json_array_size(p->rows) != f->from) {
			json_decref(result);
			goto out;
		}
		json_array_extend(p->rows, rows);
	} else {
		if (!p) {
			p = g_new0(Page, 1);
			g_hash_table_insert(self->pages, GUINT_TO_POINTER(f->page), p);
		}
		json_decref(p->rows);
		p->rows = json_incref(rows);
	}
	p->last_use = ++self->clock;
	/* the rows are here before the list hears of more: the rows it binds
	 * now show their text at once */
	if (count > self->n_rows)
		tusk_result_model_set_row_count(self, count);
	guint64 want =
	    MIN((guint64)TUSK_RESULT_PAGE_ROWS, self->n_rows - MIN(offset, self->n_rows));
	/* A page cut short (the daemon's byte limit, or rows still arriving)
	 * keeps what it has: those rows stay served (the grid shows them, a
	 * copy reads them) and only the rest is asked for when wanted
	 * (model_row): asking from the page's first row again would get the
	 * same cut. */
	guint end = MIN(f->from + got, (guint)want);
	model_evict(self);
	if (end > f->from)
		g_signal_emit(self, signals[SIGNAL_ROWS_LOADED], 0, (guint)offset + f->from,
		              end - f->from);
	json_decref(result);
out:
	g_object_unref(self);
	g_free(f);
}

static void page_fetch(TuskResultModel *self, guint page, guint from);

static void model_request_any(TuskResultModel *self, guint page, gboolean known_only)
{
	if (self->stream || self->failed || !self->rpc)
		return;
	guint64 offset = (guint64)page * TUSK_RESULT_PAGE_ROWS;
	if ((known_only && offset >= self->n_rows) ||
	    g_hash_table_contains(self->pages, GUINT_TO_POINTER(page)))
		return;
	Page *p = g_new0(Page, 1);
	p->last_use = ++self->clock;
	g_hash_table_insert(self->pages, GUINT_TO_POINTER(page), p);
	page_fetch(self, page, 0);
}

/* Asks tuskd for a page's rows from its row `from` on (its Page is in
 * self->pages, holding `from` rows). */
static void page_fetch(TuskResultModel *self, guint page, guint from)
{
	guint64 offset = (guint64)page * TUSK_RESULT_PAGE_ROWS + from;
	self->fetches++;
	Fetch *f = g_new0(Fetch, 1);
	f->model = g_object_ref(self);
	f->page = page;
	f->from = from;
	tusk_rpc_call_async(
	    self->rpc, TUSK_M_QUERY_FETCH,
	    tusk_req_query_fetch(&(TuskReqQueryFetch){.query_id = self->query_id,
	                                              .result_index = self->result_index,
	                                              .offset = offset,
	                                              .limit = TUSK_RESULT_PAGE_ROWS - from}),
	    self->cancel, on_fetched, f);
}

static void model_request(TuskResultModel *self, guint page)
{
	model_request_any(self, page, TRUE);
}

void tusk_result_model_prefetch(TuskResultModel *self)
{
	model_request_any(self, 0, FALSE);
}

/* The row if it is held. Otherwise, when fetch, its page is asked for
 * (with its neighbours when prefetch: scrolling either way finds them
 * here). A held page cut short (the daemon's byte limit, or rows that came
 * after it was fetched) asks for its rest. */
static json_t *model_row_fetch(TuskResultModel *self, guint row, gboolean fetch, gboolean prefetch)
{
	guint page = row / TUSK_RESULT_PAGE_ROWS;
	Page *p = g_hash_table_lookup(self->pages, GUINT_TO_POINTER(page));
	if (p && p->rows) {
		p->last_use = ++self->clock;
		json_t *r = json_array_get(p->rows, row % TUSK_RESULT_PAGE_ROWS);
		if (!r && fetch && !p->refreshing && !self->stream && !self->failed && self->rpc) {
			p->refreshing = TRUE;
			page_fetch(self, page, (guint)json_array_size(p->rows));
		}
		return r;
	}
	if (!fetch)
		return NULL;
	model_request(self, page);
	if (prefetch) {
		model_request(self, page + 1);
		if (page > 0)
			model_request(self, page - 1);
	}
	return NULL;
}

static json_t *model_row(TuskResultModel *self, guint row)
{
	return model_row_fetch(self, row, TRUE, TRUE);
}

static const char *row_cell(json_t *r, guint col, gboolean *ret_null)
{
	*ret_null = FALSE;
	if (!r)
		return NULL;
	json_t *cell = json_array_get(r, col);
	if (!cell || json_is_null(cell)) {
		*ret_null = TRUE;
		return NULL;
	}
	return json_string_value(cell);
}

const char *tusk_result_model_get_cell(TuskResultModel *self, guint row, guint col,
                                       gboolean *ret_null)
{
	return row_cell(model_row(self, row), col, ret_null);
}

const char *tusk_result_model_peek_cell(TuskResultModel *self, guint row, guint col,
                                        gboolean *ret_null)
{
	return row_cell(row < self->n_rows ? model_row_fetch(self, row, FALSE, FALSE) : NULL, col,
	                ret_null);
}

void tusk_result_model_want_rows(TuskResultModel *self, guint first, guint n_rows)
{
	guint64 end = MIN((guint64)first + n_rows, self->n_rows);
	for (guint64 row = first; row < end;) {
		model_row_fetch(self, (guint)row, TRUE, FALSE);
		/* on to the page's first row not held, or the next page */
		guint page = (guint)(row / TUSK_RESULT_PAGE_ROWS);
		Page *p = g_hash_table_lookup(self->pages, GUINT_TO_POINTER(page));
		guint64 next = (guint64)(page + 1) * TUSK_RESULT_PAGE_ROWS;
		if (p && p->rows && !p->refreshing)
			next = MAX(row + 1, MIN(next, (guint64)page * TUSK_RESULT_PAGE_ROWS +
			                                  json_array_size(p->rows)));
		row = next;
	}
}

/* A row's cells as TSV (NULL as empty; tab, newline and backslash
 * escaped) appended to s. */
static void row_tsv_append(GString *s, json_t *r)
{
	for (size_t i = 0; i < json_array_size(r); i++) {
		if (i)
			g_string_append_c(s, '\t');
		const char *v = json_string_value(json_array_get(r, i));
		for (; v && *v; v++) {
			if (*v == '\t')
				g_string_append(s, "\\t");
			else if (*v == '\n')
				g_string_append(s, "\\n");
			else if (*v == '\\')
				g_string_append(s, "\\\\");
			else
				g_string_append_c(s, *v);
		}
	}
}

char *tusk_result_model_row_tsv(TuskResultModel *self, guint row)
{
	json_t *r = model_row(self, row);
	if (!r)
		return NULL;
	GString *s = g_string_new(NULL);
	row_tsv_append(s, r);
	return g_string_free(s, FALSE);
}

/* Rows held here right now (no fetch started), or NULL. */
static json_t *held_row(TuskResultModel *self, guint row)
{
	Page *p = g_hash_table_lookup(self->pages, GUINT_TO_POINTER(row / TUSK_RESULT_PAGE_ROWS));
	return p && p->rows ? json_array_get(p->rows, row % TUSK_RESULT_PAGE_ROWS) : NULL;
}

typedef struct {
	TuskResultModel *model;
	GArray *ranges; /* TuskRowRange */
	guint range;    /* the range being copied */
	guint done;     /* rows of it copied */
	GString *out;
} Copy;

static void copy_free(gpointer data)
{
	Copy *c = data;
	g_object_unref(c->model);
	g_array_unref(c->ranges);
	if (c->out)
		g_string_free(c->out, TRUE);
	g_free(c);
}

static void copy_step(GTask *task);

static void on_copy_fetched(GObject *source, GAsyncResult *res, gpointer data)
{
	GTask *task = data;
	Copy *c = g_task_get_task_data(task);
	GError *error = NULL;
	json_t *result = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (!result) {
		g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	json_t *rows = json_object_get(result, "rows");
	TuskRowRange *r = &g_array_index(c->ranges, TuskRowRange, c->range);
	size_t got = MIN(json_array_size(rows), (size_t)(r->n_rows - c->done));
	for (size_t i = 0; i < got; i++) {
		row_tsv_append(c->out, json_array_get(rows, i));
		g_string_append_c(c->out, '\n');
	}
	c->done += (guint)got;
	json_decref(result);
	if (!got) {
		/* past the rows there are: the selection outgrew the result */
		c->done = r->n_rows;
	}
	copy_step(task);
}

/* Copies what is held; fetches the first row that is not (a page of up
 * to 10,000 rows) and comes back when it is here. */
static void copy_step(GTask *task)
{
	Copy *c = g_task_get_task_data(task);
	TuskResultModel *self = c->model;
	for (; c->range < c->ranges->len; c->range++, c->done = 0) {
		TuskRowRange *r = &g_array_index(c->ranges, TuskRowRange, c->range);
		for (; c->done < r->n_rows; c->done++) {
			guint row = r->first + c->done;
			json_t *held = row < self->n_rows ? held_row(self, row) : NULL;
			if (held) {
				row_tsv_append(c->out, held);
				g_string_append_c(c->out, '\n');
				continue;
			}
			if (self->stream || !self->rpc || row >= self->n_rows) {
				c->done = r->n_rows;
				break;
			}
			guint limit = MIN(r->n_rows - c->done, 10000u);
			tusk_rpc_call_async(self->rpc, TUSK_M_QUERY_FETCH,
			                    tusk_req_query_fetch(&(TuskReqQueryFetch){
			                        .query_id = self->query_id,
			                        .result_index = self->result_index,
			                        .offset = row,
			                        .limit = limit}),
			                    g_task_get_cancellable(task), on_copy_fetched, task);
			return;
		}
	}
	g_task_return_pointer(task, g_string_free(g_steal_pointer(&c->out), FALSE), g_free);
	g_object_unref(task);
}

void tusk_result_model_copy_rows_async(TuskResultModel *self, GArray *ranges,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	guint64 total = 0;
	for (guint i = 0; i < ranges->len; i++)
		total += g_array_index(ranges, TuskRowRange, i).n_rows;
	if (total > TUSK_RESULT_COPY_MAX_ROWS) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
		                        "%" G_GUINT64_FORMAT
		                        " rows are selected: at most %u can be "
		                        "copied, export the result to a file instead",
		                        total, TUSK_RESULT_COPY_MAX_ROWS);
		g_object_unref(task);
		return;
	}
	Copy *c = g_new0(Copy, 1);
	c->model = g_object_ref(self);
	c->ranges = g_array_ref(ranges);
	c->out = g_string_new(NULL);
	g_task_set_task_data(task, c, copy_free);
	copy_step(task);
}

char *tusk_result_model_copy_rows_finish(TuskResultModel *self, GAsyncResult *result,
                                         GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

const char *tusk_result_model_get_query_id(TuskResultModel *self)
{
	return self->stream ? NULL : self->query_id;
}

TuskRpc *tusk_result_model_get_rpc(TuskResultModel *self)
{
	return self->rpc;
}

void tusk_result_model_append(TuskResultModel *self, json_t *rows)
{
	guint64 start = self->n_rows;
	size_t n = json_array_size(rows);
	for (size_t i = 0; i < n; i++) {
		guint page = (guint)(self->n_rows / TUSK_RESULT_PAGE_ROWS);
		Page *p = g_hash_table_lookup(self->pages, GUINT_TO_POINTER(page));
		if (!p) {
			p = g_new0(Page, 1);
			p->rows = json_array();
			g_hash_table_insert(self->pages, GUINT_TO_POINTER(page), p);
		}
		json_array_append(p->rows, json_array_get(rows, i));
		self->n_rows++;
	}
	if (n) {
		g_list_model_items_changed(G_LIST_MODEL(self), (guint)start, 0, (guint)n);
		g_signal_emit(self, signals[SIGNAL_ROWS_LOADED], 0, (guint)start, (guint)n);
	}
}

void tusk_result_model_set_row_count(TuskResultModel *self, guint64 n)
{
	if (n <= self->n_rows)
		return;
	guint64 old = self->n_rows;
	/* The old last page may hold only the rows there were then: it keeps
	 * serving those (shown and copied as they are) and fetches the rest
	 * when one of the new rows is wanted (model_row). */
	self->n_rows = n;
	g_list_model_items_changed(G_LIST_MODEL(self), (guint)old, 0, (guint)(n - old));
}

guint tusk_result_model_get_n_columns(TuskResultModel *self)
{
	return (guint)json_array_size(self->columns);
}

const char *tusk_result_model_get_column_name(TuskResultModel *self, guint col)
{
	return json_string_value(json_object_get(json_array_get(self->columns, col), "name"));
}

const char *tusk_result_model_get_column_type(TuskResultModel *self, guint col)
{
	return json_string_value(json_object_get(json_array_get(self->columns, col), "type_name"));
}

gboolean tusk_result_model_column_is_numeric(TuskResultModel *self, guint col)
{
	json_int_t oid =
	    json_integer_value(json_object_get(json_array_get(self->columns, col), "type_oid"));
	switch (oid) {
	case 20:   /* int8 */
	case 21:   /* int2 */
	case 23:   /* int4 */
	case 26:   /* oid */
	case 700:  /* float4 */
	case 701:  /* float8 */
	case 790:  /* money */
	case 1700: /* numeric */
		return TRUE;
	default:
		return FALSE;
	}
}

int tusk_result_model_get_result_index(TuskResultModel *self)
{
	return self->result_index;
}

guint tusk_result_model_get_pages_held(TuskResultModel *self)
{
	return g_hash_table_size(self->pages);
}

guint tusk_result_model_get_loading(TuskResultModel *self)
{
	guint n = 0;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, self->pages);
	while (g_hash_table_iter_next(&it, &k, &v))
		n += ((Page *)v)->rows == NULL || ((Page *)v)->refreshing;
	return n;
}

guint tusk_result_model_get_fetches(TuskResultModel *self)
{
	return self->fetches;
}

TuskResultModel *tusk_result_model_new(TuskRpc *rpc, const char *query_id, int result_index,
                                       json_t *columns)
{
	TuskResultModel *self = g_object_new(TUSK_TYPE_RESULT_MODEL, NULL);
	self->rpc = rpc ? g_object_ref(rpc) : NULL;
	self->stream = rpc == NULL;
	self->query_id = g_strdup(query_id);
	self->result_index = result_index;
	self->columns = json_deep_copy(columns ? columns : json_array());
	if (!self->columns)
		self->columns = json_array();
	return self;
}

static void tusk_result_model_dispose(GObject *object)
{
	TuskResultModel *self = TUSK_RESULT_MODEL(object);
	g_cancellable_cancel(self->cancel);
	g_clear_object(&self->rpc);
	G_OBJECT_CLASS(tusk_result_model_parent_class)->dispose(object);
}

static void tusk_result_model_finalize(GObject *object)
{
	TuskResultModel *self = TUSK_RESULT_MODEL(object);
	g_hash_table_destroy(self->pages);
	g_object_unref(self->cancel);
	json_decref(self->columns);
	g_free(self->query_id);
	G_OBJECT_CLASS(tusk_result_model_parent_class)->finalize(object);
}

static void tusk_result_model_class_init(TuskResultModelClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = tusk_result_model_dispose;
	G_OBJECT_CLASS(klass)->finalize = tusk_result_model_finalize;
	signals[SIGNAL_ROWS_LOADED] =
	    g_signal_new("rows-loaded", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void tusk_result_model_init(TuskResultModel *self)
{
	self->pages = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, page_free);
	self->cancel = g_cancellable_new();
}
