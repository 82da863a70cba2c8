/* names connections|groups: saved names one per line, for the shell
 * completion scripts (completion/tuskctl.bash, completion/_tuskctl). Never
 * starts a daemon: completion must not have side effects. */
#include <stdio.h>
#include <string.h>

#include "client-cli/tuskctl.h"

int cmd_names(struct ctl *ctl, int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "connections") != 0 && strcmp(argv[1], "groups") != 0))
		return ctl_usage_error("usage: tuskctl names connections|groups");
	bool conns = argv[1][0] == 'c';
	ctl->autostart = false;
	json_t *res = NULL;
	int r = ctl_call(ctl, conns ? TUSK_M_CONNECTIONS_LIST : TUSK_M_GROUPS_LIST, NULL, &res);
	if (r != EXIT_OK)
		return r;
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(res, conns ? "connections" : "groups"), i, o)
	{
		const char *name = json_string_value(json_object_get(o, "name"));
		if (name)
			puts(name);
	}
	json_decref(res);
	return EXIT_OK;
}
