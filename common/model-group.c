#include "common/model-group.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "common/cleanup.h"
#include "common/model-connection.h"
#include "common/model-json.h"

static const char *const group_keys[] = {"id", "name", "parent_id", "sort_order", "color", NULL};

TuskConnectionGroup *tusk_connection_group_new(const char *name)
{
	_cleanup_connection_group_ TuskConnectionGroup *g = calloc(1, sizeof(*g));
	if (!g || tusk_uuid_v4(g->id) < 0)
		return NULL;
	g->name = strdup(name ? name : "");
	if (!g->name)
		return NULL;
	return TAKE_PTR(g);
}

TuskConnectionGroup *tusk_connection_group_free(TuskConnectionGroup *g)
{
	if (!g)
		return NULL;
	free(g->name);
	free(g->parent_id);
	free(g->color);
	free(g);
	return NULL;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

int tusk_connection_group_validate(const TuskConnectionGroup *g, TuskError *e)
{
	if (!g)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "connection group: missing");
	if (!tusk_uuid_valid(g->id))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "id: must be a UUID");
	if (!g->name || !g->name[0])
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "name: must not be empty");
	if (strlen(g->name) > TUSK_MAX_NAME_LEN)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "name: must be at most %d bytes",
		                      TUSK_MAX_NAME_LEN);
	if (has_control(g->name))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "name: must not contain control characters");
	if (g->parent_id && !tusk_uuid_valid(g->parent_id))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "parent_id: must be a UUID");
	if (g->parent_id && strcasecmp(g->parent_id, g->id) == 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "parent_id: a group cannot be its own parent");
	if (g->color && !tusk_color_valid(g->color))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "color: must be a colour like \"#3584e4\"");
	return 0;
}

static void lowercase(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

int tusk_connection_group_from_json(const json_t *json, TuskConnectionGroup **ret, TuskError *e)
{
	if (!json_is_object(json))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "connection group: must be a JSON object");

	_cleanup_connection_group_ TuskConnectionGroup *g = tusk_connection_group_new("");
	_cleanup_free_ char *id = NULL;
	int64_t order = 0;

	if (!g)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	if (tusk_json_reject_unknown(json, NULL, group_keys, e) < 0 ||
	    tusk_json_take_string(json, NULL, "id", false, &id, e) < 0 ||
	    tusk_json_take_string(json, NULL, "name", true, &g->name, e) < 0 ||
	    tusk_json_take_string(json, NULL, "parent_id", false, &g->parent_id, e) < 0 ||
	    tusk_json_take_int(json, NULL, "sort_order", INT32_MIN, INT32_MAX, &order, NULL, e) <
	        0 ||
	    tusk_json_take_string(json, NULL, "color", false, &g->color, e) < 0)
		return -1;
	if (id) {
		if (!tusk_uuid_valid(id))
			return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "id: must be a UUID");
		memcpy(g->id, id, sizeof(g->id));
	}
	lowercase(g->id);
	lowercase(g->parent_id);
	g->sort_order = (int32_t)order;
	if (tusk_connection_group_validate(g, e) < 0)
		return -1;
	*ret = TAKE_PTR(g);
	return 0;
}

json_t *tusk_connection_group_to_json(const TuskConnectionGroup *g)
{
	if (!g)
		return NULL;
	_cleanup_json_ json_t *o =
	    json_pack("{s:s, s:i}", "id", g->id, "sort_order", (int)g->sort_order);
	if (!o || tusk_json_set_string_or_null(o, "name", g->name) < 0 ||
	    tusk_json_set_string_or_null(o, "parent_id", g->parent_id) < 0 ||
	    tusk_json_set_string_or_null(o, "color", g->color) < 0)
		return NULL;
	return TAKE_PTR(o);
}

static ssize_t find_group(TuskConnectionGroup *const *groups, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(groups[i]->id, id) == 0)
			return (ssize_t)i;
	return -1;
}

int tusk_connection_groups_check_tree(TuskConnectionGroup *const *groups, size_t n, TuskError *e)
{
	for (size_t i = 0; i < n; i++) {
		const TuskConnectionGroup *g = groups[i];
		/* Walking up more than n parents means we went round a loop. */
		size_t steps = 0;
		for (const char *p = g->parent_id; p; steps++) {
			ssize_t k = find_group(groups, n, p);
			if (k < 0)
				return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
				                      "parent_id: group '%s' names a parent %s "
				                      "that does not exist",
				                      g->name, p);
			if (steps >= n || k == (ssize_t)i)
				return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
				                      "parent_id: the parents of group '%s' "
				                      "form a loop",
				                      g->name);
			p = groups[k]->parent_id;
		}
	}
	return 0;
}
