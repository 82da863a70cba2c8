#include "test-storage-util.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];
static pid_t root_owner;

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void root_cleanup(void)
{
	/* Check forks each test; only the process that made the root removes it. */
	if (root[0] && getpid() == root_owner)
		nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void tst_root_init(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(root, sizeof root, "%s/tusk-storage-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		exit(2);
	}
	root_owner = getpid();
	atexit(root_cleanup);
}

char *tst_dir(void)
{
	char *d = NULL;
	ck_assert_int_ge(asprintf(&d, "%s/t-XXXXXX", root), 0);
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

char *tst_join(const char *dir, const char *name)
{
	char *p = NULL;
	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

void tst_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_msg(fd >= 0, "open %s", path);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

char *tst_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "fopen %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	char *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

bool tst_exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

static char *scan_prefix(const char *dir, const char *prefix, size_t *count)
{
	DIR *d = opendir(dir);
	char *found = NULL;
	ck_assert_ptr_nonnull(d);
	for (struct dirent *de; (de = readdir(d));) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		(*count)++;
		if (!found)
			found = tst_join(dir, de->d_name);
	}
	closedir(d);
	return found;
}

char *tst_find_prefix(const char *dir, const char *prefix)
{
	size_t n = 0;
	return scan_prefix(dir, prefix, &n);
}

size_t tst_count_prefix(const char *dir, const char *prefix)
{
	size_t n = 0;
	free(scan_prefix(dir, prefix, &n));
	return n;
}

long long tst_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
	              sqlite3_errmsg(db));
	ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "%s: no row", sql);
	long long v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

char *tst_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
	              sqlite3_errmsg(db));
	ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "%s: no row", sql);
	const unsigned char *t = sqlite3_column_text(st, 0);
	char *v = t ? strdup((const char *)t) : NULL;
	sqlite3_finalize(st);
	return v;
}

void tst_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
}

bool tst_has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_prepare_v2(db,
	                                    "SELECT 1 FROM sqlite_schema WHERE name = ? "
	                                    "AND type IN ('table', 'view')",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	bool found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}
