/* Tab completion in the shell: meta-commands at the start of a line, file
 * names after \i and \o, saved connection names after \c, relations after
 * \d…, and otherwise the daemon's schema.complete with the statement typed
 * so far as context and the cursor's place in it (so after FROM come
 * relations, after SELECT columns of the statement's tables, …). */
#include <editline/readline.h>
#include <stdlib.h>
#include <string.h>

#include "client-cli/shell.h"

static struct shell *current;
static json_t *matches; /* candidates of the current completion */

static char *next_match(const char *text, int state)
{
	static size_t i;
	(void)text;
	if (state == 0)
		i = 0;
	while (i < json_array_size(matches)) {
		const char *s = json_string_value(json_array_get(matches, i++));
		if (s)
			return strdup(s);
	}
	return NULL;
}

static char **from(const char *text, json_t *list)
{
	json_decref(matches);
	matches = list;
	rl_attempted_completion_over = 1;
	if (json_array_size(list) == 0)
		return NULL;
	return rl_completion_matches(text, next_match);
}

static json_t *meta_names(const char *text)
{
	json_t *out = json_array();
	for (size_t i = 0; shell_meta_names[i]; i++)
		if (strncmp(shell_meta_names[i], text, strlen(text)) == 0)
			json_array_append_new(out, json_string(shell_meta_names[i]));
	return out;
}

static json_t *connection_names(const char *text)
{
	json_t *out = json_array(), *res = NULL;
	TuskError e = TUSK_ERROR_INIT;
	if (tusk_client_call(current->ctl->client, TUSK_M_CONNECTIONS_LIST, NULL, &res, NULL, NULL,
	                     current->ctl->timeout_ms, &e) < 0) {
		tusk_error_clear(&e);
		return out;
	}
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(res, "connections"), i, c)
	{
		const char *name = json_string_value(json_object_get(c, "name"));
		if (name && strncmp(name, text, strlen(text)) == 0)
			json_array_append_new(out, json_string(name));
	}
	json_decref(res);
	return out;
}

static json_t *schema_candidates(const char *text, const char *context, size_t cursor)
{
	json_t *out = json_array(), *res = NULL;
	const char *id = current->conn_id ? current->conn_id : current->target;
	json_t *params = tusk_req_schema_complete(id ? id : "", text, context, cursor, 200);
	TuskError e = TUSK_ERROR_INIT;
	if (tusk_client_call(current->ctl->client, TUSK_M_SCHEMA_COMPLETE, params, &res, NULL, NULL,
	                     current->ctl->timeout_ms, &e) < 0) {
		tusk_error_clear(&e);
		return out;
	}
	size_t i;
	json_t *c;
	/* Keywords in the case the user types them in. */
	bool lower = text[0] >= 'a' && text[0] <= 'z';
	json_array_foreach(json_object_get(res, "candidates"), i, c)
	{
		const char *t = json_string_value(json_object_get(c, "text"));
		const char *kind = json_string_value(json_object_get(c, "kind"));
		if (!t)
			continue;
		char *s = strdup(t);
		if (s && lower && kind && strcmp(kind, "keyword") == 0)
			for (char *p = s; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		if (s)
			json_array_append_new(out, json_string(s));
		free(s);
	}
	json_decref(res);
	return out;
}

static char **complete(const char *text, int start, int end)
{
	(void)end;
	const char *line = rl_line_buffer;
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\\') {
		if (line + start <= p)
			return from(text, meta_names(text));
		if (strncmp(p, "\\i ", 3) == 0 || strncmp(p, "\\o ", 3) == 0) {
			/* libedit's own file name completion. */
			rl_attempted_completion_over = 0;
			return rl_completion_matches(text, rl_filename_completion_function);
		}
		if (strncmp(p, "\\c ", 3) == 0 || strncmp(p, "\\connect ", 9) == 0)
			return from(text, connection_names(text));
		if (strncmp(p, "\\d", 2) == 0)
			return from(text, schema_candidates(text, "select * from ", 14));
		return from(text, json_array());
	}
	/* The statement so far: the buffer's earlier lines and this one. */
	size_t blen = current->len;
	size_t llen = strlen(line);
	char *context = malloc(blen + llen + 1);
	if (!context)
		return NULL;
	memcpy(context, current->buf ? current->buf : "", blen);
	memcpy(context + blen, line, llen + 1);
	char **r = from(text, schema_candidates(text, context, blen + (size_t)start));
	free(context);
	return r;
}

static char word_breaks[] = " \t\n\"'`@$><=;|&{(,)";

void shell_complete_init(struct shell *sh)
{
	current = sh;
	rl_attempted_completion_function = complete;
	/* A qualified name ("o.total", "public.ord") is one word. */
	rl_completer_word_break_characters = word_breaks;
	rl_basic_word_break_characters = word_breaks;
}
