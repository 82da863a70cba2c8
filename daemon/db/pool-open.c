/* Opening a pool: the secrets from the credential lookup, the SSH tunnel,
 * the certificate and key files checked on a worker, then the first
 * backend; saved connections by id, transient ones by conninfo and env. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/log.h"
#include "common/uuid.h"
#include "daemon/db/env.h"
#include "daemon/db/pool-internal.h"
#include "protocol/tusk-names.h"
#include "daemon/db/tls.h"
#include "daemon/db/tunnel.h"
#include "daemon/storage/settings.h"
#include "daemon/worker/worker.h"

/* Certificate and key files are checked on a worker before the first
 * connect, so a bad one gets a clear error of its own rather than libpq's.
 * The check reads the pool's own libpq keywords, saved or transient. */
struct check_job {
	struct pool *p;
	char *sslmode, *sslrootcert, *sslcert, *sslkey, *passphrase;
	TuskError e;
	int r;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void check_work(void *arg)
{
	struct check_job *j = arg;
	j->r = tls_check_params(j->sslmode, j->sslrootcert, j->sslcert, j->sslkey, j->passphrase,
	                        &j->e);
}

static void check_done(void *arg)
{
	struct check_job *j = arg;
	struct pool *p = j->p;
	if (j->r < 0) {
		p->failures++;
		tusk_error_copy(&p->last_error, &j->e);
		pool_emit(TUSK_N_CONNECTION_ERROR, p,
		          json_pack("{s:o}", "error", tusk_error_info_to_json(&j->e)));
		pool_answer_openers(p, &j->e);
		pool_close(p, "certificate or key files are not usable");
	} else if (!p->closing) {
		pool_start_backend(p);
	}
	free(j->sslmode);
	free(j->sslrootcert);
	free(j->sslcert);
	free(j->sslkey);
	if (j->passphrase) {
		explicit_bzero(j->passphrase, strlen(j->passphrase));
		free(j->passphrase);
	}
	tusk_error_clear(&j->e);
	free(j);
	pool_unref(p);
}

void pool_begin_connect(struct pool *p)
{
	const char *mode = connparams_get(p->params, "sslmode");
	if (mode && strcmp(mode, "disable") == 0) {
		pool_start_backend(p);
		return;
	}
	struct check_job *j = calloc(1, sizeof(*j));
	j->p = pool_ref(p);
	j->sslmode = dup_or_null(mode);
	j->sslrootcert = dup_or_null(connparams_get(p->params, "sslrootcert"));
	j->sslcert = dup_or_null(connparams_get(p->params, "sslcert"));
	j->sslkey = dup_or_null(connparams_get(p->params, "sslkey"));
	j->passphrase = dup_or_null(p->key_passphrase);
	if (worker_submit(db_env(p->db)->workers, check_work, check_done, j) < 0) {
		j->r = 0;
		check_done(j);
	}
}

/* ---- SSH tunnel: set up before the first backend connects ---------------- */

static void open_failed(struct pool *p, const TuskError *e, const char *reason)
{
	p->failures++;
	tusk_error_copy(&p->last_error, e);
	pool_emit(TUSK_N_CONNECTION_ERROR, p,
	          json_pack("{s:o}", "error", tusk_error_info_to_json(e)));
	pool_answer_openers(p, e);
	pool_close(p, reason);
}

/* libpq connects to the tunnel's listener by hostaddr/port and keeps host
 * (the database host as the SSH server sees it) for TLS verify-full. */
static void tunnel_ready(struct tunnel *t, const TuskError *e, void *ud)
{
	struct pool *p = ud;
	if (p->closing)
		return;
	if (e) {
		open_failed(p, e, "the SSH tunnel could not be opened");
		return;
	}
	char port[8];
	snprintf(port, sizeof(port), "%d", tunnel_local_port(t));
	connparams_set(p->params, "hostaddr", "127.0.0.1");
	connparams_set(p->params, "port", port);
	pool_begin_connect(p);
}

static void start_tunnel(struct pool *p, const char *secret)
{
	const TuskConnectionConfig *cfg = p->tunnel_cfg;
	const TuskSshTunnelConfig *st = cfg->ssh_tunnel;
	struct tunnel_conf conf = {
	    .connection_id = p->unsaved ? NULL : cfg->id,
	    .ssh_host = st->host,
	    .ssh_port = st->port,
	    .ssh_user = st->username,
	    .auth = st->auth,
	    .key_path = st->key_path,
	    .passphrase = st->auth == TUSK_SSH_AUTH_KEY ? secret : NULL,
	    .password = st->auth == TUSK_SSH_AUTH_PASSWORD ? secret : NULL,
	    .remote_host = cfg->host && *cfg->host ? cfg->host : "127.0.0.1",
	    .remote_port = cfg->port,
	    .connect_timeout_sec = cfg->options.connect_timeout_sec,
	    .keepalive_sec =
	        (unsigned)settings_int(db_env(p->db)->settings, "ssh.keepalive_interval_sec"),
	    .agent_sock = getenv("SSH_AUTH_SOCK") ? NULL : p->agent_sock,
	};
	struct tunnel *t = tunnel_start(p->db, &conf, tunnel_ready, p);
	if (!t) {
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_set(&e, TUSK_ERR_SSH, "cannot start the SSH tunnel");
		open_failed(p, &e, "the SSH tunnel could not be started");
		tusk_error_clear(&e);
		return;
	}
	/* Freed with the pool, which also stops its callback. */
	pool_set_attachment(p, POOL_SLOT_TUNNEL, t, tunnel_free);
}

static void got_ssh_secret(int r, char *secret, bool in_memory, const TuskError *e, void *ud)
{
	struct pool *p = ud;
	if (!secret && e && e->kind != TUSK_ERR_CREDENTIAL_NOT_FOUND)
		log_warn("pool", "%s: SSH secret not read from the keyring: %s", p->display,
		         tusk_error_message(e));
	if (!p->closing)
		start_tunnel(p, secret);
	if (secret) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	pool_unref(p);
}

/* A pool with a tunnel: its SSH secret, then the tunnel, then libpq. */
static void tunnel_then_connect(struct pool *p)
{
	if (!p->tunnel_cfg) {
		pool_begin_connect(p);
		return;
	}
	if (p->typed_ssh_secret) {
		char *typed = p->typed_ssh_secret;
		p->typed_ssh_secret = NULL;
		start_tunnel(p, typed);
		explicit_bzero(typed, strlen(typed));
		free(typed);
		return;
	}
	const TuskSshTunnelConfig *st = p->tunnel_cfg->ssh_tunnel;
	int kind = st->auth == TUSK_SSH_AUTH_PASSWORD ? SECRET_SSH_PASSWORD
	           : st->auth == TUSK_SSH_AUTH_KEY && st->passphrase_in_keyring
	               ? SECRET_SSH_PASSPHRASE
	               : -1;
	if (kind >= 0 &&
	    db_secret_lookup(p->db, (SecretKind)kind, p->id, got_ssh_secret, pool_ref(p)) == 0)
		return;
	if (kind >= 0)
		pool_unref(p);
	start_tunnel(p, NULL);
}

void pool_keep_tunnel_config(struct pool *p, const TuskConnectionConfig *cfg)
{
	if (cfg->ssh_tunnel && cfg->ssh_tunnel->enabled)
		p->tunnel_cfg = tusk_connection_config_copy(cfg);
}

/* Secrets come from the keyring (on a worker) before anything connects. */
struct secrets_job {
	struct pool *p;
	bool want_password, want_passphrase;
};

static void got_passphrase(int r, char *secret, bool in_memory, const TuskError *e, void *ud)
{
	struct secrets_job *j = ud;
	if (secret) {
		j->p->key_passphrase = secret; /* erased with the pool */
	}
	if (!j->p->closing)
		tunnel_then_connect(j->p);
	pool_unref(j->p);
	free(j);
}

static void got_password(int r, char *secret, bool in_memory, const TuskError *e, void *ud)
{
	struct secrets_job *j = ud;
	if (secret) {
		connparams_set(j->p->params, "password", secret);
		explicit_bzero(secret, strlen(secret));
		free(secret);
	} else if (e && e->kind != TUSK_ERR_CREDENTIAL_NOT_FOUND) {
		log_warn("pool", "%s: password not read from the keyring: %s", j->p->display,
		         tusk_error_message(e));
	} else if (e) {
		/* Removed behind our back: try without, and say so if the
		 * server wants one. */
		j->p->password_lost = true;
		log_warn("pool", "%s: its password is no longer in the keyring", j->p->display);
	}
	if (j->want_passphrase &&
	    db_secret_lookup(j->p->db, SECRET_SSL_PASSPHRASE, j->p->id, got_passphrase, j) == 0)
		return;
	got_passphrase(0, NULL, false, NULL, j);
}

void pool_fetch_secrets(struct pool *p, const TuskConnectionConfig *cfg)
{
	struct secrets_job *j = calloc(1, sizeof(*j));
	j->p = pool_ref(p);
	j->want_passphrase = cfg->ssl_client_key != NULL && !p->key_passphrase;
	if (cfg->password_in_keyring &&
	    db_secret_lookup(j->p->db, SECRET_PASSWORD, cfg->id, got_password, j) == 0)
		return;
	got_password(0, NULL, false, NULL, j);
}

void pool_open_saved(struct db *db, const TuskConnectionConfig *cfg, pool_open_cb cb, void *ud)
{
	pool_open_saved_env(db, cfg, NULL, cb, ud);
}

void pool_open_saved_env(struct db *db, const TuskConnectionConfig *cfg, const json_t *env,
                         pool_open_cb cb, void *ud)
{
	struct pool *p = pool_find(db, cfg->id);
	if (p && !p->closing) {
		if (p->opened) {
			cb(p, NULL, ud);
		} else {
			pool_add_opener(p, cb, ud);
		}
		return;
	}
	TuskError e = TUSK_ERROR_INIT;
	struct connparams *params = connparams_from_config(cfg, &e);
	if (!params || !(p = pool_new(db, cfg->id, cfg->name, params))) {
		connparams_free(params);
		if (e.kind == TUSK_ERR_NONE)
			tusk_error_set(&e, TUSK_ERR_INTERNAL, "out of memory");
		cb(NULL, &e, ud);
		tusk_error_clear(&e);
		return;
	}
	pool_keep_tunnel_config(p, cfg);
	/* The opening client's agent, for a tunnel with agent auth when the
	 * daemon has none of its own. */
	const char *agent = json_string_value(json_object_get(env, "SSH_AUTH_SOCK"));
	if (agent && *agent)
		p->agent_sock = strdup(agent);
	pool_register(p);
	pool_add_opener(p, cb, ud);
	pool_emit(TUSK_N_CONNECTION_STATUS_CHANGED, p, NULL);

	pool_fetch_secrets(p, cfg);
}

static struct pool *transient_pool_parse(struct db *db, const char *conninfo, const json_t *env,
                                         TuskError *e);

/* The request as given, for a cheap second look-up: parsing a conninfo
 * with libpq (and its defaults table) costs more than the query itself. */
static char *raw_key(const char *conninfo, const json_t *env)
{
	char *envtext = env ? json_dumps(env, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *key = NULL;
	if (asprintf(&key, "%s\x1f%s", conninfo, envtext ? envtext : "") < 0)
		key = NULL;
	if (envtext) {
		explicit_bzero(envtext, strlen(envtext));
		free(envtext);
	}
	return key;
}

static void erase_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static struct pool *transient_pool(struct db *db, const char *conninfo, const json_t *env,
                                   TuskError *e)
{
	char *raw = raw_key(conninfo, env);
	for (struct pool *p = pool_next_registered(db, NULL); raw && p;
	     p = pool_next_registered(db, p))
		if (p->transient && !p->closing && p->raw_key && strcmp(p->raw_key, raw) == 0) {
			erase_free(raw);
			return p;
		}
	/* The pool remembers the latest spelling that reached it: a client
	 * that repeats its own (another spelled the same server differently
	 * before) skips the parse from its second query on. */
	struct pool *found = transient_pool_parse(db, conninfo, env, e);
	if (found && raw) {
		erase_free(found->raw_key);
		found->raw_key = raw;
	} else {
		erase_free(raw);
	}
	return found;
}

static struct pool *transient_pool_parse(struct db *db, const char *conninfo, const json_t *env,
                                         TuskError *e)
{
	struct connparams *params = connparams_from_conninfo(conninfo, env, e);
	if (!params)
		return NULL;
	char *identity = connparams_identity(params);
	for (struct pool *p = pool_next_registered(db, NULL); p; p = pool_next_registered(db, p))
		if (p->transient && !p->closing && identity && strcmp(p->identity, identity) == 0) {
			connparams_free(params);
			explicit_bzero(identity, strlen(identity));
			free(identity);
			return p;
		}
	char id[TUSK_UUID_STRLEN + 1];
	tusk_uuid_v4(id);
	struct pool *p = pool_new(db, id, NULL, params);
	if (!p) {
		connparams_free(params);
		free(identity);
		tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	p->transient = true;
	p->identity = identity;
	return p;
}

int pool_open_transient(struct db *db, const char *conninfo, const json_t *env, pool_open_cb cb,
                        void *ud, TuskError *e)
{
	struct pool *p = transient_pool(db, conninfo, env, e);
	if (!p)
		return -1;
	if (p->registered) {
		/* Already open (or opening): reuse. */
		if (p->opened)
			cb(p, NULL, ud);
		else
			pool_add_opener(p, cb, ud);
		return 0;
	}
	pool_register(p);
	pool_add_opener(p, cb, ud);
	pool_emit(TUSK_N_CONNECTION_STATUS_CHANGED, p, NULL);
	pool_begin_connect(p);
	return 0;
}
