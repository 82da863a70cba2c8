/* Helpers shared by the storage suites: a scratch directory per test under
 * one root that main() removes, and small file utilities. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>

/* Call once in main() before running; removes it at exit. */
void tst_root_init(void);
/* A new empty directory under the root; the caller frees the string. */
char *tst_dir(void);
/* "<dir>/<name>", newly allocated. */
char *tst_join(const char *dir, const char *name);
void tst_write_file(const char *path, const void *data, size_t len);
/* Whole file, NUL-terminated for convenience; *len without the NUL. */
char *tst_read_file(const char *path, size_t *len);
bool tst_exists(const char *path);
/* The first file in dir whose name starts with prefix, or NULL. */
char *tst_find_prefix(const char *dir, const char *prefix);
size_t tst_count_prefix(const char *dir, const char *prefix);
/* One integer / text from a query; fails the test on error. */
long long tst_int(sqlite3 *db, const char *sql);
char *tst_text(sqlite3 *db, const char *sql);
void tst_exec(sqlite3 *db, const char *sql);
bool tst_has_table(sqlite3 *db, const char *name);
