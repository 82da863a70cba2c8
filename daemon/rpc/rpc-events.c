/* events.subscribe, events.unsubscribe: which notification topics a
 * client receives. */
#include "daemon/rpc.h"
#include "daemon/server.h"
#include "daemon/session.h"
#include "protocol/jsonrpc.h"

static int topics_param(struct rpc_request *req, unsigned *ret, TuskError *e)
{
	json_t *list, *item;
	size_t i;
	unsigned topics = 0;

	if (tusk_param_value(req->params, "topics", true, &list, e) < 0)
		return -1;
	json_array_foreach(list, i, item)
	{
		int t = event_topic_from_name(json_string_value(item));
		if (!t)
			return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
			                      "params.topics[%zu]: unknown topic '%s'", i,
			                      json_string_value(item));
		topics |= (unsigned)t;
	}
	*ret = topics;
	return 0;
}

static json_t *topics_result(unsigned topics)
{
	json_t *list = json_array();
	for (unsigned bit = 1; bit <= TOPIC_LAST; bit <<= 1)
		if (topics & bit)
			json_array_append_new(list, json_string(event_topic_name(bit)));
	return json_pack("{s:o}", "topics", list);
}

enum rpc_ret method_events_subscribe(struct rpc_request *req, TuskError *e)
{
	unsigned topics;
	if (topics_param(req, &topics, e) < 0)
		return RPC_ERROR;
	unsigned added = topics & ~client_topics(req->client);
	client_set_topics(req->client, client_topics(req->client) | topics);
	if (added & TOPIC_CONNECTION)
		session_replay_lost_later(req->client);
	req->result = topics_result(client_topics(req->client));
	return RPC_OK;
}

enum rpc_ret method_events_unsubscribe(struct rpc_request *req, TuskError *e)
{
	unsigned topics;
	if (topics_param(req, &topics, e) < 0)
		return RPC_ERROR;
	client_set_topics(req->client, client_topics(req->client) & ~topics);
	req->result = topics_result(client_topics(req->client));
	return RPC_OK;
}
