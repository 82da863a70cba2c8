/* \copy in the shell, as psql spells it: \copy TABLE [(COLUMNS)] | (QUERY)
 * FROM|TO 'FILE' | stdin | stdout | pstdin | pstdout [OPTIONS]. It runs
 * COPY … FROM STDIN / TO STDOUT through the daemon with the data in a file
 * of this machine (or the shell's own stdin / stdout). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client-cli/shell.h"
#include "client-cli/tuskctl.h"

/* Where the top-level FROM or TO is: outside quotes and parentheses. */
static const char *find_direction(const char *s, bool *from)
{
	int depth = 0;
	char quote = 0;
	for (const char *p = s; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			depth--;
		} else if (depth == 0 && (p == s || isspace((unsigned char)p[-1]))) {
			size_t n = strncasecmp(p, "from", 4) == 0 ? 4
			           : strncasecmp(p, "to", 2) == 0 ? 2
			                                          : 0;
			if (n && (isspace((unsigned char)p[n]) || !p[n])) {
				*from = n == 4;
				return p;
			}
		}
	}
	return NULL;
}

int shell_copy(struct shell *sh, const char *arg)
{
	bool from = false;
	const char *dir = arg ? find_direction(arg, &from) : NULL;
	if (!dir || dir == arg) {
		fprintf(stderr, "\\copy: arguments required: \\copy TABLE|(QUERY) from|to "
		                "'FILE'|stdin|stdout|pstdin|pstdout [OPTIONS]\n");
		return EXIT_USAGE;
	}
	const char *p = dir + (from ? 4 : 2);
	while (isspace((unsigned char)*p))
		p++;
	/* The file: 'quoted' (doubled quotes inside) or one word. */
	char file[4096];
	size_t n = 0;
	if (*p == '\'') {
		for (p++; *p && n + 1 < sizeof(file); p++) {
			if (*p == '\'' && p[1] == '\'')
				file[n++] = *p++;
			else if (*p == '\'')
				break;
			else
				file[n++] = *p;
		}
		if (*p == '\'')
			p++;
	} else {
		while (*p && !isspace((unsigned char)*p) && n + 1 < sizeof(file))
			file[n++] = *p++;
	}
	file[n] = '\0';
	if (!n) {
		fprintf(stderr,
		        "\\copy: a file name, stdin, stdout, pstdin or pstdout is needed\n");
		return EXIT_USAGE;
	}
	if (strcasecmp(file, "program") == 0) {
		fprintf(stderr, "\\copy: program is not supported\n");
		return EXIT_USAGE;
	}
	bool std = strcasecmp(file, "stdin") == 0 || strcasecmp(file, "stdout") == 0 ||
	           strcasecmp(file, "pstdin") == 0 || strcasecmp(file, "pstdout") == 0;
	int fd = 0;
	FILE *out = NULL;
	if (!std && from && (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		return EXIT_USAGE;
	}
	if (!std && !from && !(out = fopen(file, "we"))) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		return EXIT_USAGE;
	}
	if (std && !from && strcasecmp(file, "pstdout") == 0)
		out = stdout;
	size_t len = (size_t)(dir - arg) + strlen(p) + 32;
	char *sql = malloc(len);
	snprintf(sql, len, "COPY %.*s%s%s", (int)(dir - arg), arg,
	         from ? "FROM STDIN" : "TO STDOUT", p);
	int r = shell_execute_copy(sh, sql, fd, out);
	free(sql);
	if (fd > 0)
		close(fd);
	if (out && out != stdout && fclose(out) != 0 && r == EXIT_OK) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		r = EXIT_DAEMON_ERROR;
	}
	return r;
}
