#include "client-gtk/tusk-result-row.h"

struct _TuskResultRow {
	GObject parent_instance;
	GObject *model;
	guint index;
};

G_DEFINE_FINAL_TYPE(TuskResultRow, tusk_result_row, G_TYPE_OBJECT)

TuskResultRow *tusk_result_row_new(TuskResultModel *model, guint index)
{
	TuskResultRow *self = g_object_new(TUSK_TYPE_RESULT_ROW, NULL);
	self->model = g_object_ref(G_OBJECT(model));
	self->index = index;
	return self;
}

TuskResultModel *tusk_result_row_get_model(TuskResultRow *self)
{
	return (TuskResultModel *)self->model;
}

guint tusk_result_row_get_index(TuskResultRow *self)
{
	return self->index;
}

static void tusk_result_row_dispose(GObject *object)
{
	g_clear_object(&TUSK_RESULT_ROW(object)->model);
	G_OBJECT_CLASS(tusk_result_row_parent_class)->dispose(object);
}

static void tusk_result_row_class_init(TuskResultRowClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = tusk_result_row_dispose;
}

static void tusk_result_row_init(TuskResultRow *self) {}
