/* The decision to run a rendered SELECT as COPY: libpg_query says what the
 * script is; its scanner finds the keywords that rule COPY out. A query
 * refused here simply runs in single-row mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/sql-scan.h"
#include "common/sql.h"
#include "daemon/db/query-copy.h"

#define COPY_SQL_MAX (4 * 1024)

/* Keywords after which COPY would differ or refuse: row locks, INTO,
 * data-modifying WITH. A false alarm (substring(x for 2)) only costs the
 * fast path. */
static bool refuses(const char *sql, size_t off, size_t len)
{
	static const char *const words[] = {"for",    "into",  "insert", "update",
	                                    "delete", "merge", "copy"};
	char *stmt = strndup(sql + off, len);
	TuskSqlToken *tok = NULL;
	int n = stmt ? tusk_sql_scan(stmt, &tok) : -1;
	bool bad = n < 0;
	for (int i = 0; i < n && !bad; i++) {
		if (!tok[i].keyword)
			continue;
		size_t tl = tok[i].end - tok[i].start;
		for (size_t w = 0; w < sizeof(words) / sizeof(*words) && !bad; w++)
			bad = tl == strlen(words[w]) &&
			      strncasecmp(stmt + tok[i].start, words[w], tl) == 0;
	}
	free(tok);
	free(stmt);
	return bad;
}

char *query_copy_sql(const char *sql)
{
	size_t len = strlen(sql);
	if (len > COPY_SQL_MAX)
		return NULL;
	TuskSqlScript script = {0};
	char *out = NULL;
	if (tusk_sql_analyse(sql, len, &script, NULL) == 0 && !script.parse_error &&
	    script.n == 1 && script.stmts[0].type == TUSK_QUERY_SELECT &&
	    script.stmts[0].returns_rows && script.stmts[0].tag &&
	    strcmp(script.stmts[0].tag, "SELECT") == 0 &&
	    !refuses(sql, script.stmts[0].offset, script.stmts[0].length)) {
		const TuskSqlStatement *st = &script.stmts[0];
		/* On lines of its own: a trailing -- comment cannot eat the ")". */
		size_t cap = st->length + 32;
		out = malloc(cap);
		if (out)
			snprintf(out, cap, "COPY (\n%.*s\n) TO STDOUT", (int)st->length,
			         sql + st->offset);
	}
	tusk_sql_script_clear(&script);
	return out;
}
