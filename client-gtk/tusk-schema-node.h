/* One node of the schema browser: a schema, a category ("Tables"), an
 * object or a column. Children are made when first asked for. */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

G_BEGIN_DECLS

#define TUSK_TYPE_SCHEMA_NODE (tusk_schema_node_get_type())
G_DECLARE_FINAL_TYPE(TuskSchemaNode, tusk_schema_node, TUSK, SCHEMA_NODE, GObject)

/* kind: "schema", "category", "table", "view", "materialized_view", …,
 * "function", "sequence", "type", "column". data (borrowed, referenced):
 * the object's JSON from schema.get, or NULL. */
TuskSchemaNode *tusk_schema_node_new(const char *kind, const char *schema, const char *name,
                                     const char *detail, json_t *data);
const char *tusk_schema_node_get_kind(TuskSchemaNode *self);
const char *tusk_schema_node_get_schema(TuskSchemaNode *self);
const char *tusk_schema_node_get_name(TuskSchemaNode *self);
const char *tusk_schema_node_get_detail(TuskSchemaNode *self);
json_t *tusk_schema_node_get_data(TuskSchemaNode *self);
/* The children store (created empty on first call). */
GListStore *tusk_schema_node_get_children(TuskSchemaNode *self);
gboolean tusk_schema_node_is_relation(TuskSchemaNode *self);
/* "schema"."name" quoted as needed (newly allocated). */
char *tusk_schema_node_qualified(TuskSchemaNode *self);

G_END_DECLS
