#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/lib/tt-grep.h"

bool tt_file_contains(const char *path, const char *needle)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	while (buf && (n = read(fd, buf + len, cap - len)) > 0) {
		len += (size_t)n;
		if (len == cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (!bigger)
				free(buf);
			buf = bigger;
		}
	}
	close(fd);
	bool found = buf && memmem(buf, len, needle, strlen(needle)) != NULL;
	free(buf);
	return found;
}

static void note(char *where, size_t size, const char *path)
{
	if (where)
		snprintf(where, size, "%s", path);
}

bool tt_tree_contains(const char *dir, const char *needle, const char *skip, char *where,
                      size_t size)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	struct dirent *de;
	bool hit = false;
	while (!hit && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(path, &st) < 0 || (skip && strcmp(path, skip) == 0))
			continue;
		if (S_ISDIR(st.st_mode))
			hit = tt_tree_contains(path, needle, skip, where, size);
		else if (S_ISREG(st.st_mode) && tt_file_contains(path, needle)) {
			hit = true;
			note(where, size, path);
		}
	}
	closedir(d);
	return hit;
}

bool tt_proc_contains(const char *needle, char *where, size_t size)
{
	DIR *d = opendir("/proc");
	if (!d)
		return false;
	struct dirent *de;
	bool hit = false;
	while (!hit && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		const char *parts[] = {"cmdline", "environ"};
		for (size_t i = 0; i < 2 && !hit; i++) {
			char path[300];
			snprintf(path, sizeof(path), "/proc/%s/%s", de->d_name, parts[i]);
			if (tt_file_contains(path, needle)) {
				hit = true;
				note(where, size, path);
			}
		}
	}
	closedir(d);
	return hit;
}
