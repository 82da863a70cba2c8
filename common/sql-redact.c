/* Keeping passwords out of history: a statement that mentions a password
 * is stored in libpg_query's normalised form, where every literal is a
 * placeholder ($1, $2, …). */
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

#include "common/sql.h"

char *tusk_sql_redact(const char *sql)
{
	if (!strcasestr(sql, "password") && !strcasestr(sql, "passwd") &&
	    !strcasestr(sql, "secret"))
		return strdup(sql);
	/* Parsing costs about 0.5 ms per KiB, and this runs on the daemon's
	 * loop: a large script that mentions a password is not kept. */
	if (strlen(sql) > 64 * 1024)
		return strdup("-- (not kept: a script over 64 KiB that mentions a password)");
	PgQueryNormalizeResult r = pg_query_normalize(sql);
	char *out;
	if (r.error || !r.normalized_query)
		out = strdup("-- (not kept: the statement mentions a password and does not parse)");
	else
		out = strdup(r.normalized_query);
	pg_query_free_normalize_result(r);
	return out;
}
