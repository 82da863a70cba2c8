/* TuskError from SQLite. */
#include "common/error.h"

int tusk_error_from_sqlite(TuskError *e, sqlite3 *db, int rc)
{
	if (!e)
		return -1;
	const char *msg = NULL;
	/* sqlite3_errmsg() describes the last call on db, which need not be
	 * the one that returned rc (e.g. after a finalize). */
	if (db && (sqlite3_extended_errcode(db) & 0xff) == (rc & 0xff))
		msg = sqlite3_errmsg(db);
	if (!msg || !msg[0])
		msg = sqlite3_errstr(rc);
	tusk_error_set(e, TUSK_ERR_STORAGE, "%s", msg);
	tusk_error_set_detail(e, "SQLite result code %d (%s)", rc, sqlite3_errstr(rc));
	return -1;
}
