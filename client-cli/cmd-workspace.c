/* workspace [show] [-w NAME] [--sql] | save [-w NAME] [--revision N] [--force] < TABS.json */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client-cli/tuskctl.h"
#include "common/cleanup.h"

static const char *str(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : dflt;
}

static void print_workspace(const json_t *w, bool with_sql)
{
	printf("workspace %s, revision %lld, saved %s\n", str(w, "workspace", "?"),
	       json_integer_value(json_object_get(w, "revision")), str(w, "saved_at", "never"));
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(w, "tabs"), i, t)
	{
		const char *sql = str(t, "sql", "");
		printf("%3lld  %-36s  %s  (%zu bytes%s%s%s%s)\n",
		       json_integer_value(json_object_get(t, "order")), str(t, "id", "?"),
		       str(t, "title", ""), strlen(sql),
		       json_is_string(json_object_get(t, "context")) ? ", context " : "",
		       str(t, "context", ""),
		       json_is_string(json_object_get(t, "connection_id")) ? ", connection " : "",
		       str(t, "connection_id", ""));
		if (with_sql)
			printf("%s\n", sql);
	}
}

/* stdin: a JSON array of tabs, or an object with "tabs" (and "revision"). */
static json_t *read_tabs(long long *revision, bool have_revision)
{
	json_error_t jerr;
	json_t *in = json_loadf(stdin, JSON_ALLOW_NUL, &jerr);
	if (!in) {
		ctl_usage_error("stdin is not JSON: %s (line %d)", jerr.text, jerr.line);
		return NULL;
	}
	if (json_is_array(in))
		return in;
	json_t *tabs = json_incref(json_object_get(in, "tabs"));
	if (!have_revision && json_is_integer(json_object_get(in, "revision")))
		*revision = json_integer_value(json_object_get(in, "revision"));
	json_decref(in);
	if (!json_is_array(tabs)) {
		json_decref(tabs);
		ctl_usage_error("stdin must hold an array of tabs or an object with \"tabs\"");
		return NULL;
	}
	return tabs;
}

int cmd_workspace(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"workspace", required_argument, NULL, 'w'},
	    {"revision", required_argument, NULL, 'r'},
	    {"force", no_argument, NULL, 'f'},
	    {"sql", no_argument, NULL, 's'},
	    {0},
	};
	const char *name = NULL;
	long long revision = 0;
	bool have_revision = false, force = false, with_sql = false;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "w:r:fs", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			name = optarg;
			break;
		case 'r': {
			char *end;
			errno = 0;
			revision = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end || revision < 0)
				return ctl_usage_error("--revision takes a whole number, not '%s'",
				                       optarg);
			have_revision = true;
			break;
		}
		case 'f':
			force = true;
			break;
		case 's':
			with_sql = true;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	const char *sub = optind < argc ? argv[optind] : "show";
	if (optind < argc - 1 || (strcmp(sub, "show") != 0 && strcmp(sub, "save") != 0))
		return ctl_usage_error("usage: tuskctl workspace [show] [-w NAME] [--sql] | save "
		                       "[-w NAME] [--revision N] [--force] < TABS.json");

	json_t *params = NULL;
	const char *method = TUSK_M_WORKSPACE_GET;
	if (strcmp(sub, "save") == 0) {
		json_t *tabs = read_tabs(&revision, have_revision);
		if (!tabs)
			return EXIT_USAGE;
		params = tusk_req_workspace_save(name, tabs, revision, force);
		method = TUSK_M_WORKSPACE_SAVE;
	} else {
		params = tusk_req_workspace_get(name);
	}
	_cleanup_json_ json_t *result = NULL;
	int r = ctl_call(ctl, method, params, &result);
	if (r != EXIT_OK)
		return r;
	if (ctl->json)
		ctl_print_json(result);
	else if (strcmp(method, TUSK_M_WORKSPACE_GET) == 0)
		print_workspace(result, with_sql);
	else
		printf("saved workspace %s: revision %lld, %lld tabs, %lld bytes\n",
		       str(result, "workspace", "?"),
		       json_integer_value(json_object_get(result, "revision")),
		       json_integer_value(json_object_get(result, "tabs")),
		       json_integer_value(json_object_get(result, "bytes")));
	return EXIT_OK;
}
