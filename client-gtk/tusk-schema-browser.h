/* The schema browser of one open connection: schemas → tables, views,
 * materialized views, functions, sequences, types → columns, loaded lazily
 * from the daemon's cache (schema.get per schema), filterable, reloaded by
 * schema events. Enter or "Select Top 100" opens a query; Ctrl+C copies the
 * name; Ctrl+D describes (DDL) in a new tab. */
#pragma once

#include <gtk/gtk.h>

#include "client-gtk/tusk-rpc.h"

G_BEGIN_DECLS

#define TUSK_TYPE_SCHEMA_BROWSER (tusk_schema_browser_get_type())
G_DECLARE_FINAL_TYPE(TuskSchemaBrowser, tusk_schema_browser, TUSK, SCHEMA_BROWSER, GtkBox)

void tusk_schema_browser_set_connection(TuskSchemaBrowser *self, TuskRpc *rpc,
                                        const char *connection_id);
void tusk_schema_browser_set_filter(TuskSchemaBrowser *self, const char *text);

G_END_DECLS
