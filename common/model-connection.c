/* ConnectionConfig: defaults, copying, validation and keyring keys. The
 * JSON form is in model-connection-json.c. */
#include "common/model-connection.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/model-json.h"

static const char *const ssl_mode_names[_TUSK_SSL_MODE_MAX] = {
    [TUSK_SSL_DISABLE] = "disable",         [TUSK_SSL_PREFER] = "prefer",
    [TUSK_SSL_REQUIRE] = "require",         [TUSK_SSL_VERIFY_CA] = "verify_ca",
    [TUSK_SSL_VERIFY_FULL] = "verify_full",
};
static const char *const ssl_mode_libpq[_TUSK_SSL_MODE_MAX] = {
    [TUSK_SSL_DISABLE] = "disable",         [TUSK_SSL_PREFER] = "prefer",
    [TUSK_SSL_REQUIRE] = "require",         [TUSK_SSL_VERIFY_CA] = "verify-ca",
    [TUSK_SSL_VERIFY_FULL] = "verify-full",
};
static const char *const ssh_auth_names[_TUSK_SSH_AUTH_MAX] = {
    [TUSK_SSH_AUTH_PASSWORD] = "password",
    [TUSK_SSH_AUTH_KEY] = "key",
    [TUSK_SSH_AUTH_AGENT] = "agent",
};

const char *tusk_ssl_mode_name(TuskSslMode mode)
{
	return (int)mode >= 0 && mode < _TUSK_SSL_MODE_MAX ? ssl_mode_names[mode] : NULL;
}

const char *tusk_ssl_mode_libpq_name(TuskSslMode mode)
{
	return (int)mode >= 0 && mode < _TUSK_SSL_MODE_MAX ? ssl_mode_libpq[mode] : NULL;
}

int tusk_ssl_mode_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int m = 0; m < _TUSK_SSL_MODE_MAX; m++)
		if (strcmp(name, ssl_mode_names[m]) == 0 || strcmp(name, ssl_mode_libpq[m]) == 0)
			return m;
	return -1;
}

const char *tusk_ssh_auth_name(TuskSshAuth auth)
{
	return (int)auth >= 0 && auth < _TUSK_SSH_AUTH_MAX ? ssh_auth_names[auth] : NULL;
}

int tusk_ssh_auth_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int a = 0; a < _TUSK_SSH_AUTH_MAX; a++)
		if (strcmp(name, ssh_auth_names[a]) == 0)
			return a;
	return -1;
}

TuskSshTunnelConfig *tusk_ssh_tunnel_config_new(void)
{
	TuskSshTunnelConfig *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->port = TUSK_DEFAULT_SSH_PORT;
	t->auth = TUSK_SSH_AUTH_PASSWORD;
	t->host = strdup("");
	t->username = strdup("");
	if (!t->host || !t->username)
		return tusk_ssh_tunnel_config_free(t);
	return t;
}

TuskSshTunnelConfig *tusk_ssh_tunnel_config_free(TuskSshTunnelConfig *t)
{
	if (!t)
		return NULL;
	free(t->host);
	free(t->username);
	free(t->key_path);
	free(t);
	return NULL;
}

TuskConnectionConfig *tusk_connection_config_free(TuskConnectionConfig *c)
{
	if (!c)
		return NULL;
	free(c->name);
	free(c->color);
	free(c->group_id);
	free(c->host);
	free(c->database);
	free(c->username);
	free(c->ssl_ca_cert);
	free(c->ssl_client_cert);
	free(c->ssl_client_key);
	tusk_ssh_tunnel_config_free(c->ssh_tunnel);
	free(c->options.application_name);
	free(c);
	return NULL;
}

TuskConnectionConfig *tusk_connection_config_new(const char *name, const char *host,
                                                 const char *database)
{
	_cleanup_connection_config_ TuskConnectionConfig *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (tusk_uuid_v4(c->id) < 0)
		return NULL;
	c->name = strdup(name ? name : "");
	c->host = strdup(host ? host : "");
	c->database = strdup(database ? database : "");
	c->username = strdup("");
	c->port = TUSK_DEFAULT_PORT;
	c->ssl_mode = TUSK_SSL_PREFER;
	c->options.connect_timeout_sec = TUSK_DEFAULT_CONNECT_TIMEOUT_SEC;
	c->options.statement_timeout_ms = -1;
	c->options.application_name = strdup(TUSK_DEFAULT_APPLICATION_NAME);
	if (!c->name || !c->host || !c->database || !c->username || !c->options.application_name)
		return NULL;
	return TAKE_PTR(c);
}

TuskConnectionConfig *tusk_connection_config_copy(const TuskConnectionConfig *c)
{
	/* Through JSON: one place knows every field, so a field added later
	 * cannot be forgotten here. */
	_cleanup_json_ json_t *j = tusk_connection_config_to_json(c);
	TuskConnectionConfig *copy = NULL;
	if (!j || tusk_connection_config_from_json(j, &copy, NULL) < 0)
		return NULL;
	return copy;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int bad(TuskError *e, const char *field, const char *what)
{
	return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s: %s", field, what);
}

/* A text field a person typed: present, maybe non-empty, one line. */
static int check_text(const char *s, const char *field, bool nonempty, size_t max, TuskError *e)
{
	if (!s || (nonempty && !s[0]))
		return bad(e, field, "must not be empty");
	if (strlen(s) > max)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s: must be at most %zu bytes",
		                      field, max);
	if (has_control(s))
		return bad(e, field, "must not contain control characters");
	return 0;
}

static int check_optional_path(const char *s, const char *field, TuskError *e)
{
	return s ? check_text(s, field, true, 4096, e) : 0;
}

static int check_port(unsigned port, const char *field, TuskError *e)
{
	if (port < 1 || port > 65535)
		return bad(e, field, "must be an integer from 1 to 65535");
	return 0;
}

static int validate_tunnel(const TuskSshTunnelConfig *t, TuskError *e)
{
	if (check_port(t->port, "ssh_tunnel.port", e) < 0)
		return -1;
	if (!tusk_ssh_auth_name(t->auth))
		return bad(e, "ssh_tunnel.auth", "must be one of password, key, agent");
	if (t->host && check_text(t->host, "ssh_tunnel.host", false, 1024, e) < 0)
		return -1;
	if (t->username && check_text(t->username, "ssh_tunnel.username", false, 1024, e) < 0)
		return -1;
	if (check_optional_path(t->key_path, "ssh_tunnel.key_path", e) < 0)
		return -1;
	/* A disabled tunnel may be half filled in: the form keeps it. */
	if (!t->enabled)
		return 0;
	if (!t->host || !t->host[0])
		return bad(e, "ssh_tunnel.host", "required when the tunnel is enabled");
	/* No username: ~/.ssh/config's User for that host, else the login
	 * name of the user running tuskd, as ssh itself does. */
	if (t->auth == TUSK_SSH_AUTH_KEY && !t->key_path)
		return bad(e, "ssh_tunnel.key_path", "required when auth is \"key\"");
	return 0;
}

int tusk_connection_config_validate(const TuskConnectionConfig *c, TuskError *e)
{
	if (!c)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "connection config: missing");
	if (!tusk_uuid_valid(c->id))
		return bad(e, "id", "must be a UUID");
	if (check_text(c->name, "name", true, TUSK_MAX_NAME_LEN, e) < 0)
		return -1;
	if (c->color && !tusk_color_valid(c->color))
		return bad(e, "color", "must be a colour like \"#3584e4\"");
	if (c->group_id && !tusk_uuid_valid(c->group_id))
		return bad(e, "group_id", "must be a UUID");
	if (check_text(c->host, "host", true, 1024, e) < 0)
		return -1;
	if (check_port(c->port, "port", e) < 0)
		return -1;
	if (check_text(c->database, "database", true, 1024, e) < 0)
		return -1;
	if (check_text(c->username, "username", false, 1024, e) < 0)
		return -1;
	if (!tusk_ssl_mode_name(c->ssl_mode))
		return bad(e, "ssl_mode",
		           "must be one of disable, prefer, require, verify_ca, verify_full");
	if (check_optional_path(c->ssl_ca_cert, "ssl_ca_cert", e) < 0 ||
	    check_optional_path(c->ssl_client_cert, "ssl_client_cert", e) < 0 ||
	    check_optional_path(c->ssl_client_key, "ssl_client_key", e) < 0)
		return -1;
	if (c->ssl_client_key && !c->ssl_client_cert)
		return bad(e, "ssl_client_key", "needs ssl_client_cert as well");
	if (c->ssh_tunnel && validate_tunnel(c->ssh_tunnel, e) < 0)
		return -1;

	const TuskConnectionOptions *o = &c->options;
	if (o->connect_timeout_sec < 1 || o->connect_timeout_sec > TUSK_MAX_CONNECT_TIMEOUT_SEC)
		return bad(e, "options.connect_timeout_sec", "must be an integer from 1 to 3600");
	if (o->statement_timeout_ms < -1 || o->statement_timeout_ms > INT32_MAX)
		return bad(e, "options.statement_timeout_ms",
		           "must be an integer from 0 to 2147483647");
	if (check_text(o->application_name, "options.application_name", false,
	               TUSK_MAX_APPLICATION_NAME, e) < 0)
		return -1;
	return 0;
}

static char *keyring_key(const char *kind, const char *id)
{
	char *s = NULL;
	if (!tusk_uuid_valid(id))
		return NULL;
	if (asprintf(&s, "tusk:%s:%s", kind, id) < 0)
		return NULL;
	/* One secret per connection whatever case the id was written in. */
	for (char *p = s + strlen(s) - TUSK_UUID_STRLEN; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

char *tusk_keyring_key_connection(const char *id)
{
	return keyring_key("connection", id);
}

char *tusk_keyring_key_ssh(const char *id)
{
	return keyring_key("ssh", id);
}

char *tusk_keyring_key_ssh_passphrase(const char *id)
{
	return keyring_key("ssh-passphrase", id);
}
