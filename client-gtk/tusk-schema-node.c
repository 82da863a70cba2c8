#include "client-gtk/tusk-schema-node.h"

struct _TuskSchemaNode {
	GObject parent_instance;
	char *kind;
	char *schema;
	char *name;
	char *detail;
	json_t *data;
	GListStore *children;
};

G_DEFINE_FINAL_TYPE(TuskSchemaNode, tusk_schema_node, G_TYPE_OBJECT)

TuskSchemaNode *tusk_schema_node_new(const char *kind, const char *schema, const char *name,
                                     const char *detail, json_t *data)
{
	TuskSchemaNode *self = g_object_new(TUSK_TYPE_SCHEMA_NODE, NULL);
	self->kind = g_strdup(kind);
	self->schema = g_strdup(schema);
	self->name = g_strdup(name);
	self->detail = g_strdup(detail);
	self->data = data ? json_incref(data) : NULL;
	return self;
}

const char *tusk_schema_node_get_kind(TuskSchemaNode *self)
{
	return self->kind;
}

const char *tusk_schema_node_get_schema(TuskSchemaNode *self)
{
	return self->schema;
}

const char *tusk_schema_node_get_name(TuskSchemaNode *self)
{
	return self->name;
}

const char *tusk_schema_node_get_detail(TuskSchemaNode *self)
{
	return self->detail;
}

json_t *tusk_schema_node_get_data(TuskSchemaNode *self)
{
	return self->data;
}

GListStore *tusk_schema_node_get_children(TuskSchemaNode *self)
{
	if (!self->children)
		self->children = g_list_store_new(TUSK_TYPE_SCHEMA_NODE);
	return self->children;
}

gboolean tusk_schema_node_is_relation(TuskSchemaNode *self)
{
	const char *k = self->kind;
	return g_str_equal(k, "table") || g_str_equal(k, "partitioned_table") ||
	       g_str_equal(k, "view") || g_str_equal(k, "materialized_view") ||
	       g_str_equal(k, "foreign_table");
}

static void append_ident(GString *s, const char *id)
{
	gboolean plain = *id && (g_ascii_islower(*id) || *id == '_');
	for (const char *p = id; *p && plain; p++)
		plain = g_ascii_islower(*p) || g_ascii_isdigit(*p) || *p == '_';
	if (plain) {
		g_string_append(s, id);
		return;
	}
	g_string_append_c(s, '"');
	for (const char *p = id; *p; p++) {
		if (*p == '"')
			g_string_append_c(s, '"');
		g_string_append_c(s, *p);
	}
	g_string_append_c(s, '"');
}

char *tusk_schema_node_qualified(TuskSchemaNode *self)
{
	GString *s = g_string_new(NULL);
	if (self->schema) {
		append_ident(s, self->schema);
		g_string_append_c(s, '.');
	}
	append_ident(s, self->name);
	return g_string_free(s, FALSE);
}

static void tusk_schema_node_finalize(GObject *object)
{
	TuskSchemaNode *self = TUSK_SCHEMA_NODE(object);
	g_free(self->kind);
	g_free(self->schema);
	g_free(self->name);
	g_free(self->detail);
	json_decref(self->data);
	g_clear_object(&self->children);
	G_OBJECT_CLASS(tusk_schema_node_parent_class)->finalize(object);
}

static void tusk_schema_node_class_init(TuskSchemaNodeClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = tusk_schema_node_finalize;
}

static void tusk_schema_node_init(TuskSchemaNode *self) {}
