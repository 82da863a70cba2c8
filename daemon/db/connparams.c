#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "common/cleanup.h"
#include "daemon/db/connparams.h"

struct connparams *connparams_new(void)
{
	struct connparams *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->cap = 16;
	p->keys = calloc(p->cap + 1, sizeof(*p->keys));
	p->values = calloc(p->cap + 1, sizeof(*p->values));
	p->connect_timeout_sec = TUSK_DEFAULT_CONNECT_TIMEOUT_SEC;
	if (!p->keys || !p->values)
		return connparams_free(p);
	return p;
}

static void erase(const char *s)
{
	if (s) {
		explicit_bzero((char *)s, strlen(s));
		free((char *)s);
	}
}

struct connparams *connparams_free(struct connparams *p)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->n; i++) {
		free((char *)p->keys[i]);
		erase(p->values[i]);
	}
	free(p->keys);
	free(p->values);
	free(p);
	return NULL;
}

int connparams_set(struct connparams *p, const char *key, const char *value)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->keys[i], key) != 0)
			continue;
		erase(p->values[i]);
		if (value) {
			p->values[i] = strdup(value);
			return p->values[i] ? 0 : -ENOMEM;
		}
		free((char *)p->keys[i]);
		memmove(&p->keys[i], &p->keys[i + 1], (p->n - i) * sizeof(*p->keys));
		memmove(&p->values[i], &p->values[i + 1], (p->n - i) * sizeof(*p->values));
		p->n--;
		return 0;
	}
	if (!value)
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap * 2;
		const char **k = realloc(p->keys, (cap + 1) * sizeof(*k));
		if (!k)
			return -ENOMEM;
		p->keys = k;
		const char **v = realloc(p->values, (cap + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->values = v;
		p->cap = cap;
	}
	p->keys[p->n] = strdup(key);
	p->values[p->n] = strdup(value);
	if (!p->keys[p->n] || !p->values[p->n])
		return -ENOMEM;
	p->n++;
	p->keys[p->n] = NULL;
	p->values[p->n] = NULL;
	return 0;
}

const char *connparams_get(const struct connparams *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->keys[i], key) == 0)
			return p->values[i];
	return NULL;
}

struct connparams *connparams_copy(const struct connparams *p)
{
	struct connparams *c = connparams_new();
	if (!c)
		return NULL;
	for (size_t i = 0; i < p->n; i++)
		if (connparams_set(c, p->keys[i], p->values[i]) < 0)
			return connparams_free(c);
	c->connect_timeout_sec = p->connect_timeout_sec;
	c->readonly = p->readonly;
	return c;
}

/* Startup options that make the server enforce the connection's rules. */
static int set_options(struct connparams *p, long long statement_timeout_ms, bool readonly)
{
	char buf[128] = "";
	size_t len = 0;
	if (statement_timeout_ms >= 0)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "-c statement_timeout=%lld",
		                        statement_timeout_ms);
	if (readonly)
		snprintf(buf + len, sizeof(buf) - len, "%s-c default_transaction_read_only=on",
		         len ? " " : "");
	p->readonly = readonly;
	return buf[0] ? connparams_set(p, "options", buf) : 0;
}

struct connparams *connparams_from_config(const TuskConnectionConfig *cfg, TuskError *e)
{
	struct connparams *p = connparams_new();
	char port[8], timeout[16];
	if (!p) {
		tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	snprintf(port, sizeof(port), "%u", (unsigned)cfg->port);
	snprintf(timeout, sizeof(timeout), "%u", cfg->options.connect_timeout_sec);
	int r = 0;
	if (cfg->host && *cfg->host)
		r |= connparams_set(p, "host", cfg->host);
	r |= connparams_set(p, "port", port);
	if (cfg->database && *cfg->database)
		r |= connparams_set(p, "dbname", cfg->database);
	if (cfg->username && *cfg->username)
		r |= connparams_set(p, "user", cfg->username);
	r |= connparams_set(p, "sslmode", tusk_ssl_mode_libpq_name(cfg->ssl_mode));
	if (cfg->ssl_ca_cert)
		r |= connparams_set(p, "sslrootcert", cfg->ssl_ca_cert);
	if (cfg->ssl_client_cert)
		r |= connparams_set(p, "sslcert", cfg->ssl_client_cert);
	if (cfg->ssl_client_key)
		r |= connparams_set(p, "sslkey", cfg->ssl_client_key);
	r |= connparams_set(p, "connect_timeout", timeout);
	r |= connparams_set(p, "application_name",
	                    cfg->options.application_name ? cfg->options.application_name
	                                                  : TUSK_DEFAULT_APPLICATION_NAME);
	r |= connparams_set(p, "client_encoding", "UTF8");
	r |= set_options(p, cfg->options.statement_timeout_ms, cfg->options.readonly);
	if (r) {
		tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
		return connparams_free(p);
	}
	p->connect_timeout_sec = cfg->options.connect_timeout_sec;
	return p;
}

struct connparams *connparams_from_conninfo(const char *conninfo, const json_t *env, TuskError *e)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
	if (!opts) {
		tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "cannot parse the connection string");
		if (err) {
			/* libpq's text never echoes a password back. */
			size_t n = strlen(err);
			while (n && err[n - 1] == '\n')
				err[--n] = '\0';
			tusk_error_set_detail(e, "%s", err);
			PQfreemem(err);
		}
		return NULL;
	}
	struct connparams *p = connparams_new();
	int r = p ? 0 : -ENOMEM;
	for (PQconninfoOption *o = opts; p && o->keyword; o++)
		if (o->val && *o->val)
			r |= connparams_set(p, o->keyword, o->val);
	PQconninfoFree(opts);

	/* The client's PG* variables stand in for its own environment, as if
	 * libpq ran there: only keywords the string left unset. */
	if (p && json_is_object(env)) {
		PQconninfoOption *defs = PQconndefaults();
		for (PQconninfoOption *o = defs; defs && o->keyword; o++) {
			if (!o->envvar || connparams_get(p, o->keyword))
				continue;
			const char *v = json_string_value(json_object_get(env, o->envvar));
			if (v && *v)
				r |= connparams_set(p, o->keyword, v);
		}
		PQconninfoFree(defs);
	}
	if (p && !connparams_get(p, "application_name"))
		r |= connparams_set(p, "application_name", TUSK_DEFAULT_APPLICATION_NAME);
	if (p)
		r |= connparams_set(p, "client_encoding", "UTF8");
	if (r || !p) {
		tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
		return connparams_free(p);
	}
	const char *t = connparams_get(p, "connect_timeout");
	if (t && atoi(t) > 0)
		p->connect_timeout_sec = (unsigned)atoi(t);
	const char *o = connparams_get(p, "options");
	p->readonly = o && strstr(o, "default_transaction_read_only=on");
	return p;
}

char *connparams_display(const struct connparams *p)
{
	const char *user = connparams_get(p, "user");
	const char *host = connparams_get(p, "host");
	const char *port = connparams_get(p, "port");
	const char *db = connparams_get(p, "dbname");
	const char *service = connparams_get(p, "service");
	char *s = NULL;
	if (service && !host)
		return asprintf(&s, "service=%s", service) < 0 ? NULL : s;
	if (asprintf(&s, "%s%s%s%s%s/%s", user ? user : "", user ? "@" : "",
	             host ? host : "localhost", port ? ":" : "", port ? port : "",
	             db ? db : (user ? user : "")) < 0)
		return NULL;
	return s;
}

char *connparams_identity(const struct connparams *p)
{
	size_t len = 1;
	for (size_t i = 0; i < p->n; i++)
		len += strlen(p->keys[i]) + strlen(p->values[i]) + 2;
	char *s = malloc(len), *w = s;
	if (!s)
		return NULL;
	for (size_t i = 0; i < p->n; i++)
		w += sprintf(w, "%s=%s%c", p->keys[i], p->values[i], '\x1f');
	*w = '\0';
	return s;
}
