/* groups.list, groups.save, groups.delete: connection groups in tusk.db,
 * small writes done on the loop. */
#include <stddef.h>

#include "common/cleanup.h"
#include "daemon/rpc.h"
#include "daemon/rpc/changes.h"
#include "daemon/storage/groups.h"
#include "daemon/tuskd.h"
#include "protocol/jsonrpc.h"

enum rpc_ret method_groups_list(struct rpc_request *req, TuskError *e)
{
	_cleanup_(group_list_freep) GroupList *l = NULL;
	if (groups_list(tuskd.storage, &l, NULL, e) < 0)
		return RPC_ERROR;
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < l->n; i++)
		if (json_array_append_new(arr, tusk_connection_group_to_json(l->items[i])) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	req->result = arr ? json_pack("{s:o}", "groups", arr) : NULL;
	if (!req->result)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory"), RPC_ERROR;
	return RPC_OK;
}

enum rpc_ret method_groups_save(struct rpc_request *req, TuskError *e)
{
	_cleanup_connection_group_ TuskConnectionGroup *g = NULL;
	json_t *obj;
	bool created = false;
	if (tusk_param_value(req->params, "group", true, &obj, e) < 0 ||
	    tusk_connection_group_from_json(obj, &g, e) < 0 ||
	    groups_save(tuskd.storage, g, &created, e) < 0)
		return RPC_ERROR;
	changes_group(req->client, created ? "created" : "updated", g->id, g->name);
	req->result = tusk_connection_group_to_json(g);
	if (!req->result)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory"), RPC_ERROR;
	return RPC_OK;
}

enum rpc_ret method_groups_delete(struct rpc_request *req, TuskError *e)
{
	_cleanup_connection_group_ TuskConnectionGroup *g = NULL;
	GroupDeleteStats stats;
	const char *id;
	if (tusk_param_string(req->params, "id", true, &id, e) < 0 ||
	    groups_find(tuskd.storage, id, &g, e) < 0 ||
	    groups_delete(tuskd.storage, g->id, &stats, e) < 0)
		return RPC_ERROR;
	changes_group(req->client, "deleted", g->id, g->name);
	req->result = json_pack("{s:b, s:I, s:I}", "deleted", 1, "groups", (json_int_t)stats.groups,
	                        "connections_ungrouped", (json_int_t)stats.connections);
	if (!req->result)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory"), RPC_ERROR;
	return RPC_OK;
}
