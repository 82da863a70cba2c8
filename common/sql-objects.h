/* Inside common/: the objects of a DDL statement (sql-objects.c), from
 * libpg_query's JSON parse tree. */
#pragma once

#include <jansson.h>

#include "common/sql.h"

/* node: the statement's node name ("CreateStmt"), n: its fields. Adds to
 * st->objects; -ENOMEM on failure (what was added stays, to be cleared). */
int tusk_sql_objects_collect(TuskSqlStatement *st, const char *node, const json_t *n);
void tusk_sql_objects_clear(TuskSqlStatement *st);
