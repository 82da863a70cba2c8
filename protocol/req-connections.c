/* Request builders: connection.*, connections.*, credentials.*, ssh.*
 * (see req.h). */
#include <string.h>

#include "protocol/req-internal.h"
#include "protocol/req.h"

json_t *tusk_req_connection_id(const char *id, json_t *env)
{
	json_t *p = json_pack("{s:s}", "id", id);
	req_obj(p, "env", env);
	return p;
}

json_t *tusk_req_connection_conninfo(const char *conninfo, json_t *env)
{
	json_t *p = json_pack("{s:s}", "conninfo", conninfo);
	req_obj(p, "env", env);
	return p;
}

json_t *tusk_req_connections_save(json_t *config)
{
	return json_pack("{s:o}", "config", config);
}

json_t *tusk_req_connections_test_config(json_t *config, const char *password,
                                         const char *ssh_secret, const char *ssl_passphrase)
{
	json_t *p = json_pack("{s:o}", "config", config);
	if (password && *password)
		req_str(p, "password", password);
	if (ssh_secret && *ssh_secret)
		req_str(p, "ssh_secret", ssh_secret);
	if (ssl_passphrase && *ssl_passphrase)
		req_str(p, "ssl_passphrase", ssl_passphrase);
	return p;
}

json_t *tusk_req_connections_import(const TuskReqConnectionsImport *a)
{
	json_t *p = a->service ? json_pack("{s:{s:s}}", "source", "service", a->service)
	                       : json_pack("{s:s}", "source", a->source ? a->source : "");
	req_obj(p, "env", a->env);
	json_object_set_new(p, "save", json_boolean(!a->dry_run));
	req_str(p, "name", a->name);
	req_str(p, "color", a->color);
	req_true(p, "readonly", a->readonly);
	req_obj(p, "group_id", a->group_id);
	return p;
}

json_t *tusk_req_credentials_set(const char *connection_id, const char *kind, const char *secret)
{
	json_t *p = json_pack("{s:s, s:s}", "connection_id", connection_id, "secret", secret);
	req_str(p, "kind", kind);
	return p;
}

json_t *tusk_req_credentials_target(const char *connection_id, const char *kind)
{
	json_t *p = json_pack("{s:s}", "connection_id", connection_id);
	req_str(p, "kind", kind);
	return p;
}

json_t *tusk_req_ssh_trust_host_key(const char *connection_id, const char *fingerprint)
{
	return json_pack("{s:s, s:s}", "connection_id", connection_id, "fingerprint", fingerprint);
}

json_t *tusk_req_ssh_trust_host_key_at(const char *ssh_host, int ssh_port, const char *fingerprint)
{
	return json_pack("{s:s, s:i, s:s}", "ssh_host", ssh_host, "ssh_port", ssh_port,
	                 "fingerprint", fingerprint);
}

void tusk_req_scrub_secret(json_t *params)
{
	static const char *const keys[] = {"secret", "password", "ssh_secret", "ssl_passphrase"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		json_t *s = json_object_get(params, keys[i]);
		if (json_is_string(s))
			explicit_bzero((char *)json_string_value(s), json_string_length(s));
	}
}
