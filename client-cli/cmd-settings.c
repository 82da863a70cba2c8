/* settings list | get KEY | set KEY VALUE | reset KEY */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client-cli/tuskctl.h"

static void print_value(const json_t *v)
{
	if (json_is_string(v))
		fputs(json_string_value(v), stdout);
	else {
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		fputs(s ? s : "?", stdout);
		free(s);
	}
}

static void print_setting(const json_t *s, bool verbose)
{
	const char *key = json_string_value(json_object_get(s, "key"));
	json_t *value = json_object_get(s, "value");
	json_t *def = json_object_get(s, "default");
	if (!verbose) {
		printf("%-34s ", key ? key : "?");
		print_value(value);
		if (!json_equal(value, def)) {
			fputs("  (default ", stdout);
			print_value(def);
			fputs(")", stdout);
		}
		putchar('\n');
		return;
	}
	printf("%s = ", key ? key : "?");
	print_value(value);
	printf("\n  type: %s, default: ", json_string_value(json_object_get(s, "type")));
	print_value(def);
	if (json_object_get(s, "min"))
		printf(", range %lld..%lld", json_integer_value(json_object_get(s, "min")),
		       json_integer_value(json_object_get(s, "max")));
	json_t *choices = json_object_get(s, "choices");
	if (json_array_size(choices) > 0) {
		size_t i;
		json_t *c;
		fputs(", one of", stdout);
		json_array_foreach(choices, i, c) printf(" %s", json_string_value(c));
	}
	const char *desc = json_string_value(json_object_get(s, "description"));
	if (desc)
		printf("\n  %s", desc);
	putchar('\n');
}

/* Turn the command-line text into the JSON type the setting takes. */
int ctl_parse_bool(const char *text)
{
	static const char *const yes[] = {"true", "on", "yes", "1"};
	static const char *const no[] = {"false", "off", "no", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(text, yes[i]) == 0)
			return 1;
		if (strcasecmp(text, no[i]) == 0)
			return 0;
	}
	return -1;
}

static json_t *parse_value(const char *type, const char *text, const char *key)
{
	if (strcmp(type, "int") == 0) {
		char *end;
		errno = 0;
		long long v = strtoll(text, &end, 10);
		if (errno || end == text || *end) {
			ctl_usage_error("%s takes a whole number, not '%s'", key, text);
			return NULL;
		}
		return json_integer(v);
	}
	if (strcmp(type, "bool") == 0) {
		int b = ctl_parse_bool(text);
		if (b >= 0)
			return json_boolean(b);
		ctl_usage_error("%s takes true or false, not '%s'", key, text);
		return NULL;
	}
	return json_string(text);
}

static int settings_set_cmd(struct ctl *ctl, const char *key, const char *text)
{
	json_t *cur = NULL, *result = NULL;
	int r = ctl_call(ctl, TUSK_M_SETTINGS_GET, tusk_req_settings_key(key), &cur);
	if (r != EXIT_OK)
		return r;
	json_t *value = parse_value(json_string_value(json_object_get(cur, "type")), text, key);
	json_decref(cur);
	if (!value)
		return EXIT_USAGE;
	r = ctl_call(ctl, TUSK_M_SETTINGS_SET, tusk_req_settings_set(key, value), &result);
	if (r != EXIT_OK)
		return r;
	if (ctl->json)
		ctl_print_json(result);
	else
		print_setting(result, false);
	json_decref(result);
	return EXIT_OK;
}

int cmd_settings(struct ctl *ctl, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	json_t *result = NULL;
	int r;

	if (strcmp(sub, "list") == 0 && argc <= 2) {
		r = ctl_call(ctl, TUSK_M_SETTINGS_LIST, NULL, &result);
		if (r != EXIT_OK)
			return r;
		if (ctl->json) {
			ctl_print_json(result);
		} else {
			size_t i;
			json_t *s;
			json_array_foreach(json_object_get(result, "settings"), i, s)
			    print_setting(s, false);
		}
	} else if ((strcmp(sub, "get") == 0 || strcmp(sub, "reset") == 0) && argc == 3) {
		const char *method = sub[0] == 'g' ? TUSK_M_SETTINGS_GET : TUSK_M_SETTINGS_RESET;
		r = ctl_call(ctl, method, tusk_req_settings_key(argv[2]), &result);
		if (r != EXIT_OK)
			return r;
		if (ctl->json)
			ctl_print_json(result);
		else
			print_setting(result, sub[0] == 'g');
	} else if (strcmp(sub, "set") == 0 && argc == 4) {
		return settings_set_cmd(ctl, argv[2], argv[3]);
	} else {
		return ctl_usage_error("usage: tuskctl settings list | get KEY | set KEY VALUE | "
		                       "reset KEY");
	}
	json_decref(result);
	return EXIT_OK;
}
