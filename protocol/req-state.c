/* Request builders: groups.*, history.*, workspace.*, notify.* (see
 * req.h). */
#include "protocol/req-internal.h"
#include "protocol/req.h"

json_t *tusk_req_groups_save(json_t *group)
{
	return json_pack("{s:o}", "group", group);
}

json_t *tusk_req_group_new(const char *name, long long sort_order, const char *color,
                           json_t *parent_id)
{
	json_t *g = json_pack("{s:s, s:I}", "name", name, "sort_order", (json_int_t)sort_order);
	req_str(g, "color", color);
	req_obj(g, "parent_id", parent_id);
	return g;
}

json_t *tusk_req_groups_delete(const char *id)
{
	return json_pack("{s:s}", "id", id);
}

json_t *tusk_req_history_list(const TuskReqHistoryList *a)
{
	json_t *p = json_object();
	req_str(p, "connection_id", a->connection_id);
	req_str(p, "search", a->search);
	req_str(p, "status", a->status);
	req_str(p, "stop_reason", a->stop_reason);
	req_int(p, "limit", a->limit);
	req_int(p, "offset", a->offset);
	return p;
}

json_t *tusk_req_history_delete(const char *id)
{
	return json_pack("{s:s}", "id", id);
}

json_t *tusk_req_history_clear(const char *connection_id)
{
	json_t *p = json_object();
	req_str(p, "connection_id", connection_id);
	return p;
}

json_t *tusk_req_workspace_get(const char *workspace)
{
	json_t *p = json_object();
	req_str(p, "workspace", workspace);
	return p;
}

json_t *tusk_req_workspace_save(const char *workspace, json_t *tabs, long long revision, bool force)
{
	json_t *p = json_pack("{s:o, s:I}", "tabs", tabs, "revision", (json_int_t)revision);
	req_str(p, "workspace", workspace);
	req_true(p, "force", force);
	return p;
}

json_t *tusk_req_notify_channel(const char *connection_id, const char *channel)
{
	return json_pack("{s:s, s:s}", "connection_id", connection_id, "channel", channel);
}
