/* group list | add NAME [--parent P] [--color C] [--sort N] | rm NAME */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client-cli/cmd-group.h"
#include "common/cleanup.h"

int ctl_groups_fetch(struct ctl *ctl, json_t **ret)
{
	json_t *result = NULL;
	int r = ctl_call(ctl, TUSK_M_GROUPS_LIST, NULL, &result);
	if (r != EXIT_OK)
		return r;
	*ret = json_incref(json_object_get(result, "groups"));
	json_decref(result);
	return EXIT_OK;
}

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const json_t *by_id(const json_t *groups, const char *id)
{
	size_t i;
	json_t *g;
	json_array_foreach(groups, i, g)
	{
		if (id && strcasecmp(str(g, "id"), id) == 0)
			return g;
	}
	return NULL;
}

const json_t *ctl_group_find(const json_t *groups, const char *text)
{
	const json_t *found = by_id(groups, text);
	size_t i, n = 0;
	json_t *g;
	if (found)
		return found;
	json_array_foreach(groups, i, g)
	{
		if (strcmp(str(g, "name"), text) == 0) {
			found = g;
			n++;
		}
	}
	if (n == 1)
		return found;
	if (n == 0)
		fprintf(stderr, "tuskctl: no group named '%s'\n", text);
	else
		fprintf(stderr,
		        "tuskctl: %zu groups are named '%s'; give the id ('tuskctl -j group "
		        "list' shows them)\n",
		        n, text);
	return NULL;
}

int ctl_group_ensure(struct ctl *ctl, const char *text, json_t **ret_id)
{
	_cleanup_json_ json_t *groups = NULL;
	int r = ctl_groups_fetch(ctl, &groups);
	if (r != EXIT_OK)
		return r;
	size_t i, n = 0;
	json_t *g;
	json_array_foreach(groups, i, g) n += strcmp(str(g, "name"), text) == 0;
	if (n > 0 || by_id(groups, text)) {
		const json_t *found = ctl_group_find(groups, text);
		if (!found)
			return EXIT_DAEMON_ERROR;
		*ret_id = json_incref(json_object_get(found, "id"));
		return EXIT_OK;
	}
	json_t *result = NULL;
	r = ctl_call(ctl, TUSK_M_GROUPS_SAVE,
	             tusk_req_groups_save(tusk_req_group_new(text, 0, NULL, NULL)), &result);
	if (r != EXIT_OK)
		return r;
	fprintf(stderr, "tuskctl: created group '%s'\n", text);
	*ret_id = json_incref(json_object_get(result, "id"));
	json_decref(result);
	return EXIT_OK;
}

char *ctl_group_path(const json_t *groups, const char *id)
{
	char *path = NULL;
	size_t depth = 0;
	for (const json_t *g = by_id(groups, id); g && depth <= json_array_size(groups);
	     g = by_id(groups, str(g, "parent_id")), depth++) {
		char *next = NULL;
		if (asprintf(&next, "%s%s%s", str(g, "name"), path ? "/" : "", path ? path : "") <
		    0) {
			free(path);
			return NULL;
		}
		free(path);
		path = next;
	}
	return path ? path : strdup(id ? id : "");
}

static size_t count_in(const json_t *connections, const char *group_id)
{
	size_t i, n = 0;
	json_t *c;
	json_array_foreach(connections, i, c)
	{
		const char *g = str(c, "group_id");
		n += g && strcasecmp(g, group_id) == 0;
	}
	return n;
}

static void print_tree(const json_t *groups, const json_t *connections, const char *parent,
                       int depth)
{
	size_t i;
	json_t *g;
	/* groups.list is already in sort_order, name order. */
	json_array_foreach(groups, i, g)
	{
		const char *p = str(g, "parent_id");
		if (parent ? !p || strcasecmp(p, parent) != 0 : p != NULL)
			continue;
		if (depth > 32)
			return;
		size_t n = count_in(connections, str(g, "id"));
		int width = 30 - 2 * depth;
		printf("%*s%-*s %-8s %zu connection%s\n", 2 * depth, "", width > 1 ? width : 1,
		       str(g, "name"), str(g, "color") ? str(g, "color") : "", n,
		       n == 1 ? "" : "s");
		print_tree(groups, connections, str(g, "id"), depth + 1);
	}
}

static int group_list(struct ctl *ctl)
{
	_cleanup_json_ json_t *groups = NULL;
	json_t *conns = NULL;
	int r = ctl_groups_fetch(ctl, &groups);
	if (r != EXIT_OK)
		return r;
	if (ctl->json) {
		ctl_print_json(groups);
		return EXIT_OK;
	}
	r = ctl_call(ctl, TUSK_M_CONNECTIONS_LIST, NULL, &conns);
	if (r != EXIT_OK)
		return r;
	if (json_array_size(groups) == 0)
		fprintf(stderr, "no groups (tuskctl group add NAME makes one)\n");
	print_tree(groups, json_object_get(conns, "connections"), NULL, 0);
	json_decref(conns);
	return EXIT_OK;
}

static int group_add(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"parent", required_argument, NULL, 'p'},
	    {"color", required_argument, NULL, 'c'},
	    {"sort", required_argument, NULL, 's'},
	    {0},
	};
	const char *parent = NULL, *color = NULL;
	long long sort = 0;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "p:c:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			parent = optarg;
			break;
		case 'c':
			color = optarg;
			break;
		case 's': {
			char *end;
			errno = 0;
			sort = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end)
				return ctl_usage_error("--sort takes a whole number, not '%s'",
				                       optarg);
			break;
		}
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return ctl_usage_error("usage: tuskctl group add NAME [--parent P] [--color C] "
		                       "[--sort N]");

	json_t *parent_id = NULL;
	if (parent) {
		_cleanup_json_ json_t *groups = NULL;
		int r = ctl_groups_fetch(ctl, &groups);
		const json_t *p = r == EXIT_OK ? ctl_group_find(groups, parent) : NULL;
		if (!p)
			return r == EXIT_OK ? EXIT_DAEMON_ERROR : r;
		parent_id = json_incref(json_object_get(p, "id"));
	}
	json_t *group = tusk_req_group_new(argv[optind], sort, color, parent_id);
	json_t *result = NULL;
	int r = ctl_call(ctl, TUSK_M_GROUPS_SAVE, tusk_req_groups_save(group), &result);
	if (r != EXIT_OK)
		return r;
	if (ctl->json)
		ctl_print_json(result);
	else
		printf("added group '%s'\n", str(result, "name"));
	json_decref(result);
	return EXIT_OK;
}

static int group_rm(struct ctl *ctl, const char *name)
{
	json_t *result = NULL;
	int r = ctl_call(ctl, TUSK_M_GROUPS_DELETE, tusk_req_groups_delete(name), &result);
	if (r != EXIT_OK)
		return r;
	if (ctl->json) {
		ctl_print_json(result);
	} else {
		json_int_t groups = json_integer_value(json_object_get(result, "groups"));
		json_int_t moved =
		    json_integer_value(json_object_get(result, "connections_ungrouped"));
		printf("deleted group '%s'", name);
		if (groups > 1)
			printf(" and %" JSON_INTEGER_FORMAT " group%s below it", groups - 1,
			       groups == 2 ? "" : "s");
		if (moved > 0)
			printf("; %" JSON_INTEGER_FORMAT " connection%s now in no group", moved,
			       moved == 1 ? "" : "s");
		putchar('\n');
	}
	json_decref(result);
	return EXIT_OK;
}

int cmd_group(struct ctl *ctl, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	if (strcmp(sub, "list") == 0 && argc <= 2)
		return group_list(ctl);
	if (strcmp(sub, "add") == 0)
		return group_add(ctl, argc - 1, argv + 1);
	if (strcmp(sub, "rm") == 0 && argc == 3)
		return group_rm(ctl, argv[2]);
	return ctl_usage_error("usage: tuskctl group list | add NAME [--parent P] [--color C] "
	                       "[--sort N] | rm NAME");
}
