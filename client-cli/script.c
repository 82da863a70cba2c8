/* A script's COPY … FROM stdin data taken out of its SQL (see script.h).
 * Statement ends come from libpg_query's scanner (common/sql-scan.h), fed
 * line by line as psql reads a file: a COPY's data starts on the line
 * after its ';' and ends at a line "\." (or "\.\r") or the end. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client-cli/script.h"
#include "common/grow.h"
#include "common/sql-scan.h"

static int add_sql(struct script *s, size_t from, size_t to, size_t *cap, size_t *pcap)
{
	if (to <= from)
		return 0;
	if (tusk_grow(&s->sql, cap, s->sql_len + (to - from) + 1, 4096) < 0)
		return -1;
	if (s->npieces == *pcap) {
		size_t nc = *pcap ? *pcap * 2 : 16;
		struct script_piece *p = realloc(s->pieces, nc * sizeof(*p));
		if (!p)
			return -1;
		s->pieces = p;
		*pcap = nc;
	}
	s->pieces[s->npieces++] = (struct script_piece){s->sql_len, from};
	memcpy(s->sql + s->sql_len, s->text + from, to - from);
	s->sql_len += to - from;
	s->sql[s->sql_len] = '\0';
	return 0;
}

static bool word(const char *sql, const TuskSqlToken *t, const char *w)
{
	size_t n = strlen(w);
	return t->end - t->start == n && strncasecmp(sql + t->start, w, n) == 0;
}

/* Is the statement of sql in tokens t[first, last) a COPY … FROM STDIN? */
static bool copy_from_stdin(const char *sql, const TuskSqlToken *t, int first, int last)
{
	while (first < last && tusk_sql_token_is_comment(&t[first]))
		first++;
	if (first >= last || !word(sql, &t[first], "copy"))
		return false;
	int depth = 0;
	for (int i = first + 1; i + 1 < last; i++) {
		if (t[i].token == '(')
			depth++;
		else if (t[i].token == ')')
			depth--;
		else if (depth == 0 && word(sql, &t[i], "from") && word(sql, &t[i + 1], "stdin"))
			return true;
	}
	return false;
}

/* Do statements of sql end, and where (*end: the byte after the last ';')?
 * Is the last of them a COPY … FROM STDIN (*copy)? One scan: text that does
 * not scan (an open quote, $$ body or comment) goes on to the next line.
 * A function body of thousands of lines is scanned once per line with a
 * ';', never once per ';' of each line as the shell's question does. */
static bool statements_end(const char *sql, size_t *end, bool *copy)
{
	TuskSqlToken *t = NULL;
	int n = tusk_sql_scan(sql, &t);
	int last = n - 1, prev = -1;
	while (last >= 0 && t[last].token != ';')
		last--;
	for (int i = last - 1; i >= 0 && prev < 0; i--)
		if (t[i].token == ';')
			prev = i;
	if (last >= 0) {
		*end = t[last].end;
		*copy = copy_from_stdin(sql, t, prev + 1, last + 1);
	}
	free(t);
	return last >= 0;
}

static size_t line_end(const char *text, size_t len, size_t p)
{
	const char *nl = memchr(text + p, '\n', len - p);
	return nl ? (size_t)(nl - text) + 1 : len;
}

/* The line [p, eol) is a psql meta-command (its first non-blank byte a
 * backslash), with only white space and comments since the last
 * statement's end (from): *at is where the backslash is. */
static bool meta_line(const char *text, size_t from, size_t p, size_t eol, size_t *at)
{
	size_t i = p;
	while (i < eol && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (i == eol || text[i] != '\\')
		return false;
	*at = i;
	char *before = strndup(text + from, p - from);
	TuskSqlToken *t = NULL;
	int tokens = before ? tusk_sql_scan(before, &t) : -1;
	bool only_comments = tokens >= 0;
	for (int k = 0; k < tokens; k++)
		only_comments = only_comments && tusk_sql_token_is_comment(&t[k]);
	free(t);
	free(before);
	return only_comments;
}

static unsigned long lines_between(const char *text, size_t from, size_t to)
{
	unsigned long n = 0;
	for (const char *p = text + from, *end = text + to;
	     (p = memchr(p, '\n', (size_t)(end - p))); p++)
		n++;
	return n;
}

int ctl_script_split(char *text, size_t len, const char *name, struct script *s)
{
	*s = (struct script){.name = name, .text = text, .text_len = len};
	size_t cap = 0, pcap = 0, dcap = 0, mcap = 0;
	size_t pos = 0;  /* the SQL not yet taken starts here */
	size_t stmt = 0; /* the statement not yet ended starts here */
	size_t p = 0, counted = 0;
	unsigned long line = 1; /* of byte counted */
	while (p < len) {
		size_t eol = line_end(text, len, p), at;
		if (meta_line(text, stmt, p, eol, &at)) {
			/* A meta-command ends at the end of its line, as psql
			 * reads one; the runner does what it says. */
			if (add_sql(s, pos, p, &cap, &pcap) < 0)
				return -1;
			line += lines_between(text, counted, p);
			counted = p;
			if (s->nmetas == mcap) {
				mcap = mcap ? mcap * 2 : 8;
				struct script_meta *m = realloc(s->metas, mcap * sizeof(*m));
				if (!m)
					return -1;
				s->metas = m;
			}
			size_t n = eol - at;
			while (n > 0 && (text[at + n - 1] == '\n' || text[at + n - 1] == '\r'))
				n--;
			s->metas[s->nmetas++] = (struct script_meta){at, n, line, s->sql_len};
			pos = stmt = p = eol;
			continue;
		}
		/* A statement can end only on a line with a ';'. */
		size_t end = 0;
		bool done = false, copy = false;
		if (memchr(text + p, ';', eol - p)) {
			char save = text[eol];
			text[eol] = '\0';
			done = statements_end(text + stmt, &end, &copy);
			text[eol] = save;
		}
		if (done && copy) {
			if (add_sql(s, pos, eol, &cap, &pcap) < 0)
				return -1;
			size_t q = eol;
			while (q < len) {
				size_t qe = line_end(text, len, q);
				size_t n = qe - q;
				if (n >= 2 && memcmp(text + q, "\\.", 2) == 0 &&
				    (n == 2 || (n == 3 && text[q + 2] == '\n') ||
				     (n == 3 && text[q + 2] == '\r') ||
				     (n == 4 && memcmp(text + q + 2, "\r\n", 2) == 0)))
					break;
				q = qe;
			}
			if (s->ndata == dcap) {
				dcap = dcap ? dcap * 2 : 8;
				struct script_data *d = realloc(s->data, dcap * sizeof(*d));
				if (!d)
					return -1;
				s->data = d;
			}
			line += lines_between(text, counted, eol);
			counted = eol;
			s->data[s->ndata++] =
			    (struct script_data){eol, q - eol, line, s->sql_len, q < len};
			pos = stmt = p = q < len ? line_end(text, len, q) : len;
			continue;
		}
		if (done)
			stmt += end;
		p = eol;
	}
	return add_sql(s, pos, len, &cap, &pcap) < 0 ? -1
	       : !s->sql && !(s->sql = strdup(""))   ? -1
	                                             : 0;
}

void ctl_script_clear(struct script *s)
{
	free(s->sql);
	free(s->data);
	free(s->metas);
	free(s->pieces);
	*s = (struct script){0};
}

size_t ctl_script_file_offset(const struct script *s, size_t sql_offset)
{
	size_t i = 0;
	while (i + 1 < s->npieces && s->pieces[i + 1].sql_offset <= sql_offset)
		i++;
	size_t file =
	    s->npieces ? s->pieces[i].file_offset + (sql_offset - s->pieces[i].sql_offset) : 0;
	return file > s->text_len ? s->text_len : file;
}

unsigned long ctl_script_line_of_sql(const struct script *s, size_t sql_offset)
{
	return 1 + lines_between(s->text, 0, ctl_script_file_offset(s, sql_offset));
}

size_t ctl_script_sql_byte(const struct script *s, size_t from, unsigned pos)
{
	size_t b = from;
	for (unsigned c = 1; c < pos && b < s->sql_len; c++) {
		b++;
		while (b < s->sql_len && ((unsigned char)s->sql[b] & 0xC0) == 0x80)
			b++;
	}
	return b;
}
