/* Request builders: daemon.*, settings.*, events.* (see req.h). */
#include "protocol/req-internal.h"
#include "protocol/req.h"

json_t *tusk_req_daemon_hello(const char *client, int protocol_version)
{
	return json_pack("{s:s, s:i}", "client", client, "protocol_version", protocol_version);
}

json_t *tusk_req_settings_key(const char *key)
{
	return json_pack("{s:s}", "key", key);
}

json_t *tusk_req_settings_set(const char *key, json_t *value)
{
	return json_pack("{s:s, s:o}", "key", key, "value", value);
}

json_t *tusk_req_events_topics(json_t *topics)
{
	return json_pack("{s:o}", "topics", topics);
}

json_t *tusk_req_events_topic(const char *topic)
{
	return json_pack("{s:[s]}", "topics", topic);
}
