/* Which statement of the editor's text the cursor is in, with
 * libpg_query's statement boundaries (common/sql.h). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Character offsets [*ret_start, *ret_end) of the statement at cursor (a
 * character offset): the one containing it (its semicolon included), else
 * the last one before it, else the first; the whole text when it holds no
 * statement. */
void tusk_statement_at(const char *text, int cursor, int *ret_start, int *ret_end);

G_END_DECLS
