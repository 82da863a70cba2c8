/* settings.get, settings.set, settings.list, settings.reset */
#include "daemon/rpc.h"
#include "daemon/rpc/changes.h"
#include "daemon/storage/settings.h"
#include "daemon/tuskd.h"
#include "protocol/jsonrpc.h"

/* The protocol's setting object carries its own key. */
static json_t *describe(const char *key, TuskError *e)
{
	json_t *d = settings_get_json(tuskd.settings, key, e);
	if (d && !json_object_get(d, "key"))
		json_object_set_new(d, "key", json_string(key));
	return d;
}

enum rpc_ret method_settings_get(struct rpc_request *req, TuskError *e)
{
	const char *key;
	if (tusk_param_string(req->params, "key", true, &key, e) < 0)
		return RPC_ERROR;
	req->result = describe(key, e);
	return req->result ? RPC_OK : RPC_ERROR;
}

enum rpc_ret method_settings_set(struct rpc_request *req, TuskError *e)
{
	const char *key;
	json_t *value;
	if (tusk_param_string(req->params, "key", true, &key, e) < 0 ||
	    tusk_param_value(req->params, "value", true, &value, e) < 0)
		return RPC_ERROR;
	if (settings_set(tuskd.settings, key, value, e) < 0)
		return RPC_ERROR;
	changes_setting(req->client, key);
	req->result = describe(key, e);
	return req->result ? RPC_OK : RPC_ERROR;
}

enum rpc_ret method_settings_reset(struct rpc_request *req, TuskError *e)
{
	const char *key;
	if (tusk_param_string(req->params, "key", true, &key, e) < 0)
		return RPC_ERROR;
	if (settings_reset(tuskd.settings, key, e) < 0)
		return RPC_ERROR;
	changes_setting(req->client, key);
	req->result = describe(key, e);
	return req->result ? RPC_OK : RPC_ERROR;
}

enum rpc_ret method_settings_list(struct rpc_request *req, TuskError *e)
{
	size_t n;
	const SettingDef *defs = settings_registry(&n);
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *d = describe(defs[i].key, e);
		if (!d) {
			json_decref(list);
			return RPC_ERROR;
		}
		json_array_append_new(list, d);
	}
	req->result = json_pack("{s:o}", "settings", list);
	return RPC_OK;
}
