/* Opening tusk.db when things are not fine: garbage, a truncated file, a
 * place where nothing can be written, a file from a newer Tusk. */
#include <check.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/storage/storage.h"
#include "test-storage-util.h"
#include "tests/lib/tt-check.h"

static char garbage[65536];

static void make_garbage(void)
{
	/* Not random: a failure must be reproducible. Starts unlike any
	 * SQLite header. */
	unsigned x = 2463534242u;
	memcpy(garbage, "this is not a database", 22);
	for (size_t i = 22; i < sizeof garbage; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		garbage[i] = (char)x;
	}
}

static void assert_file_is(const char *path, const void *data, size_t len)
{
	size_t n = 0;
	_cleanup_free_ char *got = tst_read_file(path, &n);
	ck_assert_uint_eq(n, len);
	ck_assert_msg(memcmp(got, data, len) == 0, "%s changed", path);
}

static void assert_usable(Storage *s)
{
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_int_eq(storage_user_version(s), storage_schema_version);
	ck_assert_msg(
	    storage_exec(s, "INSERT INTO settings VALUES ('ui.theme', '\"dark\"', 1)", &e) == 0,
	    "%s", tusk_error_message(&e));
	ck_assert_int_eq(tst_int(storage_db(s), "SELECT count(*) FROM settings"), 1);
}

static void assert_moved_name(const char *moved, const char *path)
{
	regex_t re;
	ck_assert_int_eq(strncmp(moved, path, strlen(path)), 0);
	ck_assert_int_eq(regcomp(&re, "^\\.corrupt-[0-9]{8}-[0-9]{6}(-[0-9]+)?$", REG_EXTENDED), 0);
	ck_assert_msg(regexec(&re, moved + strlen(path), 0, NULL, 0) == 0, "bad name %s", moved);
	regfree(&re);
}

START_TEST(test_garbage_recovered)
{
	_cleanup_free_ char *dir = tst_dir();
	_cleanup_free_ char *path = tst_join(dir, "tusk.db");
	TuskError e = TUSK_ERROR_INIT;
	tst_write_file(path, garbage, sizeof garbage);

	Storage *s = storage_open(path, &e);
	ck_assert_msg(s != NULL, "%s", tusk_error_message(&e));
	ck_assert_int_eq(storage_state(s), STORAGE_RECOVERED);
	ck_assert_str_eq(storage_state_name(storage_state(s)), "recovered");
	const char *moved = storage_moved_to(s);
	ck_assert_ptr_nonnull(moved);
	assert_moved_name(moved, path);
	assert_file_is(moved, garbage, sizeof garbage);
	ck_assert_ptr_nonnull(storage_warning(s));
	ck_assert_ptr_nonnull(strstr(storage_warning(s), moved));
	ck_assert_ptr_nonnull(strstr(storage_warning(s), "damaged"));
	assert_usable(s);
	storage_close(s);

	/* The new file is healthy: the next start is a plain one. */
	s = storage_open(path, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(storage_state(s), STORAGE_OK);
	ck_assert_ptr_null(storage_warning(s));
	ck_assert_int_eq(tst_int(storage_db(s), "SELECT count(*) FROM settings"), 1);
	storage_close(s);
	ck_assert_uint_eq(tst_count_prefix(dir, "tusk.db.corrupt"), 1);
}
END_TEST

START_TEST(test_sidecars_move_along)
{
	_cleanup_free_ char *dir = tst_dir();
	_cleanup_free_ char *path = tst_join(dir, "tusk.db");
	_cleanup_free_ char *wal = tst_join(dir, "tusk.db-wal");
	_cleanup_free_ char *shm = tst_join(dir, "tusk.db-shm");
	TuskError e = TUSK_ERROR_INIT;
	tst_write_file(path, garbage, 4096);
	tst_write_file(wal, garbage + 4096, 1000);
	tst_write_file(shm, garbage + 8192, 32768);

	Storage *s = storage_open(path, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(storage_state(s), STORAGE_RECOVERED);
	_cleanup_free_ char *moved_wal = NULL, *moved_shm = NULL;
	ck_assert_int_ge(asprintf(&moved_wal, "%s-wal", storage_moved_to(s)), 0);
	ck_assert_int_ge(asprintf(&moved_shm, "%s-shm", storage_moved_to(s)), 0);
	assert_file_is(storage_moved_to(s), garbage, 4096);
	assert_file_is(moved_wal, garbage + 4096, 1000);
	/* The -shm is an index SQLite rebuilds; it only must not stay behind. */
	ck_assert(tst_exists(moved_shm));
	assert_usable(s);
	storage_close(s);
}
END_TEST

static void copy_file(const char *from, const char *to)
{
	size_t n = 0;
	_cleanup_free_ char *data = tst_read_file(from, &n);
	tst_write_file(to, data, n);
}

/* What a crash leaves: recent commits only in the -wal, and here a main file
 * with a damaged page. The WAL must not be checkpointed into the
 * damaged file nor deleted: both are moved aside exactly as they were. */
START_TEST(test_damaged_wal_db_moved_as_found)
{
	_cleanup_free_ char *dir = tst_dir();
	_cleanup_free_ char *path = tst_join(dir, "tusk.db");
	_cleanup_free_ char *wal = tst_join(dir, "tusk.db-wal");
	_cleanup_free_ char *crash = tst_dir();
	_cleanup_free_ char *cpath = tst_join(crash, "tusk.db");
	_cleanup_free_ char *cwal = tst_join(crash, "tusk.db-wal");
	TuskError e = TUSK_ERROR_INIT;
	struct stat sb;

	Storage *s = storage_open(path, &e);
	ck_assert_ptr_nonnull(s);
	tst_exec(storage_db(s),
	         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)"
	         " INSERT INTO query_history (uuid, sql, started_at, status)"
	         " SELECT 'u' || i, 'SELECT ' || hex(randomblob(400)), i, 'ok' FROM n");
	storage_close(s);
	s = storage_open(path, &e);
	tst_exec(storage_db(s), "INSERT INTO settings VALUES ('ui.theme', '\"dark\"', 1)");
	ck_assert_int_eq(stat(wal, &sb), 0);
	ck_assert_int_gt(sb.st_size, 0);
	copy_file(path, cpath);
	copy_file(wal, cwal);
	storage_close(s);

	/* Scribble over a page in the middle of the history table. */
	ck_assert_int_eq(stat(cpath, &sb), 0);
	size_t main_len = 0, wal_len = 0;
	_cleanup_free_ char *main_bytes = tst_read_file(cpath, &main_len);
	memset(main_bytes + (main_len / 2 / 4096) * 4096 + 100, 0xff, 2000);
	tst_write_file(cpath, main_bytes, main_len);
	_cleanup_free_ char *wal_bytes = tst_read_file(cwal, &wal_len);

	s = storage_open(cpath, &e);
	ck_assert_msg(s != NULL, "%s", tusk_error_message(&e));
	ck_assert_int_eq(storage_state(s), STORAGE_RECOVERED);
	_cleanup_free_ char *moved_wal = NULL;
	ck_assert_int_ge(asprintf(&moved_wal, "%s-wal", storage_moved_to(s)), 0);
	assert_file_is(storage_moved_to(s), main_bytes, main_len);
	assert_file_is(moved_wal, wal_bytes, wal_len);
	ck_assert_ptr_nonnull(strstr(storage_warning(s), "integrity check"));
	ck_assert_ptr_null(strchr(storage_warning(s), '\n'));
	ck_assert_int_eq(tst_int(storage_db(s), "SELECT count(*) FROM settings"), 0);
	assert_usable(s);
	storage_close(s);
}
END_TEST

START_TEST(test_truncated_db_recovered)
{
	_cleanup_free_ char *dir = tst_dir();
	_cleanup_free_ char *path = tst_join(dir, "tusk.db");
	TuskError e = TUSK_ERROR_INIT;
	struct stat sb;

	Storage *s = storage_open(path, &e);
	ck_assert_ptr_nonnull(s);
	sqlite3 *db = storage_db(s);
	tst_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)"
	             " INSERT INTO query_history (uuid, sql, started_at, status)"
	             " SELECT 'u' || i, 'SELECT ' || i || ' FROM t ' || hex(randomblob(400)),"
	             " i, 'ok' FROM n");
	storage_close(s);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_gt(sb.st_size, 200000);
	off_t half = sb.st_size / 2;
	ck_assert_int_eq(truncate(path, half), 0);

	s = storage_open(path, &e);
	ck_assert_msg(s != NULL, "%s", tusk_error_message(&e));
	ck_assert_int_eq(storage_state(s), STORAGE_RECOVERED);
	ck_assert_int_eq(stat(storage_moved_to(s), &sb), 0);
	ck_assert_int_eq(sb.st_size, half);
	ck_assert_int_eq(tst_int(storage_db(s), "SELECT count(*) FROM query_history"), 0);
	assert_usable(s);
	storage_close(s);
}
END_TEST

START_TEST(test_two_recoveries_keep_both)
{
	_cleanup_free_ char *dir = tst_dir();
	_cleanup_free_ char *path = tst_join(dir, "tusk.db");
	TuskError e = TUSK_ERROR_INIT;

	tst_write_file(path, garbage, 1000);
	Storage *s = storage_open(path, NULL); /* a caller may not want details */
	ck_assert_int_eq(storage_state(s), STORAGE_RECOVERED);
	_cleanup_free_ char *first = strdup(storage_moved_to(s));
	storage_close(s);

	tst_write_file(path, garbage + 1000, 1000);
	s = storage_open(path, &e);
	ck_assert_int_eq(storage_state(s), STORAGE_RECOVERED);
	ck_assert_str_ne(storage_moved_to(s), first);
	assert_moved_name(storage_moved_to(s), path);
	assert_file_is(storage_moved_to(s), garbage + 1000, 1000);
	assert_file_is(first, garbage, 1000);
	storage_close(s);
}
END_TEST

START_TEST(test_parent_not_a_directory)
{
	_cleanup_free_ char *dir = tst_dir();
	_cleanup_free_ char *plain = tst_join(dir, "plain");
	_cleanup_free_ char *path = tst_join(plain, "tusk.db");
	TuskError e = TUSK_ERROR_INIT;
	tst_write_file(plain, "x", 1);

	Storage *s = storage_open(path, &e);
	ck_assert_msg(s != NULL, "%s", tusk_error_message(&e));
	ck_assert_int_eq(storage_state(s), STORAGE_MEMORY);
	ck_assert_ptr_null(storage_path(s));
	const char *w = storage_warning(s);
	ck_assert_ptr_nonnull(w);
	ck_assert_msg(strstr(w, path) && strstr(w, "Not a directory") && strstr(w, "in-memory") &&
	                  strstr(w, "nothing will be saved"),
	              "%s", w);
	const TuskError *refusal = storage_refusal(s);
	ck_assert_ptr_nonnull(refusal);
	ck_assert_int_eq(refusal->kind, TUSK_ERR_STORAGE);
	ck_assert_msg(strstr(refusal->hint, path) && strstr(refusal->hint, "writable"), "%s",
	              refusal->hint);
	assert_usable(s);
	storage_close(s);
	assert_file_is(plain, "x", 1);

	/* Memory on purpose refuses nothing. */
	s = storage_open(NULL, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(storage_refusal(s));
	ck_assert_int_eq(storage_check_durable(s, &e), 0);
	storage_close(s);
}
END_TEST

START_TEST(test_path_is_a_directory)
{
	_cleanup_free_ char *dir = tst_dir();
	TuskError e = TUSK_ERROR_INIT;
	Storage *s = storage_open(dir, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(storage_state(s), STORAGE_MEMORY);
	ck_assert_ptr_nonnull(strstr(storage_warning(s), "nothing will be saved"));
	assert_usable(s);
	storage_close(s);
}
END_TEST

/* The damaged file cannot be renamed: its name is as long as the file system
 * allows, so "<name>.corrupt-…" is too long (works for root and on any file
 * system, unlike a read-only directory). The file must stay as it was. */
START_TEST(test_corrupt_cannot_move)
{
	_cleanup_free_ char *dir = tst_dir();
	char name[256];
	memset(name, 'd', 250);
	name[250] = '\0';
	_cleanup_free_ char *path = tst_join(dir, name);
	TuskError e = TUSK_ERROR_INIT;
	tst_write_file(path, garbage, sizeof garbage);

	Storage *s = storage_open(path, &e);
	ck_assert_msg(s != NULL, "%s", tusk_error_message(&e));
	ck_assert_int_eq(storage_state(s), STORAGE_MEMORY);
	ck_assert_ptr_null(storage_moved_to(s));
	const char *w = storage_warning(s);
	ck_assert_msg(strstr(w, "could not be moved aside") && strstr(w, "nothing will be saved"),
	              "%s", w);
	assert_usable(s);
	storage_close(s);
	assert_file_is(path, garbage, sizeof garbage);
	ck_assert_uint_eq(tst_count_prefix(dir, "d"), 1);
}
END_TEST

START_TEST(test_newer_schema_untouched)
{
	_cleanup_free_ char *dir = tst_dir();
	_cleanup_free_ char *path = tst_join(dir, "tusk.db");
	TuskError e = TUSK_ERROR_INIT;
	char pragma[64];
	int newer = storage_schema_version + 3;

	Storage *s = storage_open(path, &e);
	ck_assert_ptr_nonnull(s);
	tst_exec(storage_db(s), "INSERT INTO settings VALUES ('future.key', '1', 1)");
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", newer);
	tst_exec(storage_db(s), pragma);
	storage_close(s);
	size_t len = 0;
	_cleanup_free_ char *before = tst_read_file(path, &len);

	s = storage_open(path, &e);
	ck_assert_msg(s != NULL, "%s", tusk_error_message(&e));
	ck_assert_int_eq(storage_state(s), STORAGE_MEMORY);
	char expect[200];
	snprintf(
	    expect, sizeof expect,
	    "tusk.db was written by a newer Tusk (schema %d), newer than this one's %d; it was "
	    "left as it is; running on a temporary in-memory database",
	    newer, storage_schema_version);
	ck_assert_msg(strstr(storage_warning(s), expect) != NULL, "%s", storage_warning(s));
	/* What would be saved now is refused, with the file and what to do. */
	const TuskError *refusal = storage_refusal(s);
	ck_assert_ptr_nonnull(refusal);
	ck_assert_int_eq(refusal->kind, TUSK_ERR_MIGRATION);
	ck_assert_msg(strncmp(tusk_error_message(refusal), "not saved: tusk.db was written", 30) ==
	                  0,
	              "%s", tusk_error_message(refusal));
	ck_assert_msg(strstr(refusal->hint, path) && strstr(refusal->hint, "tuskctl shutdown"),
	              "%s", refusal->hint);
	ck_assert_int_eq(storage_check_durable(s, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_MIGRATION);
	tusk_error_clear(&e);
	assert_usable(s);
	storage_close(s);

	assert_file_is(path, before, len);
	ck_assert_uint_eq(tst_count_prefix(dir, "tusk.db.corrupt"), 0);
	sqlite3 *raw = NULL;
	ck_assert_int_eq(sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(tst_int(raw, "PRAGMA user_version"), newer);
	ck_assert_int_eq(tst_int(raw, "SELECT count(*) FROM settings WHERE key = 'future.key'"), 1);
	sqlite3_close(raw);
}
END_TEST

START_TEST(test_file_modes)
{
	_cleanup_free_ char *dir = tst_dir();
	_cleanup_free_ char *path = tst_join(dir, "tusk.db");
	_cleanup_free_ char *wal = tst_join(dir, "tusk.db-wal");
	_cleanup_free_ char *old = tst_join(dir, "old.db");
	TuskError e = TUSK_ERROR_INIT;
	struct stat sb;
	mode_t mask = umask(022);

	Storage *s = storage_open(path, &e);
	ck_assert_ptr_nonnull(s);
	assert_usable(s);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(stat(wal, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	storage_close(s);

	/* A file someone made readable to all is tightened; an empty file is
	 * an empty database, not a damaged one. */
	tst_write_file(old, "", 0);
	ck_assert_int_eq(chmod(old, 0644), 0);
	s = storage_open(old, &e);
	ck_assert_int_eq(storage_state(s), STORAGE_OK);
	ck_assert_int_eq(stat(old, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	storage_close(s);
	umask(mask);
}
END_TEST

int main(void)
{
	make_garbage();
	tst_root_init();
	Suite *su = suite_create("storage-open");
	TCase *tc = tcase_create("open");
	tcase_add_test(tc, test_garbage_recovered);
	tcase_add_test(tc, test_sidecars_move_along);
	tcase_add_test(tc, test_truncated_db_recovered);
	tcase_add_test(tc, test_damaged_wal_db_moved_as_found);
	tcase_add_test(tc, test_two_recoveries_keep_both);
	tcase_add_test(tc, test_parent_not_a_directory);
	tcase_add_test(tc, test_path_is_a_directory);
	tcase_add_test(tc, test_corrupt_cannot_move);
	tcase_add_test(tc, test_newer_schema_untouched);
	tcase_add_test(tc, test_file_modes);
	suite_add_tcase(su, tc);
	return tt_run_suite(su);
}
