/* Reading a whole stream of text: SQL from -f FILE or stdin, and the
 * shell's \i and \e files. */
#include <stdio.h>
#include <stdlib.h>

#include "client-cli/tuskctl.h"

char *ctl_read_text(FILE *f)
{
	size_t cap = 4096, len = 0, n;
	char *buf = malloc(cap);
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}
