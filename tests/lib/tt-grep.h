/* Looking for a secret where it must not be: in files under a directory
 * (a daemon's data, state and cache dirs, its WAL and logs included) and in
 * every process's argv and environment. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Whether the file at path holds needle (false when it cannot be read). */
bool tt_file_contains(const char *path, const char *needle);
/* Whether any regular file under dir, recursively, holds needle; skip (or
 * NULL) names one file not to look at. The first file found goes to
 * where[size] when where is not NULL. */
bool tt_tree_contains(const char *dir, const char *needle, const char *skip, char *where,
                      size_t size);
/* Whether any process's /proc/PID/cmdline or environ holds needle. */
bool tt_proc_contains(const char *needle, char *where, size_t size);
