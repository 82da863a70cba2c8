/* Opening tusk.db: a damaged file is moved aside and recreated, a newer one
 * is left alone, and when nothing on disk works the daemon still runs on an
 * in-memory database. Each decision ends in a state and a warning the
 * daemon reports; nothing here logs. */
#include "daemon/storage/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/storage/storage-internal.h"

struct Storage {
	sqlite3 *db;
	StorageState state;
	char *path;     /* NULL when in memory */
	char *warning;  /* what a person should be told, or NULL */
	char *moved_to; /* where a damaged file went, or NULL */
	/* Why nothing written now would outlive tuskd: a file on disk that
	 * could not be used (kind NONE when it was, or memory on purpose). */
	TuskError refusal;
};

typedef enum OpenResult {
	OPEN_OK,
	OPEN_DAMAGED,  /* not a database, or corrupt: move it aside */
	OPEN_UNUSABLE, /* cannot be created, opened or written */
	OPEN_NEWER,    /* a newer Tusk's schema: must not be touched */
	OPEN_FAILED,   /* a healthy file whose migration failed; e is set */
} OpenResult;

static void sqlite3_closep(sqlite3 **db)
{
	if (*db)
		sqlite3_close_v2(*db);
}

static bool rc_is_damage(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

static char *strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

int64_t storage_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The first row of quick_check is "ok" or the first problem found. The file
 * is small (settings, saved connections, bounded history), so a full pass at
 * start is affordable and catches damage before any write builds on it. */
static int quick_check(sqlite3 *db, char **ret_problem)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? SQLITE_ERROR : rc;
	const char *res = (const char *)sqlite3_column_text(st, 0);
	if (!res || strcmp(res, "ok") != 0) {
		char *p = strdup_printf("integrity check: %s", res ? res : "no answer");
		/* The answer spans lines; the warning is one. */
		for (char *c = p; c && *c; c++)
			if (*c == '\n')
				*c = ' ';
		*ret_problem = p;
	}
	return SQLITE_OK;
}

/* Connection settings every handle gets; also used for the memory db. */
static int configure(sqlite3 *db, bool on_disk)
{
	int rc = sqlite3_busy_timeout(db, 5000);
	if (rc != SQLITE_OK)
		return rc;
	if (on_disk) {
		/* journal_mode answers with a row; a file system without shared
		 * memory keeps the old mode, which still works. */
		rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return rc;
		rc = sqlite3_exec(db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	return sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
}

/* Make sure the file exists with mode 0600 before SQLite sees it: SQLite
 * creates files 0644 and gives -wal/-shm the main file's mode. */
static int ensure_file(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return -errno;
	if (!S_ISREG(sb.st_mode))
		return -EINVAL;
	return 0;
}

static OpenResult open_file(const char *path, sqlite3 **ret_db, int *ret_newer, char **ret_reason,
                            TuskError *e)
{
	_cleanup_(sqlite3_closep) sqlite3 *db = NULL;
	_cleanup_free_ char *problem = NULL;
	int version = 0;
	int rc, r;

	r = ensure_file(path);
	if (r < 0) {
		*ret_reason = strdup_printf("cannot create or open %s: %s", path, strerror(-r));
		return OPEN_UNUSABLE;
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		*ret_reason = strdup_printf("cannot open %s: %s", path,
		                            db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		return OPEN_UNUSABLE;
	}
	sqlite3_extended_result_codes(db, 1);
	/* Until the file is known to be healthy, closing must not checkpoint
	 * (or delete) a WAL into it: a damaged file is moved aside as found. */
	rc = sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(db, 5000);
	/* Reading the version first writes nothing, so a newer file is left
	 * exactly as it was. */
	if (rc == SQLITE_OK)
		rc = storage_read_user_version(db, &version);
	if (rc == SQLITE_OK && version > storage_schema_version) {
		*ret_newer = version;
		return OPEN_NEWER;
	}
	if (rc == SQLITE_OK)
		rc = quick_check(db, &problem);
	if (rc == SQLITE_OK && problem) {
		*ret_reason = TAKE_PTR(problem);
		return OPEN_DAMAGED;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
	if (rc == SQLITE_OK)
		rc = configure(db, true);
	if (rc != SQLITE_OK) {
		*ret_reason = strdup_printf("%s: %s", path, sqlite3_errmsg(db));
		return rc_is_damage(rc) ? OPEN_DAMAGED : OPEN_UNUSABLE;
	}
	/* An older file may have been made with looser permissions. */
	chmod(path, 0600);

	TuskError merr = TUSK_ERROR_INIT;
	if (storage_migrate_rc(db, storage_schema_version, &rc, &merr) < 0) {
		if (rc_is_damage(rc)) {
			*ret_reason = strdup_printf("%s", tusk_error_message(&merr));
			tusk_error_clear(&merr);
			return OPEN_DAMAGED;
		}
		tusk_error_move(e, &merr);
		return OPEN_FAILED;
	}
	*ret_db = TAKE_PTR(db);
	return OPEN_OK;
}

static int rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* A file system without RENAME_NOREPLACE: check, then rename. */
	if (access(to, F_OK) == 0)
		return -EEXIST;
	return rename(from, to) < 0 ? -errno : 0;
}

/* Rename path to "<path>.corrupt-YYYYmmdd-HHMMSS" (a counter added if that
 * exists), and its -wal and -shm with it: a stale WAL left beside the new
 * file would be replayed into it. */
static int move_aside(const char *path, char **ret_dest)
{
	_cleanup_free_ char *dest = NULL;
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int r = -EEXIST;

	if (!localtime_r(&now, &tm) || strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm) == 0)
		return -EINVAL;
	for (int i = 0; i < 100 && r == -EEXIST; i++) {
		free(dest);
		dest = i == 0 ? strdup_printf("%s.corrupt-%s", path, stamp)
		              : strdup_printf("%s.corrupt-%s-%d", path, stamp, i);
		if (!dest)
			return -ENOMEM;
		r = rename_noreplace(path, dest);
	}
	if (r < 0)
		return r;

	static const char *const sidecars[] = {"-wal", "-shm"};
	for (size_t i = 0; i < sizeof sidecars / sizeof *sidecars; i++) {
		_cleanup_free_ char *from = strdup_printf("%s%s", path, sidecars[i]);
		_cleanup_free_ char *to = strdup_printf("%s%s", dest, sidecars[i]);
		if (!from || !to)
			return -ENOMEM;
		if (rename(from, to) < 0 && errno != ENOENT)
			return -errno;
	}
	*ret_dest = TAKE_PTR(dest);
	return 0;
}

static int open_memory(sqlite3 **ret_db, TuskError *e)
{
	_cleanup_(sqlite3_closep) sqlite3 *db = NULL;
	int rc =
	    sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = configure(db, false);
	if (rc != SQLITE_OK)
		return db ? tusk_error_from_sqlite(e, db, rc)
		          : tusk_error_set(e, TUSK_ERR_STORAGE,
		                           "cannot make an in-memory database: %s",
		                           sqlite3_errstr(rc));
	if (storage_migrate(db, storage_schema_version, e) < 0)
		return -1;
	*ret_db = TAKE_PTR(db);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

#define MEMORY_NOTE "running on a temporary in-memory database; nothing will be saved"

/* Record why writes are refused from now on: kind, "not saved: WHY", and
 * what to do — the hint names the file, which nothing here will touch. */
static void refuse(Storage *s, TuskErrorKind kind, const char *why)
{
	_cleanup_free_ char *hint = NULL;
	if (kind == TUSK_ERR_MIGRATION)
		hint =
		    strdup_printf("%s was left as it is. Run the Tusk that wrote it; or, to start "
		                  "over with this one, stop tuskd (tuskctl shutdown), move the "
		                  "file aside (mv %s %s.old) and start it again (any command "
		                  "starts it)",
		                  s->path, s->path, s->path);
	else
		hint =
		    strdup_printf("Make %s writable (free space, permissions), then stop tuskd "
		                  "(tuskctl shutdown) and start it again (any command starts it)",
		                  s->path);
	tusk_error_set(&s->refusal, kind, "not saved: %s", why ? why : "storage failed");
	tusk_error_set_hint(&s->refusal, hint);
}

/* A damaged file: move it aside, then try once more on a fresh file. */
static OpenResult recover(Storage *s, const char *reason)
{
	_cleanup_free_ char *reason2 = NULL;
	TuskError err2 = TUSK_ERROR_INIT;
	int newer = 0;
	int r = move_aside(s->path, &s->moved_to);
	if (r < 0) {
		s->warning = strdup_printf(
		    "%s is damaged (%s) and could not be moved aside: %s; " MEMORY_NOTE, s->path,
		    reason, strerror(-r));
		refuse(s, TUSK_ERR_STORAGE, s->warning);
		return OPEN_UNUSABLE;
	}
	OpenResult res = open_file(s->path, &s->db, &newer, &reason2, &err2);
	if (res == OPEN_OK) {
		s->warning = strdup_printf("%s was damaged (%s); it was moved to %s and a new, "
		                           "empty database was started",
		                           s->path, reason, s->moved_to);
		return OPEN_OK;
	}
	/* Whatever went wrong with a brand-new file is not the user's data. */
	s->warning = strdup_printf("%s was damaged (%s) and moved to %s, but a new database could "
	                           "not be made: %s; " MEMORY_NOTE,
	                           s->path, reason, s->moved_to,
	                           reason2 ? reason2 : tusk_error_message(&err2));
	tusk_error_clear(&err2);
	refuse(s, TUSK_ERR_STORAGE, s->warning);
	return OPEN_UNUSABLE;
}

Storage *storage_open(const char *path, TuskError *e)
{
	_cleanup_(storage_closep) Storage *s = calloc(1, sizeof *s);
	_cleanup_free_ char *reason = NULL;
	int newer = 0;

	if (!s)
		return tusk_error_from_errno(e, ENOMEM, "storage"), NULL;
	s->state = STORAGE_MEMORY;
	if (path) {
		s->path = strdup(path);
		if (!s->path)
			return tusk_error_from_errno(e, ENOMEM, "storage"), NULL;

		OpenResult res = open_file(path, &s->db, &newer, &reason, e);
		switch (res) {
		case OPEN_OK:
			s->state = STORAGE_OK;
			return TAKE_PTR(s);
		case OPEN_FAILED:
			/* Each step is its own transaction: the file stays at the
			 * last good version, untouched from here on. */
			s->warning = strdup_printf("%s could not be brought to schema %d (%s); it "
			                           "was left as it is; " MEMORY_NOTE,
			                           base_name(path), storage_schema_version,
			                           tusk_error_message(e));
			tusk_error_clear(e);
			refuse(s, TUSK_ERR_MIGRATION, s->warning);
			break;
		case OPEN_NEWER:
			s->warning =
			    strdup_printf("%s was written by a newer Tusk (schema %d), newer "
			                  "than this one's %d; it was left as it is; " MEMORY_NOTE,
			                  base_name(path), newer, storage_schema_version);
			refuse(s, TUSK_ERR_MIGRATION, s->warning);
			break;
		case OPEN_UNUSABLE:
			s->warning = strdup_printf("%s; " MEMORY_NOTE, reason ? reason : path);
			refuse(s, TUSK_ERR_STORAGE, s->warning);
			break;
		case OPEN_DAMAGED:
			if (recover(s, reason ? reason : "unreadable") == OPEN_OK) {
				s->state = STORAGE_RECOVERED;
				return TAKE_PTR(s);
			}
			break;
		}
		free(s->path);
		s->path = NULL;
	}
	if (open_memory(&s->db, e) < 0)
		return NULL;
	return TAKE_PTR(s);
}

void storage_close(Storage *s)
{
	if (!s)
		return;
	if (s->db) {
		if (s->path)
			sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
			                          NULL);
		/* _v2: statements a caller forgot keep the handle alive instead of
		 * failing the close; the last finalize frees it. */
		sqlite3_close_v2(s->db);
	}
	free(s->path);
	free(s->warning);
	free(s->moved_to);
	tusk_error_clear(&s->refusal);
	free(s);
}

int storage_check_durable(const Storage *s, TuskError *e)
{
	if (s->refusal.kind == TUSK_ERR_NONE)
		return 0;
	tusk_error_copy(e, &s->refusal);
	return -1;
}

const TuskError *storage_refusal(const Storage *s)
{
	return s->refusal.kind == TUSK_ERR_NONE ? NULL : &s->refusal;
}

sqlite3 *storage_db(Storage *s)
{
	return s->db;
}

StorageState storage_state(const Storage *s)
{
	return s->state;
}

const char *storage_state_name(StorageState st)
{
	switch (st) {
	case STORAGE_OK:
		return "ok";
	case STORAGE_RECOVERED:
		return "recovered";
	case STORAGE_MEMORY:
		return "memory";
	}
	return "unknown";
}

const char *storage_path(const Storage *s)
{
	return s->path;
}

const char *storage_warning(const Storage *s)
{
	return s->warning;
}

const char *storage_moved_to(const Storage *s)
{
	return s->moved_to;
}

int storage_user_version(Storage *s)
{
	int version = 0;
	int rc = storage_read_user_version(s->db, &version);
	return rc == SQLITE_OK ? version : -EIO;
}

sqlite3 *storage_open_handle(Storage *s, TuskError *e)
{
	_cleanup_(sqlite3_closep) sqlite3 *db = NULL;
	int rc;

	if (!s->path)
		return tusk_error_set(e, TUSK_ERR_STORAGE,
		                      "the in-memory database cannot be opened a second time"),
		       NULL;
	rc = sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
	if (rc == SQLITE_OK)
		rc = configure(db, true);
	if (rc != SQLITE_OK) {
		if (db)
			tusk_error_from_sqlite(e, db, rc);
		else
			tusk_error_set(e, TUSK_ERR_STORAGE, "cannot open %s: %s", s->path,
			               sqlite3_errstr(rc));
		return NULL;
	}
	return TAKE_PTR(db);
}

int storage_exec(Storage *s, const char *sql, TuskError *e)
{
	_cleanup_(sqlite3_freep) char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return 0;
	if (msg)
		return tusk_error_set(e, TUSK_ERR_STORAGE, "%s", msg);
	return tusk_error_from_sqlite(e, s->db, rc);
}
