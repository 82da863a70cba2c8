#include "client-gtk/tusk-statement.h"

#include "common/sql.h"

void tusk_statement_at(const char *text, int cursor, int *ret_start, int *ret_end)
{
	TuskSqlScript script = {0};
	TuskError e = TUSK_ERROR_INIT;
	*ret_start = 0;
	*ret_end = (int)g_utf8_strlen(text, -1);
	if (tusk_sql_analyse(text, strlen(text), &script, &e) < 0) {
		tusk_error_clear(&e);
		return;
	}
	const TuskSqlStatement *pick = NULL;
	for (size_t i = 0; i < script.n; i++) {
		const TuskSqlStatement *st = &script.stmts[i];
		if ((size_t)cursor < st->char_offset) {
			if (!pick)
				pick = st;
			break;
		}
		pick = st;
		if ((size_t)cursor <= st->char_offset + st->char_length + 1)
			break;
	}
	if (pick) {
		*ret_start = (int)pick->char_offset;
		*ret_end = (int)(pick->char_offset + pick->char_length);
	}
	tusk_sql_script_clear(&script);
}
