/* ConnectionConfig <-> JSON. Member names are the seed's field names. */
#include "common/model-connection.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/model-json.h"

static const char *const config_keys[] = {
    "id",
    "name",
    "color",
    "group_id",
    "host",
    "port",
    "database",
    "username",
    "password_in_keyring",
    "ssl_mode",
    "ssl_ca_cert",
    "ssl_client_cert",
    "ssl_client_key",
    "ssh_tunnel",
    "options",
    NULL,
};
static const char *const tunnel_keys[] = {
    "enabled", "host", "port", "username", "auth", "key_path", "passphrase_in_keyring", NULL,
};
static const char *const option_keys[] = {
    "connect_timeout_sec", "statement_timeout_ms", "application_name", "readonly", NULL,
};

static void lowercase(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static int take_tunnel(const json_t *obj, TuskSshTunnelConfig **ret, TuskError *e)
{
	const char *P = "ssh_tunnel";
	TuskSshTunnelConfig *t = tusk_ssh_tunnel_config_new();
	_cleanup_free_ char *auth = NULL;
	int64_t port = TUSK_DEFAULT_SSH_PORT;

	if (!t)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	*ret = t; /* the caller owns it from here, even on failure */
	if (tusk_json_reject_unknown(obj, P, tunnel_keys, e) < 0 ||
	    tusk_json_take_bool(obj, P, "enabled", &t->enabled, e) < 0 ||
	    tusk_json_take_string(obj, P, "host", false, &t->host, e) < 0 ||
	    tusk_json_take_int(obj, P, "port", 1, 65535, &port, NULL, e) < 0 ||
	    tusk_json_take_string(obj, P, "username", false, &t->username, e) < 0 ||
	    tusk_json_take_string(obj, P, "auth", false, &auth, e) < 0 ||
	    tusk_json_take_string(obj, P, "key_path", false, &t->key_path, e) < 0 ||
	    tusk_json_take_bool(obj, P, "passphrase_in_keyring", &t->passphrase_in_keyring, e) < 0)
		return -1;
	t->port = (uint16_t)port;
	if (auth) {
		int a = tusk_ssh_auth_from_name(auth);
		if (a < 0)
			return tusk_error_set(
			    e, TUSK_ERR_INVALID_INPUT,
			    "ssh_tunnel.auth: must be one of password, key, agent");
		t->auth = (TuskSshAuth)a;
	}
	return 0;
}

static int take_options(const json_t *obj, TuskConnectionOptions *o, TuskError *e)
{
	const char *P = "options";
	int64_t timeout = o->connect_timeout_sec;
	bool has_stmt = false;
	int64_t stmt = -1;

	if (tusk_json_reject_unknown(obj, P, option_keys, e) < 0 ||
	    tusk_json_take_int(obj, P, "connect_timeout_sec", 1, TUSK_MAX_CONNECT_TIMEOUT_SEC,
	                       &timeout, NULL, e) < 0 ||
	    tusk_json_take_int(obj, P, "statement_timeout_ms", 0, INT32_MAX, &stmt, &has_stmt, e) <
	        0 ||
	    tusk_json_take_string(obj, P, "application_name", false, &o->application_name, e) < 0 ||
	    tusk_json_take_bool(obj, P, "readonly", &o->readonly, e) < 0)
		return -1;
	o->connect_timeout_sec = (unsigned)timeout;
	o->statement_timeout_ms = has_stmt ? stmt : -1;
	return 0;
}

int tusk_connection_config_from_json(const json_t *json, TuskConnectionConfig **ret, TuskError *e)
{
	if (!json_is_object(json))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "connection config: must be a JSON object");

	_cleanup_connection_config_ TuskConnectionConfig *c =
	    tusk_connection_config_new("", "", "");
	_cleanup_free_ char *id = NULL, *ssl_mode = NULL;
	const json_t *tunnel = NULL, *options = NULL;
	int64_t port = TUSK_DEFAULT_PORT;

	if (!c)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	if (tusk_json_reject_unknown(json, NULL, config_keys, e) < 0 ||
	    tusk_json_take_string(json, NULL, "id", false, &id, e) < 0 ||
	    tusk_json_take_string(json, NULL, "name", true, &c->name, e) < 0 ||
	    tusk_json_take_string(json, NULL, "color", false, &c->color, e) < 0 ||
	    tusk_json_take_string(json, NULL, "group_id", false, &c->group_id, e) < 0 ||
	    tusk_json_take_string(json, NULL, "host", true, &c->host, e) < 0 ||
	    tusk_json_take_int(json, NULL, "port", 1, 65535, &port, NULL, e) < 0 ||
	    tusk_json_take_string(json, NULL, "database", true, &c->database, e) < 0 ||
	    tusk_json_take_string(json, NULL, "username", false, &c->username, e) < 0 ||
	    tusk_json_take_bool(json, NULL, "password_in_keyring", &c->password_in_keyring, e) <
	        0 ||
	    tusk_json_take_string(json, NULL, "ssl_mode", false, &ssl_mode, e) < 0 ||
	    tusk_json_take_string(json, NULL, "ssl_ca_cert", false, &c->ssl_ca_cert, e) < 0 ||
	    tusk_json_take_string(json, NULL, "ssl_client_cert", false, &c->ssl_client_cert, e) <
	        0 ||
	    tusk_json_take_string(json, NULL, "ssl_client_key", false, &c->ssl_client_key, e) < 0 ||
	    tusk_json_take_object(json, NULL, "ssh_tunnel", &tunnel, e) < 0 ||
	    tusk_json_take_object(json, NULL, "options", &options, e) < 0)
		return -1;

	if (id) {
		if (!tusk_uuid_valid(id))
			return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "id: must be a UUID");
		memcpy(c->id, id, sizeof(c->id));
		lowercase(c->id);
	}
	lowercase(c->group_id);
	c->port = (uint16_t)port;
	if (ssl_mode) {
		int m = tusk_ssl_mode_from_name(ssl_mode);
		if (m < 0)
			return tusk_error_set(
			    e, TUSK_ERR_INVALID_INPUT,
			    "ssl_mode: must be one of disable, prefer, require, verify_ca, "
			    "verify_full");
		c->ssl_mode = (TuskSslMode)m;
	}
	if (tunnel && take_tunnel(tunnel, &c->ssh_tunnel, e) < 0)
		return -1;
	if (options && take_options(options, &c->options, e) < 0)
		return -1;
	if (tusk_connection_config_validate(c, e) < 0)
		return -1;
	*ret = TAKE_PTR(c);
	return 0;
}

static json_t *tunnel_to_json(const TuskSshTunnelConfig *t)
{
	_cleanup_json_ json_t *o = json_pack("{s:b, s:i, s:s?}", "enabled", t->enabled, "port",
	                                     (int)t->port, "auth", tusk_ssh_auth_name(t->auth));
	if (!o || tusk_json_set_string_or_null(o, "host", t->host) < 0 ||
	    tusk_json_set_string_or_null(o, "username", t->username) < 0 ||
	    tusk_json_set_string_or_null(o, "key_path", t->key_path) < 0 ||
	    json_object_set_new(o, "passphrase_in_keyring",
	                        json_boolean(t->passphrase_in_keyring)) < 0)
		return NULL;
	return TAKE_PTR(o);
}

static json_t *options_to_json(const TuskConnectionOptions *opt)
{
	_cleanup_json_ json_t *o =
	    json_pack("{s:I, s:b}", "connect_timeout_sec", (json_int_t)opt->connect_timeout_sec,
	              "readonly", opt->readonly);
	if (!o ||
	    json_object_set_new(o, "statement_timeout_ms",
	                        opt->statement_timeout_ms >= 0
	                            ? json_integer(opt->statement_timeout_ms)
	                            : json_null()) < 0 ||
	    tusk_json_set_string_or_null(o, "application_name", opt->application_name) < 0)
		return NULL;
	return TAKE_PTR(o);
}

json_t *tusk_connection_config_to_json(const TuskConnectionConfig *c)
{
	if (!c)
		return NULL;
	_cleanup_json_ json_t *o = json_object();
	json_t *tunnel = c->ssh_tunnel ? tunnel_to_json(c->ssh_tunnel) : json_null();
	json_t *options = options_to_json(&c->options);

	if (!o || !tunnel || !options) {
		json_decref(tunnel);
		json_decref(options);
		return NULL;
	}
	if (json_object_set_new(o, "id", json_string(c->id)) < 0 ||
	    tusk_json_set_string_or_null(o, "name", c->name) < 0 ||
	    tusk_json_set_string_or_null(o, "color", c->color) < 0 ||
	    tusk_json_set_string_or_null(o, "group_id", c->group_id) < 0 ||
	    tusk_json_set_string_or_null(o, "host", c->host) < 0 ||
	    json_object_set_new(o, "port", json_integer(c->port)) < 0 ||
	    tusk_json_set_string_or_null(o, "database", c->database) < 0 ||
	    tusk_json_set_string_or_null(o, "username", c->username) < 0 ||
	    json_object_set_new(o, "password_in_keyring", json_boolean(c->password_in_keyring)) <
	        0 ||
	    tusk_json_set_string_or_null(o, "ssl_mode", tusk_ssl_mode_name(c->ssl_mode)) < 0 ||
	    tusk_json_set_string_or_null(o, "ssl_ca_cert", c->ssl_ca_cert) < 0 ||
	    tusk_json_set_string_or_null(o, "ssl_client_cert", c->ssl_client_cert) < 0 ||
	    tusk_json_set_string_or_null(o, "ssl_client_key", c->ssl_client_key) < 0) {
		json_decref(tunnel);
		json_decref(options);
		return NULL;
	}
	/* Each call consumes its value even when it fails. */
	int r1 = json_object_set_new(o, "ssh_tunnel", tunnel);
	int r2 = json_object_set_new(o, "options", options);
	if (r1 < 0 || r2 < 0)
		return NULL;
	return TAKE_PTR(o);
}
