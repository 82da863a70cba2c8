/* libFuzzer target: the SQL splitter and classifier (common/sql.c) and the
 * helpers built on libpg_query (syntax check, fingerprint, redaction). The
 * first byte holds flags; the rest is the script. Statements must lie
 * inside the script, in order, without overlap, trimmed and non-empty, with
 * character offsets that count the bytes before them. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sql.h"
#include "tests/fuzz/fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *sql, size_t i)
{
	fprintf(stderr, "fuzz-sql: statement %zu: %s\nscript: %s\n", i, what, sql);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0] & 1 ? TUSK_SQL_BACKSLASH_ESCAPES : 0;
	char *sql = fuzz_strndup(data + 1, size - 1);
	size_t len = strlen(sql); /* text after a NUL byte is ignored */
	bool utf8 = fuzz_utf8_valid(sql, len);

	TuskSqlScript s = {0};
	TuskError e = TUSK_ERROR_INIT;
	if (tusk_sql_analyse_flags(sql, size - 1, flags, &s, &e) < 0)
		fail(tusk_error_message(&e), sql, 0);
	size_t end = 0;
	for (size_t i = 0; i < s.n; i++) {
		const TuskSqlStatement *st = &s.stmts[i];
		if (st->length == 0 || st->offset < end || st->offset + st->length > len)
			fail("empty, overlapping or outside the script", sql, i);
		if (isspace((unsigned char)sql[st->offset]) ||
		    isspace((unsigned char)sql[st->offset + st->length - 1]))
			fail("not trimmed", sql, i);
		if (utf8 && (st->char_offset != fuzz_utf8_chars(sql, st->offset) ||
		             st->char_length != fuzz_utf8_chars(sql + st->offset, st->length)))
			fail("character offsets do not count the bytes", sql, i);
		for (size_t j = 0; j < st->nobjects; j++)
			if (!st->objects[j].kind || !st->objects[j].name)
				fail("an object without kind or name", sql, i);
		end = st->offset + st->length;
		if (tusk_sql_statement_at(&s, (unsigned)st->char_offset + 1) != i &&
		    st->char_length > 0 && utf8)
			fail("statement_at does not find the statement's first character", sql, i);
	}
	if (s.n == 0 && tusk_sql_statement_at(&s, 1) != 0)
		fail("statement_at on no statements", sql, 0);
	tusk_sql_script_clear(&s);

	if (tusk_sql_check_syntax_flags(sql, flags, &e) < 0 && e.kind != TUSK_ERR_QUERY_FAILED)
		fail("syntax check failed with a kind other than query_failed", sql, 0);
	tusk_error_clear(&e);
	free(tusk_sql_fingerprint(sql));
	char *redacted = tusk_sql_redact(sql);
	if (!redacted)
		fail("redact returned NULL", sql, 0);
	free(redacted);
	free(sql);
	return 0;
}
