/* A main for the fuzz targets outside libFuzzer: runs every file named on
 * the command line (a directory: every file in it, in name order) through
 * LLVMFuzzerTestOneInput once. The corpus and the saved crash inputs run
 * this way as ctests, in the sanitizer build too. A missing directory is
 * no input; no input at all is a failure. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			uint8_t *p = realloc(buf, cap);
			if (!p)
				free(buf);
			buf = p;
		}
	}
	fclose(f);
	if (!buf)
		return -1;
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	/* An exact-size copy, so ASan sees a read past the end. */
	uint8_t *exact = malloc(len ? len : 1);
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int failed = 0;
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			failed |= run_file(argv[i]) < 0;
			count++;
			continue;
		}
		struct dirent **names;
		int n = scandir(argv[i], &names, NULL, by_name);
		for (int j = 0; j < n; j++) {
			char *path = NULL;
			if (names[j]->d_name[0] != '.' &&
			    asprintf(&path, "%s/%s", argv[i], names[j]->d_name) > 0) {
				failed |= run_file(path) < 0;
				count++;
			}
			free(path);
			free(names[j]);
		}
		free(names);
	}
	printf("replayed %u inputs\n", count);
	return failed || count == 0 ? 1 : 0;
}
