/* connections.import's parsing and mapping: libpq reads the input
 * (PQconninfoParse; services through conninfo-service.c), then each libpq
 * keyword Tusk keeps becomes a field of the config, and every other one
 * given is reported as ignored. */
#include "daemon/db/conninfo.h"

#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <pg_config_manual.h> /* DEFAULT_PGSOCKET_DIR: where libpq looks without a host */
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/cleanup.h"

ConninfoImport *conninfo_import_free(ConninfoImport *imp)
{
	if (!imp)
		return NULL;
	tusk_connection_config_free(imp->config);
	erase_and_freep(&imp->password);
	json_decref(imp->ignored);
	json_decref(imp->warnings);
	free(imp);
	return NULL;
}

static void warn(ConninfoImport *imp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(ConninfoImport *imp, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		json_array_append_new(imp->warnings, json_string(s));
	free(s);
}

/* The password of a URI's userinfo ("postgresql://u:PW@h"), or NULL. */
static char *uri_password(const char *source)
{
	static const char *const schemes[] = {"postgresql://", "postgres://"};
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(schemes[i]);
		if (strncmp(source, schemes[i], n) != 0)
			continue;
		const char *auth = source + n;
		const char *end = auth + strcspn(auth, "/?#");
		const char *at = memchr(auth, '@', (size_t)(end - auth));
		const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
		if (!colon || colon + 1 == at)
			return NULL;
		return strndup(colon + 1, (size_t)(at - colon - 1));
	}
	return NULL;
}

/* libpq's parse errors quote the input ("unexpected spaces found in
 * \"…\""); one that could quote a password is withheld or redacted, since
 * error messages reach clients and the debug log. */
static int parse_error(const char *source, const char *msg, TuskError *e)
{
	_cleanup_free_ char *text = strdup(msg ? msg : "libpq cannot parse it");
	_cleanup_erase_ char *pw = uri_password(source);
	if (!text)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	text[strcspn(text, "\n")] = '\0';
	if (strcasestr(source, "password"))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "source: libpq cannot parse it (its message is withheld "
		                      "because the input holds a password)");
	for (char *p; pw && *pw && (p = strstr(text, pw));)
		memset(p, '*', strlen(pw));
	return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "source: %s", text);
}

/* The explicit keywords as an object, the password kept apart. */
static int parse_source(const char *source, json_t **ret, char **ret_password, TuskError *e)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(source, &err);
	if (!opts) {
		int r = parse_error(source, err, e);
		PQfreemem(err);
		return r;
	}
	json_t *obj = json_object();
	char *password = NULL;
	bool oom = !obj;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (strcmp(o->keyword, "password") == 0) {
			password = strdup(o->val);
			oom |= !password;
			explicit_bzero(o->val, strlen(o->val));
		} else if (obj && json_object_set_new(obj, o->keyword, json_string(o->val)) < 0) {
			oom = true;
		}
	}
	PQconninfoFree(opts);
	if (oom) {
		json_decref(obj);
		erase_and_freep(&password);
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	}
	*ret = obj;
	*ret_password = password;
	return 0;
}

static const char *get(const json_t *kv, const char *keyword)
{
	const char *v = json_string_value(json_object_get(kv, keyword));
	return v && *v ? v : NULL;
}

static int replace(char **field, const char *value)
{
	char *copy = strdup(value);
	if (!copy)
		return -1;
	free(*field);
	*field = copy;
	return 0;
}

/* The first item of a comma-separated libpq list (host, hostaddr, port). */
static char *first_item(const char *list, size_t *ret_count)
{
	size_t count = 1;
	for (const char *p = list; *p; p++)
		count += *p == ',';
	*ret_count = count;
	return strndup(list, strcspn(list, ","));
}

static int map_host(ConninfoImport *imp, const json_t *kv, TuskError *e)
{
	const char *host = get(kv, "host"), *addr = get(kv, "hostaddr");
	const char *key = host ? "host" : "hostaddr";
	size_t count = 0;

	if (!host && !addr) {
		warn(imp, "host: none given; using the local socket directory %s",
		     DEFAULT_PGSOCKET_DIR);
		return replace(&imp->config->host, DEFAULT_PGSOCKET_DIR) < 0
		           ? tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory")
		           : 0;
	}
	_cleanup_free_ char *first = first_item(host ? host : addr, &count);
	if (!first || replace(&imp->config->host, first) < 0)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	if (!*first)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "%s: the first entry is empty",
		                      key);
	if (count > 1)
		warn(imp, "%s: only the first of %zu hosts (%s) is kept", key, count, first);
	if (host && addr)
		json_array_append_new(imp->ignored, json_string("hostaddr"));
	return 0;
}

static int map_port(ConninfoImport *imp, const json_t *kv, TuskError *e)
{
	const char *port = get(kv, "port");
	size_t count = 0;
	if (!port)
		return 0;
	_cleanup_free_ char *first = first_item(port, &count);
	if (!first)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	char *end = NULL;
	errno = 0;
	long v = strtol(first, &end, 10);
	if (errno || end == first || *end || v < 1 || v > 65535)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "port: '%s' is not a port number from 1 to 65535", first);
	imp->config->port = (uint16_t)v;
	if (count > 1)
		warn(imp, "port: only the first of %zu ports (%ld) is kept", count, v);
	return 0;
}

static int map_sslmode(ConninfoImport *imp, const json_t *kv, TuskError *e)
{
	const char *mode = get(kv, "sslmode");
	if (!mode)
		return 0;
	if (strcmp(mode, "allow") == 0) {
		warn(imp, "sslmode: 'allow' is not offered by Tusk; using 'prefer'");
		imp->config->ssl_mode = TUSK_SSL_PREFER;
		return 0;
	}
	int m = tusk_ssl_mode_from_name(mode);
	if (m < 0)
		return tusk_error_set(
		    e, TUSK_ERR_INVALID_INPUT,
		    "sslmode: '%s' is not one of disable, allow, prefer, require, "
		    "verify-ca, verify-full",
		    mode);
	imp->config->ssl_mode = (TuskSslMode)m;
	return 0;
}

static int map_timeout(ConninfoImport *imp, const json_t *kv, TuskError *e)
{
	const char *t = get(kv, "connect_timeout");
	if (!t)
		return 0;
	char *end = NULL;
	errno = 0;
	long v = strtol(t, &end, 10);
	if (errno || end == t || *end)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "connect_timeout: '%s' is not a number of seconds", t);
	if (v <= 0) {
		warn(imp, "connect_timeout: %ld (wait forever) is not offered by Tusk; using %d s",
		     v, TUSK_DEFAULT_CONNECT_TIMEOUT_SEC);
		return 0;
	}
	if (v > TUSK_MAX_CONNECT_TIMEOUT_SEC) {
		warn(imp, "connect_timeout: %ld s is more than Tusk allows; using %d s", v,
		     TUSK_MAX_CONNECT_TIMEOUT_SEC);
		v = TUSK_MAX_CONNECT_TIMEOUT_SEC;
	}
	imp->config->options.connect_timeout_sec = (unsigned)v;
	return 0;
}

/* The server splits PGOPTIONS at unescaped white space, "\" escaping. */
static size_t next_token(const char **p, char *out, size_t size)
{
	const char *s = *p;
	size_t n = 0;
	while (isspace((unsigned char)*s))
		s++;
	while (*s && !isspace((unsigned char)*s)) {
		if (*s == '\\' && s[1])
			s++;
		if (n + 1 < size)
			out[n++] = *s;
		s++;
	}
	out[n] = '\0';
	*p = s;
	return n;
}

static int bool_value(const char *v)
{
	static const char *const yes[] = {"on", "true", "yes", "1"}, *const no[] = {"off", "false",
	                                                                            "no", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* One "name=value" setting from options; true when Tusk keeps it. */
static bool take_setting(ConninfoImport *imp, char *setting)
{
	char *eq = strchr(setting, '=');
	if (!eq)
		return false;
	*eq = '\0';
	for (char *c = setting; *c; c++)
		if (*c == '-')
			*c = '_';
	const char *value = eq + 1;
	if (strcmp(setting, "default_transaction_read_only") == 0) {
		int b = bool_value(value);
		if (b >= 0)
			imp->config->options.readonly = b;
		return b >= 0;
	}
	if (strcmp(setting, "statement_timeout") == 0) {
		char *end = NULL;
		errno = 0;
		long long ms = strtoll(value, &end, 10);
		if (errno || end == value || *end || ms < 0 || ms > INT32_MAX)
			return false;
		imp->config->options.statement_timeout_ms = ms;
		return true;
	}
	return false;
}

/* options: "-c default_transaction_read_only=on" → readonly and
 * "-c statement_timeout=MS" → statement_timeout_ms; anything else in it
 * is reported, not kept. */
static void map_options(ConninfoImport *imp, const json_t *kv)
{
	const char *opts = get(kv, "options");
	if (!opts)
		return;
	size_t size = strlen(opts) + 1;
	_cleanup_free_ char *tok = malloc(size);
	bool others = false;
	for (const char *p = opts; tok && next_token(&p, tok, size) > 0;) {
		char *setting = NULL;
		if (strcmp(tok, "-c") == 0) {
			if (next_token(&p, tok, size) == 0) {
				others = true;
				break;
			}
			setting = tok;
		} else if (strncmp(tok, "-c", 2) == 0) {
			setting = tok + 2;
		} else if (strncmp(tok, "--", 2) == 0) {
			setting = tok + 2;
		}
		if (!setting || !take_setting(imp, setting))
			others = true;
	}
	if (others || !tok) {
		json_array_append_new(imp->ignored, json_string("options"));
		warn(imp, "options: only default_transaction_read_only and statement_timeout are "
		          "kept from it");
	}
}

/* libpq's default user: the effective user's login name. */
static char *os_user(void)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) != 0 || !res)
		return NULL;
	return strdup(res->pw_name);
}

static int map_names(ConninfoImport *imp, const json_t *kv, const char *service, TuskError *e)
{
	TuskConnectionConfig *c = imp->config;
	const char *user = get(kv, "user"), *db = get(kv, "dbname");
	_cleanup_free_ char *me = NULL;
	_cleanup_free_ char *name = NULL;

	if (user && replace(&c->username, user) < 0)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	/* libpq's default database is the user name. */
	if (!db && !user) {
		me = os_user();
		if (!me)
			return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
			                      "dbname: none given and the user name is unknown");
	}
	if (replace(&c->database, db ? db : user ? user : me) < 0)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	if (service)
		name = strdup(service);
	else if (asprintf(&name, "%s%s%s/%s", user ? user : "", user ? "@" : "", c->host,
	                  c->database) < 0)
		name = NULL;
	if (!name || replace(&c->name, name) < 0)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	return 0;
}

static int map_paths(ConninfoImport *imp, const json_t *kv, TuskError *e)
{
	static const struct {
		const char *keyword;
		size_t offset;
	} paths[] = {
	    {"sslrootcert", offsetof(TuskConnectionConfig, ssl_ca_cert)},
	    {"sslcert", offsetof(TuskConnectionConfig, ssl_client_cert)},
	    {"sslkey", offsetof(TuskConnectionConfig, ssl_client_key)},
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		const char *v = get(kv, paths[i].keyword);
		char **field = (char **)((char *)imp->config + paths[i].offset);
		if (v && replace(field, v) < 0)
			return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	}
	const char *app = get(kv, "application_name");
	if (app && replace(&imp->config->options.application_name, app) < 0)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	return 0;
}

/* Every keyword given that no field holds. */
static void list_ignored(ConninfoImport *imp, const json_t *kv)
{
	static const char *const kept[] = {
	    "host",
	    "hostaddr",
	    "port",
	    "dbname",
	    "user",
	    "sslmode",
	    "sslcert",
	    "sslkey",
	    "sslrootcert",
	    "connect_timeout",
	    "service",
	    "options",
	    "application_name",
	    NULL,
	};
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)kv, key, v)
	{
		bool known = false;
		for (const char *const *k = kept; *k && !known; k++)
			known = strcmp(*k, key) == 0;
		if (!known && json_string_length(v) > 0)
			json_array_append_new(imp->ignored, json_string(key));
	}
}

int conninfo_import(const char *source, const char *service, const json_t *env,
                    ConninfoImport **ret, TuskError *e)
{
	_cleanup_(conninfo_import_freep) ConninfoImport *imp = calloc(1, sizeof(*imp));
	_cleanup_json_ json_t *kv = NULL;
	_cleanup_erase_ char *service_password = NULL;

	if (!imp || !(imp->ignored = json_array()) || !(imp->warnings = json_array()) ||
	    !(imp->config = tusk_connection_config_new("", "", "")))
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	if (!source && (!service || !*service))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "service: must not be empty");
	if (source) {
		if (parse_source(source, &kv, &imp->password, e) < 0)
			return -1;
	} else {
		kv = json_pack("{s:s}", "service", service);
		if (!kv)
			return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	}

	const char *svc = get(kv, "service");
	if (svc) {
		_cleanup_json_ json_t *expanded = NULL;
		if (conninfo_expand_service(kv, env, &expanded, &service_password, e) < 0)
			return -1;
		/* What was given explicitly wins over the service, as in libpq. */
		json_object_update_missing(kv, expanded);
		if (!imp->password)
			imp->password = TAKE_PTR(service_password);
		svc = get(kv, "service");
	}

	if (map_host(imp, kv, e) < 0 || map_port(imp, kv, e) < 0 ||
	    map_names(imp, kv, svc, e) < 0 || map_sslmode(imp, kv, e) < 0 ||
	    map_timeout(imp, kv, e) < 0 || map_paths(imp, kv, e) < 0)
		return -1;
	map_options(imp, kv);
	list_ignored(imp, kv);
	if (tusk_connection_config_validate(imp->config, e) < 0)
		return -1;
	*ret = TAKE_PTR(imp);
	return 0;
}
