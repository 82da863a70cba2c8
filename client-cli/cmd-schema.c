/* schema [-d NAME] [PATTERN] [--kind K] [--schema S] [--refresh] [--system] [--format F]
 * describe -d NAME OBJECT [--json | --format json] [--ddl]
 * complete -d NAME PREFIX [--context SQL] [--json]
 * The daemon's shared schema cache (schema.get / describe / complete). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client-cli/tuskctl.h"
#include "common/cleanup.h"

extern char **environ;

struct schema_args {
	const char *target;
	const char *kind;
	const char *schema;
	const char *context;
	bool refresh, system, ddl;
};

static int parse(struct ctl *ctl, int argc, char **argv, struct schema_args *a, const char *usage)
{
	enum {
		OPT_KIND = 256,
		OPT_REFRESH,
		OPT_SYSTEM,
		OPT_JSON,
		OPT_FORMAT,
		OPT_CONTEXT,
		OPT_DDL,
		OPT_SCHEMA
	};
	static const struct option longopts[] = {
	    {"dbname", required_argument, NULL, 'd'},
	    {"kind", required_argument, NULL, OPT_KIND},
	    {"refresh", no_argument, NULL, OPT_REFRESH},
	    {"system", no_argument, NULL, OPT_SYSTEM},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"context", required_argument, NULL, OPT_CONTEXT},
	    {"ddl", no_argument, NULL, OPT_DDL},
	    {"schema", required_argument, NULL, OPT_SCHEMA},
	    {0},
	};
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "d:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			a->target = optarg;
			break;
		case OPT_KIND:
			a->kind = optarg;
			break;
		case OPT_REFRESH:
			a->refresh = true;
			break;
		case OPT_SYSTEM:
			a->system = true;
			break;
		case OPT_JSON:
			ctl->json = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				ctl->json = true;
			else if (strcmp(optarg, "text") != 0)
				return ctl_usage_error("--format takes text or json, not '%s'",
				                       optarg);
			break;
		case OPT_CONTEXT:
			a->context = optarg;
			break;
		case OPT_DDL:
			a->ddl = true;
			break;
		case OPT_SCHEMA:
			a->schema = optarg;
			break;
		default:
			return ctl_usage_error("%s", usage);
		}
	}
	if (!a->target)
		a->target = getenv("TUSK_DATABASE");
	if (!a->target)
		return ctl_usage_error("%s\n(-d NAME, or TUSK_DATABASE, names the connection)",
		                       usage);
	return EXIT_OK;
}

/* The connection_id for the target: a saved id or name as it is; a URI or
 * conninfo is opened as a transient connection with this process's PG*
 * environment. */
static int target_id(struct ctl *ctl, const char *target, char **ret)
{
	if (!strstr(target, "://") && !strchr(target, '=')) {
		*ret = strdup(target);
		return EXIT_OK;
	}
	json_t *env = json_object();
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		if (strncmp(*e, "PG", 2) != 0 || !eq)
			continue;
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *e), *e);
		json_object_set_new(env, name, json_string(eq + 1));
	}
	json_t *st = NULL;
	int r =
	    ctl_call(ctl, TUSK_M_CONNECTION_OPEN, tusk_req_connection_conninfo(target, env), &st);
	if (r != EXIT_OK)
		return r;
	*ret = strdup(json_string_value(json_object_get(st, "connection_id")));
	json_decref(st);
	return EXIT_OK;
}

static const char *sv(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void list_member(const json_t *node, const char *member, const char *kind)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(node, member), i, o)
	{
		const char *k = json_object_get(o, "kind") ? sv(o, "kind") : kind;
		if (json_object_get(o, "arguments"))
			printf("%-18s %s.%s(%s)\n", k, sv(node, "name"), sv(o, "name"),
			       sv(o, "arguments"));
		else
			printf("%-18s %s.%s\n", k, sv(node, "name"), sv(o, "name"));
	}
}

static void print_page(const json_t *page, const char *kind, bool schemas, char **last)
{
	size_t i;
	json_t *node;
	json_array_foreach(json_object_get(page, "schemas"), i, node)
	{
		/* A schema split across pages is named once. */
		if (schemas && (!*last || strcmp(*last, sv(node, "name")) != 0))
			printf("%-18s %s\n", "schema", sv(node, "name"));
		free(*last);
		*last = strdup(sv(node, "name"));
		list_member(node, "relations", NULL);
		list_member(node, "functions", NULL);
		list_member(node, "sequences", "sequence");
		list_member(node, "types", NULL);
	}
	static const char *const globals[][2] = {{"extensions", "extension"}, {"roles", "role"}};
	for (size_t g = 0; g < 2; g++) {
		/* Extensions and roles are listed when asked for by kind. */
		if (!kind || strcmp(kind, globals[g][1]) != 0)
			continue;
		json_t *o;
		json_array_foreach(json_object_get(page, globals[g][0]), i, o)
		    printf("%-18s %s\n", globals[g][1], sv(o, "name"));
	}
}

/* Add a later page to the first: a schema continued from the previous
 * page gets the rest of its objects. */
static void merge_page(json_t *tree, json_t *page)
{
	json_t *all = json_object_get(tree, "schemas");
	size_t i;
	json_t *node;
	json_array_foreach(json_object_get(page, "schemas"), i, node)
	{
		json_t *last = json_array_get(all, json_array_size(all) - 1);
		if (!last || strcmp(sv(last, "name"), sv(node, "name")) != 0) {
			json_array_append(all, node);
			continue;
		}
		const char *key;
		json_t *v;
		json_object_foreach(node, key, v)
		{
			json_t *mine = json_object_get(last, key);
			if (json_is_array(v) && json_is_array(mine))
				json_array_extend(mine, v);
			else if (json_is_array(v))
				json_object_set(last, key, v);
		}
	}
}

int cmd_schema(struct ctl *ctl, int argc, char **argv)
{
	static const char usage[] = "usage: tuskctl schema [-d NAME] [PATTERN] [--kind K] "
	                            "[--schema S] [--refresh] [--system] [--format text|json]";
	struct schema_args a = {0};
	int r = parse(ctl, argc, argv, &a, usage);
	if (r != EXIT_OK)
		return r;
	const char *pattern = optind < argc ? argv[optind] : NULL;
	if (optind + 1 < argc)
		return ctl_usage_error("%s", usage);
	char *id = NULL;
	if ((r = target_id(ctl, a.target, &id)) != EXIT_OK)
		return r;
	if (a.refresh) {
		json_t *fresh = NULL;
		r = ctl_call(ctl, TUSK_M_SCHEMA_REFRESH, tusk_req_schema_refresh(id, a.schema),
		             &fresh);
		json_decref(fresh);
		if (r != EXIT_OK) {
			free(id);
			return r;
		}
	}
	/* The daemon filters and pages; pages are printed as they come (or
	 * merged into one tree for --format json). */
	json_t *tree = NULL;
	char *last = NULL;
	long long offset = 0;
	do {
		json_t *params = tusk_req_schema_get(&(TuskReqSchemaGet){.connection_id = id,
		                                                         .schema = a.schema,
		                                                         .kind = a.kind,
		                                                         .pattern = pattern,
		                                                         .include_system = a.system,
		                                                         .offset = offset});
		json_t *page = NULL;
		if ((r = ctl_call(ctl, TUSK_M_SCHEMA_GET, params, &page)) != EXIT_OK)
			break;
		json_t *next = json_object_get(page, "next_offset");
		offset = json_is_integer(next) ? json_integer_value(next) : 0;
		if (!ctl->json) {
			print_page(page, a.kind,
			           !pattern && (!a.kind || strcmp(a.kind, "schema") == 0), &last);
			json_decref(page);
		} else if (!tree) {
			tree = page;
		} else {
			merge_page(tree, page);
			json_decref(page);
		}
	} while (offset > 0);
	free(id);
	free(last);
	if (r == EXIT_OK && tree) {
		json_object_del(tree, "next_offset");
		ctl_print_json(tree);
	}
	json_decref(tree);
	return r;
}

/* describe and complete: options, one argument, and the connection it
 * is asked about; *ret_params is {connection_id, <key>: argument}. */
static int one_argument(struct ctl *ctl, int argc, char **argv, const char *usage,
                        struct schema_args *a, char **ret_id)
{
	int r = parse(ctl, argc, argv, a, usage);
	if (r != EXIT_OK)
		return r;
	if (optind + 1 != argc)
		return ctl_usage_error("%s", usage);
	return target_id(ctl, a->target, ret_id);
}

int cmd_describe(struct ctl *ctl, int argc, char **argv)
{
	static const char usage[] =
	    "usage: tuskctl describe -d NAME OBJECT [--kind K] [--ddl] [--json|--format json]";
	struct schema_args a = {0};
	_cleanup_free_ char *id = NULL;
	int r = one_argument(ctl, argc, argv, usage, &a, &id);
	if (r != EXIT_OK)
		return r;
	json_t *params = tusk_req_schema_describe(id, argv[optind], a.kind);
	json_t *d = NULL;
	if ((r = ctl_call(ctl, TUSK_M_SCHEMA_DESCRIBE, params, &d)) != EXIT_OK)
		return r;
	const char *kind = sv(d, "kind");
	if (ctl->json)
		ctl_print_json(d);
	else if (a.ddl || !json_object_get(json_object_get(d, "object"), "columns") ||
	         strcmp(kind, "function") == 0)
		printf("%s\n", sv(d, "ddl"));
	else
		ctl_describe_print(stdout, d);
	json_decref(d);
	return EXIT_OK;
}

int cmd_complete(struct ctl *ctl, int argc, char **argv)
{
	static const char usage[] =
	    "usage: tuskctl complete -d NAME PREFIX [--context SQL] [--json]";
	struct schema_args a = {0};
	_cleanup_free_ char *id = NULL;
	int r = one_argument(ctl, argc, argv, usage, &a, &id);
	if (r != EXIT_OK)
		return r;
	json_t *params = tusk_req_schema_complete(id, argv[optind], a.context, -1, 0);
	json_t *res = NULL;
	if ((r = ctl_call(ctl, TUSK_M_SCHEMA_COMPLETE, params, &res)) != EXIT_OK)
		return r;
	if (ctl->json) {
		ctl_print_json(res);
	} else {
		size_t i;
		json_t *c;
		json_array_foreach(json_object_get(res, "candidates"), i, c)
		    printf("%s\t%s\t%s\n", sv(c, "text"), sv(c, "kind"), sv(c, "detail"));
	}
	json_decref(res);
	return EXIT_OK;
}
