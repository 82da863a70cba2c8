/* Request builders: schema.* (see req.h). */
#include "protocol/req-internal.h"
#include "protocol/req.h"

json_t *tusk_req_schema_get(const TuskReqSchemaGet *a)
{
	json_t *p = json_pack("{s:s}", "connection_id", a->connection_id);
	req_str(p, "schema", a->schema);
	req_str(p, "kind", a->kind);
	req_str(p, "pattern", a->pattern);
	json_object_set_new(p, "include_system", json_boolean(a->include_system));
	req_int(p, "offset", a->offset);
	return p;
}

json_t *tusk_req_schema_refresh(const char *connection_id, const char *schema)
{
	json_t *p = json_pack("{s:s}", "connection_id", connection_id);
	req_str(p, "schema", schema);
	return p;
}

json_t *tusk_req_schema_describe(const char *connection_id, const char *object, const char *kind)
{
	json_t *p = json_pack("{s:s, s:s}", "connection_id", connection_id, "object", object);
	req_str(p, "kind", kind);
	return p;
}

json_t *tusk_req_schema_complete(const char *connection_id, const char *prefix, const char *context,
                                 long long cursor, long long limit)
{
	json_t *p = json_pack("{s:s, s:s}", "connection_id", connection_id, "prefix", prefix);
	req_str(p, "context", context);
	if (cursor >= 0)
		json_object_set_new(p, "cursor", json_integer(cursor));
	req_int(p, "limit", limit);
	return p;
}
