/* Output habits shared by every command: -o FILE, --expanded, --no-header,
 * --null STRING, --no-pager (taken out of argv before anything parses it),
 * the pager for aligned output on a terminal that does not fit, and colors
 * only on a terminal without NO_COLOR. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "client-cli/ptable.h"
#include "client-cli/tuskctl.h"

/* Options that take a value, so that their value is never mistaken for
 * one of ours. */
static bool takes_value(const char *a)
{
	static const char *const opts[] = {
	    "-d",       "-c",        "-f",        "-S",       "--dbname",  "--command", "--file",
	    "--socket", "--session", "--timeout", "--search", "--context", "--kind",    "--name"};
	for (size_t i = 0; i < sizeof(opts) / sizeof(*opts); i++)
		if (strcmp(a, opts[i]) == 0)
			return true;
	return false;
}

int ctl_take_output_flags(struct ctl *ctl, int *argc, char **argv)
{
	int out = 1;
	const char *path = NULL, *command = NULL;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		if (!command && a[0] != '-')
			command = a;
		/* export's -o names the file tuskd writes, not tuskctl's output. */
		bool own_output = !command || strcmp(command, "export") != 0;
		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (takes_value(a) && i + 1 < *argc) {
			argv[out++] = argv[i++];
			argv[out++] = argv[i];
			continue;
		}
		if (strcmp(a, "-x") == 0 || strcmp(a, "--expanded") == 0) {
			ctl->expanded = true;
		} else if (strcmp(a, "--no-header") == 0 || strcmp(a, "-t") == 0) {
			ctl->no_header = true;
		} else if (strcmp(a, "--no-pager") == 0) {
			ctl->no_pager = true;
		} else if (strcmp(a, "--null") == 0 && i + 1 < *argc) {
			ctl->null_text = argv[++i];
		} else if (strncmp(a, "--null=", 7) == 0) {
			ctl->null_text = a + 7;
		} else if (own_output && (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) &&
		           i + 1 < *argc) {
			path = argv[++i];
		} else if (own_output && strncmp(a, "--output=", 9) == 0) {
			path = a + 9;
		} else {
			argv[out++] = argv[i];
		}
	}
	*argc = out;
	argv[out] = NULL;
	if (path && strcmp(path, "-") != 0 && !freopen(path, "we", stdout)) {
		fprintf(stderr, "tuskctl: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

const char *ctl_color(int fd, const char *sgr)
{
	static int on[3] = {-1, -1, -1};
	if (fd < 1 || fd > 2)
		return "";
	if (on[fd] < 0) {
		const char *nc = getenv("NO_COLOR");
		const char *term = getenv("TERM");
		on[fd] = isatty(fd) && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0);
	}
	return on[fd] ? sgr : "";
}

/* ---- the pager ------------------------------------------------------------------ */

FILE *ctl_pager_begin(struct ctl *ctl, char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	if (ctl->no_pager || !isatty(STDOUT_FILENO))
		return NULL;
	const char *p = getenv("TUSK_PAGER");
	if (p && !*p)
		return NULL; /* TUSK_PAGER= turns it off */
	return open_memstream(buf, len);
}

/* Does text fit the terminal (lines and widest line)? */
static bool fits(const char *text, size_t len)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
		return true;
	size_t lines = 0;
	const char *s = text, *end = text + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *line = strndup(s, l);
		size_t w = line ? ptable_width(line) : l;
		free(line);
		if (w > ws.ws_col || ++lines >= ws.ws_row)
			return false;
		s = nl ? nl + 1 : end;
	}
	return true;
}

void ctl_pager_end(FILE *mem, char **buf, size_t *len)
{
	if (!mem)
		return;
	fclose(mem);
	if (!*buf)
		return;
	if (fits(*buf, *len)) {
		fwrite(*buf, 1, *len, stdout);
		fflush(stdout);
	} else {
		const char *pager = getenv("TUSK_PAGER");
		if (!pager || !*pager)
			pager = getenv("PAGER");
		if (!pager || !*pager)
			pager = "less -SFX";
		fflush(stdout);
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);
		FILE *p = popen(pager, "w");
		if (p) {
			fwrite(*buf, 1, *len, p);
			pclose(p);
		} else {
			fwrite(*buf, 1, *len, stdout);
		}
		signal(SIGPIPE, old);
	}
	free(*buf);
	*buf = NULL;
}
