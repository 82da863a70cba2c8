/* connections.changed, groups.changed, settings.changed (topic config). */
#include "daemon/rpc/changes.h"

#include <jansson.h>

#include "daemon/server.h"
#include "daemon/storage/settings.h"
#include "daemon/tuskd.h"
#include "protocol/tusk-names.h"

static void emit_change(const char *method, struct client *by, const char *change, const char *id,
                        const char *name)
{
	if (!tuskd.server || !server_has_subscribers(tuskd.server, TOPIC_CONFIG))
		return;
	json_t *params =
	    json_pack("{s:s, s:s, s:s, s:I}", "change", change, "id", id ? id : "", "name",
	              name ? name : "", "client_id", (json_int_t)(by ? client_id(by) : 0));
	if (params)
		server_emit(tuskd.server, TOPIC_CONFIG, method, params);
}

void changes_connection(struct client *by, const char *change, const char *id, const char *name)
{
	emit_change(TUSK_N_CONNECTIONS_CHANGED, by, change, id, name);
}

void changes_group(struct client *by, const char *change, const char *id, const char *name)
{
	emit_change(TUSK_N_GROUPS_CHANGED, by, change, id, name);
}

void changes_setting(struct client *by, const char *key)
{
	if (!tuskd.server || !server_has_subscribers(tuskd.server, TOPIC_CONFIG))
		return;
	TuskError e = TUSK_ERROR_INIT;
	json_t *setting = settings_get_json(tuskd.settings, key, &e);
	tusk_error_clear(&e);
	if (!setting)
		return;
	if (!json_object_get(setting, "key"))
		json_object_set_new(setting, "key", json_string(key));
	server_emit(tuskd.server, TOPIC_CONFIG, TUSK_N_SETTINGS_CHANGED,
	            json_pack("{s:o, s:I}", "setting", setting, "client_id",
	                      (json_int_t)(by ? client_id(by) : 0)));
}
