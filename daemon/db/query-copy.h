/* Which queries may run as COPY: a csv / tsv render of one read-only
 * SELECT (or VALUES, TABLE) is sent as COPY (…) TO STDOUT, whose text rows
 * cost the server and libpq far less than single-row mode's PGresult per
 * row (common/copy-text.h renders psql's bytes from them). */
#pragma once

/* "COPY (\n<statement>\n) TO STDOUT" for sql, or NULL when it is not one
 * plain SELECT this path serves: several statements, anything that
 * modifies (data-modifying WITH, SELECT INTO), locks (FOR UPDATE …), or
 * SQL longer than 4 KiB (not analysed on the loop). free() it. */
char *query_copy_sql(const char *sql);
